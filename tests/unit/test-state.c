/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fileio.h"
#include "macro.h"
#include "state.h"
#include "strv.h"
#include "test-util.h"
#include "tests.h"

static char tmpdir[] = "/tmp/test-state-XXXXXX";

/* 2026-11-20T10:00:00Z */
#define T0 ((usec_t) 1795168800ULL * USEC_PER_SEC)

static AppState *make_full_state(void) {
        AppState *s = NULL;

        ASSERT_OK_ZERO(app_state_new(&s));
        ASSERT_EQ(free_and_strdup(&s->current_version, "1.2.4"), 1);
        ASSERT_EQ(free_and_strdup(&s->previous_version, "v1.2.3"), 1);
        ASSERT_EQ(free_and_strdup(&s->available_version, "1.3.0-rc.1+build.7"), 1);
        ASSERT_EQ(free_and_strdup(&s->pending_version, "1.2.5"), 1);
        ASSERT_EQ(free_and_strdup(&s->pinned_version, "1.2.4"), 1);
        s->discovered_at = T0 + 1;
        s->due_at = T0 + 72 * USEC_PER_HOUR;
        s->last_check = T0 + 123456;
        ASSERT_EQ(free_and_strdup(&s->last_error, "Signature of channel.json did not verify: \"bad\"\n/\\ ü"), 1);
        ASSERT_EQ(free_and_strdup(&s->trial_version, "1.2.5"), 1);
        s->trial_started_at = T0 + 5 * USEC_PER_SEC;
        s->trial_starts = 3;
        s->paused = true;
        ASSERT_EQ(free_and_strdup(&s->pause_reason, "Rolled back 1.2.5"), 1);
        s->backoff_failures = 4;
        s->backoff_until = T0 + USEC_PER_DAY;
        s->channel_serial = UINT64_MAX;  /* the full range survives JSON */
        ASSERT_EQ(free_and_strdup(&s->channel_digest,
                               "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), 1);
        ASSERT_EQ(free_and_strdup(&s->channel_etag, "\"5f3a-61c2\""), 1);
        s->channel_last_modified = T0 - USEC_PER_DAY;
        ASSERT_EQ(free_and_strdup(&s->gobuild_key, "beta.gobuilds.org+3979319f+AReBl47t6tEkc8Hf0QGQyJxGX5Yg2RYTmZtRq6L7j2Ej"), 1);
        s->tlog_size = UINT64_MAX - 1;
        ASSERT_EQ(free_and_strdup(&s->tlog_root, "wB8+0GRn1b8HCpkdu9p05cYM9yxvnO6H3p0wXoWJU2g="), 1);
        s->tlog_forks = 2;
        ASSERT_OK_ZERO(strv_extend(&s->bad_versions, "1.2.6"));
        ASSERT_OK_ZERO(strv_extend(&s->bad_versions, "2.0.0-beta"));
        ASSERT_OK_ZERO(app_state_add_transition(s, T0, NULL, "1.2.3", TRANSITION_MANUAL));
        ASSERT_OK_ZERO(app_state_add_transition(s, T0 + USEC_PER_HOUR, "1.2.3", "1.2.4", TRANSITION_SCHEDULED));
        ASSERT_OK_ZERO(app_state_add_transition(s, T0 + USEC_PER_HOUR + 7, "1.2.4", "1.2.3", TRANSITION_ROLLBACK));
        return s;
}

static void assert_state_equal(const AppState *a, const AppState *b) {
        ASSERT_STREQ(a->current_version, b->current_version);
        ASSERT_STREQ(a->previous_version, b->previous_version);
        ASSERT_STREQ(a->available_version, b->available_version);
        ASSERT_STREQ(a->pending_version, b->pending_version);
        ASSERT_STREQ(a->pinned_version, b->pinned_version);
        ASSERT_EQ(a->discovered_at, b->discovered_at);
        ASSERT_EQ(a->due_at, b->due_at);
        ASSERT_EQ(a->last_check, b->last_check);
        ASSERT_STREQ(a->last_error, b->last_error);
        ASSERT_STREQ(a->trial_version, b->trial_version);
        ASSERT_EQ(a->trial_started_at, b->trial_started_at);
        ASSERT_EQ(a->trial_starts, b->trial_starts);
        ASSERT_EQ(a->paused, b->paused);
        ASSERT_STREQ(a->pause_reason, b->pause_reason);
        ASSERT_EQ(a->backoff_failures, b->backoff_failures);
        ASSERT_EQ(a->backoff_until, b->backoff_until);
        ASSERT_EQ(a->channel_serial, b->channel_serial);
        ASSERT_STREQ(a->channel_digest, b->channel_digest);
        ASSERT_STREQ(a->channel_etag, b->channel_etag);
        ASSERT_EQ(a->channel_last_modified, b->channel_last_modified);
        ASSERT_STREQ(a->gobuild_key, b->gobuild_key);
        ASSERT_EQ(a->tlog_size, b->tlog_size);
        ASSERT_STREQ(a->tlog_root, b->tlog_root);
        ASSERT_EQ(a->tlog_forks, b->tlog_forks);

        ASSERT_EQ(strv_length(a->bad_versions), strv_length(b->bad_versions));
        for (size_t i = 0; i < strv_length(a->bad_versions); i++)
                ASSERT_STREQ(a->bad_versions[i], b->bad_versions[i]);

        ASSERT_EQ(a->n_history, b->n_history);
        for (size_t i = 0; i < a->n_history; i++) {
                ASSERT_EQ(a->history[i].time, b->history[i].time);
                ASSERT_STREQ(a->history[i].from, b->history[i].from);
                ASSERT_STREQ(a->history[i].to, b->history[i].to);
                ASSERT_EQ(a->history[i].kind, b->history[i].kind);
        }
}

static void assert_bad(const char *json) {
        AppState *s = (AppState *) 0x1;

        if (app_state_from_json(json, &s) != -EBADMSG) {
                TEST_FAIL("accepted: %s", json);
        }
        ASSERT_EQ(s, (AppState *) 0x1);  /* untouched */
}

static void test_transition_kind_strings(void) {
        printf("%s\n", __func__);

        ASSERT_STREQ(transition_kind_to_string(TRANSITION_SCHEDULED), "scheduled");
        ASSERT_STREQ(transition_kind_to_string(TRANSITION_MANUAL), "manual");
        ASSERT_STREQ(transition_kind_to_string(TRANSITION_ROLLBACK), "rollback");
        ASSERT_FALSE(transition_kind_to_string(_TRANSITION_KIND_MAX));
        ASSERT_FALSE(transition_kind_to_string(_TRANSITION_KIND_INVALID));
        for (TransitionKind k = 0; k < _TRANSITION_KIND_MAX; k++)
                ASSERT_EQ(transition_kind_from_string(transition_kind_to_string(k)), k);
        ASSERT_EQ(transition_kind_from_string("Rollback"), _TRANSITION_KIND_INVALID);
        ASSERT_EQ(transition_kind_from_string(NULL), _TRANSITION_KIND_INVALID);
}

static void test_free_and_strdup(void) {
        _cleanup_free_ char *s = NULL;
        char *before;

        printf("%s\n", __func__);

        ASSERT_EQ(free_and_strdup(&s, "a"), 1);
        ASSERT_STREQ(s, "a");
        before = s;
        ASSERT_OK_ZERO(free_and_strdup(&s, "a"));  /* unchanged, not reallocated */
        ASSERT_EQ(s, before);
        ASSERT_EQ(free_and_strdup(&s, "b"), 1);
        ASSERT_STREQ(s, "b");
        ASSERT_EQ(free_and_strdup(&s, NULL), 1);
        ASSERT_NULL(s);
        ASSERT_OK_ZERO(free_and_strdup(&s, NULL));
}

static struct json_object *json_get(struct json_object *o, const char *key, json_type type) {
        struct json_object *v = NULL;

        ASSERT_TRUE(json_object_object_get_ex(o, key, &v));
        ASSERT_TRUE(json_object_is_type(v, type));
        return v;
}

static void assert_json_string(const char *json, const char *key, const char *expected) {
        struct json_object *o = json_tokener_parse(json);

        ASSERT_NOT_NULL(o);
        ASSERT_STREQ(json_object_get_string(json_get(o, key, json_type_string)), expected);
        json_object_put(o);
}

static void assert_json_schema(const char *json) {
        struct json_object *o = json_tokener_parse(json), *history, *e;

        ASSERT_NOT_NULL(o);
        ASSERT_EQ_U(json_object_get_uint64(json_get(o, "channel_serial", json_type_int)), UINT64_MAX);
        ASSERT_EQ(json_object_get_int64(json_get(o, "trial_starts", json_type_int)), 3);
        ASSERT_EQ_U(json_object_get_uint64(json_get(o, "tlog_size", json_type_int)), UINT64_MAX - 1);
        ASSERT_EQ(json_object_get_int64(json_get(o, "tlog_forks", json_type_int)), 2);
        ASSERT_STREQ(json_object_get_string(json_get(o, "tlog_root", json_type_string)),
                     "wB8+0GRn1b8HCpkdu9p05cYM9yxvnO6H3p0wXoWJU2g=");
        ASSERT_STREQ(json_object_get_string(json_get(o, "gobuild_key", json_type_string)),
                     "beta.gobuilds.org+3979319f+AReBl47t6tEkc8Hf0QGQyJxGX5Yg2RYTmZtRq6L7j2Ej");
        ASSERT_EQ(json_object_get_int64(json_get(o, "backoff_failures", json_type_int)), 4);
        ASSERT_TRUE(json_object_get_boolean(json_get(o, "paused", json_type_boolean)));
        ASSERT_EQ(json_object_array_length(json_get(o, "bad_versions", json_type_array)), 2);

        history = json_get(o, "history", json_type_array);
        ASSERT_EQ(json_object_array_length(history), 3);
        e = json_object_array_get_idx(history, 0);
        ASSERT_FALSE(json_object_object_get_ex(e, "from", NULL));  /* no version before: left out */
        e = json_object_array_get_idx(history, 2);
        ASSERT_STREQ(json_object_get_string(json_get(e, "time", json_type_string)), "2026-11-20T11:00:00.000007Z");
        ASSERT_STREQ(json_object_get_string(json_get(e, "from", json_type_string)), "1.2.4");
        ASSERT_STREQ(json_object_get_string(json_get(e, "to", json_type_string)), "1.2.3");
        ASSERT_STREQ(json_object_get_string(json_get(e, "how", json_type_string)), "rollback");
        json_object_put(o);
}

static void test_round_trip_full(void) {
        _cleanup_(app_state_freep) AppState *s = make_full_state(), *back = NULL;
        _cleanup_free_ char *json = NULL, *json2 = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(app_state_to_json(s, &json));

        /* Field names and types as documented, checked on the parsed document so json-c's
         * whitespace does not matter. */
        assert_json_string(json, "current_version", "1.2.4");
        assert_json_string(json, "previous_version", "v1.2.3");
        assert_json_string(json, "discovered_at", "2026-11-20T10:00:00.000001Z");
        assert_json_string(json, "due_at", "2026-11-23T10:00:00Z");
        assert_json_string(json, "trial_started_at", "2026-11-20T10:00:05Z");
        assert_json_schema(json);
        ASSERT_EQ(json[strlen(json) - 1], '\n');

        ASSERT_OK_ZERO(app_state_from_json(json, &back));
        assert_state_equal(s, back);
        ASSERT_NULL(back->history[0].from);

        /* Writing what was read gives the same text. */
        ASSERT_OK_ZERO(app_state_to_json(back, &json2));
        ASSERT_STREQ(json, json2);
}

static void test_round_trip_empty(void) {
        _cleanup_(app_state_freep) AppState *s = NULL, *back = NULL;
        _cleanup_free_ char *json = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(app_state_new(&s));
        ASSERT_OK_ZERO(app_state_to_json(s, &json));

        /* Unset strings and zero timestamps are left out. */
        ASSERT_NULL(strstr(json, "current_version"));
        ASSERT_NULL(strstr(json, "discovered_at"));
        ASSERT_NULL(strstr(json, "last_error"));

        ASSERT_OK_ZERO(app_state_from_json(json, &back));
        assert_state_equal(s, back);
        ASSERT_TRUE(!back->bad_versions || !back->bad_versions[0]);
        ASSERT_EQ(back->n_history, 0);
}

static void test_from_json_minimal_and_unknown(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);

        /* Unknown fields (from a newer upkeep) are ignored; null means unset. */
        ASSERT_OK_ZERO(app_state_from_json("{ \"current_version\": \"2.0.0\", \"future_field\": [1, {\"x\": 2}],"
                                   " \"previous_version\": null, \"channel_serial\": 17,"
                                   " \"last_check\": \"2026-11-20T11:00:00+01:00\" }\n\n", &s));
        ASSERT_STREQ(s->current_version, "2.0.0");
        ASSERT_NULL(s->previous_version);
        ASSERT_EQ(s->channel_serial, 17);
        ASSERT_EQ(s->last_check, T0);
        ASSERT_FALSE(s->paused);
        app_state_free(s);
        s = NULL;

        ASSERT_OK_ZERO(app_state_from_json("{}", &s));
        ASSERT_NULL(s->current_version);
        ASSERT_EQ(s->n_history, 0);
}

static void test_from_json_corrupt(void) {
        printf("%s\n", __func__);

        assert_bad("");
        assert_bad("   ");
        assert_bad("{");
        assert_bad("{\"current_version\": \"1.2.3\"");   /* truncated */
        assert_bad("{\"current_version\": \"1.2.3\"} trailing");
        assert_bad("{} {}");
        assert_bad("not json");
        assert_bad("[]");
        assert_bad("\"a string\"");
        assert_bad("42");
        assert_bad("null");
        assert_bad("{'current_version': '1.2.3'}");  /* not JSON */
        assert_bad("{\"current_version\": \"1.2.3\",}");
}

static void test_from_json_wrong_types(void) {
        printf("%s\n", __func__);

        assert_bad("{\"current_version\": 123}");
        assert_bad("{\"current_version\": true}");
        assert_bad("{\"current_version\": [\"1.2.3\"]}");
        assert_bad("{\"last_error\": {}}");
        assert_bad("{\"discovered_at\": 1795168800}");          /* must be an RFC 3339 string */
        assert_bad("{\"due_at\": \"tomorrow\"}");
        assert_bad("{\"last_check\": \"2026-13-01T00:00:00Z\"}");
        assert_bad("{\"trial_starts\": \"3\"}");
        assert_bad("{\"trial_starts\": -1}");
        assert_bad("{\"trial_starts\": 1.5}");
        assert_bad("{\"trial_starts\": 4294967296}");           /* beyond unsigned */
        assert_bad("{\"backoff_failures\": false}");
        assert_bad("{\"paused\": \"yes\"}");
        assert_bad("{\"paused\": 1}");
        assert_bad("{\"channel_serial\": \"17\"}");
        assert_bad("{\"channel_serial\": -17}");
        assert_bad("{\"channel_serial\": 1e3}");
        assert_bad("{\"channel_digest\": 5}");
        assert_bad("{\"gobuild_key\": 5}");
        assert_bad("{\"tlog_size\": \"17\"}");
        assert_bad("{\"tlog_size\": -1}");
        assert_bad("{\"tlog_root\": []}");
        assert_bad("{\"tlog_forks\": 1.5}");
        assert_bad("{\"bad_versions\": \"1.2.3\"}");
        assert_bad("{\"bad_versions\": [1]}");
        assert_bad("{\"bad_versions\": [null]}");
        assert_bad("{\"history\": {}}");
        assert_bad("{\"history\": [1]}");
        assert_bad("{\"history\": [{\"time\": \"2026-11-20T10:00:00Z\", \"to\": \"1.2.3\"}]}");               /* no how */
        assert_bad("{\"history\": [{\"time\": \"2026-11-20T10:00:00Z\", \"how\": \"manual\"}]}");             /* no to */
        assert_bad("{\"history\": [{\"to\": \"1.2.3\", \"how\": \"manual\"}]}");                              /* no time */
        assert_bad("{\"history\": [{\"time\": \"2026-11-20T10:00:00Z\", \"to\": \"1.2.3\", \"how\": \"magic\"}]}");
        assert_bad("{\"history\": [{\"time\": \"2026-11-20T10:00:00Z\", \"to\": \"1.2.3\", \"how\": 1}]}");
        assert_bad("{\"history\": [{\"time\": 5, \"to\": \"1.2.3\", \"how\": \"manual\"}]}");
        assert_bad("{\"history\": [{\"time\": \"2026-11-20T10:00:00Z\", \"to\": null, \"how\": \"manual\"}]}");
}

static void test_from_json_invalid_versions(void) {
        printf("%s\n", __func__);

        assert_bad("{\"current_version\": \"1.2\"}");
        assert_bad("{\"current_version\": \"\"}");
        assert_bad("{\"previous_version\": \"../../etc\"}");
        assert_bad("{\"available_version\": \"01.2.3\"}");
        assert_bad("{\"pending_version\": \"latest\"}");
        assert_bad("{\"pinned_version\": \"1.2.3-\"}");
        assert_bad("{\"trial_version\": \" 1.2.3\"}");
        assert_bad("{\"current_version\": \"1.2.3\\u0000evil\"}");
        assert_bad("{\"bad_versions\": [\"1.2.3\", \"nope\"]}");
        assert_bad("{\"history\": [{\"time\": \"2026-11-20T10:00:00Z\", \"to\": \"x\", \"how\": \"manual\"}]}");
        assert_bad("{\"history\": [{\"time\": \"2026-11-20T10:00:00Z\", \"from\": \"x\", \"to\": \"1.2.3\", \"how\": \"manual\"}]}");
}

static void test_to_json_refuses_unreadable(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        char *json = (char *) "untouched";

        printf("%s\n", __func__);

        /* What could not be loaded back is not written in the first place. */
        ASSERT_OK_ZERO(app_state_new(&s));
        ASSERT_EQ(free_and_strdup(&s->current_version, "not-a-version"), 1);
        ASSERT_ERROR(app_state_to_json(s, &json), EINVAL);
        ASSERT_STREQ(json, "untouched");

        ASSERT_EQ(free_and_strdup(&s->current_version, "1.0.0"), 1);
        ASSERT_OK_ZERO(strv_extend(&s->bad_versions, "junk"));
        ASSERT_ERROR(app_state_to_json(s, &json), EINVAL);
}

static void test_history_bounded(void) {
        _cleanup_(app_state_freep) AppState *s = NULL, *back = NULL;
        _cleanup_free_ char *json = NULL;
        char from[32], to[32];

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(app_state_new(&s));
        for (unsigned i = 0; i < STATE_HISTORY_MAX + 10; i++) {
                (void) snprintf(from, sizeof from, "1.0.%u", i);
                (void) snprintf(to, sizeof to, "1.0.%u", i + 1);
                ASSERT_OK_ZERO(app_state_add_transition(s, T0 + i, from, to, TRANSITION_SCHEDULED));
                ASSERT_EQ(s->n_history, (i + 1 < STATE_HISTORY_MAX ? i + 1 : STATE_HISTORY_MAX));
        }

        /* The newest are kept, oldest first. */
        ASSERT_EQ(s->n_history, STATE_HISTORY_MAX);
        ASSERT_EQ(s->history[0].time, T0 + 10);
        ASSERT_STREQ(s->history[0].to, "1.0.11");
        ASSERT_EQ(s->history[STATE_HISTORY_MAX - 1].time, T0 + STATE_HISTORY_MAX + 9);
        ASSERT_STREQ(s->history[STATE_HISTORY_MAX - 1].to, "1.0.74");

        ASSERT_OK_ZERO(app_state_to_json(s, &json));
        ASSERT_OK_ZERO(app_state_from_json(json, &back));
        assert_state_equal(s, back);
}

static void test_history_too_long_in_file(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        _cleanup_free_ char *json = NULL;
        size_t len = 0;
        FILE *f;

        printf("%s\n", __func__);

        /* A hand-edited or future file with more entries than we keep: the newest survive. */
        f = open_memstream(&json, &len);
        ASSERT_NOT_NULL(f);
        fputs("{\"history\": [", f);
        for (unsigned i = 0; i < STATE_HISTORY_MAX + 5; i++)
                fprintf(f, "%s{\"time\": \"2026-11-20T10:00:%02uZ\", \"to\": \"1.0.%u\", \"how\": \"manual\"}",
                        i > 0 ? ", " : "", i % 60, i);
        fputs("]}", f);
        ASSERT_OK_ZERO_ERRNO(fclose(f));

        ASSERT_OK_ZERO(app_state_from_json(json, &s));
        ASSERT_EQ(s->n_history, STATE_HISTORY_MAX);
        ASSERT_STREQ(s->history[0].to, "1.0.5");
        ASSERT_STREQ(s->history[STATE_HISTORY_MAX - 1].to, "1.0.68");
}

static void test_add_transition_invalid(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(app_state_new(&s));
        ASSERT_ERROR(app_state_add_transition(s, T0, NULL, NULL, TRANSITION_MANUAL), EINVAL);
        ASSERT_ERROR(app_state_add_transition(s, T0, NULL, "junk", TRANSITION_MANUAL), EINVAL);
        ASSERT_ERROR(app_state_add_transition(s, T0, "junk", "1.0.0", TRANSITION_MANUAL), EINVAL);
        ASSERT_ERROR(app_state_add_transition(s, T0, NULL, "1.0.0", _TRANSITION_KIND_INVALID), EINVAL);
        ASSERT_ERROR(app_state_add_transition(s, T0, NULL, "1.0.0", _TRANSITION_KIND_MAX), EINVAL);
        ASSERT_EQ(s->n_history, 0);
}

static void test_save_load(void) {
        _cleanup_(app_state_freep) AppState *s = make_full_state(), *back = NULL, *back2 = NULL;
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "save");
        struct stat st;

        printf("%s\n", __func__);

        ASSERT_ERROR(app_state_load_at(dir_fd, &back), ENOENT);
        ASSERT_NULL(back);

        ASSERT_OK_ZERO(app_state_save_at(dir_fd, s));
        ASSERT_OK_ZERO_ERRNO(fstatat(dir_fd, STATE_FILE, &st, 0));
        ASSERT_TRUE(S_ISREG(st.st_mode));
        ASSERT_EQ(test_count_entries(dir_fd), 1);  /* no temporary file left */

        ASSERT_OK_ZERO(app_state_load_at(dir_fd, &back));
        assert_state_equal(s, back);

        /* Saving again replaces the file, and keeps the one it replaced as the last good copy. */
        ASSERT_ERROR(app_state_load_old_at(dir_fd, &back2), ENOENT);
        s->paused = false;
        s->channel_serial = 18;
        ASSERT_OK_ZERO(app_state_save_at(dir_fd, s));
        ASSERT_OK_ZERO(app_state_load_at(dir_fd, &back2));
        ASSERT_FALSE(back2->paused);
        ASSERT_EQ(back2->channel_serial, 18);
        ASSERT_EQ(test_count_entries(dir_fd), 2);  /* state.json and state.json.old, nothing else */
        back2 = app_state_free(back2);
        ASSERT_OK_ZERO(app_state_load_old_at(dir_fd, &back2));
        assert_state_equal(back, back2);
}

