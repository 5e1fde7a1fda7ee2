/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "backoff.h"
#include "macro.h"
#include "tests.h"

/* 2026-11-20T10:00:00Z */
#define T0 ((usec_t) 1795168800ULL * USEC_PER_SEC)

static void test_delay(void) {
        printf("%s\n", __func__);

        ASSERT_EQ(backoff_delay(0), 0);
        ASSERT_EQ(backoff_delay(1), 1 * USEC_PER_HOUR);
        ASSERT_EQ(backoff_delay(2), 2 * USEC_PER_HOUR);
        ASSERT_EQ(backoff_delay(3), 4 * USEC_PER_HOUR);
        ASSERT_EQ(backoff_delay(4), 8 * USEC_PER_HOUR);
        ASSERT_EQ(backoff_delay(5), 16 * USEC_PER_HOUR);
        /* 32h would be next: capped. */
        ASSERT_EQ(backoff_delay(6), 24 * USEC_PER_HOUR);
        ASSERT_EQ(backoff_delay(7), 24 * USEC_PER_HOUR);
        ASSERT_EQ(backoff_delay(64), 24 * USEC_PER_HOUR);
        ASSERT_EQ(backoff_delay(65), 24 * USEC_PER_HOUR);
        ASSERT_EQ(backoff_delay(UINT_MAX), 24 * USEC_PER_HOUR);
}

static void test_failed_counts_from_each_failure(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(app_state_new(&s));
        ASSERT_EQ(s->backoff_failures, 0);
        ASSERT_EQ(s->backoff_until, 0);

        app_state_backoff_failed(s, T0);
        ASSERT_EQ(s->backoff_failures, 1);
        ASSERT_EQ(s->backoff_until, T0 + USEC_PER_HOUR);

        /* The next attempt failed 1h 5min later: 2h from then, not from the first failure. */
        app_state_backoff_failed(s, T0 + 65 * USEC_PER_MINUTE);
        ASSERT_EQ(s->backoff_failures, 2);
        ASSERT_EQ(s->backoff_until, T0 + 65 * USEC_PER_MINUTE + 2 * USEC_PER_HOUR);

        app_state_backoff_failed(s, T0 + 4 * USEC_PER_HOUR);
        ASSERT_EQ(s->backoff_failures, 3);
        ASSERT_EQ(s->backoff_until, T0 + 8 * USEC_PER_HOUR);

        for (unsigned i = 0; i < 10; i++)
                app_state_backoff_failed(s, T0 + USEC_PER_DAY);
        ASSERT_EQ(s->backoff_failures, 13);
        ASSERT_EQ(s->backoff_until, T0 + 2 * USEC_PER_DAY);

        app_state_backoff_reset(s);
        ASSERT_EQ(s->backoff_failures, 0);
        ASSERT_EQ(s->backoff_until, 0);

        app_state_backoff_failed(s, T0);
        ASSERT_EQ(s->backoff_failures, 1);
        ASSERT_EQ(s->backoff_until, T0 + USEC_PER_HOUR);
}

static void test_failed_saturates(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(app_state_new(&s));
        s->backoff_failures = UINT_MAX;
        app_state_backoff_failed(s, T0);
        ASSERT_EQ(s->backoff_failures, UINT_MAX);
        ASSERT_EQ(s->backoff_until, T0 + BACKOFF_MAX_USEC);
}

static void test_next_attempt(void) {
        Window any, office;
        usec_t n = 0;

        printf("%s\n", __func__);
        ASSERT_OK_ZERO_ERRNO(setenv("TZ", "UTC", 1));
        tzset();
        ASSERT_OK_ZERO(window_parse(NULL, &any, NULL));
        ASSERT_OK_ZERO(window_parse("Mon..Fri 09..17", &office, NULL));

        /* Nothing in the way: now. */
        ASSERT_OK_ZERO(backoff_next_attempt(&any, T0, 0, 0, &n));
        ASSERT_EQ(n, T0);
        ASSERT_OK_ZERO(backoff_next_attempt(&office, T0, T0 - USEC_PER_DAY, T0 - USEC_PER_HOUR, &n));
        ASSERT_EQ(n, T0);
        /* The latest of due and back-off. */
        ASSERT_OK_ZERO(backoff_next_attempt(&any, T0, T0 + 5, T0 + USEC_PER_HOUR, &n));
        ASSERT_EQ(n, T0 + USEC_PER_HOUR);
        ASSERT_OK_ZERO(backoff_next_attempt(&any, T0, T0 + 2 * USEC_PER_HOUR, T0 + USEC_PER_HOUR, &n));
        ASSERT_EQ(n, T0 + 2 * USEC_PER_HOUR);
        /* Backing off 16h from Friday 10:00 ends at 02:00 Saturday: the window opens Monday 09:00. */
        ASSERT_OK_ZERO(backoff_next_attempt(&office, T0, 0, T0 + 16 * USEC_PER_HOUR, &n));
        ASSERT_EQ(n, T0 + 3 * USEC_PER_DAY - USEC_PER_HOUR);
}

int main(void) {
        test_delay();
        test_failed_counts_from_each_failure();
        test_failed_saturates();
        test_next_attempt();
        return 0;
}
