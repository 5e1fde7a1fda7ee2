/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the time parsers that see a config's or a channel's text: time spans (Delay=,
 * TrialSec=, …), RFC 3339 timestamps (channel.json's expires, state.json), and update windows
 * (Window=). Nothing may crash, and what parses must format back to something that parses to the
 * same value. The first byte picks the parser; the rest is the text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/tests.h"
#include "http-util.h"
#include "macro.h"
#include "time-util.h"
#include "window.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_timespan(const char *s) {
        char buf[128];
        usec_t t, again;

        if (parse_timespan(s, &t) < 0)
                return;
        ASSERT_NOT_NULL(format_timespan(buf, sizeof(buf), t));
        ASSERT_OK_ZERO(parse_timespan(buf, &again));
        ASSERT_EQ_U(t, again);
}

static void fuzz_timestamp(const char *s) {
        char buf[RFC3339_MAX];
        usec_t t, again;

        if (parse_timestamp_rfc3339(s, &t) < 0)
                return;
        if (!format_timestamp_rfc3339(buf, sizeof(buf), t))
                return;
        ASSERT_OK_ZERO(parse_timestamp_rfc3339(buf, &again));
        ASSERT_EQ_U(t, again);
}

static void fuzz_window(const char *s, usec_t t) {
        _cleanup_free_ char *calendar = NULL;
        const char *reason = NULL;
        Window w;
        usec_t next;
        int r;

        r = window_parse(s, &w, &reason);
        if (r < 0) {
                ASSERT_NOT_NULL(reason);
                ASSERT_ERROR(window_to_calendar(s, &calendar, &reason), -r);
                return;
        }
        ASSERT_OK(window_to_calendar(s, &calendar, &reason));
        ASSERT_NOT_NULL(calendar);

        /* The next time inside the window is inside it, and no earlier than asked; a week (and a
         * day-light saving hour) always holds one. */
        ASSERT_OK_ZERO(window_next(&w, t, &next));
        ASSERT_GE(next, t);
        ASSERT_TRUE(window_contains(&w, next));
        ASSERT_LE(next - t, 7 * USEC_PER_DAY + USEC_PER_HOUR);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = NULL;

        if (size < 1 || size > 4096)
                return 0;

        s = strndup((const char *) data + 1, size - 1);
        ASSERT_NOT_NULL(s);

        switch (data[0] % 4) {
        case 0:
                fuzz_timespan(s);
                break;
        case 1:
                fuzz_timestamp(s);
                break;
        case 2:
                /* Some time in 2026, the second byte spreading it over a week. */
                fuzz_window(s, 1780000000ULL * USEC_PER_SEC + (size > 1 ? data[1] : 0) * 2371ULL * USEC_PER_SEC);
                break;
        case 3:
                (void) http_etag_is_valid(s);
                break;
        }

        return 0;
}
