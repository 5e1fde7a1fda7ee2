/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "app.h"
#include "bus-names.h"
#include "job-dbus.h"
#include "job.h"
#include "log.h"
#include "manager-dbus.h"
#include "manager.h"
#include "string-table.h"

static const char *const job_type_table[_JOB_TYPE_MAX] = {
        [JOB_CHECK]    = "check",
        [JOB_UPDATE]   = "update",
        [JOB_ROLLBACK] = "rollback",
        [JOB_STAGE]    = "stage",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(job_type, JobType)

static Job *job_free(Job *j) {
        if (!j)
                return NULL;
        free(j->object_path);
        free(j);
        return NULL;
}

int job_new(Manager *m, JobType type, App *app, Job **ret) {
        Job *j, **jobs;

        j = calloc(1, sizeof(Job));
        if (!j)
                return -ENOMEM;

        j->manager = m;
        j->type = type;
        j->app = app;
        j->id = ++m->last_job_id;
        if (asprintf(&j->object_path, UPKEEP_JOB_PATH_PREFIX "/%" PRIu32, j->id) < 0) {
                free(j);
                return -ENOMEM;
        }

        jobs = reallocarray(m->jobs, m->n_jobs + 1, sizeof(Job *));
        if (!jobs) {
                job_free(j);
                return -ENOMEM;
        }
        m->jobs = jobs;
        m->jobs[m->n_jobs++] = j;
        app->job = j;

        if (m->bus) {
                int r = sd_bus_emit_object_added(m->bus, j->object_path);
                if (r < 0)
                        log_debug_errno(r, "Failed to announce %s, ignoring: %m", j->object_path);
                /* systemd1's JobNew: a client listing jobs learns of new ones without polling. */
                r = sd_bus_emit_signal(m->bus, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE, "JobNew",
                                       "uos", j->id, j->object_path, app->name);
                if (r < 0)
                        log_warning_errno(r, "Failed to emit JobNew for job %" PRIu32 ", ignoring: %m", j->id);
        }
        app_emit_state_changed(app);

        log_debug("Job %" PRIu32 " (%s of %s) started.", j->id, job_type_to_string(type), app->name);
        *ret = j;
        return 0;
}

void job_set_progress(Job *j, unsigned progress) {
        if (progress > 100)
                progress = 100;
        if (progress == j->progress)
                return;
        j->progress = progress;
        job_emit_changed(j, "Progress");
}

static void job_end(Job *j, const char *result, const char *error_name, const char *message) {
        Manager *m = j->manager;
        int r;

        log_debug("Job %" PRIu32 " (%s of %s) finished: %s%s%s.", j->id, job_type_to_string(j->type),
                  j->app->name, result, error_name ? ", " : "", strempty(error_name));

        /* Announced while the object still exists, so InterfacesRemoved can name its interfaces. */
        if (m->bus) {
                (void) sd_bus_emit_object_removed(m->bus, j->object_path);
                r = sd_bus_emit_signal(m->bus, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE, "JobRemoved",
                                       "uosss", j->id, j->object_path, result, strempty(error_name),
                                       strempty(message));
                if (r < 0)
                        log_warning_errno(r, "Failed to emit JobRemoved for job %" PRIu32 ", ignoring: %m", j->id);
        }

        for (size_t i = 0; i < m->n_jobs; i++)
                if (m->jobs[i] == j) {
                        m->jobs[i] = m->jobs[--m->n_jobs];
                        break;
                }
        if (j->app->job == j)
                j->app->job = NULL;
        if (j->app->removed) {
                manager_remove_app(m, j->app);
                manager_emit_last_check(m);
        } else
                app_emit_state_changed(j->app);

        job_free(j);
}

void job_finish(Job *j, const char *result) {
        job_end(j, result, NULL, NULL);
}

void job_fail(Job *j, const char *error_name, const char *message) {
        job_end(j, "failed", error_name ?: SD_BUS_ERROR_FAILED, message);
}

void job_cancel(Job *j) {
        void (*cancel)(Job *) = j->cancel;

        j->cancel = NULL;  /* once */
        if (cancel)
                cancel(j);
}
