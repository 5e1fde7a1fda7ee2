/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Job waiting: JobRemoved tells the result, PropertiesChanged on the job its progress, and the loss of
 * org.upkeep1's owner that no result will ever come. */
#include <stdint.h>
#include <stdio.h>

#include "ctl-bus.h"
#include "ctl-format.h"
#include "ctl-job.h"
#include "ctl.h"

#define PROGRESS_BAR_WIDTH 20

typedef struct WaitJob {
        JobWaiter *waiter;
        char *path;
        char *app;
        char *type;
        char *result;               /* NULL until JobRemoved */
        char *error_name;           /* why it failed, from JobRemoved; "" otherwise */
        char *error_message;
        unsigned progress;          /* percent */
        sd_bus_slot *progress_slot;
} WaitJob;

struct JobWaiter {
        sd_bus *bus;
        sd_bus_slot *removed_slot;
        sd_bus_slot *owner_slot;
        WaitJob **jobs;
        size_t n_jobs;
        bool show_progress;
        bool progress_drawn;
        bool daemon_gone;
};

static WaitJob *wait_job_free(WaitJob *j) {
        if (!j)
                return NULL;

        sd_bus_slot_unref(j->progress_slot);
        free(j->path);
        free(j->app);
        free(j->type);
        free(j->result);
        free(j->error_name);
        free(j->error_message);
        free(j);
        return NULL;
}

static void wait_job_freep(WaitJob **j) {
        wait_job_free(*j);
}

JobWaiter *job_waiter_free(JobWaiter *w) {
        if (!w)
                return NULL;

        for (size_t i = 0; i < w->n_jobs; i++)
                wait_job_free(w->jobs[i]);
        free(w->jobs);
        sd_bus_slot_unref(w->removed_slot);
        sd_bus_slot_unref(w->owner_slot);
        sd_bus_unref(w->bus);
        free(w);
        return NULL;
}

static void progress_clear(JobWaiter *w) {
        if (!w->progress_drawn)
                return;

        fputs("\r\033[K", stderr);
        fflush(stderr);
        w->progress_drawn = false;
}

/* One line, redrawn in place: "update of example [#########...........]  45%". */
static void progress_draw(JobWaiter *w, const WaitJob *j) {
        char bar[PROGRESS_BAR_WIDTH + 1];
        unsigned p = j->progress > 100 ? 100 : j->progress;
        size_t filled = p * PROGRESS_BAR_WIDTH / 100;

        if (!w->show_progress)
                return;

        for (size_t i = 0; i < PROGRESS_BAR_WIDTH; i++)
                bar[i] = i < filled ? '#' : '.';
        bar[PROGRESS_BAR_WIDTH] = 0;

        fprintf(stderr, "\r%s of %s [%s] %3u%%\033[K", j->type, j->app, bar, p);
        fflush(stderr);
        w->progress_drawn = true;
}

static WaitJob *job_waiter_find(JobWaiter *w, const char *path) {
        for (size_t i = 0; i < w->n_jobs; i++)
                if (streq(w->jobs[i]->path, path))
                        return w->jobs[i];
        return NULL;
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        JobWaiter *w = userdata;
        const char *path, *result, *error_name, *error_message;
        WaitJob *j;
        uint32_t id;
        int r;

        r = sd_bus_message_read(m, "uosss", &id, &path, &result, &error_name, &error_message);
        if (r < 0) {
                log_debug_errno(r, "Failed to read JobRemoved signal, ignoring: %m");
                return 0;
        }

        /* Other clients' jobs end too; only ours matter. Signals that arrived while our method call
         * was under way were queued, not dispatched, so ours is always known by now. */
        j = job_waiter_find(w, path);
        if (!j || j->result)
                return 0;

        j->result = strdup(result);
        j->error_name = strdup(error_name);
        j->error_message = strdup(error_message);
        if (!j->result || !j->error_name || !j->error_message)
                return -ENOMEM;
        return 0;
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        JobWaiter *w = userdata;
        const char *name, *old_owner, *new_owner;
        int r;

        r = sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner);
        if (r < 0) {
                log_debug_errno(r, "Failed to read NameOwnerChanged signal, ignoring: %m");
                return 0;
        }

        if (isempty(new_owner))
                w->daemon_gone = true;
        return 0;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        WaitJob *j = userdata;
        const char *interface;
        int r;

        r = sd_bus_message_read(m, "s", &interface);
        if (r < 0 || !streq(interface, UPKEEP_JOB_INTERFACE))
                return 0;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return 0;

        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
                const char *name;
                uint32_t progress;

                if (sd_bus_message_read(m, "s", &name) < 0)
                        return 0;

                if (streq(name, "Progress") &&
                    sd_bus_message_read(m, "v", "u", &progress) > 0) {
                        j->progress = progress;
                        progress_draw(j->waiter, j);
                } else if (sd_bus_message_skip(m, "v") < 0)
                        return 0;

                if (sd_bus_message_exit_container(m) < 0)
                        return 0;
        }

        return 0;
}

