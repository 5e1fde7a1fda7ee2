/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "macro.h"
#include "tests.h"
#include "time-util.h"

static usec_t span(const char *s) {
        usec_t t = 4242;

        ASSERT_OK_ZERO(parse_timespan(s, &t));
        return t;
}

static void assert_span_invalid(const char *s, int error) {
        usec_t t = 4242;

        ASSERT_EQ(parse_timespan(s, &t), error);
        ASSERT_EQ(t, 4242);  /* untouched on failure */
}

static void test_timespan_typical(void) {
        printf("%s\n", __func__);

        ASSERT_EQ(span("72h"), 72 * USEC_PER_HOUR);
        ASSERT_EQ(span("1h 30min"), USEC_PER_HOUR + 30 * USEC_PER_MINUTE);
        ASSERT_EQ(span("1h30min"), USEC_PER_HOUR + 30 * USEC_PER_MINUTE);
        ASSERT_EQ(span("5s"), 5 * USEC_PER_SEC);
        ASSERT_EQ(span("90"), 90 * USEC_PER_SEC);
        ASSERT_EQ(span("1.5s"), 1500 * USEC_PER_MSEC);
        ASSERT_EQ(span("500ms"), 500 * USEC_PER_MSEC);
        ASSERT_EQ(span("2d 3h"), 2 * USEC_PER_DAY + 3 * USEC_PER_HOUR);
        ASSERT_EQ(span("1w"), 7 * USEC_PER_DAY);
        ASSERT_EQ(span("0"), 0);
        ASSERT_EQ(span("0s"), 0);
}

