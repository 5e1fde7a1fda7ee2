/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every file of upkeepctl shares: the command-line settings and how errors are reported. */
#pragma once

#include <stdbool.h>

#include "bus-names.h"
#include "log.h"
#include "policy.h"
#include "time-util.h"
#include "toolchain-policy.h"

typedef enum JsonMode {
        JSON_OFF,
        JSON_SHORT,
        JSON_PRETTY,
} JsonMode;

/* Set once by parse_argv() in upkeepctl.c, read everywhere else. */
extern JsonMode arg_json;
extern bool arg_legend;
extern bool arg_no_block;
extern bool arg_ask_password;
extern bool arg_quiet;
extern char **arg_hosts;            /* -H and --hosts-file=, in the order given; NULL = this machine */
extern const char *arg_host;        /* the host when exactly one was given; NULL = this machine */
extern usec_t arg_timeout;          /* list, list-jobs, status: for all hosts to answer */
extern const char *arg_key;         /* verify: a key line "RW…" or a minisign.pub file */
extern const char *arg_signature;   /* verify: NULL = FILE.minisig */
extern const char *arg_type;        /* stage: tar, zip, binary; NULL = from the file name */
/* init: */
extern const char *arg_init_name;   /* NULL = from the package path */
extern bool arg_init_force;
extern UpdatePolicy arg_init_policy;            /* < 0 = the default */
extern ToolchainPolicy arg_init_toolchain_policy;
extern const char *arg_init_go_proxy;
extern const char *arg_init_go_build;
extern const char *arg_init_go_build_key;
extern const char *arg_run_name;    /* run: --name=NAME; NULL = the program's file name */
extern const char *arg_source;      /* run: --source=URL */
extern const char *arg_public_key;  /* run: --public-key=KEY, a key line or a minisign.pub file */
extern bool arg_scheduled;          /* apply: as the update timer (Apply() with UPKEEP_APPLY_SCHEDULED) */

/* upkeepctl's errors start with its name, like getopt's ("upkeepctl: unrecognized option …"), so a
 * script's output shows which program complained. The shared log writes bare lines, which suits the
 * daemons: the journal tags those already. */
#define ctl_log_error_errno(error, fmt, ...) \
        log_error_errno((error), "%s: " fmt, program_invocation_short_name, ##__VA_ARGS__)
#define ctl_log_error(fmt, ...) \
        log_error("%s: " fmt, program_invocation_short_name, ##__VA_ARGS__)

/* Verbs, each with the command's arguments (argv[0] is the command itself). They return the exit
 * status, or a negative errno for a local failure (already logged), which ends in EXIT_FAILURE. */
int verb_list(int argc, char *argv[]);
int verb_list_jobs(int argc, char *argv[]);
int verb_status(int argc, char *argv[]);
int verb_history(int argc, char *argv[]);
int verb_faults(int argc, char *argv[]);
int verb_check(int argc, char *argv[]);
int verb_update(int argc, char *argv[]);
int verb_apply(int argc, char *argv[]);
int verb_rollback(int argc, char *argv[]);
int verb_pause(int argc, char *argv[]);
int verb_resume(int argc, char *argv[]);
int verb_pin(int argc, char *argv[]);
int verb_unpin(int argc, char *argv[]);
int verb_stage(int argc, char *argv[]);
int verb_verify(int argc, char *argv[]);
int verb_inspect(int argc, char *argv[]);
int verb_init(int argc, char *argv[]);
int verb_run(int argc, char *argv[]);
