/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep-fault: records a fault report each time an app's unit fails. upkeep@.service runs it as
 * ExecStopPost=-+upkeep-fault record NAME, so it runs after every run of the app ends, also when
 * Restart= starts the app again (OnFailure= does not run then) and while upkeepd is not running.
 * systemd hands it the run's outcome in $SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS and the run's
 * $INVOCATION_ID (from OnFailure=, the same as $MONITOR_*). A run that did not fail costs one exec.
 *
 * It never fails the unit: every problem is logged, and it exits 0. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-login.h>

#include "app-config.h"
#include "app-journal.h"
#include "bus-names.h"
#include "cli.h"
#include "fault-files.h"
#include "fault-store.h"
#include "log.h"
#include "macro.h"
#include "state.h"
#include "strv.h"
#include "switch.h"
#include "time-util.h"

/* systemd-coredump's entry for each core it caught (its catalog names it). */
#define COREDUMP_MESSAGE_ID "fc2e22bc6ee647b6b90729ab34a250b1"
/* How long to wait for journald to catch up with the run's last lines, and for systemd-coredump,
 * which processes a core after the process is gone. The unit restarts only after we exit. */
#define JOURNAL_QUIET_USEC (100 * USEC_PER_MSEC)
#define JOURNAL_SETTLE_MAX 10
#define COREDUMP_WAIT_USEC (3 * USEC_PER_SEC)

static int help(void) {
        printf("%s [OPTIONS...] record APP\n\n"
               "Record a fault report of APP when its unit failed. Run by upkeep@.service as\n"
               "ExecStopPost=; not normally run by hand.\n\n"
               "Commands:\n"
               "  record APP         Read the run's outcome from $SERVICE_RESULT, $EXIT_CODE,\n"
               "                     $EXIT_STATUS and $INVOCATION_ID (or the $MONITOR_* of\n"
               "                     OnFailure=); when it failed, write a report to\n"
               "                     %s/apps/APP/faults/\n\n"
               "Options:\n"
               "  -h --help          Show this help\n"
               "     --version       Show package version\n\n"
               "It always exits 0 for a valid command line (2 otherwise): a problem recording a\n"
               "report is logged, never made the unit's failure.\n"
               "See the upkeep-fault(8) man page for details.\n",
               program_invocation_short_name, UPKEEP_STATE_DIR);
        return 0;
}

/* $NAME as ExecStopPost= gets it, else $MONITOR_NAME as OnFailure= does. */
static const char *outcome_env(const char *name) {
        char monitor[64];
        const char *v = getenv(name);

        if (!isempty(v))
                return v;
        (void) snprintf(monitor, sizeof monitor, "MONITOR_%s", name);
        v = getenv(monitor);
        return isempty(v) ? NULL : v;
}

static bool invocation_id_is_valid(const char *s) {
        if (!s || strlen(s) != 32)
                return false;
        for (; *s; s++)
                if (!strchr("0123456789abcdef", *s))
                        return false;
        return true;
}

static int journal_field(sd_journal *j, const char *field, char **ret) {
        const void *data;
        size_t size, n = strlen(field);
        int r;

        r = sd_journal_get_data(j, field, &data, &size);
        if (r < 0)
                return r;
        if (size <= n || ((const char *) data)[n] != '=')
                return -EBADMSG;
        *ret = fault_text_sanitize((const char *) data + n + 1, size - n - 1);
        return *ret ? 0 : -ENOMEM;
}

/* One entry as a line: "2026-12-05T05:45:12.123456Z app[123]: message". */
static int format_entry(sd_journal *j, char **ret) {
        _cleanup_free_ char *message = NULL, *ident = NULL, *pid = NULL;
        char stamp[64];
        uint64_t t = 0;
        int r;

        r = journal_field(j, "MESSAGE", &message);
        if (r < 0)
                return r;
        if (journal_field(j, "SYSLOG_IDENTIFIER", &ident) < 0)
                (void) journal_field(j, "_COMM", &ident);
        (void) journal_field(j, "_PID", &pid);
        (void) sd_journal_get_realtime_usec(j, &t);

        if (asprintf(ret, "%s %s%s%s%s: %s", format_timestamp_rfc3339(stamp, sizeof stamp, t),
                     ident ?: "?", pid ? "[" : "", strempty(pid), pid ? "]" : "", message) < 0)
                return -ENOMEM;
        return 0;
}

