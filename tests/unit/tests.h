/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Assertions for unit tests. Unlike assert(), they are compiled in whatever NDEBUG says, evaluate
 * their arguments exactly once, and say what failed: file, line, the expression and the values on
 * both sides. A failed one aborts the test, which meson then reports as failed.
 *
 *   ASSERT_TRUE(x)  ASSERT_FALSE(x)
 *   ASSERT_OK(r)          r >= 0 (a negative errno is printed by name)
 *   ASSERT_OK_ZERO(r)     r == 0
 *   ASSERT_OK_ERRNO(r)    r >= 0, for libc calls that return -1 and set errno (printed by name)
 *   ASSERT_OK_ZERO_ERRNO(r)  r == 0, likewise
 *   ASSERT_ERROR(r, E)    r == -E, for a positive errno constant E
 *   ASSERT_EQ(a, b) ASSERT_NE(a, b) ASSERT_LT/LE/GT/GE(a, b)   integers, compared as intmax_t
 *   ASSERT_EQ_U(a, b)                                          unsigned, compared as uintmax_t
 *   ASSERT_STREQ(a, b) ASSERT_STRNEQ(a, b)                     strings, NULL allowed
 *   ASSERT_NULL(p) ASSERT_NOT_NULL(p)
 *   ASSERT_MEMEQ(a, b, n) the n bytes at a and b are equal (the first difference is printed)
 *   TEST_FAIL(fmt, ...)   fails unconditionally, with a printf-style message
 *
 * Skipping. A test that cannot run here says why and is counted as skipped, never as passed:
 *   - test_skip("why") prints "skipped: why" and exits 77, which meson counts as skipped (and
 *     tools/test.sh, when strict, as a failure). A test program calls it when nothing in it can run.
 *   - In a program of several cases (functions starting with test_case(__func__)) of which one
 *     cannot run here, that case calls test_skip_case("why %s", ...), which prints "skipped: CASE:
 *     why" and returns, and the others still run. main() returns test_done(): 77 when every case
 *     skipped itself, 0 otherwise. So a program that tested nothing is skipped as a whole, and one
 *     that tested something passes with its skipped cases in its output (tools/test.sh lists
 *     them, and when strict fails on them too).
 *   - A case that cannot run says so and skips: it never returns quietly as if it had passed, and
 *     never takes "not supported here" from the code under test for the environment's answer
 *     (probe the feature separately first). */
#pragma once

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_TEST_SKIP 77

_Noreturn static inline void test_fail(const char *file, int line, const char *func, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
_Noreturn static inline void test_fail(const char *file, int line, const char *func, const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "%s:%i: %s: assertion failed: ", file, line, func);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        fflush(stdout);
        abort();
}

_Noreturn static inline void test_skip(const char *why) {
        printf("skipped: %s\n", why);
        fflush(stdout);
        exit(EXIT_TEST_SKIP);
}

#define TEST_FAIL(...) test_fail(__FILE__, __LINE__, __func__, __VA_ARGS__)

/* Cases run and skipped so far, for test_done(). A case is a function that calls test_case(__func__)
 * first; test_skip_case() names the case that is running. */
static unsigned test_cases_run, test_cases_skipped;
static const char *test_case_name;

static inline void test_case(const char *name) {
        printf("%s\n", name);
        fflush(stdout);
        test_case_name = name;
        test_cases_run++;
}

