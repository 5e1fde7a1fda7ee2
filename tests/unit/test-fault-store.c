/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault-store.h"
#include "macro.h"
#include "strv.h"
#include "test-util.h"
#include "tests.h"

/* 2026-12-05T05:45:12.123456Z */
#define T0 ((usec_t) 1796449512ULL * USEC_PER_SEC + 123456)

/* A report of web 1.2.0 exiting with status 1 at t. */
static FaultReport *exit_report(usec_t t) {
        FaultReport *r = calloc(1, sizeof(FaultReport));

        ASSERT_NOT_NULL(r);
        ASSERT_NOT_NULL(r->app = strdup("web"));
        ASSERT_NOT_NULL(r->version = strdup("1.2.0"));
        ASSERT_NOT_NULL(r->result = strdup("exit-code"));
        ASSERT_NOT_NULL(r->exit_code = strdup("exited"));
        ASSERT_NOT_NULL(r->exit_status = strdup("1"));
        r->time = t;
        return r;
}

static void test_save_list_prune(void) {
        char dir[] = "/tmp/test-fault-XXXXXX";
        _cleanup_(fault_counts_done) FaultCounts c = {};
        _cleanup_(strv_freep) char **ids = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        printf("%s\n", __func__);

        ASSERT_NOT_NULL(mkdtemp(dir));
        fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK_ERRNO(fd);

        ASSERT_OK_ZERO(fault_list_at(fd, &ids));
        ASSERT_NULL(ids);
        ASSERT_ERROR(fault_load_counts_at(fd, &c), ENOENT);

        for (unsigned i = 0; i < 4; i++) {
                /* The same microsecond twice: the second moves on by one. */
                _cleanup_(fault_report_freep) FaultReport *r = exit_report(T0 + (i / 2) * USEC_PER_SEC);

                ASSERT_OK_ZERO(fault_save_at(fd, r, 3));
                ASSERT_TRUE(fault_id_is_valid(r->id));
        }

        ASSERT_OK_ZERO(fault_list_at(fd, &ids));
        ASSERT_EQ(strv_length(ids), 3U);
        ASSERT_STREQ(ids[0], "20261205-054512-123457");
        ASSERT_STREQ(ids[1], "20261205-054513-123456");
        ASSERT_STREQ(ids[2], "20261205-054513-123457");

        {
                _cleanup_(fault_report_freep) FaultReport *r = NULL;

                ASSERT_OK_ZERO(fault_load_at(fd, ids[2], &r));
                ASSERT_STREQ(r->result, "exit-code");
                ASSERT_ERROR(fault_load_at(fd, "20261205-054512-123456", &r), ENOENT);
                ASSERT_ERROR(fault_load_at(fd, "../state.json", &r), EINVAL);
        }

        /* The counter outlives the pruning. */
        ASSERT_OK_ZERO(fault_load_counts_at(fd, &c));
        ASSERT_EQ(c.total, 4U);
        ASSERT_EQ(fault_counts_find(&c, "1.2.0")->faults, 4U);

        /* Reports hold journal lines: the directory is root's alone. */
        ASSERT_OK_ZERO_ERRNO(fstatat(fd, FAULT_DIR, &st, 0));
        ASSERT_EQ(st.st_mode & 07777, 0700U);

        /* FaultKeep=0: counted, nothing kept. */
        {
                _cleanup_(fault_report_freep) FaultReport *r = exit_report(T0 + 10 * USEC_PER_SEC);
                _cleanup_(strv_freep) char **none = NULL;
                _cleanup_(fault_counts_done) FaultCounts c2 = {};

                ASSERT_OK_ZERO(fault_save_at(fd, r, 0));
                ASSERT_OK_ZERO(fault_list_at(fd, &none));
                ASSERT_NULL(none);
                ASSERT_OK_ZERO(fault_load_counts_at(fd, &c2));
                ASSERT_EQ(c2.total, 5U);
        }

        test_tmpdir_remove(dir);
}

/* Recorders of one app at once (an app's unit and its trial's restart, say): every fault is
 * counted, and each gets a report of its own, even in the same microsecond. */
static void test_save_concurrently(void) {
        char dir[] = "/tmp/test-fault-XXXXXX";
        _cleanup_(fault_counts_done) FaultCounts c = {};
        _cleanup_(strv_freep) char **ids = NULL;
        _cleanup_close_ int fd = -EBADF;
        pid_t pids[4];

        printf("%s\n", __func__);

        ASSERT_NOT_NULL(mkdtemp(dir));
        fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK_ERRNO(fd);

        for (size_t i = 0; i < ELEMENTSOF(pids); i++) {
                pids[i] = fork();
                ASSERT_OK_ERRNO(pids[i]);
                if (pids[i] == 0) {
                        for (unsigned k = 0; k < 25; k++) {
                                FaultReport *r = exit_report(T0);

                                if (fault_save_at(fd, r, FAULT_KEEP_MAX) < 0)
                                        _exit(1);
                                fault_report_free(r);
                        }
                        _exit(0);
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(pids); i++)
                ASSERT_EQ(test_wait_child(pids[i]), 0);

        ASSERT_OK_ZERO(fault_load_counts_at(fd, &c));
        ASSERT_EQ(c.total, 100U);
        ASSERT_OK_ZERO(fault_list_at(fd, &ids));
        ASSERT_EQ(strv_length(ids), 100U);
        /* All at T0: each later one moved on by a microsecond. */
        ASSERT_STREQ(ids[0], "20261205-054512-123456");
        ASSERT_STREQ(ids[99], "20261205-054512-123555");

        test_tmpdir_remove(dir);
}

int main(void) {
        test_save_list_prune();
        test_save_concurrently();
        return 0;
}
