/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "macro.h"
#include "state.h"
#include "strv.h"
#include "switch.h"
#include "test-util.h"
#include "tests.h"

static char tmpdir[] = "/tmp/test-switch-XXXXXX";

/* 2026-11-20T10:00:00Z */
#define T0 ((usec_t) 1795168800ULL * USEC_PER_SEC)

/* A fresh app directory with versions/1.0.0 and versions/1.1.0 staged. */
static int open_app_dir(const char *name) {
        int dir_fd = test_open_fresh_dir(tmpdir, name);

        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "versions", 0755));
        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "versions/1.0.0", 0755));
        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "versions/1.1.0", 0755));
        return dir_fd;
}

static void assert_link(int dir_fd, const char *name, const char *target) {
        char buf[256];
        ssize_t n;

        n = readlinkat(dir_fd, name, buf, sizeof buf - 1);
        ASSERT_GE(n, 0);
        buf[n] = 0;
        ASSERT_STREQ(buf, target);
}

/* Only the expected entries: no ".#current.XXXXXX" left behind. */
static void assert_no_temp_links(int dir_fd) {
        _cleanup_close_ int fd = -EBADF;
        struct dirent *de;
        DIR *d;

        fd = openat(dir_fd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_GE(fd, 0);
        d = fdopendir(TAKE_FD(fd));
        ASSERT_NOT_NULL(d);
        while ((de = readdir(d)))
                ASSERT_NE(strncmp(de->d_name, ".#", 2), 0);
        closedir(d);
}

static void test_switch_link(void) {
        _cleanup_close_ int dir_fd = -EBADF;

        printf("%s\n", __func__);
        dir_fd = open_app_dir("switch");

        /* Creates the link when there is none yet. */
        ASSERT_OK_ZERO(switch_link_at(dir_fd, APP_CURRENT_LINK, "1.0.0"));
        assert_link(dir_fd, APP_CURRENT_LINK, "versions/1.0.0");

        /* Replaces it. */
        ASSERT_OK_ZERO(switch_link_at(dir_fd, APP_CURRENT_LINK, "1.1.0"));
        assert_link(dir_fd, APP_CURRENT_LINK, "versions/1.1.0");
        ASSERT_OK_ZERO_ERRNO(faccessat(dir_fd, APP_CURRENT_LINK, F_OK, 0));  /* resolves */

        /* The same version again is harmless. */
        ASSERT_OK_ZERO(switch_link_at(dir_fd, APP_CURRENT_LINK, "1.1.0"));
        assert_link(dir_fd, APP_CURRENT_LINK, "versions/1.1.0");

        ASSERT_OK_ZERO(switch_link_at(dir_fd, APP_PREVIOUS_LINK, "1.0.0"));
        assert_link(dir_fd, APP_PREVIOUS_LINK, "versions/1.0.0");
        assert_link(dir_fd, APP_CURRENT_LINK, "versions/1.1.0");

        assert_no_temp_links(dir_fd);
}

static void test_switch_link_refused(void) {
        _cleanup_close_ int dir_fd = -EBADF;

        printf("%s\n", __func__);
        dir_fd = open_app_dir("switch-refused");
        ASSERT_OK_ZERO(switch_link_at(dir_fd, APP_CURRENT_LINK, "1.0.0"));

        /* Not staged: the old link stays. */
        ASSERT_ERROR(switch_link_at(dir_fd, APP_CURRENT_LINK, "2.0.0"), ENOENT);
        assert_link(dir_fd, APP_CURRENT_LINK, "versions/1.0.0");

        /* Staged as something that is not a directory. */
        ASSERT_OK_ZERO_ERRNO(mknodat(dir_fd, "versions/3.0.0", S_IFREG|0644, 0));
        ASSERT_ERROR(switch_link_at(dir_fd, APP_CURRENT_LINK, "3.0.0"), ENOTDIR);
        assert_link(dir_fd, APP_CURRENT_LINK, "versions/1.0.0");

        /* Invalid versions never become a path, even when such a directory exists. */
        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "versions/latest", 0755));
        ASSERT_ERROR(switch_link_at(dir_fd, APP_CURRENT_LINK, "latest"), EINVAL);
        ASSERT_ERROR(switch_link_at(dir_fd, APP_CURRENT_LINK, "../versions/1.1.0"), EINVAL);
        ASSERT_ERROR(switch_link_at(dir_fd, APP_CURRENT_LINK, ""), EINVAL);
        ASSERT_ERROR(switch_link_at(dir_fd, APP_CURRENT_LINK, NULL), EINVAL);

        /* Link names are plain names in dir_fd. */
        ASSERT_ERROR(switch_link_at(dir_fd, "a/current", "1.1.0"), EINVAL);
        ASSERT_ERROR(switch_link_at(dir_fd, "", "1.1.0"), EINVAL);
        ASSERT_ERROR(switch_link_at(dir_fd, "..", "1.1.0"), EINVAL);

        assert_link(dir_fd, APP_CURRENT_LINK, "versions/1.0.0");
        assert_no_temp_links(dir_fd);
}

