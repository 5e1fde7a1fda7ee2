/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PropertiesChanged for what the daemon read from the state file rather than changed itself: what
 * upkeep-condition wrote there (a trial rolled back before a start) while upkeepd was away or between
 * two of its reads. */
#pragma once

#include <stdbool.h>

#include "state.h"
#include "upkeepd-forward.h"

/* Emits PropertiesChanged for the App properties backed by the state file that differ between old
 * and new (and State, derived from them). only_condition: only those upkeep-condition changes
 * (CurrentVersion, PreviousVersion, History, Paused, PauseReason, FailedAttempts, BackoffUntil). Call
 * it once a->state is the new state: the values sent are read from it. */
void app_emit_state_diff(App *a, const AppState *old, const AppState *new, bool only_condition);
