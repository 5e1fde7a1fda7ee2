/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verbs that change something: check, update, apply, rollback and stage start jobs and wait for
 * them; pause, resume, pin and unpin answer at once. All may need polkit's authorization. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "channel.h"
#include "cli.h"
#include "ctl-bus.h"
#include "ctl-job.h"
#include "ctl.h"
#include "strv.h"
#include "version.h"

/* Checked before connecting, so a typo costs no round trip and exits with the usage status. */
static int validate_version(const char *v) {
        if (version_is_valid(v))
                return 0;

        ctl_log_error("'%s' is not a valid version (expected a semantic version such as 1.4.2).", v);
        return EXIT_USAGE;
}

static int job_started(JobWaiter *w, const char *job, const char *app, const char *type) {
        if (!w) {
                /* --no-block: the path is the result, for "busctl" or a later wait. */
                puts(job);
                return 0;
        }

        return job_waiter_add(w, job, app, type);
}

/* Calls METHOD on each of APPS, with VERSION as its argument (unless NULL) or else FLAGS (unless
 * UINT64_MAX); each answers with a job, which is waited for unless --no-block. ACTION names the
 * operation in messages ("roll back"); TYPE names its job ("rollback"). */
static int app_job_verb_full(char **apps, const char *method, const char *version, uint64_t flags,
                             const char *action, const char *type) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(job_waiter_freep) JobWaiter *w = NULL;
        _cleanup_(strv_freep) char **paths = NULL;
        int r;

        r = bus_connect_for_change(&bus);
        if (r < 0)
                return r;

        /* All apps are looked up before any job starts: a typo in the third name should not leave
         * the first two half-done. */
        for (char **a = apps; *a; a++) {
                _cleanup_free_ char *path = NULL;

                r = app_lookup(bus, *a, &error, &path);
                if (r < 0)
                        return log_bus_error(r, &error, "Failed to %s %s", action, *a);

                r = strv_extend(&paths, path);
                if (r < 0)
                        return log_oom();
        }

        if (!arg_no_block) {
                r = job_waiter_new(bus, &w);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; apps[i]; i++) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                const char *job;

                if (version)
                        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, paths[i], UPKEEP_APP_INTERFACE, method,
                                               &error, &reply, "s", version);
                else if (flags != UINT64_MAX)
                        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, paths[i], UPKEEP_APP_INTERFACE, method,
                                               &error, &reply, "t", flags);
                else
                        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, paths[i], UPKEEP_APP_INTERFACE, method,
                                               &error, &reply, NULL);
                if (r < 0)
                        return log_bus_error(r, &error, "Failed to %s %s", action, apps[i]);

                r = sd_bus_message_read(reply, "o", &job);
                if (r < 0)
                        return ctl_log_error_errno(r, "Failed to read the job of %s: %m", apps[i]);

                r = job_started(w, job, apps[i], type);
                if (r < 0)
                        return r;
        }

        return w ? job_waiter_wait(w) : 0;
}

static int app_job_verb(char **apps, const char *method, const char *version, const char *action,
                        const char *type) {
        return app_job_verb_full(apps, method, version, UINT64_MAX, action, type);
}

static int check_all(void) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(job_waiter_freep) JobWaiter *w = NULL;
        const char *job;
        int r;

        r = bus_connect_for_change(&bus);
        if (r < 0)
                return r;

        if (!arg_no_block) {
                r = job_waiter_new(bus, &w);
                if (r < 0)
                        return r;
        }

        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE,
                               "CheckAll", &error, &reply, NULL);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to check apps");

        r = sd_bus_message_enter_container(reply, 'a', "o");
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the jobs of CheckAll(): %m");

        while ((r = sd_bus_message_read(reply, "o", &job)) > 0) {
                /* The app of each job is read from the job itself. */
                r = job_started(w, job, NULL, "check");
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the jobs of CheckAll(): %m");

        return w ? job_waiter_wait(w) : 0;
}

int verb_check(int argc, char *argv[]) {
        if (argc <= 1)
                return check_all();

        return app_job_verb(argv + 1, "Check", NULL, "check", "check");
}