#define test_skip_case(...) test_skip_case_in(__func__, __VA_ARGS__)
static inline void test_skip_case_in(const char *func, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void test_skip_case_in(const char *func, const char *fmt, ...) {
        va_list ap;

        printf("skipped: %s: ", test_case_name ?: func);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
        test_cases_skipped++;
}

/* The exit status of main(): 77 when every case skipped itself, 0 otherwise. */
static inline int test_done(void) {
        if (test_cases_run > 0 && test_cases_skipped >= test_cases_run) {
                printf("skipped: all %u cases\n", test_cases_run);
                return EXIT_TEST_SKIP;
        }
        return 0;
}

#define ASSERT_TRUE(expr)                                                               \
        do {                                                                            \
                if (!(expr))                                                            \
                        TEST_FAIL("%s", #expr);                                         \
        } while (0)

#define ASSERT_FALSE(expr)                                                              \
        do {                                                                            \
                if (expr)                                                               \
                        TEST_FAIL("!(%s)", #expr);                                      \
        } while (0)

#define ASSERT_OK(expr)                                                                 \
        do {                                                                            \
                intmax_t _r = (intmax_t) (expr);                                        \
                if (_r < 0)                                                             \
                        TEST_FAIL("%s >= 0: got %jd (%s)", #expr, _r, strerror((int) -_r)); \
        } while (0)

#define ASSERT_OK_ERRNO(expr)                                                           \
        do {                                                                            \
                intmax_t _r = (intmax_t) (expr);                                        \
                if (_r < 0)                                                             \
                        TEST_FAIL("%s >= 0: got %jd, errno %s", #expr, _r, strerror(errno)); \
        } while (0)

#define ASSERT_OK_ZERO_ERRNO(expr)                                                      \
        do {                                                                            \
                intmax_t _r = (intmax_t) (expr);                                        \
                if (_r != 0)                                                            \
                        TEST_FAIL("%s == 0: got %jd, errno %s", #expr, _r, strerror(errno)); \
        } while (0)

#define ASSERT_OK_ZERO(expr)                                                            \
        do {                                                                            \
                intmax_t _r = (intmax_t) (expr);                                        \
                if (_r != 0)                                                            \
                        TEST_FAIL("%s == 0: got %jd%s%s", #expr, _r,                    \
                                  _r < 0 ? " " : "", _r < 0 ? strerror((int) -_r) : ""); \
        } while (0)

#define ASSERT_ERROR(expr, err)                                                         \
        do {                                                                            \
                intmax_t _r = (intmax_t) (expr), _e = (intmax_t) (err);                 \
                if (_r != -_e)                                                          \
                        TEST_FAIL("%s == -%s: got %jd (%s), expected -%jd (%s)", #expr, #err, \
                                  _r, _r < 0 ? strerror((int) -_r) : "not an error",    \
                                  _e, strerror((int) _e));                              \
        } while (0)

#define _ASSERT_CMP(a, op, b)                                                           \
        do {                                                                            \
                intmax_t _a = (intmax_t) (a), _b = (intmax_t) (b);                      \
                if (!(_a op _b))                                                        \
                        TEST_FAIL("%s %s %s: %jd %s %jd", #a, #op, #b, _a, #op, _b);    \
        } while (0)

#define ASSERT_EQ(a, b) _ASSERT_CMP(a, ==, b)
#define ASSERT_NE(a, b) _ASSERT_CMP(a, !=, b)
#define ASSERT_LT(a, b) _ASSERT_CMP(a, <, b)
#define ASSERT_LE(a, b) _ASSERT_CMP(a, <=, b)
#define ASSERT_GT(a, b) _ASSERT_CMP(a, >, b)
#define ASSERT_GE(a, b) _ASSERT_CMP(a, >=, b)

/* Unsigned values too large for intmax_t (e.g. UINT64_MAX) are compared as uintmax_t. */
#define ASSERT_EQ_U(a, b)                                                               \
        do {                                                                            \
                uintmax_t _a = (uintmax_t) (a), _b = (uintmax_t) (b);                   \
                if (_a != _b)                                                           \
                        TEST_FAIL("%s == %s: %ju != %ju", #a, #b, _a, _b);              \
        } while (0)

static inline bool test_streq(const char *a, const char *b) {
        return a && b ? strcmp(a, b) == 0 : a == b;
}

#define ASSERT_STREQ(a, b)                                                              \
        do {                                                                            \
                const char *_a = (a), *_b = (b);                                        \
                if (!test_streq(_a, _b))                                                \
                        TEST_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,                 \
                                  _a ?: "(null)", _b ?: "(null)");                      \
        } while (0)

#define ASSERT_STRNEQ(a, b)                                                             \
        do {                                                                            \
                const char *_a = (a), *_b = (b);                                        \
                if (test_streq(_a, _b))                                                 \
                        TEST_FAIL("%s != %s: both \"%s\"", #a, #b, _a ?: "(null)");     \
        } while (0)

#define ASSERT_NULL(p)                                                                  \
        do {                                                                            \
                const void *_p = (p);                                                   \
                if (_p)                                                                 \
                        TEST_FAIL("%s == NULL: got %p", #p, _p);                        \
        } while (0)

#define ASSERT_NOT_NULL(p)                                                              \
        do {                                                                            \
                const void *_p = (p);                                                   \
                if (!_p)                                                                \
                        TEST_FAIL("%s != NULL", #p);                                    \
        } while (0)

static inline size_t test_memdiff(const void *a, const void *b, size_t n) {
        const unsigned char *x = a, *y = b;
        size_t i = 0;

        while (i < n && x[i] == y[i])
                i++;
        return i;
}

#define ASSERT_MEMEQ(a, b, n)                                                           \
        do {                                                                            \
                const void *_a = (a), *_b = (b);                                        \
                size_t _n = (n), _i = test_memdiff(_a, _b, _n);                         \
                if (_i < _n)                                                            \
                        TEST_FAIL("%s == %s (%zu bytes): differ at byte %zu: 0x%02x != 0x%02x", \
                                  #a, #b, _n, _i, ((const unsigned char *) _a)[_i],     \
                                  ((const unsigned char *) _b)[_i]);                    \
        } while (0)
