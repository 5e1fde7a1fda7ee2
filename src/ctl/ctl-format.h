/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How upkeepctl presents results: aligned tables, times as a person reads them ("in 3h", "2min ago"),
 * and the exit status a daemon error stands for. Pure logic, no bus: tests/unit/test-ctl-format.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "time-util.h"

/* Exit statuses beyond 0, 1 and EXIT_USAGE (cli.h), documented in --help and upkeepctl(1). */
enum {
        EXIT_NO_SUCH         = 4,  /* no such app or version */
        EXIT_NOT_AUTHORIZED  = 5,  /* polkit said no, or would have asked and was not allowed to */
        EXIT_TRY_LATER       = 6,  /* the app is busy or paused */
        EXIT_REFUSED         = 7,  /* a channel or release failed verification */
        EXIT_HOSTS_FAILED    = 8,  /* of several hosts, one or more could not be asked */
};

/* The exit status for a failed call that answered with the D-Bus error NAME. */
int exit_status_from_bus_error(const char *name);

typedef struct Table Table;

/* A table of n_columns, with headers[] as its first row. Cells are copied. */
int table_new(size_t n_columns, const char *const *headers, Table **ret);
Table *table_free(Table *t);
static inline void table_freep(Table **t) {
        table_free(*t);
}

/* Appends one row of exactly as many cells as the table has columns; NULL or "" shows as "-". */
int table_add_row(Table *t, const char *const *cells);
size_t table_n_rows(const Table *t);  /* without the header */

/* Columns padded to their widest cell and separated by two spaces, one line per row, no trailing
 * blanks. Widths count UTF-8 characters, not bytes. */
int table_format(const Table *t, bool header, char **ret);

#define RELATIVE_MAX 64

/* "in 3h 5min", "2min ago" or "now", keeping the two largest units only: a person planning around
 * an update wants its order of magnitude, not its second. */
char *format_relative(char *buf, size_t size, usec_t t, usec_t now);

#define TIMESTAMP_LOCAL_MAX 64

/* "Tue 2026-01-20 10:00:00 CET" in the local time zone, as systemctl shows times; NULL when t does not
 * fit. */
char *format_timestamp_local(char *buf, size_t size, usec_t t);