static void test_lock_exclusive(void) {
        _cleanup_close_ int dir_fd = -EBADF, lock_fd = -EBADF;
        struct stat st;
        pid_t pid;

        printf("%s\n", __func__);
        dir_fd = open_app_dir("lock");

        lock_fd = app_lock_at(dir_fd);
        ASSERT_GE(lock_fd, 0);
        ASSERT_OK_ZERO_ERRNO(fstatat(dir_fd, APP_LOCK_FILE, &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_TRUE(S_ISREG(st.st_mode));
        ASSERT_EQ((st.st_mode & 07777), 0600);

        /* flock() locks belong to the open file description: the child opens its own. */
        pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
                int fd = openat(dir_fd, APP_LOCK_FILE, O_RDONLY|O_CLOEXEC);
                if (fd < 0)
                        _exit(10);
                if (flock(fd, LOCK_EX|LOCK_NB) == 0)
                        _exit(11);
                _exit(errno == EWOULDBLOCK ? 0 : 12);
        }
        ASSERT_OK_ZERO(test_wait_child(pid));

        /* Released by closing: the next taker gets it at once. */
        ASSERT_OK_ZERO_ERRNO(close(TAKE_FD(lock_fd)));
        lock_fd = app_lock_at(dir_fd);
        ASSERT_GE(lock_fd, 0);
}

static void test_lock_refuses_symlink(void) {
        _cleanup_close_ int dir_fd = -EBADF;

        printf("%s\n", __func__);
        dir_fd = open_app_dir("lock-symlink");

        ASSERT_OK_ZERO_ERRNO(symlinkat("versions/1.0.0/elsewhere", dir_fd, APP_LOCK_FILE));
        ASSERT_ERROR(app_lock_at(dir_fd), ELOOP);
        ASSERT_LT(faccessat(dir_fd, "versions/1.0.0/elsewhere", F_OK, AT_SYMLINK_NOFOLLOW), 0);
}

static AppState *make_state(const char *current, const char *previous) {
        AppState *s = NULL;

        ASSERT_OK_ZERO(app_state_new(&s));
        ASSERT_OK(free_and_strdup(&s->current_version, current));
        ASSERT_OK(free_and_strdup(&s->previous_version, previous));
        return s;
}

static void test_begin_trial(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);
        s = make_state("1.0.0", "0.9.0");
        ASSERT_EQ(free_and_strdup(&s->pending_version, "1.1.0"), 1);
        s->due_at = T0 - 1;
        s->backoff_failures = 2;
        s->backoff_until = T0 + USEC_PER_HOUR;

        ASSERT_OK_ZERO(app_state_begin_trial(s, "1.1.0", TRANSITION_SCHEDULED, T0));
        ASSERT_STREQ(s->current_version, "1.1.0");
        ASSERT_STREQ(s->previous_version, "1.0.0");
        ASSERT_NULL(s->pending_version);
        ASSERT_EQ(s->due_at, 0);
        ASSERT_STREQ(s->trial_version, "1.1.0");
        ASSERT_EQ(s->trial_started_at, T0);
        ASSERT_EQ(s->trial_starts, 0);
        /* A scheduled switch keeps counting failures until it proves itself. */
        ASSERT_EQ(s->backoff_failures, 2);
        ASSERT_EQ(s->backoff_until, T0 + USEC_PER_HOUR);
        ASSERT_EQ(s->n_history, 1);
        ASSERT_EQ(s->history[0].time, T0);
        ASSERT_STREQ(s->history[0].from, "1.0.0");
        ASSERT_STREQ(s->history[0].to, "1.1.0");
        ASSERT_EQ(s->history[0].kind, TRANSITION_SCHEDULED);
}

