/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NAME.app files: what an operator declares about an app (upkeep.app(5)). Read by the daemon, the
 * generator and the condition helper alike, from the same three directories units come from. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "gopherwatch.h"
#include "policy.h"
#include "s3.h"
#include "time-util.h"
#include "toolchain-policy.h"

/* Search path, highest priority first: the first directory holding NAME.app wins for that NAME. */
#define APP_CONFIG_DIRS ((const char *const[]) { "/etc/upkeep/apps", "/run/upkeep/apps", "/usr/lib/upkeep/apps", NULL })
/* Where upkeepd records the apps "upkeepctl run" started, below its runtime directory (/run/upkeep):
 * NAME.app files like the above, read by upkeepd alone. The generator does not look here, so no
 * upkeep@NAME.service is made for them: their unit is the transient upkeep-run-NAME.service. */
#define APP_TRANSIENT_DIR "transient"
/* The unit that runs an app: the template's instance, or (upkeepctl run) the transient unit. */
#define APP_UNIT_FORMAT "upkeep@%s.service"
#define APP_RUN_UNIT_FORMAT "upkeep-run-%s.service"

#define APP_KEEP_DEFAULT 3
#define APP_KEEP_MIN 2
#define APP_TRIAL_SEC_DEFAULT (5 * USEC_PER_SEC)
#define APP_CHECK_JITTER_DEFAULT USEC_PER_HOUR
/* For Source=go: apps: the module proxy's cached-only view never makes the proxy fetch a module from
 * its origin on our behalf, and the gobuild service whose transparency log vouches for each build. */
#define APP_GO_PROXY_DEFAULT "https://proxy.golang.org/cached-only/"
#define APP_GO_BUILD_DEFAULT "https://beta.gobuilds.org/"
#define APP_SOURCE_GO_PREFIX "go:"
/* The bounds of the commands upkeep runs for an app: each install hook, and a health check (the
 * http:// one too). */
#define APP_INSTALL_HOOK_TIMEOUT (5 * USEC_PER_MINUTE)
#define APP_HEALTH_CHECK_TIMEOUT (10 * USEC_PER_SEC)

/* One "Key=value" line of a [Service] or [Socket] section, passed to the generated unit unchanged. */
typedef struct UnitLine {
        char *key;
        char *value;
} UnitLine;

typedef struct AppConfig {
        char *name;           /* NAME of NAME.app */
        char *path;           /* the file it was read from */
        bool transient;       /* recorded by upkeepd for "upkeepctl run" (APP_TRANSIENT_DIR), not configured */

        /* [App] */
        char *description;
        char *source;         /* https://…/, http://…/, file:///…/, s3://BUCKET/PREFIX/ or go:MODULE/PATH; NULL only if transient */
        char *public_key;     /* minisign key line, or an absolute path to a minisign.pub file */
        char *exec;           /* path inside the release, then arguments (unit ExecStart= syntax) */
        char *go_proxy;       /* Go module proxy base URL; NULL = APP_GO_PROXY_DEFAULT */
        char *go_build;       /* gobuild service base URL; NULL = APP_GO_BUILD_DEFAULT */
        char *go_build_key;   /* gobuild log's verifier key (signed-note form); NULL = pinned on first use */
        /* Source=s3:// apps (s3.h) */
        char *s3_endpoint;    /* http(s):// URL, path-style; NULL = AWS for s3_region, virtual-hosted */
        char *s3_region;      /* NULL = S3_REGION_DEFAULT */
        char *s3_credentials_file; /* absolute path; NULL = a systemd credential or S3_CREDENTIALS_DIR */
        char *go_dns;         /* GopherWatch DNS base asked first; NULL = GOPHERWATCH_BASE_DEFAULT, "" = none */
        bool go_dnssec;       /* default false: take a GopherWatch answer only with the resolver's AD bit */

        /* [Update] */
        UpdatePolicy policy;  /* default: patch */
        char *window;         /* systemd calendar day/hour ranges, e.g. "Mon..Fri 09..17"; NULL = any time */
        usec_t delay;         /* default 0 */
        usec_t jitter;        /* default APP_CHECK_JITTER_DEFAULT */
        unsigned keep;        /* default APP_KEEP_DEFAULT, at least APP_KEEP_MIN */
        usec_t trial_sec;     /* default APP_TRIAL_SEC_DEFAULT */
        char *health_check;   /* http://… URL or a command; NULL = none */
        ToolchainPolicy toolchain_policy;  /* default: follow */
        char **install_hooks; /* commands run before each switch, in order; NULL = none */
        bool commands_as_service; /* default true: InstallHook= and HealthCheck= commands run with the
                                   * identity, directories and sandboxing of the [Service] lines */

        /* [App]: fault reports (fault.h) */
        unsigned fault_keep;  /* reports kept; default FAULT_KEEP_DEFAULT, 0 = only counted */
        char **fault_files;   /* FaultFiles= patterns, below StateDirectory= and LogsDirectory=; NULL = none */

        /* [Service] and [Socket], in file order */
        UnitLine *service_lines;
        size_t n_service_lines;
        UnitLine *socket_lines;
        size_t n_socket_lines;
} AppConfig;

