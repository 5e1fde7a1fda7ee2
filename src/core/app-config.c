/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The NAME.app parser. Like systemd's unit file parser it logs its own syntax warnings and errors
 * with file:line, since only it knows where in the file the problem is. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "app-config.h"
#include "go-module.h"
#include "gopherwatch.h"
#include "command.h"
#include "fault-files.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "string-table.h"
#include "strv.h"

#define APP_SUFFIX ".app"
#define APP_NAME_MAX 200
#define WHITESPACE " \t\r\n"

typedef enum Section {
        SECTION_NONE,     /* before the first header */
        SECTION_APP,
        SECTION_UPDATE,
        SECTION_SERVICE,
        SECTION_SOCKET,
        _SECTION_MAX,
        SECTION_UNKNOWN = _SECTION_MAX,  /* warned about once at its header; its lines are skipped */
        _SECTION_INVALID = -EINVAL,
} Section;

static void unit_lines_free(UnitLine *lines, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(lines[i].key);
                free(lines[i].value);
        }
        free(lines);
}

AppConfig *app_config_free(AppConfig *c) {
        if (!c)
                return NULL;

        free(c->name);
        free(c->path);
        free(c->description);
        free(c->source);
        free(c->public_key);
        free(c->exec);
        free(c->go_proxy);
        free(c->go_build);
        free(c->go_build_key);
        free(c->s3_endpoint);
        free(c->s3_region);
        free(c->s3_credentials_file);
        free(c->go_dns);
        free(c->window);
        free(c->health_check);
        strv_free(c->install_hooks);
        strv_free(c->fault_files);
        unit_lines_free(c->service_lines, c->n_service_lines);
        unit_lines_free(c->socket_lines, c->n_socket_lines);
        free(c);
        return NULL;
}

const char *app_config_go_package(const AppConfig *c) {
        return c->source ? startswith(c->source, APP_SOURCE_GO_PREFIX) : NULL;
}

void app_config_free_many(AppConfig **configs, size_t n) {
        if (!configs)
                return;

        for (size_t i = 0; i < n; i++)
                app_config_free(configs[i]);
        free(configs);
}

bool app_name_is_valid(const char *name) {
        size_t n;

        if (isempty(name) || IN_SET(name[0], '.', '-'))
                return false;

        n = strlen(name);
        return n <= APP_NAME_MAX &&
                strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.-") == n;
}

static char *strip(char *s) {
        char *end;

        s += strspn(s, WHITESPACE);
        end = s + strlen(s);
        while (end > s && strchr(WHITESPACE, end[-1]))
                end--;
        *end = 0;
        return s;
}

/* An empty value resets a key to its default, as in unit files. */
static int set_string(char **field, const char *value) {
        char *copy = NULL;

        if (!isempty(value)) {
                copy = strdup(value);
                if (!copy)
                        return -ENOMEM;
        }

        free(*field);
        *field = copy;
        return 0;
}

/* An http://, https:// or file:/// URL with something after the scheme ("file:///" alone is the
 * root directory). */
static bool url_is_valid(const char *value) {
        static const char *const prefixes[] = { "https://", "http://", "file:///" };

        if (isempty(value) || str_has_control_chars(value) || strchr(value, ' '))
                return false;

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (startswith(value, prefixes[i]) &&
                    (value[strlen(prefixes[i])] != 0 || streq(prefixes[i], "file:///")))
                        return true;

        return false;
}

const char *app_state_dir_from_env(void) {
        const char *e = getenv("UPKEEP_STATE_DIR");

        return isempty(e) ? UPKEEP_STATE_DIR : e;
}

