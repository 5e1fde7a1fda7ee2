/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Window= parsing into weekday and hour sets, and the OnCalendar= expression for them. Working on sets
 * rather than on the text means overlapping, repeated or unordered items all come out as one
 * canonical expression. */
#include <stdbool.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>

#include "macro.h"
#include "window.h"

#define BLANKS " \t"

static const char *const weekday_names[7][2] = {
        { "Mon", "Monday"    },
        { "Tue", "Tuesday"   },
        { "Wed", "Wednesday" },
        { "Thu", "Thursday"  },
        { "Fri", "Friday"    },
        { "Sat", "Saturday"  },
        { "Sun", "Sunday"    },
};

/* A piece of the input: not NUL-terminated, so the input is never copied. */
typedef struct Span {
        const char *p;
        size_t n;
} Span;

static bool span_is(Span s, const char *word) {
        return strlen(word) == s.n && strncasecmp(s.p, word, s.n) == 0;
}

static int parse_weekday(Span s, unsigned *ret) {
        for (unsigned d = 0; d < ELEMENTSOF(weekday_names); d++)
                if (span_is(s, weekday_names[d][0]) || span_is(s, weekday_names[d][1])) {
                        *ret = d;
                        return 0;
                }
        return -EINVAL;
}

static int parse_hour(Span s, unsigned *ret) {
        unsigned h = 0;

        if (!IN_SET(s.n, 1u, 2u))
                return -EINVAL;
        for (size_t i = 0; i < s.n; i++) {
                if (s.p[i] < '0' || s.p[i] > '9')
                        return -EINVAL;
                h = h * 10 + (unsigned) (s.p[i] - '0');
        }
        if (h > 23)
                return -EINVAL;

        *ret = h;
        return 0;
}

/* Splits "A..B" into A and B, or returns A alone with *ret_has_end = false. */
static int split_range(Span item, Span *ret_start, Span *ret_end, bool *ret_has_end) {
        const char *dots = memmem(item.p, item.n, "..", 2);

        if (!dots) {
                *ret_start = item;
                *ret_end = (Span) {};
                *ret_has_end = false;
                return 0;
        }

        *ret_start = (Span) { item.p, (size_t) (dots - item.p) };
        *ret_end = (Span) { dots + 2, item.n - ret_start->n - 2 };
        if (memmem(ret_end->p, ret_end->n, "..", 2))
                return -EINVAL;
        *ret_has_end = true;
        return 0;
}

/* Calls add(a, b) for each item of field, a comma-separated list of single values (passed as a..a)
 * and ranges "a..b", each value read by parse. empty_reason and invalid_reason say what is wrong with
 * an empty item and with one parse does not take; add() gives its own. */
static int parse_list(Span field, int (*parse)(Span s, unsigned *ret),
                      int (*add)(unsigned a, unsigned b, void *userdata, const char **ret_reason), void *userdata,
                      const char *empty_reason, const char *invalid_reason, const char **ret_reason) {
        int r;

        for (size_t i = 0; i <= field.n;) {
                Span item = { field.p + i, strcspn(field.p + i, ",") };
                unsigned a, b;
                Span start, end;
                bool has_end;

                if (item.n > field.n - i)
                        item.n = field.n - i;
                if (item.n == 0) {
                        *ret_reason = empty_reason;
                        return -EINVAL;
                }

                if (split_range(item, &start, &end, &has_end) < 0 ||
                    parse(start, &a) < 0 ||
                    (has_end && parse(end, &b) < 0)) {
                        *ret_reason = invalid_reason;
                        return -EINVAL;
                }
                if (!has_end)
                        b = a;

                r = add(a, b, userdata, ret_reason);
                if (r < 0)
                        return r;

                i += item.n + 1;
        }

        return 0;
}

static int add_weekdays(unsigned a, unsigned b, void *userdata, const char **ret_reason) {
        uint8_t *days = userdata;

        /* The week is a cycle: Fri..Mon is Friday through Monday. */
        for (unsigned d = a;; d = (d + 1) % 7) {
                *days |= (uint8_t) (1u << d);
                if (d == b)
                        break;
        }
        return 0;
}