static void test_timespan_units(void) {
        static const struct {
                const char *s;
                usec_t usec;
        } cases[] = {
                { "7us", 7 },
                { "7usec", 7 },
                { "7msec", 7 * USEC_PER_MSEC },
                { "1sec", USEC_PER_SEC },
                { "1second", USEC_PER_SEC },
                { "2seconds", 2 * USEC_PER_SEC },
                { "2m", 2 * USEC_PER_MINUTE },
                { "2minute", 2 * USEC_PER_MINUTE },
                { "2minutes", 2 * USEC_PER_MINUTE },
                { "3hr", 3 * USEC_PER_HOUR },
                { "3hour", 3 * USEC_PER_HOUR },
                { "3hours", 3 * USEC_PER_HOUR },
                { "1day", USEC_PER_DAY },
                { "2days", 2 * USEC_PER_DAY },
                { "1week", 7 * USEC_PER_DAY },
                { "2weeks", 14 * USEC_PER_DAY },
                /* "M" is a month, "m" a minute: case matters. */
                { "1M", 2629800 * USEC_PER_SEC },
                { "1month", 2629800 * USEC_PER_SEC },
                { "2months", 2 * 2629800 * USEC_PER_SEC },
                { "1y", 31557600 * USEC_PER_SEC },
                { "1year", 31557600 * USEC_PER_SEC },
                { "2years", 2 * 31557600 * USEC_PER_SEC },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                ASSERT_EQ_U(span(cases[i].s), cases[i].usec);
}

static void test_timespan_fractions_and_spacing(void) {
        printf("%s\n", __func__);

        ASSERT_EQ(span("1.5"), 1500 * USEC_PER_MSEC);
        ASSERT_EQ(span("0.25h"), 15 * USEC_PER_MINUTE);
        ASSERT_EQ(span("1.5ms"), 1500);
        ASSERT_EQ(span("1.0000009s"), USEC_PER_SEC);  /* below a microsecond: dropped */
        ASSERT_EQ(span("  5s  "), 5 * USEC_PER_SEC);
        ASSERT_EQ(span("1h\t30min"), 90 * USEC_PER_MINUTE);
        ASSERT_EQ(span("1m 1m"), 2 * USEC_PER_MINUTE);  /* components add up */
        ASSERT_EQ(span("1h 30"), USEC_PER_HOUR + 30 * USEC_PER_SEC);
}

static void test_timespan_invalid(void) {
        printf("%s\n", __func__);

        assert_span_invalid("", -EINVAL);
        assert_span_invalid("   ", -EINVAL);
        assert_span_invalid(NULL, -EINVAL);
        assert_span_invalid("5 parsecs", -EINVAL);
        assert_span_invalid("5parsecs", -EINVAL);
        assert_span_invalid("-5s", -EINVAL);
        assert_span_invalid("+5s", -EINVAL);
        assert_span_invalid("h", -EINVAL);
        assert_span_invalid("5H", -EINVAL);
        assert_span_invalid("1.s", -EINVAL);
        assert_span_invalid(".5s", -EINVAL);
        assert_span_invalid("1..5s", -EINVAL);
        assert_span_invalid("5s!", -EINVAL);
        assert_span_invalid("5 s", -EINVAL);
        assert_span_invalid("0x10", -EINVAL);
        assert_span_invalid("1e3", -EINVAL);
        assert_span_invalid("infinity", -EINVAL);
}

static void test_timespan_overflow(void) {
        printf("%s\n", __func__);

        /* Too many digits for uint64_t at all. */
        assert_span_invalid("99999999999999999999", -ERANGE);
        assert_span_invalid("99999999999999999999us", -ERANGE);
        /* Fits as a number, not once multiplied by the unit. */
        assert_span_invalid("18446744073709551615s", -ERANGE);
        assert_span_invalid("100000000000y", -ERANGE);
        /* Each component fits, their sum does not. */
        assert_span_invalid("9223372036854775807us 9223372036854775807us 2us", -ERANGE);
        /* Exactly USEC_INFINITY is reserved for "never". */
        assert_span_invalid("18446744073709551615us", -ERANGE);
        ASSERT_EQ_U(span("18446744073709551614us"), USEC_INFINITY - 1);
}

static void assert_format(usec_t t, const char *expected) {
        char buf[64];
        usec_t back;

        ASSERT_EQ(format_timespan(buf, sizeof buf, t), buf);
        if (!streq(buf, expected)) {
                TEST_FAIL("format_timespan(%llu) = \"%s\", expected \"%s\"",
                        (unsigned long long) t, buf, expected);
        }

        /* What is written can be read back to the same value. */
        ASSERT_OK_ZERO(parse_timespan(buf, &back));
        ASSERT_EQ(back, t);
}

static void test_format_timespan(void) {
        printf("%s\n", __func__);

        assert_format(0, "0");
        assert_format(1, "1us");
        assert_format(250 * USEC_PER_MSEC, "250ms");
        assert_format(5 * USEC_PER_SEC, "5s");
        assert_format(1500 * USEC_PER_MSEC, "1s 500ms");
        assert_format(90 * USEC_PER_MINUTE, "1h 30min");
        assert_format(72 * USEC_PER_HOUR, "3d");
        assert_format(2 * USEC_PER_DAY + 3 * USEC_PER_HOUR, "2d 3h");
        assert_format(7 * USEC_PER_DAY, "1w");
        assert_format(8 * USEC_PER_DAY + USEC_PER_SEC + 1, "1w 1d 1s 1us");
        assert_format(USEC_INFINITY - 1, "30500568w 6d 8h 1min 49s 551ms 614us");
}

static void test_format_timespan_small_buffer(void) {
        char buf[8] = "garbage";

        printf("%s\n", __func__);

        /* Cut at a component boundary, still terminated. */
        ASSERT_EQ(format_timespan(buf, 7, 90 * USEC_PER_MINUTE), buf);
        ASSERT_STREQ(buf, "1h");

        ASSERT_EQ(format_timespan(buf, 1, 5 * USEC_PER_SEC), buf);
        ASSERT_STREQ(buf, "");

        ASSERT_EQ(format_timespan(buf, sizeof buf, USEC_INFINITY), buf);
        ASSERT_STREQ(buf, "infinit");
}

static usec_t timestamp(const char *s) {
        usec_t t = 4242;

        ASSERT_OK_ZERO(parse_timestamp_rfc3339(s, &t));
        return t;
}

static void assert_timestamp_invalid(const char *s) {
        usec_t t = 4242;

        ASSERT_LT(parse_timestamp_rfc3339(s, &t), 0);
        ASSERT_EQ(t, 4242);
}

/* 2026-11-20T10:00:00Z, computed independently: 20777 days from the epoch to 2026-11-20. */
#define T_2026_11_20_10 ((usec_t) (20777ULL * 86400ULL + 10ULL * 3600ULL) * USEC_PER_SEC)

static void test_timestamp_parse(void) {
        printf("%s\n", __func__);

        ASSERT_EQ(timestamp("1970-01-01T00:00:00Z"), 0);
        ASSERT_EQ(timestamp("1970-01-01T00:00:01Z"), USEC_PER_SEC);
        ASSERT_EQ(timestamp("2000-03-01T00:00:00Z"), 951868800ULL * USEC_PER_SEC);
        ASSERT_EQ(timestamp("2026-11-20T10:00:00Z"), T_2026_11_20_10);
        ASSERT_EQ(timestamp("2026-11-20t10:00:00z"), T_2026_11_20_10);
        ASSERT_EQ(timestamp("2026-11-20T10:00:00+00:00"), T_2026_11_20_10);
        ASSERT_EQ(timestamp("2026-11-20T10:00:00-00:00"), T_2026_11_20_10);
        ASSERT_EQ(timestamp("2026-11-20T11:30:00+01:30"), T_2026_11_20_10);
        ASSERT_EQ(timestamp("2026-11-20T05:00:00-05:00"), T_2026_11_20_10);
        ASSERT_EQ(timestamp("2026-11-20T10:00:00.5Z"), T_2026_11_20_10 + 500 * USEC_PER_MSEC);
        ASSERT_EQ(timestamp("2026-11-20T10:00:00.000001Z"), T_2026_11_20_10 + 1);
        ASSERT_EQ(timestamp("2026-11-20T10:00:00.123456789Z"), T_2026_11_20_10 + 123456);
        ASSERT_EQ(timestamp("2024-02-29T00:00:00Z"), 1709164800ULL * USEC_PER_SEC);
        ASSERT_EQ(timestamp("2000-02-29T12:00:00Z"), 951825600ULL * USEC_PER_SEC);
        ASSERT_EQ(timestamp("9999-12-31T23:59:59Z"), 253402300799ULL * USEC_PER_SEC);
}

static void test_timestamp_invalid(void) {
        printf("%s\n", __func__);

        assert_timestamp_invalid("");
        assert_timestamp_invalid(NULL);
        assert_timestamp_invalid("garbage");
        assert_timestamp_invalid("2026-11-20");
        assert_timestamp_invalid("2026-11-20T10:00:00");      /* no zone */
        assert_timestamp_invalid("2026-11-20 10:00:00Z");     /* space for T */
        assert_timestamp_invalid("2026-13-20T10:00:00Z");     /* month 13 */
        assert_timestamp_invalid("2026-00-20T10:00:00Z");
        assert_timestamp_invalid("2026-11-31T10:00:00Z");     /* November has 30 days */
        assert_timestamp_invalid("2026-11-00T10:00:00Z");
        assert_timestamp_invalid("2025-02-29T10:00:00Z");     /* not a leap year */
        assert_timestamp_invalid("1900-02-29T10:00:00Z");     /* centuries are not */
        assert_timestamp_invalid("2026-11-20T24:00:00Z");
        assert_timestamp_invalid("2026-11-20T10:60:00Z");
        assert_timestamp_invalid("2026-11-20T10:00:60Z");
        assert_timestamp_invalid("2026-11-20T10:00:00.Z");
        assert_timestamp_invalid("2026-11-20T10:00:00+01");
        assert_timestamp_invalid("2026-11-20T10:00:00+0100");
        assert_timestamp_invalid("2026-11-20T10:00:00+24:00");
        assert_timestamp_invalid("2026-11-20T10:00:00Zjunk");
        assert_timestamp_invalid(" 2026-11-20T10:00:00Z");
        assert_timestamp_invalid("26-11-20T10:00:00Z");
        assert_timestamp_invalid("2026-1-20T10:00:00Z");
        assert_timestamp_invalid("+026-11-20T10:00:00Z");
        assert_timestamp_invalid("1969-12-31T23:59:59Z");     /* before the epoch */
        assert_timestamp_invalid("1970-01-01T00:30:00+01:00");
}

static void assert_timestamp_round_trip(usec_t t, const char *expected) {
        char buf[RFC3339_MAX];

        ASSERT_EQ(format_timestamp_rfc3339(buf, sizeof buf, t), buf);
        if (!streq(buf, expected)) {
                TEST_FAIL("format_timestamp_rfc3339(%llu) = \"%s\", expected \"%s\"",
                        (unsigned long long) t, buf, expected);
        }
        ASSERT_EQ(timestamp(buf), t);
}

static void test_timestamp_format(void) {
        char small[sizeof("2026-11-20T10:00:00Z") - 1];
        char buf[RFC3339_MAX];

        printf("%s\n", __func__);

        assert_timestamp_round_trip(0, "1970-01-01T00:00:00Z");
        assert_timestamp_round_trip(T_2026_11_20_10, "2026-11-20T10:00:00Z");
        assert_timestamp_round_trip(T_2026_11_20_10 + 1, "2026-11-20T10:00:00.000001Z");
        assert_timestamp_round_trip(T_2026_11_20_10 + 500 * USEC_PER_MSEC, "2026-11-20T10:00:00.500000Z");
        assert_timestamp_round_trip(253402300799ULL * USEC_PER_SEC + 999999, "9999-12-31T23:59:59.999999Z");

        /* The longest form fits RFC3339_MAX exactly; a buffer too small or a year past 9999 fails. */
        ASSERT_EQ(strlen(format_timestamp_rfc3339(buf, sizeof buf, 253402300799ULL * USEC_PER_SEC + 1)),
                  RFC3339_MAX - 1);
        ASSERT_FALSE(format_timestamp_rfc3339(small, sizeof small, T_2026_11_20_10));
        ASSERT_FALSE(format_timestamp_rfc3339(buf, sizeof buf, 253402300800ULL * USEC_PER_SEC));
        ASSERT_FALSE(format_timestamp_rfc3339(buf, sizeof buf, USEC_INFINITY));
}

static void test_timestamp_round_trip_now(void) {
        char buf[RFC3339_MAX];
        usec_t now = now_realtime(), back;

        printf("%s\n", __func__);

        /* Sanity: after 2020-01-01, before 2100-01-01. */
        ASSERT_GT(now, 1577836800ULL * USEC_PER_SEC);
        ASSERT_LT(now, 4102444800ULL * USEC_PER_SEC);

        ASSERT_TRUE(format_timestamp_rfc3339(buf, sizeof buf, now));
        ASSERT_OK_ZERO(parse_timestamp_rfc3339(buf, &back));
        ASSERT_EQ(back, now);
}

int main(void) {
        test_timespan_typical();
        test_timespan_units();
        test_timespan_fractions_and_spacing();
        test_timespan_invalid();
        test_timespan_overflow();
        test_format_timespan();
        test_format_timespan_small_buffer();
        test_timestamp_parse();
        test_timestamp_invalid();
        test_timestamp_format();
        test_timestamp_round_trip_now();
        return 0;
}
