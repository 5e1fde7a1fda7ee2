/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>

#include "bus-names.h"
#include "command.h"
#include "log.h"
#include "manager.h"
#include "strv.h"
#include "transient.h"
#include "unit-watch.h"

/* A unit name taken by an earlier daemon's unit that still runs is skipped; this many in a row means
 * something else is wrong. */
#define TRANSIENT_NAME_ATTEMPTS 64
/* Past the bound systemd enforces, our own: if systemd's signals got lost, the caller still hears. */
#define TRANSIENT_GRACE_USEC (30 * USEC_PER_SEC)
#define TRANSIENT_RESTART_USEC (100 * USEC_PER_MSEC)

struct TransientUnit {
        Manager *manager;
        char *name_prefix;          /* NULL: the name is fixed */
        char *name;
        unsigned attempts;
        bool oneshot;
        usec_t timeout;
        /* The unit's properties, built once as the body of a scratch message and copied into each
         * StartTransientUnit call: a retry under another name needs them again. */
        sd_bus_message *properties;
        UnitWatch *watch;
        sd_event_source *timer;
        transient_done_t done;
        void *userdata;
};

static TransientUnit *transient_free(TransientUnit *t) {
        if (!t)
                return NULL;

        unit_watch_free(t->watch);
        sd_event_source_disable_unref(t->timer);
        sd_bus_message_unref(t->properties);
        free(t->name_prefix);
        free(t->name);
        free(t);
        return NULL;
}

static void transientp_free(TransientUnit **t) {
        transient_free(*t);
}

const char *transient_unit_name(const TransientUnit *t) {
        return t->name;
}

static void transient_finish(TransientUnit *t, const UnitOutcome *o) {
        t->done(t, t->name, o, t->userdata);
        transient_free(t);
}

static void transient_finish_from_watch(TransientUnit *t) {
        UnitWatch *w = t->watch;

        transient_finish(t, &(UnitOutcome) {
                        .error = w->error_message,
                        .job_result = w->job_result,
                        .result = w->result,
                        .exec_main_code = w->exec_main_code,
                        .exec_main_status = w->exec_main_status,
                        .active_state = w->active_state,
                });
}

static int transient_send(TransientUnit *t);

static void on_unit_event(UnitWatch *w, UnitWatchEvent event, void *userdata) {
        TransientUnit *t = userdata;
        int r;

        switch (event) {

        case UNIT_WATCH_REFUSED:
                if (t->name_prefix && streq(w->error_name, "org.freedesktop.systemd1.UnitExists") &&
                    t->attempts < TRANSIENT_NAME_ATTEMPTS) {
                        log_debug("%s exists already, trying the next name.", t->name);
                        r = transient_send(t);
                        if (r >= 0)
                                return;
                        log_error_errno(r, "Failed to ask systemd for a transient unit: %m");
                }
                return transient_finish_from_watch(t);

        case UNIT_WATCH_JOB_REMOVED:
                /* systemd sends a unit's PropertiesChanged before the JobRemoved of its job, so what
                 * the program did is known by now. A oneshot whose job is done but that still shows up
                 * is waited for. */
                if (!t->oneshot || !streq(w->job_result, "done") || unit_watch_is_down(w))
                        return transient_finish_from_watch(t);
                return;

        case UNIT_WATCH_CHANGED:
                if (t->oneshot && w->job_result && unit_watch_is_down(w))
                        return transient_finish_from_watch(t);
                return;
        }
}

static int on_overdue(sd_event_source *s, uint64_t usec, void *userdata) {
        TransientUnit *t = userdata;

        log_warning("%s did not end within its bound and systemd did not say so; stopping it.", t->name);
        (void) systemd_unit_call_async(t->manager->bus, "StopUnit", t->name, "replace");
        transient_finish(t, &(UnitOutcome) { .job_result = "timeout" });
        return 0;
}

/* Names the unit (the next free N, for a prefix), watches it and asks systemd to start it. */
static int transient_send(TransientUnit *t) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        int r;

        t->watch = unit_watch_free(t->watch);
        if (t->name_prefix) {
                free(t->name);
                if (asprintf(&t->name, "%s-%u.service", t->name_prefix, ++t->manager->transient_serial) < 0) {
                        t->name = NULL;
                        return -ENOMEM;
                }
        }
        t->attempts++;

        r = unit_watch_new(t->manager->bus, t->name, on_unit_event, t, &t->watch);
        if (r < 0)
                return r;

        r = sd_bus_message_new_method_call(t->manager->bus, &call, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           "StartTransientUnit");
        if (r < 0)
                return r;
        /* "fail": never replace a job queued for a unit of that name by someone else. */
        r = sd_bus_message_append(call, "ss", t->name, "fail");
        if (r < 0)
                return r;
        r = sd_bus_message_rewind(t->properties, true);
        if (r < 0)
                return r;
        r = sd_bus_message_copy(call, t->properties, true);
        if (r < 0)
                return r;

        return unit_watch_send(t->watch, call);
}

