/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeepctl: the command-line client of upkeepd, in the manner of systemctl. This file holds the
 * command line: options, the table of commands, and the checks done before any bus call. */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "bus-error.h"
#include "channel.h"
#include "cli.h"
#include "ctl-hosts.h"
#include "ctl-polkit.h"
#include "ctl.h"
#include "fileio.h"
#include "strv.h"

JsonMode arg_json = JSON_OFF;
bool arg_legend = true;
bool arg_no_block = false;
bool arg_ask_password = true;
bool arg_quiet = false;
char **arg_hosts = NULL;
const char *arg_host = NULL;
usec_t arg_timeout = 30 * USEC_PER_SEC;
const char *arg_key = NULL;
const char *arg_signature = NULL;
const char *arg_type = NULL;
const char *arg_init_name = NULL;
bool arg_init_force = false;
UpdatePolicy arg_init_policy = _UPDATE_POLICY_INVALID;
ToolchainPolicy arg_init_toolchain_policy = _TOOLCHAIN_POLICY_INVALID;
const char *arg_init_go_proxy = NULL;
const char *arg_init_go_build = NULL;
const char *arg_init_go_build_key = NULL;
const char *arg_run_name = NULL;
const char *arg_source = NULL;
const char *arg_public_key = NULL;
bool arg_scheduled = false;

/* Whether --timeout= was given, for dispatch_verb() to refuse it where it means nothing. */
static bool timeout_set = false;

/* A list of hosts, not a database. */
#define HOSTS_FILE_MAX (1024U * 1024U)

typedef struct Verb {
        const char *name;
        int min_args, max_args;   /* counting the command itself */
        const char *usage;
        int (*run)(int argc, char *argv[]);
        bool several_hosts;       /* whether it takes several -H at once */
} Verb;

static const Verb verbs[] = {
        { "list",     1, 1,       "list",                 verb_list,      true },
        { "list-jobs", 1, 1,      "list-jobs",            verb_list_jobs, true },
        { "status",   1, INT_MAX, "status [APP...]",      verb_status,    true },
        { "history",  2, 2,       "history APP",          verb_history  },
        { "faults",   2, 3,       "faults APP [ID]",      verb_faults   },
        { "check",    1, INT_MAX, "check [APP...]",       verb_check    },
        { "update",   2, 3,       "update APP [VERSION]", verb_update   },
        { "apply",    2, 2,       "apply APP",            verb_apply    },
        { "rollback", 2, 2,       "rollback APP",         verb_rollback },
        { "pause",    2, 3,       "pause APP [REASON]",   verb_pause    },
        { "resume",   2, 2,       "resume APP",           verb_resume   },
        { "pin",      3, 3,       "pin APP VERSION",      verb_pin      },
        { "unpin",    2, 2,       "unpin APP",            verb_unpin    },
        { "stage",    4, 4,       "stage APP FILE VERSION [--type=tar|zip|binary]", verb_stage },
        { "verify",   2, 2,       "verify FILE --key=KEY [--signature=SIG]", verb_verify },
        { "inspect",  2, 2,       "inspect FILE",         verb_inspect  },
        { "init",     2, INT_MAX, "init go:MODULE/PATH [--name=NAME] [-- ARGUMENTS...]", verb_init },
        { "run",      2, INT_MAX, "run [--name=NAME] [--source=URL --public-key=KEY] PROGRAM [ARGS...]", verb_run },
};

