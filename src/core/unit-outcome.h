/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What became of a command systemd ran as a unit, put together from what systemd reports on the bus
 * (the job's result from JobRemoved, the service's Result= and ExecMainCode=/ExecMainStatus= from
 * PropertiesChanged), and said the way an operator reads it: "exited with status 3". */
#pragma once

#include <stdbool.h>

#include "time-util.h"

typedef struct UnitOutcome {
        const char *error;        /* systemd refused to create or start the unit: its message; NULL = it did not */
        const char *job_result;   /* JobRemoved: done, failed, timeout, canceled, dependency, …; NULL = none */
        const char *result;       /* the service's Result=: success, exit-code, signal, core-dump, timeout, …; NULL = unknown */
        int exec_main_code;       /* CLD_EXITED, CLD_KILLED or CLD_DUMPED; 0 = the program never ran */
        int exec_main_status;     /* exit status, or signal number */
        const char *active_state; /* ActiveState= when this was put together; NULL = unknown */
} UnitOutcome;

/* The job ended "done", and the program, if it was seen ending, exited 0. */
bool unit_outcome_succeeded(const UnitOutcome *o);

/* A short phrase completing "the hook …": "succeeded", "exited with status 3", "was killed by signal
 * TERM", "timed out after 30s" (timeout 0: "timed out"), "could not be executed (status 203/EXEC)",
 * "could not be started (systemd's job ended with 'dependency')", "could not be created: MESSAGE". */
int unit_outcome_describe(const UnitOutcome *o, usec_t timeout, char **ret);
