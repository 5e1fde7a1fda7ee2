/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time spans ("1h 30min") and RFC 3339 timestamps, in microseconds. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "time-util.h"

#define USEC_PER_WEEK (7ULL * USEC_PER_DAY)
/* systemd.time(7) defines a month as 30.44 days and a year as 365.25 days. */
#define USEC_PER_MONTH (2629800ULL * USEC_PER_SEC)
#define USEC_PER_YEAR (31557600ULL * USEC_PER_SEC)

#define DIGITS "0123456789"
#define LETTERS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define WHITESPACE " \t\n\r"

typedef struct TimeUnit {
        const char *suffix;
        usec_t usec;
} TimeUnit;

/* Case matters: "m" is minutes, "M" months. */
static const TimeUnit parse_units[] = {
        { "us",      1              },
        { "usec",    1              },
        { "ms",      USEC_PER_MSEC  },
        { "msec",    USEC_PER_MSEC  },
        { "s",       USEC_PER_SEC   },
        { "sec",     USEC_PER_SEC   },
        { "second",  USEC_PER_SEC   },
        { "seconds", USEC_PER_SEC   },
        { "m",       USEC_PER_MINUTE },
        { "min",     USEC_PER_MINUTE },
        { "minute",  USEC_PER_MINUTE },
        { "minutes", USEC_PER_MINUTE },
        { "h",       USEC_PER_HOUR  },
        { "hr",      USEC_PER_HOUR  },
        { "hour",    USEC_PER_HOUR  },
        { "hours",   USEC_PER_HOUR  },
        { "d",       USEC_PER_DAY   },
        { "day",     USEC_PER_DAY   },
        { "days",    USEC_PER_DAY   },
        { "w",       USEC_PER_WEEK  },
        { "week",    USEC_PER_WEEK  },
        { "weeks",   USEC_PER_WEEK  },
        { "M",       USEC_PER_MONTH },
        { "month",   USEC_PER_MONTH },
        { "months",  USEC_PER_MONTH },
        { "y",       USEC_PER_YEAR  },
        { "year",    USEC_PER_YEAR  },
        { "years",   USEC_PER_YEAR  },
};

/* Formatting stops at weeks: months and years are not whole numbers of days, so "1y" would read as
 * exact while meaning 365 days and 6 hours. */
static const TimeUnit format_units[] = {
        { "w",   USEC_PER_WEEK   },
        { "d",   USEC_PER_DAY    },
        { "h",   USEC_PER_HOUR   },
        { "min", USEC_PER_MINUTE },
        { "s",   USEC_PER_SEC    },
        { "ms",  USEC_PER_MSEC   },
        { "us",  1               },
};

static int lookup_unit(const char *s, size_t n, usec_t *ret) {
        /* No suffix means seconds, as in systemd ("90" is a minute and a half). */
        if (n == 0) {
                *ret = USEC_PER_SEC;
                return 0;
        }

        for (size_t i = 0; i < ELEMENTSOF(parse_units); i++)
                if (strlen(parse_units[i].suffix) == n && strncmp(parse_units[i].suffix, s, n) == 0) {
                        *ret = parse_units[i].usec;
                        return 0;
                }

        return -EINVAL;
}

static int add_usec(usec_t *sum, usec_t a) {
        if (*sum > USEC_INFINITY - a)
                return -ERANGE;
        *sum += a;
        return 0;
}

/* One "NUMBER[.FRACTION]UNIT" component, e.g. "1.5s" or "30min". */
static int parse_component(const char **p, usec_t *ret) {
        const char *s = *p, *frac;
        usec_t whole = 0, unit, result, part;
        size_t n_frac, n_unit;
        int r;

        /* Leading digit required: this refuses "-5s", "+5s", ".5s" and a bare "h". */
        if (*s < '0' || *s > '9')
                return -EINVAL;

        for (; *s >= '0' && *s <= '9'; s++) {
                if (whole > (UINT64_MAX - (usec_t) (*s - '0')) / 10)
                        return -ERANGE;
                whole = whole * 10 + (usec_t) (*s - '0');
        }

        frac = NULL;
        n_frac = 0;
        if (*s == '.') {
                frac = ++s;
                n_frac = strspn(s, DIGITS);
                if (n_frac == 0)
                        return -EINVAL;
                s += n_frac;
        }

        n_unit = strspn(s, LETTERS);
        r = lookup_unit(s, n_unit, &unit);
        if (r < 0)
                return r;
        s += n_unit;

        if (whole > USEC_INFINITY / unit)
                return -ERANGE;
        result = whole * unit;

        /* The fraction is applied digit by digit against the unit, so "1.5s" is exact and digits
         * beyond microsecond precision simply add nothing. */
        part = unit;
        for (size_t i = 0; i < n_frac; i++) {
                part /= 10;
                r = add_usec(&result, part * (usec_t) (frac[i] - '0'));
                if (r < 0)
                        return r;
        }

        *p = s;
        *ret = result;
        return 0;
}

int parse_timespan(const char *s, usec_t *ret) {
        usec_t total = 0;
        bool any = false;
        int r;

        if (!s)
                return -EINVAL;

        for (const char *p = s;;) {
                usec_t v;

                p += strspn(p, WHITESPACE);
                if (*p == 0)
                        break;

                r = parse_component(&p, &v);
                if (r < 0)
                        return r;

                r = add_usec(&total, v);
                if (r < 0)
                        return r;

                any = true;
        }

        if (!any)
                return -EINVAL;
        /* USEC_INFINITY means "never" to callers; a finite span must not collide with it. */
        if (total == USEC_INFINITY)
                return -ERANGE;

        *ret = total;
        return 0;
}

