/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "polkit.h"
#include "strv.h"

typedef struct PolkitQuery {
        sd_bus_message *call;
        char *action;
        char **details;
        polkit_continue_t cont;
        void *userdata;
} PolkitQuery;

/* A counter, not a list: the slot of each query owns it, and the bus frees the slots. */
static unsigned n_pending;
/* The details polkit was asked about, while the continuation they authorized runs (polkit_detail()). */
static const char *const *running_details;

unsigned polkit_pending(void) {
        return n_pending;
}

static void polkit_query_free(void *p) {
        PolkitQuery *q = p;

        if (!q)
                return;
        sd_bus_message_unref(q->call);
        free(q->action);
        strv_free(q->details);
        free(q);
        n_pending--;
}

static void reply_with(sd_bus_message *call, int r, sd_bus_error *error) {
        if (sd_bus_error_is_set(error))
                (void) sd_bus_reply_method_error(call, error);
        else if (r < 0)
                (void) sd_bus_reply_method_errno(call, r, NULL);
}

const char *polkit_detail(const char *key) {
        for (const char *const *d = running_details; d && d[0] && d[1]; d += 2)
                if (streq(d[0], key))
                        return d[1];
        return NULL;
}

static int run_continuation(sd_bus_message *call, const char *const *details, polkit_continue_t cont,
                            void *userdata) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        running_details = details;
        r = cont(call, userdata, &error);
        running_details = NULL;
        reply_with(call, r, &error);
        return 0;
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        PolkitQuery *q = userdata;
        int authorized, challenge, r;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                const sd_bus_error *e = sd_bus_message_get_error(reply);
                log_warning("polkit check of %s failed: %s", q->action, e->message ?: e->name);
                (void) sd_bus_error_setf(&error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Could not check authorization for %s: %s", q->action,
                                         e->message ?: e->name);
                reply_with(q->call, 0, &error);
                return 0;
        }

        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0) {
                log_warning_errno(r, "Malformed reply from polkit: %m");
                reply_with(q->call, r, &error);
                return 0;
        }

        if (authorized)
                return run_continuation(q->call, (const char *const *) q->details, q->cont, q->userdata);

        if (challenge)
                (void) sd_bus_error_setf(&error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                         "Interactive authentication required for %s.", q->action);
        else
                (void) sd_bus_error_setf(&error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Access denied: not authorized for %s.", q->action);
        reply_with(q->call, 0, &error);
        return 0;
}

int polkit_check_async(sd_bus_message *call, const char *action, const char *const *details,
                       polkit_continue_t cont, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *request = NULL;
        sd_bus *bus = sd_bus_message_get_bus(call);
        PolkitQuery *q;
        uid_t uid;
        int r;

        r = sd_bus_query_sender_creds(call, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, &uid);
        if (r < 0)
                return r;
        if (uid == 0)
                return run_continuation(call, details, cont, userdata), 1;

        r = sd_bus_message_new_method_call(bus, &request, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;

        /* Subject: the caller's bus name, which polkit resolves to its process and user itself. */
        r = sd_bus_message_append(request, "(sa{sv})s", "system-bus-name", 1,
                                  "name", "s", sd_bus_message_get_sender(call), action);
        if (r < 0)
                return r;

        r = sd_bus_message_open_container(request, 'a', "{ss}");
        if (r < 0)
                return r;
        for (const char *const *d = details; d && d[0] && d[1]; d += 2) {
                r = sd_bus_message_append(request, "{ss}", d[0], d[1]);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(request);
        if (r < 0)
                return r;

        /* Flag 1 = AllowUserInteraction, only when the caller said it can wait for a password prompt. */
        r = sd_bus_message_append(request, "us",
                                  (uint32_t) (sd_bus_message_get_allow_interactive_authorization(call) > 0),
                                  "");
        if (r < 0)
                return r;

        q = calloc(1, sizeof(PolkitQuery));
        if (!q)
                return -ENOMEM;
        n_pending++;
        q->call = sd_bus_message_ref(call);
        q->cont = cont;
        q->userdata = userdata;
        q->action = strdup(action);
        if (!q->action) {
                polkit_query_free(q);
                return -ENOMEM;
        }
        for (const char *const *d = details; d && d[0] && d[1]; d += 2)
                if (strv_extend(&q->details, d[0]) < 0 || strv_extend(&q->details, d[1]) < 0) {
                        polkit_query_free(q);
                        return -ENOMEM;
                }

        /* No timeout of our own: a user may take minutes to type a password. */
        sd_bus_slot *slot;
        r = sd_bus_call_async(bus, &slot, request, on_polkit_reply, q, UINT64_MAX);
        if (r < 0) {
                polkit_query_free(q);
                return r;
        }
        (void) sd_bus_slot_set_destroy_callback(slot, polkit_query_free);
        (void) sd_bus_slot_set_floating(slot, 1);

        return 1;
}

int bus_verify_then(sd_bus_message *call, const char *action, const char *const *details,
                    polkit_continue_t act, void *userdata, sd_bus_error *error) {
        int r;

        r = sd_bus_message_rewind(call, true);
        if (r < 0)
                return r;

        return polkit_check_async(call, action, details, act, userdata, error);
}
