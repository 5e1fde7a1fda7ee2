/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "strv.h"
#include "macro.h"
#include "test-util.h"
#include "tests.h"

static char tmpdir[] = "/tmp/test-fileio-XXXXXX";

/* Entries of the directory other than "." and "..", and whether each is in names. */
static size_t count_entries(int dir_fd, const char *const *names) {
        DIR *d;
        size_t n = 0;

        d = fdopendir(dup(dir_fd));
        ASSERT_NOT_NULL(d);
        rewinddir(d);

        for (struct dirent *de; (de = readdir(d));) {
                bool listed = false;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                for (const char *const *i = names; *i; i++)
                        if (streq(*i, de->d_name))
                                listed = true;
                if (!listed) {
                        TEST_FAIL("unexpected file left behind: %s", de->d_name);
                }
                n++;
        }

        closedir(d);
        return n;
}

static void assert_content(int dir_fd, const char *name, const char *expected) {
        _cleanup_free_ char *s = NULL;
        size_t size = 0;

        ASSERT_OK_ZERO(read_file_at(dir_fd, name, 1024, &s, &size));
        ASSERT_EQ(size, strlen(expected));
        ASSERT_STREQ(s, expected);
}

static void test_write_new(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "new");

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "a.json", "hello\n", 6, 0644));
        assert_content(dir_fd, "a.json", "hello\n");
        ASSERT_EQ(count_entries(dir_fd, (const char *const[]) { "a.json", NULL }), 1);
}

static void test_write_replaces(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "replace");
        struct stat before, after;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "state", "first version, long", 19, 0644));
        ASSERT_OK_ZERO_ERRNO(fstatat(dir_fd, "state", &before, 0));

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "state", "second", 6, 0644));
        assert_content(dir_fd, "state", "second");
        ASSERT_OK_ZERO_ERRNO(fstatat(dir_fd, "state", &after, 0));
        /* Replaced by rename, not rewritten in place: a reader holding the old file keeps it whole. */
        ASSERT_NE(before.st_ino, after.st_ino);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "state", "", 0, 0644));
        assert_content(dir_fd, "state", "");

        ASSERT_EQ(count_entries(dir_fd, (const char *const[]) { "state", NULL }), 1);
}

static void test_write_keeps_old_file_open(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "open"), fd = -EBADF;
        char buf[16] = {};

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "f", "old", 3, 0644));
        fd = openat(dir_fd, "f", O_RDONLY|O_CLOEXEC);
        ASSERT_GE(fd, 0);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "f", "new", 3, 0644));
        ASSERT_EQ(read(fd, buf, sizeof buf - 1), 3);
        ASSERT_STREQ(buf, "old");
        assert_content(dir_fd, "f", "new");
}

static void test_write_mode(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "mode");
        mode_t old_umask;
        struct stat st;

        printf("%s\n", __func__);

        /* The mode is exact, whatever the umask would have taken away. */
        old_umask = umask(0077);
        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "public", "x", 1, 0644));
        umask(old_umask);
        ASSERT_OK_ZERO_ERRNO(fstatat(dir_fd, "public", &st, 0));
        ASSERT_TRUE(S_ISREG(st.st_mode));
        ASSERT_EQ((st.st_mode & 07777), 0644);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "secret", "x", 1, 0600));
        ASSERT_OK_ZERO_ERRNO(fstatat(dir_fd, "secret", &st, 0));
        ASSERT_EQ((st.st_mode & 07777), 0600);

        /* Replacing takes the new mode. */
        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "public", "y", 1, 0640));
        ASSERT_OK_ZERO_ERRNO(fstatat(dir_fd, "public", &st, 0));
        ASSERT_EQ((st.st_mode & 07777), 0640);

        ASSERT_EQ(count_entries(dir_fd, (const char *const[]) { "public", "secret", NULL }), 2);
}

static void test_write_binary_and_large(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "large");
        _cleanup_free_ char *data = NULL, *back = NULL;
        size_t n = 3 * 1024 * 1024 + 17, size = 0;

        printf("%s\n", __func__);

        data = malloc(n);
        ASSERT_NOT_NULL(data);
        for (size_t i = 0; i < n; i++)
                data[i] = (char) (i * 7 + 3);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "blob", data, n, 0644));
        ASSERT_OK_ZERO(read_file_at(dir_fd, "blob", n, &back, &size));
        ASSERT_EQ(size, n);
        ASSERT_MEMEQ(back, data, n);
        ASSERT_EQ(back[n], 0);
}

