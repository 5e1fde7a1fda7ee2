/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app-emit.h"
#include "app-journal.h"
#include "app.h"
#include "bus-names.h"
#include "go-module.h"
#include "job.h"
#include "log.h"
#include "manager-dbus.h"
#include "manager-metrics.h"
#include "manager.h"
#include "state-recover.h"
#include "switch.h"
#include "version.h"

int app_dir_open(int state_dir_fd, const char *name, int *ret) {
        int fd;

        if (mkdirat(state_dir_fd, name, 0755) < 0 && errno != EEXIST)
                return -errno;

        fd = openat(state_dir_fd, name, O_DIRECTORY|O_CLOEXEC|O_NOFOLLOW);
        if (fd < 0)
                return -errno;

        *ret = fd;
        return 0;
}

/* A new app: what is installed (the links) is all there is to start from. */
static int app_state_from_links(App *a, AppState **ret) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        int r;

        r = app_state_new(&s);
        if (r < 0)
                return r;

        r = app_state_read_links_at(a->dir_fd, &s->current_version, &s->previous_version);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}

/* state.json is corrupt, unreadable, or gone beside what it was made from: rebuilt from the rest of
 * the state directory, and paused until an operator has looked (state-recover.h). Saved at once, so
 * the rebuilt state, not the corrupt file, is what the next daemon and upkeep-condition read. */
static int app_state_recover(App *a, const char *problem, AppState **ret) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        bool from_old;
        int r;

        r = app_state_recover_at(a->dir_fd, problem, &s, &from_old);
        if (r < 0)
                return r;

        app_journal(&(AppEvent) {
                        .message_id = UPKEEP_MESSAGE_STATE_RESET,
                        .priority = LOG_WARNING,
                        .app = a->name,
                        .version = s->current_version,
                },
                "%s: %s; rebuilt from %s (current: %s, channel serial %" PRIu64 "); automatic updates are "
                "paused until an operator resumes them.",
                a->name, problem, from_old ? "its last good copy " STATE_FILE_OLD : "what is installed",
                s->current_version ?: "none", s->channel_serial);

        r = app_state_save_at(a->dir_fd, s);
        if (r < 0)
                log_warning_errno(r, "Failed to save the rebuilt state of %s, keeping it in memory: %m", a->name);

        *ret = TAKE_PTR(s);
        return 0;
}

static int app_load_state(App *a) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        int r;

        r = app_state_load_at(a->dir_fd, &s);
        if (r == -ENOENT && !app_state_was_lost_at(a->dir_fd))
                r = app_state_from_links(a, &s);
        else if (r == -ENOENT)
                r = app_state_recover(a, "state file " STATE_FILE " is missing", &s);
        else if (r == -EBADMSG)
                r = app_state_recover(a, "state file " STATE_FILE " is corrupt", &s);
        else if (r < 0) {
                char problem[256];
                (void) snprintf(problem, sizeof problem, "state file " STATE_FILE " cannot be read: %s",
                                strerror(-r));
                r = app_state_recover(a, problem, &s);
        }
        if (r < 0)
                return r;

        a->state = TAKE_PTR(s);
        return 0;
}