/* The last lines of the run, newest read first, within FAULT_JOURNAL_LINES_MAX and _BYTES_MAX. */
static int read_lines(sd_journal *j, char ***ret, bool *ret_truncated) {
        _cleanup_(strv_freep) char **lines = NULL;
        size_t n = 0, bytes = 0;
        bool truncated = false;
        int r;

        r = sd_journal_seek_tail(j);
        if (r < 0)
                return r;

        while ((r = sd_journal_previous(j)) > 0) {
                _cleanup_free_ char *line = NULL;

                if (format_entry(j, &line) < 0)
                        continue;
                if (n >= FAULT_JOURNAL_LINES_MAX || bytes + strlen(line) > FAULT_JOURNAL_BYTES_MAX) {
                        truncated = true;
                        break;
                }
                bytes += strlen(line);
                r = strv_extend(&lines, line);
                if (r < 0)
                        return r;
                n++;
        }
        if (r < 0)
                return r;

        /* Oldest first. */
        for (size_t i = 0; i < n / 2; i++) {
                char *t = lines[i];
                lines[i] = lines[n - 1 - i];
                lines[n - 1 - i] = t;
        }

        *ret = TAKE_PTR(lines);
        *ret_truncated = truncated;
        return 0;
}

/* journald reads the app's output from a pipe: its last lines may arrive just after the process is
 * gone. Wait until the journal was quiet for JOURNAL_QUIET_USEC, for at most JOURNAL_SETTLE_MAX of
 * them (on a busy system other units' lines keep it from being quiet). */
static void journal_settle(sd_journal *j) {
        for (unsigned i = 0; i < JOURNAL_SETTLE_MAX; i++) {
                int r = sd_journal_wait(j, JOURNAL_QUIET_USEC);
                if (r <= SD_JOURNAL_NOP)
                        return;
                /* Something was appended or the files changed: see whether more comes. */
        }
}

static int read_journal(const char *invocation_id, char ***ret, bool *ret_truncated) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        char match[64];
        int r;

        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY|SD_JOURNAL_SYSTEM);
        if (r < 0)
                return r;

        /* The app's own lines, and what systemd said about the run ("Main process exited, …"). */
        (void) snprintf(match, sizeof match, "_SYSTEMD_INVOCATION_ID=%s", invocation_id);
        r = sd_journal_add_match(j, match, 0);
        if (r >= 0)
                r = sd_journal_add_disjunction(j);
        if (r >= 0) {
                (void) snprintf(match, sizeof match, "INVOCATION_ID=%s", invocation_id);
                r = sd_journal_add_match(j, match, 0);
        }
        if (r < 0)
                return r;

        (void) sd_journal_seek_tail(j);
        (void) sd_journal_previous(j);
        journal_settle(j);

        return read_lines(j, ret, ret_truncated);
}

/* systemd-coredump's entry for this unit's core, if it catches one within COREDUMP_WAIT_USEC: its
 * fields, not the core. */
static int read_coredump(const char *unit, usec_t since, char ***ret) {
        static const char *const fields[] = {
                "COREDUMP_PID", "COREDUMP_SIGNAL_NAME", "COREDUMP_SIGNAL", "COREDUMP_EXE", "COREDUMP_COMM",
                "COREDUMP_CMDLINE", "COREDUMP_TIMESTAMP", "COREDUMP_FILENAME",
        };
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        _cleanup_(strv_freep) char **l = NULL;
        usec_t deadline = now_monotonic() + COREDUMP_WAIT_USEC;
        char match[300];
        int r;

        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY|SD_JOURNAL_SYSTEM);
        if (r < 0)
                return r;
        r = sd_journal_add_match(j, "MESSAGE_ID=" COREDUMP_MESSAGE_ID, 0);
        if (r >= 0) {
                (void) snprintf(match, sizeof match, "COREDUMP_UNIT=%s", unit);
                r = sd_journal_add_match(j, match, 0);
        }
        if (r < 0)
                return r;

        for (;;) {
                uint64_t t = 0;
                usec_t n;

                r = sd_journal_seek_tail(j);
                if (r < 0)
                        return r;
                r = sd_journal_previous(j);
                if (r < 0)
                        return r;
                if (r > 0 && sd_journal_get_realtime_usec(j, &t) >= 0 && t >= since)
                        break;

                n = now_monotonic();
                if (n >= deadline) {
                        *ret = NULL;
                        return 0;
                }
                r = sd_journal_wait(j, deadline - n);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                _cleanup_free_ char *v = NULL;

                if (journal_field(j, fields[i], &v) < 0)
                        continue;
                r = strv_extend(&l, fields[i]);
                if (r >= 0)
                        r = strv_extend(&l, v);
                if (r < 0)
                        return r;
                if (streq(fields[i], "COREDUMP_PID")) {
                        _cleanup_free_ char *ref = NULL;

                        if (asprintf(&ref, "coredumpctl info %s", v) < 0)
                                return -ENOMEM;
                        r = strv_extend(&l, "coredumpctl");
                        if (r >= 0)
                                r = strv_extend(&l, ref);
                        if (r < 0)
                                return r;
                }
        }

        *ret = TAKE_PTR(l);
        return 0;
}

