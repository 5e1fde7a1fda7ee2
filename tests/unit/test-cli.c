/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cli.c: the options every program shares. (test-cli.sh checks each program's command line.) */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "macro.h"
#include "tests.h"

static unsigned n_help;

static int help(void) {
        n_help++;
        return 0;
}

/* Parses argv as a program with only the common options does. */
static int parse(char **argv) {
        static const struct option options[] = {
                CLI_COMMON_OPTIONS,
                {}
        };
        int argc = 0, c;

        while (argv[argc])
                argc++;

        optind = 0;
        opterr = 0;
        c = getopt_long(argc, argv, "h", options, NULL);
        return c >= 0 ? cli_common_option(c, help) : 1;
}

int main(void) {
        ASSERT_EQ(parse((char *[]) { (char *) "prog", (char *) "verb", NULL }), 1);

        ASSERT_OK_ZERO(parse((char *[]) { (char *) "prog", (char *) "-h", NULL }));
        ASSERT_OK_ZERO(parse((char *[]) { (char *) "prog", (char *) "verb", (char *) "--help", NULL }));
        ASSERT_EQ(n_help, 2);

        ASSERT_OK_ZERO(parse((char *[]) { (char *) "prog", (char *) "--version", NULL }));
        ASSERT_EQ(n_help, 2);

        ASSERT_ERROR(parse((char *[]) { (char *) "prog", (char *) "--bogus", NULL }), EINVAL);
        ASSERT_ERROR(parse((char *[]) { (char *) "prog", (char *) "-x", NULL }), EINVAL);

        ASSERT_GT(_CLI_ARG_MAX, CLI_ARG_VERSION);
        return 0;
}