static void test_save_keeps_last_good(void) {
        _cleanup_(app_state_freep) AppState *s = make_full_state(), *old = NULL;
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "last-good");

        printf("%s\n", __func__);

        s->channel_serial = 5;
        ASSERT_OK_ZERO(app_state_save_at(dir_fd, s));
        s->channel_serial = 6;
        ASSERT_OK_ZERO(app_state_save_at(dir_fd, s));

        /* A state.json that went bad is never kept as the last good copy: serial 5 stays. */
        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, STATE_FILE, "{ \"channel_serial\": ", 19, 0644));
        s->channel_serial = 7;
        ASSERT_OK_ZERO(app_state_save_at(dir_fd, s));
        ASSERT_OK_ZERO(app_state_load_old_at(dir_fd, &old));
        ASSERT_EQ(old->channel_serial, 5);
        old = app_state_free(old);

        /* The next save keeps serial 7, which loads again. */
        s->channel_serial = 8;
        ASSERT_OK_ZERO(app_state_save_at(dir_fd, s));
        ASSERT_OK_ZERO(app_state_load_old_at(dir_fd, &old));
        ASSERT_EQ(old->channel_serial, 7);
        ASSERT_EQ(test_count_entries(dir_fd), 2);
}

static void test_load_corrupt(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "corrupt");
        _cleanup_free_ char *big = NULL;
        AppState *s = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, STATE_FILE, "{\"current_version\": ", 20, 0644));
        ASSERT_ERROR(app_state_load_at(dir_fd, &s), EBADMSG);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, STATE_FILE, "{}\0{\"x\":1}", 10, 0644));
        ASSERT_ERROR(app_state_load_at(dir_fd, &s), EBADMSG);

        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, STATE_FILE, "{\"paused\": \"no\"}", 16, 0644));
        ASSERT_ERROR(app_state_load_at(dir_fd, &s), EBADMSG);

        /* Oversized: corrupt too, not something to parse. */
        big = malloc(STATE_MAX_SIZE + 2);
        ASSERT_NOT_NULL(big);
        memset(big, ' ', STATE_MAX_SIZE + 2);
        big[0] = '{';
        big[STATE_MAX_SIZE] = '}';
        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, STATE_FILE, big, STATE_MAX_SIZE + 1, 0644));
        ASSERT_ERROR(app_state_load_at(dir_fd, &s), EBADMSG);
        /* One byte less is within bounds. */
        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, STATE_FILE, big, STATE_MAX_SIZE - 1, 0644));
        ASSERT_ERROR(app_state_load_at(dir_fd, &s), EBADMSG);  /* no closing brace */
        big[STATE_MAX_SIZE - 1] = '}';
        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, STATE_FILE, big, STATE_MAX_SIZE, 0644));
        ASSERT_OK_ZERO(app_state_load_at(dir_fd, &s));
        ASSERT_NOT_NULL(s);
        app_state_free(s);
}

