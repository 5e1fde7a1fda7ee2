/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeepctl's presentation logic: exit statuses, tables, relative and local times. */
#include <stdio.h>
#include <time.h>
#include <systemd/sd-bus-protocol.h>

/* ctl-format.c belongs to upkeepctl, not to the shared library; tests/unit/meson.build builds it
 * into this test. */
#include "bus-error.h"
#include "cli.h"
#include "ctl-format.h"
#include "macro.h"
#include "tests.h"

static void test_exit_status_from_bus_error(void) {
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_NO_SUCH_APP), EXIT_NO_SUCH);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_NO_SUCH_VERSION), EXIT_NO_SUCH);
        ASSERT_EQ(exit_status_from_bus_error(SD_BUS_ERROR_ACCESS_DENIED), EXIT_NOT_AUTHORIZED);
        ASSERT_EQ(exit_status_from_bus_error(SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED), EXIT_NOT_AUTHORIZED);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_BUSY), EXIT_TRY_LATER);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_PAUSED), EXIT_TRY_LATER);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_BACKING_OFF), EXIT_TRY_LATER);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_INVALID_VERSION), EXIT_USAGE);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_NOT_SUPPORTED), EXIT_FAILURE);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_NOT_ALLOWED), EXIT_FAILURE);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_SIGNATURE_INVALID), EXIT_REFUSED);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_HASH_MISMATCH), EXIT_REFUSED);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_RELEASE_TOO_LARGE), EXIT_REFUSED);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_CHANNEL_REPLAYED), EXIT_REFUSED);
        /* Not refusals: trying again may well work. */
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_DOWNLOAD_FAILED), EXIT_FAILURE);
        ASSERT_EQ(exit_status_from_bus_error(BUS_ERROR_ROLLED_BACK), EXIT_FAILURE);
        ASSERT_EQ(exit_status_from_bus_error("System.Error.ENOSPC"), EXIT_FAILURE);
        ASSERT_EQ(exit_status_from_bus_error(SD_BUS_ERROR_SERVICE_UNKNOWN), EXIT_FAILURE);
        ASSERT_EQ(exit_status_from_bus_error("org.example.Whatever"), EXIT_FAILURE);
        ASSERT_EQ(exit_status_from_bus_error(NULL), EXIT_FAILURE);
}

static void assert_table(const Table *t, bool header, const char *expected) {
        _cleanup_free_ char *s = NULL;

        ASSERT_OK_ZERO(table_format(t, header, &s));
        if (!streq(s, expected)) {
                fprintf(stderr, "got:\n%s\nexpected:\n%s\n", s, expected);
                abort();
        }
}

static void test_table_aligns_columns(void) {
        _cleanup_(table_freep) Table *t = NULL;

        ASSERT_OK_ZERO(table_new(3, (const char *const[]) { "APP", "CURRENT", "STATE" }, &t));
        ASSERT_OK_ZERO(table_add_row(t, (const char *const[]) { "example", "1.4.2", "idle" }));
        ASSERT_OK_ZERO(table_add_row(t, (const char *const[]) { "db", "10.0.0-rc.1", "scheduled" }));
        ASSERT_EQ(table_n_rows(t), 2);

        assert_table(t, true,
                     "APP      CURRENT      STATE\n"
                     "example  1.4.2        idle\n"
                     "db       10.0.0-rc.1  scheduled\n");
}

static void test_table_without_header(void) {
        _cleanup_(table_freep) Table *t = NULL;

        /* Widths come from the rows shown only: a long header does not widen --no-legend output. */
        ASSERT_OK_ZERO(table_new(2, (const char *const[]) { "APPLICATION", "VERSION" }, &t));
        ASSERT_OK_ZERO(table_add_row(t, (const char *const[]) { "a", "1.0.0" }));
        ASSERT_OK_ZERO(table_add_row(t, (const char *const[]) { "bcd", "2.0.0" }));

        assert_table(t, false,
                     "a    1.0.0\n"
                     "bcd  2.0.0\n");
}

static void test_table_empty_cells_show_dash(void) {
        _cleanup_(table_freep) Table *t = NULL;

        ASSERT_OK_ZERO(table_new(3, (const char *const[]) { "A", "B", "C" }, &t));
        ASSERT_OK_ZERO(table_add_row(t, (const char *const[]) { NULL, "", "x" }));

        assert_table(t, true,
                     "A  B  C\n"
                     "-  -  x\n");
}

static void test_table_no_trailing_blanks(void) {
        _cleanup_(table_freep) Table *t = NULL;

        ASSERT_OK_ZERO(table_new(2, (const char *const[]) { "NAME", "X" }, &t));
        ASSERT_OK_ZERO(table_add_row(t, (const char *const[]) { "n", "a-long-last-cell" }));
        ASSERT_OK_ZERO(table_add_row(t, (const char *const[]) { "n", "short" }));

        assert_table(t, true,
                     "NAME  X\n"
                     "n     a-long-last-cell\n"
                     "n     short\n");
}

