/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "test-util.h"
#include "tests.h"

/* Logs one debug and one info line in a child with $SYSTEMD_LOG_LEVEL set to level (NULL = unset),
 * returning what it wrote to stderr. A child, since the level is read once per process. */
static char *log_in_child(const char *level) {
        static char buf[1024];
        int fds[2];
        ssize_t n, total = 0;
        pid_t pid;

        ASSERT_OK_ZERO_ERRNO(pipe(fds));
        pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
                if (level)
                        ASSERT_OK_ZERO_ERRNO(setenv("SYSTEMD_LOG_LEVEL", level, 1));
                else
                        ASSERT_OK_ZERO_ERRNO(unsetenv("SYSTEMD_LOG_LEVEL"));
                ASSERT_OK_ZERO_ERRNO(unsetenv("JOURNAL_STREAM"));
                ASSERT_EQ(dup2(fds[1], STDERR_FILENO), STDERR_FILENO);
                log_debug("a debug line");
                log_info("an info line");
                log_error("an error line");
                _exit(0);
        }
        close(fds[1]);
        while ((n = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0)
                total += n;
        buf[total] = 0;
        close(fds[0]);
        ASSERT_OK_ZERO(test_wait_child(pid));
        return buf;
}

static void test_default_is_info(void) {
        const char *out = log_in_child(NULL);

        printf("%s\n", __func__);
        ASSERT_NULL(strstr(out, "a debug line"));
        ASSERT_NOT_NULL(strstr(out, "an info line"));
}

static void test_debug_by_name_and_number(void) {
        printf("%s\n", __func__);
        ASSERT_NOT_NULL(strstr(log_in_child("debug"), "a debug line"));
        ASSERT_NOT_NULL(strstr(log_in_child("7"), "a debug line"));
}

static void test_quieter(void) {
        const char *out = log_in_child("err");

        printf("%s\n", __func__);
        ASSERT_NULL(strstr(out, "an info line"));
        ASSERT_NOT_NULL(strstr(out, "an error line"));
        ASSERT_NULL(strstr(log_in_child("3"), "an info line"));
}

static void test_invalid_is_info(void) {
        const char *out = log_in_child("loud");

        printf("%s\n", __func__);
        ASSERT_NULL(strstr(out, "a debug line"));
        ASSERT_NOT_NULL(strstr(out, "an info line"));
        ASSERT_NOT_NULL(strstr(log_in_child("77"), "an info line"));
}

int main(void) {
        test_default_is_info();
        test_debug_by_name_and_number();
        test_quieter();
        test_invalid_is_info();
        return 0;
}
