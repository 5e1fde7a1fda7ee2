/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>

#include "app-trial.h"
#include "app-dbus.h"
#include "app-run.h"
#include "app.h"
#include "bus-error.h"
#include "http.h"
#include "job-dbus.h"
#include "job.h"
#include "log.h"
#include "manager-dbus.h"
#include "manager-metrics.h"
#include "manager.h"
#include "polkit.h"
#include "strv.h"
#include "unit-watch.h"

int manager_new(Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;
        m->state_dir_fd = -EBADF;
        m->idle_timeout = MANAGER_IDLE_TIMEOUT_DEFAULT;

        /* systemd passes StateDirectory= as $STATE_DIRECTORY; it may hold several, colon-separated. */
        const char *e = getenv("STATE_DIRECTORY");
        m->state_dir = e ? strndup(e, strcspn(e, ":")) : strdup(UPKEEP_STATE_DIR);
        m->metrics_dir = strdup(MANAGER_METRICS_DIR_DEFAULT);
        if (!m->state_dir || !m->metrics_dir)
                return -ENOMEM;
        e = getenv("RUNTIME_DIRECTORY");
        m->runtime_dir = e ? strndup(e, strcspn(e, ":")) : strdup("/run/upkeep");
        if (!m->runtime_dir)
                return -ENOMEM;

        r = sd_event_default(&m->event);
        if (r < 0)
                return r;

        r = http_client_new(m->event, &m->http);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

static void manager_free_apps(Manager *m) {
        for (size_t i = 0; i < m->n_apps; i++)
                app_free(m->apps[i]);
        m->apps = mfree(m->apps);
        m->n_apps = 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;

        /* Jobs end with the process (their steps' event sources go with the event loop); what they
         * left half done on disk is what the next start cleans up. A step working on a thread is
         * stopped and joined first: nothing may run on while the process tears down. */
        for (size_t i = 0; i < m->n_jobs; i++) {
                if (m->jobs[i]->abandon)
                        m->jobs[i]->abandon(m->jobs[i]);
                free(m->jobs[i]->object_path);
                free(m->jobs[i]);
        }
        free(m->jobs);
        for (size_t i = 0; i < m->n_runs; i++)
                run_free(m->runs[i]);
        free(m->runs);
        manager_free_apps(m);
        http_client_free(m->http);
        sd_event_source_unref(m->idle_timer);
        sd_event_source_unref(m->metrics_timer);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        if (m->state_dir_fd >= 0)
                (void) close(m->state_dir_fd);
        strv_free(m->config_dirs);
        free(m->state_dir);
        free(m->metrics_dir);
        free(m->runtime_dir);
        free(m);
        return NULL;
}

static int app_compare(const void *a, const void *b) {
        return strcmp((*(App *const *) a)->name, (*(App *const *) b)->name);
}

static int app_compare_name(const void *key, const void *elem) {
        return strcmp(key, (*(App *const *) elem)->name);
}

App *manager_get_app(Manager *m, const char *name) {
        App **found;

        if (m->n_apps == 0)
                return NULL;
        found = bsearch(name, m->apps, m->n_apps, sizeof(App *), app_compare_name);
        return found ? *found : NULL;
}

Job *manager_get_job(Manager *m, const char *path) {
        for (size_t i = 0; i < m->n_jobs; i++)
                if (streq(m->jobs[i]->object_path, path))
                        return m->jobs[i];
        return NULL;
}

static void manager_announce(Manager *m, const App *a, bool added) {
        if (!m->bus)
                return;
        int r = (added ? sd_bus_emit_object_added : sd_bus_emit_object_removed)(m->bus, a->object_path);
        if (r < 0)
                log_debug_errno(r, "Failed to announce %s, ignoring: %m", a->object_path);
}

void manager_remove_app(Manager *m, App *a) {
        for (size_t i = 0; i < m->n_apps; i++)
                if (m->apps[i] == a) {
                        memmove(m->apps + i, m->apps + i + 1, (m->n_apps - i - 1) * sizeof(App *));
                        m->n_apps--;
                        break;
                }
        manager_queue_metrics(m);
        log_info("App %s dropped.", a->name);
        manager_announce(m, a, false);
        app_free(a);
}

int manager_add_app(Manager *m, App *a) {
        App **apps;

        apps = reallocarray(m->apps, m->n_apps + 1, sizeof(App *));
        if (!apps)
                return -ENOMEM;
        m->apps = apps;
        m->apps[m->n_apps++] = a;
        qsort(m->apps, m->n_apps, sizeof(App *), app_compare);
        manager_queue_metrics(m);
        manager_announce(m, a, true);
        return 0;
}

static int config_compare(const void *a, const void *b) {
        return strcmp((*(AppConfig *const *) a)->name, (*(AppConfig *const *) b)->name);
}

static bool configs_have(AppConfig *const *configs, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(configs[i]->name, name))
                        return true;
        return false;
}

