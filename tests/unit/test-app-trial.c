/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The trial's decisions (app-trial.c), without systemd: what a restart's job result, a change of the
 * unit's ActiveState, the end of TrialSec= and a health check's answer lead to; how a trial taken
 * over after a daemon restart goes on; and the rollback of the state, on a temporary app directory. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app-trial.h"
#include "fileio.h"
#include "macro.h"
#include "state.h"
#include "strv.h"
#include "switch.h"
#include "tests.h"
#include "test-util.h"

#define ASSERT_DECISION(expr, expected) ASSERT_STREQ(trial_decision_to_string(expr), trial_decision_to_string(expected))

static void test_decide_restarted(void) {
        printf("%s\n", __func__);

        ASSERT_DECISION(app_trial_decide_restarted("done"), TRIAL_DECISION_WATCH);
        ASSERT_DECISION(app_trial_decide_restarted("failed"), TRIAL_DECISION_ROLL_BACK);
        ASSERT_DECISION(app_trial_decide_restarted("timeout"), TRIAL_DECISION_ROLL_BACK);
        ASSERT_DECISION(app_trial_decide_restarted("canceled"), TRIAL_DECISION_ROLL_BACK);
        ASSERT_DECISION(app_trial_decide_restarted(NULL), TRIAL_DECISION_ROLL_BACK);
}

static void test_decide_changed(void) {
        printf("%s\n", __func__);

        /* On trial: only active (or reloading) is up. */
        ASSERT_DECISION(app_trial_decide_changed(true, "active"), TRIAL_DECISION_WAIT);
        ASSERT_DECISION(app_trial_decide_changed(true, "reloading"), TRIAL_DECISION_WAIT);
        ASSERT_DECISION(app_trial_decide_changed(true, "failed"), TRIAL_DECISION_ROLL_BACK);
        ASSERT_DECISION(app_trial_decide_changed(true, "inactive"), TRIAL_DECISION_ROLL_BACK);
        ASSERT_DECISION(app_trial_decide_changed(true, "deactivating"), TRIAL_DECISION_ROLL_BACK);
        ASSERT_DECISION(app_trial_decide_changed(true, "activating"), TRIAL_DECISION_ROLL_BACK);
        ASSERT_DECISION(app_trial_decide_changed(true, NULL), TRIAL_DECISION_WAIT);

        /* Before the restart's job ended (or after the trial), the unit passes through other states. */
        ASSERT_DECISION(app_trial_decide_changed(false, "deactivating"), TRIAL_DECISION_WAIT);
        ASSERT_DECISION(app_trial_decide_changed(false, "failed"), TRIAL_DECISION_WAIT);
}

static void test_decide_trial_over(void) {
        printf("%s\n", __func__);

        ASSERT_DECISION(app_trial_decide_trial_over(NULL), TRIAL_DECISION_KEEP);
        ASSERT_DECISION(app_trial_decide_trial_over(""), TRIAL_DECISION_KEEP);
        ASSERT_DECISION(app_trial_decide_trial_over("http://127.0.0.1:8080/healthz"), TRIAL_DECISION_CHECK_HEALTH);
        ASSERT_DECISION(app_trial_decide_trial_over("bin/check --quick"), TRIAL_DECISION_CHECK_HEALTH);
}

static void test_decide_health_status(void) {
        printf("%s\n", __func__);

        ASSERT_DECISION(app_trial_decide_health_status(200), TRIAL_DECISION_KEEP);
        ASSERT_DECISION(app_trial_decide_health_status(204), TRIAL_DECISION_KEEP);
        ASSERT_DECISION(app_trial_decide_health_status(299), TRIAL_DECISION_KEEP);
        ASSERT_DECISION(app_trial_decide_health_status(199), TRIAL_DECISION_ROLL_BACK);
        ASSERT_DECISION(app_trial_decide_health_status(301), TRIAL_DECISION_ROLL_BACK);
        ASSERT_DECISION(app_trial_decide_health_status(503), TRIAL_DECISION_ROLL_BACK);
        ASSERT_DECISION(app_trial_decide_health_status(0), TRIAL_DECISION_ROLL_BACK);
}

static void test_unit_settled(void) {
        printf("%s\n", __func__);

        ASSERT_FALSE(app_trial_unit_settled(NULL));
        ASSERT_FALSE(app_trial_unit_settled("activating"));
        ASSERT_FALSE(app_trial_unit_settled("deactivating"));
        ASSERT_TRUE(app_trial_unit_settled("active"));
        ASSERT_TRUE(app_trial_unit_settled("reloading"));
        ASSERT_TRUE(app_trial_unit_settled("inactive"));
        ASSERT_TRUE(app_trial_unit_settled("failed"));
}