static void test_write_failure_leaves_nothing(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "fail");

        printf("%s\n", __func__);

        /* rename() of a file over a directory fails after the temporary file was written. */
        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "target", 0755));
        ASSERT_LT(write_file_atomic_at(dir_fd, "target", "x", 1, 0644), 0);
        ASSERT_EQ(count_entries(dir_fd, (const char *const[]) { "target", NULL }), 1);

        /* Names that are paths are refused before anything is created. */
        ASSERT_ERROR(write_file_atomic_at(dir_fd, "target/x", "x", 1, 0644), EINVAL);
        ASSERT_ERROR(write_file_atomic_at(dir_fd, "", "x", 1, 0644), EINVAL);
        ASSERT_ERROR(write_file_atomic_at(dir_fd, "..", "x", 1, 0644), EINVAL);
        ASSERT_EQ(count_entries(dir_fd, (const char *const[]) { "target", NULL }), 1);
}

static void test_write_at_fdcwd(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "cwd");
        _cleanup_close_ int saved = open(".", O_RDONLY|O_DIRECTORY|O_CLOEXEC);

        printf("%s\n", __func__);

        ASSERT_GE(saved, 0);
        ASSERT_OK_ZERO_ERRNO(fchdir(dir_fd));
        ASSERT_OK_ZERO(write_file_atomic_at(AT_FDCWD, "here", "x", 1, 0644));
        ASSERT_OK_ZERO_ERRNO(fchdir(saved));
        assert_content(dir_fd, "here", "x");
}

static void test_read_bounds(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "read");
        _cleanup_free_ char *s = NULL;
        char *untouched = (char *) "untouched";
        size_t size = 99;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "ten", "0123456789", 10, 0644));

        /* Exactly the limit is fine, one byte more is too big. */
        ASSERT_OK_ZERO(read_file_at(dir_fd, "ten", 10, &s, &size));
        ASSERT_EQ(size, 10);
        ASSERT_STREQ(s, "0123456789");
        free(s);

        s = untouched;
        size = 99;
        ASSERT_ERROR(read_file_at(dir_fd, "ten", 9, &s, &size), EFBIG);
        ASSERT_ERROR(read_file_at(dir_fd, "ten", 0, &s, &size), EFBIG);
        ASSERT_EQ(s, untouched);
        ASSERT_EQ(size, 99);
        s = NULL;

        /* ret_size is optional. */
        ASSERT_OK_ZERO(read_file_at(dir_fd, "ten", 100, &s, NULL));
        ASSERT_STREQ(s, "0123456789");
}

static void test_read_errors(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "errors");
        char *s = NULL;

        printf("%s\n", __func__);

        ASSERT_ERROR(read_file_at(dir_fd, "missing", 100, &s, NULL), ENOENT);
        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "dir", 0755));
        ASSERT_ERROR(read_file_at(dir_fd, "dir", 100, &s, NULL), EISDIR);
        ASSERT_ERROR(read_file_at(dir_fd, "/dev/null", 100, &s, NULL), EBADFD);
        ASSERT_NULL(s);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "empty", "", 0, 0644));
        ASSERT_OK_ZERO(read_file_at(dir_fd, "empty", 100, &s, NULL));
        ASSERT_NOT_NULL(s);
        ASSERT_STREQ(s, "");
        free(s);
}

static void test_read_dir_names(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "names"), path_fd = -EBADF;
        _cleanup_(strv_freep) char **names = NULL, **again = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(read_dir_names_at(dir_fd, &names));
        ASSERT_NULL(names);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "b", "", 0, 0644));
        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, ".hidden", "", 0, 0644));
        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "a", 0755));
        ASSERT_OK_ZERO_ERRNO(symlinkat("nowhere", dir_fd, "c"));

        /* Sorted, "." and ".." left out, hidden entries, directories and links kept. */
        ASSERT_OK_ZERO(read_dir_names_at(dir_fd, &names));
        ASSERT_EQ(strv_length(names), 4U);
        ASSERT_STREQ(names[0], ".hidden");
        ASSERT_STREQ(names[1], "a");
        ASSERT_STREQ(names[2], "b");
        ASSERT_STREQ(names[3], "c");

        /* Through an O_PATH descriptor too, which is left where it was. */
        path_fd = openat(dir_fd, ".", O_PATH|O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK_ERRNO(path_fd);
        ASSERT_OK_ZERO(read_dir_names_at(path_fd, &again));
        ASSERT_EQ(strv_length(again), 4U);
        ASSERT_ERROR(read_dir_names_at(AT_FDCWD - 1000, &again), EBADF);
}

int main(void) {
        ASSERT_NOT_NULL(mkdtemp(tmpdir));

        test_write_new();
        test_write_replaces();
        test_write_keeps_old_file_open();
        test_write_mode();
        test_write_binary_and_large();
        test_write_failure_leaves_nothing();
        test_write_at_fdcwd();
        test_read_bounds();
        test_read_errors();
        test_read_dir_names();

        test_tmpdir_remove(tmpdir);
        return 0;
}
