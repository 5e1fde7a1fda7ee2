/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The read-only verbs: list, list-jobs, status and history, as text for people or as JSON for scripts.
 * list, list-jobs and status ask one host or several at once (ctl-fleet.c). Reading properties needs
 * no authorization, so these never start a polkit agent. */
#include <inttypes.h>
#include <langinfo.h>
#include <stdio.h>

#include "backoff.h"
#include "ctl-bus.h"
#include "ctl-fleet.h"
#include "ctl-format.h"
#include "ctl-json.h"
#include "ctl.h"

static int table_print(const Table *t) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = table_format(t, arg_legend, &text);
        if (r < 0)
                return log_oom();

        fputs(text, stdout);
        return 0;
}

/* {"host": NAME, KEY: VALUE} for a host that answered, {"host": NAME, "error": WHY} for one that did
 * not, appended to ARRAY: the JSON of several hosts. VALUE is taken, also on failure. */
static int json_add_host(json_object *array, const FleetHost *h, const char *key, json_object *value) {
        _cleanup_(json_object_putp) json_object *o = NULL;

        o = json_object_new_object();
        if (!o || json_add_string(o, "host", h->name) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }

        if (h->failed) {
                json_object_put(value);
                if (json_add_text(o, "error", h->failure ?: "out of memory") < 0)
                        return -ENOMEM;
        } else if (json_add_value(o, key, value) < 0)
                return -ENOMEM;

        if (json_object_array_add(array, o) < 0)
                return -ENOMEM;
        TAKE_PTR(o);
        return 0;
}

/* The exit status of a verb on several hosts, when one of them failed. */
static int exit_status_of_hosts(const Fleet *f, int status) {
        return f->n_hosts > 1 && fleet_n_failed(f) > 0 ? EXIT_HOSTS_FAILED : status;
}

#define LISTING_COLUMNS_MAX 8

static bool several_hosts(const Fleet *f) {
        return f->n_hosts > 1;
}

/* A listing: one Manager method that returns an array of rows, shown as a table with one row per
 * element, from each host in turn (with a HOST column first when there are several). */
typedef struct Listing {
        const char *method;                /* "ListApps" */
        const char *signature;             /* of one element: "(sssssto)" */
        const char *what;                  /* for a failure: "Failed to list apps" */
        const char *json_key;              /* of a host's rows in the JSON of several hosts: "apps" */
        const char *headers[LISTING_COLUMNS_MAX];  /* "HOST", then the columns */
        size_t n_columns;                  /* without HOST */
        size_t failure_column;             /* of an unreachable host's "unreachable: WHY", counting HOST */
        /* Reads one element of m into a row of table, or an object of array (with --json), prefixing
         * the row with host unless that is NULL. Returns 0 after the last element. */
        int (*add_row)(sd_bus_message *m, const char *host, Table *table, json_object *array, usec_t now);
        const char *singular, *plural;     /* what a row is: "app", "apps" */
        const char *none;                  /* the footer without rows; NULL: "0 apps listed" */
} Listing;

static void message_unref(void *m) {
        sd_bus_message_unref(m);
}

static int listing_reply(FleetHost *h, sd_bus_message *reply, void *userdata) {
        const Listing *l = userdata;
        int r;

        if (sd_bus_message_is_method_error(reply, NULL))
                return fleet_host_fail_reply(h, reply);

        /* The rows are read when the table is made, in the order of the hosts. */
        r = sd_bus_message_enter_container(reply, 'a', l->signature);
        if (r < 0)
                return r;

        h->data = sd_bus_message_ref(reply);
        return 0;
}

static int listing_start(FleetHost *h, void *userdata) {
        const Listing *l = userdata;

        return fleet_call(h, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE, l->method, listing_reply,
                          userdata, NULL);
}

