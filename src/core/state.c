/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* state.json: reading, writing and the few edits every user of the per-app state needs. */
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "json-util.h"
#include "macro.h"
#include "state.h"
#include "string-table.h"
#include "strv.h"
#include "version.h"

#define STATE_FILE_MODE 0644
#define LINK_PREFIX "versions/"

static const char *const transition_kind_table[_TRANSITION_KIND_MAX] = {
        [TRANSITION_SCHEDULED] = "scheduled",
        [TRANSITION_MANUAL]    = "manual",
        [TRANSITION_ROLLBACK]  = "rollback",
};

DEFINE_STRING_TABLE_LOOKUP(transition_kind, TransitionKind)

int free_and_strdup(char **field, const char *value) {
        char *copy = NULL;

        if (streq_ptr(*field, value))
                return 0;

        if (value) {
                copy = strdup(value);
                if (!copy)
                        return -ENOMEM;
        }

        free(*field);
        *field = copy;
        return 1;
}

static void transition_done(Transition *t) {
        free(t->from);
        free(t->to);
        *t = (Transition) {};
}

AppState *app_state_free(AppState *s) {
        if (!s)
                return NULL;

        free(s->current_version);
        free(s->previous_version);
        free(s->available_version);
        free(s->pending_version);
        free(s->pinned_version);
        free(s->last_error);
        free(s->trial_version);
        free(s->pause_reason);
        free(s->channel_digest);
        free(s->channel_etag);
        free(s->gobuild_key);
        free(s->tlog_root);
        strv_free(s->bad_versions);
        for (size_t i = 0; i < s->n_history; i++)
                transition_done(&s->history[i]);
        free(s->history);
        free(s);
        return NULL;
}

int app_state_new(AppState **ret) {
        AppState *s;

        s = calloc(1, sizeof(AppState));
        if (!s)
                return -ENOMEM;

        *ret = s;
        return 0;
}

int app_state_add_transition(AppState *s, usec_t time, const char *from, const char *to, TransitionKind kind) {
        _cleanup_free_ char *f = NULL, *t = NULL;

        /* Everything added here is written to state.json, so it must be what loading accepts. */
        if (!version_is_valid(to) || (from && !version_is_valid(from)) ||
            kind < 0 || kind >= _TRANSITION_KIND_MAX)
                return -EINVAL;

        t = strdup(to);
        if (!t)
                return -ENOMEM;
        if (from) {
                f = strdup(from);
                if (!f)
                        return -ENOMEM;
        }

        if (s->n_history < STATE_HISTORY_MAX) {
                Transition *h = reallocarray(s->history, s->n_history + 1, sizeof(Transition));
                if (!h)
                        return -ENOMEM;
                s->history = h;
        } else {
                /* Full: drop the oldest, keeping the most recent STATE_HISTORY_MAX - 1 plus this. */
                size_t drop = s->n_history - STATE_HISTORY_MAX + 1;

                for (size_t i = 0; i < drop; i++)
                        transition_done(&s->history[i]);
                memmove(s->history, s->history + drop, (s->n_history - drop) * sizeof(Transition));
                s->n_history -= drop;
        }

        s->history[s->n_history++] = (Transition) {
                .time = time,
                .from = TAKE_PTR(f),
                .to = TAKE_PTR(t),
                .kind = kind,
        };
        return 0;
}

/* JSON writing */

static int json_add_version(struct json_object *o, const char *key, const char *v) {
        if (v && !version_is_valid(v))
                return -EINVAL;
        return json_add_string_optional(o, key, v);
}

static int json_new_timestamp(usec_t t, struct json_object **ret) {
        char buf[RFC3339_MAX];

        if (!format_timestamp_rfc3339(buf, sizeof buf, t))
                return -ERANGE;

        *ret = json_object_new_string(buf);
        return *ret ? 0 : -ENOMEM;
}