static void test_begin_trial_manual(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);
        s = make_state("1.0.0", NULL);
        s->backoff_failures = 3;
        s->backoff_until = T0 + USEC_PER_HOUR;

        ASSERT_OK_ZERO(app_state_begin_trial(s, "0.9.0", TRANSITION_MANUAL, T0));
        ASSERT_STREQ(s->current_version, "0.9.0");
        ASSERT_STREQ(s->previous_version, "1.0.0");
        ASSERT_EQ(s->backoff_failures, 0);
        ASSERT_EQ(s->backoff_until, 0);
        ASSERT_EQ(s->history[0].kind, TRANSITION_MANUAL);

        /* The very first version has nothing before it. */
        app_state_free(s);
        s = make_state(NULL, NULL);
        ASSERT_OK_ZERO(app_state_begin_trial(s, "1.0.0", TRANSITION_MANUAL, T0));
        ASSERT_STREQ(s->current_version, "1.0.0");
        ASSERT_NULL(s->previous_version);
        ASSERT_FALSE(s->history[0].from);
}

static void test_begin_trial_invalid(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);
        s = make_state("1.0.0", "0.9.0");

        ASSERT_ERROR(app_state_begin_trial(s, "latest", TRANSITION_SCHEDULED, T0), EINVAL);
        ASSERT_ERROR(app_state_begin_trial(s, NULL, TRANSITION_SCHEDULED, T0), EINVAL);
        ASSERT_ERROR(app_state_begin_trial(s, "1.1.0", TRANSITION_ROLLBACK, T0), EINVAL);
        ASSERT_ERROR(app_state_begin_trial(s, "1.1.0", _TRANSITION_KIND_INVALID, T0), EINVAL);
        ASSERT_ERROR(app_state_begin_trial(s, "1.1.0", _TRANSITION_KIND_MAX, T0), EINVAL);
        ASSERT_ERROR(app_state_begin_trial(s, "1.0.0", TRANSITION_MANUAL, T0), EINVAL);  /* already current */
        ASSERT_ERROR(app_state_begin_trial(NULL, "1.1.0", TRANSITION_MANUAL, T0), EINVAL);

        /* Nothing changed by the refusals. */
        ASSERT_STREQ(s->current_version, "1.0.0");
        ASSERT_STREQ(s->previous_version, "0.9.0");
        ASSERT_NULL(s->trial_version);
        ASSERT_EQ(s->n_history, 0);

        /* Not on top of an unproven version. */
        ASSERT_OK_ZERO(app_state_begin_trial(s, "1.1.0", TRANSITION_SCHEDULED, T0));
        ASSERT_ERROR(app_state_begin_trial(s, "1.2.0", TRANSITION_MANUAL, T0), EINVAL);
        ASSERT_STREQ(s->current_version, "1.1.0");
        ASSERT_STREQ(s->previous_version, "1.0.0");
        ASSERT_EQ(s->n_history, 1);
}

static void test_keep_trial(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);
        s = make_state("1.0.0", "0.9.0");

        ASSERT_ERROR(app_state_keep_trial(s), EINVAL);  /* no trial */
        ASSERT_ERROR(app_state_keep_trial(NULL), EINVAL);

        ASSERT_OK_ZERO(app_state_begin_trial(s, "1.1.0", TRANSITION_SCHEDULED, T0));
        s->trial_starts = 1;
        s->backoff_failures = 1;
        s->backoff_until = T0 + USEC_PER_MINUTE;

        ASSERT_OK_ZERO(app_state_keep_trial(s));
        ASSERT_NULL(s->trial_version);
        ASSERT_EQ(s->trial_started_at, 0);
        ASSERT_EQ(s->trial_starts, 0);
        ASSERT_EQ(s->backoff_failures, 0);
        ASSERT_EQ(s->backoff_until, 0);
        ASSERT_STREQ(s->current_version, "1.1.0");
        ASSERT_STREQ(s->previous_version, "1.0.0");
        ASSERT_EQ(s->n_history, 1);

        ASSERT_ERROR(app_state_keep_trial(s), EINVAL);  /* kept already */
}

