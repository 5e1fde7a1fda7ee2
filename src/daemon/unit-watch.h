/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Following one systemd unit through systemd's own signals, asynchronously on the event loop: a call
 * to systemd's Manager that queues a job for the unit (RestartUnit, StartTransientUnit, …), the
 * job's end (JobRemoved), and the unit's state (PropertiesChanged of its Unit and Service
 * interfaces: ActiveState, SubState, Result, ExecMainCode, ExecMainStatus). Used for the restart of
 * an app and for the transient units upkeep starts. systemd sends these signals only to clients that
 * called Subscribe() (manager_subscribe_systemd()). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "upkeepd-forward.h"

#define SYSTEMD_SERVICE "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define SYSTEMD_UNIT_PATH_PREFIX "/org/freedesktop/systemd1/unit"


typedef enum UnitWatchEvent {
        UNIT_WATCH_REFUSED,       /* systemd answered the call (or refresh) with an error (error_name, error_message) */
        UNIT_WATCH_JOB_REMOVED,   /* the job the call queued ended (job_result) */
        UNIT_WATCH_CHANGED,       /* one of the properties below changed, or a refresh read them */
} UnitWatchEvent;

/* Called for each event. It may free the watch (unit_watch_free()); nothing touches it afterwards. */
typedef void (*unit_watch_handler_t)(UnitWatch *w, UnitWatchEvent event, void *userdata);

struct UnitWatch {
        sd_bus *bus;
        char *unit;
        char *job;                 /* the queued job's object path, once systemd answered */

        /* What is known, read-only for users. Strings are NULL until systemd said. */
        char *job_result;
        char *error_name, *error_message;
        char *active_state, *sub_state;
        char *result;              /* the Service's Result= */
        int32_t exec_main_code;    /* CLD_*; 0 until the main process ended */
        int32_t exec_main_status;

        unit_watch_handler_t handler;
        void *userdata;
        sd_bus_slot *changed_slot, *job_removed_slot, *call_slot, *get_slot;
};

/* Starts listening to unit's signals. Install the watch before sending the call, so no signal is
 * missed. */
int unit_watch_new(sd_bus *bus, const char *unit, unit_watch_handler_t handler, void *userdata, UnitWatch **ret);
UnitWatch *unit_watch_free(UnitWatch *w);
static inline void unit_watch_freep(UnitWatch **w) {
        unit_watch_free(*w);
}

/* Sends call, a method call to systemd's Manager that answers with a job path (at most one per
 * watch). */
int unit_watch_send(UnitWatch *w, sd_bus_message *call);

/* Sends Manager.METHOD(unit, mode), e.g. "RestartUnit", "replace". */
int unit_watch_call(UnitWatch *w, const char *method, const char *mode);

/* Reads the unit's ActiveState and SubState as they are now (one UNIT_WATCH_CHANGED, or
 * UNIT_WATCH_REFUSED): for a unit whose state no call of ours set, such as one found mid-trial. */
int unit_watch_refresh(UnitWatch *w);

/* Whether ActiveState says the unit has stopped: inactive or failed. */
bool unit_watch_is_down(const UnitWatch *w);

/* Fire and forget: Manager.METHOD(unit, mode) with no watch and no answer wanted, e.g. stopping a
 * unit on the way out. */
int systemd_unit_call_async(sd_bus *bus, const char *method, const char *unit, const char *mode);
