/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

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

typedef double (*metric_value_t)(const AppState *s);

static double value_paused(const AppState *s)        { return s->paused; }
static double value_pending(const AppState *s)       { return s->pending_version != NULL; }
static double value_due(const AppState *s)           { return seconds(s->due_at); }
static double value_last_check(const AppState *s)    { return seconds(s->last_check); }
static double value_failed(const AppState *s)        { return s->last_error != NULL; }
static double value_on_trial(const AppState *s)      { return s->trial_version != NULL; }
static double value_backoff(const AppState *s)       { return s->backoff_failures; }
static double value_rollbacks(const AppState *s)     { return count_transitions(s, TRANSITION_ROLLBACK); }
static double value_bad_versions(const AppState *s)  { return strv_length(s->bad_versions); }
static double value_channel_serial(const AppState *s) { return (double) s->channel_serial; }
static double value_tlog_forks(const AppState *s)    { return (double) s->tlog_forks; }

static const struct {
        const char *name, *type, *help;
        metric_value_t value;
} metrics[] = {
        { "upkeep_app_paused", "gauge", "Whether automatic updates of the app are paused.", value_paused },
        { "upkeep_app_update_pending", "gauge", "Whether a verified update is staged and waits to be applied.", value_pending },
        { "upkeep_app_update_due_timestamp_seconds", "gauge", "When the pending update may be applied (0: not scheduled).", value_due },
        { "upkeep_app_last_check_timestamp_seconds", "gauge", "When the app's release source was last checked (0: never).", value_last_check },
        { "upkeep_app_last_operation_failed", "gauge", "Whether the app's last check, update or switch failed (its LastError is set).", value_failed },
        { "upkeep_app_on_trial", "gauge", "Whether a new version of the app is on trial.", value_on_trial },
        { "upkeep_app_failed_scheduled_updates", "gauge", "Consecutive failed scheduled updates (the back-off count).", value_backoff },
        { "upkeep_app_rollbacks", "gauge", "Rollbacks in the app's kept history.", value_rollbacks },
        { "upkeep_app_bad_versions", "gauge", "Versions marked bad after failing a trial, never chosen automatically again.", value_bad_versions },
        { "upkeep_app_channel_serial", "gauge", "Serial of the last accepted release channel (0: none yet).", value_channel_serial },
        { "upkeep_app_tlog_forks_total", "counter", "Go apps: tree heads of the gobuild service's log refused because the log forked.", value_tlog_forks },
};

int metrics_format(const MetricsApp *apps, size_t n_apps, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;

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
                        put_sample(f, metrics[m].name, apps[i].name, metrics[m].value(apps[i].state));
        }

        r = memstream_close(f);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(text);
        return 0;
}