static void collect_files(const AppConfig *c, FaultReport *rep) {
        _cleanup_(strv_freep) char **dirs = NULL;
        size_t budget = FAULT_FILES_BYTES_MAX;
        int r;

        if (!c->fault_files)
                return;

        r = fault_app_directories(c->service_lines, c->n_service_lines, &dirs);
        if (r < 0) {
                log_oom();
                return;
        }
        if (!dirs) {
                log_warning("%s has FaultFiles= but neither StateDirectory= nor LogsDirectory= in [Service]: "
                            "no files are added to its fault reports.", c->name);
                return;
        }

        for (char **d = dirs; *d; d++) {
                _cleanup_close_ int fd = -EBADF;

                /* The base itself may be a link systemd made (DynamicUser=: /var/lib/private/…). */
                fd = open(*d, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                if (fd < 0) {
                        if (errno != ENOENT)
                                log_warning_errno(errno, "Failed to open %s for FaultFiles=, skipping it: %m", *d);
                        continue;
                }
                for (char **p = c->fault_files; *p; p++) {
                        r = fault_files_collect_at(fd, *d, *p, &budget, &rep->files, &rep->n_files);
                        if (r < 0)
                                log_warning_errno(r, "Failed to add files matching %s/%s to the fault report, "
                                                  "skipping them: %m", *d, *p);
                }
        }
}

static int load_config(const char *name, AppConfig **ret) {
        _cleanup_(strv_freep) char **dirs = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        r = app_config_dirs_from_env(&dirs);
        if (r < 0)
                return r;
        r = app_config_find((const char *const *) dirs, name, &path);
        if (r < 0)
                return r;
        return app_config_load(path, ret);
}

/* When the run's main process started (realtime), as systemd still says after it ended; 0 = unknown. */
static usec_t run_started(sd_bus *bus, const char *unit) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        uint64_t t = 0;
        int r;

        if (!bus)
                return 0;
        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Service",
                                                "ExecMainStartTimestamp", &error, 't', &t);
        if (r < 0) {
                log_debug_errno(r, "Failed to ask systemd when %s started, ignoring: %m", unit);
                return 0;
        }
        return t;
}

/* The version that ran, and whether it was on trial: from state.json (what "current" named when the
 * run started), else the "current" link. */
static void read_version(int dir_fd, usec_t started, FaultReport *rep) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        _cleanup_free_ char *current = NULL, *previous = NULL;
        const char *version;

        if (app_state_load_at(dir_fd, &s) >= 0) {
                fault_version_of_run(s, started, &version, &rep->trial);
                if (version) {
                        rep->version = strdup(version);
                        return;
                }
        }
        if (app_state_read_links_at(dir_fd, &current, &previous) >= 0)
                rep->version = TAKE_PTR(current);
}

/* Tells upkeepd (starting it, if it is not running) so that it announces the fault on the bus and
 * in its metrics. Sent without waiting for an answer: the unit restarts only after we exit. */
static void notify_daemon(sd_bus *bus, const char *app, const char *id) {
        int r = -ENOTCONN;

        if (bus)
                r = sd_bus_call_method_async(bus, NULL, UPKEEP_BUS_NAME, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE,
                                             "FaultRecorded", NULL, NULL, "ss", app, id);
        if (r < 0)
                log_debug_errno(r, "Failed to tell upkeepd of fault %s of %s, ignoring: %m", id, app);
}

/* The app's unit this runs for: upkeepctl run's upkeep-run-NAME.service when we are in its cgroup (an
 * ExecStopPost= runs in its unit's), else upkeep@NAME.service. */
static int app_unit_of_caller(const char *name, char **ret) {
        _cleanup_free_ char *unit = NULL, *template = NULL, *run = NULL;

        if (asprintf(&template, APP_UNIT_FORMAT, name) < 0 || asprintf(&run, APP_RUN_UNIT_FORMAT, name) < 0)
                return -ENOMEM;
        if (sd_pid_get_unit(0, &unit) >= 0 && streq(unit, run)) {
                *ret = TAKE_PTR(unit);
                return 0;
        }
        *ret = TAKE_PTR(template);
        return 0;
}

