/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fileio's rename_into_place_at(): the temporary name, its retry, and what is left on failure. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "tests.h"

static unsigned n_calls;

static int make_link(int dir_fd, const char *tmp, void *userdata) {
        n_calls++;
        ASSERT_TRUE(strncmp(tmp, ".#", 2) == 0);
        if (symlinkat(userdata, dir_fd, tmp) < 0)
                return -errno;
        return 0;
}

static int taken_twice(int dir_fd, const char *tmp, void *userdata) {
        if (n_calls++ < 2)
                return -EEXIST;
        if (symlinkat(userdata, dir_fd, tmp) < 0)
                return -errno;
        return 0;
}

static int always_taken(int dir_fd, const char *tmp, void *userdata) {
        n_calls++;
        return -EEXIST;
}

static int refused(int dir_fd, const char *tmp, void *userdata) {
        return -EACCES;
}

static unsigned n_entries(int dir_fd) {
        DIR *d = fdopendir(dup(dir_fd));
        unsigned n = 0;

        ASSERT_NOT_NULL(d);
        rewinddir(d);  /* the descriptor shares its offset with dir_fd */
        for (struct dirent *de; (de = readdir(d));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

static void check_link(int dir_fd, const char *want) {
        char buf[64];
        ssize_t n = readlinkat(dir_fd, "current", buf, sizeof buf - 1);

        ASSERT_GT(n, 0);
        buf[n] = 0;
        ASSERT_STREQ(buf, want);
}

int main(void) {
        char dir[] = "/tmp/test-rename-into-place-XXXXXX";
        _cleanup_close_ int dir_fd = -EBADF;

        ASSERT_NOT_NULL(mkdtemp(dir));
        dir_fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK(dir_fd);

        /* Made, then replaced: one entry, no temporary one left. */
        ASSERT_OK_ZERO(rename_into_place_at(dir_fd, "current", make_link, (void *) "a"));
        check_link(dir_fd, "a");
        ASSERT_OK_ZERO(rename_into_place_at(dir_fd, "current", make_link, (void *) "b"));
        check_link(dir_fd, "b");
        ASSERT_EQ(n_entries(dir_fd), 1);

        /* A taken name is tried again under another. */
        n_calls = 0;
        ASSERT_OK_ZERO(rename_into_place_at(dir_fd, "current", taken_twice, (void *) "c"));
        ASSERT_EQ(n_calls, 3);
        check_link(dir_fd, "c");

        /* But not for ever; and other errors end it at once. Nothing changes either way. */
        n_calls = 0;
        ASSERT_ERROR(rename_into_place_at(dir_fd, "current", always_taken, NULL), EEXIST);
        ASSERT_GT(n_calls, 1);
        ASSERT_ERROR(rename_into_place_at(dir_fd, "current", refused, NULL), EACCES);
        check_link(dir_fd, "c");
        ASSERT_EQ(n_entries(dir_fd), 1);

        /* A rename that fails (over a non-empty directory) leaves no temporary entry behind. */
        ASSERT_OK_ZERO(mkdirat(dir_fd, "full", 0755));
        ASSERT_OK_ZERO(mkdirat(dir_fd, "full/x", 0755));
        ASSERT_TRUE(rename_into_place_at(dir_fd, "full", make_link, (void *) "d") < 0);
        ASSERT_EQ(n_entries(dir_fd), 2);

        ASSERT_OK_ZERO(unlinkat(dir_fd, "full/x", AT_REMOVEDIR));
        ASSERT_OK_ZERO(unlinkat(dir_fd, "full", AT_REMOVEDIR));
        ASSERT_OK_ZERO(unlinkat(dir_fd, "current", 0));
        ASSERT_OK_ZERO(rmdir(dir));
        return 0;
}
