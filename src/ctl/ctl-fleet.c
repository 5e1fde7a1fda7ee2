/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Asking several hosts' upkeepd at once: one connection per host, every call asynchronous on one
 * sd-event loop, one deadline for all. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ctl-bus.h"
#include "ctl-fleet.h"
#include "ctl-format.h"
#include "ctl.h"
#include "strv.h"

/* One call in flight; freed with its slot, whether the reply came or the bus went first. */
typedef struct FleetCall {
        FleetHost *host;
        FleetReplyHandler handler;
        void *userdata;
} FleetCall;

int fleet_new(char **hosts, usec_t timeout, void (*free_data)(void *data), Fleet **ret) {
        _cleanup_(fleet_freep) Fleet *f = NULL;
        size_t n = MAX(strv_length(hosts), (size_t) 1);

        f = calloc(1, sizeof(Fleet));
        if (!f)
                return -ENOMEM;
        f->timeout = timeout;
        f->free_data = free_data;

        f->hosts = calloc(n, sizeof(FleetHost));
        if (!f->hosts)
                return -ENOMEM;
        f->n_hosts = n;

        for (size_t i = 0; i < n; i++)
                f->hosts[i] = (FleetHost) {
                        .fleet = f,
                        .name = hosts ? hosts[i] : NULL,
                };

        *ret = TAKE_PTR(f);
        return 0;
}

Fleet *fleet_free(Fleet *f) {
        if (!f)
                return NULL;

        for (size_t i = 0; i < f->n_hosts; i++) {
                FleetHost *h = f->hosts + i;

                /* Closed without a flush: only questions were sent, and flushing would wait for a
                 * host that does not answer. */
                sd_bus_close_unref(h->bus);
                free(h->failure);
                if (h->data && f->free_data)
                        f->free_data(h->data);
        }
        free(f->hosts);
        sd_event_unref(f->event);
        free(f);
        return NULL;
}

size_t fleet_n_failed(const Fleet *f) {
        size_t n = 0;

        for (size_t i = 0; i < f->n_hosts; i++)
                n += f->hosts[i].failed;
        return n;
}

static bool fleet_is_done(const Fleet *f) {
        for (size_t i = 0; i < f->n_hosts; i++)
                if (!f->hosts[i].failed && f->hosts[i].n_pending > 0)
                        return false;
        return true;
}

static void fleet_exit_when_done(Fleet *f) {
        if (fleet_is_done(f))
                (void) sd_event_exit(f->event, 0);
}

/* Marks H failed with the reason FORMAT…, unless it failed already: the first reason is the one that
 * tells what happened, what follows is its consequence. */
_printf_(3, 4)
static void fleet_host_fail(FleetHost *h, int status, const char *format, ...) {
        va_list ap;

        if (h->failed)
                return;

        h->failed = true;
        h->failure_status = status;
        va_start(ap, format);
        if (vasprintf(&h->failure, format, ap) < 0)
                h->failure = NULL;
        va_end(ap);
}

static void fleet_host_fail_errno(FleetHost *h, int r) {
        fleet_host_fail(h, EXIT_FAILURE, "%s", strerror(-r));
}

int fleet_host_fail_reply(FleetHost *h, sd_bus_message *reply) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (!e)
                fleet_host_fail_errno(h, -EBADMSG);
        else
                fleet_host_fail(h, exit_status_from_bus_error(e->name), "%s", e->message ?: e->name);
        return 0;
}

/* Errors that say nothing of the call but that upkeepd on that host cannot be reached: ssh or the
 * bridge ended ("Connection terminated"), the bus has no upkeepd, or no answer came. */
static bool bus_error_is_unreachable(const sd_bus_error *e) {
        return sd_bus_error_has_names(e,
                                      SD_BUS_ERROR_NO_REPLY,
                                      SD_BUS_ERROR_TIMEOUT,
                                      SD_BUS_ERROR_DISCONNECTED,
                                      SD_BUS_ERROR_SERVICE_UNKNOWN,
                                      SD_BUS_ERROR_NAME_HAS_NO_OWNER);
}

static int fleet_call_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        FleetCall *c = userdata;
        FleetHost *h = c->host;
        const sd_bus_error *e;
        int r;

        h->n_pending--;

        /* Once a host failed, what else it answers is moot. */
        if (!h->failed) {
                e = sd_bus_message_get_error(reply);
                if (e && bus_error_is_unreachable(e))
                        (void) fleet_host_fail_reply(h, reply);
                else {
                        r = c->handler(h, reply, c->userdata);
                        if (r < 0)
                                fleet_host_fail_errno(h, r);
                }
        }

        fleet_exit_when_done(h->fleet);
        return 0;
}

int fleet_call(FleetHost *h, const char *path, const char *interface, const char *member,
               FleetReplyHandler handler, void *userdata, const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_free_ FleetCall *c = NULL;
        int r;

        r = sd_bus_message_new_method_call(h->bus, &m, UPKEEP_BUS_NAME, path, interface, member);
        if (r < 0)
                return r;

        if (types) {
                va_list ap;

                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }

        c = malloc(sizeof(FleetCall));
        if (!c)
                return -ENOMEM;
        *c = (FleetCall) {
                .host = h,
                .handler = handler,
                .userdata = userdata,
        };

        r = sd_bus_call_async(h->bus, &slot, m, fleet_call_reply, c, h->fleet->timeout);
        if (r < 0)
                return r;

        /* From here the slot owns c, and the bus owns the slot: both go when the reply was handled,
         * or with the bus. */
        r = sd_bus_slot_set_destroy_callback(slot, free);
        if (r < 0)
                return r;
        TAKE_PTR(c);
        r = sd_bus_slot_set_floating(slot, 1);
        if (r < 0)
                return r;

        h->n_pending++;
        return 0;
}

static int fleet_on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        Fleet *f = userdata;
        char span[64];

        (void) format_timespan(span, sizeof span, f->timeout);
        for (size_t i = 0; i < f->n_hosts; i++) {
                FleetHost *h = f->hosts + i;

                if (h->n_pending == 0)
                        continue;

                fleet_host_fail(h, EXIT_FAILURE, "no answer within %s", span);
                /* Off the loop, and closed: the loop's end flushes the buses attached to it, and a
                 * flush waits until the connection is up, which it may never be. */
                (void) sd_bus_detach_event(h->bus);
                sd_bus_close(h->bus);
        }

        return sd_event_exit(f->event, 0);
}

int fleet_run(Fleet *f, FleetStartHandler start, void *userdata) {
        int r;

        r = sd_event_new(&f->event);
        if (r < 0)
                return r;

        for (size_t i = 0; i < f->n_hosts; i++) {
                FleetHost *h = f->hosts + i;

                /* A remote host's connection is ssh started in the background: its failure shows as
                 * the connection's end, in the loop below. */
                r = bus_open(h->name, &h->bus);
                if (r < 0) {
                        fleet_host_fail(h, EXIT_FAILURE, "cannot connect to the system bus: %s", strerror(-r));
                        continue;
                }

                r = sd_bus_attach_event(h->bus, f->event, SD_EVENT_PRIORITY_NORMAL);
                if (r < 0)
                        return r;

                r = start(h, userdata);
                if (r < 0)
                        fleet_host_fail_errno(h, r);
        }

        if (fleet_is_done(f))
                return 0;

        r = sd_event_add_time_relative(f->event, NULL, CLOCK_MONOTONIC, f->timeout, USEC_PER_MSEC,
                                       fleet_on_deadline, f);
        if (r < 0)
                return r;

        r = sd_event_loop(f->event);
        return r < 0 ? r : 0;
}
