/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "app-dbus.h"
#include "app-fetch.h"
#include "log.h"
#include "bus-error.h"
#include "macro.h"
#include "manager-dbus.h"
#include "polkit.h"

static int property_get_version(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply,
                                void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", PROJECT_VERSION);
}

static int property_get_last_check(sd_bus *bus, const char *path, const char *interface,
                                   const char *property, sd_bus_message *reply,
                                   void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        usec_t last = 0;

        for (size_t i = 0; i < m->n_apps; i++)
                if (m->apps[i]->state->last_check > last)
                        last = m->apps[i]->state->last_check;

        return sd_bus_message_append(reply, "t", last);
}

static int method_list_apps(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        int r;

        r = sd_bus_message_new_method_return(call, &reply);
        if (r < 0)
                return r;

        r = sd_bus_message_open_container(reply, 'a', "(sssssto)");
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

        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;

        return sd_bus_send(NULL, reply, NULL);
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

static int reload_authorized(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        int r;

        r = manager_load_apps(userdata);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to reload app configs: %m");

        return sd_bus_reply_method_return(call, NULL);
}

static int method_reload(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        return polkit_check_async(call, "org.upkeep1.manage", NULL, reload_authorized, userdata, error);
}

static int check_all_authorized(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        int r;

        r = sd_bus_message_new_method_return(call, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "o");
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

        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_check_all(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        return polkit_check_async(call, "org.upkeep1.check", NULL, check_all_authorized, userdata, error);
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
        SD_BUS_METHOD_WITH_ARGS("CheckAll", SD_BUS_NO_ARGS, SD_BUS_RESULT("ao", jobs),
                                method_check_all, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
                                method_reload, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_SIGNAL_WITH_ARGS("JobRemoved", SD_BUS_ARGS("u", id, "o", job, "s", result, "s", error, "s", message), 0),

        SD_BUS_VTABLE_END,
};

int manager_dbus_register(Manager *m) {
        int r;

        r = sd_bus_add_object_vtable(m->bus, NULL, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE,
                                     manager_vtable, m);
        if (r < 0)
                return r;

        /* GUI clients learn of apps coming and going through InterfacesAdded/Removed. */
        return sd_bus_add_object_manager(m->bus, NULL, UPKEEP_MANAGER_PATH);
}
