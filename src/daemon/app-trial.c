/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "app-command.h"
#include "app-journal.h"
#include "app-trial.h"
#include "app.h"
#include "backoff.h"
#include "bus-error.h"
#include "http.h"
#include "job.h"
#include "log.h"
#include "manager.h"
#include "stage.h"
#include "switch.h"
#include "unit-watch.h"
#include "version.h"

#define HEALTH_CHECK_MAX_SIZE (64U * 1024U)

static const char *const trial_decision_table[_TRIAL_DECISION_MAX] = {
        [TRIAL_DECISION_WAIT]         = "wait",
        [TRIAL_DECISION_WATCH]        = "watch",
        [TRIAL_DECISION_CHECK_HEALTH] = "check-health",
        [TRIAL_DECISION_KEEP]         = "keep",
        [TRIAL_DECISION_ROLL_BACK]    = "roll-back",
        [TRIAL_DECISION_RESTART]      = "restart",
        [TRIAL_DECISION_OVER]         = "over",
};

const char *trial_decision_to_string(TrialDecision v) {
        if (v < 0 || v >= _TRIAL_DECISION_MAX)
                return NULL;
        return trial_decision_table[v];
}

TrialDecision app_trial_decide_restarted(const char *job_result) {
        /* Up (for Type=notify: READY=1 was sent, or systemd would not call the job done). */
        return streq_ptr(job_result, "done") ? TRIAL_DECISION_WATCH : TRIAL_DECISION_ROLL_BACK;
}

TrialDecision app_trial_decide_changed(bool on_trial, const char *active_state) {
        /* During the trial, anything but active means the new version went down. */
        if (on_trial && active_state && !IN_SET_STR(active_state, "active", "reloading"))
                return TRIAL_DECISION_ROLL_BACK;
        return TRIAL_DECISION_WAIT;
}

TrialDecision app_trial_decide_trial_over(const char *health_check) {
        return isempty(health_check) ? TRIAL_DECISION_KEEP : TRIAL_DECISION_CHECK_HEALTH;
}

TrialDecision app_trial_decide_health_status(long status) {
        return status >= 200 && status <= 299 ? TRIAL_DECISION_KEEP : TRIAL_DECISION_ROLL_BACK;
}

bool app_trial_unit_settled(const char *active_state) {
        return active_state && !IN_SET_STR(active_state, "activating", "deactivating");
}

TrialDecision app_trial_decide_adopted(const char *active_state, bool still_on_trial, unsigned trial_starts) {
        if (!app_trial_unit_settled(active_state))
                return TRIAL_DECISION_WAIT;  /* a start or stop is under way: wait for where it ends */
        if (!still_on_trial)
                return TRIAL_DECISION_OVER;
        if (trial_starts == 0)
                /* upkeep-condition counted no start: the daemon died between the switch and its restart,
                 * and the unit still runs (or would start) the old version's process. */
                return TRIAL_DECISION_RESTART;
        if (IN_SET_STR(active_state, "inactive", "failed"))
                return TRIAL_DECISION_ROLL_BACK;
        /* It has run since its first start; whether it stays up is watched for a whole TrialSec= from
         * now, as the daemon cannot tell how long it was watched before. */
        return TRIAL_DECISION_WATCH;
}

void app_switch_record_failure(AppState *s, TransitionKind kind, usec_t now, bool *ret_backed_off) {
        if (kind == TRANSITION_SCHEDULED) {
                app_state_backoff_failed(s, now);
                *ret_backed_off = true;
        } else
                app_state_backoff_reset(s);
}

int app_trial_roll_back_state(AppState *s, int dir_fd, const char *version, const char *reason, TransitionKind kind,
                              bool roll_back, usec_t now, bool *ret_done, bool *ret_backed_off) {
        int r;

        /* upkeep-condition may have rolled back already, at the restart that followed a crash. */
        if (roll_back && s->trial_version && version_compare(s->trial_version, version) == 0) {
                r = app_rollback_at(dir_fd, s, reason, now);
                if (r < 0)
                        return r;
                *ret_done = true;
        }

        if (free_and_strdup(&s->last_error, reason) < 0)
                return -ENOMEM;
        app_switch_record_failure(s, kind, now, ret_backed_off);
        return 1;
}

void app_switch_end(App *a, Job *j, const char *version, bool backed_off, const char *error_name,
                    const char *message) {
        if (backed_off) {
                char ts[RFC3339_MAX], span[64];

                app_journal(&(AppEvent) {
                                .message_id = UPKEEP_MESSAGE_BACKING_OFF,
                                .priority = LOG_WARNING,
                                .app = a->name,
                                .version = version,
                                .old_version = a->state->current_version,
                        },
                        "Scheduled update of %s to %s failed (%u in a row); the update timer tries again "
                        "not before %s (in %s), inside the update window.",
                        a->name, version, a->state->backoff_failures,
                        format_timestamp_rfc3339(ts, sizeof ts, a->state->backoff_until),
                        format_timespan(span, sizeof span, backoff_delay(a->state->backoff_failures)));
        }

        app_emit_changed(a, "CurrentVersion", "PreviousVersion", "PendingVersion", "ScheduledFor",
                         "LastError", "Paused", "PauseReason", "History", "FailedAttempts", "BackoffUntil", NULL);
        if (error_name)
                job_fail(j, error_name, message);
        else
                job_finish(j, "done");
}