static void listing_print_footer(const Listing *l, const Fleet *f, size_t n, bool after_table) {
        size_t n_failed = fleet_n_failed(f), n_answered = f->n_hosts - n_failed;

        if (after_table)
                putchar('\n');
        if (n == 0 && l->none)
                fputs(l->none, stdout);
        else
                printf("%zu %s listed", n, n == 1 ? l->singular : l->plural);
        if (several_hosts(f)) {
                printf(" on %zu %s", n_answered, n_answered == 1 ? "host" : "hosts");
                if (n_failed > 0)
                        printf("; %zu %s unreachable", n_failed, n_failed == 1 ? "host" : "hosts");
        }
        puts(".");
}

/* Asks every host for the listing and prints it: the table or JSON of one host as it always was, or
 * with several, one table with a HOST column, and a JSON array of one object per host. */
static int listing_show(const Listing *l) {
        _cleanup_(fleet_freep) Fleet *f = NULL;
        _cleanup_(json_object_putp) json_object *top = NULL;
        _cleanup_(table_freep) Table *table = NULL;
        usec_t now = now_realtime();
        bool several;
        size_t n = 0;
        int r, ret = 0;

        r = fleet_new(arg_hosts, arg_timeout, message_unref, &f);
        if (r < 0)
                return log_oom();
        several = several_hosts(f);

        r = fleet_run(f, listing_start, (void *) l);
        if (r < 0)
                return ctl_log_error_errno(r, "%s: %m", l->what);

        if (arg_json != JSON_OFF) {
                top = json_object_new_array();
                if (!top)
                        return log_oom();
        } else {
                r = table_new(l->n_columns + several, l->headers + !several, &table);
                if (r < 0)
                        return log_oom();
        }

        for (size_t i = 0; i < f->n_hosts; i++) {
                const FleetHost *h = f->hosts + i;
                _cleanup_(json_object_putp) json_object *rows = NULL;

                if (h->failed && !several) {
                        ctl_log_error("%s: %s", l->what, h->failure ?: "out of memory");
                        return h->failure_status;
                }

                if (h->failed && top) {
                        if (json_add_host(top, h, l->json_key, NULL) < 0)
                                return log_oom();
                        continue;
                }
                if (h->failed) {
                        _cleanup_free_ char *why = NULL;
                        const char *cells[LISTING_COLUMNS_MAX] = { h->name };

                        if (asprintf(&why, "unreachable: %s", h->failure ?: "out of memory") < 0)
                                return log_oom();
                        cells[l->failure_column] = why;
                        if (table_add_row(table, cells) < 0)
                                return log_oom();
                        continue;
                }

                if (top) {
                        /* One host's rows go straight into the array, as always. */
                        rows = several ? json_object_new_array() : json_object_get(top);
                        if (!rows)
                                return log_oom();
                }

                while ((r = l->add_row(h->data, several ? h->name : NULL, table, rows, now)) > 0)
                        n++;
                if (r < 0) {
                        if (r == -ENOMEM)
                                return log_oom();
                        if (!several)
                                return ctl_log_error_errno(r, "%s: %m", l->what);
                        ctl_log_error_errno(r, "%s: %s: %m", h->name, l->what);
                        ret = EXIT_FAILURE;
                }

                if (top && several &&
                    json_add_host(top, h, l->json_key, TAKE_PTR(rows)) < 0)
                        return log_oom();
        }

        if (top) {
                r = json_print(top);
                if (r < 0)
                        return r;
                return exit_status_of_hosts(f, ret);
        }

        if (table_n_rows(table) > 0) {
                r = table_print(table);
                if (r < 0)
                        return r;
        }
        if (arg_legend)
                listing_print_footer(l, f, n, table_n_rows(table) > 0);
        return exit_status_of_hosts(f, ret);
}