int job_waiter_new(sd_bus *bus, JobWaiter **ret) {
        _cleanup_(job_waiter_freep) JobWaiter *w = NULL;
        int r;

        w = calloc(1, sizeof(JobWaiter));
        if (!w)
                return log_oom();

        w->bus = sd_bus_ref(bus);
        w->show_progress = !arg_quiet && isatty(STDERR_FILENO);

        /* Synchronous on purpose: the match must be in place at the bus before the method call that
         * starts the job is sent. */
        r = sd_bus_match_signal(bus, &w->removed_slot, UPKEEP_BUS_NAME, UPKEEP_MANAGER_PATH,
                                UPKEEP_MANAGER_INTERFACE, "JobRemoved", on_job_removed, w);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to subscribe to JobRemoved: %m");

        /* Should upkeepd crash, no JobRemoved ever comes: notice instead of waiting forever. */
        r = sd_bus_add_match(bus, &w->owner_slot,
                             "type='signal',"
                             "sender='org.freedesktop.DBus',"
                             "path='/org/freedesktop/DBus',"
                             "interface='org.freedesktop.DBus',"
                             "member='NameOwnerChanged',"
                             "arg0='" UPKEEP_BUS_NAME "'",
                             on_name_owner_changed, w);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to subscribe to NameOwnerChanged: %m");

        *ret = TAKE_PTR(w);
        return 0;
}

/* A job's App or Type property; NULL when the job is already gone, which a fast job may well be. */
static char *job_get_string(JobWaiter *w, const char *path, const char *property) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char *s = NULL;
        int r;

        r = sd_bus_get_property_string(w->bus, UPKEEP_BUS_NAME, path, UPKEEP_JOB_INTERFACE, property,
                                       &error, &s);
        if (r < 0)
                log_debug("Failed to read %s of %s, ignoring: %s", property, path,
                          error.message ?: strerror(-r));
        return s;
}

int job_waiter_add(JobWaiter *w, const char *path, const char *app, const char *type) {
        _cleanup_(wait_job_freep) WaitJob *j = NULL;
        WaitJob **l;
        int r;

        j = calloc(1, sizeof(WaitJob));
        if (!j)
                return log_oom();

        j->waiter = w;
        j->path = strdup(path);
        j->app = app ? strdup(app) : job_get_string(w, path, "App");
        j->type = type ? strdup(type) : job_get_string(w, path, "Type");
        if (!j->path || (app && !j->app) || (type && !j->type))
                return log_oom();
        if (!j->app)
                j->app = strdup(path);
        if (!j->type)
                j->type = strdup("job");
        if (!j->app || !j->type)
                return log_oom();

        if (w->show_progress) {
                r = sd_bus_match_signal(w->bus, &j->progress_slot, UPKEEP_BUS_NAME, path,
                                        "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                        on_properties_changed, j);
                if (r < 0)
                        log_debug_errno(r, "Failed to follow the progress of %s, ignoring: %m", path);
        }

        l = reallocarray(w->jobs, w->n_jobs + 1, sizeof(WaitJob *));
        if (!l)
                return log_oom();
        w->jobs = l;
        w->jobs[w->n_jobs++] = TAKE_PTR(j);
        return 0;
}

static bool job_waiter_finished(JobWaiter *w) {
        for (size_t i = 0; i < w->n_jobs; i++)
                if (!w->jobs[i]->result)
                        return false;
        return true;
}

int job_waiter_wait(JobWaiter *w) {
        int r, ret = 0;

        if (w->n_jobs > 0)
                progress_draw(w, w->jobs[w->n_jobs - 1]);

        while (!job_waiter_finished(w)) {
                r = sd_bus_process(w->bus, NULL);
                if (r < 0) {
                        progress_clear(w);
                        return ctl_log_error_errno(r, "Failed to wait for jobs: %m");
                }
                if (r > 0)
                        continue;

                /* Only with the queue drained: JobRemoved signals sent before upkeepd went away
                 * still count. */
                if (w->daemon_gone) {
                        progress_clear(w);
                        ctl_log_error("upkeepd exited before its jobs finished. "
                                      "See 'journalctl -u upkeepd.service' for details.");
                        return EXIT_FAILURE;
                }

                r = sd_bus_wait(w->bus, UINT64_MAX);
                if (r < 0) {
                        progress_clear(w);
                        return ctl_log_error_errno(r, "Failed to wait for jobs: %m");
                }
        }

        progress_clear(w);

        for (size_t i = 0; i < w->n_jobs; i++) {
                const WaitJob *j = w->jobs[i];
                int status = EXIT_FAILURE;

                if (streq(j->result, "done"))
                        continue;

                if (streq(j->result, "canceled"))
                        ctl_log_error("Job for %s of %s was canceled.", j->type, j->app);
                else {
                        /* JobRemoved says why; older jobs' reasons are still on the app. */
                        _cleanup_free_ char *why = isempty(j->error_message) ? app_last_error(w->bus, j->app) : NULL;

                        ctl_log_error("Failed to %s %s: %s%s%s%s", j->type, j->app,
                                      !isempty(j->error_message) ? j->error_message :
                                      why ?: "see 'journalctl UPKEEP_APP=…' for details.",
                                      isempty(j->error_name) ? "" : " (",
                                      strempty(j->error_name),
                                      isempty(j->error_name) ? "" : ")");
                        status = exit_status_from_bus_error(j->error_name);
                }
                if (ret == 0)
                        ret = status;
        }

        return ret;
}
