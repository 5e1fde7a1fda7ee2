/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep-generator: a systemd generator (systemd.generator(7)). systemd runs it at boot and on every
 * daemon-reload with three output directories; it reads only /etc, /run and /usr, writes only into
 * those directories, and never fails the boot over a bad app config: it warns and skips it. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "log.h"

static int help(void) {
        printf("%s [OPTIONS...] NORMAL-DIR [EARLY-DIR LATE-DIR]\n\n"
               "Generate units for the apps upkeep manages. Run by systemd, not by hand\n"
               "(see systemd.generator(7)).\n\n"
               "Options:\n"
               "  -h --help          Show this help\n"
               "     --version       Show package version\n",
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

        /* systemd passes three directories; one is accepted for running it by hand. */
        if (!IN_SET(argc - optind, 1, 3))
                return log_error_errno(EINVAL, "Expected one or three output directories, got %d.", argc - optind);

        return 1;
}

int main(int argc, char *argv[]) {
        const char *dest;
        int r;

        /* Run by systemd (which sets $SYSTEMD_SCOPE for generators), possibly before journald is up:
         * the kernel log is the one place an operator will find us. Run by hand: the terminal. */
        if (getenv("SYSTEMD_SCOPE"))
                log_open_kmsg();

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        dest = argv[optind];
        log_debug("Generating upkeep units into %s.", dest);
        return EXIT_SUCCESS;
}
