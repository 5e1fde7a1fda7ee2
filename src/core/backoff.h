/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Back-off of failed scheduled updates: after the Nth failure in a row, the update timer's next
 * attempt is not before the failure + 1h * 2^(N-1), at most 24h later. An operator's update, or any
 * update that passes its trial, starts the count afresh. Pure state arithmetic, no I/O. */
#pragma once

#include "state.h"
#include "time-util.h"
#include "window.h"

#define BACKOFF_FIRST_USEC USEC_PER_HOUR
#define BACKOFF_MAX_USEC   (24 * USEC_PER_HOUR)

/* How long to wait after the failures-th consecutive failure: 0 for none, 1h, 2h, 4h, … up to
 * BACKOFF_MAX_USEC. */
usec_t backoff_delay(unsigned failures);

/* Records a failed scheduled update at now: backoff_failures + 1 (saturating), backoff_until = now +
 * backoff_delay(of the new count). */
void app_state_backoff_failed(AppState *s, usec_t now);

/* Forgets past failures: an operator stepped in, or an update succeeded. */
void app_state_backoff_reset(AppState *s);

/* When the update timer can next apply a pending update: not before now, the update's due time nor the
 * back-off, and inside the window w (local time). Errors as window_next(). */
int backoff_next_attempt(const Window *w, usec_t now, usec_t due_at, usec_t backoff_until, usec_t *ret);
