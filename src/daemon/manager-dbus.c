/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>

#include "app-dbus.h"
#include "app-fetch.h"
#include "app-run.h"
#include "app.h"
#include "bus-error.h"
#include "bus-util.h"
#include "fault-store.h"
#include "job.h"
#include "log.h"
#include "macro.h"
#include "manager-dbus.h"
#include "manager-metrics.h"
#include "manager.h"
#include "polkit.h"
#include "strv.h"

static int property_get_version(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply,
                                void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", PROJECT_VERSION);
}

static usec_t manager_last_check(const Manager *m) {
        usec_t last = 0;

        for (size_t i = 0; i < m->n_apps; i++)
                if (m->apps[i]->state->last_check > last)
                        last = m->apps[i]->state->last_check;
        return last;
}

static int property_get_last_check(sd_bus *bus, const char *path, const char *interface,
                                   const char *property, sd_bus_message *reply,
                                   void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "t", manager_last_check(userdata));
}

void manager_emit_last_check(Manager *m) {
        usec_t last;
        int r;

        if (!m->bus)
                return;

        /* Derived from every app's LastCheck, and changed by apps coming and going too: compared with
         * what was last announced rather than tracked at each change. */
        last = manager_last_check(m);
        if (last == m->last_check_announced)
                return;
        m->last_check_announced = last;

        r = sd_bus_emit_properties_changed(m->bus, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE, "LastCheck", NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged for LastCheck, ignoring: %m");
}

static int method_list_apps(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        int r;

        r = bus_reply_array_new(call, "(sssssto)", &reply);
        if (r < 0)
                return r;

        for (size_t i = 0; i < m->n_apps; i++) {
                const App *a = m->apps[i];

                r = sd_bus_message_append(reply, "(sssssto)",
                                          a->name,
                                          app_state_string(a),
                                          strempty(a->state->current_version),
                                          strempty(a->state->available_version),
                                          strempty(a->state->pending_version),
                                          a->state->pending_version ? a->state->due_at : (usec_t) 0,
                                          a->object_path);
                if (r < 0)
                        return r;
        }

        return bus_reply_array_send(reply);
}

static int method_get_app(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *name;
        App *a;
        int r;

        r = sd_bus_message_read(call, "s", &name);
        if (r < 0)
                return r;

        a = manager_get_app(m, name);
        if (!a)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_APP,
                                         "No app '%s' is configured (looked for %s.app in /etc/upkeep/apps, "
                                         "/run/upkeep/apps and /usr/lib/upkeep/apps).", name, name);

        return sd_bus_reply_method_return(call, "o", a->object_path);
}

/* Every running job, as systemd1's ListJobs() lists them: (id, app, type, progress, job path, app
 * path). No state column: a job never waits in a queue (a second job of an app is refused with
 * Busy), so it would always say "running"; the progress says more, as sysupdate1's does. */
static int method_list_jobs(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        int r;

        r = sd_bus_message_new_method_return(call, &reply);
        if (r < 0)
                return r;

        r = sd_bus_message_open_container(reply, 'a', "(ussuoo)");
        if (r < 0)
                return r;

        for (size_t i = 0; i < m->n_jobs; i++) {
                const Job *j = m->jobs[i];

                r = sd_bus_message_append(reply, "(ussuoo)", j->id, j->app->name, job_type_to_string(j->type),
                                          (uint32_t) j->progress, j->object_path, j->app->object_path);
                if (r < 0)
                        return r;
        }

        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;

        return sd_bus_send(NULL, reply, NULL);
}

static int method_get_job(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        uint32_t id;
        int r;

        r = sd_bus_message_read(call, "u", &id);
        if (r < 0)
                return r;

        for (size_t i = 0; i < m->n_jobs; i++)
                if (m->jobs[i]->id == id)
                        return sd_bus_reply_method_return(call, "o", m->jobs[i]->object_path);

        return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_JOB, "Job %" PRIu32 " does not exist (or has ended).", id);
}

static int reload_authorized(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        int r;

        r = manager_load_apps(userdata);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to reload app configs: %m");

        return sd_bus_reply_method_return(call, NULL);
}

static int method_reload(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        return bus_verify_then(call, UPKEEP_ACTION_MANAGE, NULL, reload_authorized, userdata, error);
}

static int check_all_authorized(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        int r;

        r = bus_reply_array_new(call, "o", &reply);
        if (r < 0)
                return r;

        /* Apps already busy are left alone. */
        for (size_t i = 0; i < m->n_apps; i++) {
                App *a = m->apps[i];
                Job *j;

                if (a->job || a->removed)
                        continue;
                r = app_start_check(a, &j);
                if (r < 0) {
                        log_warning_errno(r, "Failed to start check of %s, skipping: %m", a->name);
                        continue;
                }
                r = sd_bus_message_append(reply, "o", j->object_path);
                if (r < 0)
                        return r;
        }

        return bus_reply_array_send(reply);
}

static int method_check_all(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        return bus_verify_then(call, UPKEEP_ACTION_CHECK, NULL, check_all_authorized, userdata, error);
}

