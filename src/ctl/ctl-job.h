/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Waiting for the jobs upkeepd's long operations return: until Manager.JobRemoved names each of them,
 * with the progress on the terminal meanwhile. */
#pragma once

#include <systemd/sd-bus.h>

typedef struct JobWaiter JobWaiter;

/* Subscribes to JobRemoved. Create it before the call that starts the job: a fast job may be removed
 * before its path is even known here, and the signal must not be missed. */
int job_waiter_new(sd_bus *bus, JobWaiter **ret);
JobWaiter *job_waiter_free(JobWaiter *w);
static inline void job_waiter_freep(JobWaiter **w) {
        job_waiter_free(*w);
}

/* Waits for the job at PATH too. APP and TYPE name it in messages; NULL reads them from the job. */
int job_waiter_add(JobWaiter *w, const char *path, const char *app, const char *type);

/* Returns 0 when every job ended with "done", EXIT_FAILURE (after saying why) when one did not, or a
 * negative errno (logged) when the bus failed. */
int job_waiter_wait(JobWaiter *w);