char *format_timespan(char *buf, size_t size, usec_t t) {
        size_t len = 0;

        if (size == 0)
                return buf;

        if (t == USEC_INFINITY) {
                (void) snprintf(buf, size, "infinity");
                return buf;
        }
        if (t == 0) {
                (void) snprintf(buf, size, "0");
                return buf;
        }

        buf[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(format_units) && t > 0; i++) {
                usec_t n = t / format_units[i].usec;
                int k;

                if (n == 0)
                        continue;

                k = snprintf(buf + len, size - len, "%s%" PRIu64 "%s",
                             len > 0 ? " " : "", n, format_units[i].suffix);
                if (k < 0 || (size_t) k >= size - len) {
                        buf[len] = 0;  /* drop the partial component rather than show "1h 30m" */
                        break;
                }
                len += (size_t) k;
                t -= n * format_units[i].usec;
        }

        return buf;
}

/* Exactly n digits, no sign, no spaces. */
static bool take_digits(const char **p, size_t n, unsigned *ret) {
        unsigned v = 0;

        for (size_t i = 0; i < n; i++) {
                char c = (*p)[i];

                if (c < '0' || c > '9')
                        return false;
                v = v * 10 + (unsigned) (c - '0');
        }

        *p += n;
        *ret = v;
        return true;
}

static bool take_char(const char **p, const char *accepted) {
        if (**p == 0 || !strchr(accepted, **p))
                return false;
        (*p)++;
        return true;
}

int parse_timestamp_rfc3339(const char *s, usec_t *ret) {
        unsigned year, month, day, hour, minute, second, off_hour = 0, off_minute = 0;
        usec_t frac = 0;
        int64_t secs, off = 0;
        const char *p = s;
        struct tm tm;

        if (!s)
                return -EINVAL;

        if (!take_digits(&p, 4, &year) || !take_char(&p, "-") ||
            !take_digits(&p, 2, &month) || !take_char(&p, "-") ||
            !take_digits(&p, 2, &day) || !take_char(&p, "Tt") ||
            !take_digits(&p, 2, &hour) || !take_char(&p, ":") ||
            !take_digits(&p, 2, &minute) || !take_char(&p, ":") ||
            !take_digits(&p, 2, &second))
                return -EINVAL;

        if (*p == '.') {
                size_t n;

                p++;
                n = strspn(p, DIGITS);
                if (n == 0)
                        return -EINVAL;
                /* Digits beyond microseconds are accepted and dropped. */
                for (size_t i = 0; i < 6; i++)
                        frac = frac * 10 + (i < n ? (usec_t) (p[i] - '0') : 0);
                p += n;
        }

        if (*p == '+' || *p == '-') {
                int sign = *p == '-' ? -1 : 1;

                p++;
                if (!take_digits(&p, 2, &off_hour) || !take_char(&p, ":") || !take_digits(&p, 2, &off_minute))
                        return -EINVAL;
                if (off_hour > 23 || off_minute > 59)
                        return -EINVAL;
                off = sign * (int64_t) (off_hour * 3600 + off_minute * 60);
        } else if (!take_char(&p, "Zz"))
                return -EINVAL;

        if (*p != 0)
                return -EINVAL;

        /* Leap seconds (":60") are refused: nothing upkeep reads is expected to carry one. */
        if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
                return -EINVAL;

        /* timegm() is mktime() in UTC. It carries a day beyond the month's last into the next month,
         * so a date it had to move, such as 02-30 or 02-29 outside a leap year, does not exist. */
        tm = (struct tm) {
                .tm_year = (int) year - 1900,
                .tm_mon = (int) month - 1,
                .tm_mday = (int) day,
                .tm_hour = (int) hour,
                .tm_min = (int) minute,
                .tm_sec = (int) second,
        };
        secs = (int64_t) timegm(&tm);
        if (tm.tm_mon != (int) month - 1 || tm.tm_mday != (int) day)
                return -EINVAL;

        secs -= off;
        if (secs < 0)
                return -ERANGE;  /* before the epoch: usec_t cannot hold it */

        *ret = (usec_t) secs * USEC_PER_SEC + frac;
        return 0;
}

/* Returns NULL when the buffer is too small or the year does not fit four digits. */
char *format_timestamp_rfc3339(char *buf, size_t size, usec_t t) {
        time_t sec = (time_t) (t / USEC_PER_SEC);
        usec_t frac = t % USEC_PER_SEC;
        struct tm tm;
        int k;

        if (t == USEC_INFINITY || !gmtime_r(&sec, &tm) || tm.tm_year + 1900 > 9999)
                return NULL;

        if (frac > 0)
                k = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06" PRIu64 "Z",
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                             tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
        else
                k = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                             tm.tm_hour, tm.tm_min, tm.tm_sec);
        if (k < 0 || (size_t) k >= size)
                return NULL;

        return buf;
}

static usec_t now_clock(clockid_t clock) {
        struct timespec ts;

        (void) clock_gettime(clock, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / 1000;
}

usec_t now_realtime(void) {
        return now_clock(CLOCK_REALTIME);
}

usec_t now_monotonic(void) {
        return now_clock(CLOCK_MONOTONIC);
}
