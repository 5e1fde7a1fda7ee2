/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"

static char tmpdir[] = "/tmp/test-fileio-XXXXXX";

/* Entries of the directory other than "." and "..", and whether each is in names. */
static size_t count_entries(int dir_fd, const char *const *names) {
        DIR *d;
        size_t n = 0;

        d = fdopendir(dup(dir_fd));
        assert(d);
        rewinddir(d);

        for (struct dirent *de; (de = readdir(d));) {
                bool listed = false;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                for (const char *const *i = names; *i; i++)
                        if (streq(*i, de->d_name))
                                listed = true;
                if (!listed) {
                        fprintf(stderr, "unexpected file left behind: %s\n", de->d_name);
                        assert(false);
                }
                n++;
        }

        closedir(d);
        return n;
}

static int open_fresh_dir(const char *name) {
        int dir_fd, fd;

        fd = open(tmpdir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        assert(fd >= 0);
        assert(mkdirat(fd, name, 0755) == 0);
        dir_fd = openat(fd, name, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        assert(dir_fd >= 0);
        close(fd);
        return dir_fd;
}

static void assert_content(int dir_fd, const char *name, const char *expected) {
        _cleanup_free_ char *s = NULL;
        size_t size = 0;

        assert(read_file_at(dir_fd, name, 1024, &s, &size) == 0);
        assert(size == strlen(expected));
        assert(streq(s, expected));
}

static void test_write_new(void) {
        _cleanup_close_ int dir_fd = open_fresh_dir("new");

        printf("%s\n", __func__);

        assert(write_file_atomic_at(dir_fd, "a.json", "hello\n", 6, 0644) == 0);
        assert_content(dir_fd, "a.json", "hello\n");
        assert(count_entries(dir_fd, (const char *const[]) { "a.json", NULL }) == 1);
}

static void test_write_replaces(void) {
        _cleanup_close_ int dir_fd = open_fresh_dir("replace");
        struct stat before, after;

        printf("%s\n", __func__);

        assert(write_file_atomic_at(dir_fd, "state", "first version, long", 19, 0644) == 0);
        assert(fstatat(dir_fd, "state", &before, 0) == 0);

        assert(write_file_atomic_at(dir_fd, "state", "second", 6, 0644) == 0);
        assert_content(dir_fd, "state", "second");
        assert(fstatat(dir_fd, "state", &after, 0) == 0);
        /* Replaced by rename, not rewritten in place: a reader holding the old file keeps it whole. */
        assert(before.st_ino != after.st_ino);

        assert(write_file_atomic_at(dir_fd, "state", "", 0, 0644) == 0);
        assert_content(dir_fd, "state", "");

        assert(count_entries(dir_fd, (const char *const[]) { "state", NULL }) == 1);
}

static void test_write_keeps_old_file_open(void) {
        _cleanup_close_ int dir_fd = open_fresh_dir("open"), fd = -EBADF;
        char buf[16] = {};

        printf("%s\n", __func__);

        assert(write_file_atomic_at(dir_fd, "f", "old", 3, 0644) == 0);
        fd = openat(dir_fd, "f", O_RDONLY|O_CLOEXEC);
        assert(fd >= 0);

        assert(write_file_atomic_at(dir_fd, "f", "new", 3, 0644) == 0);
        assert(read(fd, buf, sizeof buf - 1) == 3);
        assert(streq(buf, "old"));
        assert_content(dir_fd, "f", "new");
}

static void test_write_mode(void) {
        _cleanup_close_ int dir_fd = open_fresh_dir("mode");
        mode_t old_umask;
        struct stat st;

        printf("%s\n", __func__);

        /* The mode is exact, whatever the umask would have taken away. */
        old_umask = umask(0077);
        assert(write_file_atomic_at(dir_fd, "public", "x", 1, 0644) == 0);
        umask(old_umask);
        assert(fstatat(dir_fd, "public", &st, 0) == 0);
        assert(S_ISREG(st.st_mode));
        assert((st.st_mode & 07777) == 0644);

        assert(write_file_atomic_at(dir_fd, "secret", "x", 1, 0600) == 0);
        assert(fstatat(dir_fd, "secret", &st, 0) == 0);
        assert((st.st_mode & 07777) == 0600);

        /* Replacing takes the new mode. */
        assert(write_file_atomic_at(dir_fd, "public", "y", 1, 0640) == 0);
        assert(fstatat(dir_fd, "public", &st, 0) == 0);
        assert((st.st_mode & 07777) == 0640);

        assert(count_entries(dir_fd, (const char *const[]) { "public", "secret", NULL }) == 2);
}

static void test_write_binary_and_large(void) {
        _cleanup_close_ int dir_fd = open_fresh_dir("large");
        _cleanup_free_ char *data = NULL, *back = NULL;
        size_t n = 3 * 1024 * 1024 + 17, size = 0;

        printf("%s\n", __func__);

        data = malloc(n);
        assert(data);
        for (size_t i = 0; i < n; i++)
                data[i] = (char) (i * 7 + 3);

        assert(write_file_atomic_at(dir_fd, "blob", data, n, 0644) == 0);
        assert(read_file_at(dir_fd, "blob", n, &back, &size) == 0);
        assert(size == n);
        assert(memcmp(back, data, n) == 0);
        assert(back[n] == 0);
}

static void test_write_failure_leaves_nothing(void) {
        _cleanup_close_ int dir_fd = open_fresh_dir("fail");

        printf("%s\n", __func__);

        /* rename() of a file over a directory fails after the temporary file was written. */
        assert(mkdirat(dir_fd, "target", 0755) == 0);
        assert(write_file_atomic_at(dir_fd, "target", "x", 1, 0644) < 0);
        assert(count_entries(dir_fd, (const char *const[]) { "target", NULL }) == 1);

        /* Names that are paths are refused before anything is created. */
        assert(write_file_atomic_at(dir_fd, "target/x", "x", 1, 0644) == -EINVAL);
        assert(write_file_atomic_at(dir_fd, "", "x", 1, 0644) == -EINVAL);
        assert(write_file_atomic_at(dir_fd, "..", "x", 1, 0644) == -EINVAL);
        assert(count_entries(dir_fd, (const char *const[]) { "target", NULL }) == 1);
}

static void test_write_at_fdcwd(void) {
        _cleanup_close_ int dir_fd = open_fresh_dir("cwd");
        _cleanup_close_ int saved = open(".", O_RDONLY|O_DIRECTORY|O_CLOEXEC);

        printf("%s\n", __func__);

        assert(saved >= 0);
        assert(fchdir(dir_fd) == 0);
        assert(write_file_atomic_at(AT_FDCWD, "here", "x", 1, 0644) == 0);
        assert(fchdir(saved) == 0);
        assert_content(dir_fd, "here", "x");
}

static void test_read_bounds(void) {
        _cleanup_close_ int dir_fd = open_fresh_dir("read");
        _cleanup_free_ char *s = NULL;
        char *untouched = (char *) "untouched";
        size_t size = 99;

        printf("%s\n", __func__);

        assert(write_file_atomic_at(dir_fd, "ten", "0123456789", 10, 0644) == 0);

        /* Exactly the limit is fine, one byte more is too big. */
        assert(read_file_at(dir_fd, "ten", 10, &s, &size) == 0);
        assert(size == 10 && streq(s, "0123456789"));
        free(s);

        s = untouched;
        size = 99;
        assert(read_file_at(dir_fd, "ten", 9, &s, &size) == -EFBIG);
        assert(read_file_at(dir_fd, "ten", 0, &s, &size) == -EFBIG);
        assert(s == untouched && size == 99);
        s = NULL;

        /* ret_size is optional. */
        assert(read_file_at(dir_fd, "ten", 100, &s, NULL) == 0);
        assert(streq(s, "0123456789"));
}

static void test_read_errors(void) {
        _cleanup_close_ int dir_fd = open_fresh_dir("errors");
        char *s = NULL;

        printf("%s\n", __func__);

        assert(read_file_at(dir_fd, "missing", 100, &s, NULL) == -ENOENT);
        assert(mkdirat(dir_fd, "dir", 0755) == 0);
        assert(read_file_at(dir_fd, "dir", 100, &s, NULL) == -EISDIR);
        assert(read_file_at(dir_fd, "/dev/null", 100, &s, NULL) == -EBADFD);
        assert(!s);

        assert(write_file_atomic_at(dir_fd, "empty", "", 0, 0644) == 0);
        assert(read_file_at(dir_fd, "empty", 100, &s, NULL) == 0);
        assert(s && streq(s, ""));
        free(s);
}

static void cleanup_tmpdir(void) {
        char cmd[sizeof(tmpdir) + 16];

        (void) snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        (void) system(cmd);
}

int main(void) {
        assert(mkdtemp(tmpdir));

        test_write_new();
        test_write_replaces();
        test_write_keeps_old_file_open();
        test_write_mode();
        test_write_binary_and_large();
        test_write_failure_leaves_nothing();
        test_write_at_fdcwd();
        test_read_bounds();
        test_read_errors();

        cleanup_tmpdir();
        return 0;
}