static void test_rollback(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);
        s = make_state("1.0.0", "0.9.0");
        ASSERT_OK_ZERO(app_state_begin_trial(s, "1.1.0", TRANSITION_SCHEDULED, T0));
        s->trial_starts = 2;

        ASSERT_OK_ZERO(app_state_rollback(s, "1.1.0 did not come up", T0 + USEC_PER_SEC));
        ASSERT_STREQ(s->current_version, "1.0.0");
        ASSERT_STREQ(s->previous_version, "1.0.0");
        ASSERT_EQ(strv_length(s->bad_versions), 1);
        ASSERT_STREQ(s->bad_versions[0], "1.1.0");
        ASSERT_TRUE(s->paused);
        ASSERT_STREQ(s->pause_reason, "1.1.0 did not come up");
        ASSERT_NULL(s->trial_version);
        ASSERT_EQ(s->trial_started_at, 0);
        ASSERT_EQ(s->trial_starts, 0);
        ASSERT_EQ(s->n_history, 2);
        ASSERT_EQ(s->history[1].time, T0 + USEC_PER_SEC);
        ASSERT_STREQ(s->history[1].from, "1.1.0");
        ASSERT_STREQ(s->history[1].to, "1.0.0");
        ASSERT_EQ(s->history[1].kind, TRANSITION_ROLLBACK);

        /* Both name the good version now: a second rollback would mark it bad. */
        ASSERT_ERROR(app_state_rollback(s, "again", T0 + 2 * USEC_PER_SEC), EINVAL);
        ASSERT_STREQ(s->pause_reason, "1.1.0 did not come up");
        ASSERT_EQ(strv_length(s->bad_versions), 1);
        ASSERT_EQ(s->n_history, 2);
}

static void test_rollback_without_trial(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);
        /* An operator's rollback of a kept version, already known as bad once. */
        s = make_state("1.1.0", "1.0.0");
        ASSERT_OK_ZERO(strv_extend(&s->bad_versions, "0.5.0"));
        ASSERT_OK_ZERO(strv_extend(&s->bad_versions, "1.1.0"));

        ASSERT_OK_ZERO(app_state_rollback(s, NULL, T0));
        ASSERT_STREQ(s->current_version, "1.0.0");
        ASSERT_STREQ(s->previous_version, "1.0.0");
        /* Not twice. */
        ASSERT_EQ(strv_length(s->bad_versions), 2);
        ASSERT_STREQ(s->bad_versions[0], "0.5.0");
        ASSERT_STREQ(s->bad_versions[1], "1.1.0");
        ASSERT_TRUE(s->paused);
        ASSERT_NULL(s->pause_reason);
        ASSERT_EQ(s->n_history, 1);
        ASSERT_STREQ(s->history[0].from, "1.1.0");
        ASSERT_STREQ(s->history[0].to, "1.0.0");
        ASSERT_EQ(s->history[0].kind, TRANSITION_ROLLBACK);
}

static void test_rollback_invalid(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);
        ASSERT_ERROR(app_state_rollback(NULL, "x", T0), EINVAL);

        s = make_state("1.0.0", NULL);  /* nothing to go back to */
        ASSERT_ERROR(app_state_rollback(s, "x", T0), EINVAL);
        app_state_free(s);

        s = make_state(NULL, NULL);
        ASSERT_ERROR(app_state_rollback(s, "x", T0), EINVAL);
        app_state_free(s);

        s = make_state(NULL, "1.0.0");  /* nothing being left */
        ASSERT_ERROR(app_state_rollback(s, "x", T0), EINVAL);

        ASSERT_FALSE(s->paused);
        ASSERT_NULL(s->bad_versions);
        ASSERT_EQ(s->n_history, 0);
}

static void test_trial_on_start(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);
        s = make_state("1.0.0", "0.9.0");

        ASSERT_EQ(app_state_trial_on_start(NULL), TRIAL_NONE);
        ASSERT_EQ(app_state_trial_on_start(s), TRIAL_NONE);
        ASSERT_EQ(s->trial_starts, 0);  /* only trials count */

        ASSERT_OK_ZERO(app_state_begin_trial(s, "1.1.0", TRANSITION_SCHEDULED, T0));
        ASSERT_EQ(app_state_trial_on_start(s), TRIAL_CONTINUE);
        ASSERT_EQ(s->trial_starts, 1);
        ASSERT_EQ(app_state_trial_on_start(s), TRIAL_FAILED);
        ASSERT_EQ(s->trial_starts, 2);
        ASSERT_EQ(app_state_trial_on_start(s), TRIAL_FAILED);
        ASSERT_EQ(s->trial_starts, 3);

        /* The counter never wraps back to "first start". */
        s->trial_starts = UINT_MAX;
        ASSERT_EQ(app_state_trial_on_start(s), TRIAL_FAILED);
        ASSERT_EQ(s->trial_starts, UINT_MAX);

        ASSERT_OK_ZERO(app_state_keep_trial(s));
        ASSERT_EQ(app_state_trial_on_start(s), TRIAL_NONE);
}

