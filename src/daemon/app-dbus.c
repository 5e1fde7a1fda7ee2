/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "app-apply.h"
#include "app-dbus.h"
#include "app-fetch.h"
#include "app-journal.h"
#include "app-stage.h"
#include "app.h"
#include "bus-error.h"
#include "bus-util.h"
#include "fault-store.h"
#include "job.h"
#include "log.h"
#include "manager-dbus.h"
#include "manager.h"
#include "polkit.h"
#include "stage.h"
#include "strv.h"
#include "time-util.h"
#include "version.h"

static int app_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                           void **found, sd_bus_error *error) {
        _cleanup_free_ char *name = NULL;
        Manager *m = userdata;
        App *a;
        int r;

        r = sd_bus_path_decode(path, UPKEEP_APP_PATH_PREFIX, &name);
        if (r <= 0)
                return r;

        a = manager_get_app(m, name);
        if (!a)
                return 0;

        *found = a;
        return 1;
}

static int app_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***ret,
                               sd_bus_error *error) {
        _cleanup_(strv_freep) char **l = NULL;
        Manager *m = userdata;
        int r;

        for (size_t i = 0; i < m->n_apps; i++) {
                r = strv_extend(&l, m->apps[i]->object_path);
                if (r < 0)
                        return r;
        }
        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }

        *ret = TAKE_PTR(l);
        return 1;
}

/* The App behind a method call, looked up again by path: after a polkit prompt the App the call
 * started with may have been dropped by a Reload(). */
static App *app_of_call(sd_bus_message *call, Manager *m, sd_bus_error *error) {
        _cleanup_free_ char *name = NULL;
        App *a = NULL;

        if (sd_bus_path_decode(sd_bus_message_get_path(call), UPKEEP_APP_PATH_PREFIX, &name) > 0)
                a = manager_get_app(m, name);
        if (!a)
                (void) sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_APP, "App '%s' no longer exists.",
                                         strempty(name));
        return a;
}

/* Defines name, the continuation of a guarded App method, and opens the body of what it does once
 * polkit said yes, on the App a looked up again by the call's path (app_of_call()). */
#define DEFINE_APP_ACTION(name)                                                                 \
        static int name##_app(sd_bus_message *call, App *a, sd_bus_error *error);              \
        static int name(sd_bus_message *call, void *userdata, sd_bus_error *error) {           \
                App *a = app_of_call(call, userdata, error);                                   \
                return a ? name##_app(call, a, error) : -ENOENT;                               \
        }                                                                                      \
        static int name##_app(sd_bus_message *call, App *a, sd_bus_error *error)

/* As DEFINE_APP_ACTION(), for an action on a version the method does not name but finds in the app's
 * state (field, e.g. pending_version): the version polkit was asked about (detail "version") must still
 * be that one once polkit answered, or a rule, or the admin typing a password, would have allowed one
 * version and got another. */
#define DEFINE_APP_ACTION_ON_VERSION(name, field)                                               \
        static int name##_app(sd_bus_message *call, App *a, sd_bus_error *error);              \
        static int name(sd_bus_message *call, void *userdata, sd_bus_error *error) {           \
                App *a = app_of_call(call, userdata, error);                                   \
                if (!a)                                                                        \
                        return -ENOENT;                                                        \
                if (!streq_ptr(polkit_detail("version"), a->state->field))                     \
                        return app_version_changed(a, polkit_detail("version"), a->state->field, error); \
                return name##_app(call, a, error);                                             \
        }                                                                                      \
        static int name##_app(sd_bus_message *call, App *a, sd_bus_error *error)

static int app_version_changed(App *a, const char *asked, const char *now, sd_bus_error *error) {
        return sd_bus_error_setf(error, BUS_ERROR_VERSION_CHANGED,
                                 "%s changed while authorization was asked: it was %s, it is now %s. Nothing was done.",
                                 a->name, isempty(asked) ? "no version" : asked, isempty(now) ? "no version" : now);
}

