/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "macro.h"
#include "unit-outcome.h"

/* The status systemd's service manager gives a process it could not execute (EXIT_EXEC). */
#define SYSTEMD_EXIT_EXEC 203

bool unit_outcome_succeeded(const UnitOutcome *o) {
        if (o->error)
                return false;
        if (!streq_ptr(o->job_result, "done"))
                return false;
        if (o->result && !streq(o->result, "success"))
                return false;
        return o->exec_main_code == 0 || (o->exec_main_code == CLD_EXITED && o->exec_main_status == 0);
}

static const char *signal_name(int sig) {
        const char *n = sigabbrev_np(sig);
        return n ?: "unknown";
}

int unit_outcome_describe(const UnitOutcome *o, usec_t timeout, char **ret) {
        char span[64], *text;
        int r;

        if (unit_outcome_succeeded(o))
                r = asprintf(&text, "succeeded");
        else if (o->error)
                r = asprintf(&text, "could not be created: %s", o->error);
        else if (streq_ptr(o->result, "timeout") || streq_ptr(o->job_result, "timeout")) {
                /* systemd kills what overstays its bound: the signal is not news. */
                if (timeout > 0)
                        r = asprintf(&text, "timed out after %s", format_timespan(span, sizeof span, timeout));
                else
                        r = asprintf(&text, "timed out");
        } else if (o->exec_main_code == CLD_EXITED && o->exec_main_status == SYSTEMD_EXIT_EXEC)
                r = asprintf(&text, "could not be executed (status %d/EXEC)", SYSTEMD_EXIT_EXEC);
        else if (o->exec_main_code == CLD_EXITED)
                r = asprintf(&text, "exited with status %d", o->exec_main_status);
        else if (o->exec_main_code == CLD_KILLED)
                r = asprintf(&text, "was killed by signal %s", signal_name(o->exec_main_status));
        else if (o->exec_main_code == CLD_DUMPED)
                r = asprintf(&text, "dumped core on signal %s", signal_name(o->exec_main_status));
        else if (o->result && !streq(o->result, "success"))
                r = asprintf(&text, "failed (%s)", o->result);
        else if (o->job_result && !streq(o->job_result, "done"))
                r = asprintf(&text, "could not be started (systemd's job ended with '%s')", o->job_result);
        else
                r = asprintf(&text, "ended without a result");

        if (r < 0)
                return -ENOMEM;

        *ret = text;
        return 0;
}
