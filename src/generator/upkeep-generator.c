/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep-generator: a systemd generator (systemd.generator(7)). systemd runs it at boot and on every
 * daemon-reload with three output directories; it reads only /etc, /run and /usr, writes only into
 * those directories, and never fails the boot over a bad app config: it warns and skips it.
 *
 * For each app NAME it completes the static templates in the unit directory:
 *   upkeep@NAME.service.d/50-upkeep.conf         ExecStart= and the app's [Service] lines
 *   multi-user.target.wants/upkeep@NAME.service  -> the template upkeep@.service
 *   upkeep@NAME.socket                           when the app has [Socket] lines
 *   sockets.target.wants/upkeep@NAME.socket      -> the generated socket
 *   upkeep-update@NAME.timer.d/50-upkeep.conf    OnCalendar= from Window=, RandomizedDelaySec= from Jitter=
 *                                                (at most 58min, so an update stays in its hour)
 *   timers.target.wants/upkeep-update@NAME.timer -> the template upkeep-update@.timer */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app-config.h"
#include "cli.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "strv.h"
#include "window.h"

#define DROPIN_NAME "50-upkeep.conf"

static const char *arg_dest = NULL;
static char *arg_root = NULL;

static int help(void) {
        printf("%s [OPTIONS...] NORMAL-DIR [EARLY-DIR LATE-DIR]\n\n"
               "Generate units for the apps upkeep manages. Run by systemd, not by hand\n"
               "(see systemd.generator(7)).\n\n"
               "Options:\n"
               "  -h --help          Show this help\n"
               "     --version       Show package version\n"
               "     --root=DIR      Read app configs below DIR instead of /, for testing\n",
               program_invocation_short_name);
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_ROOT = _CLI_ARG_MAX,
        };
        static const struct option options[] = {
                CLI_COMMON_OPTIONS,
                { "root", required_argument, NULL, ARG_ROOT },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_ROOT: {
                        size_t n = strlen(optarg);

                        /* "/x/" and "/x" are one root; "/" is no root at all. */
                        while (n > 0 && optarg[n - 1] == '/')
                                n--;
                        free(arg_root);
                        arg_root = n > 0 ? strndup(optarg, n) : NULL;
                        if (n > 0 && !arg_root)
                                return log_oom();
                        break;
                }
                default:
                        return cli_common_option(c, help);
                }

        /* systemd passes three directories; one is accepted for running it by hand. */
        if (!IN_SET(argc - optind, 1, 3))
                return log_error_errno(EINVAL, "Expected one or three output directories, got %d.", argc - optind);

        arg_dest = argv[optind];
        return 1;
}

/* Units name where a config came from as it will be on the booted system, also under --root. */
static const char *source_path(const AppConfig *c) {
        size_t n = arg_root ? strlen(arg_root) : 0;

        if (n > 0 && strncmp(c->path, arg_root, n) == 0 && c->path[n] == '/')
                return c->path + n;
        return c->path;
}

/* A unit file line ending in a backslash continues on the next line: such a value would swallow the
 * line after it. The NAME.app format has no continuation lines, so this can only be a mistake. */
static bool ends_with_backslash(const char *s) {
        return !isempty(s) && s[strlen(s) - 1] == '\\';
}

static int check_unit_lines(const AppConfig *c, const char *section, const UnitLine *lines, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (ends_with_backslash(lines[i].value))
                        return log_warning_errno(EINVAL, "%s: [%s] %s= ends in a backslash, which would join the next "
                                                 "line of the unit. Skipping app %s.",
                                                 c->path, section, lines[i].key, c->name);
        return 0;
}

static int check_app(const AppConfig *c) {
        int r;

        if (ends_with_backslash(c->description))
                return log_warning_errno(EINVAL, "%s: Description= ends in a backslash. Skipping app %s.", c->path, c->name);
        if (ends_with_backslash(c->exec))
                return log_warning_errno(EINVAL, "%s: Exec= ends in a backslash. Skipping app %s.", c->path, c->name);

        r = check_unit_lines(c, "Service", c->service_lines, c->n_service_lines);
        if (r < 0)
                return r;
        return check_unit_lines(c, "Socket", c->socket_lines, c->n_socket_lines);
}

/* Unit text is put together in memory and written with one write(): no half-formatted file on disk. */
typedef struct UnitText {
        FILE *f;
        char *buf;
        size_t size;
} UnitText;

static void unit_text_done(UnitText *t) {
        if (t->f)
                (void) fclose(t->f);
        free(t->buf);
}

static FILE *unit_text_open(UnitText *t, const AppConfig *c) {
        t->f = open_memstream(&t->buf, &t->size);
        if (t->f)
                fprintf(t->f,
                        "# Automatically generated by upkeep-generator from %s\n"
                        "\n"
                        "[Unit]\n"
                        "SourcePath=%s\n",
                        source_path(c), source_path(c));
        return t->f;
}

