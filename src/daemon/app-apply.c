/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "app-apply.h"
#include "app-command.h"
#include "app-dbus.h"
#include "app-journal.h"
#include "backoff.h"
#include "bus-error.h"
#include "log.h"
#include "manager.h"
#include "stage.h"
#include "strv.h"
#include "switch.h"
#include "unit-watch.h"
#include "version.h"

#define HEALTH_CHECK_MAX_SIZE (64U * 1024U)

/* One switch in progress: from the install hooks through the restart and the trial to kept or rolled
 * back. */
typedef struct Apply {
        Job *job;
        App *app;
        char *version;              /* switching to */
        char *old_version;          /* what ran before, NULL on a first install */
        TransitionKind kind;
        char **hooks;               /* InstallHook= as the update began (a reload may change the config) */
        size_t n_hooks_done;
        char unit[256];
        UnitWatch *restart;         /* the unit's restart job and its state */
        sd_event_source *trial_timer;
        HttpRequest *health;
        TransientUnit *command;     /* the install hook or health check command running */
        bool on_trial;              /* the unit came up; watching it for TrialSec= */
        bool backed_off;            /* a failed scheduled switch: the back-off was recorded */
        bool adopting;              /* a trial an earlier upkeepd began: finding out where it stands */
} Apply;

static Apply *apply_free(Apply *ap) {
        if (!ap)
                return NULL;
        unit_watch_free(ap->restart);
        sd_event_source_disable_unref(ap->trial_timer);
        if (ap->health)
                http_request_cancel(ap->health);
        transient_cancel(ap->command);
        strv_free(ap->hooks);
        free(ap->version);
        free(ap->old_version);
        free(ap);
        return NULL;
}

/* Ends the switch: error_name NULL when the new version was kept, else why it was not. */
static void apply_end(Apply *ap, const char *error_name, const char *message) {
        Job *j = ap->job;
        App *a = ap->app;

        if (ap->backed_off) {
                char ts[RFC3339_MAX], span[64];

                app_journal(&(AppEvent) {
                                .message_id = UPKEEP_MESSAGE_BACKING_OFF,
                                .priority = LOG_WARNING,
                                .app = a->name,
                                .version = ap->version,
                                .old_version = a->state->current_version,
                        },
                        "Scheduled update of %s to %s failed (%u in a row); the update timer tries again "
                        "not before %s (in %s), inside the update window.",
                        a->name, ap->version, a->state->backoff_failures,
                        format_timestamp_rfc3339(ts, sizeof ts, a->state->backoff_until),
                        format_timespan(span, sizeof span, backoff_delay(a->state->backoff_failures)));
        }

        apply_free(ap);
        app_emit_changed(a, "CurrentVersion", "PreviousVersion", "PendingVersion", "ScheduledFor",
                         "LastError", "Paused", "PauseReason", "History", "FailedAttempts", "BackoffUntil", NULL);
        if (error_name)
                job_fail(j, error_name, message);
        else
                job_finish(j, "done");
}

/* A failed switch, besides its LastError: a scheduled one counts towards the back-off, an operator's
 * one starts the count afresh (an operator stepped in). */
static int apply_failed_backoff(AppState *s, TransitionKind kind, bool *ret_backed_off) {
        if (kind == TRANSITION_SCHEDULED) {
                app_state_backoff_failed(s, now_realtime());
                *ret_backed_off = true;
        } else
                app_state_backoff_reset(s);
        return 1;
}

typedef struct FailEdit {
        const char *reason;
        TransitionKind kind;
        bool backed_off;
} FailEdit;

static int edit_failed(AppState *s, void *userdata) {
        FailEdit *e = userdata;

        if (free_and_strdup(&s->last_error, e->reason) < 0)
                return -ENOMEM;
        return apply_failed_backoff(s, e->kind, &e->backed_off);
}

/* Fails before anything was switched: the running version is untouched. reason becomes LastError and
 * the job's error message, error_name its error; message_id catalogues the journal entry (NULL: none). */
static void apply_fail_unswitched(Apply *ap, const char *message_id, const char *error_name, const char *reason) {
        FailEdit e = { .reason = reason, .kind = ap->kind };

        /* Saved with the rest of the state, in one atomic write. */
        if (app_update_state(ap->app, edit_failed, &e) > 0)
                ap->backed_off = e.backed_off;
        app_journal(&(AppEvent) {
                        .message_id = message_id,
                        .priority = LOG_ERR,
                        .app = ap->app->name,
                        .version = ap->version,
                        .old_version = ap->old_version,
                },
                "Switching %s to %s failed: %s", ap->app->name, ap->version, strempty(reason));
        apply_end(ap, error_name, reason);
}