static void test_read_links(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "links");
        _cleanup_free_ char *current = NULL, *previous = NULL;

        printf("%s\n", __func__);

        /* None yet. */
        current = (char *) "untouched";
        previous = (char *) "untouched";
        ASSERT_OK_ZERO(app_state_read_links_at(dir_fd, &current, &previous));
        ASSERT_NULL(current);
        ASSERT_NULL(previous);

        ASSERT_OK_ZERO_ERRNO(symlinkat("versions/1.2.4", dir_fd, "current"));
        ASSERT_OK_ZERO(app_state_read_links_at(dir_fd, &current, &previous));
        ASSERT_STREQ(current, "1.2.4");
        ASSERT_NULL(previous);
        free(current);
        current = NULL;

        ASSERT_OK_ZERO_ERRNO(symlinkat("versions/v1.2.3-rc.1+b", dir_fd, "previous"));
        ASSERT_OK_ZERO(app_state_read_links_at(dir_fd, &current, &previous));
        ASSERT_STREQ(current, "1.2.4");
        ASSERT_STREQ(previous, "v1.2.3-rc.1+b");
        free(current);
        current = NULL;
        free(previous);
        previous = NULL;

        /* Either output may be left out. */
        ASSERT_OK_ZERO(app_state_read_links_at(dir_fd, NULL, &previous));
        ASSERT_STREQ(previous, "v1.2.3-rc.1+b");
        ASSERT_OK_ZERO(app_state_read_links_at(dir_fd, NULL, NULL));
}