/* Creates subdir in the output directory if needed and writes subdir/name (name alone without subdir).
 * The output directory is fresh at every run and systemd reads it only after we exit, so the file
 * needs no temporary name and rename. */
static int write_output(int dest_fd, const char *subdir, const char *name, UnitText *t) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        /* Writing into memory fails only for want of it. */
        r = ferror(t->f);
        if (fclose(t->f) != 0)
                r = EOF;
        t->f = NULL;
        if (r != 0)
                return -ENOMEM;

        if (subdir) {
                if (mkdirat(dest_fd, subdir, 0755) < 0 && errno != EEXIST)
                        return -errno;
                if (asprintf(&path, "%s/%s", subdir, name) < 0)
                        return -ENOMEM;
        }

        fd = openat(dest_fd, path ?: name, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC|O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;

        return loop_write(fd, t->buf, t->size);
}

/* A .wants/ entry; replaces one left from an earlier run by hand into the same directory. The
 * directory is shared by all apps, so it is made only when the first link finds it missing: with
 * 1,000 apps, that saves 2,000 system calls at every boot. */
static int symlink_output(int dest_fd, const char *subdir, const char *name, const char *target) {
        _cleanup_free_ char *path = NULL;

        if (asprintf(&path, "%s/%s", subdir, name) < 0)
                return -ENOMEM;

        if (symlinkat(target, dest_fd, path) >= 0)
                return 0;
        if (errno == ENOENT) {
                if (mkdirat(dest_fd, subdir, 0755) < 0 && errno != EEXIST)
                        return -errno;
        } else if (errno == EEXIST) {
                if (unlinkat(dest_fd, path, 0) < 0)
                        return -errno;
        } else
                return -errno;

        if (symlinkat(target, dest_fd, path) < 0)
                return -errno;
        return 0;
}

/* The Description= of a unit expands %-specifiers; an operator's text should show as written. */
static void fputs_escaping_specifiers(const char *s, FILE *f) {
        for (; *s; s++) {
                if (*s == '%')
                        fputc('%', f);
                fputc(*s, f);
        }
}

static void fputs_unit_lines(const UnitLine *lines, size_t n, FILE *f) {
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%s=%s\n", lines[i].key, lines[i].value);
}

static int write_service_dropin(int dest_fd, const AppConfig *c, const char *unit, const char *socket) {
        _cleanup_(unit_text_done) UnitText t = {};
        _cleanup_free_ char *dir = NULL;
        const char *exec = c->exec;
        FILE *f;

        f = unit_text_open(&t, c);
        if (!f)
                return -ENOMEM;

        if (c->description) {
                fputs("Description=", f);
                fputs_escaping_specifiers(c->description, f);
                fputc('\n', f);
        }
        if (socket)
                fprintf(f, "Requires=%s\nAfter=%s\n", socket, socket);

        /* Exec= is a path inside the release, then arguments; a quoted path stays quoted. */
        fputs("\n[Service]\nExecStart=", f);
        if (IN_SET(exec[0], '"', '\''))
                fputc(*exec++, f);
        fprintf(f, UPKEEP_STATE_DIR "/apps/%s/current/%s\n", c->name, exec);
        fputs_unit_lines(c->service_lines, c->n_service_lines, f);

        if (asprintf(&dir, "%s.d", unit) < 0)
                return -ENOMEM;
        return write_output(dest_fd, dir, DROPIN_NAME, &t);
}

static int write_socket(int dest_fd, const AppConfig *c, const char *socket) {
        _cleanup_(unit_text_done) UnitText t = {};
        FILE *f;

        f = unit_text_open(&t, c);
        if (!f)
                return -ENOMEM;

        fprintf(f,
                "Description=Socket of %s\n"
                "Documentation=man:upkeep.app(5)\n"
                "\n"
                "[Socket]\n",
                c->name);
        fputs_unit_lines(c->socket_lines, c->n_socket_lines, f);

        return write_output(dest_fd, NULL, socket, &t);
}

static int write_timer_dropin(int dest_fd, const AppConfig *c, const char *timer, const char *calendar) {
        _cleanup_(unit_text_done) UnitText t = {};
        _cleanup_free_ char *dir = NULL;
        usec_t jitter = c->jitter;
        FILE *f;

        f = unit_text_open(&t, c);
        if (!f)
                return -ENOMEM;

        /* The timer fires at the start of each hour of the window; its delay must not carry the
         * update past that hour (upkeep-condition would skip it, and the last hour would be
         * overrun). */
        if (jitter > WINDOW_JITTER_MAX) {
                log_debug("%s: Jitter= is longer than an hour of the window allows; RandomizedDelaySec= is capped at %llus.",
                          c->path, (unsigned long long) (WINDOW_JITTER_MAX / USEC_PER_SEC));
                jitter = WINDOW_JITTER_MAX;
        }

        /* RandomizedDelaySec= counts seconds; a fraction of one is rounded up, not lost. */
        fprintf(f,
                "\n"
                "[Timer]\n"
                "OnCalendar=%s\n"
                "RandomizedDelaySec=%llu\n",
                calendar,
                (unsigned long long) (jitter / USEC_PER_SEC + (jitter % USEC_PER_SEC > 0)));

        if (asprintf(&dir, "%s.d", timer) < 0)
                return -ENOMEM;
        return write_output(dest_fd, dir, DROPIN_NAME, &t);
}