/* One trial in progress: from the restart (or the take-over) to kept or rolled back. */
typedef struct Trial {
        Job *job;
        App *app;
        char *version;              /* on trial */
        char *old_version;          /* what ran before, NULL on a first install */
        TransitionKind kind;
        char unit[256];
        UnitWatch *restart;         /* the unit's restart job and its state */
        sd_event_source *timer;     /* TrialSec= */
        HttpRequest *health;
        TransientUnit *command;     /* the health check command running */
        bool on_trial;              /* the unit came up; watching it for TrialSec= */
        bool backed_off;            /* a failed scheduled switch: the back-off was recorded */
        bool adopting;              /* a trial an earlier upkeepd began: finding out where it stands */
} Trial;

static Trial *trial_free(Trial *t) {
        if (!t)
                return NULL;
        unit_watch_free(t->restart);
        sd_event_source_disable_unref(t->timer);
        if (t->health)
                http_request_cancel(t->health);
        transient_cancel(t->command);
        free(t->version);
        free(t->old_version);
        free(t);
        return NULL;
}

static Trial *trial_new(App *a, Job *j, const char *version, const char *old_version, TransitionKind kind) {
        Trial *t;

        t = calloc(1, sizeof(Trial));
        if (!t)
                return NULL;
        t->version = strdup(version);
        if (!t->version || (old_version && !(t->old_version = strdup(old_version))))
                return trial_free(t);
        t->job = j;
        t->app = a;
        t->kind = kind;
        j->userdata = t;
        (void) app_unit_name(a, t->unit, sizeof t->unit);
        return t;
}

/* Ends the trial: error_name NULL when the new version was kept, else why it was not. The job ends
 * before the trial is freed: message may belong to it (a UnitWatch's error message). */
static void trial_end(Trial *t, const char *error_name, const char *message) {
        app_switch_end(t->app, t->job, t->version, t->backed_off, error_name, message);
        trial_free(t);
}

typedef struct RollbackEdit {
        const char *version;
        const char *reason;
        TransitionKind kind;
        int dir_fd;
        bool roll_back;             /* there is a version to go back to */
        bool done;                  /* we rolled back (rather than upkeep-condition before us) */
        bool backed_off;
} RollbackEdit;

static int edit_rollback(AppState *s, void *userdata) {
        RollbackEdit *e = userdata;

        return app_trial_roll_back_state(s, e->dir_fd, e->version, e->reason, e->kind, e->roll_back, now_realtime(),
                                         &e->done, &e->backed_off);
}

/* The new version failed its trial: back to the old one, unless that happened already. */
static void trial_roll_back(Trial *t, const char *format, ...) _printf_(2, 3);
static void trial_roll_back(Trial *t, const char *format, ...) {
        _cleanup_free_ char *what = NULL, *reason = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        if (vasprintf(&what, format, ap) < 0)
                what = NULL;
        va_end(ap);

        if (asprintf(&reason, "version %s failed its trial (%s); rolled back to %s",
                     t->version, strempty(what), t->old_version ?: "nothing") < 0)
                reason = NULL;

        RollbackEdit e = {
                .version = t->version,
                .reason = reason,
                .kind = t->kind,
                .dir_fd = t->app->dir_fd,
                .roll_back = t->old_version != NULL,
        };
        if (!t->old_version)
                log_warning("%s %s failed its trial and there is no earlier version to go back to.",
                            t->app->name, t->version);
        r = app_update_state(t->app, edit_rollback, &e);
        if (r < 0)
                log_error_errno(r, "Failed to roll back %s: %m", t->app->name);
        else
                t->backed_off = e.backed_off;

        if (e.done) {
                /* Fire and forget: the old version was running minutes ago; if it does not come
                 * back, systemd's unit state says so to anyone looking. */
                r = systemd_unit_call_async(t->app->manager->bus, "RestartUnit", t->unit, "replace");
                if (r < 0)
                        log_error_errno(r, "Failed to restart %s after rolling back: %m", t->unit);
        }

        app_journal(&(AppEvent) {
                        .message_id = UPKEEP_MESSAGE_ROLLED_BACK,
                        .priority = LOG_WARNING,
                        .app = t->app->name,
                        .version = t->old_version,
                        .old_version = t->version,
                },
                "%s: %s.", t->app->name, strempty(reason));
        trial_end(t, BUS_ERROR_ROLLED_BACK, reason);
}

