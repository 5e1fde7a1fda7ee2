/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "tests.h"
#include "window.h"

#define DAY(d) (UINT8_C(1) << (d))
#define HOUR(h) (UINT32_C(1) << (h))
#define HOURS(a, b) ((UINT32_C(1) << ((b) + 1)) - (UINT32_C(1) << (a)))  /* a … b */

static void test_parse_any_time(void) {
        const char *inputs[] = { NULL, "", " ", "\t  ", "*" };
        Window w;

        test_case(__func__);

        for (size_t i = 0; i < ELEMENTSOF(inputs); i++) {
                w = (Window) {};
                ASSERT_OK_ZERO(window_parse(inputs[i], &w, NULL));
                ASSERT_EQ(w.weekdays, WINDOW_ALL_WEEKDAYS);
                ASSERT_EQ(w.hours, WINDOW_ALL_HOURS);
        }
}

static void test_parse_sets(void) {
        Window w;

        test_case(__func__);

        ASSERT_OK_ZERO(window_parse("Mon..Fri 09..17", &w, NULL));
        ASSERT_EQ(w.weekdays, (DAY(0) | DAY(1) | DAY(2) | DAY(3) | DAY(4)));
        ASSERT_EQ(w.hours, HOURS(9, 17));

        ASSERT_OK_ZERO(window_parse("Sat,Sun 00..06", &w, NULL));
        ASSERT_EQ(w.weekdays, (DAY(5) | DAY(6)));
        ASSERT_EQ(w.hours, HOURS(0, 6));

        ASSERT_OK_ZERO(window_parse("09..17", &w, NULL));
        ASSERT_EQ(w.weekdays, WINDOW_ALL_WEEKDAYS);
        ASSERT_EQ(w.hours, HOURS(9, 17));

        ASSERT_OK_ZERO(window_parse("Sun", &w, NULL));
        ASSERT_EQ(w.weekdays, DAY(6));
        ASSERT_EQ(w.hours, WINDOW_ALL_HOURS);

        ASSERT_OK_ZERO(window_parse("Mon *", &w, NULL));
        ASSERT_EQ(w.weekdays, DAY(0));
        ASSERT_EQ(w.hours, WINDOW_ALL_HOURS);

        /* One-digit hours, full and lower-case day names, blanks around the fields. */
        ASSERT_OK_ZERO(window_parse("  monday,FRIDAY\t 3,5..7,23  ", &w, NULL));
        ASSERT_EQ(w.weekdays, (DAY(0) | DAY(4)));
        ASSERT_EQ(w.hours, (HOUR(3) | HOURS(5, 7) | HOUR(23)));

        /* Ranges of one, repeats and overlaps are unions. */
        ASSERT_OK_ZERO(window_parse("Tue..Tue,Tue,Mon..Wed 08..08,07..09,09", &w, NULL));
        ASSERT_EQ(w.weekdays, (DAY(0) | DAY(1) | DAY(2)));
        ASSERT_EQ(w.hours, HOURS(7, 9));

        /* A weekday range wraps around the week. */
        ASSERT_OK_ZERO(window_parse("Fri..Mon 22..23", &w, NULL));
        ASSERT_EQ(w.weekdays, (DAY(4) | DAY(5) | DAY(6) | DAY(0)));
        ASSERT_EQ(w.hours, HOURS(22, 23));
        ASSERT_OK_ZERO(window_parse("Sun..Sat 0", &w, NULL));
        ASSERT_EQ(w.weekdays, WINDOW_ALL_WEEKDAYS);
        ASSERT_EQ(w.hours, HOUR(0));
}

static void test_parse_invalid(void) {
        static const char *const inputs[] = {
                "Mox",
                "Mo",
                "Mon..",
                "..Fri",
                "Mon...Fri",
                "Mon..Tue..Wed",
                "Mon,,Tue",
                "Mon,",
                ",Mon",
                "Mon Tue",
                "Mon 09..17 Tue",
                "09..17 Mon",
                "09..17 10",
                "24",
                "9:30",
                "09:00..17:00",
                "009",
                "-1",
                "17..09",
                "22..02",
                "1,,2",
                "09..",
                "*,3",
                "Mon/2",
                "* *",
        };
        Window w = { 1, 1 };

        test_case(__func__);

        for (size_t i = 0; i < ELEMENTSOF(inputs); i++) {
                const char *reason = NULL;

                printf("  '%s'\n", inputs[i]);
                ASSERT_ERROR(window_parse(inputs[i], &w, &reason), EINVAL);
                ASSERT_FALSE(isempty(reason));
                printf("    -> %s\n", reason);
                /* Nothing is written on failure. */
                ASSERT_EQ(w.weekdays, 1);
                ASSERT_EQ(w.hours, 1);
        }

        /* A NULL reason pointer is fine. */
        ASSERT_ERROR(window_parse("Mox", &w, NULL), EINVAL);
}

