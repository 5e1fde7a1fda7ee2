/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The assertions of tests.h themselves: each failing one aborts with its message, each passing one
 * lets the test go on, each evaluates its arguments exactly once, and none of this depends on NDEBUG
 * (tools/test.sh also runs the unit tests built with -Db_ndebug=true). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests.h"

/* Runs f in a child with its stdout and stderr in a pipe; the child's status, its output in buf. (Not
 * in the test's own output: tools/test.sh counts "skipped: " lines there.) */
static int run_child(void (*f)(void), char *buf, size_t size) {
        int fds[2], status;
        size_t n = 0;
        ssize_t k;
        pid_t pid;

        ASSERT_OK_ZERO_ERRNO(pipe(fds));
        fflush(stdout);
        pid = fork();
        ASSERT_OK_ERRNO(pid);
        if (pid == 0) {
                ASSERT_OK_ERRNO(dup2(fds[1], STDOUT_FILENO));
                ASSERT_OK_ERRNO(dup2(fds[1], STDERR_FILENO));
                close(fds[0]);
                close(fds[1]);
                f();
                _exit(0);
        }
        close(fds[1]);
        while (n + 1 < size && (k = read(fds[0], buf + n, size - 1 - n)) > 0)
                n += (size_t) k;
        buf[n] = 0;
        close(fds[0]);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        return status;
}

static void expect_abort(const char *name, void (*f)(void), const char *message) {
        char buf[4096];
        int status = run_child(f, buf, sizeof buf);

        printf("  %s fails\n", name);
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
                TEST_FAIL("%s: child did not abort (status 0x%x), stderr: %s", name, (unsigned) status, buf);
        if (!strstr(buf, "assertion failed: ") || !strstr(buf, message))
                TEST_FAIL("%s: stderr lacks \"%s\": %s", name, message, buf);
        if (!strstr(buf, "test-tests-h.c:"))
                TEST_FAIL("%s: stderr does not name the file: %s", name, buf);
}

static void expect_pass(const char *name, void (*f)(void)) {
        char buf[4096];
        int status = run_child(f, buf, sizeof buf);

        printf("  %s passes\n", name);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                TEST_FAIL("%s: child failed (status 0x%x), stderr: %s", name, (unsigned) status, buf);
}

static int minus(int e) {
        return -e;
}

static const char *str(const char *s) {
        return s;
}

/* Each failing case, and the message it must print. */
static void fail_true(void) { ASSERT_TRUE(1 == 2); }
static void fail_false(void) { ASSERT_FALSE(2 == 2); }
static void fail_ok(void) { ASSERT_OK(minus(ENOENT)); }
static void fail_ok_zero(void) { ASSERT_OK_ZERO(minus(EINVAL)); }
static void fail_ok_zero_positive(void) { ASSERT_OK_ZERO(3); }
static void fail_ok_errno(void) { errno = 0; ASSERT_OK_ERRNO(close(-1)); }
static void fail_ok_zero_errno(void) { ASSERT_OK_ZERO_ERRNO(close(-1)); }
static void fail_error(void) { ASSERT_ERROR(minus(ENOENT), EINVAL); }
static void fail_error_success(void) { ASSERT_ERROR(0, EINVAL); }
static void fail_eq(void) { ASSERT_EQ(40 + 1, 42); }
static void fail_ne(void) { ASSERT_NE(7, 7); }
static void fail_lt(void) { ASSERT_LT(5, 5); }
static void fail_le(void) { ASSERT_LE(6, 5); }
static void fail_gt(void) { ASSERT_GT(5, 5); }
static void fail_ge(void) { ASSERT_GE(4, 5); }
static void fail_eq_u(void) { ASSERT_EQ_U(UINT64_MAX, UINT64_MAX - 1); }
static void fail_streq(void) { ASSERT_STREQ(str("abc"), "abd"); }
static void fail_streq_null(void) { ASSERT_STREQ(str(NULL), "x"); }
static void fail_strneq(void) { ASSERT_STRNEQ(str("same"), "same"); }
static void fail_null(void) { ASSERT_NULL(str("x")); }
static void fail_not_null(void) { ASSERT_NOT_NULL(str(NULL)); }
static void fail_memeq(void) { ASSERT_MEMEQ("abcd", "abXd", 4); }
static void fail_fail(void) { TEST_FAIL("because %d", 42); }

