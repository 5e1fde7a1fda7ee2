/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep-condition: run by units as ExecCondition=; answers from the state directory alone, so it
 * works while upkeepd is not running. "trial" rolls a failed trial back before the app's unit starts
 * again; "due" tells the update timer's service whether there is anything to do.
 *
 * systemd reads an ExecCondition= exit status as: 0 start, 1 skip quietly, 2..254 fail the unit. So
 * every runtime problem ends in 0 (trial: an app must not stay down because its state is unreadable)
 * or 1 (due: no update is better than a wrong one); 2 is kept for a bad command line, which is a
 * broken unit file and should show as a failure. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app-config.h"
#include "app-journal.h"
#include "cli.h"
#include "log.h"
#include "macro.h"
#include "state.h"
#include "strv.h"
#include "switch.h"
#include "time-util.h"
#include "window.h"

enum {
        EXIT_START = 0,  /* go ahead */
        EXIT_SKIP = 1,   /* ExecCondition=: skip the unit, do not fail it */
};

static int help(void) {
        printf("%s [OPTIONS...] COMMAND APP\n\n"
               "Decide, from upkeep's state alone, whether a unit of APP should start.\n"
               "Used as ExecCondition= by upkeep's units; not normally run by hand.\n\n"
               "Commands:\n"
               "  trial APP          Before each start of upkeep@APP.service: count the starts\n"
               "                     of a version on trial, and roll back to the previous\n"
               "                     version at any start after its first\n"
               "  due APP            Before the update timer's service: succeed only when an\n"
               "                     update of APP is due now, it is not backing off after\n"
               "                     failed scheduled updates, and now is inside its Window=\n\n"
               "Options:\n"
               "  -h --help          Show this help\n"
               "     --version       Show package version\n\n"
               "Exit status, as ExecCondition= reads it:\n"
               "  0  start the unit (trial: also after a rollback, or when the state cannot be\n"
               "     read, so that the app still starts; due: an update is due)\n"
               "  1  skip the unit without failing it (trial: nothing is installed; due: no\n"
               "     update is due, or the state cannot be read; the reason goes to stderr)\n"
               "  2  bad command line\n"
               "\nThe state is read from $UPKEEP_STATE_DIR/apps/APP/ (default %s/apps/APP/), and\n"
               "APP.app from /etc/upkeep/apps, /run/upkeep/apps or /usr/lib/upkeep/apps, each\n"
               "below $UPKEEP_CONFIG_ROOT when set.\n"
               "See the upkeep-condition(8) man page for details.\n",
               program_invocation_short_name, UPKEEP_STATE_DIR);
        return 0;
}

/* Loads the app's update window as the generator and upkeepd find its config. On failure the reason
 * has been logged. */
static int load_window(const char *name, Window *ret, char **ret_text) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;
        _cleanup_(strv_freep) char **dirs = NULL;
        _cleanup_free_ char *path = NULL;
        const char *reason = NULL;
        char *text = NULL;
        int r;

        r = app_config_dirs_from_env(&dirs);
        if (r < 0)
                return log_oom();

        r = app_config_find((const char *const *) dirs, name, &path);
        if (r == -ENOENT)
                return log_info_errno(r, "Skipping update of %s: it has no config (%s.app) in %s, %s or %s.",
                                      name, name, dirs[0], dirs[1], dirs[2]);
        if (r < 0)
                return log_error_errno(r, "Skipping update of %s: failed to look for its config: %m", name);

        /* Syntax errors are logged by the parser, naming file and line. */
        r = app_config_load(path, &c);
        if (r < 0)
                return log_error_errno(r, "Skipping update of %s: failed to load %s: %m", name, path);

        r = window_parse(c->window, ret, &reason);
        if (r < 0)
                return log_error_errno(r, "Skipping update of %s: invalid Window= '%s' in %s: %s.", name,
                                       c->window, path, strempty(reason));

        if (c->window) {
                text = strdup(c->window);
                if (!text)
                        return log_oom();
        }
        *ret_text = text;
        return 0;
}