/* Checks action for the caller on a (and version, when not NULL), then runs act (DEFINE_APP_ACTION()). */
static int app_verify_then(sd_bus_message *call, App *a, const char *action, const char *version,
                           polkit_continue_t act, sd_bus_error *error) {
        return bus_verify_then(call, action,
                               (const char *const[]) { "app", a->name, version ? "version" : NULL, version, NULL },
                               act, a->manager, error);
}

/* The end of the methods that change a setting (Pause, Resume, Pin, Unpin): the reply goes out at once
 * when nothing would change, else the change is authorized as managing the app, then made by act. */
static int app_verify_change(sd_bus_message *call, App *a, bool unchanged, const char *version,
                             polkit_continue_t act, sd_bus_error *error) {
        if (unchanged)
                return sd_bus_reply_method_return(call, NULL);

        return app_verify_then(call, a, UPKEEP_ACTION_MANAGE, version, act, error);
}

#define DEFINE_STATE_STRING_GETTER(func, field)                                         \
        static int func(sd_bus *bus, const char *path, const char *interface,           \
                        const char *property, sd_bus_message *reply,                    \
                        void *userdata, sd_bus_error *error) {                          \
                App *a = userdata;                                                      \
                return sd_bus_message_append(reply, "s", strempty(a->state->field));    \
        }

DEFINE_STATE_STRING_GETTER(property_get_current_version, current_version)
DEFINE_STATE_STRING_GETTER(property_get_previous_version, previous_version)
DEFINE_STATE_STRING_GETTER(property_get_available_version, available_version)
DEFINE_STATE_STRING_GETTER(property_get_pending_version, pending_version)
DEFINE_STATE_STRING_GETTER(property_get_pinned_version, pinned_version)
DEFINE_STATE_STRING_GETTER(property_get_last_error, last_error)
DEFINE_STATE_STRING_GETTER(property_get_pause_reason, pause_reason)

static int property_get_name(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        App *a = userdata;
        return sd_bus_message_append(reply, "s", a->name);
}

static int property_get_description(sd_bus *bus, const char *path, const char *interface,
                                    const char *property, sd_bus_message *reply, void *userdata,
                                    sd_bus_error *error) {
        App *a = userdata;
        return sd_bus_message_append(reply, "s", strempty(a->config->description));
}

static int property_get_source(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        App *a = userdata;
        return sd_bus_message_append(reply, "s", strempty(a->config->source));
}

static int property_get_policy(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        App *a = userdata;
        return sd_bus_message_append(reply, "s", update_policy_to_string(a->config->policy));
}

static int property_get_unit(sd_bus *bus, const char *path, const char *interface, const char *property,
                             sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        App *a = userdata;
        char unit[256];
        return sd_bus_message_append(reply, "s", app_unit_name(a, unit, sizeof unit));
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        App *a = userdata;
        return sd_bus_message_append(reply, "s", app_state_string(a));
}

static int property_get_scheduled_for(sd_bus *bus, const char *path, const char *interface,
                                      const char *property, sd_bus_message *reply, void *userdata,
                                      sd_bus_error *error) {
        App *a = userdata;
        return sd_bus_message_append(reply, "t", a->state->pending_version ? a->state->due_at : 0);
}

static int property_get_last_check(sd_bus *bus, const char *path, const char *interface,
                                   const char *property, sd_bus_message *reply, void *userdata,
                                   sd_bus_error *error) {
        App *a = userdata;
        return sd_bus_message_append(reply, "t", a->state->last_check);
}

static int property_get_failed_attempts(sd_bus *bus, const char *path, const char *interface,
                                        const char *property, sd_bus_message *reply, void *userdata,
                                        sd_bus_error *error) {
        App *a = userdata;
        return sd_bus_message_append(reply, "u", (uint32_t) a->state->backoff_failures);
}

static int property_get_backoff_until(sd_bus *bus, const char *path, const char *interface,
                                      const char *property, sd_bus_message *reply, void *userdata,
                                      sd_bus_error *error) {
        App *a = userdata;
        return sd_bus_message_append(reply, "t", (uint64_t) a->state->backoff_until);
}

static int property_get_window(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        App *a = userdata;
        return sd_bus_message_append(reply, "s", strempty(a->config->window));
}

static int property_get_paused(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        App *a = userdata;
        return sd_bus_message_append(reply, "b", a->state->paused);
}

