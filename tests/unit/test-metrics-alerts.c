/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The metrics the alerts in prometheus/upkeep.rules.yml hold on to (metrics.c): the build's
 * version, why an app is paused, back-off, rollbacks, the channel's expiry, updates available and
 * faults. test-metrics.c has the older ones. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "metrics.h"
#include "tests.h"

static void assert_has_line(const char *text, const char *line) {
        size_t n = strlen(line);

        for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == 0))
                        return;
        TEST_FAIL("missing line: %s\nin:\n%s", line, text);
}

static AppState *new_state(void) {
        AppState *s;

        ASSERT_OK_ZERO(app_state_new(&s));
        return s;
}

static void test_build_info(void) {
        _cleanup_free_ char *text = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(metrics_format(NULL, 0, &text));
        assert_has_line(text, "# TYPE upkeep_build_info gauge");
        assert_has_line(text, "upkeep_build_info{version=\"" PROJECT_VERSION "\"} 1");
}

static void test_paused_after_rollback(void) {
        _cleanup_(app_state_freep) AppState *rolled = new_state(), *operator = new_state(), *resumed = new_state();
        _cleanup_free_ char *text = NULL;

        printf("%s\n", __func__);

        /* Rolled back and paused by it. */
        ASSERT_OK_ZERO(app_state_add_transition(rolled, 10 * USEC_PER_SEC, NULL, "1.0.0", TRANSITION_MANUAL));
        ASSERT_OK_ZERO(app_state_add_transition(rolled, 20 * USEC_PER_SEC, "1.0.0", "1.1.0", TRANSITION_SCHEDULED));
        ASSERT_OK_ZERO(app_state_add_transition(rolled, 30 * USEC_PER_SEC + 250000, "1.1.0", "1.0.0", TRANSITION_ROLLBACK));
        rolled->paused = true;
        /* Paused by an operator, the last switch a good one. */
        ASSERT_OK_ZERO(app_state_add_transition(operator, 10 * USEC_PER_SEC, "1.0.0", "1.1.0", TRANSITION_ROLLBACK));
        ASSERT_OK_ZERO(app_state_add_transition(operator, 40 * USEC_PER_SEC, "1.0.0", "1.2.0", TRANSITION_MANUAL));
        operator->paused = true;
        /* Rolled back, then resumed. */
        ASSERT_OK_ZERO(app_state_add_transition(resumed, 50 * USEC_PER_SEC, "1.0.0", "1.1.0", TRANSITION_ROLLBACK));

        ASSERT_OK_ZERO(metrics_format((MetricsApp[]) {
                        { .name = "rolled", .state = rolled },
                        { .name = "operator", .state = operator },
                        { .name = "resumed", .state = resumed },
                }, 3, &text));

        assert_has_line(text, "upkeep_app_paused{app=\"rolled\"} 1");
        assert_has_line(text, "upkeep_app_paused_after_rollback{app=\"rolled\"} 1");
        assert_has_line(text, "upkeep_app_paused{app=\"operator\"} 1");
        assert_has_line(text, "upkeep_app_paused_after_rollback{app=\"operator\"} 0");
        assert_has_line(text, "upkeep_app_paused_after_rollback{app=\"resumed\"} 0");
        assert_has_line(text, "upkeep_app_last_rollback_timestamp_seconds{app=\"rolled\"} 30.25");
        assert_has_line(text, "upkeep_app_last_rollback_timestamp_seconds{app=\"operator\"} 10");
        assert_has_line(text, "upkeep_app_last_rollback_timestamp_seconds{app=\"resumed\"} 50");
        assert_has_line(text, "upkeep_app_rollbacks{app=\"rolled\"} 1");
}

