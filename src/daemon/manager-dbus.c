/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manager-dbus.h"

static int property_get_version(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply,
                                void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", PROJECT_VERSION);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_VTABLE_END,
};

int manager_dbus_register(Manager *m) {
        return sd_bus_add_object_vtable(m->bus, NULL, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE,
                                        manager_vtable, m);
}
