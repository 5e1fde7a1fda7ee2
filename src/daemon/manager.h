/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's one object that everything hangs off: event loop, bus connection, and (later) the apps. */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
} Manager;

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
int manager_start(Manager *m);
int manager_run(Manager *m);

static inline void manager_freep(Manager **m) {
        manager_free(*m);
}