static int parse_weekdays(Span field, uint8_t *ret, const char **ret_reason) {
        uint8_t days = 0;
        int r;

        r = parse_list(field, parse_weekday, add_weekdays, &days,
                       "empty item in the weekday list",
                       "unknown weekday; expected Mon, Tue, Wed, Thu, Fri, Sat or Sun, "
                       "ranges such as Mon..Fri, or lists such as Sat,Sun",
                       ret_reason);
        if (r < 0)
                return r;

        *ret = days;
        return 0;
}

static int add_hours(unsigned a, unsigned b, void *userdata, const char **ret_reason) {
        uint32_t *hours = userdata;

        if (a > b) {
                /* The hours after midnight would be on the next day, which a weekday list cannot say;
                 * the operator spells out what is meant instead. */
                *ret_reason = "hour range runs backwards; a window past midnight is two ranges, "
                              "e.g. 22..23,00..02";
                return -EINVAL;
        }

        for (unsigned h = a; h <= b; h++)
                *hours |= UINT32_C(1) << h;
        return 0;
}

static int parse_hours(Span field, uint32_t *ret, const char **ret_reason) {
        uint32_t hours = 0;
        int r;

        if (field.n == 1 && field.p[0] == '*') {
                *ret = WINDOW_ALL_HOURS;
                return 0;
        }

        r = parse_list(field, parse_hour, add_hours, &hours,
                       "empty item in the hour list",
                       "invalid hour; expected whole hours 00 to 23, ranges such as 09..17, "
                       "or lists such as 01,03",
                       ret_reason);
        if (r < 0)
                return r;

        *ret = hours;
        return 0;
}

static Span next_field(const char **p) {
        Span s;

        *p += strspn(*p, BLANKS);
        s = (Span) { *p, strcspn(*p, BLANKS) };
        *p += s.n;
        return s;
}

/* Hours start with a digit (or are "*"); anything else naming letters is meant as weekdays, so that
 * "..Fri" or ",Mon" is reported as a weekday problem. */
static bool is_weekday_field(Span s) {
        if (s.p[0] >= '0' && s.p[0] <= '9')
                return false;
        for (size_t i = 0; i < s.n; i++)
                if ((s.p[i] >= 'A' && s.p[i] <= 'Z') || (s.p[i] >= 'a' && s.p[i] <= 'z'))
                        return true;
        return false;
}

int window_parse(const char *s, Window *ret, const char **ret_reason) {
        Window w = { WINDOW_ALL_WEEKDAYS, WINDOW_ALL_HOURS };
        const char *reason = NULL, *p = strempty(s);
        Span field;
        int r;

        field = next_field(&p);
        if (field.n > 0 && is_weekday_field(field)) {
                r = parse_weekdays(field, &w.weekdays, &reason);
                if (r < 0)
                        goto fail;
                field = next_field(&p);
        }

        if (field.n > 0) {
                if (is_weekday_field(field)) {
                        r = -EINVAL;
                        reason = "weekdays given twice; expected weekdays, then hours, e.g. 'Mon..Fri 09..17'";
                        goto fail;
                }
                r = parse_hours(field, &w.hours, &reason);
                if (r < 0)
                        goto fail;
        }

        if (next_field(&p).n > 0) {
                r = -EINVAL;
                reason = "unexpected text after the hours; expected weekdays, then hours, e.g. 'Mon..Fri 09..17'";
                goto fail;
        }

        *ret = w;
        return 0;

fail:
        if (ret_reason)
                *ret_reason = reason;
        return r;
}

/* Appends the set bits of mask (bits 0 … n-1) as "a", "a,b" and "a..c" items, naming bit i with
 * name(i), the way systemd writes weekday lists. */
