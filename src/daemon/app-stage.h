/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stage(): a local file an operator handed over as an open descriptor, staged as a version of an app
 * by a job of type "stage", as a downloaded release is staged by a check. */
#pragma once

#include "stage.h"
#include "upkeepd-forward.h"

/* Starts a job that stages the file open as fd (duplicated: the caller keeps its own) as version of
 * a, which must have no job running, and makes it the pending version, due at once. The job ends with
 * "done", or "failed" naming why (org.upkeep1.Error.UnsafeRelease or ReleaseTooLarge for a refused
 * archive, which is journalled as a failed verification). */
int app_start_stage(App *a, int fd, const char *version, ArtifactType type, Job **ret);
