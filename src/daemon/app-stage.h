/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stage(): a local file an operator handed over as an open descriptor, staged as a version of an app
 * by a job of type "stage", as a downloaded release is staged by a check. */
#pragma once

#include "stage.h"
#include "upkeepd-forward.h"
#include "worker.h"

/* What a staging on a worker thread needs, copied out of the App when it starts, so that the thread
 * touches nothing the loop may change; and what it found. A check or update (app-release.c,
 * app-gosource.c) stages the release it verified through it. */
typedef struct StageWork {
        int dir_fd;              /* a duplicate of the app's directory */
        int fd;                  /* the artifact, borrowed: the caller keeps it open until done */
        char *version;
        char *binary_name;
        ArtifactType type;
        char *reason;            /* out: why an archive was refused */
} StageWork;

#define STAGE_WORK_NULL ((StageWork) { .dir_fd = -EBADF, .fd = -EBADF })

/* Fills w for staging fd as version of a (w must be STAGE_WORK_NULL or done). */
int stage_work_init(StageWork *w, App *a, int fd, const char *version, ArtifactType type);
void stage_work_done(StageWork *w);

/* Starts stage_artifact() of w on a worker thread; done gets its result on the loop. w must stay put
 * and untouched until then. */
int stage_work_start(StageWork *w, sd_event *event, worker_done_t done, void *userdata, Worker **ret);

/* Starts a job that stages the file open as fd (duplicated: the caller keeps its own) as version of
 * a, which must have no job running, and makes it the pending version, due at once. The job ends with
 * "done", or "failed" naming why (org.upkeep1.Error.UnsafeRelease or ReleaseTooLarge for a refused
 * archive, which is journalled as a failed verification). */
int app_start_stage(App *a, int fd, const char *version, ArtifactType type, Job **ret);