static void append_set(char *buf, size_t size, uint32_t mask, unsigned n, void (*name)(char *, size_t, unsigned)) {
        bool first = true;

        for (unsigned i = 0; i < n;) {
                unsigned j = i;
                char a[16], b[16];

                if (!(mask & (UINT32_C(1) << i))) {
                        i++;
                        continue;
                }
                while (j + 1 < n && (mask & (UINT32_C(1) << (j + 1))))
                        j++;

                name(a, sizeof a, i);
                name(b, sizeof b, j);
                if (j == i)
                        (void) snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", first ? "" : ",", a);
                else
                        (void) snprintf(buf + strlen(buf), size - strlen(buf), "%s%s%s%s",
                                        first ? "" : ",", a, j == i + 1 ? "," : "..", b);
                first = false;
                i = j + 1;
        }
}

static void weekday_name(char *buf, size_t size, unsigned d) {
        (void) snprintf(buf, size, "%s", weekday_names[d][0]);
}

static void hour_name(char *buf, size_t size, unsigned h) {
        (void) snprintf(buf, size, "%02u", h);
}

int window_to_calendar(const char *s, char **ret, const char **ret_reason) {
        /* Longest: "Mon,Wed,Fri,Sun *-*-* " and twelve single hours "00,02,…,22:00:00". */
        char buf[128] = "";
        char *calendar;
        Window w;
        int r;

        r = window_parse(s, &w, ret_reason);
        if (r < 0)
                return r;

        if (w.weekdays == WINDOW_ALL_WEEKDAYS && w.hours == WINDOW_ALL_HOURS)
                calendar = strdup("hourly");
        else {
                if (w.weekdays != WINDOW_ALL_WEEKDAYS) {
                        append_set(buf, sizeof buf, w.weekdays, 7, weekday_name);
                        (void) strncat(buf, " ", sizeof buf - strlen(buf) - 1);
                }
                (void) strncat(buf, "*-*-* ", sizeof buf - strlen(buf) - 1);
                if (w.hours == WINDOW_ALL_HOURS)
                        (void) strncat(buf, "*", sizeof buf - strlen(buf) - 1);
                else
                        append_set(buf, sizeof buf, w.hours, 24, hour_name);
                (void) strncat(buf, ":00:00", sizeof buf - strlen(buf) - 1);
                calendar = strdup(buf);
        }
        if (!calendar)
                return -ENOMEM;

        *ret = calendar;
        return 0;
}

static bool window_contains_tm(const Window *w, const struct tm *tm) {
        /* tm_wday counts from Sunday; the window's bits from Monday. */
        unsigned d = ((unsigned) tm->tm_wday + 6) % 7;

        return (w->weekdays & (1u << d)) && (w->hours & (UINT32_C(1) << tm->tm_hour));
}

bool window_contains(const Window *w, usec_t t) {
        time_t sec = (time_t) (t / USEC_PER_SEC);
        struct tm tm;

        if (!localtime_r(&sec, &tm))
                return false;
        return window_contains_tm(w, &tm);
}

int window_next(const Window *w, usec_t t, usec_t *ret) {
        time_t sec = (time_t) (t / USEC_PER_SEC);

        if (w->weekdays == 0 || w->hours == 0)
                return -ENOENT;

        /* Hour by local hour: a week and a bit always reaches every hour of the window, even across
         * a change to or from daylight saving time. */
        for (unsigned i = 0; i < 8 * 24 + 2; i++) {
                struct tm tm;
                time_t next;

                if (!localtime_r(&sec, &tm))
                        return -EOVERFLOW;
                if (window_contains_tm(w, &tm)) {
                        *ret = i == 0 ? t : (usec_t) sec * USEC_PER_SEC;
                        return 0;
                }

                /* The start of the next local hour. Where the clock goes back, mktime() may name the
                 * same hour again: then an hour of real time is the next local hour. */
                time_t hour_start = sec - tm.tm_min * 60 - tm.tm_sec;

                tm.tm_min = tm.tm_sec = 0;
                tm.tm_hour++;
                tm.tm_isdst = -1;
                next = mktime(&tm);
                if (next == (time_t) -1)
                        return -EOVERFLOW;
                sec = next > sec ? next : hour_start + 3600;
        }

        return -ENOENT;
}