static void apply_abort(Apply *ap, const char *format, ...) _printf_(2, 3);
static void apply_abort(Apply *ap, const char *format, ...) {
        _cleanup_free_ char *reason = NULL;
        va_list ap_list;

        va_start(ap_list, format);
        if (vasprintf(&reason, format, ap_list) < 0)
                reason = NULL;
        va_end(ap_list);

        apply_fail_unswitched(ap, NULL, BUS_ERROR_SWITCH_FAILED, reason);
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
        int r;

        /* upkeep-condition may have rolled back already, at the restart that followed a crash. */
        if (e->roll_back && s->trial_version && version_compare(s->trial_version, e->version) == 0) {
                r = app_rollback_at(e->dir_fd, s, e->reason, now_realtime());
                if (r < 0)
                        return r;
                e->done = true;
        }

        if (free_and_strdup(&s->last_error, e->reason) < 0)
                return -ENOMEM;
        return apply_failed_backoff(s, e->kind, &e->backed_off);
}

/* The new version failed its trial: back to the old one, unless that happened already. */
static void apply_roll_back(Apply *ap, const char *format, ...) _printf_(2, 3);
static void apply_roll_back(Apply *ap, const char *format, ...) {
        _cleanup_free_ char *what = NULL, *reason = NULL;
        va_list ap_list;
        int r;

        va_start(ap_list, format);
        if (vasprintf(&what, format, ap_list) < 0)
                what = NULL;
        va_end(ap_list);

        if (asprintf(&reason, "version %s failed its trial (%s); rolled back to %s",
                     ap->version, strempty(what), ap->old_version ?: "nothing") < 0)
                reason = NULL;

        RollbackEdit e = {
                .version = ap->version,
                .reason = reason,
                .kind = ap->kind,
                .dir_fd = ap->app->dir_fd,
                .roll_back = ap->old_version != NULL,
        };
        if (!ap->old_version)
                log_warning("%s %s failed its trial and there is no earlier version to go back to.",
                            ap->app->name, ap->version);
        r = app_update_state(ap->app, edit_rollback, &e);
        if (r < 0)
                log_error_errno(r, "Failed to roll back %s: %m", ap->app->name);
        else
                ap->backed_off = e.backed_off;

        if (e.done) {
                /* Fire and forget: the old version was running minutes ago; if it does not come
                 * back, systemd's unit state says so to anyone looking. */
                r = systemd_unit_call_async(ap->app->manager->bus, "RestartUnit", ap->unit, "replace");
                if (r < 0)
                        log_error_errno(r, "Failed to restart %s after rolling back: %m", ap->unit);
        }

        app_journal(&(AppEvent) {
                        .message_id = UPKEEP_MESSAGE_ROLLED_BACK,
                        .priority = LOG_WARNING,
                        .app = ap->app->name,
                        .version = ap->old_version,
                        .old_version = ap->version,
                },
                "%s: %s.", ap->app->name, strempty(reason));
        apply_end(ap, BUS_ERROR_ROLLED_BACK, reason);
}

static int edit_keep(AppState *s, void *userdata) {
        Apply *ap = userdata;

        if (!s->trial_version || version_compare(s->trial_version, ap->version) != 0)
                return -ESTALE;  /* rolled back under our feet */
        s->last_error = mfree(s->last_error);
        return app_state_keep_trial(s) < 0 ? -EINVAL : 1;
}

static void apply_keep(Apply *ap) {
        int r;

        r = app_update_state(ap->app, edit_keep, ap);
        if (r == -ESTALE)
                return apply_roll_back(ap, "it was rolled back while on trial");
        if (r < 0)
                log_error_errno(r, "Failed to record that %s %s was kept: %m", ap->app->name, ap->version);

        /* Only after a success: a failed switch may still need what it would have removed. */
        r = stage_prune(ap->app->dir_fd, ap->app->config->keep, ap->app->state->current_version,
                        ap->app->state->previous_version);
        if (r < 0)
                log_warning_errno(r, "Failed to remove old versions of %s, ignoring: %m", ap->app->name);
        else if (r > 0)
                log_info("Removed %i old version(s) of %s (Keep=%u).", r, ap->app->name, ap->app->config->keep);

        app_journal(&(AppEvent) {
                        .message_id = ap->old_version ? UPKEEP_MESSAGE_APPLIED : UPKEEP_MESSAGE_INSTALLED,
                        .priority = LOG_NOTICE,
                        .app = ap->app->name,
                        .version = ap->version,
                        .old_version = ap->old_version,
                },
                "%s was updated from %s to %s, which passed its trial.", ap->app->name,
                ap->old_version ?: "nothing", ap->version);
        apply_end(ap, NULL, NULL);
}

