/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An app as the daemon knows it: its config, its state on disk, and the changes an operator makes. */
#pragma once

#include "app-config.h"
#include "state.h"
#include "upkeepd-forward.h"

struct App {
        Manager *manager;
        char *name;
        char *object_path;       /* /org/upkeep1/app/<escaped name> */
        AppConfig *config;
        AppState *state;
        int dir_fd;              /* the app's state directory, STATE_DIR/apps/NAME */
        Job *job;                /* the job running on this app, at most one */
        bool removed;            /* its config is gone; dropped when job ends */
        uint64_t faults_announced; /* the fault count PropertiesChanged last announced (FaultRecorded()) */
};

/* Takes ownership of config. Opens (creating it if needed) the app's state directory under
 * state_dir_fd and loads its state; a missing or corrupt state.json is reported and the state is
 * rebuilt from the "current"/"previous" links, never fatal. */
int app_new(Manager *m, int state_dir_fd, AppConfig *config, App **ret);
App *app_free(App *a);
static inline void app_freep(App **a) {
        app_free(*a);
}

/* Replaces the config with a reloaded one (ownership taken). */
void app_set_config(App *a, AppConfig *config);

/* The life-cycle state shown as the State property: idle, available, staged, scheduled, trial. */
const char *app_state_string(const App *a);

/* upkeep@NAME.service, or for an app "upkeepctl run" started, its transient upkeep-run-NAME.service. */
const char *app_unit_name(const App *a, char *buf, size_t size);

/* Opens (creating it if needed) the state directory of app name under state_dir_fd. */
int app_dir_open(int state_dir_fd, const char *name, int *ret);

/* Whether Source= is a release channel (http://, https://, file:///, s3://) rather than go:… (or none, for
 * an app "upkeepctl run" started without one). */
bool app_source_is_channel(const App *a);

/* Versions of a, compared as its source means them: semver order, and for a Go app the toolchain
 * after the module version, so that two builds of one module version ("v1.2.5+go1.21.8",
 * "v1.2.5+go1.21.9") are different versions and the rebuild is the newer. */
int app_version_compare(const App *a, const char *x, const char *y);
bool app_version_same(const App *a, const char *x, const char *y);

/* Changes the app's state as upkeep-condition may change it too: under the app's lock, state.json
 * is read again, edit() applied to what is on disk, the result saved and made the app's state. So
 * neither program overwrites what the other wrote. edit returns < 0 to abandon the change, 0 when it
 * changed nothing (not saved), > 0 when it changed something. Returns 1 when the change was saved, 0
 * when there was none, a negative errno on error. */
typedef int (*app_state_edit_t)(AppState *s, void *userdata);
int app_update_state(App *a, app_state_edit_t edit, void *userdata);
/* Reads state.json again, for what upkeep-condition may have written while nothing of ours ran. */
int app_refresh_state(App *a);

/* /org/upkeep1/app/<escaped name>, the app's object on the bus (app-dbus.c serves it). */
int app_object_path(const char *name, char **ret);

/* Announces a change of the app: PropertiesChanged for the named properties (NULL-terminated), and
 * always for State, which is derived from the rest. Nothing without a bus. */
void app_emit_changed(App *a, const char *property, ...) __attribute__((sentinel));
#define app_emit_state_changed(a) app_emit_changed((a), "State", NULL)

/* Operator actions. Each saves the state, logs to the journal and emits PropertiesChanged.
 * They return 1 when something changed, 0 when it already was so (nothing written, nothing emitted),
 * and a negative errno on error. */
int app_pause(App *a, const char *reason);
int app_resume(App *a);
int app_pin(App *a, const char *version);
int app_unpin(App *a);
