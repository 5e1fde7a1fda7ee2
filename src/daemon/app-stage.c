/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stage() as a job. The call returns the job's path at once; the unpacking runs on a worker thread
 * (worker.h), so the loop goes on answering the bus, and its result comes in JobRemoved. The work
 * (stage_work_run(), also used by checks and updates to stage what they downloaded) reads only what
 * it is given — a descriptor, the app's directory, the version and the type — and touches neither
 * the App nor the bus; what it found is recorded on the loop (stage_local_done()). Cancel() sets the work's cancel flag: it stops within an entry or a block
 * and removes its temporary directory, and the job ends as canceled. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "app-journal.h"
#include "app-stage.h"
#include "app.h"
#include "bus-error.h"
#include "job.h"
#include "log.h"
#include "manager.h"
#include "time-util.h"
#include "worker.h"

typedef struct StageLocal {
        App *app;
        Job *job;
        Worker *worker;

        int fd;                  /* the operator's file: our own duplicate */
        StageWork work;          /* the worker's own while it runs */
        int result;              /* stage_artifact()'s: 0 or 1 staged, < 0 failed */
} StageLocal;

static StageLocal *stage_local_free(StageLocal *s) {
        if (!s)
                return NULL;
        /* First: the work uses what follows until its thread has ended. */
        worker_free(s->worker);
        stage_work_done(&s->work);
        if (s->fd >= 0)
                (void) close(s->fd);
        free(s);
        return NULL;
}

static void stage_local_freep(StageLocal **s) {
        stage_local_free(*s);
}

static int edit_stage(AppState *s, void *userdata) {
        const char *version = userdata;
        int r;

        r = free_and_strdup(&s->pending_version, version);
        if (r < 0)
                return r;
        /* Due at once, as after an operator's Update(): "upkeepctl apply" or the update timer takes it. */
        s->due_at = now_realtime();
        s->last_error = mfree(s->last_error);
        return 1;
}

static int edit_last_error(AppState *s, void *userdata) {
        return free_and_strdup(&s->last_error, userdata) < 0 ? -ENOMEM : 1;
}

static void stage_local_fail(StageLocal *s, const char *error_name, const char *message) {
        App *a = s->app;

        if (app_update_state(a, edit_last_error, (void *) message) > 0)
                app_emit_changed(a, "LastError", NULL);
        job_fail(s->job, error_name, message);
}

/* Back on the loop: records what the work found, and ends the job. */
static void stage_local_done(StageLocal *s) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *message = NULL;
        App *a = s->app;
        int r;

        s->job->cancel = NULL;
        s->job->abandon = NULL;
        s->job->userdata = NULL;

        /* Canceled: the work removed what it had built. A cancel that came too late to stop the
         * work leaves the version staged, and the job done, as it is. */
        if (s->result == -ECANCELED)
                return job_finish(s->job, "canceled");

        if (IN_SET(s->result, -EBADMSG, -EFBIG)) {
                app_journal(&(AppEvent) {
                                .message_id = UPKEEP_MESSAGE_VERIFICATION_FAILED,
                                .priority = LOG_ERR,
                                .app = a->name,
                                .version = s->work.version,
                        },
                        "Local file for %s %s refused: %s", a->name, s->work.version, strempty(s->work.reason));
                if (asprintf(&message, "Archive refused: %s", s->work.reason ?: "it is not a safe archive") < 0)
                        message = NULL;
                return stage_local_fail(s, s->result == -EFBIG ? BUS_ERROR_RELEASE_TOO_LARGE : BUS_ERROR_UNSAFE_RELEASE,
                                        message ?: "Archive refused");
        }
        if (s->result < 0) {
                (void) sd_bus_error_set_errnof(&e, s->result, "Failed to stage %s %s: %m", a->name, s->work.version);
                log_error("%s", e.message);
                return stage_local_fail(s, e.name, e.message);
        }

        /* result 0: versions/VERSION existed already and was left as it was; it becomes pending all
         * the same. */
        r = app_update_state(a, edit_stage, s->work.version);
        if (r < 0) {
                (void) sd_bus_error_set_errnof(&e, r, "Failed to save the state of %s: %m", a->name);
                return job_fail(s->job, e.name, e.message);
        }

        app_journal(&(AppEvent) {
                        .message_id = UPKEEP_MESSAGE_STAGED,
                        .priority = LOG_INFO,
                        .app = a->name,
                        .version = s->work.version,
                        .old_version = a->state->current_version,
                },
                "%s %s staged from a local file supplied by an operator, ready to apply.", a->name, s->work.version);
        app_emit_changed(a, "PendingVersion", "ScheduledFor", "LastError", NULL);
        job_set_progress(s->job, 100);
        job_finish(s->job, "done");
}

