/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "channel.h"
#include "fileio.h"
#include "macro.h"
#include "metrics.h"
#include "strv.h"

static void put_label_value(FILE *f, const char *s) {
        fputc('"', f);
        for (; s && *s; s++)
                switch (*s) {
                case '\\': fputs("\\\\", f); break;
                case '"':  fputs("\\\"", f); break;
                case '\n': fputs("\\n", f); break;
                default:   fputc(*s, f);
                }
        fputc('"', f);
}

static void put_header(FILE *f, const char *name, const char *type, const char *help) {
        fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_sample(FILE *f, const char *metric, const char *app, double value) {
        fprintf(f, "%s{app=", metric);
        put_label_value(f, app);
        fprintf(f, "} %.15g\n", value);
}

static void put_fault_sample(FILE *f, const char *app, const char *version, uint64_t n) {
        fputs("upkeep_app_faults_total{app=", f);
        put_label_value(f, app);
        fputs(",version=", f);
        put_label_value(f, version);
        fprintf(f, "} %" PRIu64 "\n", n);
}

static double seconds(usec_t t) {
        return (double) t / USEC_PER_SEC;
}

/* How often the kept history holds a transition of that kind: a gauge, since the oldest entries
 * are dropped (STATE_HISTORY_MAX). */
static unsigned count_transitions(const AppState *s, TransitionKind kind) {
        unsigned n = 0;

        for (size_t i = 0; i < s->n_history; i++)
                if (s->history[i].kind == kind)
                        n++;
        return n;
}

static usec_t last_transition_time(const AppState *s, TransitionKind kind) {
        for (size_t i = s->n_history; i > 0; i--)
                if (s->history[i - 1].kind == kind)
                        return s->history[i - 1].time;
        return 0;
}

/* Paused by a rollback rather than by an operator: rolling back pauses the app and records the
 * rollback last in its history; an operator's resume ends it, and so does an operator's switch. */
static bool paused_after_rollback(const AppState *s) {
        return s->paused && s->n_history > 0 && s->history[s->n_history - 1].kind == TRANSITION_ROLLBACK;
}

typedef double (*metric_value_t)(const MetricsApp *a);

static double value_paused(const MetricsApp *a)        { return a->state->paused; }
static double value_paused_rollback(const MetricsApp *a) { return paused_after_rollback(a->state); }
static double value_available(const MetricsApp *a)     { return a->update_available; }
static double value_pending(const MetricsApp *a)       { return a->state->pending_version != NULL; }
static double value_due(const MetricsApp *a)           { return seconds(a->state->due_at); }
static double value_last_check(const MetricsApp *a)    { return seconds(a->state->last_check); }
static double value_failed(const MetricsApp *a)        { return a->state->last_error != NULL; }
static double value_on_trial(const MetricsApp *a)      { return a->state->trial_version != NULL; }
static double value_backoff(const MetricsApp *a)       { return a->state->backoff_failures; }
static double value_backoff_until(const MetricsApp *a) { return seconds(a->state->backoff_until); }
static double value_rollbacks(const MetricsApp *a)     { return count_transitions(a->state, TRANSITION_ROLLBACK); }
static double value_last_rollback(const MetricsApp *a) { return seconds(last_transition_time(a->state, TRANSITION_ROLLBACK)); }
static double value_bad_versions(const MetricsApp *a)  { return strv_length(a->state->bad_versions); }
static double value_channel_serial(const MetricsApp *a) { return (double) a->state->channel_serial; }
static double value_channel_expires(const MetricsApp *a) { return seconds(a->channel_expires); }
static double value_tlog_forks(const MetricsApp *a)    { return (double) a->state->tlog_forks; }
static double value_last_fault(const MetricsApp *a)    { return a->faults ? seconds(a->faults->last) : 0; }

static const struct {
        const char *name, *type, *help;
        metric_value_t value;
} metrics[] = {
        { "upkeep_app_paused", "gauge", "Whether automatic updates of the app are paused.", value_paused },
        { "upkeep_app_paused_after_rollback", "gauge", "Whether the app is paused because its last switch was rolled back.", value_paused_rollback },
        { "upkeep_app_update_available", "gauge", "Whether a version newer than the current one is published, whatever the policy.", value_available },
        { "upkeep_app_update_pending", "gauge", "Whether a verified update is staged and waits to be applied.", value_pending },
        { "upkeep_app_update_due_timestamp_seconds", "gauge", "When the pending update may be applied (0: not scheduled).", value_due },
        { "upkeep_app_last_check_timestamp_seconds", "gauge", "When the app's release source was last checked, successfully or not (0: never).", value_last_check },
        { "upkeep_app_last_operation_failed", "gauge", "Whether the app's last check, update or switch failed (its LastError is set).", value_failed },
        { "upkeep_app_on_trial", "gauge", "Whether a new version of the app is on trial.", value_on_trial },
        { "upkeep_app_failed_scheduled_updates", "gauge", "Consecutive failed scheduled updates (the back-off count).", value_backoff },
        { "upkeep_app_backoff_until_timestamp_seconds", "gauge", "No scheduled update is tried before this time (0: not backing off).", value_backoff_until },
        { "upkeep_app_rollbacks", "gauge", "Rollbacks in the app's kept history.", value_rollbacks },
        { "upkeep_app_last_rollback_timestamp_seconds", "gauge", "When the app was last rolled back, as far as the kept history goes (0: never).", value_last_rollback },
        { "upkeep_app_bad_versions", "gauge", "Versions marked bad after failing a trial, never chosen automatically again.", value_bad_versions },
        { "upkeep_app_channel_serial", "gauge", "Serial of the last accepted release channel (0: none yet).", value_channel_serial },
        { "upkeep_app_channel_expires_timestamp_seconds", "gauge", "When the last accepted release channel expires: a check after that refuses it until the publisher signs it again (0: no channel).", value_channel_expires },
        { "upkeep_app_tlog_forks_total", "counter", "Go apps: tree heads of the gobuild service's log refused because the log forked.", value_tlog_forks },
        { "upkeep_app_last_fault_timestamp_seconds", "gauge", "When the app's unit last failed (a fault report was recorded; 0: never).", value_last_fault },
};

int metrics_format(const MetricsApp *apps, size_t n_apps, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;

        put_header(f, "upkeep_build_info", "gauge", "The version of upkeep that wrote this file.");
        fputs("upkeep_build_info{version=", f);
        put_label_value(f, PROJECT_VERSION);
        fputs("} 1\n", f);

        put_header(f, "upkeep_app_info", "gauge",
                   "The versions of each app upkeep manages: current, previous, available and pending.");
        for (size_t i = 0; i < n_apps; i++) {
                const AppState *s = apps[i].state;

                fputs("upkeep_app_info{app=", f);
                put_label_value(f, apps[i].name);
                fputs(",current=", f);
                put_label_value(f, s->current_version);
                fputs(",previous=", f);
                put_label_value(f, s->previous_version);
                fputs(",available=", f);
                put_label_value(f, s->available_version);
                fputs(",pending=", f);
                put_label_value(f, s->pending_version);
                fputs("} 1\n", f);
        }

        for (size_t m = 0; m < ELEMENTSOF(metrics); m++) {
                put_header(f, metrics[m].name, metrics[m].type, metrics[m].help);
                for (size_t i = 0; i < n_apps; i++)
                        put_sample(f, metrics[m].name, apps[i].name, metrics[m].value(&apps[i]));
        }

        put_header(f, "upkeep_app_faults_total", "counter",
                   "Failures of the app's unit (crash, core dump, OOM kill, watchdog, non-zero exit), by the version that ran.");
        for (size_t i = 0; i < n_apps; i++) {
                const FaultCounts *c = apps[i].faults;
                const char *current = apps[i].state->current_version;

                for (size_t v = 0; c && v < c->n_versions; v++)
                        put_fault_sample(f, apps[i].name, c->versions[v].version, c->versions[v].faults);
                if (current && (!c || !fault_counts_find(c, current)))
                        put_fault_sample(f, apps[i].name, current, 0);
        }

        r = memstream_close(f);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(text);
        return 0;
}

int metrics_read_channel_expires_at(int dir_fd, const char *name, usec_t *ret) {
        _cleanup_(channel_freep) Channel *c = NULL;
        int r;

        r = channel_load_at(dir_fd, name, &c, NULL);
        if (r < 0)
                return r;

        *ret = c->expires;
        return 0;
}