static int list_apps_add_row(sd_bus_message *m, const char *host, Table *table, json_object *array,
                             usec_t now) {
        const char *name, *state, *current, *available, *pending, *path;
        uint64_t scheduled;
        int r;

        r = sd_bus_message_read(m, "(sssssto)", &name, &state, &current, &available, &pending, &scheduled,
                                &path);
        if (r <= 0)
                return r;

        if (array) {
                _cleanup_(json_object_putp) json_object *o = json_object_new_object();

                if (!o ||
                    json_add_string(o, "name", name) < 0 ||
                    json_add_string(o, "state", state) < 0 ||
                    json_add_string(o, "currentVersion", current) < 0 ||
                    json_add_string(o, "availableVersion", available) < 0 ||
                    json_add_string(o, "pendingVersion", pending) < 0 ||
                    json_add_timestamp(o, "scheduledFor", scheduled) < 0 ||
                    json_object_array_add(array, o) < 0)
                        return -ENOMEM;
                TAKE_PTR(o);
                return 1;
        }

        char next[RELATIVE_MAX];
        const char *cells[] = {
                host, name, current, available, state,
                scheduled > 0 ? format_relative(next, sizeof next, scheduled, now) : NULL,
        };

        /* Without a host, the row starts at APP. */
        r = table_add_row(table, cells + !host);
        return r < 0 ? r : 1;
}

int verb_list(int argc, char *argv[]) {
        static const Listing listing = {
                .method = "ListApps",
                .signature = "(sssssto)",
                .what = "Failed to list apps",
                .json_key = "apps",
                .headers = { "HOST", "APP", "CURRENT", "AVAILABLE", "STATE", "NEXT" },
                .n_columns = 5,
                .failure_column = 4,
                .add_row = list_apps_add_row,
                .singular = "app",
                .plural = "apps",
        };

        return listing_show(&listing);
}

static int list_jobs_add_row(sd_bus_message *m, const char *host, Table *table, json_object *array,
                             usec_t now) {
        const char *app, *type, *job_path, *app_path;
        uint32_t id, progress;
        int r;

        r = sd_bus_message_read(m, "(ussuoo)", &id, &app, &type, &progress, &job_path, &app_path);
        if (r <= 0)
                return r;

        if (array) {
                _cleanup_(json_object_putp) json_object *o = json_object_new_object();

                if (!o ||
                    json_add_value(o, "id", json_object_new_int64(id)) < 0 ||
                    json_add_string(o, "app", app) < 0 ||
                    json_add_string(o, "type", type) < 0 ||
                    json_add_value(o, "progress", json_object_new_int64(progress)) < 0 ||
                    json_add_string(o, "job", job_path) < 0 ||
                    json_add_string(o, "appPath", app_path) < 0 ||
                    json_object_array_add(array, o) < 0)
                        return -ENOMEM;
                TAKE_PTR(o);
                return 1;
        }

        char id_text[16], progress_text[8];

        (void) snprintf(id_text, sizeof id_text, "%" PRIu32, id);
        (void) snprintf(progress_text, sizeof progress_text, "%" PRIu32 "%%", progress);
        r = table_add_row(table, (const char *const[]) { host, id_text, app, type, progress_text } + !host);
        return r < 0 ? r : 1;
}

/* As "systemctl list-jobs": one row per running job, from Manager.ListJobs(). */
int verb_list_jobs(int argc, char *argv[]) {
        static const Listing listing = {
                .method = "ListJobs",
                .signature = "(ussuoo)",
                .what = "Failed to list jobs",
                .json_key = "jobs",
                .headers = { "HOST", "JOB", "APP", "TYPE", "PROGRESS" },
                .n_columns = 4,
                .failure_column = 3,
                .add_row = list_jobs_add_row,
                .singular = "job",
                .plural = "jobs",
                .none = "No jobs running",
        };

        return listing_show(&listing);
}

/* "●" as systemctl marks a unit, where the terminal's character set has it. */
static const char *bullet(void) {
        return streq(nl_langinfo(CODESET), "UTF-8") ? "\xe2\x97\x8f" : "*";
}

static void print_field(const char *label, const char *value) {
        printf("%12s: %s\n", label, value);
}

