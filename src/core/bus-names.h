/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The names of upkeep's D-Bus API, defined once for the daemon and its clients: the bus name, object
 * paths, interfaces and polkit actions. The errors are in bus-error.h; org.upkeep1(5) and dbus/ are
 * the contract these spell. */
#pragma once

#include <stdint.h>

#define UPKEEP_BUS_NAME            "org.upkeep1"
#define UPKEEP_MANAGER_PATH        "/org/upkeep1"
#define UPKEEP_APP_PATH_PREFIX     "/org/upkeep1/app"
#define UPKEEP_JOB_PATH_PREFIX     "/org/upkeep1/job"

#define UPKEEP_MANAGER_INTERFACE   "org.upkeep1.Manager"
#define UPKEEP_APP_INTERFACE       "org.upkeep1.App"
#define UPKEEP_JOB_INTERFACE       "org.upkeep1.Job"
/* Not part of the API: how a transient unit's properties reach the daemon that started it. */
#define UPKEEP_INTERNAL_INTERFACE  "org.upkeep1.Internal"

/* The flags of App.Apply(t flags). */
#define UPKEEP_APPLY_SCHEDULED     (UINT64_C(1) << 0)  /* as the update timer asks: honours pause and back-off */
#define _UPKEEP_APPLY_KNOWN        UPKEEP_APPLY_SCHEDULED

#define UPKEEP_ACTION_CHECK              "org.upkeep1.check"
#define UPKEEP_ACTION_UPDATE             "org.upkeep1.update"
#define UPKEEP_ACTION_UPDATE_TO_VERSION  "org.upkeep1.update-to-version"
#define UPKEEP_ACTION_MANAGE             "org.upkeep1.manage"
#define UPKEEP_ACTION_STAGE              "org.upkeep1.stage"   /* an unsigned local file as a version */
#define UPKEEP_ACTION_RUN                "org.upkeep1.run"     /* any program, as root */
#define UPKEEP_ACTION_READ_FAULTS        "org.upkeep1.read-faults" /* a fault report: journal lines, files */
