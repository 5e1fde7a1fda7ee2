/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every upkeep program shares on its command line: exit codes, -h/--help and --version. */
#pragma once

/* Exit codes scripts can rely on, documented in each program's man page. */
enum {
        EXIT_USAGE = 2,        /* bad command line: unknown option, missing or extra argument */
};

/* getopt_long()'s value for --version; a program numbers its own long options from _CLI_ARG_MAX. */
enum {
        CLI_ARG_VERSION = 0x100,
        _CLI_ARG_MAX,
};

/* The struct option entries of -h/--help and --version, first in a program's table. */
#define CLI_COMMON_OPTIONS                                              \
        { "help",    no_argument, NULL, 'h'             },              \
        { "version", no_argument, NULL, CLI_ARG_VERSION }

int cli_version(void);

/* What getopt_long() returned when it is none of the program's own options: 'h' shows help(),
 * CLI_ARG_VERSION the version (both 0: exit successfully), '?' is a usage error getopt has already
 * reported (-EINVAL). Anything else is a bug in the option table, and aborts. */
int cli_common_option(int c, int (*help)(void));

/* The whole command line of a program with no options of its own: -h/--help and --version (0, to exit
 * successfully), a usage error (-EINVAL), or none of them (1: go on, the arguments from optind). */
int cli_parse_common_only(int argc, char *argv[], int (*help)(void));