static void print_time_field(const char *label, usec_t t, usec_t now) {
        char ts[TIMESTAMP_LOCAL_MAX], rel[RELATIVE_MAX];

        printf("%12s: %s; %s\n", label,
               format_timestamp_local(ts, sizeof ts, t) ?: "?",
               format_relative(rel, sizeof rel, t, now));
}

/* When the update timer can next apply the pending version: not before it is due nor before the
 * back-off ends, inside the window. 0 when nothing is pending, a pause or trial holds it, or the window
 * cannot be read. The window is counted in this machine's local time, as the timer counts it. */
static usec_t app_next_attempt(const AppInfo *a, usec_t now) {
        usec_t t;
        Window w;

        if (isempty(a->pending_version) || a->paused || streq(a->state, "trial"))
                return 0;
        if (window_parse(a->window, &w, NULL) < 0)
                return 0;
        if (backoff_next_attempt(&w, now, a->scheduled_for, a->backoff_until, &t) < 0)
                return 0;
        return t;
}

/* A block like systemctl status: what an operator asks first (where from, what runs, what comes next)
 * at the top; fields with nothing to say are left out, except those whose absence is news. */
static void print_app_status(const AppInfo *a, usec_t now) {
        printf("%s %s%s%s\n", bullet(), a->name, isempty(a->description) ? "" : " - ", a->description);

        print_field("Source", a->source);
        print_field("Policy", a->policy);
        print_field("State", a->state);
        print_field("Current", isempty(a->current_version) ? "none" : a->current_version);
        if (a->current_version_faults > 0) {
                char ts[TIMESTAMP_LOCAL_MAX], rel[RELATIVE_MAX];

                /* A version that passed its trial and fails since: "upkeepctl faults" tells more. */
                printf("%12s: %" PRIu64 " since %s started, last %s; %s (upkeepctl faults %s)\n", "Faults",
                       a->current_version_faults, a->current_version,
                       format_timestamp_local(ts, sizeof ts, a->last_fault) ?: "?",
                       format_relative(rel, sizeof rel, a->last_fault, now), a->name);
        }
        /* After a rollback both links name the good version: there is nothing to go back to. */
        if (!isempty(a->previous_version) && !streq_ptr(a->previous_version, a->current_version))
                print_field("Previous", a->previous_version);
        if (!isempty(a->available_version))
                print_field("Available", a->available_version);
        if (!isempty(a->pending_version))
                print_field("Pending", a->pending_version);
        if (!isempty(a->pinned_version))
                print_field("Pinned", a->pinned_version);
        if (a->scheduled_for > 0)
                print_time_field("Scheduled", a->scheduled_for, now);
        print_field("Window", isempty(a->window) ? "any time" : a->window);
        if (a->failed_attempts > 0)
                printf("%12s: %" PRIu32 " scheduled update%s in a row\n", "Failed", a->failed_attempts,
                       a->failed_attempts == 1 ? "" : "s");
        if (a->backoff_until > now)
                print_time_field("Backing off", a->backoff_until, now);
        usec_t next = app_next_attempt(a, now);
        if (next > 0) {
                char ts[TIMESTAMP_LOCAL_MAX], rel[RELATIVE_MAX];

                if (next <= now)
                        printf("%12s: due, at the update timer's next event\n", "Next attempt");
                else
                        printf("%12s: not before %s; %s (inside the window)\n", "Next attempt",
                               format_timestamp_local(ts, sizeof ts, next) ?: "?",
                               format_relative(rel, sizeof rel, next, now));
        }
        if (a->last_check > 0)
                print_time_field("Last check", a->last_check, now);
        else
                print_field("Last check", "never");
        if (!isempty(a->last_error))
                print_field("Last error", a->last_error);
        if (a->paused)
                printf("%12s: yes (%s)\n", "Paused", isempty(a->pause_reason) ? "no reason given" : a->pause_reason);
        else
                print_field("Paused", "no");
        print_field("Unit", a->unit);
}