static void test_reasons(void) {
        const char *reason;

        test_case(__func__);

        ASSERT_ERROR(window_parse("Mox 09..17", &(Window) {}, &reason), EINVAL);
        ASSERT_NOT_NULL(strstr(reason, "weekday"));
        ASSERT_ERROR(window_parse("Mon 25", &(Window) {}, &reason), EINVAL);
        ASSERT_NOT_NULL(strstr(reason, "hour"));
        ASSERT_ERROR(window_parse("22..02", &(Window) {}, &reason), EINVAL);
        ASSERT_NOT_NULL(strstr(reason, "22..23,00..02"));
        ASSERT_ERROR(window_parse("Mon Tue", &(Window) {}, &reason), EINVAL);
        ASSERT_NOT_NULL(strstr(reason, "twice"));
        ASSERT_ERROR(window_parse("1 2", &(Window) {}, &reason), EINVAL);
        ASSERT_NOT_NULL(strstr(reason, "after the hours"));
}

/* Every expected value was checked by hand with "systemd-analyze calendar 'SPEC'" (systemd 252): each
 * is accepted, and printed back unchanged as its own normalized form ("hourly" is the documented
 * shorthand of "*-*-* *:00:00"). */
static const struct {
        const char *window;
        const char *calendar;
} calendar_table[] = {
        { NULL,                        "hourly"                                  },
        { "",                          "hourly"                                  },
        { "*",                         "hourly"                                  },
        { "Mon..Sun 00..23",           "hourly"                                  },
        { "Mon..Fri 09..17",           "Mon..Fri *-*-* 09..17:00:00"             },
        { "Sat,Sun 00..06",            "Sat,Sun *-*-* 00..06:00:00"              },
        { "09..17",                    "*-*-* 09..17:00:00"                      },
        { "Mon 22..23",                "Mon *-*-* 22,23:00:00"                   },
        { "Mon 22",                    "Mon *-*-* 22:00:00"                      },
        { "Sat..Sun",                  "Sat,Sun *-*-* *:00:00"                   },
        { "Fri..Mon 1..3",             "Mon,Fri..Sun *-*-* 01..03:00:00"         },
        { "Mon,Tue,Wed,Fri 1,2,3,5",   "Mon..Wed,Fri *-*-* 01..03,05:00:00"      },
        { "mon..sun 7",                "*-*-* 07:00:00"                          },
        { "Wednesday 0,23",            "Wed *-*-* 00,23:00:00"                   },
        { "Mon,Wed,Fri,Sun 0,2,4,6,8,10,12,14,16,18,20,22",
          "Mon,Wed,Fri,Sun *-*-* 00,02,04,06,08,10,12,14,16,18,20,22:00:00"      },
        { "Tue 00..23",                "Tue *-*-* *:00:00"                       },
        { "22..23,00..02",             "*-*-* 00..02,22,23:00:00"                },
};

static void test_to_calendar(void) {
        test_case(__func__);

        for (size_t i = 0; i < ELEMENTSOF(calendar_table); i++) {
                _cleanup_free_ char *c = NULL;

                ASSERT_OK_ZERO(window_to_calendar(calendar_table[i].window, &c, NULL));
                printf("  '%s' -> '%s'\n", strempty(calendar_table[i].window), c);
                ASSERT_STREQ(c, calendar_table[i].calendar);
        }
}

static void test_to_calendar_invalid(void) {
        char *c = (char *) "untouched";
        const char *reason = NULL;

        test_case(__func__);

        ASSERT_ERROR(window_to_calendar("Mon..Fri 9..25", &c, &reason), EINVAL);
        ASSERT_STREQ(c, "untouched");
        ASSERT_NOT_NULL(reason);
        ASSERT_NOT_NULL(strstr(reason, "hour"));
}


/* 2026-11-20T10:00:00Z, a Friday */
#define T0 ((usec_t) 1795168800ULL * USEC_PER_SEC)

static void set_tz(const char *tz) {
        ASSERT_OK_ZERO_ERRNO(setenv("TZ", tz, 1));
        tzset();
}

static usec_t next_of(const char *window, usec_t t) {
        Window w;
        usec_t n = 0;

        ASSERT_OK_ZERO(window_parse(window, &w, NULL));
        ASSERT_OK_ZERO(window_next(&w, t, &n));
        ASSERT_GE(n, t);
        ASSERT_TRUE(window_contains(&w, n));
        return n;
}

static bool contains(const char *window, usec_t t) {
        Window w;

        ASSERT_OK_ZERO(window_parse(window, &w, NULL));
        return window_contains(&w, t);
}

