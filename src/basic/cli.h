/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every upkeep program shares on its command line: exit codes and --version. */
#pragma once

/* Exit codes scripts can rely on, documented in each program's man page. */
enum {
        EXIT_USAGE = 2,        /* bad command line: unknown option, missing or extra argument */
};

int cli_version(void);