static int help(void) {
        printf("%1$s [OPTIONS...] COMMAND ...\n\n"
               "Inspect and control updates of services managed by upkeep.\n\n"
               "Commands:\n"
               "  list                    List apps, their versions and next update (default)\n"
               "  list-jobs               List the jobs running: checks, updates, stages...\n"
               "  status [APP...]         Show the state of apps (all when none is given)\n"
               "  history APP             Show the versions an app went through\n"
               "  faults APP [ID]         List an app's fault reports (crashes, OOM kills, failed\n"
               "                          exits), or show one with its journal lines\n"
               "  check [APP...]          Look for new releases (of all apps when none is given)\n"
               "  update APP [VERSION]    Update an app now, to VERSION or the newest its policy\n"
               "                          allows\n"
               "  apply APP               Switch to the staged pending version now\n"
               "  rollback APP            Go back to the previous version\n"
               "  pause APP [REASON]      Stop automatic updates of an app\n"
               "  resume APP              Allow automatic updates of an app again\n"
               "  pin APP VERSION         Take no version but VERSION automatically\n"
               "  unpin APP               Remove the pin\n"
               "  stage APP FILE VERSION\n"
               "                          Stage a local artifact as VERSION of APP, pending\n"
               "  verify FILE --key=KEY   Check FILE against its minisign signature (no daemon)\n"
               "  inspect FILE            Show how the Go program FILE was built: Go version,\n"
               "                          module, build settings (no daemon)\n"
               "  init go:MODULE/PATH [-- ARGUMENTS...]\n"
               "                          Start managing a Go program: write its app file,\n"
               "                          install and start its newest build\n\n"
               "  run PROGRAM [ARGS...]   Run a program as an app, without a config, as the\n"
               "                          transient unit upkeep-run-NAME.service\n\n"
               "Options:\n"
               "  -h --help               Show this help\n"
               "     --version            Show package version\n"
               "     --json=pretty|short|off\n"
               "                          Print list, list-jobs, status, history, faults and\n"
               "                          inspect as JSON\n"
               "     --no-legend          Print no column headers and no footer\n"
               "     --no-block           Do not wait for jobs: print their object paths\n"
               "     --no-ask-password    Never ask for a password to authorize an operation\n"
               "  -H --host=[USER@]HOST[:MACHINE]\n"
               "                          Operate on a remote host, over ssh; list, list-jobs\n"
               "                          and status take several -H, and show them in one\n"
               "                          table\n"
               "     --hosts-file=PATH    Add the hosts listed in PATH, one per line\n"
               "     --timeout=SPAN       list, list-jobs, status: how long to wait for hosts to\n"
               "                          answer (default: 30s)\n"
               "  -q --quiet              Show no progress\n"
               "     --key=KEY            verify: the public key, a line \"RW...\" or a\n"
               "                          minisign.pub file\n"
               "     --signature=SIG      verify: the signature file (default: FILE.minisig)\n"
               "     --type=tar|zip|binary\n"
               "                          stage: what FILE is (default: from its name)\n"
               "     --name=NAME          init: the app's name (default: from the package path)\n"
               "     --force              init: replace an existing app file\n"
               "     --policy=patch|minor|major|manual\n"
               "     --toolchain-policy=follow|supported|patch|minor|manual\n"
               "     --go-proxy=URL\n"
               "     --gobuild=URL\n"
               "     --gobuild-key=KEY    init: the app's Policy=, ToolchainPolicy=, GoProxy=,\n"
               "                          GoBuild= and GoBuildKey= (see upkeep.app(5))\n\n"
               "     --name=NAME          run: the app's name (default: the program's file name)\n"
               "     --source=URL         run: the release channel to update it from\n"
               "     --public-key=KEY     run: the minisign key of that channel, a line \"RW...\"\n"
               "                          or a minisign.pub file\n"
               "     --scheduled          apply: as the update timer does: refused while paused\n"
               "                          or backing off, and a failure backs off\n\n"
               "Exit status:\n"
               "  0 success, 1 operation failed, 2 invalid command line, 4 no such app or version,\n"
               "  5 not authorized, 6 app busy, paused or backing off (try again later),\n"
               "  7 refused: a channel or release failed verification,\n"
               "  8 of several hosts, one or more could not be asked (the others are shown)\n"
               "\nSee the %1$s(1) man page for details.\n",
               program_invocation_short_name);
        return 0;
}

/* Whether the option word a (an element of argv) takes the next word as its value. */
static bool option_takes_next_word(const char *a, const struct option *options) {
        if (a[1] != '-') {
                /* Short options bundle ("-qH"); only -H takes a value: the rest of the word, or the
                 * next word when -H ends it. */
                const char *h = strchr(a + 1, 'H');
                return h && h[1] == 0;
        }

        if (strchr(a, '='))
                return false;
        for (const struct option *o = options; o->name; o++)
                if (streq(a + 2, o->name))
                        return o->has_arg == required_argument;
        return false;
}