static int property_get_history(sd_bus *bus, const char *path, const char *interface,
                                const char *property, sd_bus_message *reply, void *userdata,
                                sd_bus_error *error) {
        App *a = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(tsss)");
        if (r < 0)
                return r;

        for (size_t i = 0; i < a->state->n_history; i++) {
                const Transition *t = a->state->history + i;

                r = sd_bus_message_append(reply, "(tsss)", t->time, strempty(t->from), strempty(t->to),
                                          transition_kind_to_string(t->kind));
                if (r < 0)
                        return r;
        }

        return sd_bus_message_close_container(reply);
}

static int reply_done(sd_bus_message *call, int r) {
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(call, NULL);
}

DEFINE_APP_ACTION(pause_authorized) {
        const char *reason;
        int r;

        r = sd_bus_message_read(call, "s", &reason);
        if (r < 0)
                return r;

        return reply_done(call, app_pause(a, isempty(reason) ? "paused by an operator" : reason));
}

/* The fault counts upkeep-fault keeps (it runs without us): read when asked. */
static int property_get_faults(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        _cleanup_(fault_counts_done) FaultCounts c = {};
        const FaultVersionCount *v;
        App *a = userdata;
        uint64_t value = 0;
        int r;

        r = fault_load_counts_at(a->dir_fd, &c);
        if (r < 0 && r != -ENOENT)
                log_debug_errno(r, "Failed to read the fault counts of %s, taking none: %m", a->name);

        if (streq(property, "Faults"))
                value = c.total;
        else if (streq(property, "LastFault"))
                value = c.last;
        else if (a->state->current_version && (v = fault_counts_find(&c, a->state->current_version)))
                value = v->after_trial;  /* CurrentVersionFaults */

        return sd_bus_message_append(reply, "t", value);
}

/* Every report kept, oldest first: (id, time, version, result, exit status, description). What a
 * report holds beyond that (journal lines, files) is GetFault()'s, which asks polkit. */
static int method_list_faults(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(strv_freep) char **ids = NULL;
        App *a = userdata;
        int r;

        r = fault_list_at(a->dir_fd, &ids);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to list the fault reports of %s: %m", a->name);

        r = bus_reply_array_new(call, "(stssss)", &reply);
        if (r < 0)
                return r;

        for (char **id = ids; id && *id; id++) {
                _cleanup_(fault_report_freep) FaultReport *f = NULL;
                _cleanup_free_ char *description = NULL;

                r = fault_load_at(a->dir_fd, *id, &f);
                if (r < 0) {
                        /* Pruned meanwhile, or corrupt: the others are still worth listing. */
                        log_debug_errno(r, "Failed to load fault report %s of %s, skipping it: %m", *id, a->name);
                        continue;
                }
                r = fault_describe(f, &description);
                if (r < 0)
                        return r;
                r = sd_bus_message_append(reply, "(stssss)", f->id, f->time, strempty(f->version),
                                          strempty(f->result), strempty(f->exit_status), description);
                if (r < 0)
                        return r;
        }

        return bus_reply_array_send(reply);
}

DEFINE_APP_ACTION(get_fault_authorized) {
        _cleanup_(fault_report_freep) FaultReport *f = NULL;
        _cleanup_free_ char *json = NULL;
        const char *id;
        int r;

        r = sd_bus_message_read(call, "s", &id);
        if (r < 0)
                return r;

        r = fault_load_at(a->dir_fd, id, &f);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_FAULT, "%s has no fault report %s (see ListFaults()).",
                                         a->name, id);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to read fault report %s of %s: %m", id, a->name);

        r = fault_report_to_json(f, &json);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(call, "s", json);
}

static int method_get_fault(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        App *a = userdata;
        const char *id;
        int r;

        r = sd_bus_message_read(call, "s", &id);
        if (r < 0)
                return r;
        /* Checked before polkit is asked: an ID names a file. */
        if (!fault_id_is_valid(id))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "'%s' is not a fault report ID (expected YYYYMMDD-HHMMSS-UUUUUU).", id);

        return app_verify_then(call, a, UPKEEP_ACTION_READ_FAULTS, NULL, get_fault_authorized, error);
}

