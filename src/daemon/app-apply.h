/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Switching an app to a staged version: its install hooks run, then the "previous" and "current"
 * links are swapped atomically and the trial begins (app-trial.h), which keeps the version or rolls
 * it back. Also an operator's Rollback(), at once and without a trial. */
#pragma once

#include "state.h"
#include "upkeepd-forward.h"

/* Continues job j (already running for a) with the switch to version, a staged version. kind says
 * whether an operator asked (manual) or the update timer (scheduled). Ends the job: "done" when the
 * version was kept, "failed" when it was rolled back or could not be switched to. */
void app_apply(App *a, Job *j, const char *version, TransitionKind kind);

/* Apply(flags): switches to the staged pending version, as an operator
 * (kind manual) or the update timer (kind scheduled) asks (-ENOENT when nothing is pending).
 * Rollback(): back to the previous version at once, which is marked bad, and automatic updates
 * paused (-ENOENT without a previous version). Both return the job's path; the job
 * may have ended already. */
int app_start_apply_pending(App *a, TransitionKind kind, char **ret_job_path);
int app_start_rollback(App *a, char **ret_job_path);
