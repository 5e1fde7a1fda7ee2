/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Switching an app to a staged version and watching it come up: the "current" link is swapped
 * atomically, the unit restarted through systemd's D-Bus API (RestartUnit), and its job result and
 * ActiveState followed through systemd's signals on the event loop. The version is kept once it
 * stayed active for TrialSec= (and passed HealthCheck=); otherwise it is rolled back. */
#pragma once

#include "state.h"
#include "upkeepd-forward.h"

/* Continues job j (already running for a) with the switch to version, a staged version. kind says
 * whether an operator asked (manual) or the update timer (scheduled). Ends the job: "done" when the
 * version was kept, "failed" when it was rolled back or could not be switched to. */
void app_apply(App *a, Job *j, const char *version, TransitionKind kind);

/* ApplyPending() and ApplyScheduled(): switches to the staged pending version, as an operator
 * (kind manual) or the update timer (kind scheduled) asks (-ENOENT when nothing is pending).
 * Rollback(): back to the previous version at once, which is marked bad, and automatic updates
 * paused (-ENOENT without a previous version). Both return the job's path; the job
 * may have ended already. */
int app_start_apply_pending(App *a, TransitionKind kind, char **ret_job_path);
int app_start_rollback(App *a, char **ret_job_path);

/* Takes over a trial an earlier upkeepd left unfinished (killed, stopped, crashed during it): follows
 * the unit from where it stands, as a job. Returns 0 when there is nothing to take over, 1 when a job
 * took it over, < 0 on error. */
int app_adopt_trial(App *a);