static int json_history(const History *h, json_object **ret) {
        _cleanup_(json_object_putp) json_object *array = NULL;

        array = json_object_new_array();
        if (!array)
                return -ENOMEM;

        for (size_t i = 0; i < h->n; i++) {
                const HistoryEntry *e = h->entries + i;
                _cleanup_(json_object_putp) json_object *o = json_object_new_object();

                if (!o ||
                    json_add_timestamp(o, "time", e->time) < 0 ||
                    json_add_string(o, "from", e->from) < 0 ||
                    json_add_string(o, "to", e->to) < 0 ||
                    json_add_string(o, "how", e->how) < 0 ||
                    json_object_array_add(array, o) < 0)
                        return -ENOMEM;
                TAKE_PTR(o);
        }

        *ret = TAKE_PTR(array);
        return 0;
}

/* Keys are the bus property names in camelCase, so one name serves busctl users and jq users alike. */
static int json_app_status(const AppInfo *a, usec_t now, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        json_object *history = NULL;

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;

        if (json_add_string(o, "name", a->name) < 0 ||
            json_add_string(o, "description", a->description) < 0 ||
            json_add_string(o, "unit", a->unit) < 0 ||
            json_add_string(o, "source", a->source) < 0 ||
            json_add_string(o, "policy", a->policy) < 0 ||
            json_add_string(o, "state", a->state) < 0 ||
            json_add_string(o, "currentVersion", a->current_version) < 0 ||
            json_add_string(o, "previousVersion", a->previous_version) < 0 ||
            json_add_string(o, "availableVersion", a->available_version) < 0 ||
            json_add_string(o, "pendingVersion", a->pending_version) < 0 ||
            json_add_string(o, "pinnedVersion", a->pinned_version) < 0 ||
            json_add_timestamp(o, "scheduledFor", a->scheduled_for) < 0 ||
            json_add_timestamp(o, "lastCheck", a->last_check) < 0 ||
            json_add_string(o, "lastError", a->last_error) < 0 ||
            json_add_string(o, "window", a->window) < 0 ||
            json_add_value(o, "failedAttempts", json_object_new_int64(a->failed_attempts)) < 0 ||
            json_add_timestamp(o, "backoffUntil", a->backoff_until) < 0 ||
            json_add_timestamp(o, "nextAttempt", app_next_attempt(a, now)) < 0 ||
            json_add_bool(o, "paused", a->paused) < 0 ||
            json_add_string(o, "pauseReason", a->pause_reason) < 0 ||
            json_add_value(o, "faults", json_object_new_int64((int64_t) a->faults)) < 0 ||
            json_add_timestamp(o, "lastFault", a->last_fault) < 0 ||
            json_add_value(o, "currentVersionFaults", json_object_new_int64((int64_t) a->current_version_faults)) < 0 ||
            json_history(&a->history, &history) < 0)
                return -ENOMEM;

        if (json_add_value(o, "history", history) < 0)
                return -ENOMEM;

        *ret = TAKE_PTR(o);
        return 0;
}

/* One app that status shows, as asked for on one host: its properties once they came, or why not. */
typedef struct StatusApp {
        char *name;                /* as given, or as ListApps() named it */
        AppInfo *info;             /* NULL until read */
        int r;                     /* why it could not be read: a local error... */
        sd_bus_error error;        /* ... or the daemon's */
} StatusApp;

/* A host's apps, in the order asked for, or as ListApps() gave them. */
typedef struct StatusHost {
        StatusApp **apps;
        size_t n_apps;
} StatusHost;

static void status_host_free(void *data) {
        StatusHost *s = data;

        for (size_t i = 0; i < s->n_apps; i++) {
                free(s->apps[i]->name);
                app_info_free(s->apps[i]->info);
                sd_bus_error_free(&s->apps[i]->error);
                free(s->apps[i]);
        }
        free(s->apps);
        free(s);
}