static int record(const char *name) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(fault_report_freep) FaultReport *rep = NULL;
        _cleanup_(app_config_freep) AppConfig *c = NULL;
        _cleanup_free_ char *path = NULL, *description = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        const char *result, *invocation_id;
        unsigned keep = FAULT_KEEP_DEFAULT;
        usec_t started;
        int r;

        result = outcome_env("SERVICE_RESULT");
        if (!fault_result_is_fault(result)) {
                log_debug("%s stopped with result '%s': not a fault.", name, strempty(result));
                return 0;
        }

        rep = calloc(1, sizeof(FaultReport));
        if (!rep)
                return log_oom();
        rep->time = now_realtime();
        started = now_monotonic();

        invocation_id = outcome_env("INVOCATION_ID");
        if (invocation_id && !invocation_id_is_valid(invocation_id)) {
                log_warning("Ignoring invalid invocation ID '%s'.", invocation_id);
                invocation_id = NULL;
        }
        r = app_unit_of_caller(name, &rep->unit);
        if (r < 0)
                return log_oom();
        rep->app = strdup(name);
        rep->result = strdup(result);
        if (!rep->app || !rep->result ||
            free_and_strdup(&rep->exit_code, outcome_env("EXIT_CODE")) < 0 ||
            free_and_strdup(&rep->exit_status, outcome_env("EXIT_STATUS")) < 0 ||
            free_and_strdup(&rep->invocation_id, invocation_id) < 0)
                return log_oom();

        r = load_config(name, &c);
        if (r < 0)
                log_warning_errno(r, "Failed to load the config of %s, recording its fault without FaultFiles= "
                                  "and with FaultKeep=%u: %m", name, keep);
        else
                keep = c->fault_keep;

        if (asprintf(&path, "%s/apps/%s", app_state_dir_from_env(), name) < 0)
                return log_oom();
        dir_fd = open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (dir_fd < 0)
                return log_error_errno(errno, "Failed to open %s, not recording the fault of %s: %m", path, name);

        /* No bus: a report still, without the run's start and without telling upkeepd. */
        r = sd_bus_open_system(&bus);
        if (r < 0)
                log_warning_errno(r, "Failed to connect to the system bus, recording the fault of %s without it: %m", name);

        read_version(dir_fd, run_started(bus, rep->unit), rep);

        if (invocation_id) {
                r = read_journal(invocation_id, &rep->journal, &rep->journal_truncated);
                if (r < 0)
                        log_warning_errno(r, "Failed to read the journal of run %s of %s, recording the fault "
                                          "without it: %m", invocation_id, name);
        }

        if (streq(result, "core-dump") || streq_ptr(rep->exit_code, "dumped")) {
                /* The core is being written while we run: anything from this run on. */
                r = read_coredump(rep->unit, rep->time - 60 * USEC_PER_SEC, &rep->coredump);
                if (r < 0)
                        log_warning_errno(r, "Failed to look for systemd-coredump's entry of %s, ignoring: %m", rep->unit);
        }

        if (c)
                collect_files(c, rep);

        r = fault_save_at(dir_fd, rep, keep);
        if (r < 0)
                return log_error_errno(r, "Failed to record the fault of %s in %s/%s/: %m", name, path, FAULT_DIR);

        if (fault_describe(rep, &description) < 0)
                return log_oom();
        app_journal(&(AppEvent) {
                        .message_id = UPKEEP_MESSAGE_FAULT,
                        .priority = LOG_WARNING,
                        .app = name,
                        .version = rep->version,
                        .fault = rep->id,
                },
                "%s%s%s %s%s; fault report %s recorded.", name, rep->version ? " " : "", strempty(rep->version),
                description, rep->trial ? " during its trial" : "", rep->id);

        notify_daemon(bus, name, rep->id);
        log_debug("Recorded fault %s of %s in %" PRIu64 " ms.", rep->id, name,
                  (uint64_t) ((now_monotonic() - started) / USEC_PER_MSEC));
        return 0;
}

int main(int argc, char *argv[]) {
        const char *app;
        int r;

        r = cli_parse_common_only(argc, argv, help);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        if (argc - optind != 2 || !streq(argv[optind], "record")) {
                log_error("Expected 'record APP'. See '%s --help'.", program_invocation_short_name);
                return EXIT_USAGE;
        }
        app = argv[optind + 1];
        if (!app_name_is_valid(app)) {
                log_error("Invalid app name '%s'.", app);
                return EXIT_USAGE;
        }

        (void) record(app);
        return EXIT_SUCCESS;
}
