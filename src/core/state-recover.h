/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An app's state when state.json cannot be used: rebuilt from everything else its state directory
 * holds, so that a corrupt or lost state.json lowers no protection. */
#pragma once

#include "state.h"

/* Rebuilds the state of the app whose state directory is dir_fd:
 *  - from STATE_FILE_OLD, the last good copy, when it loads (bad versions, pin, pause, the gobuild
 *    key and transparency-log pin, history, …), else from nothing;
 *  - "current" and "previous" from the links, which are the truth about what is installed (a trial
 *    of a version that is not current any more is dropped);
 *  - the anti-rollback floor raised to the serial and digest of the kept CHANNEL_FILE when that is
 *    newer, so an older signed channel is refused as before; its HTTP validators are dropped, so the
 *    next fetch is unconditional;
 *  - paused, with a reason saying why, and problem as LastError: nothing is applied automatically
 *    until an operator has looked and resumed.
 * Sets *ret_from_old to whether the last good copy was used. */
int app_state_recover_at(int dir_fd, const char *problem, AppState **ret, bool *ret_from_old);

/* Whether dir_fd holds anything a state.json was made from (STATE_FILE_OLD or CHANNEL_FILE): a
 * state.json missing beside them was lost, not never written. */
bool app_state_was_lost_at(int dir_fd);