static int json_add_timestamp(struct json_object *o, const char *key, usec_t t) {
        struct json_object *v;
        int r;

        if (t == 0)
                return 0;

        r = json_new_timestamp(t, &v);
        if (r < 0)
                return r;
        return json_add_owned(o, key, v);
}

static int json_new_history(const AppState *s, struct json_object **ret) {
        _cleanup_json_ struct json_object *a = NULL;
        int r;

        a = json_object_new_array();
        if (!a)
                return -ENOMEM;

        for (size_t i = 0; i < s->n_history; i++) {
                const Transition *t = &s->history[i];
                _cleanup_json_ struct json_object *e = NULL;
                struct json_object *time;

                e = json_object_new_object();
                if (!e)
                        return -ENOMEM;

                r = json_new_timestamp(t->time, &time);
                if (r < 0)
                        return r;
                r = json_add_owned(e, "time", time);
                if (r < 0)
                        return r;
                r = json_add_version(e, "from", t->from);
                if (r < 0)
                        return r;
                if (!t->to || !transition_kind_to_string(t->kind))
                        return -EINVAL;
                r = json_add_version(e, "to", t->to);
                if (r < 0)
                        return r;
                r = json_add_string_optional(e, "how", transition_kind_to_string(t->kind));
                if (r < 0)
                        return r;

                if (json_object_array_add(a, e) < 0)
                        return -ENOMEM;
                e = NULL;  /* now owned by the array */
        }

        *ret = TAKE_PTR(a);
        return 0;
}