int app_new(Manager *m, int state_dir_fd, AppConfig *config, App **ret) {
        _cleanup_(app_freep) App *a = NULL;
        int r;

        a = calloc(1, sizeof(App));
        if (!a)
                return -ENOMEM;
        a->dir_fd = -EBADF;
        a->manager = m;

        a->name = strdup(config->name);
        if (!a->name)
                return -ENOMEM;

        r = app_object_path(a->name, &a->object_path);
        if (r < 0)
                return r;

        r = app_dir_open(state_dir_fd, a->name, &a->dir_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to open state directory of app %s: %m", a->name);

        r = app_load_state(a);
        if (r < 0)
                return log_error_errno(r, "Failed to set up state of app %s: %m", a->name);

        a->config = config;
        *ret = TAKE_PTR(a);
        return 0;
}

App *app_free(App *a) {
        if (!a)
                return NULL;

        app_config_free(a->config);
        app_state_free(a->state);
        if (a->dir_fd >= 0)
                (void) close(a->dir_fd);
        free(a->object_path);
        free(a->name);
        free(a);
        return NULL;
}

void app_set_config(App *a, AppConfig *config) {
        app_config_free(a->config);
        a->config = config;
        app_emit_changed(a, "Description", "Source", "Policy", "Unit", "Window", NULL);
}

const char *app_state_string(const App *a) {
        const AppState *s = a->state;

        if (a->job)
                switch (a->job->type) {
                case JOB_CHECK:
                        return "checking";
                case JOB_UPDATE:
                        /* The job of an update lasts through the new version's trial. */
                        return s->trial_version ? "trial" : "downloading";
                default:
                        return "applying";
                }
        if (s->trial_version)
                return "trial";
        if (s->pending_version)
                return s->due_at > 0 ? "scheduled" : "staged";
        if (s->available_version &&
            (!s->current_version || app_version_compare(a, s->available_version, s->current_version) > 0))
                return "available";
        return "idle";
}

const char *app_unit_name(const App *a, char *buf, size_t size) {
        (void) snprintf(buf, size, a->config->transient ? APP_RUN_UNIT_FORMAT : APP_UNIT_FORMAT, a->name);
        return buf;
}

bool app_source_is_channel(const App *a) {
        return a->config->source && strncmp(a->config->source, "go:", 3) != 0;
}

int app_version_compare(const App *a, const char *x, const char *y) {
        return app_source_is_channel(a) ? version_compare(x, y) : go_build_version_compare(x, y);
}

bool app_version_same(const App *a, const char *x, const char *y) {
        return app_source_is_channel(a) ? version_compare(x, y) == 0 : version_equal(x, y);
}

/* A deep copy, through the state file's own format. */
static int app_state_copy(const AppState *s, AppState **ret) {
        _cleanup_free_ char *json = NULL;
        int r;

        r = app_state_to_json(s, &json);
        if (r < 0)
                return r;
        return app_state_from_json(json, ret);
}

int app_update_state(App *a, app_state_edit_t edit, void *userdata) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        _cleanup_close_ int lock_fd = -EBADF;
        int r;

        lock_fd = app_lock_at(a->dir_fd);
        if (lock_fd < 0)
                return log_error_errno(lock_fd, "Failed to lock state of app %s: %m", a->name);

        /* What is on disk is newer than memory only if upkeep-condition wrote it; if it cannot be
         * read, memory is the best there is. */
        r = app_state_load_at(a->dir_fd, &s);
        if (r < 0) {
                _cleanup_free_ char *json = NULL;

                r = app_state_to_json(a->state, &json);
                if (r >= 0)
                        r = app_state_from_json(json, &s);
                if (r < 0)
                        return r;
        }

        /* What upkeep-condition changed on disk since is announced below, with what edit() changes
         * (which the caller announces). */
        _cleanup_(app_state_freep) AppState *disk = NULL;
        r = app_state_copy(s, &disk);
        if (r < 0)
                return r;

        r = edit(s, userdata);
        if (r <= 0)
                return r;

        r = app_state_save_at(a->dir_fd, s);
        if (r < 0)
                return log_error_errno(r, "Failed to save state of app %s: %m", a->name);

        _cleanup_(app_state_freep) AppState *old = TAKE_PTR(a->state);
        a->state = TAKE_PTR(s);
        app_emit_state_diff(a, old, disk, /* only_condition= */ true);
        manager_queue_metrics(a->manager);
        return 1;
}

int app_refresh_state(App *a) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        _cleanup_close_ int lock_fd = -EBADF;
        int r;

        lock_fd = app_lock_at(a->dir_fd);
        if (lock_fd < 0)
                return lock_fd;

        r = app_state_load_at(a->dir_fd, &s);
        if (r < 0)
                return r;

        _cleanup_(app_state_freep) AppState *old = TAKE_PTR(a->state);
        a->state = TAKE_PTR(s);
        app_emit_state_diff(a, old, a->state, /* only_condition= */ false);
        manager_queue_metrics(a->manager);
        return 0;
}