static void on_health(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        _cleanup_free_ _unused_ char *reason_owned = reason;
        Apply *ap = userdata;

        ap->health = NULL;
        if (error < 0)
                return apply_roll_back(ap, "health check %s failed: %s", ap->app->config->health_check,
                                       strempty(reason));
        long status = result->status;
        http_result_done(result);
        if (status < 200 || status > 299)
                return apply_roll_back(ap, "health check %s answered HTTP %ld", ap->app->config->health_check, status);

        apply_keep(ap);
}

static void on_health_command_done(TransientUnit *t, const char *unit, const UnitOutcome *o, void *userdata) {
        _cleanup_free_ char *how = NULL;
        Apply *ap = userdata;

        ap->command = NULL;
        if (unit_outcome_succeeded(o))
                return apply_keep(ap);

        (void) unit_outcome_describe(o, APP_HEALTH_CHECK_TIMEOUT, &how);
        apply_roll_back(ap, "health check '%s' %s (%s)", strempty(ap->app->config->health_check),
                        strempty(how), unit);
}

static int on_trial_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Apply *ap = userdata;
        const char *check = ap->app->config->health_check;
        int r;

        ap->on_trial = false;
        if (isempty(check)) {
                apply_keep(ap);
                return 0;
        }

        if (!app_health_check_is_url(check)) {
                r = app_command_start(ap->app, APP_COMMAND_HEALTH_CHECK, check, ap->old_version, ap->version,
                                      on_health_command_done, ap, &ap->command);
                if (r < 0)
                        apply_roll_back(ap, "health check '%s' could not start: %s", check, strerror(-r));
                return 0;
        }

        r = http_get(ap->app->manager->http, check,
                     &(HttpOptions) {
                             .output_fd = -EBADF,
                             .max_size = HEALTH_CHECK_MAX_SIZE,
                             .timeout = APP_HEALTH_CHECK_TIMEOUT,
                     },
                     on_health, ap, &ap->health);
        if (r < 0)
                apply_roll_back(ap, "health check could not start: %s", strerror(-r));
        return 0;
}

static int apply_start_trial_timer(Apply *ap) {
        ap->on_trial = true;
        return sd_event_add_time_relative(ap->app->manager->event, &ap->trial_timer, CLOCK_MONOTONIC,
                                          ap->app->config->trial_sec, USEC_PER_MSEC, on_trial_timer, ap);
}

/* A trial taken over from an earlier upkeepd (killed or stopped during it): once the unit is neither
 * starting nor stopping, what state.json and the unit say decides how it goes on. */
static void apply_adopting_event(Apply *ap, UnitWatch *w, UnitWatchEvent event) {
        App *a = ap->app;
        int r;

        if (event == UNIT_WATCH_REFUSED) {
                /* The trial stays in state.json: upkeep-condition still guards the next start. */
                log_error("Cannot ask systemd about %s to take over the trial of %s %s: %s", ap->unit, a->name,
                          ap->version, w->error_message);
                return apply_end(ap, BUS_ERROR_SWITCH_FAILED, w->error_message);
        }
        if (event != UNIT_WATCH_CHANGED || !w->active_state ||
            IN_SET_STR(w->active_state, "activating", "deactivating"))
                return;  /* a start or stop is under way: wait for where it ends */

        r = app_refresh_state(a);
        if (r < 0)
                log_warning_errno(r, "Failed to read the state of %s again, going on with what is known: %m", a->name);

        if (!a->state->trial_version || !app_version_same(a, a->state->trial_version, ap->version)) {
                log_info("The trial of %s %s ended while upkeepd was away (current: %s).", a->name, ap->version,
                         strempty(a->state->current_version));
                return apply_end(ap, NULL, NULL);
        }

        ap->adopting = false;
        if (a->state->trial_starts == 0) {
                /* upkeep-condition counted no start: the daemon died between the switch and its restart,
                 * and the unit still runs (or would start) the old version's process. */
                log_info("%s %s was switched to but never started; restarting %s for its trial.", a->name,
                         ap->version, ap->unit);
                r = unit_watch_call(ap->restart, "RestartUnit", "replace");
                if (r < 0)
                        apply_roll_back(ap, "cannot ask systemd to restart %s: %s", ap->unit, strerror(-r));
                return;
        }

        if (unit_watch_is_down(w))
                return apply_roll_back(ap, "%s was '%s' when upkeepd took over its trial", ap->unit, w->active_state);

        /* It has run since its first start; whether it stays up is watched for a whole TrialSec= from
         * now, as the daemon cannot tell how long it was watched before. */
        log_info("Taking over the trial of %s %s from an earlier upkeepd: watching %s.", a->name, ap->version,
                 ap->unit);
        r = apply_start_trial_timer(ap);
        if (r < 0)
                apply_roll_back(ap, "cannot time the trial: %s", strerror(-r));
}