static int json_new_bad_versions(char *const *bad, struct json_object **ret) {
        _cleanup_json_ struct json_object *a = NULL;
        int r;

        a = json_object_new_array();
        if (!a)
                return -ENOMEM;

        for (char *const *v = bad; v && *v; v++) {
                if (!version_is_valid(*v))
                        return -EINVAL;

                r = json_append_owned(a, json_object_new_string(*v));
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(a);
        return 0;
}

/* Refuses (-EINVAL) to write what app_state_from_json() would refuse to read back. */
int app_state_to_json(const AppState *s, char **ret) {
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *bad, *history;
        int r;

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;

        if ((r = json_add_version(o, "current_version", s->current_version)) < 0 ||
            (r = json_add_version(o, "previous_version", s->previous_version)) < 0 ||
            (r = json_add_version(o, "available_version", s->available_version)) < 0 ||
            (r = json_add_version(o, "pending_version", s->pending_version)) < 0 ||
            (r = json_add_version(o, "pinned_version", s->pinned_version)) < 0 ||
            (r = json_add_timestamp(o, "discovered_at", s->discovered_at)) < 0 ||
            (r = json_add_timestamp(o, "due_at", s->due_at)) < 0 ||
            (r = json_add_timestamp(o, "last_check", s->last_check)) < 0 ||
            (r = json_add_string_optional(o, "last_error", s->last_error)) < 0 ||
            (r = json_add_version(o, "trial_version", s->trial_version)) < 0 ||
            (r = json_add_timestamp(o, "trial_started_at", s->trial_started_at)) < 0 ||
            (r = json_add_owned(o, "trial_starts", json_object_new_uint64(s->trial_starts))) < 0 ||
            (r = json_add_owned(o, "paused", json_object_new_boolean(s->paused))) < 0 ||
            (r = json_add_string_optional(o, "pause_reason", s->pause_reason)) < 0 ||
            (r = json_add_owned(o, "backoff_failures", json_object_new_uint64(s->backoff_failures))) < 0 ||
            (r = json_add_timestamp(o, "backoff_until", s->backoff_until)) < 0 ||
            (r = json_add_owned(o, "channel_serial", json_object_new_uint64(s->channel_serial))) < 0 ||
            (r = json_add_string_optional(o, "channel_digest", s->channel_digest)) < 0 ||
            (r = json_add_string_optional(o, "channel_etag", s->channel_etag)) < 0 ||
            (r = json_add_timestamp(o, "channel_last_modified", s->channel_last_modified)) < 0 ||
            (r = json_add_string_optional(o, "gobuild_key", s->gobuild_key)) < 0 ||
            (r = json_add_owned(o, "tlog_size", json_object_new_uint64(s->tlog_size))) < 0 ||
            (r = json_add_string_optional(o, "tlog_root", s->tlog_root)) < 0 ||
            (r = json_add_owned(o, "tlog_forks", json_object_new_uint64(s->tlog_forks))) < 0)
                return r;

        r = json_new_bad_versions(s->bad_versions, &bad);
        if (r < 0)
                return r;
        r = json_add_owned(o, "bad_versions", bad);
        if (r < 0)
                return r;

        r = json_new_history(s, &history);
        if (r < 0)
                return r;
        r = json_add_owned(o, "history", history);
        if (r < 0)
                return r;

        return json_to_file_text(o, ret);
}

/* JSON reading: every helper leaves its output alone when the field is absent or null, and refuses
 * a field of the wrong type with -EBADMSG. */

static int json_read_string(struct json_object *v, bool is_version, char **ret) {
        const char *s;
        char *copy;

        if (json_string_value(v, &s) < 0)
                return -EBADMSG;
        if (is_version && !version_is_valid(s))
                return -EBADMSG;

        copy = strdup(s);
        if (!copy)
                return -ENOMEM;

        *ret = copy;
        return 0;
}

static int json_get_string(struct json_object *o, const char *key, bool is_version, char **ret) {
        struct json_object *v = json_get_member(o, key);

        if (!v)
                return 0;
        return json_read_string(v, is_version, ret);
}

static int json_read_timestamp(struct json_object *v, usec_t *ret) {
        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;
        if (parse_timestamp_rfc3339(json_object_get_string(v), ret) < 0)
                return -EBADMSG;
        return 0;
}

static int json_get_timestamp(struct json_object *o, const char *key, usec_t *ret) {
        struct json_object *v = json_get_member(o, key);

        if (!v)
                return 0;
        return json_read_timestamp(v, ret);
}

static int json_get_unsigned(struct json_object *o, const char *key, unsigned *ret) {
        uint64_t u = 0;
        int r;

        r = json_get_u64(o, key, &u);
        if (r < 0)
                return r;
        if (u > UINT_MAX)
                return -EBADMSG;

        *ret = (unsigned) u;
        return 0;
}

static int json_get_bad_versions(struct json_object *o, char ***ret) {
        struct json_object *a = json_get_member(o, "bad_versions");
        int r;

        if (!a)
                return 0;
        if (!json_object_is_type(a, json_type_array))
                return -EBADMSG;

        for (size_t i = 0; i < json_object_array_length(a); i++) {
                _cleanup_free_ char *v = NULL;

                r = json_read_string(json_object_array_get_idx(a, i), /* is_version= */ true, &v);
                if (r < 0)
                        return r;
                r = strv_extend(ret, v);
                if (r < 0)
                        return r;
        }

        return 0;
}

static int json_get_history(struct json_object *o, AppState *s) {
        struct json_object *a = json_get_member(o, "history");
        size_t n;
        int r;

        if (!a)
                return 0;
        if (!json_object_is_type(a, json_type_array))
                return -EBADMSG;

        /* A longer history than we write (hand-edited, or a future upkeep) keeps its newest entries:
         * app_state_add_transition() drops the oldest as it goes. */
        n = json_object_array_length(a);
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(a, i), *time, *how;
                _cleanup_free_ char *from = NULL, *to = NULL;
                TransitionKind kind;
                usec_t t;

                if (!json_object_is_type(e, json_type_object))
                        return -EBADMSG;

                time = json_get_member(e, "time");
                how = json_get_member(e, "how");
                if (!time || !how || !json_get_member(e, "to") || !json_object_is_type(how, json_type_string))
                        return -EBADMSG;

                r = json_read_timestamp(time, &t);
                if (r < 0)
                        return r;
                kind = transition_kind_from_string(json_object_get_string(how));
                if (kind < 0)
                        return -EBADMSG;
                r = json_get_string(e, "from", /* is_version= */ true, &from);
                if (r < 0)
                        return r;
                r = json_get_string(e, "to", /* is_version= */ true, &to);
                if (r < 0)
                        return r;

                r = app_state_add_transition(s, t, from, to, kind);
                if (r < 0)
                        return r;
        }

        return 0;
}