static int method_pause(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        App *a = userdata;
        const char *reason;
        int r;

        r = sd_bus_message_read(call, "s", &reason);
        if (r < 0)
                return r;

        bool unchanged = a->state->paused && (isempty(reason) || streq_ptr(reason, a->state->pause_reason));
        return app_verify_change(call, a, unchanged, NULL, pause_authorized, error);
}

DEFINE_APP_ACTION(resume_authorized) {
        return reply_done(call, app_resume(a));
}

static int method_resume(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        App *a = userdata;

        return app_verify_change(call, a, !a->state->paused, NULL, resume_authorized, error);
}

DEFINE_APP_ACTION(pin_authorized) {
        const char *version;
        int r;

        r = sd_bus_message_read(call, "s", &version);
        if (r < 0)
                return r;

        return reply_done(call, app_pin(a, version));
}

static int method_pin(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        const char *version;
        App *a = userdata;
        int r;

        r = sd_bus_message_read(call, "s", &version);
        if (r < 0)
                return r;

        if (!version_is_valid(version))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_VERSION,
                                         "'%s' is not a valid version (expected a semantic version such as 1.4.2).",
                                         version);

        return app_verify_change(call, a, streq_ptr(a->state->pinned_version, version), version, pin_authorized, error);
}

DEFINE_APP_ACTION(unpin_authorized) {
        return reply_done(call, app_unpin(a));
}

static int method_unpin(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        App *a = userdata;

        return app_verify_change(call, a, !a->state->pinned_version, NULL, unpin_authorized, error);
}

/* Whether a job can start on a: not while another runs. */
static int app_can_start_job(App *a, sd_bus_error *error) {
        if (a->job)
                return sd_bus_error_setf(error, BUS_ERROR_BUSY, "A %s job (%s) is already running for %s.",
                                         job_type_to_string(a->job->type), a->job->object_path, a->name);
        if (!a->config->source)
                return sd_bus_error_setf(error, BUS_ERROR_NOT_SUPPORTED,
                                         "%s runs a local program (upkeepctl run without --source): there is no "
                                         "release channel to check or update from.", a->name);
        return 0;
}

static int reply_job(sd_bus_message *call, int r, Job *j, App *a, sd_bus_error *error) {
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to start a job for %s: %m", a->name);
        return sd_bus_reply_method_return(call, "o", j->object_path);
}

DEFINE_APP_ACTION(check_authorized) {
        Job *j = NULL;
        int r;

        r = app_can_start_job(a, error);
        if (r < 0)
                return r;

        r = app_start_check(a, &j);
        return reply_job(call, r, j, a, error);
}

static int method_check(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        App *a = userdata;
        int r;

        r = app_can_start_job(a, error);
        if (r < 0)
                return r;

        return app_verify_then(call, a, UPKEEP_ACTION_CHECK, NULL, check_authorized, error);
}

DEFINE_APP_ACTION(update_authorized) {
        const char *version;
        Job *j = NULL;
        int r;

        r = sd_bus_message_read(call, "s", &version);
        if (r < 0)
                return r;
        r = app_can_start_job(a, error);
        if (r < 0)
                return r;

        r = app_start_update(a, isempty(version) ? NULL : version, &j);
        return reply_job(call, r, j, a, error);
}

static int method_update(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        const char *version;
        App *a = userdata;
        int r;

        r = sd_bus_message_read(call, "s", &version);
        if (r < 0)
                return r;

        if (!isempty(version) && !version_is_valid(version))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_VERSION,
                                         "'%s' is not a valid version (expected a semantic version such as 1.4.2).",
                                         version);
        if (!isempty(version) && a->state->current_version &&
            app_version_same(a, version, a->state->current_version))
                return sd_bus_error_setf(error, BUS_ERROR_NOT_ALLOWED, "%s already runs version %s.",
                                         a->name, a->state->current_version);
        r = app_can_start_job(a, error);
        if (r < 0)
                return r;

        /* Choosing a version (perhaps an older one) is a stronger request than taking the latest. */
        return app_verify_then(call, a, isempty(version) ? UPKEEP_ACTION_UPDATE : UPKEEP_ACTION_UPDATE_TO_VERSION,
                               isempty(version) ? NULL : version, update_authorized, error);
}