static void on_restart_event(UnitWatch *w, UnitWatchEvent event, void *userdata) {
        Apply *ap = userdata;
        int r;

        if (ap->adopting)
                return apply_adopting_event(ap, w, event);

        switch (event) {

        case UNIT_WATCH_REFUSED:
                return apply_roll_back(ap, "systemd refused to restart %s: %s", ap->unit, w->error_message);

        case UNIT_WATCH_JOB_REMOVED:
                if (!streq(w->job_result, "done"))
                        return apply_roll_back(ap, "systemd's restart of %s ended with '%s'", ap->unit, w->job_result);

                /* Up (for Type=notify: READY=1 was sent, or systemd would not call the job done). */
                r = apply_start_trial_timer(ap);
                if (r < 0)
                        apply_roll_back(ap, "cannot time the trial: %s", strerror(-r));
                return;

        case UNIT_WATCH_CHANGED:
                /* During the trial, anything but active means the new version went down. */
                if (ap->on_trial && w->active_state && !IN_SET_STR(w->active_state, "active", "reloading")) {
                        ap->on_trial = false;
                        apply_roll_back(ap, "%s entered state '%s' during its trial", ap->unit, w->active_state);
                }
                return;
        }
}

typedef struct BeginEdit {
        const char *version;
        TransitionKind kind;
        int dir_fd;
        char *old_version;
} BeginEdit;

/* The switch itself, under the lock: previous first, then current, each link replaced atomically, so
 * a crash between them leaves current at the old, complete version. */
static int edit_begin(AppState *s, void *userdata) {
        BeginEdit *e = userdata;
        int r;

        if (s->trial_version)
                return -EBUSY;

        if (s->current_version) {
                e->old_version = strdup(s->current_version);
                if (!e->old_version)
                        return -ENOMEM;
                r = switch_link_at(e->dir_fd, APP_PREVIOUS_LINK, s->current_version);
                if (r < 0)
                        return r;
        }

        r = app_state_begin_trial(s, e->version, e->kind, now_realtime());
        if (r < 0)
                return r;

        r = switch_link_at(e->dir_fd, APP_CURRENT_LINK, e->version);
        if (r < 0)
                return r;
        return 1;
}

/* The switch itself, once the hooks passed: links swapped, then the unit restarted and watched. */
static void apply_switch(Apply *ap) {
        App *a = ap->app;
        int r;

        BeginEdit e = { .version = ap->version, .kind = ap->kind, .dir_fd = a->dir_fd };
        r = app_update_state(a, edit_begin, &e);
        free(ap->old_version);
        ap->old_version = TAKE_PTR(e.old_version);
        if (r == -EBUSY)
                return apply_abort(ap, "a trial of %s is still running", strempty(a->state->trial_version));
        if (r < 0)
                return apply_abort(ap, "cannot switch to %s: %s", ap->version, strerror(-r));
        app_emit_changed(a, "CurrentVersion", "PreviousVersion", "PendingVersion", "ScheduledFor", "History",
                         "FailedAttempts", "BackoffUntil", NULL);

        app_journal(&(AppEvent) {
                        .priority = LOG_INFO,
                        .app = a->name,
                        .version = ap->version,
                        .old_version = ap->old_version,
                },
                "Switched %s from %s to %s; restarting %s.", a->name, ap->old_version ?: "nothing", ap->version,
                ap->unit);

        /* Watch before asking, so no signal is missed. */
        r = unit_watch_new(a->manager->bus, ap->unit, on_restart_event, ap, &ap->restart);
        if (r >= 0)
                r = unit_watch_call(ap->restart, "RestartUnit", "replace");
        if (r < 0)
                return apply_roll_back(ap, "cannot ask systemd to restart %s: %s", ap->unit, strerror(-r));
}

