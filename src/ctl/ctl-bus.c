/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Talking to upkeepd: the connection, app lookup, property reading, and error reports. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl-bus.h"
#include "ctl-polkit.h"
#include "ctl-format.h"
#include "ctl.h"

void history_done(History *h) {
        for (size_t i = 0; i < h->n; i++) {
                free(h->entries[i].from);
                free(h->entries[i].to);
                free(h->entries[i].how);
        }
        h->entries = mfree(h->entries);
        h->n = 0;
}

AppInfo *app_info_free(AppInfo *info) {
        if (!info)
                return NULL;

        free(info->name);
        free(info->description);
        free(info->unit);
        free(info->source);
        free(info->policy);
        free(info->state);
        free(info->current_version);
        free(info->previous_version);
        free(info->available_version);
        free(info->pending_version);
        free(info->pinned_version);
        free(info->last_error);
        free(info->window);
        free(info->pause_reason);
        history_done(&info->history);
        free(info);
        return NULL;
}

int bus_open(const char *host, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (host)
                r = sd_bus_open_system_remote(&bus, host);
        else
                r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;

        /* Without this flag polkit answers "interactive authorization required" instead of asking,
         * and a user allowed to act after typing a password could never act. */
        r = sd_bus_set_allow_interactive_authorization(bus, arg_ask_password);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(bus);
        return 0;
}

int bus_connect(sd_bus **ret) {
        int r;

        r = bus_open(arg_host, ret);
        if (r < 0)
                return arg_host ?
                        ctl_log_error_errno(r, "Failed to connect to the system bus of %s: %m", arg_host) :
                        ctl_log_error_errno(r, "Failed to connect to the system bus: %m");
        return 0;
}

int bus_connect_for_change(sd_bus **ret) {
        int r;

        r = bus_connect(ret);
        if (r < 0)
                return r;

        polkit_agent_open_if_enabled();
        return 0;
}

int log_bus_error(int r, const sd_bus_error *error, const char *format, ...) {
        _cleanup_free_ char *what = NULL;
        va_list ap;
        int k;

        va_start(ap, format);
        k = vasprintf(&what, format, ap);
        va_end(ap);
        if (k < 0)
                return log_oom(), EXIT_FAILURE;

        if (sd_bus_error_is_set(error)) {
                ctl_log_error("%s: %s", what, error->message ?: error->name);
                return exit_status_from_bus_error(error->name);
        }

        ctl_log_error_errno(r, "%s: %m", what);
        return EXIT_FAILURE;
}

int app_lookup(sd_bus *bus, const char *name, sd_bus_error *error, char **ret_path) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        char *copy;
        int r;

        /* GetApp() rather than encoding the path here: the daemon answers NoSuchApp with a message
         * that says where it looked, where a made-up path would only get "unknown object". */
        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE,
                               "GetApp", error, &reply, "s", name);
        if (r < 0)
                return r;

        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;

        copy = strdup(path);
        if (!copy)
                return -ENOMEM;

        *ret_path = copy;
        return 0;
}

static int read_history(sd_bus_message *m, History *ret) {
        _cleanup_(history_done) History h = {};
        int r;

        r = sd_bus_message_enter_container(m, 'a', "(tsss)");
        if (r < 0)
                return r;

        for (;;) {
                const char *from, *to, *how;
                HistoryEntry *e;
                uint64_t t;

                r = sd_bus_message_read(m, "(tsss)", &t, &from, &to, &how);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;

                e = reallocarray(h.entries, h.n + 1, sizeof(HistoryEntry));
                if (!e)
                        return -ENOMEM;
                h.entries = e;

                e = h.entries + h.n;
                *e = (HistoryEntry) {
                        .time = t,
                        .from = strdup(from),
                        .to = strdup(to),
                        .how = strdup(how),
                };
                h.n++;  /* counted before the check, so history_done() frees what did get copied */
                if (!e->from || !e->to || !e->how)
                        return -ENOMEM;
        }

        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;

        *ret = h;
        h = (History) {};
        return 0;
}

typedef struct AppProperty {
        const char *name;
        const char *signature;
        size_t offset;
} AppProperty;