int app_state_from_json(const char *json, AppState **ret) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        _cleanup_json_ struct json_object *o = NULL;
        int r;

        if (!json || strlen(json) > INT_MAX)
                return -EBADMSG;

        r = json_parse_strict(json, strlen(json), 0, &o);
        if (r < 0)
                return r;
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;

        r = app_state_new(&s);
        if (r < 0)
                return r;

        /* s is only handed out when every field was read, so a failure never leaves half a state. */
        if ((r = json_get_string(o, "current_version", true, &s->current_version)) < 0 ||
            (r = json_get_string(o, "previous_version", true, &s->previous_version)) < 0 ||
            (r = json_get_string(o, "available_version", true, &s->available_version)) < 0 ||
            (r = json_get_string(o, "pending_version", true, &s->pending_version)) < 0 ||
            (r = json_get_string(o, "pinned_version", true, &s->pinned_version)) < 0 ||
            (r = json_get_timestamp(o, "discovered_at", &s->discovered_at)) < 0 ||
            (r = json_get_timestamp(o, "due_at", &s->due_at)) < 0 ||
            (r = json_get_timestamp(o, "last_check", &s->last_check)) < 0 ||
            (r = json_get_string(o, "last_error", false, &s->last_error)) < 0 ||
            (r = json_get_string(o, "trial_version", true, &s->trial_version)) < 0 ||
            (r = json_get_timestamp(o, "trial_started_at", &s->trial_started_at)) < 0 ||
            (r = json_get_unsigned(o, "trial_starts", &s->trial_starts)) < 0 ||
            (r = json_get_bool(o, "paused", &s->paused)) < 0 ||
            (r = json_get_string(o, "pause_reason", false, &s->pause_reason)) < 0 ||
            (r = json_get_unsigned(o, "backoff_failures", &s->backoff_failures)) < 0 ||
            (r = json_get_timestamp(o, "backoff_until", &s->backoff_until)) < 0 ||
            (r = json_get_u64(o, "channel_serial", &s->channel_serial)) < 0 ||
            (r = json_get_string(o, "channel_digest", false, &s->channel_digest)) < 0 ||
            (r = json_get_string(o, "channel_etag", false, &s->channel_etag)) < 0 ||
            (r = json_get_timestamp(o, "channel_last_modified", &s->channel_last_modified)) < 0 ||
            (r = json_get_string(o, "gobuild_key", false, &s->gobuild_key)) < 0 ||
            (r = json_get_u64(o, "tlog_size", &s->tlog_size)) < 0 ||
            (r = json_get_string(o, "tlog_root", false, &s->tlog_root)) < 0 ||
            (r = json_get_u64(o, "tlog_forks", &s->tlog_forks)) < 0 ||
            (r = json_get_bad_versions(o, &s->bad_versions)) < 0 ||
            (r = json_get_history(o, s)) < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}

static int state_load_file_at(int dir_fd, const char *name, AppState **ret) {
        _cleanup_free_ char *json = NULL;
        size_t size;
        int r;

        r = read_file_at(dir_fd, name, STATE_MAX_SIZE, &json, &size);
        /* Nothing upkeep writes gets that big: treat it like any other corruption. */
        if (r == -EFBIG)
                return -EBADMSG;
        if (r < 0)
                return r;

        if (strlen(json) != size)
                return -EBADMSG;

        return app_state_from_json(json, ret);
}