/* The index of the program of "run" in argv, or argc when the command is not run (or "--" comes
 * first, after which getopt takes nothing as an option anyway). Options may come before and after
 * "run", but not after its program: those belong to the program. */
static int run_program_index(int argc, char *argv[], const struct option *options) {
        bool run = false;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];

                if (streq(a, "--"))
                        return argc;
                if (a[0] == '-' && a[1]) {
                        if (option_takes_next_word(a, options))
                                i++;
                        continue;
                }
                if (run)
                        return i;
                if (!streq(a, "run"))
                        return argc;
                run = true;
        }
        return argc;
}

/* Adds the hosts listed in the file PATH (see hosts_parse()). A pipe will do, as --hosts-file=<(...). */
static int add_hosts_file(const char *path) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *text = NULL;
        unsigned line = 0;
        size_t size;
        int r;

        if (isempty(path))
                return ctl_log_error_errno(EINVAL, "--hosts-file= needs a file.");

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return ctl_log_error_errno(errno, "Failed to open hosts file %s: %m", path);

        r = read_full_fd(fd, HOSTS_FILE_MAX, 0, &text, &size);
        if (r == -EFBIG)
                return ctl_log_error_errno(r, "Hosts file %s is larger than %u bytes.", path, HOSTS_FILE_MAX);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read hosts file %s: %m", path);
        if (memchr(text, 0, size))
                return ctl_log_error_errno(EINVAL, "Hosts file %s is not text: it holds a NUL byte.", path);

        r = hosts_parse(text, &arg_hosts, &line);
        if (r == -EINVAL)
                return ctl_log_error_errno(r, "%s:%u: not a host; expected one [USER@]HOST[:MACHINE] per line, "
                                           "and # comments.", path, line);
        if (r < 0)
                return log_oom();
        return 0;
}

