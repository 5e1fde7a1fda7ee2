/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Apps started by "upkeepctl run" (Manager.Run()): a program the caller passed as a descriptor is
 * staged as a binary release of version 0.0.0-local-<SHA-256 prefix>, recorded as NAME.app in
 * /run/upkeep/transient/ (which the generator does not read), and run as the transient unit
 * upkeep-run-NAME.service, shaped like upkeep@.service: its ExecStart= runs current/NAME, and its
 * ExecCondition=+upkeep-condition trial NAME rolls back a failed trial before any start. From then on
 * it is an app like any other: listed, updated from its Source= if it has one, rolled back. It is
 * forgotten once its unit is gone. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "upkeepd-forward.h"

/* Carries out a Run() call, whose arguments were checked and whose caller was authorized: argv are the
 * program's arguments (after the program itself), source and public_key empty or both set. Replies to
 * call once the unit started, or failed to (a return value < 0 or a set error means no reply was
 * sent and none will be). */
int app_run_start(Manager *m, sd_bus_message *call, const char *name, int fd, char **argv, const char *source,
                  const char *public_key, sd_bus_error *error);

/* Whether a Run() of app name is being carried out. */
bool app_run_in_progress(Manager *m, const char *name);

Run *run_free(Run *r);

/* The version a local program is staged as: 0.0.0-local- and the first 12 hex digits of its SHA-256.
 * A pre-release of 0.0.0, so every release of a channel is newer, and two different programs are two
 * different versions (build metadata, "+…", would make them equal by semver's rules). */
#define RUN_VERSION_PREFIX "0.0.0-local-"
