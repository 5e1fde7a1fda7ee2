/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "macro.h"
#include "tests.h"
#include "unit-outcome.h"

static void assert_describes(const UnitOutcome *o, usec_t timeout, const char *expected) {
        _cleanup_free_ char *text = NULL;

        ASSERT_OK_ZERO(unit_outcome_describe(o, timeout, &text));
        if (!streq(text, expected)) {
                TEST_FAIL("got '%s', expected '%s'", text, expected);
        }
}

static void test_success(void) {
        UnitOutcome o = { .job_result = "done", .result = "success", .exec_main_code = CLD_EXITED };

        printf("%s\n", __func__);

        ASSERT_TRUE(unit_outcome_succeeded(&o));
        assert_describes(&o, 0, "succeeded");

        /* A started unit whose program is still running (Type=exec) succeeded as far as is known. */
        o = (UnitOutcome) { .job_result = "done" };
        ASSERT_TRUE(unit_outcome_succeeded(&o));
}

static void test_exit_status(void) {
        UnitOutcome o = { .job_result = "failed", .result = "exit-code", .exec_main_code = CLD_EXITED, .exec_main_status = 3 };

        printf("%s\n", __func__);

        ASSERT_FALSE(unit_outcome_succeeded(&o));
        assert_describes(&o, 0, "exited with status 3");

        /* A non-zero exit is a failure even if the job's result said otherwise. */
        o.job_result = "done";
        o.result = NULL;
        ASSERT_FALSE(unit_outcome_succeeded(&o));
}

static void test_not_executable(void) {
        UnitOutcome o = { .job_result = "failed", .result = "exit-code", .exec_main_code = CLD_EXITED, .exec_main_status = 203 };

        printf("%s\n", __func__);

        assert_describes(&o, 0, "could not be executed (status 203/EXEC)");
}

static void test_signal(void) {
        UnitOutcome o = { .job_result = "failed", .result = "signal", .exec_main_code = CLD_KILLED, .exec_main_status = SIGKILL };

        printf("%s\n", __func__);

        ASSERT_FALSE(unit_outcome_succeeded(&o));
        assert_describes(&o, 0, "was killed by signal KILL");

        o = (UnitOutcome) { .job_result = "failed", .result = "core-dump", .exec_main_code = CLD_DUMPED, .exec_main_status = SIGSEGV };
        assert_describes(&o, 0, "dumped core on signal SEGV");
}

static void test_timeout(void) {
        /* What systemd reports for a Type=oneshot unit past TimeoutStartSec=: killed with SIGTERM. */
        UnitOutcome o = { .job_result = "failed", .result = "timeout", .exec_main_code = CLD_KILLED, .exec_main_status = SIGTERM };

        printf("%s\n", __func__);

        ASSERT_FALSE(unit_outcome_succeeded(&o));
        assert_describes(&o, 30 * USEC_PER_SEC, "timed out after 30s");
        assert_describes(&o, 0, "timed out");

        o = (UnitOutcome) { .job_result = "timeout" };
        assert_describes(&o, 90 * USEC_PER_SEC, "timed out after 1min 30s");
}

static void test_never_ran(void) {
        UnitOutcome o = { .job_result = "dependency" };

        printf("%s\n", __func__);

        ASSERT_FALSE(unit_outcome_succeeded(&o));
        assert_describes(&o, 0, "could not be started (systemd's job ended with 'dependency')");

        o = (UnitOutcome) { .job_result = "failed", .result = "start-limit-hit" };
        assert_describes(&o, 0, "failed (start-limit-hit)");

        o = (UnitOutcome) { .error = "Unit upkeep-hook-x-1.service already exists." };
        ASSERT_FALSE(unit_outcome_succeeded(&o));
        assert_describes(&o, 0, "could not be created: Unit upkeep-hook-x-1.service already exists.");

        o = (UnitOutcome) {};
        ASSERT_FALSE(unit_outcome_succeeded(&o));
        assert_describes(&o, 0, "ended without a result");
}

int main(void) {
        test_success();
        test_exit_status();
        test_not_executable();
        test_signal();
        test_timeout();
        test_never_ran();
        return 0;
}
