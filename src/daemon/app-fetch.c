/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <syslog.h>
#include <systemd/sd-bus.h>

#include "app-apply.h"
#include "app-fetch.h"
#include "app-journal.h"
#include "app.h"
#include "bus-error.h"
#include "job.h"
#include "release-source.h"

/* The fields a check owns, copied from memory onto what is on disk. */
static int edit_check_fields(AppState *s, void *userdata) {
        const AppState *m = userdata;

        if (free_and_strdup(&s->available_version, m->available_version) < 0 ||
            free_and_strdup(&s->pending_version, m->pending_version) < 0 ||
            free_and_strdup(&s->last_error, m->last_error) < 0 ||
            free_and_strdup(&s->channel_digest, m->channel_digest) < 0 ||
            free_and_strdup(&s->channel_etag, m->channel_etag) < 0 ||
            free_and_strdup(&s->gobuild_key, m->gobuild_key) < 0 ||
            free_and_strdup(&s->tlog_root, m->tlog_root) < 0)
                return -ENOMEM;
        s->discovered_at = m->discovered_at;
        s->due_at = m->due_at;
        s->last_check = m->last_check;
        s->channel_serial = m->channel_serial;
        s->channel_last_modified = m->channel_last_modified;
        s->tlog_size = m->tlog_size;
        s->tlog_forks = m->tlog_forks;
        return 1;
}

/* Saves the fields a check owns onto what is on disk (app_update_state(): everything else, such as
 * a trial, upkeep-condition may have changed meanwhile), and emits PropertiesChanged. */
static void app_fetch_save_state(App *a) {
        /* Logged; the in-memory state stays right for the bus. */
        (void) app_update_state(a, edit_check_fields, a->state);
        app_emit_changed(a, "AvailableVersion", "PendingVersion", "ScheduledFor", "LastCheck", "LastError", NULL);
}

/* newest becomes AvailableVersion, and when it is newer than what runs and was not the available
 * version yet, it is journalled as found, and Delay= counts from now. */
static void app_fetch_found(App *a, const char *newest) {
        AppState *s = a->state;

        if (!newest || streq_ptr(s->available_version, newest))
                return;

        (void) free_and_strdup(&s->available_version, newest);
        if (s->current_version && app_version_compare(a, newest, s->current_version) <= 0)
                return;

        s->discovered_at = now_realtime();
        app_journal(&(AppEvent) {
                        .message_id = UPKEEP_MESSAGE_UPDATE_FOUND,
                        .priority = LOG_INFO,
                        .app = a->name,
                        .version = newest,
                        .old_version = s->current_version,
                },
                "%s %s is available (running: %s).", a->name, newest, s->current_version ?: "none");
}

/* LastError and LastCheck set, journalled (a refusal, as bus-error.h names them, as a failed
 * verification), saved, and the job ended as failed; -ECANCELED ends it as canceled, recording
 * nothing. */
static void app_fetch_failed(App *a, Job *j, int error, const char *error_name, const char *version,
                             const char *reason) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        bool refusal = bus_error_is_refusal(error_name);

        if (error == -ECANCELED)
                return job_finish(j, "canceled");

        (void) free_and_strdup(&a->state->last_error, reason ?: "out of memory");
        a->state->last_check = now_realtime();
        app_journal(&(AppEvent) {
                        .message_id = refusal ? UPKEEP_MESSAGE_VERIFICATION_FAILED : NULL,
                        .priority = refusal ? LOG_ERR : LOG_WARNING,
                        .app = a->name,
                        .version = version,
                },
                "%s of %s failed: %s", job_type_to_string(j->type), a->name, strempty(reason));
        app_fetch_save_state(a);

        if (!error_name) {
                (void) sd_bus_error_set_errno(&e, error);
                error_name = e.name;
        }
        job_fail(j, error_name, reason);
}

/* version becomes PendingVersion, due at once for an operator's Update() and once Delay= has passed
 * after discovery otherwise (automatic). Journalled and saved. An Update() job goes on to switch over
 * (app_apply()); a Check() job ends. */
static void app_fetch_staged(App *a, Job *j, bool automatic, const char *version) {
        _cleanup_free_ char *v = strdup(version);
        AppState *s = a->state;
        usec_t now = now_realtime();

        if (!v)
                return job_fail(j, SD_BUS_ERROR_NO_MEMORY, "out of memory");

        (void) free_and_strdup(&s->pending_version, v);
        /* An operator's Update() is due at once; a found update waits out Delay= after discovery. */
        s->due_at = automatic ? MAX(s->discovered_at + a->config->delay, now) : now;
        s->last_error = mfree(s->last_error);
        s->last_check = now;

        app_journal(&(AppEvent) {
                        .message_id = UPKEEP_MESSAGE_STAGED,
                        .priority = LOG_INFO,
                        .app = a->name,
                        .version = v,
                        .old_version = s->current_version,
                },
                "%s %s staged, verified and ready to apply.", a->name, v);
        app_fetch_save_state(a);

        /* An operator's Update() goes on to switch over; a Check() leaves that to the timer. The
         * fetch is over: its cancel hook and data are the caller's to free. */
        j->cancel = NULL;
        j->userdata = NULL;
        if (j->type == JOB_UPDATE)
                return app_apply(a, j, v, TRANSITION_MANUAL);

        job_set_progress(j, 100);
        job_finish(j, "done");
}

static const ReleaseSourceEvents fetch_events = {
        .found = app_fetch_found,
        .checked = app_fetch_save_state,
        .failed = app_fetch_failed,
        .staged = app_fetch_staged,
};

/* In the order they are asked whether Source= is theirs. */
static const ReleaseSource *const release_sources[] = {
        &release_source_channel,
        &release_source_go,
};

static int app_start_fetch(App *a, bool update, bool automatic, const char *want, Job **ret) {
        for (size_t i = 0; i < ELEMENTSOF(release_sources); i++)
                if (release_sources[i]->handles(a))
                        return release_sources[i]->start(a, update, automatic, want, &fetch_events, ret);
        return -EOPNOTSUPP;
}

int app_start_check(App *a, Job **ret) {
        return app_start_fetch(a, /* update= */ false, /* automatic= */ true, NULL, ret);
}

int app_start_update(App *a, const char *version, Job **ret) {
        return app_start_fetch(a, /* update= */ true, /* automatic= */ false, version, ret);
}
