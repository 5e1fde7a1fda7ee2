/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault-files.h"
#include "fileio.h"
#include "macro.h"
#include "strv.h"
#include "test-util.h"
#include "tests.h"

static void test_glob_is_valid(void) {
        printf("%s\n", __func__);

        ASSERT_TRUE(fault_glob_is_valid("*.log"));
        ASSERT_TRUE(fault_glob_is_valid("crash/*.txt"));
        ASSERT_TRUE(fault_glob_is_valid("a/b/c/d"));
        ASSERT_TRUE(fault_glob_is_valid(".hidden"));
        ASSERT_FALSE(fault_glob_is_valid(NULL));
        ASSERT_FALSE(fault_glob_is_valid(""));
        ASSERT_FALSE(fault_glob_is_valid("/etc/shadow"));
        ASSERT_FALSE(fault_glob_is_valid("../x"));
        ASSERT_FALSE(fault_glob_is_valid("a/../../x"));
        ASSERT_FALSE(fault_glob_is_valid("a/./x"));
        ASSERT_FALSE(fault_glob_is_valid("a//x"));
        ASSERT_FALSE(fault_glob_is_valid("a/"));
        ASSERT_FALSE(fault_glob_is_valid("a/b/c/d/e"));
        ASSERT_FALSE(fault_glob_is_valid("a\nb"));
}

static void write_at(int dir_fd, const char *name, const char *content) {
        _cleanup_close_ int fd = openat(dir_fd, name, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644);

        ASSERT_OK_ERRNO(fd);
        ASSERT_OK_ZERO(loop_write(fd, content, strlen(content)));
}

static void test_files_collect(void) {
        char dir[] = "/tmp/test-fault-XXXXXX";
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *big = NULL;
        FaultFile *files = NULL;
        size_t n = 0, budget = FAULT_FILES_BYTES_MAX;

        printf("%s\n", __func__);

        ASSERT_NOT_NULL(mkdtemp(dir));
        fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK_ERRNO(fd);

        write_at(fd, "b.log", "bee\n");
        write_at(fd, "a.log", "ay\n");
        write_at(fd, ".hidden.log", "no\n");
        write_at(fd, "other.txt", "no\n");
        write_at(fd, "bin.log", "\x01\xff");
        big = malloc(FAULT_FILE_BYTES_MAX + 101);
        ASSERT_NOT_NULL(big);
        for (size_t i = 0; i < FAULT_FILE_BYTES_MAX + 100; i++)
                big[i] = (char) ('a' + i % 26);
        big[FAULT_FILE_BYTES_MAX + 100] = 0;
        write_at(fd, "big.log", big);
        ASSERT_OK_ZERO_ERRNO(symlinkat("/etc/passwd", fd, "passwd.log"));
        ASSERT_OK_ZERO_ERRNO(mkdirat(fd, "sub", 0755));
        write_at(fd, "sub/x.txt", "sub\n");
        ASSERT_OK_ZERO_ERRNO(symlinkat("sub", fd, "link"));
        ASSERT_OK_ZERO_ERRNO(mkfifoat(fd, "fifo.log", 0644));
        /* A second name of a file: it may be anyone's. */
        write_at(fd, "other2.txt", "twice\n");
        ASSERT_OK_ZERO_ERRNO(linkat(fd, "other2.txt", fd, "twice.log", 0));

        ASSERT_OK_ZERO(fault_files_collect_at(fd, "/x", "*.log", &budget, &files, &n));
        ASSERT_OK_ZERO(fault_files_collect_at(fd, "/x", "*/*.txt", &budget, &files, &n));
        ASSERT_ERROR(fault_files_collect_at(fd, "/x", "../*", &budget, &files, &n), EINVAL);

        /* In name order; hidden files, links (symbolic or hard) and FIFOs left out. */
        ASSERT_EQ(n, 5U);
        ASSERT_STREQ(files[0].path, "/x/a.log");
        ASSERT_STREQ(files[0].content, "ay\n");
        ASSERT_STREQ(files[1].path, "/x/b.log");
        ASSERT_STREQ(files[2].path, "/x/big.log");
        ASSERT_TRUE(files[2].truncated);
        ASSERT_EQ(files[2].size, (uint64_t) FAULT_FILE_BYTES_MAX + 100);
        ASSERT_EQ(strlen(files[2].content), (size_t) FAULT_FILE_BYTES_MAX);
        /* Its end, not its start. */
        ASSERT_STREQ(files[2].content, big + 100);
        ASSERT_STREQ(files[3].path, "/x/bin.log");
        ASSERT_TRUE(files[3].binary);
        ASSERT_STREQ(files[3].content, "Af8=");
        ASSERT_STREQ(files[4].path, "/x/sub/x.txt");
        ASSERT_EQ(budget, (size_t) FAULT_FILES_BYTES_MAX - 3 - 4 - FAULT_FILE_BYTES_MAX - 2 - 4);

        for (size_t i = 0; i < n; i++) {
                free(files[i].path);
                free(files[i].content);
        }
        free(files);

        /* The budget bounds them all together. */
        files = NULL;
        n = 0;
        budget = 5;
        ASSERT_OK_ZERO(fault_files_collect_at(fd, "/x", "*.log", &budget, &files, &n));
        ASSERT_EQ(n, 2U);
        ASSERT_STREQ(files[0].content, "ay\n");
        ASSERT_STREQ(files[1].content, "e\n");
        ASSERT_TRUE(files[1].truncated);
        ASSERT_EQ(budget, 0U);
        for (size_t i = 0; i < n; i++) {
                free(files[i].path);
                free(files[i].content);
        }
        free(files);

        test_tmpdir_remove(dir);
}

static void test_app_directories(void) {
        static const UnitLine lines[] = {
                { (char *) "User", (char *) "web" },
                { (char *) "StateDirectory", (char *) "web  web/cache" },
                { (char *) "LogsDirectory", (char *) "web:web-link" },
                { (char *) "StateDirectory", (char *) "web /etc ../etc a/../../etc" },
                { (char *) "RuntimeDirectory", (char *) "web" },
        };
        _cleanup_(strv_freep) char **dirs = NULL, **none = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(fault_app_directories(lines, ELEMENTSOF(lines), &dirs));
        ASSERT_EQ(strv_length(dirs), 3U);
        ASSERT_STREQ(dirs[0], "/var/lib/web");
        ASSERT_STREQ(dirs[1], "/var/lib/web/cache");
        ASSERT_STREQ(dirs[2], "/var/log/web");

        ASSERT_OK_ZERO(fault_app_directories(lines, 1, &none));
        ASSERT_NULL(none);
}

int main(void) {
        test_glob_is_valid();
        test_files_collect();
        test_app_directories();
        return 0;
}