static int status_host_add(StatusHost *s, const char *name, StatusApp **ret) {
        _cleanup_free_ StatusApp *a = NULL;
        StatusApp **l;

        a = calloc(1, sizeof(StatusApp));
        if (!a)
                return -ENOMEM;
        a->error = SD_BUS_ERROR_NULL;
        a->name = strdup(name);
        if (!a->name)
                return -ENOMEM;

        l = reallocarray(s->apps, s->n_apps + 1, sizeof(StatusApp *));
        if (!l) {
                free(a->name);
                return -ENOMEM;
        }
        s->apps = l;
        s->apps[s->n_apps++] = a;

        *ret = TAKE_PTR(a);
        return 0;
}

/* Keeps why an app could not be shown, to tell in its turn; the host's other apps go on. */
static int status_app_fail(StatusApp *a, sd_bus_message *reply) {
        a->r = sd_bus_message_get_errno(reply) ?: EIO;
        /* (Returns the error's errno; out of memory, it keeps a NoMemory error instead.) */
        (void) sd_bus_error_copy(&a->error, sd_bus_message_get_error(reply));
        return 0;
}

static int status_info_reply(FleetHost *h, sd_bus_message *reply, void *userdata) {
        StatusApp *a = userdata;
        int r;

        if (sd_bus_message_is_method_error(reply, NULL))
                return status_app_fail(a, reply);

        r = app_info_from_message(reply, &a->info);
        if (r < 0)
                a->r = -r;
        return 0;
}

static int status_get_info(FleetHost *h, StatusApp *a, const char *path) {
        return fleet_call(h, path, "org.freedesktop.DBus.Properties", "GetAll", status_info_reply, a,
                          "s", UPKEEP_APP_INTERFACE);
}

/* GetApp() rather than the path made here: the daemon answers NoSuchApp with a message that says
 * where it looked, where a made-up path would only get "unknown object". */
static int status_path_reply(FleetHost *h, sd_bus_message *reply, void *userdata) {
        StatusApp *a = userdata;
        const char *path;
        int r;

        if (sd_bus_message_is_method_error(reply, NULL))
                return status_app_fail(a, reply);

        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;

        return status_get_info(h, a, path);
}

static int status_list_reply(FleetHost *h, sd_bus_message *reply, void *userdata) {
        const char *name, *path;
        int r;

        if (sd_bus_message_is_method_error(reply, NULL))
                return fleet_host_fail_reply(h, reply);

        r = sd_bus_message_enter_container(reply, 'a', "(sssssto)");
        if (r < 0)
                return r;

        while ((r = sd_bus_message_read(reply, "(sssssto)", &name, NULL, NULL, NULL, NULL, NULL, &path)) > 0) {
                StatusApp *a;

                r = status_host_add(h->data, name, &a);
                if (r < 0)
                        return r;

                r = status_get_info(h, a, path);
                if (r < 0)
                        return r;
        }
        return r;
}

