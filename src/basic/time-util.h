/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time spans and timestamps in microseconds, parsed and formatted the way systemd writes them. */
#pragma once

#include <stdint.h>
#include <stddef.h>

typedef uint64_t usec_t;

#define USEC_INFINITY ((usec_t) UINT64_MAX)
#define USEC_PER_SEC  ((usec_t) 1000000ULL)
#define USEC_PER_MSEC ((usec_t) 1000ULL)
#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)
#define USEC_PER_HOUR (60ULL * USEC_PER_MINUTE)
#define USEC_PER_DAY  (24ULL * USEC_PER_HOUR)

/* Parses a time span as systemd.time(7) writes it: "72h", "1h 30min", "5s", "90" (seconds), "1.5s",
 * "2d 3h", "500ms", with the units us/usec, ms/msec, s/sec/second(s), m/min/minute(s), h/hr/hour(s),
 * d/day(s), w/week(s), M/month(s), y/year(s). Rejects empty input, negative numbers, unknown units and
 * overflow with -EINVAL / -ERANGE. */
int parse_timespan(const char *s, usec_t *ret);

/* Formats a span compactly, e.g. "1h 30min", "5s", "250ms", "0"; writes at most size bytes to buf and
 * returns buf. */
char *format_timespan(char *buf, size_t size, usec_t t);

/* RFC 3339 / ISO 8601 UTC timestamps ("2026-11-20T10:00:00Z"), as channel.json and state.json use. */
int parse_timestamp_rfc3339(const char *s, usec_t *ret);
char *format_timestamp_rfc3339(char *buf, size_t size, usec_t t);
#define RFC3339_MAX sizeof("YYYY-MM-DDTHH:MM:SS.uuuuuuZ")

usec_t now_realtime(void);
usec_t now_monotonic(void);