static void pass_all(void) {
        int n = 0;

        ASSERT_TRUE(2 == 2);
        ASSERT_FALSE(1 == 2);
        ASSERT_OK(0);
        ASSERT_OK(5);
        ASSERT_OK_ZERO(0);
        ASSERT_OK_ERRNO(dup(STDIN_FILENO));
        ASSERT_OK_ZERO_ERRNO(close(STDIN_FILENO));
        ASSERT_ERROR(minus(EINVAL), EINVAL);
        ASSERT_EQ(-1, -1);
        ASSERT_NE(1, 2);
        ASSERT_LT(-2, -1);
        ASSERT_LE(3, 3);
        ASSERT_GT(4, 3);
        ASSERT_GE(4, 4);
        ASSERT_EQ_U(UINT64_MAX, UINT64_MAX);
        ASSERT_STREQ(str("abc"), "abc");
        ASSERT_STREQ(str(NULL), NULL);
        ASSERT_STRNEQ(str("abc"), "abd");
        ASSERT_STRNEQ(str(NULL), "abd");
        ASSERT_NULL(str(NULL));
        ASSERT_NOT_NULL(str(""));
        ASSERT_MEMEQ("abcd", "abcd", 4);
        ASSERT_MEMEQ("abcd", "abXd", 2);

        /* Each argument is evaluated exactly once, failing or not. */
        ASSERT_TRUE(++n == 1);
        ASSERT_EQ(++n, 2);
        ASSERT_OK_ZERO(n++ - 2);
        ASSERT_STREQ(n++ == 3 ? "x" : "y", "x");
        ASSERT_MEMEQ(n++ == 4 ? "ab" : "cd", "ab", 2);
        if (n != 5) {
                fprintf(stderr, "arguments evaluated %d times, not 5\n", n);
                _exit(1);
        }
}

/* Skips: the whole program, or cases of it. */
static void skip_program(void) { test_skip("no such feature here"); }
static void case_runs(void) { test_case("case_runs"); }
static void case_skips(void) { test_case("case_skips"); test_skip_case("not here"); }
static void all_cases_skip(void) { case_skips(); case_skips(); exit(test_done()); }
static void some_cases_skip(void) { case_skips(); case_runs(); exit(test_done()); }
static void no_case_skips(void) { case_runs(); exit(test_done()); }

static void expect_exit(const char *name, void (*f)(void), int code, const char *output) {
        char buf[4096];
        int status = run_child(f, buf, sizeof buf);

        printf("  %s exits %d\n", name, code);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != code)
                TEST_FAIL("%s: child status 0x%x, expected exit %d", name, (unsigned) status, code);
        ASSERT_STREQ(buf, output);
}

int main(void) {
        static const struct {
                const char *name;
                void (*f)(void);
                const char *message;
        } failing[] = {
                { "ASSERT_TRUE", fail_true, "1 == 2" },
                { "ASSERT_FALSE", fail_false, "!(2 == 2)" },
                { "ASSERT_OK", fail_ok, "minus(ENOENT) >= 0: got -2 (No such file or directory)" },
                { "ASSERT_OK_ZERO", fail_ok_zero, "minus(EINVAL) == 0: got -22 Invalid argument" },
                { "ASSERT_OK_ZERO positive", fail_ok_zero_positive, "3 == 0: got 3" },
                { "ASSERT_OK_ERRNO", fail_ok_errno, "close(-1) >= 0: got -1, errno Bad file descriptor" },
                { "ASSERT_OK_ZERO_ERRNO", fail_ok_zero_errno, "close(-1) == 0: got -1, errno Bad file descriptor" },
                { "ASSERT_ERROR", fail_error, "got -2 (No such file or directory), expected -22 (Invalid argument)" },
                { "ASSERT_ERROR success", fail_error_success, "got 0 (not an error)" },
                { "ASSERT_EQ", fail_eq, "40 + 1 == 42: 41 == 42" },
                { "ASSERT_NE", fail_ne, "7 != 7: 7 != 7" },
                { "ASSERT_LT", fail_lt, "5 < 5: 5 < 5" },
                { "ASSERT_LE", fail_le, "6 <= 5: 6 <= 5" },
                { "ASSERT_GT", fail_gt, "5 > 5: 5 > 5" },
                { "ASSERT_GE", fail_ge, "4 >= 5: 4 >= 5" },
                { "ASSERT_EQ_U", fail_eq_u, "18446744073709551615 != 18446744073709551614" },
                { "ASSERT_STREQ", fail_streq, "\"abc\" != \"abd\"" },
                { "ASSERT_STREQ NULL", fail_streq_null, "\"(null)\" != \"x\"" },
                { "ASSERT_STRNEQ", fail_strneq, "both \"same\"" },
                { "ASSERT_NULL", fail_null, "str(\"x\") == NULL: got 0x" },
                { "ASSERT_NOT_NULL", fail_not_null, "str(NULL) != NULL" },
                { "ASSERT_MEMEQ", fail_memeq, "differ at byte 2: 0x63 != 0x58" },
                { "TEST_FAIL", fail_fail, "because 42" },
        };

        printf("failing assertions abort with their message\n");
        for (size_t i = 0; i < sizeof failing / sizeof failing[0]; i++)
                expect_abort(failing[i].name, failing[i].f, failing[i].message);

        printf("passing assertions do not\n");
        expect_pass("all", pass_all);

        printf("skips are exit code 77, and only when nothing was tested\n");
        expect_exit("test_skip", skip_program, EXIT_TEST_SKIP, "skipped: no such feature here\n");
        expect_exit("every case skipped", all_cases_skip, EXIT_TEST_SKIP,
                    "case_skips\nskipped: case_skips: not here\n"
                    "case_skips\nskipped: case_skips: not here\n"
                    "skipped: all 2 cases\n");
        expect_exit("one case of two skipped", some_cases_skip, 0,
                    "case_skips\nskipped: case_skips: not here\ncase_runs\n");
        expect_exit("no case skipped", no_case_skips, 0, "case_runs\n");
        return 0;
}
