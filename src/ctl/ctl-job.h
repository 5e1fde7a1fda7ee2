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

/* Returns 0 when every job ended with "done"; when one did not, says why and returns the exit status
 * its error stands for (exit_status_from_bus_error(), EXIT_FAILURE when it has none), the first
 * failure's when several failed; a negative errno (logged) when the bus failed. */
int job_waiter_wait(JobWaiter *w);
