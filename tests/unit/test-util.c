/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"
#include "tests.h"

void test_tmpdir_remove(const char *path) {
        char *cmd = NULL;

        /* Staged trees are read-only; rm -rf copes as root, chmod first for everyone else. */
        ASSERT_GT(asprintf(&cmd, "chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", path, path), 0);
        (void) system(cmd);
        free(cmd);
}

int test_open_fresh_dir(const char *parent, const char *name) {
        int parent_fd, dir_fd;

        parent_fd = open(parent, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK_ERRNO(parent_fd);
        ASSERT_OK_ZERO_ERRNO(mkdirat(parent_fd, name, 0755));
        dir_fd = openat(parent_fd, name, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK_ERRNO(dir_fd);
        close(parent_fd);
        return dir_fd;
}

size_t test_count_entries(int dir_fd) {
        DIR *d = fdopendir(dup(dir_fd));
        size_t n = 0;

        ASSERT_NOT_NULL(d);
        rewinddir(d);
        for (struct dirent *de; (de = readdir(d));)
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

char *test_make_content(size_t size, uint64_t seed) {
        char *p = malloc(size + 1);
        uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;

        ASSERT_NOT_NULL(p);
        for (size_t i = 0; i < size; i++) {
                /* xorshift64 */
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                p[i] = (char) (x >> 24);
        }
        p[size] = 0;
        return p;
}

int test_wait_child(pid_t pid) {
        int status;

        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (WIFSIGNALED(status))
                TEST_FAIL("child %jd killed by signal %s", (intmax_t) pid, strsignal(WTERMSIG(status)));
        ASSERT_TRUE(WIFEXITED(status));
        return WEXITSTATUS(status);
}
