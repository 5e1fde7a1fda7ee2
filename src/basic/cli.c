/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

int cli_version(void) {
        printf("upkeep %s\n", PROJECT_VERSION);
        return 0;
}

int cli_common_option(int c, int (*help)(void)) {
        switch (c) {
        case 'h':
                return help();
        case CLI_ARG_VERSION:
                return cli_version();
        case '?':
                return -EINVAL;
        default:
                abort();
        }
}