static void assert_bad_link(const char *target) {
        _cleanup_close_ int dir_fd = -EBADF;
        char *current = (char *) "untouched", *previous = (char *) "untouched";
        static unsigned n = 0;
        char name[32];

        (void) snprintf(name, sizeof name, "badlink%u", n++);
        dir_fd = test_open_fresh_dir(tmpdir, name);

        ASSERT_OK_ZERO_ERRNO(symlinkat("versions/1.0.0", dir_fd, "current"));
        if (target)
                ASSERT_OK_ZERO_ERRNO(symlinkat(target, dir_fd, "previous"));
        else
                ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "previous", 0755));  /* not a link at all */

        ASSERT_ERROR(app_state_read_links_at(dir_fd, &current, &previous), EBADMSG);
        ASSERT_STREQ(current, "untouched");
        ASSERT_STREQ(previous, "untouched");
}

static void test_read_links_bad(void) {
        printf("%s\n", __func__);

        assert_bad_link("/var/lib/upkeep/apps/x/versions/1.0.0");
        assert_bad_link("versions/");
        assert_bad_link("versions/latest");
        assert_bad_link("versions/1.0.0/bin");
        assert_bad_link("versions/../1.0.0");
        assert_bad_link("other/1.0.0");
        assert_bad_link("versionz/1.0.0");   /* same length as the expected prefix */
        assert_bad_link("1.0.0");
        assert_bad_link(NULL);
}

int main(void) {
        ASSERT_NOT_NULL(mkdtemp(tmpdir));

        test_transition_kind_strings();
        test_free_and_strdup();
        test_round_trip_full();
        test_round_trip_empty();
        test_from_json_minimal_and_unknown();
        test_from_json_corrupt();
        test_from_json_wrong_types();
        test_from_json_invalid_versions();
        test_to_json_refuses_unreadable();
        test_history_bounded();
        test_history_too_long_in_file();
        test_add_transition_invalid();
        test_save_load();
        test_save_keeps_last_good();
        test_load_corrupt();
        test_read_links();
        test_read_links_bad();

        test_tmpdir_remove(tmpdir);
        return 0;
}
