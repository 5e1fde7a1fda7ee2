/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio's read_full_fd(), on pipes (no size to expect) and with a size hint that is wrong. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "tests.h"

/* A pipe holding data, its write end closed. */
static int pipe_with(const char *data, size_t size) {
        int fds[2];

        ASSERT_OK_ZERO(pipe2(fds, O_CLOEXEC));
        ASSERT_OK_ZERO(loop_write(fds[1], data, size));
        ASSERT_OK_ZERO(close(fds[1]));
        return fds[0];
}

/* The whole of what a pipe holds comes back, NUL-terminated, with its size. */
static void test_pipe(void) {
        static const struct {
                const char *data;
                size_t max_size;
        } cases[] = {
                { "hello", 5 },
                { "",      0 },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *s = NULL;
                _cleanup_close_ int fd = -EBADF;
                size_t n = strlen(cases[i].data), size = SIZE_MAX;

                fd = pipe_with(cases[i].data, n);
                ASSERT_OK_ZERO(read_full_fd(fd, cases[i].max_size, 0, &s, &size));
                ASSERT_EQ_U(size, n);
                ASSERT_STREQ(s, cases[i].data);
        }
}

static void test_limit(void) {
        _cleanup_free_ char *s = NULL;
        _cleanup_close_ int fd = -EBADF, fd2 = -EBADF;

        printf("%s\n", __func__);

        fd = pipe_with("hello", 5);
        ASSERT_ERROR(read_full_fd(fd, 4, 0, &s, NULL), EFBIG);
        ASSERT_NULL(s);

        /* A hint larger than the limit, or smaller than what comes, changes nothing. */
        fd2 = pipe_with("hello", 5);
        ASSERT_OK_ZERO(read_full_fd(fd2, 100, 1, &s, NULL));
        ASSERT_STREQ(s, "hello");
}

static void test_large(void) {
        _cleanup_free_ char *data = NULL, *s = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t n = 40000, size = 0;   /* under a pipe's buffer, more than one doubling */

        printf("%s\n", __func__);

        data = malloc(n);
        ASSERT_NOT_NULL(data);
        for (size_t i = 0; i < n; i++)
                data[i] = (char) ('a' + i % 26);

        fd = pipe_with(data, n);
        ASSERT_OK_ZERO(read_full_fd(fd, SIZE_MAX, 0, &s, &size));
        ASSERT_EQ(size, n);
        ASSERT_TRUE(memcmp(s, data, n) == 0);
        ASSERT_EQ(s[n], 0);
}

int main(void) {
        test_pipe();
        test_limit();
        test_large();
        return 0;
}
