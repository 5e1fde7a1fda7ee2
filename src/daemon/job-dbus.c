/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "app.h"
#include "bus-error.h"
#include "bus-util.h"
#include "job-dbus.h"
#include "job.h"
#include "log.h"
#include "manager.h"
#include "polkit.h"
#include "strv.h"

void job_emit_changed(Job *j, const char *property) {
        if (!j->manager->bus)
                return;
        int r = sd_bus_emit_properties_changed(j->manager->bus, j->object_path, UPKEEP_JOB_INTERFACE,
                                               property, NULL);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged for job %" PRIu32 ", ignoring: %m", j->id);
}

static int job_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                           void **found, sd_bus_error *error) {
        Job *j = manager_get_job(userdata, path);

        if (!j)
                return 0;
        *found = j;
        return 1;
}

static int job_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***ret,
                               sd_bus_error *error) {
        _cleanup_(strv_freep) char **l = NULL;
        Manager *m = userdata;
        int r;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_jobs; i++) {
                r = strv_extend(&l, m->jobs[i]->object_path);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(l);
        return 1;
}

static int property_get_app(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Job *j = userdata;
        return sd_bus_message_append(reply, "s", j->app->name);
}

static int property_get_type(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Job *j = userdata;
        return sd_bus_message_append(reply, "s", job_type_to_string(j->type));
}

/* The job may have ended while polkit was asking: look it up again. Too late to cancel it then, as
 * systemd1's Cancel() of a job that is gone says. */
static int cancel_authorized(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        Job *j = manager_get_job(userdata, sd_bus_message_get_path(call));

        if (!j)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_JOB, "Job %s ended before it could be canceled.",
                                         sd_bus_message_get_path(call));
        job_cancel(j);
        return sd_bus_reply_method_return(call, NULL);
}

static int method_cancel(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        Job *j = userdata;

        return bus_verify_then(call, UPKEEP_ACTION_MANAGE, (const char *const[]) { "app", j->app->name, NULL },
                               cancel_authorized, j->manager, error);
}

const sd_bus_vtable job_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "u", NULL, offsetof(Job, id), SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("App", "s", property_get_app, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Type", "s", property_get_type, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Progress", "u", NULL, offsetof(Job, progress), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_ARGS("Cancel", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
                                method_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int job_dbus_register(Manager *m) {
        return bus_add_fallback_objects(m->bus, UPKEEP_JOB_PATH_PREFIX, UPKEEP_JOB_INTERFACE, job_vtable,
                                        job_object_find, job_node_enumerator, m);
}