/* While hooks run nothing is switched yet: a cancelled job stops the hook and leaves all as it was. */
static void apply_cancel(Job *j) {
        Apply *ap = j->userdata;

        log_info("Update of %s to %s cancelled during its install hooks; nothing was switched.",
                 ap->app->name, ap->version);
        apply_free(ap);
        job_finish(j, "canceled");
}

static void apply_hook_failed(Apply *ap, const char *unit, const char *how) {
        _cleanup_free_ char *reason = NULL;
        size_t n = strv_length(ap->hooks);

        if (asprintf(&reason, "install hook %zu of %zu, '%s', %s%s%s%s; nothing was switched",
                     ap->n_hooks_done + 1, n, ap->hooks[ap->n_hooks_done], how,
                     unit ? " (" : "", strempty(unit), unit ? ")" : "") < 0)
                reason = NULL;
        apply_fail_unswitched(ap, UPKEEP_MESSAGE_HOOK_FAILED, BUS_ERROR_INSTALL_HOOK_FAILED,
                              reason ?: "an install hook failed; nothing was switched");
}

static void apply_run_hooks(Apply *ap);

static void on_hook_done(TransientUnit *t, const char *unit, const UnitOutcome *o, void *userdata) {
        _cleanup_free_ char *how = NULL;
        Apply *ap = userdata;

        ap->command = NULL;
        if (!unit_outcome_succeeded(o)) {
                (void) unit_outcome_describe(o, APP_INSTALL_HOOK_TIMEOUT, &how);
                return apply_hook_failed(ap, unit, how ?: "failed");
        }

        log_info("Install hook %zu of %zu of %s %s succeeded (%s).", ap->n_hooks_done + 1,
                 strv_length(ap->hooks), ap->app->name, ap->version, unit);
        ap->n_hooks_done++;
        apply_run_hooks(ap);
}

/* Runs the next install hook, or switches when they all passed. */
static void apply_run_hooks(Apply *ap) {
        int r;

        if (!ap->hooks || !ap->hooks[ap->n_hooks_done]) {
                ap->job->cancel = NULL;  /* a switch is not stopped half way */
                return apply_switch(ap);
        }

        ap->job->cancel = apply_cancel;
        r = app_command_start(ap->app, APP_COMMAND_INSTALL_HOOK, ap->hooks[ap->n_hooks_done], ap->old_version,
                              ap->version, on_hook_done, ap, &ap->command);
        if (r < 0) {
                char how[128];

                (void) snprintf(how, sizeof how, "could not be started: %s", strerror(-r));
                apply_hook_failed(ap, NULL, how);
        }
}

/* The switch of a to version, carried out by job j (which owns it from here on). */
static Apply *apply_new(App *a, Job *j, const char *version, TransitionKind kind) {
        Apply *ap;

        ap = calloc(1, sizeof(Apply));
        if (!ap || !(ap->version = strdup(version))) {
                free(ap);
                return NULL;
        }
        ap->job = j;
        ap->app = a;
        ap->kind = kind;
        j->userdata = ap;
        (void) app_unit_name(a, ap->unit, sizeof ap->unit);
        return ap;
}

void app_apply(App *a, Job *j, const char *version, TransitionKind kind) {
        Apply *ap;

        ap = apply_new(a, j, version, kind);
        if (!ap) {
                log_oom();
                return job_fail(j, SD_BUS_ERROR_NO_MEMORY, "out of memory");
        }

        /* Checked again when switching; checked now so that no hook runs for a switch that cannot be. */
        if (a->state->trial_version)
                return apply_abort(ap, "a trial of %s is still running", a->state->trial_version);

        for (char **h = a->config->install_hooks; h && *h; h++)
                if (strv_extend(&ap->hooks, *h) < 0) {
                        log_oom();
                        return apply_end(ap, SD_BUS_ERROR_NO_MEMORY, "out of memory");
                }
        if (a->state->current_version && !(ap->old_version = strdup(a->state->current_version))) {
                log_oom();
                return apply_end(ap, SD_BUS_ERROR_NO_MEMORY, "out of memory");
        }

        apply_run_hooks(ap);
}

