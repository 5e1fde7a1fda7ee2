/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The read-only verbs: list, status and history, as text for people or as JSON for scripts. Reading
 * properties needs no authorization, so these never start a polkit agent. */
#include <inttypes.h>
#include <langinfo.h>
#include <stdio.h>

#include "backoff.h"
#include "ctl-bus.h"
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

static int list_apps(sd_bus *bus, sd_bus_error *error, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE,
                               "ListApps", error, &reply, NULL);
        if (r < 0)
                return r;

        r = sd_bus_message_enter_container(reply, 'a', "(sssssto)");
        if (r < 0)
                return r;

        *ret = TAKE_PTR(reply);
        return 0;
}

int verb_list(int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_object_putp) json_object *array = NULL;
        _cleanup_(table_freep) Table *table = NULL;
        const char *name, *state, *current, *available, *pending, *path;
        usec_t now = now_realtime();
        uint64_t scheduled;
        size_t n;
        int r;

        r = bus_connect(&bus);
        if (r < 0)
                return r;

        r = list_apps(bus, &error, &reply);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to list apps");

        if (arg_json != JSON_OFF) {
                array = json_object_new_array();
                if (!array)
                        return log_oom();
        } else {
                r = table_new(5, (const char *const[]) { "APP", "CURRENT", "AVAILABLE", "STATE", "NEXT" },
                              &table);
                if (r < 0)
                        return log_oom();
        }

        while ((r = sd_bus_message_read(reply, "(sssssto)", &name, &state, &current, &available, &pending,
                                        &scheduled, &path)) > 0) {
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
                                return log_oom();
                        TAKE_PTR(o);
                } else {
                        char next[RELATIVE_MAX];

                        r = table_add_row(table, (const char *const[]) {
                                        name, current, available, state,
                                        scheduled > 0 ? format_relative(next, sizeof next, scheduled, now) : NULL,
                                });
                        if (r < 0)
                                return log_oom();
                }
        }
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the list of apps: %m");

        if (array)
                return json_print(array);

        n = table_n_rows(table);
        if (n > 0) {
                r = table_print(table);
                if (r < 0)
                        return r;
        }
        if (arg_legend)
                printf("%s%zu %s listed.\n", n > 0 ? "\n" : "", n, n == 1 ? "app" : "apps");
        return 0;
}

/* As "systemctl list-jobs": one row per running job, from Manager.ListJobs(). */
int verb_list_jobs(int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_object_putp) json_object *array = NULL;
        _cleanup_(table_freep) Table *table = NULL;
        const char *app, *type, *job_path, *app_path;
        uint32_t id, progress;
        size_t n;
        int r;

        r = bus_connect(&bus);
        if (r < 0)
                return r;

        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE,
                               "ListJobs", &error, &reply, NULL);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to list jobs");

        r = sd_bus_message_enter_container(reply, 'a', "(ussuoo)");
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the list of jobs: %m");

        if (arg_json != JSON_OFF) {
                array = json_object_new_array();
                if (!array)
                        return log_oom();
        } else {
                r = table_new(4, (const char *const[]) { "JOB", "APP", "TYPE", "PROGRESS" }, &table);
                if (r < 0)
                        return log_oom();
        }

        while ((r = sd_bus_message_read(reply, "(ussuoo)", &id, &app, &type, &progress, &job_path, &app_path)) > 0) {
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
                                return log_oom();
                        TAKE_PTR(o);
                } else {
                        char id_text[16], progress_text[8];

                        (void) snprintf(id_text, sizeof id_text, "%" PRIu32, id);
                        (void) snprintf(progress_text, sizeof progress_text, "%" PRIu32 "%%", progress);
                        r = table_add_row(table, (const char *const[]) { id_text, app, type, progress_text });
                        if (r < 0)
                                return log_oom();
                }
        }
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the list of jobs: %m");

        if (array)
                return json_print(array);

        n = table_n_rows(table);
        if (n > 0) {
                r = table_print(table);
                if (r < 0)
                        return r;
        }
        if (arg_legend) {
                if (n == 0)
                        puts("No jobs running.");
                else
                        printf("\n%zu %s listed.\n", n, n == 1 ? "job" : "jobs");
        }
        return 0;
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
        if (!isempty(a->previous_version))
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

/* Shows one app, as text or appended to the JSON array. Returns the exit status. */
static int show_app_status(sd_bus *bus, const char *name, const char *path, json_object *array,
                           bool *first) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(app_info_freep) AppInfo *info = NULL;
        _cleanup_free_ char *looked_up = NULL;
        int r;

        if (!path) {
                r = app_lookup(bus, name, &error, &looked_up);
                if (r < 0)
                        return log_bus_error(r, &error, "Failed to show status of %s", name);
                path = looked_up;
        }

        r = app_info_get(bus, path, &error, &info);
        if (r < 0)
                return log_bus_error(r, &error, "Failed to show status of %s", name);

        if (array) {
                json_object *o;

                r = json_app_status(info, now_realtime(), &o);
                if (r < 0)
                        return log_oom();
                if (json_object_array_add(array, o) < 0) {
                        json_object_put(o);
                        return log_oom();
                }
                return 0;
        }

        if (!*first)
                putchar('\n');
        *first = false;
        print_app_status(info, now_realtime());
        return 0;
}

int verb_status(int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_object_putp) json_object *array = NULL;
        bool first = true;
        int r, ret = 0;

        r = bus_connect(&bus);
        if (r < 0)
                return r;

        if (arg_json != JSON_OFF) {
                array = json_object_new_array();
                if (!array)
                        return log_oom();
        }

        if (argc > 1)
                /* Like systemctl status: one missing app does not hide the others, but the exit
                 * status tells of the first failure. */
                for (int i = 1; i < argc; i++) {
                        r = show_app_status(bus, argv[i], NULL, array, &first);
                        if (r != 0 && ret == 0)
                                ret = r;
                }
        else {
                const char *name, *path;

                r = list_apps(bus, &error, &reply);
                if (r < 0)
                        return log_bus_error(r, &error, "Failed to list apps");

                while ((r = sd_bus_message_read(reply, "(sssssto)", &name, NULL, NULL, NULL, NULL, NULL,
                                                &path)) > 0) {
                        r = show_app_status(bus, name, path, array, &first);
                        if (r != 0 && ret == 0)
                                ret = r;
                }
                if (r < 0)
                        return ctl_log_error_errno(r, "Failed to read the list of apps: %m");
        }

        if (array) {
                r = json_print(array);
                if (r < 0)
                        return r;
        }

        return ret;
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
