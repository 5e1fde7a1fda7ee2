/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bus face of the Manager: the org.upkeep1.Manager interface on /org/upkeep1. */
#pragma once

#include "bus-names.h"
#include "upkeepd-forward.h"

int manager_dbus_register(Manager *m);

/* Emits PropertiesChanged for Manager.LastCheck when it differs from what was last announced: after
 * an app's LastCheck changed, and after apps came or went. */
void manager_emit_last_check(Manager *m);