static int edit_keep(AppState *s, void *userdata) {
        Trial *t = userdata;

        if (!s->trial_version || version_compare(s->trial_version, t->version) != 0)
                return -ESTALE;  /* rolled back under our feet */
        s->last_error = mfree(s->last_error);
        return app_state_keep_trial(s) < 0 ? -EINVAL : 1;
}

static void trial_keep(Trial *t) {
        App *a = t->app;
        int r;

        r = app_update_state(a, edit_keep, t);
        if (r == -ESTALE)
                return trial_roll_back(t, "it was rolled back while on trial");
        if (r < 0)
                log_error_errno(r, "Failed to record that %s %s was kept: %m", a->name, t->version);

        /* Only after a success: a failed switch may still need what it would have removed. */
        r = stage_prune(a->dir_fd, a->config->keep, a->state->current_version, a->state->previous_version);
        if (r == -EBUSY)
                log_debug("Not removing old versions of %s while a version is being staged.", a->name);
        else if (r < 0)
                log_warning_errno(r, "Failed to remove old versions of %s, ignoring: %m", a->name);
        else if (r > 0)
                log_info("Removed %i old version(s) of %s (Keep=%u).", r, a->name, a->config->keep);

        app_journal(&(AppEvent) {
                        .message_id = t->old_version ? UPKEEP_MESSAGE_APPLIED : UPKEEP_MESSAGE_INSTALLED,
                        .priority = LOG_NOTICE,
                        .app = a->name,
                        .version = t->version,
                        .old_version = t->old_version,
                },
                "%s was updated from %s to %s, which passed its trial.", a->name,
                t->old_version ?: "nothing", t->version);
        trial_end(t, NULL, NULL);
}

static void on_health(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        _cleanup_free_ _unused_ char *reason_owned = reason;
        Trial *t = userdata;

        t->health = NULL;
        if (error < 0)
                return trial_roll_back(t, "health check %s failed: %s", t->app->config->health_check,
                                       strempty(reason));
        long status = result->status;
        http_result_done(result);
        if (app_trial_decide_health_status(status) != TRIAL_DECISION_KEEP)
                return trial_roll_back(t, "health check %s answered HTTP %ld", t->app->config->health_check, status);

        trial_keep(t);
}

static void on_health_command_done(TransientUnit *tu, const char *unit, const UnitOutcome *o, void *userdata) {
        _cleanup_free_ char *how = NULL;
        Trial *t = userdata;

        t->command = NULL;
        if (unit_outcome_succeeded(o))
                return trial_keep(t);

        (void) unit_outcome_describe(o, APP_HEALTH_CHECK_TIMEOUT, &how);
        trial_roll_back(t, "health check '%s' %s (%s)", strempty(t->app->config->health_check),
                        strempty(how), unit);
}

static int on_trial_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Trial *t = userdata;
        const char *check = t->app->config->health_check;
        int r;

        t->on_trial = false;
        if (app_trial_decide_trial_over(check) == TRIAL_DECISION_KEEP) {
                trial_keep(t);
                return 0;
        }

        if (!app_health_check_is_url(check)) {
                r = app_command_start(t->app, APP_COMMAND_HEALTH_CHECK, check, t->old_version, t->version,
                                      on_health_command_done, t, &t->command);
                if (r < 0)
                        trial_roll_back(t, "health check '%s' could not start: %s", check, strerror(-r));
                return 0;
        }

        r = http_get(t->app->manager->http, check,
                     &(HttpOptions) {
                             .output_fd = -EBADF,
                             .max_size = HEALTH_CHECK_MAX_SIZE,
                             .timeout = APP_HEALTH_CHECK_TIMEOUT,
                     },
                     on_health, t, &t->health);
        if (r < 0)
                trial_roll_back(t, "health check could not start: %s", strerror(-r));
        return 0;
}

static void trial_watch(Trial *t) {
        int r;

        t->on_trial = true;
        r = sd_event_add_time_relative(t->app->manager->event, &t->timer, CLOCK_MONOTONIC,
                                       t->app->config->trial_sec, USEC_PER_MSEC, on_trial_timer, t);
        if (r < 0)
                trial_roll_back(t, "cannot time the trial: %s", strerror(-r));
}

/* A trial taken over from an earlier upkeepd (killed or stopped during it): once the unit is neither
 * starting nor stopping, what state.json and the unit say decides how it goes on. */