/* systemd 252 writes a transient unit's ExecStartEx= and the like back under those names, which its
 * own parser does not know: after the next daemon-reload the unit has no ExecStart= and cannot be
 * restarted. So a command goes as the plain property (a(sasb): path, argv, ignore failure), which
 * it writes as ExecStart=, and its flags as what that can say: no-env-expand as each "$" doubled
 * (which the expansion at exec time turns back into one), privileged ("+") left out when the unit
 * runs with full privileges anyway. Only a privileged command in a unit that drops them needs the
 * Ex form. */
typedef enum ExecFlags {
        EXEC_IGNORE_FAILURE = 1 << 0,
        EXEC_PRIVILEGED     = 1 << 1,
        EXEC_NO_ENV_EXPAND  = 1 << 2,
} ExecFlags;

/* Whether the unit runs as another user or with any sandboxing, which "+" would lift. */
static bool spec_drops_privileges(const TransientSpec *spec) {
        return spec->user || spec->group || spec->sandbox != TRANSIENT_SANDBOX_NONE || spec->read_only_paths ||
                spec->settings;
}

/* argv with each "$" doubled. */
static char **argv_escape_dollars(char *const *argv) {
        _cleanup_(strv_freep) char **l = NULL;

        for (char *const *a = argv; *a; a++) {
                _cleanup_free_ char *e = NULL;
                size_t n = 0;

                e = malloc(2 * strlen(*a) + 1);
                if (!e)
                        return NULL;
                for (const char *c = *a; *c; c++) {
                        e[n++] = *c;
                        if (*c == '$')
                                e[n++] = '$';
                }
                e[n] = 0;
                if (strv_extend(&l, e) < 0)
                        return NULL;
        }
        return TAKE_PTR(l);
}

static int append_exec(sd_bus_message *m, const TransientSpec *spec, const char *property, char *const *argv,
                       ExecFlags flags) {
        _cleanup_(strv_freep) char **escaped = NULL;
        _cleanup_free_ char *ex = NULL;
        bool use_ex = (flags & EXEC_PRIVILEGED) && spec_drops_privileges(spec);
        const char *ex_flags[4];
        size_t n_ex_flags = 0;
        int r;

        if (use_ex) {
                if (asprintf(&ex, "%sEx", property) < 0)
                        return -ENOMEM;
                ex_flags[n_ex_flags++] = "privileged";
                if (flags & EXEC_IGNORE_FAILURE)
                        ex_flags[n_ex_flags++] = "ignore-failure";
                if (flags & EXEC_NO_ENV_EXPAND)
                        ex_flags[n_ex_flags++] = "no-env-expand";
                ex_flags[n_ex_flags] = NULL;
        } else if (flags & EXEC_NO_ENV_EXPAND) {
                escaped = argv_escape_dollars(argv);
                if (!escaped)
                        return -ENOMEM;
                argv = escaped;
        }

        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", ex ?: property);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', use_ex ? "a(sasas)" : "a(sasb)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', use_ex ? "(sasas)" : "(sasb)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', use_ex ? "sasas" : "sasb");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", argv[0]);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, (char **) argv);
        if (r >= 0 && use_ex)
                r = sd_bus_message_append_strv(m, (char **) ex_flags);
        else if (r >= 0)
                r = sd_bus_message_append(m, "b", (int) !!(flags & EXEC_IGNORE_FAILURE));
        for (unsigned i = 0; r >= 0 && i < 4; i++)
                r = sd_bus_message_close_container(m);
        return r;
}

static int append_strv(sd_bus_message *m, const char *property, char *const *l) {
        int r;

        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", property);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "as");
        if (r >= 0)
                r = sd_bus_message_append_strv(m, (char **) l);
        for (unsigned i = 0; r >= 0 && i < 2; i++)
                r = sd_bus_message_close_container(m);
        return r;
}