static void test_decide_adopted(void) {
        printf("%s\n", __func__);

        /* Not known yet, or starting or stopping: wait for where it ends. */
        ASSERT_DECISION(app_trial_decide_adopted(NULL, true, 1), TRIAL_DECISION_WAIT);
        ASSERT_DECISION(app_trial_decide_adopted("activating", true, 1), TRIAL_DECISION_WAIT);
        ASSERT_DECISION(app_trial_decide_adopted("deactivating", true, 0), TRIAL_DECISION_WAIT);

        /* upkeep-condition ended the trial while no upkeepd watched (kept or rolled back). */
        ASSERT_DECISION(app_trial_decide_adopted("active", false, 1), TRIAL_DECISION_OVER);
        ASSERT_DECISION(app_trial_decide_adopted("failed", false, 3), TRIAL_DECISION_OVER);

        /* Switched to, never started: restarted for its trial, whatever the old process does. */
        ASSERT_DECISION(app_trial_decide_adopted("active", true, 0), TRIAL_DECISION_RESTART);
        ASSERT_DECISION(app_trial_decide_adopted("inactive", true, 0), TRIAL_DECISION_RESTART);

        /* Started, and down now: it failed. */
        ASSERT_DECISION(app_trial_decide_adopted("failed", true, 1), TRIAL_DECISION_ROLL_BACK);
        ASSERT_DECISION(app_trial_decide_adopted("inactive", true, 2), TRIAL_DECISION_ROLL_BACK);

        /* Started and up: watched for a whole TrialSec= from now. */
        ASSERT_DECISION(app_trial_decide_adopted("active", true, 1), TRIAL_DECISION_WATCH);
        ASSERT_DECISION(app_trial_decide_adopted("reloading", true, 1), TRIAL_DECISION_WATCH);
}

static void test_decision_strings(void) {
        printf("%s\n", __func__);

        for (TrialDecision d = 0; d < _TRIAL_DECISION_MAX; d++)
                ASSERT_NOT_NULL(trial_decision_to_string(d));
        ASSERT_NULL(trial_decision_to_string(_TRIAL_DECISION_MAX));
        ASSERT_NULL(trial_decision_to_string(_TRIAL_DECISION_INVALID));
}

/* An app directory with versions 1.0.0 and 1.1.0, running 1.0.0 and on trial of 1.1.0 (kind),
 * switched as app-apply.c switches: previous first, then current. */
typedef struct TrialDir {
        char path[sizeof "/tmp/test-app-trial-XXXXXX"];
        int fd;
        AppState *s;
} TrialDir;