static void on_stage_done(Worker *w, int result, void *userdata) {
        _cleanup_(stage_local_freep) StageLocal *s = userdata;

        s->result = result;
        stage_local_done(s);
}

/* The job ends when the work has stopped, in on_stage_done(). */
static void stage_local_cancel(Job *j) {
        StageLocal *s = j->userdata;

        worker_cancel(s->worker);
}

/* The daemon exits while the work runs: stop it and wait for its thread (one entry or block), so
 * that nothing runs on while the process tears down. Its temporary directory is removed by the
 * work as it gives up. */
static void stage_local_abandon(Job *j) {
        StageLocal *s = j->userdata;

        j->userdata = NULL;
        stage_local_free(s);
}

int stage_work_init(StageWork *w, App *a, int fd, const char *version, ArtifactType type) {
        stage_work_done(w);
        w->fd = fd;
        w->type = type;
        w->version = strdup(version);
        w->binary_name = strdup(a->name);
        if (!w->version || !w->binary_name)
                return -ENOMEM;
        w->dir_fd = fcntl(a->dir_fd, F_DUPFD_CLOEXEC, 3);
        if (w->dir_fd < 0)
                return -errno;
        return 0;
}

void stage_work_done(StageWork *w) {
        if (w->dir_fd >= 0)
                (void) close(w->dir_fd);
        free(w->version);
        free(w->binary_name);
        free(w->reason);
        *w = STAGE_WORK_NULL;
}

/* On the worker's thread. */
static int stage_work_run(void *work_data, const CancelFlag *cancel) {
        StageWork *w = work_data;

        return stage_artifact(w->dir_fd, w->version, w->type, w->fd, w->binary_name, cancel, &w->reason);
}

int stage_work_start(StageWork *w, sd_event *event, worker_done_t done, void *userdata, Worker **ret) {
        return worker_start(event, "upkeepd-stage", stage_work_run, w, done, userdata, ret);
}

int app_start_stage(App *a, int fd, const char *version, ArtifactType type, Job **ret) {
        _cleanup_(stage_local_freep) StageLocal *s = NULL;
        Job *j;
        int r;

        s = calloc(1, sizeof(StageLocal));
        if (!s)
                return -ENOMEM;
        s->app = a;
        s->work = STAGE_WORK_NULL;
        s->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (s->fd < 0)
                return -errno;
        r = stage_work_init(&s->work, a, s->fd, version, type);
        if (r < 0)
                return r;

        r = job_new(a->manager, JOB_STAGE, a, &j);
        if (r < 0)
                return r;
        s->job = j;

        /* Its result is delivered on the loop, so never before the method has returned the job's
         * path. */
        r = stage_work_start(&s->work, a->manager->event, on_stage_done, s, &s->worker);
        if (r < 0) {
                job_fail(j, NULL, NULL);
                return r;
        }

        j->userdata = s;
        j->cancel = stage_local_cancel;
        j->abandon = stage_local_abandon;
        TAKE_PTR(s);

        *ret = j;
        return 0;
}
