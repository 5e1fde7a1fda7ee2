/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trial of a version just switched to: the unit restarted through systemd's D-Bus API
 * (RestartUnit), its job result and ActiveState followed through systemd's signals on the event loop,
 * and the version kept once the unit stayed active for TrialSec= (and passed HealthCheck=), else
 * rolled back. Also a trial an earlier upkeepd left unfinished, taken over where it stands. The
 * decisions themselves are the pure app_trial_decide_…() functions, which tests call directly. */
#pragma once

#include <stdbool.h>

#include "state.h"
#include "time-util.h"
#include "upkeepd-forward.h"

typedef enum TrialDecision {
        TRIAL_DECISION_WAIT,           /* nothing to decide yet */
        TRIAL_DECISION_WATCH,          /* the unit is up: watch it for TrialSec= */
        TRIAL_DECISION_CHECK_HEALTH,   /* it stayed up for TrialSec=: run HealthCheck= */
        TRIAL_DECISION_KEEP,           /* keep the new version */
        TRIAL_DECISION_ROLL_BACK,      /* back to the old version */
        TRIAL_DECISION_RESTART,        /* taken over: switched to but never started, so restart it for its trial */
        TRIAL_DECISION_OVER,           /* taken over: the trial ended while upkeepd was away */
        _TRIAL_DECISION_MAX,
        _TRIAL_DECISION_INVALID = -EINVAL,
} TrialDecision;

const char *trial_decision_to_string(TrialDecision v);

/* systemd's restart job ended with job_result ("done", "failed", "timeout", …). */
TrialDecision app_trial_decide_restarted(const char *job_result);
/* The unit's ActiveState changed; on_trial: it is being watched for TrialSec=. */
TrialDecision app_trial_decide_changed(bool on_trial, const char *active_state);
/* TrialSec= passed with the unit up; health_check is HealthCheck= (NULL or empty: none). */
TrialDecision app_trial_decide_trial_over(const char *health_check);
/* A URL health check answered with HTTP status (an error: no answer at all, pass 0). */
TrialDecision app_trial_decide_health_status(long status);
/* Whether the unit's ActiveState is known and neither starting nor stopping: only then does a trial
 * taken over go on. */
bool app_trial_unit_settled(const char *active_state);
/* A trial taken over from an earlier upkeepd, as its unit's ActiveState (NULL: not known yet) and
 * state.json say: still_on_trial when state.json still holds this trial, trial_starts the starts
 * upkeep-condition counted. */
TrialDecision app_trial_decide_adopted(const char *active_state, bool still_on_trial, unsigned trial_starts);

/* Rolls the state s of the app in dir_fd back from version, which failed its trial, unless that
 * happened already (upkeep-condition may have rolled back at a restart after a crash): "current" back
 * to the previous version, version marked bad, reason as LastError, and the failure counted towards the
 * back-off if kind is scheduled. roll_back false: there is no version to go back to, only the failure
 * is recorded. *ret_done says whether this call rolled back, *ret_backed_off whether the back-off was
 * counted. Returns 1 (changed) or a negative errno. */
int app_trial_roll_back_state(AppState *s, int dir_fd, const char *version, const char *reason, TransitionKind kind,
                              bool roll_back, usec_t now, bool *ret_done, bool *ret_backed_off);

/* A failed switch, besides its LastError: a scheduled one counts towards the back-off (and
 * *ret_backed_off is set), an operator's one starts the count afresh (an operator stepped in). */
void app_switch_record_failure(AppState *s, TransitionKind kind, usec_t now, bool *ret_backed_off);

/* Ends job j, the switch of a to version, whether before or after the switch itself: the back-off
 * journalled if it was counted, PropertiesChanged emitted, and the job ended ("done" when error_name
 * is NULL, else failed with error_name and message). */
void app_switch_end(App *a, Job *j, const char *version, bool backed_off, const char *error_name,
                    const char *message);

/* Job j (running for a, which already switched to version from old_version, NULL for none) goes on with
 * the trial: restarts the unit and watches it. Owns the job from here on, and ends it. */
void app_trial_start(App *a, Job *j, const char *version, const char *old_version, TransitionKind kind);

/* Takes over a trial an earlier upkeepd left unfinished (killed, stopped, crashed during it): follows
 * the unit from where it stands, as a job. Returns 0 when there is nothing to take over, 1 when a job
 * took it over, < 0 on error. */
int app_adopt_trial(App *a);