static void trial_dir_set_up(TrialDir *d, TransitionKind kind) {
        strcpy(d->path, "/tmp/test-app-trial-XXXXXX");
        ASSERT_NOT_NULL(mkdtemp(d->path));
        d->fd = open(d->path, O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK(d->fd);
        ASSERT_OK(mkdirat(d->fd, "versions", 0755));
        ASSERT_OK(mkdirat(d->fd, "versions/1.0.0", 0755));
        ASSERT_OK(mkdirat(d->fd, "versions/1.1.0", 0755));

        ASSERT_OK(app_state_new(&d->s));
        ASSERT_OK(free_and_strdup(&d->s->current_version, "1.0.0"));
        ASSERT_OK(switch_link_at(d->fd, APP_CURRENT_LINK, "1.0.0"));
        ASSERT_OK(switch_link_at(d->fd, APP_PREVIOUS_LINK, "1.0.0"));
        ASSERT_OK(app_state_begin_trial(d->s, "1.1.0", kind, 1000 * USEC_PER_SEC));
        ASSERT_OK(switch_link_at(d->fd, APP_CURRENT_LINK, "1.1.0"));
}

static void trial_dir_done(TrialDir *d) {
        d->s = app_state_free(d->s);
        closep(&d->fd);
        test_tmpdir_remove(d->path);
}

static void assert_current_link(int fd, const char *expected) {
        _cleanup_free_ char *current = NULL, *previous = NULL;

        ASSERT_OK(app_state_read_links_at(fd, &current, &previous));
        ASSERT_STREQ(current, expected);
}

static void test_roll_back_state(void) {
        _cleanup_(trial_dir_done) TrialDir d = { .fd = -EBADF };
        bool done = false, backed_off = false;

        printf("%s\n", __func__);

        trial_dir_set_up(&d, TRANSITION_SCHEDULED);
        ASSERT_STREQ(d.s->trial_version, "1.1.0");
        ASSERT_STREQ(d.s->current_version, "1.1.0");
        assert_current_link(d.fd, "1.1.0");

        ASSERT_EQ(app_trial_roll_back_state(d.s, d.fd, "1.1.0", "version 1.1.0 failed its trial", TRANSITION_SCHEDULED,
                                            /* roll_back= */ true, 2000 * USEC_PER_SEC, &done, &backed_off), 1);
        ASSERT_TRUE(done);
        ASSERT_TRUE(backed_off);

        /* current back to the old version, on disk and in the state; the new one marked bad. */
        assert_current_link(d.fd, "1.0.0");
        ASSERT_STREQ(d.s->current_version, "1.0.0");
        ASSERT_NULL(d.s->trial_version);
        ASSERT_TRUE(strv_contains(d.s->bad_versions, "1.1.0"));
        ASSERT_TRUE(d.s->paused);
        ASSERT_STREQ(d.s->last_error, "version 1.1.0 failed its trial");
        ASSERT_EQ(d.s->backoff_failures, 1u);
        ASSERT_GT(d.s->backoff_until, 2000 * USEC_PER_SEC);

        /* Again, as after upkeep-condition rolled back first: nothing is switched twice, the failure
         * is recorded all the same. */
        done = backed_off = false;
        ASSERT_EQ(app_trial_roll_back_state(d.s, d.fd, "1.1.0", "again", TRANSITION_SCHEDULED, true,
                                            3000 * USEC_PER_SEC, &done, &backed_off), 1);
        ASSERT_FALSE(done);
        ASSERT_TRUE(backed_off);
        assert_current_link(d.fd, "1.0.0");
        ASSERT_STREQ(d.s->current_version, "1.0.0");
        ASSERT_STREQ(d.s->last_error, "again");
        ASSERT_EQ(d.s->backoff_failures, 2u);
}

static void test_roll_back_state_manual(void) {
        _cleanup_(trial_dir_done) TrialDir d = { .fd = -EBADF };
        bool done = false, backed_off = false;

        printf("%s\n", __func__);

        trial_dir_set_up(&d, TRANSITION_MANUAL);
        d.s->backoff_failures = 2;

        /* An operator's switch does not count towards the back-off; it starts the count afresh. */
        ASSERT_EQ(app_trial_roll_back_state(d.s, d.fd, "1.1.0", "failed", TRANSITION_MANUAL, true,
                                            2000 * USEC_PER_SEC, &done, &backed_off), 1);
        ASSERT_TRUE(done);
        ASSERT_FALSE(backed_off);
        ASSERT_EQ(d.s->backoff_failures, 0u);
        assert_current_link(d.fd, "1.0.0");
        ASSERT_TRUE(strv_contains(d.s->bad_versions, "1.1.0"));
}

static void test_roll_back_state_other_version(void) {
        _cleanup_(trial_dir_done) TrialDir d = { .fd = -EBADF };
        bool done = false, backed_off = false;

        printf("%s\n", __func__);

        /* The trial on disk is another version's (this one's ended meanwhile): nothing is rolled back,
         * and so does a trial with nothing to go back to (roll_back false). */
        trial_dir_set_up(&d, TRANSITION_MANUAL);
        ASSERT_EQ(app_trial_roll_back_state(d.s, d.fd, "1.2.0", "failed", TRANSITION_MANUAL, true,
                                            2000 * USEC_PER_SEC, &done, &backed_off), 1);
        ASSERT_FALSE(done);
        ASSERT_EQ(app_trial_roll_back_state(d.s, d.fd, "1.1.0", "failed", TRANSITION_MANUAL, false,
                                            2000 * USEC_PER_SEC, &done, &backed_off), 1);
        ASSERT_FALSE(done);
        ASSERT_STREQ(d.s->trial_version, "1.1.0");
        ASSERT_STREQ(d.s->last_error, "failed");
        assert_current_link(d.fd, "1.1.0");
}

static void test_record_failure(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        bool backed_off = false;

        printf("%s\n", __func__);

        ASSERT_OK(app_state_new(&s));
        app_switch_record_failure(s, TRANSITION_SCHEDULED, 1000 * USEC_PER_SEC, &backed_off);
        ASSERT_TRUE(backed_off);
        ASSERT_EQ(s->backoff_failures, 1u);
        app_switch_record_failure(s, TRANSITION_SCHEDULED, 2000 * USEC_PER_SEC, &backed_off);
        ASSERT_EQ(s->backoff_failures, 2u);

        backed_off = false;
        app_switch_record_failure(s, TRANSITION_MANUAL, 3000 * USEC_PER_SEC, &backed_off);
        ASSERT_FALSE(backed_off);
        ASSERT_EQ(s->backoff_failures, 0u);
        ASSERT_EQ(s->backoff_until, 0u);
}

int main(void) {
        test_decide_restarted();
        test_decide_changed();
        test_decide_trial_over();
        test_decide_health_status();
        test_unit_settled();
        test_decide_adopted();
        test_decision_strings();
        test_roll_back_state();
        test_roll_back_state_manual();
        test_roll_back_state_other_version();
        test_record_failure();
        return 0;
}