int app_config_dirs_from_env(char ***ret) {
        const char *root = getenv("UPKEEP_CONFIG_ROOT");
        _cleanup_(strv_freep) char **dirs = NULL;
        int r;

        for (const char *const *d = APP_CONFIG_DIRS; *d; d++) {
                _cleanup_free_ char *p = NULL;

                if (asprintf(&p, "%s%s", strempty(root), *d) < 0)
                        return -ENOMEM;
                r = strv_extend(&dirs, p);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(dirs);
        return 0;
}

bool app_source_is_valid(const char *source) {
        /* go:MODULE/PATH names a package, as "go install MODULE/PATH@latest" would. */
        if (startswith(strempty(source), APP_SOURCE_GO_PREFIX))
                return go_package_path_is_valid(source + strlen(APP_SOURCE_GO_PREFIX));
        if (startswith(strempty(source), S3_URL_PREFIX))
                return s3_url_is_valid(source);
        return url_is_valid(source);
}

bool app_public_key_is_valid(const char *key) {
        if (isempty(key))
                return false;

        /* Either the base64 key line of a minisign.pub, or where to find that file. */
        if (key[0] == '/')
                return !str_has_control_chars(key);
        return strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") == strlen(key);
}

bool app_health_check_is_url(const char *check) {
        return startswith(check, "http://");
}

/* The parsers of the key table below. Each gets the value of one Key=value line (stripped; empty
 * resets the key to its default, as in unit files), data pointing at the AppConfig field the table
 * names, ltype the table's parser-specific constant, and c the whole config. A value it refuses is
 * logged as an error with file:line and key, and is -EINVAL. */
typedef int (*ConfigParser)(const char *path, unsigned line, const char *key, const char *value,
                            uint64_t ltype, void *data, AppConfig *c);

#define CONFIG_PARSER(name)                                                                     \
        int name(const char *path, unsigned line, const char *key, const char *value,          \
                 uint64_t ltype, void *data, AppConfig *c)

static CONFIG_PARSER(config_parse_string) {
        return set_string(data, value);
}

static CONFIG_PARSER(config_parse_source) {
        if (!app_source_is_valid(value))
                return log_error_errno(EINVAL,
                                       "%s:%u: Invalid %s= value '%s': expected an http://, https://, file:/// or s3://BUCKET/PREFIX/ URL or go:MODULE/PATH.",
                                       path, line, key, value);

        return set_string(data, value);
}

static CONFIG_PARSER(config_parse_url) {
        if (!isempty(value) && !url_is_valid(value))
                return log_error_errno(EINVAL,
                                       "%s:%u: Invalid %s= value '%s': expected an http://, https:// or file:/// URL.",
                                       path, line, key, value);

        return set_string(data, value);
}

/* S3Endpoint=, S3Region=, S3CredentialsFile= of Source=s3:// apps. */
static CONFIG_PARSER(config_parse_s3) {
        bool valid = isempty(value) ||
                (streq(key, "S3Endpoint") ? s3_endpoint_is_valid(value) :
                 streq(key, "S3Region") ? s3_region_is_valid(value) :
                 value[0] == '/' && !str_has_control_chars(value));

        if (!valid)
                return log_error_errno(EINVAL, "%s:%u: Invalid %s= value '%s': expected %s.", path, line, key, value,
                                       streq(key, "S3Endpoint") ? "an http:// or https:// URL without user name, password, query or fragment" :
                                       streq(key, "S3Region") ? "a region name of letters, digits, '-' and '_'" :
                                       "an absolute path");

        return set_string(data, value);
}

/* A signed-note verifier key, "name+hash+base64 key". Checked in full when used (note.h); this keeps
 * what is plainly not one out of the state it would be pinned in. */
static CONFIG_PARSER(config_parse_go_build_key) {
        const char *plus = value ? strchr(value, '+') : NULL;
        const char *plus2 = plus ? strchr(plus + 1, '+') : NULL;

        if (!isempty(value) &&
            (str_has_control_chars(value) || strchr(value, ' ') || !plus || plus == value || !plus2 ||
             plus2 - plus != 9 || plus2[1] == 0))
                return log_error_errno(EINVAL,
                                       "%s:%u: Invalid %s= value '%s': expected a verifier key NAME+HASH+KEY.",
                                       path, line, key, value);

        return set_string(data, value);
}

/* GoDNS=: the domain GopherWatch answers under. Unlike other keys, empty is not the default but
 * turns the lookup off. */
static CONFIG_PARSER(config_parse_go_dns) {
        char *copy;

        if (!isempty(value) && !gopherwatch_base_is_valid(value))
                return log_error_errno(EINVAL, "%s:%u: Invalid %s= value '%s': expected a domain name, or nothing "
                                       "to ask the module proxy alone.", path, line, key, value);

        copy = strdup(strempty(value));
        if (!copy)
                return -ENOMEM;
        free(*(char **) data);
        *(char **) data = copy;
        return 0;
}

static CONFIG_PARSER(config_parse_public_key) {
        if (!isempty(value) && !app_public_key_is_valid(value))
                return log_error_errno(EINVAL,
                                       "%s:%u: Invalid %s= value '%s': expected a minisign public key or an absolute path.",
                                       path, line, key, value);

        return set_string(data, value);
}

static CONFIG_PARSER(config_parse_exec) {
        _cleanup_free_ char *copy = NULL;
        const char *program = value;
        size_t n;

        if (isempty(value))
                return set_string(data, NULL);

        /* The program is quoted like ExecStart='s ("…" or '…'), or runs up to the first blank. */
        if (IN_SET(value[0], '"', '\'')) {
                const char *end = strchr(value + 1, value[0]);

                if (!end)
                        return log_error_errno(EINVAL, "%s:%u: Invalid %s= value '%s': the quote is not closed.",
                                               path, line, key, value);
                program = value + 1;
                n = end - program;
        } else
                n = strcspn(value, " \t");

        /* The program is found inside the release, so its path must not lead out of it. */
        copy = strndup(program, n);
        if (!copy)
                return -ENOMEM;
        if (str_has_control_chars(value) || n == 0 || command_path_leaves_root(copy))
                return log_error_errno(EINVAL,
                                       "%s:%u: Invalid %s= value '%s': expected a relative path inside the release, then arguments.",
                                       path, line, key, value);

        return set_string(data, value);
}

/* An enum through its string table; ltype is the default, expected lists the names for the error. */
#define DEFINE_CONFIG_PARSE_ENUM(function, name, type, expected)                                \
        static CONFIG_PARSER(function) {                                                        \
                type *field = data, x;                                                          \
                                                                                                \
                if (isempty(value)) {                                                           \
                        *field = (type) ltype;                                                  \
                        return 0;                                                               \
                }                                                                               \
                                                                                                \
                x = name##_from_string(value);                                                  \
                if (x < 0)                                                                      \
                        return log_error_errno(EINVAL,                                          \
                                               "%s:%u: Invalid %s= value '%s': expected " expected ".", \
                                               path, line, key, value);                         \
                                                                                                \
                *field = x;                                                                     \
                return 0;                                                                       \
        }

DEFINE_CONFIG_PARSE_ENUM(config_parse_update_policy, update_policy, UpdatePolicy,
                         "patch, minor, major or manual")
DEFINE_CONFIG_PARSE_ENUM(config_parse_toolchain_policy, toolchain_policy, ToolchainPolicy,
                         "follow, supported, patch, minor or manual")

static CONFIG_PARSER(config_parse_window) {
        /* Only the characters of systemd calendar day and hour ranges: the generator turns the value
         * into OnCalendar= and checks it properly, this just keeps obvious garbage out of units. */
        if (!isempty(value) &&
            strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.,:*/ -") != strlen(value))
                return log_error_errno(EINVAL,
                                       "%s:%u: Invalid %s= value '%s': expected day and hour ranges such as 'Mon..Fri 09..17'.",
                                       path, line, key, value);

        return set_string(data, value);
}

/* A usec_t; ltype is the default. */
static CONFIG_PARSER(config_parse_timespan) {
        usec_t *field = data, t;

        if (isempty(value)) {
                *field = ltype;
                return 0;
        }

        if (parse_timespan(value, &t) < 0)
                return log_error_errno(EINVAL,
                                       "%s:%u: Invalid %s= value '%s': expected a time span such as '72h' or '1h 30min'.",
                                       path, line, key, value);

        *field = t;
        return 0;
}

/* A boolean, as systemd spells them; ltype is the default. */
static CONFIG_PARSER(config_parse_bool) {
        bool *field = data;
        int b;

        if (isempty(value)) {
                *field = ltype;
                return 0;
        }

        b = parse_boolean(value);
        if (b < 0)
                return log_error_errno(EINVAL, "%s:%u: Invalid %s= value '%s': expected yes or no.",
                                       path, line, key, value);

        *field = b;
        return 0;
}

/* A decimal number from min to max into *ret; false for anything else. */
static bool parse_unsigned_in(const char *value, unsigned min, unsigned max, unsigned *ret) {
        unsigned long k;
        char *end;

        if (value[0] < '0' || value[0] > '9')
                return false;
        errno = 0;
        k = strtoul(value, &end, 10);
        if (*end != 0 || errno != 0 || k < min || k > max)
                return false;
        *ret = (unsigned) k;
        return true;
}

/* An unsigned number of versions; ltype is the default. */
static CONFIG_PARSER(config_parse_keep) {
        unsigned *field = data;

        if (isempty(value)) {
                *field = (unsigned) ltype;
                return 0;
        }

        /* The running version and the one to roll back to must both stay on disk. */
        if (!parse_unsigned_in(value, APP_KEEP_MIN, UINT_MAX, field))
                return log_error_errno(EINVAL,
                                       "%s:%u: Invalid %s= value '%s': expected a number of versions, at least %u.",
                                       path, line, key, value, APP_KEEP_MIN);
        return 0;
}

/* FaultKeep=: a number of reports, 0 (none kept, only counted) up to FAULT_KEEP_MAX. */
static CONFIG_PARSER(config_parse_fault_keep) {
        unsigned *field = data;

        if (isempty(value)) {
                *field = (unsigned) ltype;
                return 0;
        }

        if (!parse_unsigned_in(value, 0, FAULT_KEEP_MAX, field))
                return log_error_errno(EINVAL,
                                       "%s:%u: Invalid %s= value '%s': expected a number of reports, 0 to %u.",
                                       path, line, key, value, FAULT_KEEP_MAX);
        return 0;
}

/* FaultFiles=: space-separated patterns, repeated; an empty value forgets the ones before. */
static CONFIG_PARSER(config_parse_fault_files) {
        _cleanup_(strv_freep) char **words = NULL;
        char ***field = data;
        int r;

        if (isempty(value)) {
                *field = strv_free(*field);
                return 0;
        }

        if (str_has_control_chars(value) || command_split(value, &words) < 0 || !words)
                return log_error_errno(EINVAL, "%s:%u: Invalid %s= value '%s': expected file name patterns.",
                                       path, line, key, value);

        for (char **w = words; *w; w++) {
                if (!fault_glob_is_valid(*w))
                        return log_error_errno(EINVAL, "%s:%u: Invalid %s= pattern '%s': expected a relative path "
                                               "below the app's StateDirectory= or LogsDirectory=, without \"..\" "
                                               "or empty components, at most %u levels deep.",
                                               path, line, key, *w, FAULT_GLOB_DEPTH_MAX);
                r = strv_extend(field, *w);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A command upkeep runs for the app: its words must split, and a relative program is found inside the
 * release, so its path must not lead out of it. what says "a command" or "an http:// URL or a command". */
static int check_command(const char *path, unsigned line, const char *key, const char *value, const char *what) {
        _cleanup_(strv_freep) char **argv = NULL;

        if (str_has_control_chars(value) || command_split(value, &argv) < 0)
                return log_error_errno(EINVAL, "%s:%u: Invalid %s= value '%s': expected %s (words, quoted "
                                       "with \"…\" or '…' where they hold spaces).", path, line, key, value, what);

        if (strstr(argv[0], "://"))
                return log_error_errno(EINVAL, "%s:%u: Invalid %s= value '%s': only http:// URLs are checked; "
                                       "anything else is run as a command.", path, line, key, value);

        if (argv[0][0] != '/' && command_path_leaves_root(argv[0]))
                return log_error_errno(EINVAL, "%s:%u: Invalid %s= value '%s': a relative program is found "
                                       "inside the release, and must not lead out of it.", path, line, key, value);
        return 0;
}

static CONFIG_PARSER(config_parse_health_check) {
        int r;

        if (isempty(value))
                return set_string(data, NULL);

        if (app_health_check_is_url(value)) {
                if (str_has_control_chars(value) || strpbrk(value, " \t"))
                        return log_error_errno(EINVAL, "%s:%u: Invalid %s= value '%s': expected an http:// URL "
                                               "without spaces.", path, line, key, value);
        } else {
                r = check_command(path, line, key, value, "an http:// URL or a command");
                if (r < 0)
                        return r;
        }

        return set_string(data, value);
}

/* A strv of commands: repeated, each one run in order; an empty value forgets the ones before, as
 * ExecStart= does. */
static CONFIG_PARSER(config_parse_commands) {
        char ***field = data;
        int r;

        if (isempty(value)) {
                *field = strv_free(*field);
                return 0;
        }

        r = check_command(path, line, key, value, "a command");
        if (r < 0)
                return r;

        return strv_extend(field, value);
}

static int add_unit_line(UnitLine **lines, size_t *n, const char *key, const char *value) {
        _cleanup_free_ char *k = NULL, *v = NULL;
        UnitLine *l;

        k = strdup(key);
        v = strdup(value);
        if (!k || !v)
                return -ENOMEM;

        l = reallocarray(*lines, *n + 1, sizeof(UnitLine));
        if (!l)
                return -ENOMEM;

        l[(*n)++] = (UnitLine) { .key = TAKE_PTR(k), .value = TAKE_PTR(v) };
        *lines = l;
        return 0;
}

/* [Service] lines are passed on to the unit, except what would undo what the generator and the
 * template put there: the one ExecStart= (from Exec=), and the trial check run before each start
 * (an empty ExecCondition= would reset the list it is in). */
static CONFIG_PARSER(config_parse_service_line) {
        if (streq(key, "ExecStart"))
                return log_error_errno(EINVAL, "%s:%u: ExecStart= in [Service] is not allowed: the command is "
                                       "Exec= in [App], run from the current release.", path, line);
        if (streq(key, "ExecCondition") && isempty(value))
                return log_error_errno(EINVAL, "%s:%u: An empty ExecCondition= in [Service] would remove the "
                                       "check that rolls back a failed trial, refusing.", path, line);
        if (streq(key, "ExecStopPost") && isempty(value))
                return log_error_errno(EINVAL, "%s:%u: An empty ExecStopPost= in [Service] would remove the "
                                       "recorder of fault reports, refusing.", path, line);

        return add_unit_line(&c->service_lines, &c->n_service_lines, key, value);
}

static CONFIG_PARSER(config_parse_socket_line) {
        return add_unit_line(&c->socket_lines, &c->n_socket_lines, key, value);
}

static const char *const section_table[_SECTION_MAX] = {
        [SECTION_APP]     = "App",
        [SECTION_UPDATE]  = "Update",
        [SECTION_SERVICE] = "Service",
        [SECTION_SOCKET]  = "Socket",
};

DEFINE_PRIVATE_STRING_TABLE_LOOKUP(section, Section)

typedef struct ConfigItem {
        Section section;
        const char *key;      /* NULL: every key of the section */
        ConfigParser parse;
        uint64_t ltype;       /* the parser's constant: a default, for some */
        size_t offset;        /* of the field in AppConfig that the parser fills */
} ConfigItem;

static const ConfigItem config_items[] = {
        { SECTION_APP,     "Description",     config_parse_string,           0,                        offsetof(AppConfig, description)      },
        { SECTION_APP,     "Source",          config_parse_source,           0,                        offsetof(AppConfig, source)           },
        { SECTION_APP,     "PublicKey",       config_parse_public_key,       0,                        offsetof(AppConfig, public_key)       },
        { SECTION_APP,     "Exec",            config_parse_exec,             0,                        offsetof(AppConfig, exec)             },
        { SECTION_APP,     "GoProxy",         config_parse_url,              0,                        offsetof(AppConfig, go_proxy)         },
        { SECTION_APP,     "GoBuild",         config_parse_url,              0,                        offsetof(AppConfig, go_build)         },
        { SECTION_APP,     "GoBuildKey",      config_parse_go_build_key,     0,                        offsetof(AppConfig, go_build_key)     },
        { SECTION_APP,     "S3Endpoint",      config_parse_s3,               0,                        offsetof(AppConfig, s3_endpoint)      },
        { SECTION_APP,     "S3Region",        config_parse_s3,               0,                        offsetof(AppConfig, s3_region)        },
        { SECTION_APP,     "S3CredentialsFile", config_parse_s3,             0,                        offsetof(AppConfig, s3_credentials_file) },
        { SECTION_APP,     "GoDNS",           config_parse_go_dns,           0,                        offsetof(AppConfig, go_dns)           },
        { SECTION_APP,     "GoDNSSEC",        config_parse_bool,             false,                    offsetof(AppConfig, go_dnssec)        },
        { SECTION_APP,     "FaultKeep",       config_parse_fault_keep,       FAULT_KEEP_DEFAULT,       offsetof(AppConfig, fault_keep)       },
        { SECTION_APP,     "FaultFiles",      config_parse_fault_files,      0,                        offsetof(AppConfig, fault_files)      },
        { SECTION_UPDATE,  "Policy",          config_parse_update_policy,    UPDATE_POLICY_PATCH,      offsetof(AppConfig, policy)           },
        { SECTION_UPDATE,  "ToolchainPolicy", config_parse_toolchain_policy, TOOLCHAIN_POLICY_FOLLOW,  offsetof(AppConfig, toolchain_policy) },
        { SECTION_UPDATE,  "Window",          config_parse_window,           0,                        offsetof(AppConfig, window)           },
        { SECTION_UPDATE,  "Delay",           config_parse_timespan,         0,                        offsetof(AppConfig, delay)            },
        { SECTION_UPDATE,  "Jitter",          config_parse_timespan,         APP_CHECK_JITTER_DEFAULT, offsetof(AppConfig, jitter)           },
        { SECTION_UPDATE,  "Keep",            config_parse_keep,             APP_KEEP_DEFAULT,         offsetof(AppConfig, keep)             },
        { SECTION_UPDATE,  "TrialSec",        config_parse_timespan,         APP_TRIAL_SEC_DEFAULT,    offsetof(AppConfig, trial_sec)        },
        { SECTION_UPDATE,  "HealthCheck",     config_parse_health_check,     0,                        offsetof(AppConfig, health_check)     },
        { SECTION_UPDATE,  "InstallHook",     config_parse_commands,         0,                        offsetof(AppConfig, install_hooks)    },
        { SECTION_UPDATE,  "CommandsAsService", config_parse_bool,         true,                     offsetof(AppConfig, commands_as_service) },
        { SECTION_SERVICE, NULL,              config_parse_service_line,     0,                        0                                     },
        { SECTION_SOCKET,  NULL,              config_parse_socket_line,      0,                        0                                     },
};

static const ConfigItem *config_item_find(Section section, const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(config_items); i++)
                if (config_items[i].section == section && (!config_items[i].key || streq(config_items[i].key, key)))
                        return config_items + i;
        return NULL;
}

static int parse_assignment(AppConfig *c, Section section, const char *path, unsigned line,
                            const char *key, const char *value) {
        const ConfigItem *item;

        if (section == SECTION_NONE)
                return log_error_errno(EINVAL, "%s:%u: Assignment to %s= outside of any section, refusing.",
                                       path, line, key);
        if (section == SECTION_UNKNOWN)
                return 0;

        item = config_item_find(section, key);
        if (!item) {
                log_warning("%s:%u: Unknown key %s= in section [%s], ignoring.", path, line, key,
                            section_to_string(section));
                return 0;
        }

        return item->parse(path, line, key, value, item->ltype, (uint8_t *) c + item->offset, c);
}

static int parse_section_header(const char *path, unsigned line, char *l, Section *section) {
        size_t n = strlen(l);
        char *name;
        Section s;

        if (n < 3 || l[n - 1] != ']')
                return log_error_errno(EINVAL, "%s:%u: Invalid section header '%s', refusing.", path, line, l);

        l[n - 1] = 0;
        name = l + 1;

        s = section_from_string(name);
        if (s < 0) {
                log_warning("%s:%u: Unknown section [%s], ignoring its lines.", path, line, name);
                s = SECTION_UNKNOWN;
        }

        *section = s;
        return 0;
}

static int app_config_new(const char *path, AppConfig **ret) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;
        const char *base;
        size_t n;

        base = strrchr(path, '/');
        base = base ? base + 1 : path;
        n = strlen(base);

        c = calloc(1, sizeof(AppConfig));
        if (!c)
                return -ENOMEM;

        *c = (AppConfig) {
                .policy = UPDATE_POLICY_PATCH,
                .toolchain_policy = TOOLCHAIN_POLICY_FOLLOW,
                .jitter = APP_CHECK_JITTER_DEFAULT,
                .keep = APP_KEEP_DEFAULT,
                .trial_sec = APP_TRIAL_SEC_DEFAULT,
                .commands_as_service = true,
                .fault_keep = FAULT_KEEP_DEFAULT,
        };

        if (n > strlen(APP_SUFFIX) && streq(base + n - strlen(APP_SUFFIX), APP_SUFFIX)) {
                c->name = strndup(base, n - strlen(APP_SUFFIX));
                if (!c->name)
                        return -ENOMEM;
        }
        if (!app_name_is_valid(c->name))
                return log_error_errno(EINVAL, "%s: File name is not a valid NAME.app, refusing.", path);

        c->path = strdup(path);
        if (!c->path)
                return -ENOMEM;

        *ret = TAKE_PTR(c);
        return 0;
}

static int config_load(const char *path, bool transient, AppConfig **ret) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_free_ char *buf = NULL;
        Section section = SECTION_NONE;
        size_t allocated = 0;
        unsigned line = 0;
        int r;

        r = app_config_new(path, &c);
        if (r < 0)
                return r;

        f = fopen(path, "re");
        if (!f)
                return -errno;

        for (;;) {
                char *l, *eq, *key, *value;

                errno = 0;
                if (getline(&buf, &allocated, f) < 0) {
                        if (errno != 0)
                                return -errno;
                        break;
                }
                line++;

                l = strip(buf);
                if (IN_SET(l[0], 0, '#', ';'))
                        continue;

                if (l[0] == '[') {
                        r = parse_section_header(path, line, l, &section);
                        if (r < 0)
                                return r;
                        continue;
                }

                eq = strchr(l, '=');
                if (!eq)
                        return log_error_errno(EINVAL, "%s:%u: Line '%s' is not Key=value, refusing.", path, line, l);

                *eq = 0;
                key = strip(l);
                value = strip(eq + 1);
                if (isempty(key))
                        return log_error_errno(EINVAL, "%s:%u: Assignment without a key, refusing.", path, line);

                r = parse_assignment(c, section, path, line, key, value);
                if (r < 0) {
                        /* The sketch in many a README puts a comment after a value; unit files do
                         * not allow that, and neither do app files. Say so, as it is hard to see. */
                        if (r == -EINVAL && strstr(value, " #"))
                                log_error("%s:%u: Note: '#' starts a comment only at the beginning of a line.",
                                          path, line);
                        return r;
                }
        }

        /* An app started by "upkeepctl run" may have nothing to update from. */
        if (!c->source && !transient)
                return log_error_errno(EINVAL, "%s: Missing Source= in [App], refusing.", path);
        if (!c->exec)
                return log_error_errno(EINVAL, "%s: Missing Exec= in [App], refusing.", path);

        c->transient = transient;
        *ret = TAKE_PTR(c);
        return 0;
}

int app_config_load(const char *path, AppConfig **ret) {
        return config_load(path, false, ret);
}

int app_config_load_transient(const char *path, AppConfig **ret) {
        return config_load(path, true, ret);
}

typedef struct Found {
        char *name;
        char *path;
} Found;

typedef struct FoundList {
        Found *items;
        size_t n;
} FoundList;

static void found_list_done(FoundList *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].name);
                free(l->items[i].path);
        }
        free(l->items);
}