static int status_start(FleetHost *h, void *userdata) {
        char **names = userdata;
        StatusHost *s;
        int r;

        s = calloc(1, sizeof(StatusHost));
        if (!s)
                return -ENOMEM;
        h->data = s;

        if (!names || !names[0])
                return fleet_call(h, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE, "ListApps",
                                  status_list_reply, NULL, NULL);

        /* All at once: the answers come in any order, and are shown in the order asked. */
        for (char **n = names; *n; n++) {
                StatusApp *a;

                r = status_host_add(s, *n, &a);
                if (r < 0)
                        return r;

                r = fleet_call(h, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE, "GetApp",
                               status_path_reply, a, "s", *n);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Shows a host's apps, as text or appended to the JSON array. Returns the exit status of the first
 * app that could not be shown, as systemctl status does: one missing app does not hide the others. */
static int show_host_status(const FleetHost *h, bool several, json_object *array) {
        const StatusHost *s = h->data;
        bool first = true;
        int r, ret = 0;

        for (size_t i = 0; i < s->n_apps; i++) {
                const StatusApp *a = s->apps[i];

                if (!a->info) {
                        r = log_bus_error(-a->r, &a->error, "%s%sFailed to show status of %s",
                                          several ? h->name : "", several ? ": " : "", a->name);
                        if (ret == 0)
                                ret = r;
                        continue;
                }

                if (array) {
                        json_object *o;

                        r = json_app_status(a->info, now_realtime(), &o);
                        if (r < 0)
                                return log_oom();
                        if (json_object_array_add(array, o) < 0) {
                                json_object_put(o);
                                return log_oom();
                        }
                        continue;
                }

                if (!first)
                        putchar('\n');
                first = false;
                print_app_status(a->info, now_realtime());
        }

        return ret;
}

int verb_status(int argc, char *argv[]) {
        _cleanup_(fleet_freep) Fleet *f = NULL;
        _cleanup_(json_object_putp) json_object *top = NULL;
        bool several;
        int r, ret = 0;

        r = fleet_new(arg_hosts, arg_timeout, status_host_free, &f);
        if (r < 0)
                return log_oom();
        several = several_hosts(f);

        r = fleet_run(f, status_start, argv + 1);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to show status: %m");

        if (arg_json != JSON_OFF) {
                top = json_object_new_array();
                if (!top)
                        return log_oom();
        }

        for (size_t i = 0; i < f->n_hosts; i++) {
                const FleetHost *h = f->hosts + i;
                _cleanup_(json_object_putp) json_object *apps = NULL;

                if (h->failed && !several) {
                        ctl_log_error("Failed to show status: %s", h->failure ?: "out of memory");
                        return h->failure_status;
                }

                /* With several hosts, each under a line that names it. */
                if (several && !top) {
                        if (i > 0)
                                putchar('\n');
                        if (h->failed)
                                printf("Host: %s (unreachable: %s)\n", h->name, h->failure ?: "out of memory");
                        else
                                printf("Host: %s\n", h->name);
                }
                if (h->failed) {
                        if (top && json_add_host(top, h, "apps", NULL) < 0)
                                return log_oom();
                        continue;
                }

                if (top) {
                        apps = several ? json_object_new_array() : json_object_get(top);
                        if (!apps)
                                return log_oom();
                }

                r = show_host_status(h, several, apps);
                if (r < 0)
                        return r;
                if (r > 0 && ret == 0)
                        ret = r;

                if (top && several && json_add_host(top, h, "apps", TAKE_PTR(apps)) < 0)
                        return log_oom();
        }

        if (top) {
                r = json_print(top);
                if (r < 0)
                        return r;
        }

        return exit_status_of_hosts(f, ret);
}

int verb_history(int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(history_done) History history = {};
        _cleanup_(table_freep) Table *table = NULL;
        _cleanup_free_ char *path = NULL;
        const char *name = argv[1];
        int r;

        r = bus_connect(&bus);
        if (r < 0)
                return r;

        r = app_lookup(bus, name, &error, &path);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to show history of %s", name);

        r = app_history_get(bus, path, &error, &history);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to show history of %s", name);

        if (arg_json != JSON_OFF) {
                _cleanup_(json_object_putp) json_object *array = NULL;

                r = json_history(&history, &array);
                if (r < 0)
                        return log_oom();
                return json_print(array);
        }

        r = table_new(4, (const char *const[]) { "TIME", "FROM", "TO", "HOW" }, &table);
        if (r < 0)
                return log_oom();

        for (size_t i = 0; i < history.n; i++) {
                const HistoryEntry *e = history.entries + i;
                char ts[TIMESTAMP_LOCAL_MAX];

                r = table_add_row(table, (const char *const[]) {
                                format_timestamp_local(ts, sizeof ts, e->time), e->from, e->to, e->how,
                        });
                if (r < 0)
                        return log_oom();
        }

        if (history.n > 0) {
                r = table_print(table);
                if (r < 0)
                        return r;
        }
        if (arg_legend)
                printf("%s%zu version %s listed.\n", history.n > 0 ? "\n" : "", history.n,
                       history.n == 1 ? "change" : "changes");
        return 0;
}
