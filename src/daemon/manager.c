/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>

#include "log.h"
#include "manager-dbus.h"
#include "manager.h"

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;

        r = sd_event_default(&m->event);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;

        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}

/* Order matters: every object is registered before the name is requested, so a bus-activated caller
 * never sees the name without the objects behind it. */
int manager_start(Manager *m) {
        int r;

        r = sd_event_set_signal_exit(m->event, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set up SIGTERM/SIGINT handling: %m");

        r = sd_bus_open_system_with_description(&m->bus, "upkeepd");
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");

        r = manager_dbus_register(m);
        if (r < 0)
                return log_error_errno(r, "Failed to register %s: %m", UPKEEP_MANAGER_PATH);

        r = sd_bus_request_name(m->bus, UPKEEP_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire bus name %s: %m", UPKEEP_BUS_NAME);

        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");

        return 0;
}

int manager_run(Manager *m) {
        int r;

        log_info("upkeep %s running, serving %s.", PROJECT_VERSION, UPKEEP_BUS_NAME);

        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");

        return 0;
}
