/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "macro.h"
#include "state.h"
#include "strv.h"
#include "tests.h"

/* 2026-12-05T05:45:12.123456Z */
#define T0 ((usec_t) 1796449512ULL * USEC_PER_SEC + 123456)

static FaultReport *new_report(const char *result, const char *code, const char *status) {
        FaultReport *r = calloc(1, sizeof(FaultReport));

        ASSERT_NOT_NULL(r);
        r->app = strdup("web");
        r->version = strdup("1.2.0");
        r->unit = strdup("upkeep@web.service");
        r->result = strdup(result);
        r->exit_code = code ? strdup(code) : NULL;
        r->exit_status = status ? strdup(status) : NULL;
        r->time = T0;
        ASSERT_NOT_NULL(r->app);
        return r;
}

static void test_result_is_fault(void) {
        printf("%s\n", __func__);

        ASSERT_FALSE(fault_result_is_fault(NULL));
        ASSERT_FALSE(fault_result_is_fault(""));
        ASSERT_FALSE(fault_result_is_fault("success"));
        ASSERT_FALSE(fault_result_is_fault("exec-condition"));
        ASSERT_FALSE(fault_result_is_fault("start-limit-hit"));
        ASSERT_TRUE(fault_result_is_fault("exit-code"));
        ASSERT_TRUE(fault_result_is_fault("signal"));
        ASSERT_TRUE(fault_result_is_fault("core-dump"));
        ASSERT_TRUE(fault_result_is_fault("oom-kill"));
        ASSERT_TRUE(fault_result_is_fault("watchdog"));
        ASSERT_TRUE(fault_result_is_fault("timeout"));
        /* A result a later systemd adds is recorded, not lost. */
        ASSERT_TRUE(fault_result_is_fault("something-new"));
}

static void assert_describes(const char *result, const char *code, const char *status, const char *expected) {
        _cleanup_(fault_report_freep) FaultReport *r = new_report(result, code, status);
        _cleanup_free_ char *text = NULL;

        ASSERT_OK_ZERO(fault_describe(r, &text));
        ASSERT_STREQ(text, expected);
}

static void test_describe(void) {
        printf("%s\n", __func__);

        assert_describes("exit-code", "exited", "3", "exited with status 3");
        assert_describes("signal", "killed", "SEGV", "was killed by signal SEGV");
        assert_describes("core-dump", "dumped", "ABRT", "dumped core on signal ABRT");
        /* systemd kills with SIGKILL: the result says why. */
        assert_describes("oom-kill", "killed", "KILL",
                         "was killed by the OOM killer (out of memory: MemoryMax= or the system's)");
        assert_describes("watchdog", "killed", "ABRT", "missed its watchdog (WatchdogSec=) and was killed");
        assert_describes("timeout", "killed", "TERM", "timed out");
        assert_describes("protocol", NULL, NULL, "failed (protocol)");
}

static void test_id(void) {
        char buf[FAULT_ID_MAX];

        printf("%s\n", __func__);

        ASSERT_STREQ(fault_id_format(buf, T0), "20261205-054512-123456");
        ASSERT_TRUE(fault_id_is_valid(buf));
        ASSERT_STREQ(fault_id_format(buf, 0), "19700101-000000-000000");
        /* Sorted by name is sorted by time. */
        ASSERT_LT(strcmp("20261205-054512-123456", fault_id_format(buf, T0 + 1)), 0);

        ASSERT_FALSE(fault_id_is_valid(NULL));
        ASSERT_FALSE(fault_id_is_valid(""));
        ASSERT_FALSE(fault_id_is_valid("../state.json"));
        ASSERT_FALSE(fault_id_is_valid("20261205-054512-12345"));
        ASSERT_FALSE(fault_id_is_valid("20261205-054512-1234567"));
        ASSERT_FALSE(fault_id_is_valid("20261205T054512-123456"));
        ASSERT_FALSE(fault_id_is_valid("2026120a-054512-123456"));
        ASSERT_FALSE(fault_id_is_valid("20261205-054512/123456"));
}

