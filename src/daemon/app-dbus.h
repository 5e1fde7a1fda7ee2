/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bus face of an App: org.upkeep1.App on /org/upkeep1/app/<escaped name>, one fallback vtable
 * with an object finder and a node enumerator serving every app. */
#pragma once

#include <systemd/sd-bus.h>

#include "app.h"
#include "bus-names.h"

extern const sd_bus_vtable app_vtable[];

int app_object_path(const char *name, char **ret);

/* Checks a descriptor a caller passed: a regular file, open for reading. what names it in errors
 * ("file to stage"). */
int bus_check_file_fd(int fd, const char *what, sd_bus_error *error);
int app_dbus_register(Manager *m);

/* Emits PropertiesChanged for the named properties (NULL-terminated), and always for State, which is
 * derived from the rest. */
void app_emit_changed(App *a, const char *property, ...) __attribute__((sentinel));
#define app_emit_state_changed(a) app_emit_changed((a), "State", NULL)
