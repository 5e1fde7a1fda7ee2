/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "upkeepctl run": a program put under upkeep's management without a config, as systemd-run puts a
 * command into a unit. The program is opened here, with the caller's rights, and handed to upkeepd as
 * a descriptor (Manager.Run()); upkeepd stages it and runs it as upkeep-run-NAME.service. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app-config.h"
#include "cli.h"
#include "ctl-bus.h"
#include "ctl.h"
#include "fileio.h"
#include "minisign.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool is_executable_file(const char *path) {
        struct stat st;

        return stat(path, &st) >= 0 && S_ISREG(st.st_mode) && access(path, X_OK) >= 0;
}

/* A program named without a '/' is looked for in $PATH, as a shell would. */
static int find_program(const char *name, char **ret) {
        const char *path = getenv("PATH");
        char *found;

        if (strchr(name, '/')) {
                found = strdup(name);
                if (!found)
                        return -ENOMEM;
                *ret = found;
                return 0;
        }

        for (const char *p = isempty(path) ? DEFAULT_PATH : path; *p;) {
                size_t n = strcspn(p, ":");

                if (asprintf(&found, "%.*s/%s", (int) n, n > 0 ? p : ".", name) < 0)
                        return -ENOMEM;
                if (is_executable_file(found)) {
                        *ret = found;
                        return 0;
                }
                free(found);
                p += n;
                p += *p == ':';
        }
        return -ENOENT;
}

/* The key line of --public-key=: given as is, or read from a minisign.pub file, since upkeepd keeps
 * the key and the file may not outlive this command. */
static int public_key_line(const char *arg, char **ret) {
        _cleanup_free_ char *text = NULL;
        MinisignPublicKey key;
        char *line;
        int r;

        if (minisign_public_key_parse(arg, &key) >= 0) {
                line = strdup(arg);
                if (!line)
                        return log_oom();
                *ret = line;
                return 0;
        }

        r = read_file_at(AT_FDCWD, arg, MINISIGN_SIGNATURE_MAX_FILE_SIZE, &text, NULL);
        if (r == -ENOENT)
                return ctl_log_error_errno(r, "--public-key: '%s' is neither a minisign public key nor an existing file.", arg);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the public key %s: %m", arg);
        if (minisign_public_key_parse(text, &key) < 0)
                return ctl_log_error_errno(EINVAL, "--public-key: %s is not a minisign public key file.", arg);

        /* The line after the untrusted comment. */
        for (char *l = strtok(text, "\r\n"); l; l = strtok(NULL, "\r\n"))
                if (!isempty(l) && strncmp(l, "untrusted comment:", 18) != 0) {
                        line = strdup(l);
                        if (!line)
                                return log_oom();
                        *ret = line;
                        return 0;
                }
        return ctl_log_error_errno(EINVAL, "--public-key: %s holds no key line.", arg);
}

int verb_run(int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *program = NULL, *key = NULL, *version = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *name, *app, *unit;
        struct stat st;
        int r;

        if (arg_host) {
                /* upkeepd gets the open program, not its name; a descriptor cannot cross ssh. */
                ctl_log_error("run cannot pass a program over --host: copy it to the host and run %s there.",
                              program_invocation_short_name);
                return EXIT_USAGE;
        }
        if (!!arg_source != !!arg_public_key) {
                ctl_log_error("--source=URL needs --public-key=KEY, the key that signs its channel, and the key a source.");
                return EXIT_USAGE;
        }
        if (arg_source && !app_source_is_valid(arg_source)) {
                ctl_log_error("Invalid --source= '%s': expected an http://, https:// or file:/// URL.", arg_source);
                return EXIT_USAGE;
        }

        r = find_program(argv[1], &program);
        if (r == -ENOENT) {
                ctl_log_error("%s: no such program in $PATH.", argv[1]);
                return EXIT_USAGE;
        }
        if (r < 0)
                return log_oom();

        name = arg_run_name;
        if (!name) {
                name = strrchr(program, '/');
                name = name ? name + 1 : program;
        }
        if (!app_name_is_valid(name)) {
                ctl_log_error("'%s' cannot name an app (1 to 200 of A-Z a-z 0-9 : _ . -, not starting with '.' "
                              "or '-'); choose one with --name=NAME.", name);
                return EXIT_USAGE;
        }

        if (arg_public_key) {
                r = public_key_line(arg_public_key, &key);
                if (r < 0)
                        return EXIT_USAGE;
        }

        /* Opened here, with the caller's own rights: upkeepd runs only what it is handed. */
        fd = open(program, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return ctl_log_error_errno(errno, "Failed to open %s: %m", program);
        if (fstat(fd, &st) < 0)
                return ctl_log_error_errno(errno, "Failed to stat %s: %m", program);
        if (!S_ISREG(st.st_mode))
                return ctl_log_error_errno(EBADFD, "%s is not a regular file.", program);
        if (!(st.st_mode & 0111))
                return ctl_log_error_errno(EACCES, "%s is not executable.", program);

        r = bus_connect_for_change(&bus);
        if (r < 0)
                return r;

        r = sd_bus_message_new_method_call(bus, &call, UPKEEP_BUS_NAME, UPKEEP_MANAGER_PATH,
                                           UPKEEP_MANAGER_INTERFACE, "Run");
        if (r >= 0)
                r = sd_bus_message_append(call, "sh", name, fd);
        if (r >= 0)
                r = sd_bus_message_append_strv(call, argv + 2);
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", strempty(arg_source), strempty(key));
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to build the call: %m");

        r = sd_bus_call(bus, call, 0, &error, &reply);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to run %s", program);

        r = sd_bus_message_read(reply, "os", &app, &unit);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the answer of Run(): %m");

        if (!arg_quiet) {
                (void) sd_bus_get_property_string(bus, UPKEEP_BUS_NAME, app, UPKEEP_APP_INTERFACE,
                                                  "CurrentVersion", NULL, &version);
                printf("Running as unit: %s (app %s, version %s)\n", unit, name, version ?: "unknown");
        }
        return 0;
}
