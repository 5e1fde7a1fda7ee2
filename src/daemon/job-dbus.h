/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bus face of a Job: org.upkeep1.Job on /org/upkeep1/job/ID. */
#pragma once

#include <systemd/sd-bus.h>

#include "bus-names.h"
#include "upkeepd-forward.h"

extern const sd_bus_vtable job_vtable[];

int job_dbus_register(Manager *m);
void job_emit_changed(Job *j, const char *property);
