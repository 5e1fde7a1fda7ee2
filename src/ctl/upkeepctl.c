/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeepctl: the command-line client of upkeepd, in the manner of systemctl. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "log.h"

static int help(void) {
        printf("%s [OPTIONS...] COMMAND ...\n\n"
               "Inspect and control updates of services managed by upkeep.\n\n"
               "Options:\n"
               "  -h --help          Show this help\n"
               "     --version       Show package version\n"
               "\nSee the upkeepctl(1) man page for details.\n",
               program_invocation_short_name);
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
        };
        static const struct option options[] = {
                { "help",    no_argument, NULL, 'h'         },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        return help();
                case ARG_VERSION:
                        return cli_version();
                case '?':
                        return -EINVAL;
                default:
                        abort();
                }

        return 1;
}

int main(int argc, char *argv[]) {
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        if (optind >= argc)
                log_error("No command given. See '%s --help'.", program_invocation_short_name);
        else
                log_error("Unknown command '%s'. See '%s --help'.", argv[optind], program_invocation_short_name);
        return EXIT_USAGE;
}
