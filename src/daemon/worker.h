/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Long blocking work (unpacking a release, gunzipping a build, staging) off the event loop: the work
 * function runs on a thread of its own and its result comes back on the loop, through an sd-event
 * source, to a done callback. The work touches only what its userdata holds for it (descriptors,
 * copies of strings, its output fields), never App, Job, Manager or the bus; the loop does not touch
 * that userdata while the work runs, and reads the output only in done, after the thread has ended. */
#pragma once

#include <systemd/sd-event.h>

#include "cancel.h"

typedef struct Worker Worker;

/* Runs on the worker's thread, given work_data. Returns its result (>= 0, or -errno); should poll cancel between two
 * blocks of work and return -ECANCELED once it is set, undoing what it began. */
typedef int (*worker_work_t)(void *work_data, const CancelFlag *cancel);

/* Called once on the loop, after the thread has ended, with what work returned. It may free the
 * worker. */
typedef void (*worker_done_t)(Worker *w, int result, void *userdata);

/* Starts work(work_data) on a new thread named name (at most 15 characters: the thread's comm, as top
 * -H and /proc/PID/task show it); done gets userdata. */
int worker_start(sd_event *event, const char *name, worker_work_t work, void *work_data, worker_done_t done,
                 void *userdata, Worker **ret);

/* Asks the work to stop; returns at once. done is still called, with whatever work returns. */
void worker_cancel(Worker *w);

/* Cancels the work, waits for its thread to end (for as long as the work takes to notice: one block
 * or entry) and frees everything, without calling done. Accepts NULL. */
Worker *worker_free(Worker *w);