AppConfig *app_config_free(AppConfig *c);

/* The package path of a Source=go:MODULE/PATH app, or NULL for a release channel. */
const char *app_config_go_package(const AppConfig *c);
static inline const char *app_config_go_proxy(const AppConfig *c) {
        return c->go_proxy ?: APP_GO_PROXY_DEFAULT;
}
static inline const char *app_config_go_build(const AppConfig *c) {
        return c->go_build ?: APP_GO_BUILD_DEFAULT;
}
static inline const char *app_config_s3_region(const AppConfig *c) {
        return c->s3_region ?: S3_REGION_DEFAULT;
}
/* The GopherWatch DNS base to ask about a go: app's versions, or NULL when GoDNS= is empty. */
static inline const char *app_config_go_dns(const AppConfig *c) {
        return !c->go_dns ? GOPHERWATCH_BASE_DEFAULT : c->go_dns[0] ? c->go_dns : NULL;
}
static inline void app_config_freep(AppConfig **c) {
        app_config_free(*c);
}

/* For the helpers systemd runs (upkeep-condition, upkeep-fault), which tests point elsewhere: the
 * state directory, $UPKEEP_STATE_DIR or UPKEEP_STATE_DIR; the config directories APP_CONFIG_DIRS,
 * each below $UPKEEP_CONFIG_ROOT when set (as the generator's --root). */
const char *app_state_dir_from_env(void);
int app_config_dirs_from_env(char ***ret);

/* Whether a Source= or PublicKey= value would be accepted (non-empty). */
bool app_source_is_valid(const char *source);
bool app_public_key_is_valid(const char *key);

/* Whether HealthCheck= is an http:// URL (fetched) rather than a command (run). */
bool app_health_check_is_url(const char *check);

/* A NAME is valid when NAME.app can name a unit instance: 1..200 chars of [A-Za-z0-9:_.-], not
 * starting with '.' or '-'. (Backslash escapes are not accepted: names stay readable everywhere.) */
bool app_name_is_valid(const char *name);

/* Parses one file; name is taken from the file name (NAME.app). Unknown sections and keys are logged as
 * warnings naming file:line and key, and skipped. An invalid value, a missing required key
 * (Source=, Exec=), a line outside any section or without '=' is logged as an error naming
 * file:line and key, and the whole file is refused with -EINVAL (other errors: -errno). Comments
 * start with '#' or ';'; blank lines are skipped; leading and trailing whitespace is stripped
 * from keys and values; a key given twice keeps the last value (like units), except in [Service]
 * and [Socket] where every line is kept. */
int app_config_load(const char *path, AppConfig **ret);

/* The same for a record of an app "upkeepctl run" started: Source= may be missing, and the config is
 * marked transient. */
int app_config_load_transient(const char *path, AppConfig **ret);

/* Finds NAME.app files in dirs (NULL-terminated, highest priority first; missing directories are
 * fine), first found wins per NAME. Returns the paths sorted by NAME in *ret (NULL-terminated, free
 * with strv_free()), and their number. Files whose NAME is invalid are skipped with a warning. */
int app_config_enumerate(const char *const *dirs, char ***ret);

/* The NAME.app app_config_enumerate() picks for name in dirs: -ENOENT when there is none, or it is
 * masked. *ret_path is then the file to load. */
int app_config_find(const char *const *dirs, const char *name, char **ret_path);

/* Loads every app from dirs; a file that fails to load is skipped (already logged), so one bad app
 * never stops the others. Returns the number loaded; *ret is an array of that many pointers. */
int app_config_load_all(const char *const *dirs, AppConfig ***ret);
void app_config_free_many(AppConfig **configs, size_t n);