static void test_backoff_channel_available(void) {
        _cleanup_(app_state_freep) AppState *a = new_state(), *b = new_state();
        _cleanup_free_ char *text = NULL;

        printf("%s\n", __func__);

        a->backoff_failures = 3;
        a->backoff_until = 1700003600 * USEC_PER_SEC;
        a->channel_serial = 7;

        ASSERT_OK_ZERO(metrics_format((MetricsApp[]) {
                        { .name = "web", .state = a, .channel_expires = 1767225600 * USEC_PER_SEC, .update_available = true },
                        { .name = "db", .state = b },
                }, 2, &text));

        assert_has_line(text, "upkeep_app_failed_scheduled_updates{app=\"web\"} 3");
        assert_has_line(text, "upkeep_app_backoff_until_timestamp_seconds{app=\"web\"} 1700003600");
        assert_has_line(text, "upkeep_app_backoff_until_timestamp_seconds{app=\"db\"} 0");
        assert_has_line(text, "# TYPE upkeep_app_channel_expires_timestamp_seconds gauge");
        assert_has_line(text, "upkeep_app_channel_expires_timestamp_seconds{app=\"web\"} 1767225600");
        assert_has_line(text, "upkeep_app_channel_expires_timestamp_seconds{app=\"db\"} 0");
        assert_has_line(text, "upkeep_app_update_available{app=\"web\"} 1");
        assert_has_line(text, "upkeep_app_update_available{app=\"db\"} 0");
}

static void test_faults(void) {
        _cleanup_(app_state_freep) AppState *a = new_state(), *b = new_state(), *c = new_state();
        _cleanup_(fault_counts_done) FaultCounts counts = {};
        _cleanup_free_ char *text = NULL;

        printf("%s\n", __func__);

        a->current_version = strdup("1.1.0");
        b->current_version = strdup("2.0.0");
        ASSERT_NOT_NULL(a->current_version);
        ASSERT_NOT_NULL(b->current_version);
        ASSERT_OK_ZERO(fault_counts_add(&counts, "1.0.0", false, 1700000000 * USEC_PER_SEC));
        ASSERT_OK_ZERO(fault_counts_add(&counts, "1.1.0", true, 1700000100 * USEC_PER_SEC));
        ASSERT_OK_ZERO(fault_counts_add(&counts, "1.1.0", false, 1700000200 * USEC_PER_SEC));

        ASSERT_OK_ZERO(metrics_format((MetricsApp[]) {
                        { .name = "web", .state = a, .faults = &counts },
                        { .name = "db", .state = b },
                        { .name = "new", .state = c },
                }, 3, &text));

        assert_has_line(text, "# TYPE upkeep_app_faults_total counter");
        /* Per version that faulted, trial or not; a version that never did starts at 0. */
        assert_has_line(text, "upkeep_app_faults_total{app=\"web\",version=\"1.0.0\"} 1");
        assert_has_line(text, "upkeep_app_faults_total{app=\"web\",version=\"1.1.0\"} 2");
        assert_has_line(text, "upkeep_app_faults_total{app=\"db\",version=\"2.0.0\"} 0");
        ASSERT_NULL(strstr(text, "upkeep_app_faults_total{app=\"new\""));
        assert_has_line(text, "# TYPE upkeep_app_last_fault_timestamp_seconds gauge");
        assert_has_line(text, "upkeep_app_last_fault_timestamp_seconds{app=\"web\"} 1700000200");
        assert_has_line(text, "upkeep_app_last_fault_timestamp_seconds{app=\"db\"} 0");
}

static void test_read_channel_expires(void) {
        static const char channel[] =
                "{ \"app\": \"web\", \"serial\": 7, \"expires\": \"2026-12-31T00:00:00Z\", \"releases\": [] }";
        char dir[] = "/tmp/test-metrics-alerts-XXXXXX";
        _cleanup_close_ int dir_fd = -EBADF;
        usec_t expires = 0;

        printf("%s\n", __func__);

        ASSERT_NOT_NULL(mkdtemp(dir));
        dir_fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK(dir_fd);

        ASSERT_ERROR(metrics_read_channel_expires_at(dir_fd, "channel.json", &expires), ENOENT);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "channel.json", channel, strlen(channel), 0644));
        ASSERT_OK_ZERO(metrics_read_channel_expires_at(dir_fd, "channel.json", &expires));
        ASSERT_EQ_U(expires, (usec_t) 1798675200 * USEC_PER_SEC);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, "channel.json", "{", 1, 0644));
        ASSERT_ERROR(metrics_read_channel_expires_at(dir_fd, "channel.json", &expires), EBADMSG);

        ASSERT_OK_ZERO(unlinkat(dir_fd, "channel.json", 0));
        ASSERT_OK_ZERO(rmdir(dir));
}

int main(void) {
        test_build_info();
        test_paused_after_rollback();
        test_backoff_channel_available();
        test_faults();
        test_read_channel_expires();
        return 0;
}
