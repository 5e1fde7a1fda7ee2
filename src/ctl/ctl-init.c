/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeepctl init go:MODULE/PATH: the one command that starts managing a Go program. It writes the
 * app's NAME.app, has systemd run the generator (daemon-reload) and upkeepd read the new app, stages
 * and starts the newest build the policies allow, and says what to do next. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app-config.h"
#include "app-init.h"
#include "cli.h"
#include "ctl-bus.h"
#include "ctl-polkit.h"
#include "ctl.h"
#include "fileio.h"
#include "go-module.h"

#define INIT_DIR "/etc/upkeep/apps"

static int open_init_dir(void) {
        int fd;

        /* /etc/upkeep may not exist on a fresh install: made as a package would. */
        if (mkdir("/etc/upkeep", 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mkdir(INIT_DIR, 0755) < 0 && errno != EEXIST)
                return -errno;

        fd = open(INIT_DIR, O_DIRECTORY|O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* What systemctl daemon-reload does: systemd reruns the generators, so the app's units exist. */
static int reload_systemd(sd_bus *bus) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "Reload", &error, NULL, NULL);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to reload systemd's units (systemctl daemon-reload)");
        return 0;
}

static int reload_upkeepd(sd_bus *bus) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE, "Reload",
                               &error, NULL, NULL);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to have upkeepd read the new app");
        return 0;
}

static void print_next_steps(const char *name, bool installed) {
        if (arg_quiet)
                return;

        printf("\n%s upkeep@%s.service.\n", installed ? "Now running:" : "Not running yet:", name);
        if (!installed)
                printf("  Fix what the error above says (\"upkeepctl status %1$s\"), then install it with\n"
                       "    upkeepctl update %1$s\n", name);
        printf("Next:\n"
               "  Review %2$s/%1$s.app: the program's arguments (Exec=) and [Service] settings,\n"
               "    then run \"systemctl daemon-reload\" and \"systemctl restart upkeep@%1$s.service\".\n"
               "  systemctl start upkeep-update@%1$s.timer\n"
               "    applies updates from now on (it starts at boot already).\n"
               "  upkeepctl status %1$s\n"
               "  journalctl -u upkeep@%1$s.service\n",
               name, INIT_DIR);
}

int verb_init(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *name = NULL, *text = NULL, *file = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        const char *source = argv[1], *package;
        int r;

        /* The file is written here; the bus of another machine could not see it. */
        if (arg_host) {
                ctl_log_error("init writes %s/NAME.app on this machine; run it on %s itself.", INIT_DIR, arg_host);
                return EXIT_USAGE;
        }

        package = startswith(source, APP_SOURCE_GO_PREFIX);
        if (!package || !go_package_path_is_valid(package)) {
                ctl_log_error("'%s' is not go:MODULE/PATH, the package path of a Go program "
                              "(e.g. go:github.com/mjl-/moxtools).", source);
                return EXIT_USAGE;
        }

        if (arg_init_name) {
                if (!app_name_is_valid(arg_init_name)) {
                        ctl_log_error("--name: '%s' is not a valid app name.", arg_init_name);
                        return EXIT_USAGE;
                }
                name = strdup(arg_init_name);
                if (!name)
                        return log_oom();
        } else {
                r = app_init_name(package, &name);
                if (r < 0) {
                        ctl_log_error("Cannot make an app name of %s; give one with --name=.", package);
                        return EXIT_USAGE;
                }
        }

        r = app_init_format(&(AppInit) {
                        .package = package,
                        .name = name,
                        .exec_args = argv + 2,
                        .policy = arg_init_policy,
                        .toolchain_policy = arg_init_toolchain_policy,
                        .go_proxy = arg_init_go_proxy,
                        .go_build = arg_init_go_build,
                        .go_build_key = arg_init_go_build_key,
                }, &text);
        if (r == -EINVAL) {
                ctl_log_error("The arguments cannot be written into %s.app: a control character?", name);
                return EXIT_USAGE;
        }
        if (r < 0)
                return log_oom();

        if (asprintf(&file, "%s.app", name) < 0)
                return log_oom();

        dir_fd = open_init_dir();
        if (dir_fd < 0)
                return ctl_log_error_errno(dir_fd, "Failed to open %s: %m", INIT_DIR);

        /* Checked and written in two steps: two operators racing to init one name is not a case
         * worth a lock, and the write is atomic either way. */
        if (!arg_init_force && faccessat(dir_fd, file, F_OK, AT_SYMLINK_NOFOLLOW) >= 0) {
                ctl_log_error("%s/%s exists already; --force replaces it.", INIT_DIR, file);
                return EXIT_FAILURE;
        }

        r = write_file_atomic_at(dir_fd, file, text, strlen(text), 0644);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to write %s/%s: %m", INIT_DIR, file);
        if (!arg_quiet)
                printf("Created %s/%s for %s.\n", INIT_DIR, file, source);

        r = bus_connect(&bus);
        if (r < 0)
                return r;
        polkit_agent_open_if_enabled();

        /* Units first: the update ends by starting upkeep@NAME.service, which must exist. */
        r = reload_systemd(bus);
        if (r == 0)
                r = reload_upkeepd(bus);
        if (r != 0) {
                print_next_steps(name, false);
                return r;
        }

        r = verb_update(2, (char *[]) { (char *) "update", name, NULL });
        print_next_steps(name, r == 0);
        return r;
}