static int append_sandbox(sd_bus_message *m, TransientSandbox sandbox) {
        static const char *const always[] = {
                "NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectKernelTunables",
                "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock",
                "ProtectHostname", "RestrictSUIDSGID", "RestrictRealtime", "LockPersonality",
        };
        int r;

        if (sandbox == TRANSIENT_SANDBOX_NONE)
                return 0;

        for (size_t i = 0; i < ELEMENTSOF(always); i++) {
                r = sd_bus_message_append(m, "(sv)", always[i], "b", 1);
                if (r < 0)
                        return r;
        }

        /* A hook may have data to prepare under /var, /srv or /etc; a check only looks. */
        return sd_bus_message_append(m, "(sv)(sv)",
                                     "ProtectSystem", "s", sandbox == TRANSIENT_SANDBOX_CHECK ? "strict" : "full",
                                     "ProtectHome", "s", "read-only");
}

/* The [Service] settings that a command inherits from its app (TransientSpec.settings), with the D-Bus
 * type StartTransientUnit takes each as: 'b' a boolean, 's' a string, 'S' a list of words ("as"). The
 * identity and the directories are passed as they are; the sandboxing booleans only when they restrict
 * (yes), since upkeep's own sandbox (append_sandbox()) sets several of them already. */
static const struct {
        const char *key;
        char type;
} inherited_settings[] = {
        { "DynamicUser",            'b' },
        { "User",                   's' },
        { "Group",                  's' },
        { "SupplementaryGroups",    'S' },
        { "StateDirectory",         'S' },
        { "RuntimeDirectory",       'S' },
        { "CacheDirectory",         'S' },
        { "LogsDirectory",          'S' },
        { "ConfigurationDirectory", 'S' },
        { "ReadWritePaths",         'S' },
        { "ReadOnlyPaths",          'S' },
        { "InaccessiblePaths",      'S' },
        { "NoNewPrivileges",        'b' },
        { "PrivateTmp",             'b' },
        { "PrivateDevices",         'b' },
        { "PrivateNetwork",         'b' },
        { "PrivateUsers",           'b' },
        { "PrivateIPC",             'b' },
        { "ProtectKernelTunables",  'b' },
        { "ProtectKernelModules",   'b' },
        { "ProtectKernelLogs",      'b' },
        { "ProtectControlGroups",   'b' },
        { "ProtectClock",           'b' },
        { "ProtectHostname",        'b' },
        { "RestrictSUIDSGID",       'b' },
        { "RestrictRealtime",       'b' },
        { "LockPersonality",        'b' },
        { "MemoryDenyWriteExecute", 'b' },
        { "RemoveIPC",              'b' },
};

static char inherited_setting_type(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(inherited_settings); i++)
                if (streq(inherited_settings[i].key, key))
                        return inherited_settings[i].type;
        return 0;
}

bool transient_setting_is_inherited(const char *key) {
        return inherited_setting_type(key) != 0;
}

bool transient_setting_is_list(const char *key) {
        return inherited_setting_type(key) == 'S';
}