int app_state_load_at(int dir_fd, AppState **ret) {
        return state_load_file_at(dir_fd, STATE_FILE, ret);
}

int app_state_load_old_at(int dir_fd, AppState **ret) {
        return state_load_file_at(dir_fd, STATE_FILE_OLD, ret);
}

/* STATE_FILE, if it loads, becomes STATE_FILE_OLD: a second name for the same file, swapped in by
 * rename(), so STATE_FILE_OLD is always one whole good state. A STATE_FILE that does not load is
 * left out, and the older good copy stays. */
static int keep_last_good(int dir_fd) {
        _cleanup_(app_state_freep) AppState *current = NULL;
        int r;

        r = app_state_load_at(dir_fd, &current);
        if (r == -ENOENT || r == -EBADMSG)
                return 0;
        if (r < 0)
                return r;

        if (unlinkat(dir_fd, STATE_FILE_OLD ".tmp", 0) < 0 && errno != ENOENT)
                return -errno;
        if (linkat(dir_fd, STATE_FILE, dir_fd, STATE_FILE_OLD ".tmp", 0) < 0)
                return -errno;
        if (renameat(dir_fd, STATE_FILE_OLD ".tmp", dir_fd, STATE_FILE_OLD) < 0) {
                r = -errno;
                (void) unlinkat(dir_fd, STATE_FILE_OLD ".tmp", 0);
                return r;
        }
        return 0;
}

int app_state_save_at(int dir_fd, const AppState *s) {
        _cleanup_free_ char *json = NULL;
        int r;

        r = app_state_to_json(s, &json);
        if (r < 0)
                return r;

        r = keep_last_good(dir_fd);
        if (r < 0)
                return r;

        /* Its fsync() of the directory also makes the rename above durable. */
        return write_file_atomic_at(dir_fd, STATE_FILE, json, strlen(json), STATE_FILE_MODE);
}

static int readlinkat_malloc(int dir_fd, const char *name, char **ret) {
        for (size_t size = 256; size <= 64 * 1024; size *= 2) {
                _cleanup_free_ char *buf = NULL;
                ssize_t n;

                buf = malloc(size);
                if (!buf)
                        return -ENOMEM;

                n = readlinkat(dir_fd, name, buf, size);
                if (n < 0)
                        return -errno;
                if ((size_t) n < size) {
                        buf[n] = 0;
                        *ret = TAKE_PTR(buf);
                        return 0;
                }
        }

        return -ENAMETOOLONG;
}

/* "versions/VERSION" → VERSION; NULL when the link does not exist. */
static int read_version_link(int dir_fd, const char *name, char **ret) {
        _cleanup_free_ char *target = NULL;
        const char *v;
        char *copy;
        int r;

        r = readlinkat_malloc(dir_fd, name, &target);
        if (r == -ENOENT) {
                *ret = NULL;
                return 0;
        }
        if (r == -EINVAL)
                return -EBADMSG;  /* there, but not a symlink */
        if (r < 0)
                return r;

        v = startswith(target, LINK_PREFIX);
        if (!v)
                return -EBADMSG;
        /* A valid version has no '/', so this also refuses links deeper into the tree. */
        if (!version_is_valid(v))
                return -EBADMSG;

        copy = strdup(v);
        if (!copy)
                return -ENOMEM;

        *ret = copy;
        return 0;
}

int app_state_read_links_at(int dir_fd, char **ret_current, char **ret_previous) {
        _cleanup_free_ char *current = NULL, *previous = NULL;
        int r;

        r = read_version_link(dir_fd, "current", &current);
        if (r < 0)
                return r;
        r = read_version_link(dir_fd, "previous", &previous);
        if (r < 0)
                return r;

        if (ret_current)
                *ret_current = TAKE_PTR(current);
        if (ret_previous)
                *ret_previous = TAKE_PTR(previous);
        return 0;
}
