/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A long operation on an app (check, update, rollback, stage): it gets an object on the bus the moment it
 * starts, reports Progress while it runs, and ends with the manager's JobRemoved signal. */
#pragma once

#include <errno.h>
#include <stdint.h>

#include "upkeepd-forward.h"

typedef enum JobType {
        JOB_CHECK,
        JOB_UPDATE,
        JOB_ROLLBACK,
        JOB_STAGE,
        _JOB_TYPE_MAX,
        _JOB_TYPE_INVALID = -EINVAL,
} JobType;

const char *job_type_to_string(JobType t);

struct Job {
        Manager *manager;
        uint32_t id;
        JobType type;
        App *app;
        char *object_path;       /* /org/upkeep1/job/ID */
        unsigned progress;       /* 0..100 */

        /* What the running step needs to stop early; called once by job_cancel(). The step then
         * ends the job with job_finish(…, "canceled") itself, now or later. */
        void (*cancel)(Job *j);
        /* The daemon exits with the job running (manager_free()): stop the step's work at once,
         * wait for any thread of it to end, and free the step's data, without ending the job. */
        void (*abandon)(Job *j);
        void *userdata;          /* the step's own data */
};

/* Creates a job for app (which must have none running: the caller checks app->job first), registers
 * it with the manager and on the bus, and sets app->job. */
int job_new(Manager *m, JobType type, App *app, Job **ret);

void job_set_progress(Job *j, unsigned progress);

/* Ends the job: clears app->job, emits JobRemoved(id, path, result, "", "") and frees it. result is
 * "done" or "canceled". */
void job_finish(Job *j, const char *result);

/* Ends the job with result "failed", naming why in JobRemoved: a D-Bus error name (bus-error.h, or
 * sd-bus's name for an errno) and a sentence for people. */
void job_fail(Job *j, const char *error_name, const char *message);

void job_cancel(Job *j);
