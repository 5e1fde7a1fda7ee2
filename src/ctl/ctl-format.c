/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeepctl's presentation logic: tables, human times and exit statuses. No bus, no I/O beyond
 * building strings, so the unit test covers all of it. */
#include <stdio.h>
#include <systemd/sd-bus-protocol.h>
#include <time.h>

#include "bus-error.h"
#include "cli.h"
#include "ctl-format.h"
#include "fileio.h"
#include "macro.h"
#include "utf8.h"

int exit_status_from_bus_error(const char *name) {
        if (!name)
                return EXIT_FAILURE;

        if (IN_SET_STR(name, BUS_ERROR_NO_SUCH_APP, BUS_ERROR_NO_SUCH_VERSION, BUS_ERROR_NO_SUCH_FAULT))
                return EXIT_NO_SUCH;

        /* InteractiveAuthorizationRequired is polkit's answer when --no-ask-password forbade the
         * prompt: for a script that is as much a refusal as AccessDenied. */
        if (streq(name, SD_BUS_ERROR_ACCESS_DENIED) ||
            streq(name, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED))
                return EXIT_NOT_AUTHORIZED;

        if (IN_SET_STR(name, BUS_ERROR_BUSY, BUS_ERROR_VERSION_CHANGED, BUS_ERROR_PAUSED, BUS_ERROR_BACKING_OFF))
                return EXIT_TRY_LATER;

        /* A script deciding whether to retry must tell an attack or a broken release (retrying
         * will not help; someone must look) from a network hiccup. */
        if (bus_error_is_refusal(name))
                return EXIT_REFUSED;

        /* The daemon re-checks what upkeepctl validates before calling; an invalid version is the
         * same mistake on the command line whichever side notices it. */
        if (streq(name, BUS_ERROR_INVALID_VERSION))
                return EXIT_USAGE;

        /* NotAllowed (the app's policy forbids it) is not "not authorized": no other user could do
         * it either. It fails like any other operation. */
        return EXIT_FAILURE;
}

struct Table {
        size_t n_columns;
        char **cells;        /* row-major, header row first */
        size_t n_cells;
};

Table *table_free(Table *t) {
        if (!t)
                return NULL;

        for (size_t i = 0; i < t->n_cells; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t);
        return NULL;
}

int table_add_row(Table *t, const char *const *cells) {
        char **l;

        l = reallocarray(t->cells, t->n_cells + t->n_columns, sizeof(char *));
        if (!l)
                return -ENOMEM;
        t->cells = l;

        for (size_t i = 0; i < t->n_columns; i++) {
                char *s = strdup(isempty(cells[i]) ? "-" : cells[i]);
                if (!s) {
                        /* Drop the half-added row, so the table stays rectangular. */
                        for (size_t j = 0; j < i; j++)
                                free(t->cells[t->n_cells + j]);
                        return -ENOMEM;
                }
                t->cells[t->n_cells + i] = s;
        }

        t->n_cells += t->n_columns;
        return 0;
}

int table_new(size_t n_columns, const char *const *headers, Table **ret) {
        _cleanup_(table_freep) Table *t = NULL;
        int r;

        if (n_columns == 0)
                return -EINVAL;

        t = calloc(1, sizeof(Table));
        if (!t)
                return -ENOMEM;
        t->n_columns = n_columns;

        r = table_add_row(t, headers);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(t);
        return 0;
}

size_t table_n_rows(const Table *t) {
        return t->n_cells / t->n_columns - 1;
}

int table_format(const Table *t, bool header, char **ret) {
        _cleanup_free_ size_t *widths = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t n_rows = t->n_cells / t->n_columns, size = 0;
        FILE *f;
        int r;

        widths = calloc(t->n_columns, sizeof(size_t));
        if (!widths)
                return -ENOMEM;

        /* Characters, not bytes: "é" takes one column like "e". East Asian wide characters would need
         * wcwidth(), which versions and app names do not. */
        for (size_t row = header ? 0 : 1; row < n_rows; row++)
                for (size_t col = 0; col < t->n_columns; col++) {
                        size_t w = utf8_n_characters(t->cells[row * t->n_columns + col]);
                        if (w > widths[col])
                                widths[col] = w;
                }

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;

        for (size_t row = header ? 0 : 1; row < n_rows; row++)
                for (size_t col = 0; col < t->n_columns; col++) {
                        const char *cell = t->cells[row * t->n_columns + col];

                        fputs(cell, f);
                        if (col + 1 == t->n_columns) {
                                fputc('\n', f);
                                break;
                        }
                        /* Pad to the column width, plus the two-space gap. */
                        for (size_t k = utf8_n_characters(cell); k < widths[col] + 2; k++)
                                fputc(' ', f);
                }

        r = memstream_close(f);
        if (r < 0)
                return r;

        /* An empty table without header still hands back a string, so callers need no NULL check. */
        if (!buf) {
                buf = strdup("");
                if (!buf)
                        return -ENOMEM;
        }

        *ret = TAKE_PTR(buf);
        return 0;
}

/* Keeps the largest unit of d and the one below it: 3h 5min 20s → 3h 5min, 2d 7h 3min → 2d 7h. */
static usec_t timespan_coarsen(usec_t d) {
        static const usec_t units[] = {
                7 * USEC_PER_DAY, USEC_PER_DAY, USEC_PER_HOUR, USEC_PER_MINUTE, USEC_PER_SEC,
        };

        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (d >= units[i]) {
                        usec_t granularity = units[i + 1 < ELEMENTSOF(units) ? i + 1 : i];
                        return d - d % granularity;
                }

        return 0;
}

char *format_relative(char *buf, size_t size, usec_t t, usec_t now) {
        char span[RELATIVE_MAX];
        usec_t d;

        d = timespan_coarsen(t > now ? t - now : now - t);
        if (d == 0) {
                (void) snprintf(buf, size, "now");
                return buf;
        }

        (void) format_timespan(span, sizeof span, d);
        if (t > now)
                (void) snprintf(buf, size, "in %s", span);
        else
                (void) snprintf(buf, size, "%s ago", span);
        return buf;
}

char *format_timestamp_local(char *buf, size_t size, usec_t t) {
        time_t sec = (time_t) (t / USEC_PER_SEC);
        struct tm tm;

        if (t == USEC_INFINITY || !localtime_r(&sec, &tm))
                return NULL;

        if (strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                return NULL;

        return buf;
}
