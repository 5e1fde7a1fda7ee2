/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdio.h>

#include "macro.h"
#include "window.h"

#define DAY(d) (UINT8_C(1) << (d))
#define HOUR(h) (UINT32_C(1) << (h))
#define HOURS(a, b) ((UINT32_C(1) << ((b) + 1)) - (UINT32_C(1) << (a)))  /* a … b */

static void test_parse_any_time(void) {
        const char *inputs[] = { NULL, "", " ", "\t  ", "*" };
        Window w;

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(inputs); i++) {
                w = (Window) {};
                assert(window_parse(inputs[i], &w, NULL) == 0);
                assert(w.weekdays == WINDOW_ALL_WEEKDAYS);
                assert(w.hours == WINDOW_ALL_HOURS);
        }
}

static void test_parse_sets(void) {
        Window w;

        printf("%s\n", __func__);

        assert(window_parse("Mon..Fri 09..17", &w, NULL) == 0);
        assert(w.weekdays == (DAY(0) | DAY(1) | DAY(2) | DAY(3) | DAY(4)));
        assert(w.hours == HOURS(9, 17));

        assert(window_parse("Sat,Sun 00..06", &w, NULL) == 0);
        assert(w.weekdays == (DAY(5) | DAY(6)));
        assert(w.hours == HOURS(0, 6));

        assert(window_parse("09..17", &w, NULL) == 0);
        assert(w.weekdays == WINDOW_ALL_WEEKDAYS);
        assert(w.hours == HOURS(9, 17));

        assert(window_parse("Sun", &w, NULL) == 0);
        assert(w.weekdays == DAY(6));
        assert(w.hours == WINDOW_ALL_HOURS);

        assert(window_parse("Mon *", &w, NULL) == 0);
        assert(w.weekdays == DAY(0));
        assert(w.hours == WINDOW_ALL_HOURS);

        /* One-digit hours, full and lower-case day names, blanks around the fields. */
        assert(window_parse("  monday,FRIDAY\t 3,5..7,23  ", &w, NULL) == 0);
        assert(w.weekdays == (DAY(0) | DAY(4)));
        assert(w.hours == (HOUR(3) | HOURS(5, 7) | HOUR(23)));

        /* Ranges of one, repeats and overlaps are unions. */
        assert(window_parse("Tue..Tue,Tue,Mon..Wed 08..08,07..09,09", &w, NULL) == 0);
        assert(w.weekdays == (DAY(0) | DAY(1) | DAY(2)));
        assert(w.hours == HOURS(7, 9));

        /* A weekday range wraps around the week. */
        assert(window_parse("Fri..Mon 22..23", &w, NULL) == 0);
        assert(w.weekdays == (DAY(4) | DAY(5) | DAY(6) | DAY(0)));
        assert(w.hours == HOURS(22, 23));
        assert(window_parse("Sun..Sat 0", &w, NULL) == 0);
        assert(w.weekdays == WINDOW_ALL_WEEKDAYS);
        assert(w.hours == HOUR(0));
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

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(inputs); i++) {
                const char *reason = NULL;

                printf("  '%s'\n", inputs[i]);
                assert(window_parse(inputs[i], &w, &reason) == -EINVAL);
                assert(!isempty(reason));
                printf("    -> %s\n", reason);
                /* Nothing is written on failure. */
                assert(w.weekdays == 1 && w.hours == 1);
        }

        /* A NULL reason pointer is fine. */
        assert(window_parse("Mox", &w, NULL) == -EINVAL);
}

static void test_reasons(void) {
        const char *reason;

        printf("%s\n", __func__);

        assert(window_parse("Mox 09..17", &(Window) {}, &reason) == -EINVAL);
        assert(strstr(reason, "weekday"));
        assert(window_parse("Mon 25", &(Window) {}, &reason) == -EINVAL);
        assert(strstr(reason, "hour"));
        assert(window_parse("22..02", &(Window) {}, &reason) == -EINVAL);
        assert(strstr(reason, "22..23,00..02"));
        assert(window_parse("Mon Tue", &(Window) {}, &reason) == -EINVAL);
        assert(strstr(reason, "twice"));
        assert(window_parse("1 2", &(Window) {}, &reason) == -EINVAL);
        assert(strstr(reason, "after the hours"));
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
        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(calendar_table); i++) {
                _cleanup_free_ char *c = NULL;

                assert(window_to_calendar(calendar_table[i].window, &c, NULL) == 0);
                printf("  '%s' -> '%s'\n", strempty(calendar_table[i].window), c);
                assert(streq(c, calendar_table[i].calendar));
        }
}

static void test_to_calendar_invalid(void) {
        char *c = (char *) "untouched";
        const char *reason = NULL;

        printf("%s\n", __func__);

        assert(window_to_calendar("Mon..Fri 9..25", &c, &reason) == -EINVAL);
        assert(streq(c, "untouched"));
        assert(reason && strstr(reason, "hour"));
}

int main(void) {
        test_parse_any_time();
        test_parse_sets();
        test_parse_invalid();
        test_reasons();
        test_to_calendar();
        test_to_calendar_invalid();
        return 0;
}