static int apply_authorized_kind(sd_bus_message *call, App *a, TransitionKind kind, sd_bus_error *error) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (a->job)
                return app_can_start_job(a, error);

        r = app_start_apply_pending(a, kind, &path);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_VERSION, "%s has no staged version pending.", a->name);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to apply the pending version of %s: %m", a->name);
        return sd_bus_reply_method_return(call, "o", path);
}

/* Refuses a scheduled Apply() while automatic updates are paused or the app backs off: upkeep-condition
 * let the timer through a moment ago, from the state on disk; a pause or a back-off that came since is
 * honoured here, as the timer's own decision would be. */
static int apply_check_scheduled(App *a, sd_bus_error *error) {
        char ts[RFC3339_MAX];

        if (a->state->paused)
                return sd_bus_error_setf(error, BUS_ERROR_PAUSED, "Automatic updates of %s are paused: %s", a->name,
                                         isempty(a->state->pause_reason) ? "no reason given" : a->state->pause_reason);
        if (a->state->backoff_until > now_realtime())
                return sd_bus_error_setf(error, BUS_ERROR_BACKING_OFF,
                                         "%s is backing off after %u failed scheduled update(s), until %s.", a->name,
                                         a->state->backoff_failures,
                                         format_timestamp_rfc3339(ts, sizeof ts, a->state->backoff_until));
        return 0;
}

DEFINE_APP_ACTION_ON_VERSION(apply_authorized, pending_version) {
        uint64_t flags;
        int r;

        r = sd_bus_message_read(call, "t", &flags);
        if (r < 0)
                return r;

        return apply_authorized_kind(call, a,
                                     (flags & UPKEEP_APPLY_SCHEDULED) ? TRANSITION_SCHEDULED : TRANSITION_MANUAL,
                                     error);
}

/* Apply(t flags): one method for the operator's "apply now" and the update timer's scheduled apply,
 * which differ only in what may refuse them and how the switch is recorded, as sysupdate1 and
 * systemd1 tell such variants apart by flags. */
static int method_apply(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        App *a = userdata;
        uint64_t flags;
        int r;

        r = sd_bus_message_read(call, "t", &flags);
        if (r < 0)
                return r;

        if (flags & ~_UPKEEP_APPLY_KNOWN)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown flags 0x%" PRIx64 ".",
                                         flags & ~_UPKEEP_APPLY_KNOWN);
        if (!a->state->pending_version)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_VERSION, "%s has no staged version pending.", a->name);
        if ((flags & UPKEEP_APPLY_SCHEDULED)) {
                r = apply_check_scheduled(a, error);
                if (r < 0)
                        return r;
        }
        if (a->job)
                return app_can_start_job(a, error);

        return app_verify_then(call, a, UPKEEP_ACTION_UPDATE, a->state->pending_version, apply_authorized, error);
}

DEFINE_APP_ACTION_ON_VERSION(rollback_authorized, previous_version) {
        _cleanup_free_ char *path = NULL;
        int r;

        if (a->job)
                return app_can_start_job(a, error);

        r = app_start_rollback(a, &path);
        if (r == -ENOENT)
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_VERSION, "%s has no earlier version to go back to.", a->name);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to roll back %s: %m", a->name);
        return sd_bus_reply_method_return(call, "o", path);
}

static int method_rollback(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        App *a = userdata;

        if (!a->state->previous_version ||
            app_version_same(a, a->state->previous_version, strempty(a->state->current_version)))
                return sd_bus_error_setf(error, BUS_ERROR_NO_SUCH_VERSION, "%s has no earlier version to go back to.", a->name);
        if (a->job)
                return app_can_start_job(a, error);

        return app_verify_then(call, a, UPKEEP_ACTION_MANAGE, a->state->previous_version, rollback_authorized, error);
}

DEFINE_APP_ACTION(stage_authorized) {
        const char *version, *type;
        Job *j = NULL;
        int fd, r;

        /* The descriptor belongs to the message, so it is read from the message again here. */
        r = sd_bus_message_read(call, "hss", &fd, &version, &type);
        if (r < 0)
                return r;
        if (a->job)
                return app_can_start_job(a, error);

        r = app_start_stage(a, fd, version, artifact_type_from_string(type), &j);
        return reply_job(call, r, j, a, error);
}

