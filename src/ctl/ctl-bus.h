/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeepctl's side of the org.upkeep1 bus API: connecting, finding apps, reading their properties,
 * and turning a failed call into a message and an exit status. */
#pragma once

#include <systemd/sd-bus.h>

#include "macro.h"
#include "time-util.h"

typedef struct HistoryEntry {
        usec_t time;               /* realtime */
        char *from, *to, *how;     /* from is "" when there was no version before */
} HistoryEntry;

typedef struct History {
        HistoryEntry *entries;     /* oldest first */
        size_t n;
} History;

void history_done(History *h);

/* The properties of one org.upkeep1.App object. Empty strings from the bus are kept as "". */
typedef struct AppInfo {
        char *name;
        char *description;
        char *unit;
        char *source;
        char *policy;
        char *state;
        char *current_version;
        char *previous_version;
        char *available_version;
        char *pending_version;
        char *pinned_version;
        usec_t scheduled_for;
        usec_t last_check;
        char *last_error;
        char *window;              /* Window= as configured; "" = any time */
        uint32_t failed_attempts;  /* consecutive failed scheduled updates */
        usec_t backoff_until;      /* 0 = not backing off */
        int paused;                /* int, as sd-bus reads "b" */
        char *pause_reason;
        History history;
        uint64_t faults;                 /* the unit's failures, ever (0 from a daemon without fault reports) */
        usec_t last_fault;               /* 0 = never */
        uint64_t current_version_faults; /* those of the current version after its trial */
} AppInfo;

AppInfo *app_info_free(AppInfo *info);
static inline void app_info_freep(AppInfo **info) {
        app_info_free(*info);
}

/* Opens the system bus of this machine (host NULL), or of host over ssh, with interactive
 * authorization as arg_ask_password says. */
int bus_open(const char *host, sd_bus **ret);

/* The same for arg_host. Logs on failure. */
int bus_connect(sd_bus **ret);

/* The same, for a call that changes something: with polkit's text agent on a terminal, if allowed. */
int bus_connect_for_change(sd_bus **ret);

/* Logs "upkeepctl: <what>: <the daemon's message, or strerror(r)>" and returns the exit status the
 * error stands for (see exit_status_from_bus_error()). */
int log_bus_error(int r, const sd_bus_error *error, const char *format, ...) _printf_(3, 4);

/* The object path of app NAME (Manager.GetApp()). */
int app_lookup(sd_bus *bus, const char *name, sd_bus_error *error, char **ret_path);

/* All properties of an app, from the reply to its Properties.GetAll(). */
int app_info_from_message(sd_bus_message *reply, AppInfo **ret);

/* The History property of the app at PATH. */
/* The app's LastError, or NULL when it has none or it cannot be read. */
char *app_last_error(sd_bus *bus, const char *name);

int app_history_get(sd_bus *bus, const char *path, sd_bus_error *error, History *ret);
