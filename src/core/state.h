/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The per-app state in /var/lib/upkeep/apps/NAME/state.json: the one schema the daemon and the
 * condition helper share. Serialized with json-c; unknown fields are ignored on load so an older
 * upkeep can read a newer file. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "time-util.h"

#define STATE_FILE "state.json"
/* The state.json that the last save replaced, if it loaded: the last good copy to fall back on. */
#define STATE_FILE_OLD "state.json.old"
#define STATE_MAX_SIZE (4U * 1024U * 1024U)
#define STATE_HISTORY_MAX 64   /* oldest transitions are dropped beyond this */

typedef enum TransitionKind {
        TRANSITION_SCHEDULED,
        TRANSITION_MANUAL,
        TRANSITION_ROLLBACK,
        _TRANSITION_KIND_MAX,
        _TRANSITION_KIND_INVALID = -EINVAL,
} TransitionKind;

const char *transition_kind_to_string(TransitionKind k);
TransitionKind transition_kind_from_string(const char *s);

typedef struct Transition {
        usec_t time;          /* realtime */
        char *from;           /* NULL when there was no version before */
        char *to;
        TransitionKind kind;
} Transition;

typedef struct AppState {
        char *current_version;
        char *previous_version;
        char *available_version;  /* newest found in the channel */
        char *pending_version;    /* staged and scheduled to be applied */
        char *pinned_version;     /* NULL unless pinned */
        usec_t discovered_at;     /* when available_version was first seen; 0 = never */
        usec_t due_at;            /* when pending_version may be applied; 0 = not scheduled */
        usec_t last_check;        /* 0 = never */
        char *last_error;         /* NULL = none */

        /* A switch that has not yet proved itself. trial_version NULL = no trial running. */
        char *trial_version;
        usec_t trial_started_at;
        unsigned trial_starts;    /* unit starts counted by upkeep-condition during the trial */

        bool paused;
        char *pause_reason;

        unsigned backoff_failures; /* consecutive failed scheduled updates */
        usec_t backoff_until;      /* no scheduled attempt before this; 0 = none */

        uint64_t channel_serial;   /* last accepted channel serial; 0 = none yet */
        char *channel_digest;      /* hex SHA-256 of the last accepted channel.json */
        char *channel_etag;        /* validators of the last fetched channel.json, so an unchanged */
        usec_t channel_last_modified; /* channel costs a 304; NULL/0 = none */

        /* Source=go: apps: the gobuild service's transparency log as last verified. */
        char *gobuild_key;         /* verifier key pinned on first use (signed-note form); NULL = none yet */
        uint64_t tlog_size;        /* size of the last verified tree head; 0 = none yet */
        char *tlog_root;           /* its root hash, base64 */
        uint64_t tlog_forks;       /* tree heads refused as inconsistent with the one kept (a fork) */

        char **bad_versions;       /* NULL-terminated; never chosen automatically again */

        Transition *history;       /* oldest first, at most STATE_HISTORY_MAX */
        size_t n_history;
} AppState;

AppState *app_state_free(AppState *s);
static inline void app_state_freep(AppState **s) {
        app_state_free(*s);
}
int app_state_new(AppState **ret);

/* JSON round trip. from_json refuses with -EBADMSG what is not valid JSON, not an object, or has a
 * field of the wrong type or an invalid version string; it never half-fills *ret. */
int app_state_to_json(const AppState *s, char **ret);
int app_state_from_json(const char *json, AppState **ret);

/* Load/save STATE_FILE in the app's state directory (dir_fd). load returns -ENOENT when missing and
 * -EBADMSG when corrupt; save is atomic (write_file_atomic_at), and first keeps the STATE_FILE it
 * replaces as STATE_FILE_OLD when that one loads, so one bad write (or a bad block) never takes the
 * app's pins, pauses, bad versions and anti-rollback floor with it. load_old reads STATE_FILE_OLD. */
int app_state_load_at(int dir_fd, AppState **ret);
int app_state_load_old_at(int dir_fd, AppState **ret);
int app_state_save_at(int dir_fd, const AppState *s);

/* Appends a transition, dropping the oldest beyond STATE_HISTORY_MAX. */
int app_state_add_transition(AppState *s, usec_t time, const char *from, const char *to, TransitionKind kind);

/* What the symlinks in the app's state directory say, for when state.json is missing or corrupt:
 * "current" and "previous" pointing at versions/VERSION. A missing link gives NULL. */
int app_state_read_links_at(int dir_fd, char **ret_current, char **ret_previous);

/* Replaces *field with a copy of value (NULL allowed). */
int free_and_strdup(char **field, const char *value);