static void test_sanitize(void) {
        _cleanup_free_ char *a = NULL, *b = NULL;

        printf("%s\n", __func__);

        a = fault_text_sanitize("ok \xc3\xa9", 5);
        ASSERT_STREQ(a, "ok \xc3\xa9");
        /* An invalid byte and a NUL each become U+FFFD. */
        b = fault_text_sanitize("a\xff" "b\0c", 5);
        ASSERT_STREQ(b, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c");
}

static void test_json_round_trip(void) {
        _cleanup_(fault_report_freep) FaultReport *r = new_report("core-dump", "dumped", "SEGV"), *back = NULL;
        _cleanup_free_ char *json = NULL, *again = NULL;

        printf("%s\n", __func__);

        r->id = strdup("20261205-054512-123456");
        r->trial = true;
        r->invocation_id = strdup("0123456789abcdef0123456789abcdef");
        ASSERT_OK_ZERO(strv_extend(&r->journal, "line \"one\""));
        ASSERT_OK_ZERO(strv_extend(&r->journal, "line two"));
        r->journal_truncated = true;
        ASSERT_OK_ZERO(strv_extend(&r->coredump, "COREDUMP_SIGNAL_NAME"));
        ASSERT_OK_ZERO(strv_extend(&r->coredump, "SIGSEGV"));
        r->files = calloc(2, sizeof(FaultFile));
        ASSERT_NOT_NULL(r->files);
        r->files[0] = (FaultFile) { .path = strdup("/var/log/web/app.log"), .size = 99, .truncated = true, .content = strdup("end\n") };
        r->files[1] = (FaultFile) { .path = strdup("/var/lib/web/core.bin"), .size = 3, .binary = true, .content = strdup("AAEC") };
        r->n_files = 2;

        ASSERT_OK_ZERO(fault_report_to_json(r, &json));
        ASSERT_NOT_NULL(strstr(json, "\"description\":\"dumped core on signal SEGV\""));
        ASSERT_OK_ZERO(fault_report_from_json(json, &back));
        ASSERT_STREQ(back->id, r->id);
        ASSERT_EQ(back->time, T0);
        ASSERT_STREQ(back->app, "web");
        ASSERT_STREQ(back->version, "1.2.0");
        ASSERT_TRUE(back->trial);
        ASSERT_STREQ(back->invocation_id, r->invocation_id);
        ASSERT_STREQ(back->result, "core-dump");
        ASSERT_STREQ(back->exit_status, "SEGV");
        ASSERT_EQ(strv_length(back->journal), 2U);
        ASSERT_STREQ(back->journal[0], "line \"one\"");
        ASSERT_TRUE(back->journal_truncated);
        ASSERT_STREQ(back->coredump[0], "COREDUMP_SIGNAL_NAME");
        ASSERT_STREQ(back->coredump[1], "SIGSEGV");
        ASSERT_EQ(back->n_files, 2U);
        ASSERT_STREQ(back->files[0].path, "/var/log/web/app.log");
        ASSERT_TRUE(back->files[0].truncated);
        ASSERT_FALSE(back->files[0].binary);
        ASSERT_STREQ(back->files[0].content, "end\n");
        ASSERT_TRUE(back->files[1].binary);
        ASSERT_OK_ZERO(fault_report_to_json(back, &again));
        ASSERT_STREQ(again, json);
}

static void test_json_refused(void) {
        static const char *const bad[] = {
                "",
                "[]",
                "{\"app\": \"web\"}",                                              /* no ID */
                "{\"id\": \"../x\", \"app\": \"web\"}",                            /* not an ID */
                "{\"id\": \"20261205-054512-123456\"}",                            /* no app */
                "{\"id\": \"20261205-054512-123456\", \"app\": \"web\", \"time\": \"now\"}",
                "{\"id\": \"20261205-054512-123456\", \"app\": \"web\", \"journal\": [1]}",
                "{\"id\": \"20261205-054512-123456\", \"app\": \"web\", \"files\": [{}]}",
                "{\"id\": \"20261205-054512-123456\", \"app\": \"web\", \"version\": \"not a version\"}",
                "{\"id\": \"20261205-054512-123456\", \"app\": \"web\", \"coredump\": {\"X\": 1}}",
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                FaultReport *r = NULL;

                ASSERT_ERROR(fault_report_from_json(bad[i], &r), EBADMSG);
                ASSERT_NULL(r);
        }
}



static void test_counts(void) {
        _cleanup_(fault_counts_done) FaultCounts c = {}, back = {};
        _cleanup_free_ char *json = NULL;
        char v[16];

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(fault_counts_add(&c, "1.0.0", true, 10));
        ASSERT_OK_ZERO(fault_counts_add(&c, "1.0.0", false, 20));
        ASSERT_OK_ZERO(fault_counts_add(&c, NULL, false, 15));
        ASSERT_EQ(c.total, 3U);
        ASSERT_EQ(c.last, 20U);
        ASSERT_EQ(fault_counts_find(&c, "1.0.0")->faults, 2U);
        ASSERT_EQ(fault_counts_find(&c, "1.0.0")->after_trial, 1U);
        ASSERT_EQ(fault_counts_find(&c, NULL)->faults, 1U);
        ASSERT_NULL(fault_counts_find(&c, "2.0.0"));

        ASSERT_OK_ZERO(fault_counts_to_json(&c, &json));
        ASSERT_OK_ZERO(fault_counts_from_json(json, &back));
        ASSERT_EQ(back.total, 3U);
        ASSERT_EQ(back.n_versions, 2U);
        ASSERT_EQ(fault_counts_find(&back, "1.0.0")->after_trial, 1U);
        ASSERT_ERROR(fault_counts_from_json("{\"versions\": [{}]}", &back), EBADMSG);

        /* Beyond the bound, the version that faulted longest ago is forgotten; the total is not. */
        for (unsigned i = 0; i < FAULT_COUNTS_VERSIONS_MAX; i++) {
                (void) snprintf(v, sizeof v, "2.0.%u", i);
                ASSERT_OK_ZERO(fault_counts_add(&c, v, false, 100 + i));
        }
        ASSERT_EQ(c.n_versions, (size_t) FAULT_COUNTS_VERSIONS_MAX);
        ASSERT_NULL(fault_counts_find(&c, "1.0.0"));
        ASSERT_NULL(fault_counts_find(&c, NULL));
        ASSERT_NOT_NULL(fault_counts_find(&c, "2.0.0"));
        ASSERT_EQ(c.total, 3U + FAULT_COUNTS_VERSIONS_MAX);
}


static void test_version_of_run(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        const char *version = NULL;
        bool trial = true;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(app_state_new(&s));
        fault_version_of_run(s, T0, &version, &trial);
        ASSERT_NULL(version);
        ASSERT_FALSE(trial);

        /* 1.0.0 installed, then 1.1.0 on trial. */
        ASSERT_OK_ZERO(app_state_add_transition(s, T0 - 100, NULL, "1.0.0", TRANSITION_MANUAL));
        ASSERT_OK_ZERO(app_state_add_transition(s, T0 - 50, "1.0.0", "1.1.0", TRANSITION_SCHEDULED));
        ASSERT_OK(free_and_strdup(&s->current_version, "1.1.0"));
        ASSERT_OK(free_and_strdup(&s->trial_version, "1.1.0"));
        fault_version_of_run(s, T0 - 40, &version, &trial);
        ASSERT_STREQ(version, "1.1.0");
        ASSERT_TRUE(trial);
        fault_version_of_run(s, 0, &version, &trial);
        ASSERT_STREQ(version, "1.1.0");
        ASSERT_TRUE(trial);

        /* upkeepd rolled it back while the recorder ran: 1.1.0 ran, on trial, though current says 1.0.0. */
        ASSERT_OK_ZERO(app_state_add_transition(s, T0, "1.1.0", "1.0.0", TRANSITION_ROLLBACK));
        ASSERT_OK(free_and_strdup(&s->current_version, "1.0.0"));
        ASSERT_OK(free_and_strdup(&s->trial_version, NULL));
        fault_version_of_run(s, T0 - 40, &version, &trial);
        ASSERT_STREQ(version, "1.1.0");
        ASSERT_TRUE(trial);
        /* A run started after the rollback ran 1.0.0, not on trial. */
        fault_version_of_run(s, T0 + 1, &version, &trial);
        ASSERT_STREQ(version, "1.0.0");
        ASSERT_FALSE(trial);
        /* A run from before the switch ran what the switch replaced. */
        fault_version_of_run(s, T0 - 60, &version, &trial);
        ASSERT_STREQ(version, "1.0.0");
        ASSERT_FALSE(trial);
}

int main(void) {
        test_result_is_fault();
        test_describe();
        test_id();
        test_version_of_run();
        test_sanitize();
        test_json_round_trip();
        test_json_refused();
        test_counts();
        return 0;
}