static int generate_app(int dest_fd, const AppConfig *c) {
        _cleanup_free_ char *calendar = NULL, *service = NULL, *socket = NULL, *socket_target = NULL, *timer = NULL;
        const char *reason = NULL;
        int r;

        /* Everything is checked before anything is written: a skipped app leaves no trace. */
        r = window_to_calendar(c->window, &calendar, &reason);
        if (r == -EINVAL) {
                log_warning("%s: Invalid Window= value '%s': %s. Skipping app %s.", c->path, c->window, reason, c->name);
                return 0;
        }
        if (r < 0)
                return log_oom();

        if (check_app(c) < 0)
                return 0;

        if (asprintf(&service, "upkeep@%s.service", c->name) < 0 ||
            asprintf(&timer, "upkeep-update@%s.timer", c->name) < 0)
                return log_oom();
        if (c->n_socket_lines > 0 &&
            (asprintf(&socket, "upkeep@%s.socket", c->name) < 0 ||
             asprintf(&socket_target, "../%s", socket) < 0))
                return log_oom();

        r = write_service_dropin(dest_fd, c, service, socket);
        if (r < 0)
                return log_error_errno(r, "Failed to write the drop-in of %s: %m", service);

        /* A wants link to an instance points at its template, as "systemctl enable" makes it. */
        r = symlink_output(dest_fd, "multi-user.target.wants", service, SYSTEM_UNIT_DIR "/upkeep@.service");
        if (r < 0)
                return log_error_errno(r, "Failed to enable %s: %m", service);

        if (socket) {
                r = write_socket(dest_fd, c, socket);
                if (r < 0)
                        return log_error_errno(r, "Failed to write %s: %m", socket);

                r = symlink_output(dest_fd, "sockets.target.wants", socket, socket_target);
                if (r < 0)
                        return log_error_errno(r, "Failed to enable %s: %m", socket);
        }

        r = write_timer_dropin(dest_fd, c, timer, calendar);
        if (r < 0)
                return log_error_errno(r, "Failed to write the drop-in of %s: %m", timer);

        r = symlink_output(dest_fd, "timers.target.wants", timer, SYSTEM_UNIT_DIR "/upkeep-update@.timer");
        if (r < 0)
                return log_error_errno(r, "Failed to enable %s: %m", timer);

        return 0;
}

static int run(void) {
        const char *const *defaults = APP_CONFIG_DIRS;
        _cleanup_(strv_freep) char **dirs = NULL;
        _cleanup_close_ int dest_fd = -EBADF;
        AppConfig **configs;
        int n, r = 0;

        dest_fd = open(arg_dest, O_DIRECTORY|O_CLOEXEC|O_PATH);
        if (dest_fd < 0)
                return log_error_errno(errno, "Failed to open output directory %s: %m", arg_dest);

        dirs = calloc(ELEMENTSOF(APP_CONFIG_DIRS), sizeof(char *));
        if (!dirs)
                return log_oom();
        for (size_t i = 0; defaults[i]; i++)
                if (asprintf(&dirs[i], "%s%s", strempty(arg_root), defaults[i]) < 0) {
                        dirs[i] = NULL;
                        return log_oom();
                }

        n = app_config_load_all((const char *const *) dirs, &configs);
        if (n < 0)
                return log_error_errno(n, "Failed to enumerate app configs: %m");

        for (int i = 0; i < n; i++) {
                int k = generate_app(dest_fd, configs[i]);
                if (k == -ENOMEM) {
                        r = k;
                        break;
                }
                /* A unit that could not be written is logged; the other apps still get theirs. */
                if (k < 0 && r >= 0)
                        r = k;
        }

        app_config_free_many(configs, (size_t) n);
        return r;
}

int main(int argc, char *argv[]) {
        int r;

        /* Run by systemd (which sets $SYSTEMD_SCOPE for generators), possibly before journald is up:
         * the kernel log is the one place an operator will find us. Run by hand: the terminal. */
        if (getenv("SYSTEMD_SCOPE"))
                log_open_kmsg();

        r = parse_argv(argc, argv);
        if (r <= 0) {
                free(arg_root);
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
        }

        /* Units are read by systemd alone, but shown to anyone: 0644 and 0755 whatever our caller's umask. */
        umask(0022);

        log_debug("Generating upkeep units into %s.", arg_dest);
        r = run();
        free(arg_root);

        /* Bad app configs were skipped with a warning; only failing to write output is a failure. */
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
