/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Switching an app between staged versions, shared by upkeepd (updates, rollbacks) and
 * upkeep-condition (rollback at the next start when the daemon is gone). The "current" and
 * "previous" links in the app's directory are replaced atomically, so a crash at any moment leaves
 * both pointing at complete versions; state.json is read-modified-written under a lock, since both
 * programs change it. */
#pragma once

#include "state.h"

#define APP_CURRENT_LINK "current"
#define APP_PREVIOUS_LINK "previous"
#define APP_LOCK_FILE ".lock"

/* Points dir_fd/name at "versions/VERSION": a new link under a temporary name, renamed over the old
 * one, then the directory fsynced. There is never a moment without a valid link. */
int switch_link_at(int dir_fd, const char *name, const char *version);

/* Takes an exclusive lock (flock on APP_LOCK_FILE in dir_fd, created 0600), waiting for it. Returns
 * the lock fd; closing it releases the lock. */
int app_lock_at(int dir_fd);

/* Pure state transitions (no I/O); each returns -EINVAL when it does not apply.
 *
 * begin_trial: the app switches to version (already staged): previous := current, current :=
 * version, pending cleared, trial started at now with 0 starts counted, a history entry of kind
 * kind (scheduled or manual), backoff reset when manual.
 * keep_trial: the version proved itself: trial cleared, backoff reset.
 * rollback: current := previous (the trial or current version is the bad one), previous unchanged
 * (so both name the good version), the bad version added to bad_versions, automatic updates paused
 * with reason, trial cleared, a history entry of kind rollback. Needs a previous version. */
int app_state_begin_trial(AppState *s, const char *version, TransitionKind kind, usec_t now);
int app_state_keep_trial(AppState *s);
int app_state_rollback(AppState *s, const char *reason, usec_t now);

/* What upkeep-condition decides at each start of the app's unit during a trial. The first start is
 * the switch's own; any further start before the trial was kept means the new version stopped or
 * crashed (Restart=on-failure brought it back) or the machine rebooted mid-trial: it failed. */
typedef enum TrialVerdict {
        TRIAL_NONE,       /* no trial running: start as usual */
        TRIAL_CONTINUE,   /* counted; the trial goes on */
        TRIAL_FAILED,     /* roll back before this start */
} TrialVerdict;

/* Counts the start in s (trial_starts++) and says what to do. */
TrialVerdict app_state_trial_on_start(AppState *s);

/* Applies a rollback on disk and in s: switches the current link to s->previous_version, then
 * app_state_rollback(). The caller holds the lock and saves the state afterwards. */
int app_rollback_at(int dir_fd, AppState *s, const char *reason, usec_t now);