int verb_update(int argc, char *argv[]) {
        const char *version = argc > 2 ? argv[2] : NULL;
        int r;

        if (version) {
                r = validate_version(version);
                if (r != 0)
                        return r;
        }

        /* The single app, as the NULL-terminated list app_job_verb() takes. */
        return app_job_verb((char *[]) { argv[1], NULL }, "Update", strempty(version), "update", "update");
}

int verb_apply(int argc, char *argv[]) {
        /* The update timer's service says --scheduled: its failures back off, an operator's do not. */
        return app_job_verb_full((char *[]) { argv[1], NULL }, "Apply", NULL,
                                 arg_scheduled ? UPKEEP_APPLY_SCHEDULED : 0,
                                 "apply the pending version of", "update");
}

int verb_rollback(int argc, char *argv[]) {
        return app_job_verb((char *[]) { argv[1], NULL }, "Rollback", NULL, "roll back", "rollback");
}

/* A method that answers at once, with ARG as its string argument unless NULL. */
static int app_call(const char *app, const char *method, const char *arg, const char *action) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        r = bus_connect_for_change(&bus);
        if (r < 0)
                return r;

        r = app_lookup(bus, app, &error, &path);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to %s %s", action, app);

        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, path, UPKEEP_APP_INTERFACE, method, &error, NULL,
                               arg ? "s" : NULL, arg);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to %s %s", action, app);

        return 0;
}

int verb_pause(int argc, char *argv[]) {
        /* An empty reason lets the daemon fill in its default. */
        return app_call(argv[1], "Pause", argc > 2 ? argv[2] : "", "pause");
}

int verb_resume(int argc, char *argv[]) {
        return app_call(argv[1], "Resume", NULL, "resume");
}

int verb_pin(int argc, char *argv[]) {
        int r;

        r = validate_version(argv[2]);
        if (r != 0)
                return r;

        return app_call(argv[1], "Pin", argv[2], "pin");
}

int verb_unpin(int argc, char *argv[]) {
        return app_call(argv[1], "Unpin", NULL, "unpin");
}

/* The artifact type a file name suggests: .tar, .tar.gz, .tar.xz … and .tgz are tarballs, .zip a zip
 * archive, anything else a single executable. */
static const char *artifact_type_from_file_name(const char *path) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        size_t n = strlen(base);

        for (const char *p = base; (p = strstr(p, ".tar")); p++)
                if (IN_SET(p[4], '\0', '.'))
                        return "tar";
        if (n > 4 && streq(base + n - 4, ".tgz"))
                return "tar";
        if (n > 4 && streq(base + n - 4, ".zip"))
                return "zip";
        return "binary";
}

int verb_stage(int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(job_waiter_freep) JobWaiter *w = NULL;
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *app = argv[1], *file = argv[2], *version = argv[3], *type, *job;
        struct stat st;
        int r;

        r = validate_version(version);
        if (r != 0)
                return r;
        if (arg_host) {
                /* upkeepd gets the open file, not its name; a descriptor cannot cross ssh. */
                ctl_log_error("stage cannot pass a file over --host: copy it to the host and run %s there.",
                              program_invocation_short_name);
                return EXIT_USAGE;
        }
        type = arg_type ?: artifact_type_from_file_name(file);

        /* Opened here, with the caller's own rights: upkeepd reads only what it is handed. */
        fd = open(file, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK);
        if (fd < 0)
                return ctl_log_error_errno(errno, "Failed to open %s: %m", file);
        if (fstat(fd, &st) < 0)
                return ctl_log_error_errno(errno, "Failed to stat %s: %m", file);
        if (!S_ISREG(st.st_mode))
                return ctl_log_error_errno(EBADFD, "%s is not a regular file.", file);

        r = bus_connect_for_change(&bus);
        if (r < 0)
                return r;

        r = app_lookup(bus, app, &error, &path);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to stage %s", app);

        if (!arg_no_block) {
                r = job_waiter_new(bus, &w);
                if (r < 0)
                        return r;
        }

        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, path, UPKEEP_APP_INTERFACE, "Stage", &error, &reply,
                               "hss", fd, version, type);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to stage %s as %s %s", file, app, version);

        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the job of %s: %m", app);

        r = job_started(w, job, app, "stage");
        if (r < 0)
                return r;

        return w ? job_waiter_wait(w) : 0;
}