static void test_rollback_at(void) {
        _cleanup_(app_state_freep) AppState *s = NULL, *loaded = NULL;
        _cleanup_close_ int dir_fd = -EBADF, lock_fd = -EBADF;

        printf("%s\n", __func__);
        dir_fd = open_app_dir("rollback");
        lock_fd = app_lock_at(dir_fd);
        ASSERT_GE(lock_fd, 0);

        /* As after a switch from 1.0.0 to 1.1.0. */
        ASSERT_OK_ZERO(switch_link_at(dir_fd, APP_CURRENT_LINK, "1.1.0"));
        ASSERT_OK_ZERO(switch_link_at(dir_fd, APP_PREVIOUS_LINK, "1.0.0"));
        s = make_state("1.0.0", NULL);
        ASSERT_OK_ZERO(app_state_begin_trial(s, "1.1.0", TRANSITION_SCHEDULED, T0));
        ASSERT_EQ(app_state_trial_on_start(s), TRIAL_CONTINUE);
        ASSERT_EQ(app_state_trial_on_start(s), TRIAL_FAILED);

        ASSERT_OK_ZERO(app_rollback_at(dir_fd, s, "1.1.0 failed its trial", T0 + USEC_PER_SEC));
        assert_link(dir_fd, APP_CURRENT_LINK, "versions/1.0.0");
        assert_link(dir_fd, APP_PREVIOUS_LINK, "versions/1.0.0");
        ASSERT_STREQ(s->current_version, "1.0.0");
        ASSERT_STREQ(s->previous_version, "1.0.0");
        ASSERT_TRUE(strv_contains(s->bad_versions, "1.1.0"));
        ASSERT_TRUE(s->paused);
        ASSERT_NULL(s->trial_version);
        ASSERT_EQ(s->history[s->n_history - 1].kind, TRANSITION_ROLLBACK);
        assert_no_temp_links(dir_fd);

        /* What the caller saves reads back as the same story. */
        ASSERT_OK_ZERO(app_state_save_at(dir_fd, s));
        ASSERT_OK_ZERO(app_state_load_at(dir_fd, &loaded));
        ASSERT_STREQ(loaded->current_version, "1.0.0");
        ASSERT_TRUE(strv_contains(loaded->bad_versions, "1.1.0"));
        ASSERT_EQ(loaded->n_history, 2);

        /* Does not apply any more: the link does not move either. */
        ASSERT_ERROR(app_rollback_at(dir_fd, s, "again", T0), EINVAL);
        assert_link(dir_fd, APP_CURRENT_LINK, "versions/1.0.0");
}

static void test_rollback_at_missing_version(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        _cleanup_close_ int dir_fd = -EBADF;

        printf("%s\n", __func__);
        dir_fd = open_app_dir("rollback-missing");
        ASSERT_OK_ZERO(switch_link_at(dir_fd, APP_CURRENT_LINK, "1.1.0"));

        /* The previous version is gone from disk: neither link nor state change. */
        s = make_state("1.1.0", "0.9.0");
        ASSERT_ERROR(app_rollback_at(dir_fd, s, "x", T0), ENOENT);
        assert_link(dir_fd, APP_CURRENT_LINK, "versions/1.1.0");
        ASSERT_STREQ(s->current_version, "1.1.0");
        ASSERT_FALSE(s->paused);
        ASSERT_NULL(s->bad_versions);
        ASSERT_EQ(s->n_history, 0);
}

int main(void) {
        ASSERT_NOT_NULL(mkdtemp(tmpdir));

        test_switch_link();
        test_switch_link_refused();
        test_lock_exclusive();
        test_lock_refuses_symlink();
        test_begin_trial();
        test_begin_trial_manual();
        test_begin_trial_invalid();
        test_keep_trial();
        test_rollback();
        test_rollback_without_trial();
        test_rollback_invalid();
        test_trial_on_start();
        test_rollback_at();
        test_rollback_at_missing_version();

        test_tmpdir_remove(tmpdir);
        return 0;
}