/* Adds the records of apps "upkeepctl run" started to the configured apps, in name order. A
 * configured app of the same name wins. */
static int manager_add_transient_configs(Manager *m, AppConfig ***configs, size_t *n) {
        _cleanup_(strv_freep) char **paths = NULL;
        _cleanup_free_ char *dir = NULL;
        AppConfig **l;
        int r;

        if (asprintf(&dir, "%s/" APP_TRANSIENT_DIR, m->runtime_dir) < 0)
                return -ENOMEM;
        r = app_config_enumerate((const char *const[]) { dir, NULL }, &paths);
        if (r <= 0)
                return 0;

        l = reallocarray(*configs, *n + (size_t) r + 1, sizeof(AppConfig *));
        if (!l)
                return -ENOMEM;
        *configs = l;

        for (char **p = paths; *p; p++) {
                AppConfig *c;

                r = app_config_load_transient(*p, &c);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        continue;  /* logged */
                if (configs_have(*configs, *n, c->name)) {
                        log_warning("%s: app %s is configured too; the configured one is managed.", *p, c->name);
                        app_config_free(c);
                        continue;
                }
                l[(*n)++] = c;
        }

        qsort(*configs, *n, sizeof(AppConfig *), config_compare);
        return 0;
}

static int manager_open_state_dir(Manager *m) {
        _cleanup_close_ int fd = -EBADF;

        if (m->state_dir_fd >= 0)
                return 0;

        fd = open(m->state_dir, O_DIRECTORY|O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "Failed to open state directory %s: %m", m->state_dir);

        if (mkdirat(fd, "apps", 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create %s/apps: %m", m->state_dir);

        m->state_dir_fd = openat(fd, "apps", O_DIRECTORY|O_CLOEXEC|O_NOFOLLOW);
        if (m->state_dir_fd < 0)
                return log_error_errno(errno, "Failed to open %s/apps: %m", m->state_dir);

        return 0;
}

typedef struct GoneCheck {
        Manager *manager;
        char name[];
} GoneCheck;

static int on_gone_check(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        _cleanup_free_ char *path = NULL;
        GoneCheck *g = userdata;
        Manager *m = g->manager;
        App *a;

        if (!sd_bus_message_is_method_error(reply, "org.freedesktop.systemd1.NoSuchUnit"))
                return 0;

        a = manager_get_app(m, g->name);
        if (!a || !a->config->transient || a->job || app_run_in_progress(m, g->name))
                return 0;

        if (asprintf(&path, "%s/" APP_TRANSIENT_DIR "/%s.app", m->runtime_dir, g->name) < 0)
                return log_oom();
        if (unlink(path) < 0 && errno != ENOENT)
                log_warning_errno(errno, "Failed to remove %s, ignoring: %m", path);

        log_info("The unit of %s (upkeepctl run) is gone; forgetting the app. Its versions stay in %s/apps/%s/.",
                 g->name, m->state_dir, g->name);
        manager_remove_app(m, a);
        return 0;
}

/* Asks systemd about the unit of every app "upkeepctl run" started, and forgets those whose unit is
 * gone (stopped, or the machine rebooted): their record, and the app object. */
static void manager_forget_gone_transient_apps(Manager *m) {
        for (size_t i = 0; i < m->n_apps; i++) {
                App *a = m->apps[i];
                sd_bus_slot *slot = NULL;
                GoneCheck *g;
                char unit[256];
                int k;

                if (!a->config->transient)
                        continue;

                g = malloc(sizeof(GoneCheck) + strlen(a->name) + 1);
                if (!g) {
                        log_oom();
                        return;
                }
                g->manager = m;
                strcpy(g->name, a->name);

                k = sd_bus_call_method_async(m->bus, &slot, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER, "GetUnit",
                                             on_gone_check, g, "s", app_unit_name(a, unit, sizeof unit));
                if (k < 0) {
                        free(g);
                        log_warning_errno(k, "Failed to ask systemd about %s, ignoring: %m", unit);
                        continue;
                }
                /* The slot belongs to the bus and frees g with it, answered or not. */
                (void) sd_bus_slot_set_destroy_callback(slot, free);
                (void) sd_bus_slot_set_floating(slot, 1);
                sd_bus_slot_unref(slot);
        }
}

/* Takes over every trial an earlier upkeepd left unfinished (once on the bus). */
static void manager_adopt_trials(Manager *m) {
        for (size_t i = 0; i < m->n_apps; i++) {
                int r = app_adopt_trial(m->apps[i]);
                if (r < 0)
                        log_error_errno(r, "Failed to take over the trial of %s %s: %m", m->apps[i]->name,
                                        strempty(m->apps[i]->state->trial_version));
        }
}

int manager_load_apps(Manager *m) {
        _cleanup_free_ App **to_cancel = NULL;
        _cleanup_free_ bool *kept = NULL;
        size_t n_cancel = 0;
        AppConfig **configs = NULL;
        App **apps;
        size_t n = 0;
        int r;

        r = manager_open_state_dir(m);
        if (r < 0)
                return r;

        r = app_config_load_all(m->config_dirs ? (const char *const *) m->config_dirs : APP_CONFIG_DIRS, &configs);
        if (r < 0)
                return log_error_errno(r, "Failed to load app configs: %m");
        size_t n_configs = (size_t) r;

        r = manager_add_transient_configs(m, &configs, &n_configs);
        if (r < 0) {
                app_config_free_many(configs, n_configs);
                return log_error_errno(r, "Failed to load the apps upkeepctl run started (%s/" APP_TRANSIENT_DIR "): %m",
                                       m->runtime_dir);
        }

        /* Room for every config, and for every app kept until its job ends. */
        apps = calloc(n_configs + m->n_apps + 1, sizeof(App *));
        kept = calloc(m->n_apps ?: 1, sizeof(bool));
        to_cancel = calloc(m->n_apps ?: 1, sizeof(App *));
        if (!apps || !kept || !to_cancel) {
                free(apps);
                app_config_free_many(configs, n_configs);
                return log_oom();
        }

        for (size_t i = 0; i < n_configs; i++) {
                AppConfig *c = TAKE_PTR(configs[i]);
                App *a = manager_get_app(m, c->name);

                if (a) {
                        /* Keep the object (and its state): only the config changes. A config that
                         * came back while the job of its removal runs keeps the app after the job. */
                        app_set_config(a, c);
                        a->removed = false;
                        for (size_t j = 0; j < m->n_apps; j++)
                                if (m->apps[j] == a)
                                        kept[j] = true;
                } else {
                        r = app_new(m, m->state_dir_fd, c, &a);
                        if (r < 0) {
                                app_config_free(c);
                                continue;  /* logged; one bad app does not stop the others */
                        }
                        manager_announce(m, a, true);
                }
                apps[n++] = a;
        }
        free(configs);

        for (size_t j = 0; j < m->n_apps; j++) {
                App *a = m->apps[j];

                if (kept[j])
                        continue;
                if (a->job) {
                        /* The job holds on to the app: cancel it, and drop the app when it ends. */
                        log_info("App %s is no longer configured; dropping it once its %s job ends.",
                                 a->name, job_type_to_string(a->job->type));
                        a->removed = true;
                        apps[n++] = a;
                        to_cancel[n_cancel++] = a;
                        continue;
                }
                log_info("App %s is no longer configured.", a->name);
                manager_announce(m, a, false);
                app_free(a);
        }
        free(m->apps);
        m->apps = apps;
        m->n_apps = n;
        /* Kept removed apps went to the end; keep the array sorted for bsearch. */
        qsort(m->apps, m->n_apps, sizeof(App *), app_compare);

        /* Only now that the new array is in place: a job may end at once when cancelled, and then
         * drops its app from it. */
        for (size_t i = 0; i < n_cancel; i++)
                if (to_cancel[i]->job)
                        job_cancel(to_cancel[i]->job);

        log_info("Loaded %zu app(s).", m->n_apps);
        /* Also at start: upkeep-condition may have rolled back while the daemon was away. */
        manager_queue_metrics(m);
        if (m->bus) {
                manager_forget_gone_transient_apps(m);
                manager_adopt_trials(m);
                /* Apps that came or went may change the newest LastCheck. */
                manager_emit_last_check(m);
        }
        return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        log_info("Received SIGHUP, reloading app configs.");
        (void) manager_load_apps(m);
        return 0;
}

/* Exit on idle: every message from the bus marks the daemon busy; a timer fires every idle_timeout and
 * exits when nothing came in since its last tick and no polkit check is outstanding. */
static int on_bus_message(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        m->busy_since_tick = true;
        return 0;
}

static int manager_exit_idle(Manager *m) {
        int r;

        log_info("Idle for %llus, exiting.", (unsigned long long) (m->idle_timeout / USEC_PER_SEC));

        /* Release the name first: new calls then wait for the next activation instead of being lost.
         * Calls already queued to us are still answered before the loop ends. */
        r = sd_bus_release_name(m->bus, UPKEEP_BUS_NAME);
        if (r < 0)
                log_warning_errno(r, "Failed to release %s, ignoring: %m", UPKEEP_BUS_NAME);

        while ((r = sd_bus_process(m->bus, NULL)) > 0)
                ;
        (void) sd_bus_flush(m->bus);

        return sd_event_exit(m->event, 0);
}

static int on_idle_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        int r;

        if (!m->busy_since_tick && polkit_pending() == 0 && m->n_jobs == 0 && m->n_runs == 0)
                return manager_exit_idle(m);

        m->busy_since_tick = false;
        r = sd_event_source_set_time_relative(s, m->idle_timeout);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

/* Subscribes to systemd's signals (once, at start-up), without which it sends none. */
static int manager_subscribe_systemd(Manager *m) {
        return sd_bus_call_method_async(m->bus, NULL, SYSTEMD_SERVICE, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                        "Subscribe", NULL, NULL, "");
}

/* Order matters: every object is registered before the name is requested, so a bus-activated caller
 * never sees the name without the objects behind it. */
int manager_start(Manager *m) {
        int r;

        r = bus_error_register();
        if (r < 0)
                return log_error_errno(r, "Failed to register bus errors: %m");

        r = sd_event_set_signal_exit(m->event, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set up SIGTERM/SIGINT handling: %m");

        r = sd_event_add_signal(m->event, NULL, SIGHUP | SD_EVENT_SIGNAL_PROCMASK, on_sighup, m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up SIGHUP handling: %m");

        r = manager_load_apps(m);
        if (r < 0)
                return r;

        r = sd_bus_open_system_with_description(&m->bus, "upkeepd");
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");

        r = manager_dbus_register(m);
        if (r < 0)
                return log_error_errno(r, "Failed to register %s: %m", UPKEEP_MANAGER_PATH);

        r = app_dbus_register(m);
        if (r < 0)
                return log_error_errno(r, "Failed to register %s: %m", UPKEEP_APP_PATH_PREFIX);

        r = job_dbus_register(m);
        if (r < 0)
                return log_error_errno(r, "Failed to register %s: %m", UPKEEP_JOB_PATH_PREFIX);

        r = sd_bus_add_filter(m->bus, NULL, on_bus_message, m);
        if (r < 0)
                return log_error_errno(r, "Failed to add bus filter: %m");

        r = manager_subscribe_systemd(m);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to systemd's signals: %m");

        manager_forget_gone_transient_apps(m);

        r = sd_bus_request_name(m->bus, UPKEEP_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to acquire bus name %s: %m", UPKEEP_BUS_NAME);

        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the bus to the event loop: %m");

        if (m->idle_timeout > 0) {
                r = sd_event_add_time_relative(m->event, &m->idle_timer, CLOCK_MONOTONIC, m->idle_timeout,
                                               USEC_PER_SEC, on_idle_timer, m);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up the idle timer: %m");
        }

        manager_adopt_trials(m);
        return 0;
}

int manager_run(Manager *m) {
        int r;

        log_info("upkeep %s running, serving %s.", PROJECT_VERSION, UPKEEP_BUS_NAME);

        r = sd_event_loop(m->event);
        manager_flush_metrics(m);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");

        return 0;
}
