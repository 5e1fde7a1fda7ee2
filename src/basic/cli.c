/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
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

int cli_parse_common_only(int argc, char *argv[], int (*help)(void)) {
        static const struct option options[] = {
                CLI_COMMON_OPTIONS,
                {}
        };
        int c;

        /* Every option there is ends the command line: help, the version, or a usage error. */
        c = getopt_long(argc, argv, "h", options, NULL);
        if (c >= 0)
                return cli_common_option(c, help);
        return 1;
}