/* A trial left in state.json by an upkeepd that ended during it (killed, stopped, crashed): without
 * this, it would stay "on trial" for good, blocking every later switch, until some restart of the unit
 * made upkeep-condition roll back a version that had been fine all along. */
static int app_adopt_trial(App *a) {
        const AppState *s = a->state;
        TransitionKind kind;
        Apply *ap;
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
        ap = apply_new(a, j, s->trial_version, kind);
        if (!ap) {
                job_fail(j, SD_BUS_ERROR_NO_MEMORY, "out of memory");
                return -ENOMEM;
        }
        ap->adopting = true;
        if (s->previous_version && !(ap->old_version = strdup(s->previous_version))) {
                apply_end(ap, SD_BUS_ERROR_NO_MEMORY, "out of memory");
                return -ENOMEM;
        }

        r = unit_watch_new(a->manager->bus, ap->unit, on_restart_event, ap, &ap->restart);
        if (r >= 0)
                r = unit_watch_refresh(ap->restart);
        if (r < 0) {
                apply_end(ap, BUS_ERROR_SWITCH_FAILED, "cannot watch the app's unit");
                return r;
        }
        return 1;
}

void manager_adopt_trials(Manager *m) {
        for (size_t i = 0; i < m->n_apps; i++) {
                int r = app_adopt_trial(m->apps[i]);
                if (r < 0)
                        log_error_errno(r, "Failed to take over the trial of %s %s: %m", m->apps[i]->name,
                                        strempty(m->apps[i]->state->trial_version));
        }
}

int manager_subscribe_systemd(Manager *m) {
        return sd_bus_call_method_async(m->bus, NULL, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                        "Subscribe", NULL, NULL, "");
}

int app_start_apply_pending(App *a, TransitionKind kind, char **ret_job_path) {
        _cleanup_free_ char *path = NULL, *version = NULL;
        Job *j;
        int r;

        if (!a->state->pending_version || !stage_exists(a->dir_fd, a->state->pending_version))
                return -ENOENT;
        version = strdup(a->state->pending_version);
        if (!version)
                return -ENOMEM;

        r = job_new(a->manager, JOB_UPDATE, a, &j);
        if (r < 0)
                return r;
        /* The job may end before this returns (e.g. nothing could be switched). */
        path = strdup(j->object_path);
        if (!path) {
                job_fail(j, SD_BUS_ERROR_NO_MEMORY, "out of memory");
                return -ENOMEM;
        }

        app_apply(a, j, version, kind);
        *ret_job_path = TAKE_PTR(path);
        return 0;
}

static int edit_manual_rollback(AppState *s, void *userdata) {
        App *a = userdata;
        int r;

        if (!s->previous_version || !s->current_version ||
            app_version_same(a, s->previous_version, s->current_version))
                return -ENOENT;
        r = app_rollback_at(a->dir_fd, s, "rolled back by an operator", now_realtime());
        return r < 0 ? r : 1;
}

int app_start_rollback(App *a, char **ret_job_path) {
        _cleanup_free_ char *path = NULL, *bad = NULL;
        char unit[256];
        Job *j;
        int r;

        bad = a->state->current_version ? strdup(a->state->current_version) : NULL;
        r = job_new(a->manager, JOB_ROLLBACK, a, &j);
        if (r < 0)
                return r;
        path = strdup(j->object_path);

        r = app_update_state(a, edit_manual_rollback, a);
        if (r < 0 || !path) {
                job_fail(j, NULL, NULL);
                return r < 0 ? r : -ENOMEM;
        }

        r = systemd_unit_call_async(a->manager->bus, "RestartUnit", app_unit_name(a, unit, sizeof unit), "replace");
        if (r < 0)
                log_warning_errno(r, "Failed to restart %s after rolling back, ignoring: %m", unit);

        app_journal(&(AppEvent) {
                        .message_id = UPKEEP_MESSAGE_ROLLED_BACK,
                        .priority = LOG_NOTICE,
                        .app = a->name,
                        .version = a->state->current_version,
                        .old_version = bad,
                },
                "%s rolled back by an operator from %s to %s.", a->name, strempty(bad), a->state->current_version);
        app_emit_changed(a, "CurrentVersion", "Paused", "PauseReason", "History", NULL);
        job_finish(j, "done");

        *ret_job_path = TAKE_PTR(path);
        return 0;
}
