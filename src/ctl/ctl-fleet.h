/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asking the upkeepd of several hosts at once. Each host gets its own connection (over ssh for a
 * remote host, as -H opens it), and every call goes out asynchronously on one sd-event loop: the hosts
 * answer side by side, and one deadline bounds the wait, so a slow or dead host holds up no one. A
 * host that cannot be reached, or whose upkeepd does not answer, is marked failed with the reason; the
 * others' answers stand. The read-only verbs ask one host (or this machine) the same way. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "time-util.h"

typedef struct Fleet Fleet;

typedef struct FleetHost {
        Fleet *fleet;
        const char *name;          /* as given to -H; NULL = this machine */
        sd_bus *bus;
        unsigned n_pending;        /* calls sent and not answered yet */
        bool failed;               /* the host could not be asked, or did not answer */
        char *failure;             /* why, when failed (NULL if even that ran out of memory) */
        int failure_status;        /* the exit status the failure stands for, when failed */
        void *data;                /* what the verb collects from the host's answers */
} FleetHost;

/* Sends a host its first calls, with fleet_call(). */
typedef int (*FleetStartHandler)(FleetHost *h, void *userdata);

/* Takes the reply of a call: an answer, or an error reply that concerns the call alone (no such app).
 * Errors that mean the host's upkeepd cannot be reached fail the host without reaching the handler.
 * A negative return fails the host. */
typedef int (*FleetReplyHandler)(FleetHost *h, sd_bus_message *reply, void *userdata);

struct Fleet {
        FleetHost *hosts;          /* in the order given */
        size_t n_hosts;
        usec_t timeout;            /* for all answers, counted from the start */
        void (*free_data)(void *data);
        sd_event *event;
};

/* A fleet of the hosts HOSTS (none: this machine alone). free_data frees each host's data. */
int fleet_new(char **hosts, usec_t timeout, void (*free_data)(void *data), Fleet **ret);
Fleet *fleet_free(Fleet *f);
static inline void fleet_freep(Fleet **f) {
        fleet_free(*f);
}

/* Connects to every host, runs START for each, and dispatches replies until every host answered all
 * its calls or failed, or the timeout passed (which fails the hosts still asked). Only a local failure
 * (out of memory, no event loop) is returned; a host's own failure is in its FleetHost. */
int fleet_run(Fleet *f, FleetStartHandler start, void *userdata);

/* Calls MEMBER of INTERFACE on PATH of upkeepd on host H, with the arguments of TYPES (NULL: none);
 * HANDLER gets the reply with USERDATA. */
int fleet_call(FleetHost *h, const char *path, const char *interface, const char *member,
               FleetReplyHandler handler, void *userdata, const char *types, ...);

/* Marks H failed because of the error reply REPLY (the daemon's message, and the exit status its error
 * stands for). Returns 0, for a handler to return. */
int fleet_host_fail_reply(FleetHost *h, sd_bus_message *reply);

/* How many hosts failed. */
size_t fleet_n_failed(const Fleet *f);