static int open_app_dir(const char *name, int *ret) {
        _cleanup_free_ char *path = NULL;
        int fd;

        if (asprintf(&path, "%s/apps/%s", app_state_dir_from_env(), name) < 0)
                return -ENOMEM;

        fd = open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (fd < 0)
                return -errno;

        *ret = fd;
        return 0;
}

static int verb_trial(const char *name) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        _cleanup_close_ int dir_fd = -EBADF, lock_fd = -EBADF;
        _cleanup_free_ char *bad = NULL, *reason = NULL;
        struct stat st;
        int r;

        r = open_app_dir(name, &dir_fd);
        if (r == -ENOENT) {
                log_error("No version of %s is installed (no %s/apps/%s/), not starting it.",
                          name, app_state_dir_from_env(), name);
                return EXIT_SKIP;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to open state directory of %s, starting it without a trial check: %m", name);
                return EXIT_START;
        }

        if (fstatat(dir_fd, APP_CURRENT_LINK, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT) {
                        log_error("No version of %s is installed (no '%s' link), not starting it.",
                                  name, APP_CURRENT_LINK);
                        return EXIT_SKIP;
                }
                log_warning_errno(errno, "Failed to check the '%s' link of %s, ignoring: %m",
                                  APP_CURRENT_LINK, name);
        }

        /* upkeepd may be switching or rolling back this very app: its read-modify-write and ours
         * must not interleave. */
        lock_fd = app_lock_at(dir_fd);
        if (lock_fd < 0) {
                log_error_errno(lock_fd, "Failed to lock state of %s, starting it without a trial check: %m", name);
                return EXIT_START;
        }

        r = app_state_load_at(dir_fd, &s);
        if (r == -ENOENT) {
                log_debug("No state for %s yet, nothing to decide.", name);
                return EXIT_START;
        }
        if (r == -EBADMSG) {
                log_warning("State of %s (%s) is corrupt, starting it without a trial check.", name, STATE_FILE);
                return EXIT_START;
        }
        if (r < 0) {
                log_error_errno(r, "Failed to load state of %s, starting it without a trial check: %m", name);
                return EXIT_START;
        }

        switch (app_state_trial_on_start(s)) {

        case TRIAL_NONE:
                return EXIT_START;

        case TRIAL_CONTINUE:
                r = app_state_save_at(dir_fd, s);
                if (r < 0)
                        log_error_errno(r, "Failed to record the start of %s %s on trial, ignoring: %m",
                                        name, s->trial_version);
                else
                        log_info("Starting %s %s on trial.", name, s->trial_version);
                return EXIT_START;

        case TRIAL_FAILED:
                break;
        }

        if (!s->previous_version) {
                /* The first version ever installed: there is nothing better to start. */
                log_warning("Version %s of %s failed its trial, but there is no previous version to roll back to; starting it again.",
                            strempty(s->current_version), name);
                r = app_state_save_at(dir_fd, s);
                if (r < 0)
                        log_error_errno(r, "Failed to save state of %s, ignoring: %m", name);
                return EXIT_START;
        }

        /* The version being left, kept for the journal entry once s has moved on. */
        bad = strdup(strempty(s->current_version));
        if (!bad) {
                log_oom();
                return EXIT_START;
        }

        if (asprintf(&reason, "version %s failed its trial (it stopped before it was kept); rolled back to %s",
                     bad, s->previous_version) < 0) {
                reason = NULL;
                log_oom();
                return EXIT_START;
        }

        r = app_rollback_at(dir_fd, s, reason, now_realtime());
        if (r < 0) {
                log_error_errno(r, "Failed to roll %s back from %s to %s, starting %s: %m",
                                name, bad, s->previous_version, bad);
                return EXIT_START;
        }

        /* Saved before the start proceeds: the next start must see the rollback, not the trial. If
         * this fails, the link is back already and the next start repeats the rollback. */
        r = app_state_save_at(dir_fd, s);
        if (r < 0) {
                log_error_errno(r, "Rolled %s back from %s to %s, but failed to save its state: %m",
                                name, bad, s->current_version);
                return EXIT_START;
        }

        app_journal(&(AppEvent) {
                        .message_id = UPKEEP_MESSAGE_ROLLED_BACK,
                        .priority = LOG_WARNING,
                        .app = name,
                        .version = s->current_version,
                        .old_version = bad,
                },
                "%s: version %s failed its trial (it stopped before it was kept); rolled back to %s. "
                "Automatic updates are paused.",
                name, bad, s->current_version);
        return EXIT_START;
}

