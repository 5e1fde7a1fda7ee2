/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "app-apply.h"
#include "app-command.h"
#include "app-journal.h"
#include "app-trial.h"
#include "app.h"
#include "bus-error.h"
#include "job.h"
#include "log.h"
#include "manager.h"
#include "stage.h"
#include "strv.h"
#include "switch.h"
#include "unit-watch.h"

/* One switch in progress: the install hooks, then the switch of the links, after which the trial
 * (app-trial.c) takes the job over. */
typedef struct Apply {
        Job *job;
        App *app;
        char *version;              /* switching to */
        char *old_version;          /* what ran before, NULL on a first install */
        TransitionKind kind;
        char **hooks;               /* InstallHook= as the update began (a reload may change the config) */
        size_t n_hooks_done;
        TransientUnit *command;     /* the install hook running */
        bool backed_off;            /* a failed scheduled switch: the back-off was recorded */
} Apply;

static Apply *apply_free(Apply *ap) {
        if (!ap)
                return NULL;
        transient_cancel(ap->command);
        strv_free(ap->hooks);
        free(ap->version);
        free(ap->old_version);
        free(ap);
        return NULL;
}

/* Ends the switch before anything was switched: error_name NULL when there was nothing to do, else why. */
static void apply_end(Apply *ap, const char *error_name, const char *message) {
        app_switch_end(ap->app, ap->job, ap->version, ap->backed_off, error_name, message);
        apply_free(ap);
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
        app_switch_record_failure(s, e->kind, now_realtime(), &e->backed_off);
        return 1;
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
        char unit[256];
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
                app_unit_name(a, unit, sizeof unit));

        /* The trial takes the job over. */
        app_trial_start(a, ap->job, ap->version, ap->old_version, ap->kind);
        apply_free(ap);
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