/* Returns > 0 to go on, 0 to exit successfully, < 0 on a usage error (already reported). */
static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_JSON,
                ARG_NO_LEGEND,
                ARG_NO_BLOCK,
                ARG_NO_ASK_PASSWORD,
                ARG_KEY,
                ARG_SIGNATURE,
                ARG_TYPE,
                ARG_NAME,
                ARG_FORCE,
                ARG_POLICY,
                ARG_TOOLCHAIN_POLICY,
                ARG_GO_PROXY,
                ARG_GOBUILD,
                ARG_GOBUILD_KEY,
                ARG_SOURCE,
                ARG_PUBLIC_KEY,
                ARG_SCHEDULED,
                ARG_HOSTS_FILE,
                ARG_TIMEOUT,
        };
        static const struct option options[] = {
                { "help",            no_argument,       NULL, 'h'                 },
                { "version",         no_argument,       NULL, ARG_VERSION         },
                { "json",            optional_argument, NULL, ARG_JSON            },
                { "no-legend",       no_argument,       NULL, ARG_NO_LEGEND       },
                { "no-block",        no_argument,       NULL, ARG_NO_BLOCK        },
                { "no-ask-password", no_argument,       NULL, ARG_NO_ASK_PASSWORD },
                { "host",            required_argument, NULL, 'H'                 },
                { "hosts-file",      required_argument, NULL, ARG_HOSTS_FILE      },
                { "timeout",         required_argument, NULL, ARG_TIMEOUT         },
                { "quiet",           no_argument,       NULL, 'q'                 },
                { "key",             required_argument, NULL, ARG_KEY             },
                { "signature",       required_argument, NULL, ARG_SIGNATURE       },
                { "type",            required_argument, NULL, ARG_TYPE            },
                { "name",            required_argument, NULL, ARG_NAME            },
                { "force",           no_argument,       NULL, ARG_FORCE           },
                { "policy",          required_argument, NULL, ARG_POLICY          },
                { "toolchain-policy", required_argument, NULL, ARG_TOOLCHAIN_POLICY },
                { "go-proxy",        required_argument, NULL, ARG_GO_PROXY        },
                { "gobuild",         required_argument, NULL, ARG_GOBUILD         },
                { "gobuild-key",     required_argument, NULL, ARG_GOBUILD_KEY     },
                { "source",          required_argument, NULL, ARG_SOURCE          },
                { "public-key",      required_argument, NULL, ARG_PUBLIC_KEY      },
                { "scheduled",       no_argument,       NULL, ARG_SCHEDULED       },
                {}
        };
        bool show_version = false;
        int c, r;

        /* What follows the program of "run" is the program's own command line, options too. */
        argc = run_program_index(argc, argv, options);

        while ((c = getopt_long(argc, argv, "hH:q", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        return help();
                case ARG_VERSION:
                        show_version = true;
                        break;
                case ARG_JSON:
                        if (!optarg || streq(optarg, "pretty"))
                                arg_json = JSON_PRETTY;
                        else if (streq(optarg, "short"))
                                arg_json = JSON_SHORT;
                        else if (streq(optarg, "off"))
                                arg_json = JSON_OFF;
                        else
                                return ctl_log_error_errno(EINVAL, "Invalid --json= mode '%s' "
                                                           "(expected pretty, short or off).", optarg);
                        break;
                case ARG_NO_LEGEND:
                        arg_legend = false;
                        break;
                case ARG_NO_BLOCK:
                        arg_no_block = true;
                        break;
                case ARG_NO_ASK_PASSWORD:
                        arg_ask_password = false;
                        break;
                case 'H':
                        if (isempty(optarg))
                                return ctl_log_error_errno(EINVAL, "--host= needs a host name.");
                        if (!host_is_valid(optarg))
                                return ctl_log_error_errno(EINVAL, "Invalid host '%s' (expected [USER@]HOST[:MACHINE]).",
                                                           optarg);
                        if (hosts_add(&arg_hosts, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_HOSTS_FILE:
                        r = add_hosts_file(optarg);
                        if (r < 0)
                                return r;
                        break;
                case ARG_TIMEOUT:
                        if (parse_timespan(optarg, &arg_timeout) < 0 || arg_timeout == 0)
                                return ctl_log_error_errno(EINVAL, "Invalid --timeout= '%s' (expected a time span "
                                                           "above zero, such as 30s or 2min).", optarg);
                        timeout_set = true;
                        break;
                case 'q':
                        arg_quiet = true;
                        break;
                case ARG_KEY:
                        if (isempty(optarg))
                                return ctl_log_error_errno(EINVAL, "--key= needs a key or a key file.");
                        arg_key = optarg;
                        break;
                case ARG_SIGNATURE:
                        if (isempty(optarg))
                                return ctl_log_error_errno(EINVAL, "--signature= needs a file.");
                        arg_signature = optarg;
                        break;
                case ARG_TYPE:
                        if (artifact_type_from_string(optarg) < 0)
                                return ctl_log_error_errno(EINVAL, "Invalid --type= '%s' (expected tar, zip "
                                                           "or binary).", optarg);
                        arg_type = optarg;
                        break;
                case ARG_NAME:  /* of init and run alike */
                        if (isempty(optarg))
                                return ctl_log_error_errno(EINVAL, "--name= needs a name.");
                        arg_init_name = arg_run_name = optarg;
                        break;
                case ARG_FORCE:
                        arg_init_force = true;
                        break;
                case ARG_POLICY:
                        arg_init_policy = update_policy_from_string(optarg);
                        if (arg_init_policy < 0)
                                return ctl_log_error_errno(EINVAL, "Invalid --policy= '%s' (expected patch, minor, "
                                                           "major or manual).", optarg);
                        break;
                case ARG_TOOLCHAIN_POLICY:
                        arg_init_toolchain_policy = toolchain_policy_from_string(optarg);
                        if (arg_init_toolchain_policy < 0)
                                return ctl_log_error_errno(EINVAL, "Invalid --toolchain-policy= '%s' (expected "
                                                           "follow, supported, patch, minor or manual).", optarg);
                        break;
                case ARG_GO_PROXY:
                        arg_init_go_proxy = optarg;
                        break;
                case ARG_GOBUILD:
                        arg_init_go_build = optarg;
                        break;
                case ARG_GOBUILD_KEY:
                        arg_init_go_build_key = optarg;
                        break;
                case ARG_SOURCE:
                        if (isempty(optarg))
                                return ctl_log_error_errno(EINVAL, "--source= needs a URL.");
                        arg_source = optarg;
                        break;
                case ARG_PUBLIC_KEY:
                        if (isempty(optarg))
                                return ctl_log_error_errno(EINVAL, "--public-key= needs a key or a key file.");
                        arg_public_key = optarg;
                        break;
                case ARG_SCHEDULED:
                        arg_scheduled = true;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        abort();
                }

        if (show_version)
                return cli_version();

        /* One host is the host everything acts on; several are for the verbs that show. */
        if (strv_length(arg_hosts) == 1)
                arg_host = arg_hosts[0];

        return 1;
}

/* Finds the command and checks its number of arguments, before anything touches the bus. */
static int dispatch_verb(int argc, char *argv[]) {
        const Verb *v = NULL;

        /* No command lists the apps, as plain systemctl lists the units. */
        static char *default_argv[] = { (char *) "list", NULL };
        if (argc == 0) {
                argc = 1;
                argv = default_argv;
        }

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, argv[0])) {
                        v = verbs + i;
                        break;
                }
        if (!v) {
                ctl_log_error("Unknown command '%s'. See '%s --help'.", argv[0], program_invocation_short_name);
                return EXIT_USAGE;
        }

        /* An option another command would have used is a mistake worth reporting. */
        if (arg_type && !streq(v->name, "stage")) {
                ctl_log_error("--type= is an option of 'stage', not of '%s'.", v->name);
                return EXIT_USAGE;
        }
        if (arg_run_name && !streq(v->name, "run") && !streq(v->name, "init")) {
                ctl_log_error("--name= is an option of 'run' and 'init', not of '%s'.", v->name);
                return EXIT_USAGE;
        }
        if ((arg_source || arg_public_key) && !streq(v->name, "run")) {
                ctl_log_error("--source= and --public-key= are options of 'run', not of '%s'.", v->name);
                return EXIT_USAGE;
        }
        if (strv_length(arg_hosts) > 1 && !v->several_hosts) {
                ctl_log_error("'%s' acts on one host; give one -H (list, list-jobs and status take several).",
                              v->name);
                return EXIT_USAGE;
        }
        if (timeout_set && !v->several_hosts) {
                ctl_log_error("--timeout= is an option of 'list', 'list-jobs' and 'status', not of '%s'.", v->name);
                return EXIT_USAGE;
        }
        if (arg_scheduled && !streq(v->name, "apply")) {
                ctl_log_error("--scheduled is an option of 'apply', not of '%s'.", v->name);
                return EXIT_USAGE;
        }
        if ((arg_key || arg_signature) && !streq(v->name, "verify")) {
                ctl_log_error("--key= and --signature= are options of 'verify', not of '%s'.", v->name);
                return EXIT_USAGE;
        }
        if ((arg_init_force || arg_init_policy >= 0 || arg_init_toolchain_policy >= 0 ||
             arg_init_go_proxy || arg_init_go_build || arg_init_go_build_key) && !streq(v->name, "init")) {
                ctl_log_error("--force, --policy=, --toolchain-policy=, --go-proxy=, --gobuild= and "
                              "--gobuild-key= are options of 'init', not of '%s'.", v->name);
                return EXIT_USAGE;
        }

        if (argc < v->min_args || argc > v->max_args) {
                ctl_log_error("Too %s arguments for '%s'. Usage: %s %s",
                              argc < v->min_args ? "few" : "many", v->name,
                              program_invocation_short_name, v->usage);
                return EXIT_USAGE;
        }

        return v->run(argc, argv);
}

int main(int argc, char *argv[]) {
        int r;

        /* For the character set (the status bullet) and local times. */
        (void) setlocale(LC_ALL, "");

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        /* So sd_bus_error_get_errno() and %m know upkeep's own error names. */
        r = bus_error_register();
        if (r < 0) {
                ctl_log_error_errno(r, "Failed to register upkeep's bus errors: %m");
                return EXIT_FAILURE;
        }

        r = dispatch_verb(argc - optind, argv + optind);
        polkit_agent_close();
        strv_free(arg_hosts);
        return r < 0 ? EXIT_FAILURE : r;
}
