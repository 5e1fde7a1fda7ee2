/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <systemd/sd-bus.h>

#include "app-emit.h"
#include "app.h"
#include "bus-names.h"
#include "log.h"
#include "manager-dbus.h"
#include "manager.h"

static bool history_equal(const AppState *x, const AppState *y) {
        if (x->n_history != y->n_history)
                return false;
        if (x->n_history == 0)
                return true;
        /* Entries are only ever appended (and the oldest dropped): the newest tells. */
        const Transition *p = x->history + x->n_history - 1, *q = y->history + y->n_history - 1;
        return p->time == q->time && p->kind == q->kind && streq_ptr(p->from, q->from) && streq_ptr(p->to, q->to);
}

/* The properties backed by the state file that differ between old and new, into names[] (room for
 * 16). only_condition: just those upkeep-condition changes (a rollback before a start). */
static size_t app_state_diff(const AppState *old, const AppState *new, bool only_condition, char **names) {
        size_t n = 0;

#define DIFF(cond, name) do { if (cond) names[n++] = (char *) name; } while (0)
        DIFF(!streq_ptr(old->current_version, new->current_version), "CurrentVersion");
        DIFF(!streq_ptr(old->previous_version, new->previous_version), "PreviousVersion");
        DIFF(!history_equal(old, new), "History");
        DIFF(old->paused != new->paused, "Paused");
        DIFF(!streq_ptr(old->pause_reason, new->pause_reason), "PauseReason");
        DIFF(old->backoff_failures != new->backoff_failures, "FailedAttempts");
        DIFF(old->backoff_until != new->backoff_until, "BackoffUntil");
        if (!only_condition) {
                DIFF(!streq_ptr(old->available_version, new->available_version), "AvailableVersion");
                DIFF(!streq_ptr(old->pending_version, new->pending_version), "PendingVersion");
                DIFF(!streq_ptr(old->pending_version, new->pending_version) || old->due_at != new->due_at,
                     "ScheduledFor");
                DIFF(!streq_ptr(old->pinned_version, new->pinned_version), "PinnedVersion");
                DIFF(old->last_check != new->last_check, "LastCheck");
                DIFF(!streq_ptr(old->last_error, new->last_error), "LastError");
        }
#undef DIFF
        return n;
}

void app_emit_state_diff(App *a, const AppState *old, const AppState *new, bool only_condition) {
        char *names[17];
        size_t n;
        int r;

        if (!a->manager->bus)
                return;

        n = app_state_diff(old, new, only_condition, names);
        /* State is derived from the rest, and from whether a trial runs. */
        if (n == 0 && !old->trial_version == !new->trial_version)
                return;
        names[n++] = (char *) "State";
        names[n] = NULL;

        r = sd_bus_emit_properties_changed_strv(a->manager->bus, a->object_path, UPKEEP_APP_INTERFACE, names);
        if (r < 0)
                log_debug_errno(r, "Failed to emit PropertiesChanged for %s, ignoring: %m", a->name);
        manager_emit_last_check(a->manager);
}