static int append_settings(sd_bus_message *m, char *const *settings) {
        int r;

        for (char *const *kv = settings; kv && kv[0] && kv[1]; kv += 2) {
                switch (inherited_setting_type(kv[0])) {

                case 'b':
                        r = parse_boolean(kv[1]);
                        if (r < 0)
                                return r;
                        /* DynamicUser= is who runs; the others only ever tighten upkeep's sandbox. */
                        if (r == 0 && !streq(kv[0], "DynamicUser"))
                                continue;
                        r = sd_bus_message_append(m, "(sv)", kv[0], "b", r);
                        break;

                case 's':
                        r = sd_bus_message_append(m, "(sv)", kv[0], "s", kv[1]);
                        break;

                case 'S': {
                        _cleanup_(strv_freep) char **words = NULL;

                        r = command_split(kv[1], &words);
                        if (r < 0)
                                return r;
                        r = append_strv(m, kv[0], words);
                        if (r >= 0 && streq(kv[0], "RuntimeDirectory"))
                                /* Else the command's end would remove the service's running directory. */
                                r = sd_bus_message_append(m, "(sv)", "RuntimeDirectoryPreserve", "s", "yes");
                        break;
                }

                default:
                        return -EINVAL;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int build_properties(sd_bus *bus, const TransientSpec *spec, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        /* Any message can hold the body; a signal needs no destination. It is never sent. */
        r = sd_bus_message_new_signal(bus, &m, UPKEEP_MANAGER_PATH, UPKEEP_INTERNAL_INTERFACE, "TransientProperties");
        if (r < 0)
                return r;

        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;

        r = sd_bus_message_append(m, "(sv)(sv)",
                                  "Description", "s", spec->description,
                                  "Type", "s", spec->oneshot ? "oneshot" : "exec");
        if (r < 0)
                return r;

        r = append_exec(m, spec, "ExecStart", spec->argv, spec->expand_environment ? 0 : EXEC_NO_ENV_EXPAND);
        if (r < 0)
                return r;

        if (spec->exec_condition) {
                /* "+": with full privileges whatever the unit drops, as in the template unit. */
                r = append_exec(m, spec, "ExecCondition", spec->exec_condition, EXEC_PRIVILEGED);
                if (r < 0)
                        return r;
        }
        if (spec->exec_stop_post) {
                /* "-+", as in the template unit: privileged, and never the unit's failure. */
                r = append_exec(m, spec, "ExecStopPost", spec->exec_stop_post,
                                EXEC_PRIVILEGED | EXEC_IGNORE_FAILURE);
                if (r < 0)
                        return r;
        }

        if (spec->environment) {
                r = append_strv(m, "Environment", spec->environment);
                if (r < 0)
                        return r;
        }
        if (spec->working_directory) {
                r = sd_bus_message_append(m, "(sv)", "WorkingDirectory", "s", spec->working_directory);
                if (r < 0)
                        return r;
        }
        if (spec->user) {
                r = sd_bus_message_append(m, "(sv)", "User", "s", spec->user);
                if (r < 0)
                        return r;
        }
        if (spec->group) {
                r = sd_bus_message_append(m, "(sv)", "Group", "s", spec->group);
                if (r < 0)
                        return r;
        }
        if (spec->timeout > 0) {
                /* RuntimeMaxSec= does not apply to Type=oneshot, whose whole run is its start. */
                r = sd_bus_message_append(m, "(sv)", spec->oneshot ? "TimeoutStartUSec" : "RuntimeMaxUSec",
                                          "t", (uint64_t) spec->timeout);
                if (r < 0)
                        return r;
        }
        if (spec->restart_on_failure) {
                r = sd_bus_message_append(m, "(sv)(sv)",
                                          "Restart", "s", "on-failure",
                                          "RestartUSec", "t", (uint64_t) TRANSIENT_RESTART_USEC);
                if (r < 0)
                        return r;
        }

        /* Gone once it ended, failed or not: the journal keeps what it said, and the name is free. */
        r = sd_bus_message_append(m, "(sv)", "CollectMode", "s", "inactive-or-failed");
        if (r < 0)
                return r;

        r = append_sandbox(m, spec->sandbox);
        if (r < 0)
                return r;
        if (spec->read_only_paths) {
                r = append_strv(m, "ReadOnlyPaths", spec->read_only_paths);
                if (r < 0)
                        return r;
        }
        r = append_settings(m, spec->settings);
        if (r < 0)
                return r;

        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;

        /* No auxiliary units. */
        r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return r;

        r = sd_bus_message_seal(m, 1, 0);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

int transient_start(Manager *m, const TransientSpec *spec, transient_done_t done, void *userdata,
                    TransientUnit **ret) {
        _cleanup_(transientp_free) TransientUnit *t = NULL;
        int r;

        if (!spec->argv || !spec->argv[0] || spec->argv[0][0] != '/' || !!spec->name == !!spec->name_prefix)
                return -EINVAL;

        t = calloc(1, sizeof(TransientUnit));
        if (!t)
                return -ENOMEM;
        t->manager = m;
        t->oneshot = spec->oneshot;
        t->timeout = spec->timeout;
        t->done = done;
        t->userdata = userdata;
        if (spec->name_prefix) {
                t->name_prefix = strdup(spec->name_prefix);
                if (!t->name_prefix)
                        return -ENOMEM;
        } else {
                t->name = strdup(spec->name);
                if (!t->name)
                        return -ENOMEM;
        }

        r = build_properties(m->bus, spec, &t->properties);
        if (r < 0)
                return r;

        if (t->oneshot && t->timeout > 0) {
                r = sd_event_add_time_relative(m->event, &t->timer, CLOCK_MONOTONIC,
                                               t->timeout + TRANSIENT_GRACE_USEC, USEC_PER_SEC, on_overdue, t);
                if (r < 0)
                        return r;
        }

        r = transient_send(t);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(t);
        return 0;
}

TransientUnit *transient_detach(TransientUnit *t) {
        return transient_free(t);
}

TransientUnit *transient_cancel(TransientUnit *t) {
        int r;

        if (!t)
                return NULL;

        /* Sent after StartTransientUnit on the same connection, so systemd sees it after the unit
         * exists, even if it has not answered yet. */
        if (t->watch && (t->watch->call_slot || t->watch->job)) {
                r = systemd_unit_call_async(t->manager->bus, "StopUnit", t->name, "replace");
                if (r < 0)
                        log_warning_errno(r, "Failed to stop %s, ignoring: %m", t->name);
        }
        return transient_free(t);
}