static const AppProperty app_properties[] = {
        { "Name",             "s",       offsetof(AppInfo, name)              },
        { "Description",      "s",       offsetof(AppInfo, description)       },
        { "Unit",             "s",       offsetof(AppInfo, unit)              },
        { "Source",           "s",       offsetof(AppInfo, source)            },
        { "Policy",           "s",       offsetof(AppInfo, policy)            },
        { "State",            "s",       offsetof(AppInfo, state)             },
        { "CurrentVersion",   "s",       offsetof(AppInfo, current_version)   },
        { "PreviousVersion",  "s",       offsetof(AppInfo, previous_version)  },
        { "AvailableVersion", "s",       offsetof(AppInfo, available_version) },
        { "PendingVersion",   "s",       offsetof(AppInfo, pending_version)   },
        { "PinnedVersion",    "s",       offsetof(AppInfo, pinned_version)    },
        { "ScheduledFor",     "t",       offsetof(AppInfo, scheduled_for)     },
        { "LastCheck",        "t",       offsetof(AppInfo, last_check)        },
        { "LastError",        "s",       offsetof(AppInfo, last_error)        },
        { "Window",           "s",       offsetof(AppInfo, window)            },
        { "FailedAttempts",   "u",       offsetof(AppInfo, failed_attempts)   },
        { "BackoffUntil",     "t",       offsetof(AppInfo, backoff_until)     },
        { "Paused",           "b",       offsetof(AppInfo, paused)            },
        { "PauseReason",      "s",       offsetof(AppInfo, pause_reason)      },
        { "History",          "a(tsss)", offsetof(AppInfo, history)           },
        { "Faults",           "t",       offsetof(AppInfo, faults)            },
        { "LastFault",        "t",       offsetof(AppInfo, last_fault)        },
        { "CurrentVersionFaults", "t",   offsetof(AppInfo, current_version_faults) },
};

static const AppProperty *app_property_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(app_properties); i++)
                if (streq(app_properties[i].name, name))
                        return app_properties + i;
        return NULL;
}

static int read_app_property(sd_bus_message *m, const AppProperty *p, AppInfo *info) {
        void *field = (uint8_t *) info + p->offset;
        const char *s;
        char *copy;
        int r;

        switch (p->signature[0]) {
        case 's':
                r = sd_bus_message_read(m, "s", &s);
                if (r < 0)
                        return r;
                copy = strdup(s);
                if (!copy)
                        return -ENOMEM;
                free(*(char **) field);
                *(char **) field = copy;
                return 0;
        case 't':
                return sd_bus_message_read(m, "t", (uint64_t *) field);
        case 'u':
                return sd_bus_message_read(m, "u", (uint32_t *) field);
        case 'b':
                return sd_bus_message_read(m, "b", (int *) field);
        case 'a':
                history_done(field);
                return read_history(m, field);
        default:
                abort();
        }
}

int app_info_from_message(sd_bus_message *reply, AppInfo **ret) {
        _cleanup_(app_info_freep) AppInfo *info = NULL;
        int r;

        info = calloc(1, sizeof(AppInfo));
        if (!info)
                return -ENOMEM;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;

        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const AppProperty *p;
                const char *name;

                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        return r;

                /* A newer daemon may add properties, or change a type: skip what we do not know, so an
                 * old upkeepctl still shows the rest. */
                p = app_property_find(name);
                if (p)
                        r = sd_bus_message_enter_container(reply, 'v', p->signature);
                if (!p || r == -ENXIO)
                        r = sd_bus_message_skip(reply, "v");
                else if (r >= 0) {
                        r = read_app_property(reply, p, info);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                }
                if (r < 0)
                        return r;

                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;

        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;

        /* Every field a string, even when the daemon left one out, so callers need no NULL checks. */
        for (size_t i = 0; i < ELEMENTSOF(app_properties); i++) {
                char **field = (char **) ((uint8_t *) info + app_properties[i].offset);

                if (streq(app_properties[i].signature, "s") && !*field) {
                        *field = strdup("");
                        if (!*field)
                                return -ENOMEM;
                }
        }

        *ret = TAKE_PTR(info);
        return 0;
}

int app_history_get(sd_bus *bus, const char *path, sd_bus_error *error, History *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_get_property(bus, UPKEEP_BUS_NAME, path, UPKEEP_APP_INTERFACE, "History",
                                error, &reply, "a(tsss)");
        if (r < 0)
                return r;

        return read_history(reply, ret);
}

char *app_last_error(sd_bus *bus, const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL, *why = NULL;

        if (app_lookup(bus, name, &error, &path) < 0)
                return NULL;
        if (sd_bus_get_property_string(bus, UPKEEP_BUS_NAME, path, UPKEEP_APP_INTERFACE, "LastError",
                                       &error, &why) < 0 || isempty(why))
                return NULL;
        return TAKE_PTR(why);
}
