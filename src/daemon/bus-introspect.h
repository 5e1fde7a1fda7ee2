/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeepd --bus-introspect=INTERFACE: the introspection XML of one of upkeep's interfaces, produced by
 * sd-bus from the very vtables the daemon serves, so the XML in dbus/ can be checked against it. */
#pragma once

int bus_introspect_print(const char *interface);
