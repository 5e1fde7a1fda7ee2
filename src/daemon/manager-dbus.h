/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bus face of the Manager: the org.upkeep1.Manager interface on /org/upkeep1. */
#pragma once

#include "manager.h"

#define UPKEEP_BUS_NAME "org.upkeep1"
#define UPKEEP_MANAGER_PATH "/org/upkeep1"
#define UPKEEP_MANAGER_INTERFACE "org.upkeep1.Manager"

int manager_dbus_register(Manager *m);