static int edit_pause(AppState *s, void *userdata) {
        const char *reason = userdata;
        int r;

        if (s->paused && streq_ptr(s->pause_reason, reason))
                return 0;
        r = free_and_strdup(&s->pause_reason, reason);
        if (r < 0)
                return r;
        s->paused = true;
        return 1;
}

static int edit_resume(AppState *s, void *userdata) {
        if (!s->paused)
                return 0;
        s->paused = false;
        s->pause_reason = mfree(s->pause_reason);
        return 1;
}

static int edit_pin(AppState *s, void *userdata) {
        return free_and_strdup(&s->pinned_version, userdata);
}

/* An operator's change: edit applied as app_update_state() does; when it changed something, it is
 * journalled (message_id may be NULL; version NULL: the current one) with the message format gives, and
 * PropertiesChanged emitted for property and property2 (may be NULL). */
static int app_change(App *a, app_state_edit_t edit, void *userdata, const char *message_id, const char *version,
                      const char *property, const char *property2, const char *format, ...) _printf_(8, 9);
static int app_change(App *a, app_state_edit_t edit, void *userdata, const char *message_id, const char *version,
                      const char *property, const char *property2, const char *format, ...) {
        _cleanup_free_ char *message = NULL;
        va_list ap;
        int r;

        r = app_update_state(a, edit, userdata);
        if (r <= 0)
                return r;

        va_start(ap, format);
        if (vasprintf(&message, format, ap) < 0)
                message = NULL;
        va_end(ap);

        /* Only now: the edit replaced a->state. */
        app_journal(&(AppEvent) {
                        .message_id = message_id,
                        .priority = LOG_NOTICE,
                        .app = a->name,
                        .version = version ?: a->state->current_version,
                },
                "%s", message ?: a->name);
        app_emit_changed(a, property, property2, NULL);
        return 1;
}

int app_pause(App *a, const char *reason) {
        return app_change(a, edit_pause, (void *) reason, UPKEEP_MESSAGE_PAUSED, NULL, "Paused", "PauseReason",
                          "Automatic updates of %s paused: %s", a->name, reason);
}

int app_resume(App *a) {
        return app_change(a, edit_resume, NULL, NULL, NULL, "Paused", "PauseReason",
                          "Automatic updates of %s resumed.", a->name);
}

int app_pin(App *a, const char *version) {
        return app_change(a, edit_pin, (void *) version, NULL, version, "PinnedVersion", NULL,
                          "%s pinned to version %s: no other version is taken automatically.", a->name, version);
}

int app_unpin(App *a) {
        return app_change(a, edit_pin, NULL, NULL, NULL, "PinnedVersion", NULL,
                          "%s unpinned.", a->name);
}

int app_object_path(const char *name, char **ret) {
        return sd_bus_path_encode(UPKEEP_APP_PATH_PREFIX, name, ret);
}

void app_emit_changed(App *a, const char *property, ...) {
        char *names[16];
        size_t n = 0;
        va_list ap;

        if (!a->manager->bus)
                return;

        bool state = false;
        va_start(ap, property);
        for (const char *p = property; p && n < ELEMENTSOF(names) - 2; p = va_arg(ap, const char *)) {
                names[n++] = (char *) p;
                state = state || streq(p, "State");
        }
        va_end(ap);
        if (!state)
                names[n++] = (char *) "State";
        names[n] = NULL;

        int r = sd_bus_emit_properties_changed_strv(a->manager->bus, a->object_path,
                                                    UPKEEP_APP_INTERFACE, names);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged for %s, ignoring: %m", a->name);
        manager_emit_last_check(a->manager);  /* the newest of the apps' LastCheck */
}