static void trial_adopting_event(Trial *t, UnitWatch *w, UnitWatchEvent event) {
        App *a = t->app;
        int r;

        if (event == UNIT_WATCH_REFUSED) {
                /* The trial stays in state.json: upkeep-condition still guards the next start. */
                log_error("Cannot ask systemd about %s to take over the trial of %s %s: %s", t->unit, a->name,
                          t->version, w->error_message);
                return trial_end(t, BUS_ERROR_SWITCH_FAILED, w->error_message);
        }
        if (event != UNIT_WATCH_CHANGED || !app_trial_unit_settled(w->active_state))
                return;

        r = app_refresh_state(a);
        if (r < 0)
                log_warning_errno(r, "Failed to read the state of %s again, going on with what is known: %m", a->name);

        TrialDecision v = app_trial_decide_adopted(
                        w->active_state,
                        a->state->trial_version && app_version_same(a, a->state->trial_version, t->version),
                        a->state->trial_starts);
        if (v != TRIAL_DECISION_OVER)
                t->adopting = false;

        switch (v) {

        case TRIAL_DECISION_OVER:
                log_info("The trial of %s %s ended while upkeepd was away (current: %s).", a->name, t->version,
                         strempty(a->state->current_version));
                return trial_end(t, NULL, NULL);

        case TRIAL_DECISION_RESTART:
                log_info("%s %s was switched to but never started; restarting %s for its trial.", a->name,
                         t->version, t->unit);
                r = unit_watch_call(t->restart, "RestartUnit", "replace");
                if (r < 0)
                        trial_roll_back(t, "cannot ask systemd to restart %s: %s", t->unit, strerror(-r));
                return;

        case TRIAL_DECISION_ROLL_BACK:
                return trial_roll_back(t, "%s was '%s' when upkeepd took over its trial", t->unit, w->active_state);

        default:
                log_info("Taking over the trial of %s %s from an earlier upkeepd: watching %s.", a->name, t->version,
                         t->unit);
                return trial_watch(t);
        }
}

static void on_restart_event(UnitWatch *w, UnitWatchEvent event, void *userdata) {
        Trial *t = userdata;

        if (t->adopting)
                return trial_adopting_event(t, w, event);

        switch (event) {

        case UNIT_WATCH_REFUSED:
                return trial_roll_back(t, "systemd refused to restart %s: %s", t->unit, w->error_message);

        case UNIT_WATCH_JOB_REMOVED:
                if (app_trial_decide_restarted(w->job_result) == TRIAL_DECISION_ROLL_BACK)
                        return trial_roll_back(t, "systemd's restart of %s ended with '%s'", t->unit, w->job_result);
                return trial_watch(t);

        case UNIT_WATCH_CHANGED:
                if (app_trial_decide_changed(t->on_trial, w->active_state) == TRIAL_DECISION_ROLL_BACK) {
                        t->on_trial = false;
                        trial_roll_back(t, "%s entered state '%s' during its trial", t->unit, w->active_state);
                }
                return;
        }
}

void app_trial_start(App *a, Job *j, const char *version, const char *old_version, TransitionKind kind) {
        Trial *t;
        int r;

        t = trial_new(a, j, version, old_version, kind);
        if (!t) {
                log_oom();
                return app_switch_end(a, j, version, false, SD_BUS_ERROR_NO_MEMORY, "out of memory");
        }

        /* Watch before asking, so no signal is missed. */
        r = unit_watch_new(a->manager->bus, t->unit, on_restart_event, t, &t->restart);
        if (r >= 0)
                r = unit_watch_call(t->restart, "RestartUnit", "replace");
        if (r < 0)
                return trial_roll_back(t, "cannot ask systemd to restart %s: %s", t->unit, strerror(-r));
}

/* A trial left in state.json by an upkeepd that ended during it (killed, stopped, crashed): without
 * this, it would stay "on trial" for good, blocking every later switch, until some restart of the unit
 * made upkeep-condition roll back a version that had been fine all along. */
int app_adopt_trial(App *a) {
        const AppState *s = a->state;
        TransitionKind kind;
        Trial *t;
        Job *j;
        int r;

        if (a->job || a->removed || !s->trial_version)
                return 0;

        /* How the switch came about (its history entry), for the back-off should the version fail. */
        kind = s->n_history > 0 && streq_ptr(s->history[s->n_history - 1].to, s->trial_version) ?
                s->history[s->n_history - 1].kind : TRANSITION_MANUAL;

        r = job_new(a->manager, JOB_UPDATE, a, &j);
        if (r < 0)
                return r;
        t = trial_new(a, j, s->trial_version, s->previous_version, kind);
        if (!t) {
                job_fail(j, SD_BUS_ERROR_NO_MEMORY, "out of memory");
                return -ENOMEM;
        }
        t->adopting = true;

        r = unit_watch_new(a->manager->bus, t->unit, on_restart_event, t, &t->restart);
        if (r >= 0)
                r = unit_watch_refresh(t->restart);
        if (r < 0) {
                trial_end(t, BUS_ERROR_SWITCH_FAILED, "cannot watch the app's unit");
                return r;
        }
        return 1;
}
