/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Commands run as transient units, created through systemd's D-Bus API
 * (org.freedesktop.systemd1.Manager.StartTransientUnit, mode "fail") on the event loop, like
 * systemd-run: install hooks, command health checks, and apps started by "upkeepctl run". systemd
 * runs, bounds, sandboxes and logs them, and "systemctl status" shows them while they run. Their end
 * is followed through JobRemoved and the unit's PropertiesChanged (unit-watch.h). */
#pragma once

#include <stdbool.h>

#include "time-util.h"
#include "unit-outcome.h"
#include "upkeepd-forward.h"

typedef enum TransientSandbox {
        TRANSIENT_SANDBOX_NONE,    /* as the unit file of an app: nothing added */
        TRANSIENT_SANDBOX_HOOK,    /* may write data (/var, /srv, /etc stay writable), not /usr, /boot,
                                    * home directories, upkeep's state or the kernel */
        TRANSIENT_SANDBOX_CHECK,   /* looks only: the whole file system read-only but a private /tmp */
} TransientSandbox;

typedef struct TransientSpec {
        /* The unit's name: name exactly, or name_prefix + "-N.service" with the first N not in use. */
        const char *name;
        const char *name_prefix;
        const char *description;
        char *const *argv;             /* argv[0]: an absolute path */
        bool expand_environment;       /* systemd replaces $NAME/${NAME} in argv, as in ExecStart= */
        char *const *environment;      /* NAME=VALUE…, may be NULL */
        const char *working_directory; /* NULL = / */
        const char *user, *group;      /* NULL = root */
        /* Type=oneshot: done when the program exits, bounded by TimeoutStartSec=; otherwise
         * Type=exec: done once it runs, and bounded by RuntimeMaxSec=. 0 = unbounded. */
        bool oneshot;
        usec_t timeout;
        TransientSandbox sandbox;
        char *const *read_only_paths;  /* ReadOnlyPaths=, may be NULL */
        /* Settings of an app's [Service] section the unit inherits, NULL-terminated KEY, VALUE, … in
         * unit-file syntax (a list as words command_split() splits): only keys
         * transient_setting_is_inherited() accepts. A false sandboxing boolean is left out, upkeep's
         * own sandbox stands; a RuntimeDirectory= is preserved when the unit ends. May be NULL. */
        char *const *settings;
        /* For apps (Type=exec): ExecCondition=+… run before every start, Restart=on-failure, and the
         * unit kept loaded while it runs; its argv[0] is absolute. */
        char *const *exec_condition;
        /* ExecStopPost=-+… run after every run, with full privileges, its failure ignored (the fault
         * recorder); argv[0] absolute. May be NULL. */
        char *const *exec_stop_post;
        bool restart_on_failure;
} TransientSpec;

/* Called once: oneshot units when the program ended (or never ran), others when the start job
 * ended. o says how (unit_outcome_succeeded(), unit_outcome_describe()); unit is its name. The
 * TransientUnit is freed when this returns. */
typedef void (*transient_done_t)(TransientUnit *t, const char *unit, const UnitOutcome *o, void *userdata);

int transient_start(Manager *m, const TransientSpec *spec, transient_done_t done, void *userdata,
                    TransientUnit **ret);

/* Before done was called: stops the unit (StopUnit, if it was created) and frees everything; done is
 * not called. Returns NULL. */
TransientUnit *transient_cancel(TransientUnit *t);

/* Before done was called: frees everything and leaves the unit to itself (as when the daemon exits);
 * done is not called. Returns NULL. */
TransientUnit *transient_detach(TransientUnit *t);

/* The unit's name (the one tried last, while a free N is searched for). */
const char *transient_unit_name(const TransientUnit *t);

/* Whether key, a setting of an app's [Service] section, is one TransientSpec.settings passes on, and
 * whether it is a list (whose assignments add up, an empty one resetting it). */
bool transient_setting_is_inherited(const char *key);
bool transient_setting_is_list(const char *key);
