/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prints upkeep.prom as upkeepd writes it for two apps with every field set or unset, for
 * `promtool check metrics` (test-prometheus.sh) to lint. */
#include <stdio.h>

#include "macro.h"
#include "metrics.h"

int main(void) {
        _cleanup_(app_state_freep) AppState *a = NULL, *b = NULL;
        _cleanup_free_ char *text = NULL;

        if (app_state_new(&a) < 0 || app_state_new(&b) < 0)
                return 1;
        a->current_version = strdup("1.0.0");
        a->previous_version = strdup("0.9.0");
        a->available_version = strdup("1.1.0");
        a->pending_version = strdup("1.1.0");
        a->last_error = strdup("a \"quoted\" reason\\");
        a->paused = true;
        a->due_at = 1700000000 * USEC_PER_SEC;
        a->last_check = 1700000100 * USEC_PER_SEC;
        a->backoff_failures = 2;
        a->backoff_until = 1700007200 * USEC_PER_SEC;
        a->channel_serial = 7;
        if (app_state_add_transition(a, 1690000000 * USEC_PER_SEC, "0.9.0", "1.0.0", TRANSITION_ROLLBACK) < 0)
                return 1;
        b->tlog_forks = 1;

        if (metrics_format((MetricsApp[]) {
                        { .name = "web", .state = a, .channel_expires = 1798675200 * USEC_PER_SEC, .update_available = true },
                        { .name = "moxtools", .state = b },
                }, 2, &text) < 0)
                return 1;
        fputs(text, stdout);
        return 0;
}
