/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Exponential back-off of failed scheduled updates (see backoff.h). */
#include <limits.h>

#include "backoff.h"

usec_t backoff_delay(unsigned failures) {
        usec_t d = BACKOFF_FIRST_USEC;

        if (failures == 0)
                return 0;

        /* Doubling stops at the cap, so a large count neither overflows nor wraps. */
        for (unsigned i = 1; i < failures && d < BACKOFF_MAX_USEC; i++)
                d *= 2;

        return d < BACKOFF_MAX_USEC ? d : BACKOFF_MAX_USEC;
}

void app_state_backoff_failed(AppState *s, usec_t now) {
        if (s->backoff_failures < UINT_MAX)
                s->backoff_failures++;
        s->backoff_until = now + backoff_delay(s->backoff_failures);
}

void app_state_backoff_reset(AppState *s) {
        s->backoff_failures = 0;
        s->backoff_until = 0;
}

int backoff_next_attempt(const Window *w, usec_t now, usec_t due_at, usec_t backoff_until, usec_t *ret) {
        usec_t t = now;

        if (due_at > t)
                t = due_at;
        if (backoff_until > t)
                t = backoff_until;

        return window_next(w, t, ret);
}