static void test_contains(void) {
        test_case(__func__);
        set_tz("UTC");

        ASSERT_TRUE(contains(NULL, T0));
        ASSERT_TRUE(contains("Mon..Fri 09..17", T0));
        ASSERT_TRUE(contains("Mon..Fri 09..17", T0 - USEC_PER_HOUR));                  /* 09:00:00 */
        ASSERT_FALSE(contains("Mon..Fri 09..17", T0 - USEC_PER_HOUR - 1));             /* 08:59:59.999999 */
        ASSERT_TRUE(contains("Mon..Fri 09..17", T0 + 8 * USEC_PER_HOUR - 1));          /* 17:59:59 */
        ASSERT_FALSE(contains("Mon..Fri 09..17", T0 + 8 * USEC_PER_HOUR));             /* 18:00 */
        ASSERT_FALSE(contains("Sat,Sun", T0));
        ASSERT_TRUE(contains("Sat,Sun", T0 + 14 * USEC_PER_HOUR));                     /* Sat 00:00 */
        ASSERT_TRUE(contains("Fri 10", T0));
        ASSERT_FALSE(contains("Thu 10", T0));
        ASSERT_FALSE(contains("Fri 11", T0));
        ASSERT_TRUE(contains("Sun 23", T0 + 2 * USEC_PER_DAY + 13 * USEC_PER_HOUR));   /* Sun 23:00 */
}

static void test_next(void) {
        Window empty = {};
        usec_t n = 42;

        test_case(__func__);
        set_tz("UTC");

        /* Inside: t itself, to the microsecond. */
        ASSERT_EQ(next_of(NULL, T0 + 7), T0 + 7);
        ASSERT_EQ(next_of("Mon..Fri 09..17", T0 + 7), T0 + 7);
        /* Later the same day. */
        ASSERT_EQ(next_of("Fri 14..15", T0 + 7), T0 + 4 * USEC_PER_HOUR);
        ASSERT_EQ(next_of("22..23,00..02", T0), T0 + 12 * USEC_PER_HOUR);
        /* After Friday's window: Monday 09:00. */
        ASSERT_EQ(next_of("Mon..Fri 09..17", T0 + 8 * USEC_PER_HOUR), T0 + 3 * USEC_PER_DAY - USEC_PER_HOUR);
        /* Before it, in the morning: 09:00 the same day. */
        ASSERT_EQ(next_of("Mon..Fri 09..17", T0 - 3 * USEC_PER_HOUR - 17), T0 - USEC_PER_HOUR);
        /* Only the hour just past: a week less an hour away. */
        ASSERT_EQ(next_of("Fri 09", T0), T0 + 7 * USEC_PER_DAY - USEC_PER_HOUR);

        ASSERT_ERROR(window_next(&empty, T0, &n), ENOENT);
        ASSERT_EQ(n, 42);
}

static void test_next_daylight_saving(void) {
        /* Europe/Berlin: 2026-03-29 02:00 CET does not exist (03:00 CEST follows 01:59 CET);
         * 2026-10-25 02:00..02:59 happens twice (CEST, then CET). */
        const usec_t spring = (usec_t) 1774744200ULL * USEC_PER_SEC;  /* 2026-03-29T00:30Z = 01:30 CET */
        const usec_t autumn = (usec_t) 1792888200ULL * USEC_PER_SEC;  /* 2026-10-25T00:30Z = 02:30 CEST */

        test_case(__func__);
        if (access("/usr/share/zoneinfo/Europe/Berlin", F_OK) < 0) {
                test_skip_case("no tzdata for Europe/Berlin (Debian: tzdata)");
                return;
        }
        set_tz("Europe/Berlin");

        /* The skipped hour: the next 02:00 is Monday's (2026-03-30T00:00Z). */
        ASSERT_EQ(next_of("02", spring), spring + 23 * USEC_PER_HOUR + 30 * USEC_PER_MINUTE);
        /* 03:00 CEST comes right after 01:59 CET. */
        ASSERT_EQ(next_of("03", spring), spring + 30 * USEC_PER_MINUTE);

        /* Both 02:30s are inside "02"; 03:00 CET is two real hours after 02:00 CEST. */
        ASSERT_TRUE(contains("02", autumn));
        ASSERT_TRUE(contains("02", autumn + USEC_PER_HOUR));
        ASSERT_EQ(next_of("03", autumn), autumn + USEC_PER_HOUR + 30 * USEC_PER_MINUTE);
        ASSERT_EQ(next_of("Sun 01", autumn), autumn + 7 * USEC_PER_DAY - 30 * USEC_PER_MINUTE);
}

int main(void) {
        test_parse_any_time();
        test_parse_sets();
        test_parse_invalid();
        test_reasons();
        test_to_calendar();
        test_to_calendar_invalid();
        test_contains();
        test_next();
        test_next_daylight_saving();
        return test_done();
}