/* Everything Run() can check before asking polkit, and again after it. */
static int run_check(Manager *m, const char *name, char **argv, const char *source, const char *public_key,
                     sd_bus_error *error) {
        App *a;

        if (!app_name_is_valid(name))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "'%s' is not a valid app name (1 to 200 of A-Z a-z 0-9 : _ . -, not "
                                         "starting with '.' or '-').", name);
        for (size_t i = 0; argv && argv[i]; i++)
                if (str_has_control_chars(argv[i]))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Argument %zu of the program holds a control character.", i + 1);
        if (!isempty(source) && !app_source_is_valid(source))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid source '%s': expected an http://, https:// or file:/// URL.", source);
        if (!isempty(source) && strncmp(source, "go:", 3) == 0)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_SUPPORTED,
                                         "Source %s is not supported by this version of upkeepd.", source);
        if (isempty(source) != isempty(public_key))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "A source needs the public key that signs it, and a key a source.");
        if (!isempty(public_key) && !app_public_key_is_valid(public_key))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Invalid public key '%s': expected a minisign public key or an absolute path.",
                                         public_key);

        a = manager_get_app(m, name);
        if (a && !a->config->transient)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_ALLOWED,
                                         "An app named %s is configured (%s); choose another name.", name, a->config->path);
        if ((a && a->job) || app_run_in_progress(m, name))
                return sd_bus_error_setf(error, BUS_ERROR_BUSY, "%s is busy; try again once its job ended.", name);
        return 0;
}

/* Reads and checks the arguments of Run(s name, h program, as arguments, s source, s public_key); the
 * strings and the descriptor belong to the message. */
static int run_read_args(sd_bus_message *call, Manager *m, const char **name, int *fd, char ***argv,
                         const char **source, const char **public_key, sd_bus_error *error) {
        int r;

        r = sd_bus_message_read(call, "sh", name, fd);
        if (r < 0)
                return r;
        r = sd_bus_message_read_strv(call, argv);
        if (r < 0)
                return r;
        r = sd_bus_message_read(call, "ss", source, public_key);
        if (r < 0)
                return r;
        return run_check(m, *name, *argv, *source, *public_key, error);
}

static int run_authorized(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        _cleanup_(strv_freep) char **argv = NULL;
        const char *name, *source, *public_key;
        Manager *m = userdata;
        int fd, r;

        /* Read again: the descriptor belongs to the message, and a Reload() may have come meanwhile. */
        r = run_read_args(call, m, &name, &fd, &argv, &source, &public_key, error);
        if (r < 0)
                return r;

        return app_run_start(m, call, name, fd, argv, source, public_key, error);
}

/* Runs a program the caller opened and passed as a descriptor as an app, without a config: upkeepd
 * never opens a path on a caller's behalf. Answers once its unit started. */
static int method_run(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        _cleanup_(strv_freep) char **argv = NULL;
        const char *name, *source, *public_key;
        Manager *m = userdata;
        int fd, r;

        r = run_read_args(call, m, &name, &fd, &argv, &source, &public_key, error);
        if (r < 0)
                return r;
        r = bus_check_file_fd(fd, "program", error);
        if (r < 0)
                return r;

        /* Running any program as root: an action of its own, which no rule about managing updates grants. */
        return bus_verify_then(call, UPKEEP_ACTION_RUN, (const char *const[]) { "app", name, "source", source, NULL },
                               run_authorized, m, error);
}

/* upkeep-fault recorded a fault of an app (while we ran, or starting us): announced on the bus and
 * in the metrics. It sends without waiting for the answer (the app's restart waits for it), and is
 * gone before the bus could tell who sent: so anyone may call this, and it announces only what the
 * counts on disk say changed since the last call. */
static int method_fault_recorded(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        _cleanup_(fault_counts_done) FaultCounts c = {};
        Manager *m = userdata;
        const char *name, *id;
        App *a;
        int r;

        r = sd_bus_message_read(call, "ss", &name, &id);
        if (r < 0)
                return r;

        a = manager_get_app(m, name);
        if (a && fault_load_counts_at(a->dir_fd, &c) >= 0 && c.total != a->faults_announced) {
                log_debug("Fault %s of %s recorded.", id, name);
                a->faults_announced = c.total;
                app_emit_changed(a, "Faults", "LastFault", "CurrentVersionFaults", NULL);
                manager_queue_metrics(m);
        }
        return sd_bus_reply_method_return(call, NULL);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),

        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("LastCheck", "t", property_get_last_check, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),

        SD_BUS_METHOD_WITH_ARGS("ListApps", SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a(sssssto)", apps),
                                method_list_apps, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetApp", SD_BUS_ARGS("s", name), SD_BUS_RESULT("o", app),
                                method_get_app, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListJobs", SD_BUS_NO_ARGS,
                                SD_BUS_RESULT("a(ussuoo)", jobs),
                                method_list_jobs, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetJob", SD_BUS_ARGS("u", id), SD_BUS_RESULT("o", job),
                                method_get_job, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CheckAll", SD_BUS_NO_ARGS, SD_BUS_RESULT("ao", jobs),
                                method_check_all, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
                                method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Run",
                                SD_BUS_ARGS("s", name, "h", program, "as", arguments, "s", source, "s", public_key),
                                SD_BUS_RESULT("o", app, "s", unit),
                                method_run, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_METHOD_WITH_ARGS("FaultRecorded", SD_BUS_ARGS("s", app, "s", id), SD_BUS_NO_RESULT,
                                method_fault_recorded, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_SIGNAL_WITH_ARGS("JobNew", SD_BUS_ARGS("u", id, "o", job, "s", app), 0),
        SD_BUS_SIGNAL_WITH_ARGS("JobRemoved", SD_BUS_ARGS("u", id, "o", job, "s", result, "s", error, "s", message), 0),

        SD_BUS_VTABLE_END,
};

int manager_dbus_register(Manager *m) {
        int r;

        /* What LastCheck says now, before anyone could ask: from here on, every change is announced. */
        m->last_check_announced = manager_last_check(m);

        r = sd_bus_add_object_vtable(m->bus, NULL, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE,
                                     manager_vtable, m);
        if (r < 0)
                return r;

        /* GUI clients learn of apps coming and going through InterfacesAdded/Removed. */
        return sd_bus_add_object_manager(m->bus, NULL, UPKEEP_MANAGER_PATH);
}
