/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeepd: the org.upkeep1 system bus service. Normally started by bus activation through
 * upkeepd.service, not by hand. */
#include <getopt.h>
#include <stdio.h>
#include <sys/resource.h>

#include "bus-introspect.h"
#include "cli.h"
#include "log.h"
#include "manager-metrics.h"
#include "manager.h"
#include "state.h"  /* free_and_strdup() */

static usec_t arg_idle_timeout = MANAGER_IDLE_TIMEOUT_DEFAULT;
static const char *arg_metrics_dir = MANAGER_METRICS_DIR_DEFAULT;

static int help(void) {
        printf("%s [OPTIONS...]\n\n"
               "Keeps services managed by upkeep up to date; serves org.upkeep1 on the system bus.\n"
               "Started on demand by the bus (upkeepd.service); not normally run by hand.\n\n"
               "Options:\n"
               "  -h --help                    Show this help\n"
               "     --version                 Show package version\n"
               "     --idle-timeout=SPAN       Exit after SPAN without bus calls or jobs\n"
               "                               (default: 30s; 0 = never)\n"
               "     --metrics-dir=DIR         Write metrics for node_exporter to DIR/upkeep.prom\n"
               "                               (default: %s; \"\" = none)\n"
               "     --bus-introspect=INTERFACE\n"
               "                               Print the introspection XML of org.upkeep1.Manager,\n"
               "                               org.upkeep1.App or org.upkeep1.Job and exit\n"
               "\nSee the upkeepd(8) man page for details.\n",
               program_invocation_short_name, MANAGER_METRICS_DIR_DEFAULT);
        return 0;
}

/* Returns > 0 to go on, 0 to exit successfully, < 0 on a usage error (already reported). */
static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_IDLE_TIMEOUT = _CLI_ARG_MAX,
                ARG_METRICS_DIR,
                ARG_BUS_INTROSPECT,
        };
        static const struct option options[] = {
                CLI_COMMON_OPTIONS,
                { "idle-timeout",   required_argument, NULL, ARG_IDLE_TIMEOUT   },
                { "metrics-dir",    required_argument, NULL, ARG_METRICS_DIR    },
                { "bus-introspect", required_argument, NULL, ARG_BUS_INTROSPECT },
                {}
        };
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_IDLE_TIMEOUT:
                        r = parse_timespan(optarg, &arg_idle_timeout);
                        if (r < 0)
                                return log_error_errno(r, "Invalid --idle-timeout= value '%s' "
                                                       "(expected a time span such as 30s or 5min).", optarg);
                        break;
                case ARG_METRICS_DIR:
                        if (!isempty(optarg) && optarg[0] != '/')
                                return log_error_errno(EINVAL, "Invalid --metrics-dir= value '%s' "
                                                       "(expected an absolute path, or \"\" for none).", optarg);
                        arg_metrics_dir = optarg;
                        break;
                case ARG_BUS_INTROSPECT:
                        r = bus_introspect_print(optarg);
                        return r < 0 ? r : 0;
                default:
                        return cli_common_option(c, help);
                }

        if (optind < argc)
                return log_error_errno(EINVAL, "%s takes no arguments.", program_invocation_short_name);

        return 1;
}

/* Every app holds its state directory open and a check of all apps opens many sockets: beyond a
 * thousand apps the soft limit of 1024 descriptors would fail them. Nothing here uses select(), so the
 * soft limit may rise to the hard one (which systemd sets high). */
static void raise_nofile_limit(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
                return;
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                log_warning_errno(errno, "Failed to raise the file descriptor limit, ignoring: %m");
}

int main(int argc, char *argv[]) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        raise_nofile_limit();

        r = manager_new(&m);
        if (r < 0)
                return log_error_errno(r, "Failed to allocate manager: %m"), EXIT_FAILURE;
        m->idle_timeout = arg_idle_timeout;
        r = free_and_strdup(&m->metrics_dir, isempty(arg_metrics_dir) ? NULL : arg_metrics_dir);
        if (r < 0)
                return log_oom(), EXIT_FAILURE;

        r = manager_start(m);
        if (r < 0)
                return EXIT_FAILURE;

        r = manager_run(m);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
