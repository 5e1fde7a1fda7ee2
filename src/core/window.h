/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An app's update window (Window= in NAME.app): the weekdays and whole hours in which an update may be
 * applied, and its translation into the OnCalendar= expression of the app's update timer. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "time-util.h"

#define WINDOW_ALL_WEEKDAYS UINT8_C(0x7f)      /* Mon … Sun */
#define WINDOW_ALL_HOURS    UINT32_C(0xffffff) /* 00 … 23 */

/* The most RandomizedDelaySec= the update timer may add to the event at the start of a window's hour
 * (from Jitter=): with the timer's AccuracySec=1min the update still starts inside that hour, so a
 * window's last hour is never overrun, and upkeep-condition, which checks the window, lets it
 * through. */
#define WINDOW_JITTER_MAX (58 * USEC_PER_MINUTE)

typedef struct Window {
        uint8_t weekdays;  /* bit 0 = Monday … bit 6 = Sunday */
        uint32_t hours;    /* bit N = the hour N:00 … N:59 */
} Window;

/* Parses "[WEEKDAYS] [HOURS]", the weekday and hour fields of a systemd calendar expression:
 *   WEEKDAYS := DAY | DAY..DAY, comma-separated; DAY is Mon … Sun or Monday … Sunday, any case
 *   HOURS    := "*" | H | H..H, comma-separated; H is 0 … 23, one or two digits
 * e.g. "Mon..Fri 09..17", "Sat,Sun 00..06", "09..17" (every day), "Mon 22,23", "Sat,Sun" (all day).
 * Weekday ranges may wrap around the week ("Fri..Mon"); hour ranges may not, since the hours after
 * midnight belong to the next day ("22..23,00..02" says what is meant). NULL or blank means any time.
 * On -EINVAL, *ret_reason (if not NULL) is set to a static string saying what is wrong. */
int window_parse(const char *s, Window *ret, const char **ret_reason);

/* The OnCalendar= expression firing at minute 0 of every hour of the window, in the form systemd
 * normalizes to, e.g. "Mon..Fri *-*-* 09..17:00:00"; "hourly" for any time. Errors as window_parse(). */
int window_to_calendar(const char *s, char **ret, const char **ret_reason);

/* Whether the realtime t, in local time (as the update timer's OnCalendar= counts), lies inside w. */
bool window_contains(const Window *w, usec_t t);

/* The first time >= t inside w: t itself when it is inside, else the start of the first local hour
 * in the window. -ENOENT for a window with no weekday or no hour (window_parse never makes one). */
int window_next(const Window *w, usec_t t, usec_t *ret);
