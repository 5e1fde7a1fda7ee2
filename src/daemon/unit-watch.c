/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "macro.h"
#include "state.h"
#include "unit-watch.h"

UnitWatch *unit_watch_free(UnitWatch *w) {
        if (!w)
                return NULL;

        sd_bus_slot_unref(w->changed_slot);
        sd_bus_slot_unref(w->job_removed_slot);
        sd_bus_slot_unref(w->call_slot);
        sd_bus_slot_unref(w->get_slot);
        sd_bus_unref(w->bus);
        free(w->unit);
        free(w->job);
        free(w->job_result);
        free(w->error_name);
        free(w->error_message);
        free(w->active_state);
        free(w->sub_state);
        free(w->result);
        free(w);
        return NULL;
}

/* Reads one changed property if it is one of ours; skips it otherwise. */
static int read_property(UnitWatch *w, sd_bus_message *m, bool unit_interface) {
        const char *name, *s;
        int32_t i;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;

        if (unit_interface && IN_SET_STR(name, "ActiveState", "SubState")) {
                r = sd_bus_message_read(m, "v", "s", &s);
                if (r < 0)
                        return r;
                return free_and_strdup(streq(name, "ActiveState") ? &w->active_state : &w->sub_state, s);
        }
        if (!unit_interface && streq(name, "Result")) {
                r = sd_bus_message_read(m, "v", "s", &s);
                if (r < 0)
                        return r;
                return free_and_strdup(&w->result, s);
        }
        if (!unit_interface && IN_SET_STR(name, "ExecMainCode", "ExecMainStatus")) {
                r = sd_bus_message_read(m, "v", "i", &i);
                if (r < 0)
                        return r;
                *(streq(name, "ExecMainCode") ? &w->exec_main_code : &w->exec_main_status) = i;
                return 0;
        }
        return sd_bus_message_skip(m, "v");
}

/* Reads an a{sv} of properties of one interface (PropertiesChanged, or GetAll's answer). */
static int read_properties(UnitWatch *w, sd_bus_message *m, bool unit_interface) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = read_property(w, m, unit_interface);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        return r;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        UnitWatch *w = userdata;
        const char *interface;
        bool unit_interface;
        int r;

        r = sd_bus_message_read(m, "s", &interface);
        if (r < 0)
                return 0;
        if (streq(interface, "org.freedesktop.systemd1.Unit"))
                unit_interface = true;
        else if (streq(interface, "org.freedesktop.systemd1.Service"))
                unit_interface = false;
        else
                return 0;

        r = read_properties(w, m, unit_interface);
        if (r < 0) {
                log_debug_errno(r, "Unreadable PropertiesChanged of %s, ignoring: %m", w->unit);
                return 0;
        }

        w->handler(w, UNIT_WATCH_CHANGED, w->userdata);
        return 0;
}

/* Sets the watch's error from a failed call's answer, or to an unreadable answer's. */
static int watch_set_error(UnitWatch *w, sd_bus_message *reply) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (free_and_strdup(&w->error_name, e ? e->name : SD_BUS_ERROR_INCONSISTENT_MESSAGE) < 0 ||
            free_and_strdup(&w->error_message, e ? e->message ?: e->name : "unreadable answer from systemd") < 0)
                return log_oom();
        return 0;
}

static int on_get_all_reply(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        UnitWatch *w = userdata;

        w->get_slot = sd_bus_slot_unref(w->get_slot);

        if (sd_bus_message_is_method_error(reply, NULL) || read_properties(w, reply, true) < 0) {
                if (watch_set_error(w, reply) < 0)
                        return 0;
                w->handler(w, UNIT_WATCH_REFUSED, w->userdata);
                return 0;
        }

        w->handler(w, UNIT_WATCH_CHANGED, w->userdata);
        return 0;
}

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        UnitWatch *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0;
        if (!w->job || !streq(path, w->job))
                return 0;

        if (free_and_strdup(&w->job_result, result) < 0)
                return log_oom();
        w->job_removed_slot = sd_bus_slot_unref(w->job_removed_slot);
        w->handler(w, UNIT_WATCH_JOB_REMOVED, w->userdata);
        return 0;
}

static int on_call_reply(sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        UnitWatch *w = userdata;
        const char *path;
        int r;

        w->call_slot = sd_bus_slot_unref(w->call_slot);

        if (!sd_bus_message_is_method_error(reply, NULL)) {
                r = sd_bus_message_read(reply, "o", &path);
                if (r >= 0)
                        r = free_and_strdup(&w->job, path);
                if (r >= 0)
                        return 0;
        }

        if (watch_set_error(w, reply) < 0)
                return 0;
        w->handler(w, UNIT_WATCH_REFUSED, w->userdata);
        return 0;
}

int unit_watch_new(sd_bus *bus, const char *unit, unit_watch_handler_t handler, void *userdata, UnitWatch **ret) {
        _cleanup_(unit_watch_freep) UnitWatch *w = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        w = calloc(1, sizeof(UnitWatch));
        if (!w)
                return -ENOMEM;
        w->bus = sd_bus_ref(bus);
        w->handler = handler;
        w->userdata = userdata;
        w->unit = strdup(unit);
        if (!w->unit)
                return -ENOMEM;

        r = sd_bus_path_encode(SYSTEMD_UNIT_PATH_PREFIX, unit, &path);
        if (r < 0)
                return r;
        r = sd_bus_match_signal_async(bus, &w->changed_slot, SYSTEMD_SERVICE, path,
                                      "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                      on_properties_changed, NULL, w);
        if (r < 0)
                return r;

        /* Not filtered by unit on the bus (arg2): sd-bus matches argN only when every argument before
         * it is a string, and JobRemoved starts with the job's number. */
        r = sd_bus_match_signal_async(bus, &w->job_removed_slot, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                      "JobRemoved", on_job_removed, NULL, w);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(w);
        return 0;
}

int unit_watch_send(UnitWatch *w, sd_bus_message *call) {
        if (w->call_slot || w->job)
                return -EBUSY;
        return sd_bus_call_async(w->bus, &w->call_slot, call, on_call_reply, w, 0);
}

int unit_watch_call(UnitWatch *w, const char *method, const char *mode) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        r = sd_bus_message_new_method_call(w->bus, &call, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, method);
        if (r < 0)
                return r;
        r = sd_bus_message_append(call, "ss", w->unit, mode);
        if (r < 0)
                return r;
        return unit_watch_send(w, call);
}

int unit_watch_refresh(UnitWatch *w) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (w->get_slot)
                return -EBUSY;

        r = sd_bus_path_encode(SYSTEMD_UNIT_PATH_PREFIX, w->unit, &path);
        if (r < 0)
                return r;
        return sd_bus_call_method_async(w->bus, &w->get_slot, SYSTEMD_SERVICE, path,
                                        "org.freedesktop.DBus.Properties", "GetAll", on_get_all_reply, w,
                                        "s", "org.freedesktop.systemd1.Unit");
}

bool unit_watch_is_down(const UnitWatch *w) {
        return w->active_state && IN_SET_STR(w->active_state, "inactive", "failed");
}

int systemd_unit_call_async(sd_bus *bus, const char *method, const char *unit, const char *mode) {
        return sd_bus_call_method_async(bus, NULL, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, method,
                                        NULL, NULL, "ss", unit, mode);
}