/* Stages a file the caller opened and passed as a descriptor: upkeepd never opens a path on a
 * caller's behalf, so it reads nothing the caller could not read. The file carries no signature:
 * a polkit action of its own guards it, stronger than choosing a signed version. A job, as Update(): the answer is the
 * job's path, the result comes in JobRemoved. */
static int method_stage(sd_bus_message *call, void *userdata, sd_bus_error *error) {
        const char *version, *type;
        App *a = userdata;
        int fd, r;

        r = sd_bus_message_read(call, "hss", &fd, &version, &type);
        if (r < 0)
                return r;

        if (!version_is_valid(version))
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_VERSION,
                                         "'%s' is not a valid version (expected a semantic version such as 1.4.2).",
                                         version);
        if (artifact_type_from_string(type) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "'%s' is not an artifact type (expected tar, zip or binary).", type);
        r = bus_check_file_fd(fd, "file to stage", error);
        if (r < 0)
                return r;
        if (a->state->current_version && app_version_same(a, version, a->state->current_version))
                return sd_bus_error_setf(error, BUS_ERROR_NOT_ALLOWED, "%s already runs version %s.",
                                         a->name, a->state->current_version);
        if (a->job)
                return app_can_start_job(a, error);

        return app_verify_then(call, a, UPKEEP_ACTION_STAGE, version, stage_authorized, error);
}

const sd_bus_vtable app_vtable[] = {
        SD_BUS_VTABLE_START(0),

        SD_BUS_PROPERTY("Name", "s", property_get_name, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Description", "s", property_get_description, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Unit", "s", property_get_unit, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Source", "s", property_get_source, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Policy", "s", property_get_policy, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("CurrentVersion", "s", property_get_current_version, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PreviousVersion", "s", property_get_previous_version, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("AvailableVersion", "s", property_get_available_version, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PendingVersion", "s", property_get_pending_version, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PinnedVersion", "s", property_get_pinned_version, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ScheduledFor", "t", property_get_scheduled_for, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastCheck", "t", property_get_last_check, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastError", "s", property_get_last_error, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Window", "s", property_get_window, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("FailedAttempts", "u", property_get_failed_attempts, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("BackoffUntil", "t", property_get_backoff_until, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Paused", "b", property_get_paused, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PauseReason", "s", property_get_pause_reason, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("History", "a(tsss)", property_get_history, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Faults", "t", property_get_faults, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastFault", "t", property_get_faults, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("CurrentVersionFaults", "t", property_get_faults, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),

        SD_BUS_METHOD_WITH_ARGS("Check", SD_BUS_NO_ARGS, SD_BUS_RESULT("o", job),
                                method_check, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Update", SD_BUS_ARGS("s", version), SD_BUS_RESULT("o", job),
                                method_update, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Rollback", SD_BUS_NO_ARGS, SD_BUS_RESULT("o", job),
                                method_rollback, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Apply", SD_BUS_ARGS("t", flags), SD_BUS_RESULT("o", job),
                                method_apply, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Stage", SD_BUS_ARGS("h", file, "s", version, "s", type), SD_BUS_RESULT("o", job),
                                method_stage, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Pause", SD_BUS_ARGS("s", reason), SD_BUS_NO_RESULT,
                                method_pause, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Resume", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
                                method_resume, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Pin", SD_BUS_ARGS("s", version), SD_BUS_NO_RESULT,
                                method_pin, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Unpin", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
                                method_unpin, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListFaults", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(stssss)", faults),
                                method_list_faults, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetFault", SD_BUS_ARGS("s", id), SD_BUS_RESULT("s", report),
                                method_get_fault, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_VTABLE_END,
};

int app_dbus_register(Manager *m) {
        return bus_add_fallback_objects(m->bus, UPKEEP_APP_PATH_PREFIX, UPKEEP_APP_INTERFACE, app_vtable,
                                        app_object_find, app_node_enumerator, m);
}