static int verb_due(const char *name) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        _cleanup_free_ char *window_text = NULL;
        char buf[RFC3339_MAX];
        usec_t now, next;
        Window w;
        int r;

        r = open_app_dir(name, &dir_fd);
        if (r == -ENOENT) {
                log_info("Skipping update of %s: not installed.", name);
                return EXIT_SKIP;
        }
        if (r < 0) {
                log_error_errno(r, "Skipping update of %s: failed to open its state directory: %m", name);
                return EXIT_SKIP;
        }

        /* No lock: state.json is replaced atomically, so a plain read sees a whole version of it, and
         * a decision that is stale by a moment is checked again by upkeepd when it applies. */
        r = app_state_load_at(dir_fd, &s);
        if (r == -ENOENT) {
                log_info("Skipping update of %s: nothing pending.", name);
                return EXIT_SKIP;
        }
        if (r < 0) {
                log_error_errno(r, "Skipping update of %s: failed to load its state: %m", name);
                return EXIT_SKIP;
        }

        now = now_realtime();

        if (!s->pending_version) {
                log_info("Skipping update of %s: nothing pending.", name);
                return EXIT_SKIP;
        }
        if (s->paused) {
                log_info("Skipping update of %s: paused: %s", name,
                         isempty(s->pause_reason) ? "no reason given" : s->pause_reason);
                return EXIT_SKIP;
        }
        if (s->trial_version) {
                log_info("Skipping update of %s: a trial is running (%s).", name, s->trial_version);
                return EXIT_SKIP;
        }
        if (s->due_at == 0) {
                log_info("Skipping update of %s: %s is staged but not scheduled.", name, s->pending_version);
                return EXIT_SKIP;
        }
        if (s->backoff_until > now) {
                log_info("Skipping update of %s: backing off until %s.", name,
                         format_timestamp_rfc3339(buf, sizeof buf, s->backoff_until));
                return EXIT_SKIP;
        }
        if (s->due_at > now) {
                log_info("Skipping update of %s: due at %s.", name,
                         format_timestamp_rfc3339(buf, sizeof buf, s->due_at));
                return EXIT_SKIP;
        }

        /* The timer fires only inside the window, but a timer started by hand (or one whose event
         * was delayed past its hour) does not: the window is the operator's promise, kept here. */
        if (load_window(name, &w, &window_text) < 0)
                return EXIT_SKIP;
        if (!window_contains(&w, now)) {
                if (window_next(&w, now, &next) < 0)
                        next = 0;
                log_info("Skipping update of %s: outside its update window (Window=%s); the window opens next at %s.",
                         name, strempty(window_text),
                         next > 0 ? format_timestamp_rfc3339(buf, sizeof buf, next) : "never");
                return EXIT_SKIP;
        }

        log_info("Update of %s to %s is due.", name, s->pending_version);
        return EXIT_START;
}

int main(int argc, char *argv[]) {
        static const struct {
                const char *name;
                int (*run)(const char *app);
        } verbs[] = {
                { "trial", verb_trial },
                { "due",   verb_due   },
        };
        const char *verb, *app;
        int r;

        r = cli_parse_common_only(argc, argv, help);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        if (optind >= argc) {
                log_error("No command given. See '%s --help'.", program_invocation_short_name);
                return EXIT_USAGE;
        }
        verb = argv[optind];

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (!streq(verbs[i].name, verb))
                        continue;

                if (argc - optind != 2) {
                        log_error("'%s' takes exactly one app name. See '%s --help'.",
                                  verb, program_invocation_short_name);
                        return EXIT_USAGE;
                }
                app = argv[optind + 1];
                if (!app_name_is_valid(app)) {
                        log_error("Invalid app name '%s'.", app);
                        return EXIT_USAGE;
                }

                return verbs[i].run(app);
        }

        log_error("Unknown command '%s'. See '%s --help'.", verb, program_invocation_short_name);
        return EXIT_USAGE;
}