static void test_table_utf8_width(void) {
        _cleanup_(table_freep) Table *t = NULL;

        /* "café" is four columns wide, though five bytes long. */
        ASSERT_OK_ZERO(table_new(2, (const char *const[]) { "APP", "V" }, &t));
        ASSERT_OK_ZERO(table_add_row(t, (const char *const[]) { "café", "1" }));
        ASSERT_OK_ZERO(table_add_row(t, (const char *const[]) { "tea", "2" }));

        assert_table(t, true,
                     "APP   V\n"
                     "café  1\n"
                     "tea   2\n");
}

static void test_table_header_only(void) {
        _cleanup_(table_freep) Table *t = NULL;

        ASSERT_OK_ZERO(table_new(2, (const char *const[]) { "TIME", "HOW" }, &t));
        ASSERT_EQ(table_n_rows(t), 0);
        assert_table(t, true, "TIME  HOW\n");
        assert_table(t, false, "");
}

static void test_table_new_refuses_no_columns(void) {
        Table *t = NULL;

        ASSERT_ERROR(table_new(0, (const char *const[]) { NULL }, &t), EINVAL);
        ASSERT_NULL(t);
}

static void assert_relative(usec_t t, usec_t now, const char *expected) {
        char buf[RELATIVE_MAX];

        format_relative(buf, sizeof buf, t, now);
        if (!streq(buf, expected)) {
                fprintf(stderr, "format_relative: got '%s', expected '%s'\n", buf, expected);
                abort();
        }
}

static void test_format_relative(void) {
        const usec_t now = 1700000000ULL * USEC_PER_SEC;

        assert_relative(now, now, "now");
        assert_relative(now + 500 * USEC_PER_MSEC, now, "now");
        assert_relative(now - 999 * USEC_PER_MSEC, now, "now");
        assert_relative(now + 45 * USEC_PER_SEC, now, "in 45s");
        assert_relative(now - 2 * USEC_PER_MINUTE, now, "2min ago");
        assert_relative(now - 2 * USEC_PER_MINUTE - 5 * USEC_PER_SEC - 300 * USEC_PER_MSEC, now, "2min 5s ago");
        assert_relative(now + 3 * USEC_PER_HOUR, now, "in 3h");
        assert_relative(now + 3 * USEC_PER_HOUR + 5 * USEC_PER_MINUTE + 20 * USEC_PER_SEC, now, "in 3h 5min");
        assert_relative(now + 2 * USEC_PER_DAY + 7 * USEC_PER_HOUR + 3 * USEC_PER_MINUTE, now, "in 2d 7h");
        assert_relative(now - 15 * USEC_PER_DAY - 5 * USEC_PER_HOUR, now, "2w 1d ago");
}

static void test_format_relative_small_buffer(void) {
        char buf[5];

        /* Truncated, never overrun, always terminated. */
        format_relative(buf, sizeof buf, 3 * USEC_PER_HOUR, 0);
        ASSERT_STREQ(buf, "in 3");
}

static void test_format_timestamp_local(void) {
        char buf[TIMESTAMP_LOCAL_MAX], tiny[8];

        ASSERT_OK_ZERO_ERRNO(setenv("TZ", "UTC", 1));
        tzset();

        ASSERT_STREQ(format_timestamp_local(buf, sizeof buf, 0), "Thu 1970-01-01 00:00:00 UTC");
        /* 2026-01-20T10:00:00Z, microseconds dropped. */
        ASSERT_STREQ(format_timestamp_local(buf, sizeof buf, 1768903200ULL * USEC_PER_SEC + 999999),
                     "Tue 2026-01-20 10:00:00 UTC");
        ASSERT_FALSE(format_timestamp_local(buf, sizeof buf, USEC_INFINITY));
        ASSERT_FALSE(format_timestamp_local(tiny, sizeof tiny, 0));

        ASSERT_OK_ZERO_ERRNO(setenv("TZ", "XYZ-2", 1));  /* POSIX TZ: zone XYZ, two hours east of UTC, no tzdata needed */
        tzset();
        ASSERT_STREQ(format_timestamp_local(buf, sizeof buf, 1768903200ULL * USEC_PER_SEC),
                     "Tue 2026-01-20 12:00:00 XYZ");
}

int main(void) {
        test_exit_status_from_bus_error();
        test_table_aligns_columns();
        test_table_without_header();
        test_table_empty_cells_show_dash();
        test_table_no_trailing_blanks();
        test_table_utf8_width();
        test_table_header_only();
        test_table_new_refuses_no_columns();
        test_format_relative();
        test_format_relative_small_buffer();
        test_format_timestamp_local();
        return 0;
}
