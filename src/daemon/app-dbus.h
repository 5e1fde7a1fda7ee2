/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bus face of an App: org.upkeep1.App on /org/upkeep1/app/<escaped name>, one fallback vtable
 * with an object finder and a node enumerator serving every app. */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-names.h"
#include "upkeepd-forward.h"

extern const sd_bus_vtable app_vtable[];

int app_dbus_register(Manager *m);