static bool found_list_has(const FoundList *l, const char *name) {
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->items[i].name, name))
                        return true;
        return false;
}

static int found_compare(const void *a, const void *b) {
        return strcmp(((const Found *) a)->name, ((const Found *) b)->name);
}

/* Adds the NAME.app files of one directory whose NAME no earlier directory provided. */
static int enumerate_dir(const char *dir, FoundList *l) {
        _cleanup_closedir_ DIR *d = NULL;

        d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;

        for (;;) {
                _cleanup_free_ char *name = NULL, *path = NULL;
                struct dirent *de;
                struct stat st;
                Found *items;
                size_t n;

                errno = 0;
                de = readdir(d);
                if (!de) {
                        if (errno != 0)
                                return -errno;
                        break;
                }

                /* Hidden files are editor and package manager leftovers, not apps. */
                n = strlen(de->d_name);
                if (de->d_name[0] == '.' || n <= strlen(APP_SUFFIX) ||
                    !streq(de->d_name + n - strlen(APP_SUFFIX), APP_SUFFIX))
                        continue;

                /* Following symlinks, as for units; a directory or a dangling link is no app, and a
                 * link to /dev/null masks the app: it hides the same NAME in later directories. */
                if (fstatat(dirfd(d), de->d_name, &st, 0) < 0)
                        continue;
                bool masked = S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
                if (!masked && !S_ISREG(st.st_mode)) {
                        log_debug("Skipping %s/%s: not a regular file.", dir, de->d_name);
                        continue;
                }

                name = strndup(de->d_name, n - strlen(APP_SUFFIX));
                if (!name)
                        return -ENOMEM;

                if (!app_name_is_valid(name)) {
                        log_warning("%s/%s: '%s' is not a valid app name, ignoring.", dir, de->d_name, name);
                        continue;
                }

                if (found_list_has(l, name))
                        continue;

                if (masked)
                        log_debug("App %s is masked by %s/%s.", name, dir, de->d_name);
                else if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
                        path = NULL;
                        return -ENOMEM;
                }

                items = reallocarray(l->items, l->n + 1, sizeof(Found));
                if (!items)
                        return -ENOMEM;
                items[l->n++] = (Found) { .name = TAKE_PTR(name), .path = TAKE_PTR(path) };
                l->items = items;
        }

        return 0;
}

