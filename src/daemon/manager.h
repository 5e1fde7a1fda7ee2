/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's one object that everything hangs off: event loop, bus connection and the apps. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "time-util.h"
#include "upkeepd-forward.h"

#define MANAGER_IDLE_TIMEOUT_DEFAULT (30 * USEC_PER_SEC)

struct Manager {
        sd_event *event;
        sd_bus *bus;
        HttpClient *http;

        App **apps;              /* sorted by name */
        size_t n_apps;
        Job **jobs;              /* running jobs, unordered */
        size_t n_jobs;
        uint32_t last_job_id;
        usec_t last_check_announced; /* Manager.LastCheck as last emitted */
        unsigned transient_serial; /* the N of the last upkeep-…-N.service transient unit */
        char **config_dirs;      /* where app configs are read; NULL = APP_CONFIG_DIRS (tests set others) */
        int state_dir_fd;        /* STATE_DIR/apps */
        char *state_dir;         /* STATE_DIR: $STATE_DIRECTORY from the unit, else /var/lib/upkeep */
        char *runtime_dir;       /* $RUNTIME_DIRECTORY from the unit, else /run/upkeep */
        Run **runs;       /* "upkeepctl run" calls being carried out, unordered */
        size_t n_runs;

        char *metrics_dir;       /* where upkeep.prom goes; NULL = no metrics */
        sd_event_source *metrics_timer;
        bool metrics_queued;

        usec_t idle_timeout;     /* 0 = never exit on idle */
        sd_event_source *idle_timer;
        bool busy_since_tick;    /* a message came in since the idle timer last fired */
};

int manager_new(Manager **ret);
Manager *manager_free(Manager *m);
static inline void manager_freep(Manager **m) {
        manager_free(*m);
}

/* Reads every app config and (re)builds the apps: new ones appear, changed ones take the new
 * config, removed ones disappear. A bad config is reported and skipped. */
int manager_load_apps(Manager *m);
App *manager_get_app(Manager *m, const char *name);
/* The running job of that object path. */
Job *manager_get_job(Manager *m, const char *path);

/* Drops an app whose config is gone and whose last job just ended. */
void manager_remove_app(Manager *m, App *a);

/* Adds a new app (taking ownership) and announces it on the bus. */
int manager_add_app(Manager *m, App *a);

int manager_start(Manager *m);
int manager_run(Manager *m);
