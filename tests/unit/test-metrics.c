/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "macro.h"
#include "metrics.h"
#include "tests.h"

static AppState *state_of(const char *current, const char *pending) {
        AppState *s;

        ASSERT_OK_ZERO(app_state_new(&s));
        s->current_version = current ? strdup(current) : NULL;
        s->pending_version = pending ? strdup(pending) : NULL;
        return s;
}

static void assert_has_line(const char *text, const char *line) {
        const char *p = text;
        size_t n = strlen(line);

        for (; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, line, n) == 0 && IN_SET(p[n], '\n', 0))
                        return;
        TEST_FAIL("missing line: %s\nin:\n%s", line, text);
}

static void test_two_apps(void) {
        _cleanup_(app_state_freep) AppState *a = state_of("1.1.0", "1.2.0"), *b = state_of(NULL, NULL);
        _cleanup_free_ char *text = NULL;

        printf("%s\n", __func__);

        a->paused = true;
        a->due_at = 1700000000 * USEC_PER_SEC + 500000;
        ASSERT_OK_ZERO(app_state_add_transition(a, 1, NULL, "1.0.0", TRANSITION_MANUAL));
        ASSERT_OK_ZERO(app_state_add_transition(a, 2, "1.0.0", "1.2.0", TRANSITION_SCHEDULED));
        ASSERT_OK_ZERO(app_state_add_transition(a, 3, "1.2.0", "1.0.0", TRANSITION_ROLLBACK));
        b->last_error = strdup("download failed");
        b->tlog_forks = 2;

        ASSERT_OK_ZERO(metrics_format((MetricsApp[]) { { "web", a }, { "db", b } }, 2, &text));

        assert_has_line(text, "# TYPE upkeep_app_info gauge");
        assert_has_line(text, "upkeep_app_info{app=\"web\",current=\"1.1.0\",previous=\"\",available=\"\",pending=\"1.2.0\"} 1");
        assert_has_line(text, "upkeep_app_info{app=\"db\",current=\"\",previous=\"\",available=\"\",pending=\"\"} 1");
        assert_has_line(text, "upkeep_app_paused{app=\"web\"} 1");
        assert_has_line(text, "upkeep_app_paused{app=\"db\"} 0");
        assert_has_line(text, "upkeep_app_update_pending{app=\"web\"} 1");
        assert_has_line(text, "upkeep_app_update_due_timestamp_seconds{app=\"web\"} 1700000000.5");
        assert_has_line(text, "upkeep_app_rollbacks{app=\"web\"} 1");
        assert_has_line(text, "upkeep_app_last_operation_failed{app=\"db\"} 1");
        assert_has_line(text, "upkeep_app_last_operation_failed{app=\"web\"} 0");
        assert_has_line(text, "# TYPE upkeep_app_tlog_forks_total counter");
        assert_has_line(text, "upkeep_app_tlog_forks_total{app=\"db\"} 2");
        assert_has_line(text, "upkeep_app_tlog_forks_total{app=\"web\"} 0");
        ASSERT_EQ(text[strlen(text) - 1], '\n');
}

static void test_label_escaping(void) {
        _cleanup_(app_state_freep) AppState *s = state_of(NULL, NULL);
        _cleanup_free_ char *text = NULL;

        printf("%s\n", __func__);

        /* App names cannot hold these, but the format must never break whatever comes. */
        ASSERT_OK_ZERO(metrics_format((MetricsApp[]) { { "a\"b\\c\nd", s } }, 1, &text));
        assert_has_line(text, "upkeep_app_paused{app=\"a\\\"b\\\\c\\nd\"} 0");
}

static void test_no_apps(void) {
        _cleanup_free_ char *text = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(metrics_format(NULL, 0, &text));
        assert_has_line(text, "# HELP upkeep_app_info The versions of each app upkeep manages: current, previous, available and pending.");
        ASSERT_NULL(strstr(text, "{app="));
}

int main(void) {
        test_two_apps();
        test_label_escaping();
        test_no_apps();
        return 0;
}