int app_config_enumerate(const char *const *dirs, char ***ret) {
        _cleanup_(found_list_done) FoundList l = {};
        char **paths;
        int r;

        for (const char *const *d = dirs; d && *d; d++) {
                r = enumerate_dir(*d, &l);
                if (r < 0)
                        return r;
        }

        if (l.n > INT_MAX)
                return -E2BIG;

        paths = calloc(l.n + 1, sizeof(char *));
        if (!paths)
                return -ENOMEM;

        if (l.n > 0)
                qsort(l.items, l.n, sizeof(Found), found_compare);
        size_t n = 0;
        for (size_t i = 0; i < l.n; i++)
                if (l.items[i].path)  /* not masked */
                        paths[n++] = TAKE_PTR(l.items[i].path);

        *ret = paths;
        return (int) n;
}

int app_config_find(const char *const *dirs, const char *name, char **ret_path) {
        _cleanup_(strv_freep) char **paths = NULL;
        _cleanup_free_ char *file = NULL;
        int r;

        if (asprintf(&file, "%s%s", name, APP_SUFFIX) < 0)
                return -ENOMEM;

        /* The same walk as for all apps, so which file wins (and masking) cannot differ. */
        r = app_config_enumerate(dirs, &paths);
        if (r < 0)
                return r;

        for (char **p = paths; *p; p++) {
                const char *slash = strrchr(*p, '/');

                if (streq(slash ? slash + 1 : *p, file)) {
                        char *copy = strdup(*p);

                        if (!copy)
                                return -ENOMEM;
                        *ret_path = copy;
                        return 0;
                }
        }

        return -ENOENT;
}

int app_config_load_all(const char *const *dirs, AppConfig ***ret) {
        _cleanup_(strv_freep) char **paths = NULL;
        AppConfig **configs;
        size_t n = 0;
        int r;

        r = app_config_enumerate(dirs, &paths);
        if (r < 0)
                return r;

        configs = calloc((size_t) r + 1, sizeof(AppConfig *));
        if (!configs)
                return -ENOMEM;

        for (char **p = paths; *p; p++) {
                r = app_config_load(*p, &configs[n]);
                if (r == -ENOMEM) {
                        app_config_free_many(configs, n);
                        return r;
                }
                if (r < 0) {
                        /* Syntax errors were logged with their line; only I/O errors are left. */
                        if (r != -EINVAL)
                                (void) log_warning_errno(r, "Failed to read %s, skipping: %m", *p);
                        continue;
                }
                n++;
        }

        *ret = configs;
        return (int) n;
}
