/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fault.h"
#include "json-util.h"
#include "macro.h"
#include "state.h"
#include "strv.h"
#include "utf8.h"
#include "version.h"

void fault_file_done(FaultFile *f) {
        free(f->path);
        free(f->content);
}

static void fault_files_free(FaultFile *files, size_t n) {
        for (size_t i = 0; i < n; i++)
                fault_file_done(files + i);
        free(files);
}

FaultReport *fault_report_free(FaultReport *r) {
        if (!r)
                return NULL;
        free(r->id);
        free(r->app);
        free(r->version);
        free(r->unit);
        free(r->invocation_id);
        free(r->result);
        free(r->exit_code);
        free(r->exit_status);
        strv_free(r->journal);
        strv_free(r->coredump);
        fault_files_free(r->files, r->n_files);
        return mfree(r);
}

void fault_reports_free(FaultReport **l, size_t n) {
        for (size_t i = 0; i < n; i++)
                fault_report_free(l[i]);
        free(l);
}

bool fault_result_is_fault(const char *result) {
        /* A list of what is not a fault rather than of what is: a result a later systemd adds is
         * recorded rather than lost. */
        return !isempty(result) &&
                !IN_SET_STR(result, "success", "exec-condition", "start-limit-hit", "skip-condition");
}

int fault_describe(const FaultReport *r, char **ret) {
        const char *result = strempty(r->result), *status = strempty(r->exit_status);
        char *text;
        int k;

        if (streq(result, "oom-kill"))
                k = asprintf(&text, "was killed by the OOM killer (out of memory: MemoryMax= or the system's)");
        else if (streq(result, "watchdog"))
                k = asprintf(&text, "missed its watchdog (WatchdogSec=) and was killed");
        else if (streq(result, "timeout"))
                k = asprintf(&text, "timed out");
        else if (streq_ptr(r->exit_code, "dumped") || streq(result, "core-dump"))
                k = asprintf(&text, "dumped core on signal %s", status);
        else if (streq_ptr(r->exit_code, "killed"))
                k = asprintf(&text, "was killed by signal %s", status);
        else if (streq_ptr(r->exit_code, "exited"))
                k = asprintf(&text, "exited with status %s", status);
        else
                k = asprintf(&text, "failed (%s)", isempty(result) ? "unknown result" : result);
        if (k < 0)
                return -ENOMEM;

        *ret = text;
        return 0;
}

void fault_version_of_run(const AppState *s, usec_t started, const char **ret_version, bool *ret_trial) {
        /* History is oldest first: the first change at or after the start is the one that replaced
         * what ran. */
        for (size_t i = 0; started > 0 && i < s->n_history; i++) {
                const Transition *t = s->history + i;

                if (t->time < started)
                        continue;
                *ret_version = t->from;
                /* A rollback replaces the version on trial; a switch replaces one that was not. */
                *ret_trial = t->kind == TRANSITION_ROLLBACK;
                return;
        }

        *ret_version = s->current_version;
        *ret_trial = s->current_version && streq_ptr(s->trial_version, s->current_version);
}

char *fault_id_format(char buf[static FAULT_ID_MAX], usec_t t) {
        time_t sec = (time_t) (t / USEC_PER_SEC);
        struct tm tm;

        if (!gmtime_r(&sec, &tm) ||
            snprintf(buf, FAULT_ID_MAX, "%04d%02d%02d-%02d%02d%02d-%06u", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned) (t % USEC_PER_SEC)) != FAULT_ID_LENGTH)
                return NULL;
        return buf;
}

bool fault_id_is_valid(const char *s) {
        if (!s || strlen(s) != FAULT_ID_LENGTH)
                return false;
        for (size_t i = 0; i < FAULT_ID_LENGTH; i++)
                if ((i == 8 || i == 15) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
                        return false;
        return true;
}

char *fault_text_sanitize(const char *s, size_t n) {
        char *out, *p;

        /* Each invalid byte becomes U+FFFD: three bytes at most for one. */
        out = p = malloc(n * 3 + 1);
        if (!out)
                return NULL;

        for (size_t i = 0; i < n;) {
                uint32_t cp;
                int k = utf8_decode(s + i, n - i, &cp);

                if (k < 0) {
                        p = mempcpy(p, "\xef\xbf\xbd", 3);
                        i++;
                } else if (cp == 0) {
                        /* A NUL would end the string: shown as the replacement too. */
                        p = mempcpy(p, "\xef\xbf\xbd", 3);
                        i += k;
                } else {
                        p = mempcpy(p, s + i, k);
                        i += k;
                }
        }
        *p = 0;
        return out;
}

/* JSON writing */

static int json_add_strv(json_object *o, const char *key, char *const *l) {
        json_object *a;
        int r;

        a = json_object_new_array();
        if (!a)
                return -ENOMEM;
        r = json_add_owned(o, key, a);
        if (r < 0)
                return r;
        for (char *const *s = l; s && *s; s++) {
                r = json_append_owned(a, json_object_new_string(*s));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int json_add_coredump(json_object *o, char *const *fields) {
        json_object *c;
        int r;

        if (!fields)
                return 0;

        c = json_object_new_object();
        if (!c)
                return -ENOMEM;
        r = json_add_owned(o, "coredump", c);
        if (r < 0)
                return r;
        for (size_t i = 0; fields[i] && fields[i + 1]; i += 2) {
                r = json_add_string_optional(c, fields[i], fields[i + 1]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int json_add_files(json_object *o, const FaultFile *files, size_t n) {
        json_object *a;
        int r;

        a = json_object_new_array();
        if (!a)
                return -ENOMEM;
        r = json_add_owned(o, "files", a);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                json_object *f = json_object_new_object();

                r = json_append_owned(a, f);
                if (r < 0)
                        return r;
                if ((r = json_add_string_optional(f, "path", files[i].path)) < 0 ||
                    (r = json_add_owned(f, "size", json_object_new_uint64(files[i].size))) < 0 ||
                    (r = json_add_owned(f, "truncated", json_object_new_boolean(files[i].truncated))) < 0 ||
                    (r = json_add_string_optional(f, files[i].binary ? "content_base64" : "content", strempty(files[i].content))) < 0)
                        return r;
        }
        return 0;
}

int fault_report_to_json(const FaultReport *r, char **ret) {
        _cleanup_json_ json_object *o = NULL;
        _cleanup_free_ char *description = NULL;
        int k;

        if (!fault_id_is_valid(r->id) || isempty(r->app))
                return -EINVAL;

        k = fault_describe(r, &description);
        if (k < 0)
                return k;

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;

        if ((k = json_add_string_optional(o, "id", r->id)) < 0 ||
            (k = json_add_owned(o, "time", json_object_new_uint64(r->time))) < 0 ||
            (k = json_add_string_optional(o, "app", r->app)) < 0 ||
            (k = json_add_string_optional(o, "version", r->version)) < 0 ||
            (k = json_add_owned(o, "trial", json_object_new_boolean(r->trial))) < 0 ||
            (k = json_add_string_optional(o, "unit", r->unit)) < 0 ||
            (k = json_add_string_optional(o, "invocation_id", r->invocation_id)) < 0 ||
            (k = json_add_string_optional(o, "result", r->result)) < 0 ||
            (k = json_add_string_optional(o, "exit_code", r->exit_code)) < 0 ||
            (k = json_add_string_optional(o, "exit_status", r->exit_status)) < 0 ||
            (k = json_add_string_optional(o, "description", description)) < 0 ||
            (k = json_add_strv(o, "journal", r->journal)) < 0 ||
            (k = json_add_owned(o, "journal_truncated", json_object_new_boolean(r->journal_truncated))) < 0 ||
            (k = json_add_coredump(o, r->coredump)) < 0 ||
            (k = json_add_files(o, r->files, r->n_files)) < 0)
                return k;

        return json_to_file_text(o, ret);
}

/* JSON reading: an absent or null member leaves the field alone; a wrong type is -EBADMSG. */

static int read_str(json_object *o, const char *key, char **ret) {
        json_object *v = json_get_member(o, key);
        const char *s;

        if (!v)
                return 0;
        if (json_string_value(v, &s) < 0)
                return -EBADMSG;
        return free_and_strdup(ret, s);
}

static int read_strv(json_object *o, const char *key, char ***ret) {
        json_object *v = json_get_member(o, key);
        int r;

        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return -EBADMSG;
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                const char *s;

                if (json_string_value(json_object_array_get_idx(v, i), &s) < 0)
                        return -EBADMSG;
                r = strv_extend(ret, s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int read_coredump(json_object *o, char ***ret) {
        json_object *v = json_get_member(o, "coredump");
        int r;

        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_object))
                return -EBADMSG;

        json_object_object_foreach(v, key, value) {
                const char *s;

                if (json_string_value(value, &s) < 0)
                        return -EBADMSG;
                r = strv_extend(ret, key);
                if (r >= 0)
                        r = strv_extend(ret, s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int read_files(json_object *o, FaultReport *rep) {
        json_object *v = json_get_member(o, "files");
        size_t n;
        int r;

        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return -EBADMSG;

        n = json_object_array_length(v);
        if (n == 0)
                return 0;
        rep->files = calloc(n, sizeof(FaultFile));
        if (!rep->files)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                json_object *f = json_object_array_get_idx(v, i);
                FaultFile *ff = rep->files + rep->n_files++;

                if (!json_object_is_type(f, json_type_object))
                        return -EBADMSG;
                if ((r = read_str(f, "path", &ff->path)) < 0 ||
                    (r = json_get_u64(f, "size", &ff->size)) < 0 ||
                    (r = json_get_bool(f, "truncated", &ff->truncated)) < 0)
                        return r;
                if (json_get_member(f, "content_base64")) {
                        ff->binary = true;
                        r = read_str(f, "content_base64", &ff->content);
                } else
                        r = read_str(f, "content", &ff->content);
                if (r < 0)
                        return r;
                if (!ff->path)
                        return -EBADMSG;
        }
        return 0;
}

int fault_report_from_json(const char *json, FaultReport **ret) {
        _cleanup_(fault_report_freep) FaultReport *rep = NULL;
        _cleanup_json_ json_object *o = NULL;
        int r;

        r = json_parse_strict(json, strlen(json), JSON_TOKENER_VALIDATE_UTF8, &o);
        if (r < 0)
                return -EBADMSG;
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;

        rep = calloc(1, sizeof(FaultReport));
        if (!rep)
                return -ENOMEM;

        if ((r = read_str(o, "id", &rep->id)) < 0 ||
            (r = json_get_u64(o, "time", &rep->time)) < 0 ||
            (r = read_str(o, "app", &rep->app)) < 0 ||
            (r = read_str(o, "version", &rep->version)) < 0 ||
            (r = json_get_bool(o, "trial", &rep->trial)) < 0 ||
            (r = read_str(o, "unit", &rep->unit)) < 0 ||
            (r = read_str(o, "invocation_id", &rep->invocation_id)) < 0 ||
            (r = read_str(o, "result", &rep->result)) < 0 ||
            (r = read_str(o, "exit_code", &rep->exit_code)) < 0 ||
            (r = read_str(o, "exit_status", &rep->exit_status)) < 0 ||
            (r = read_strv(o, "journal", &rep->journal)) < 0 ||
            (r = json_get_bool(o, "journal_truncated", &rep->journal_truncated)) < 0 ||
            (r = read_coredump(o, &rep->coredump)) < 0 ||
            (r = read_files(o, rep)) < 0)
                return r == -ENOMEM ? r : -EBADMSG;

        if (!fault_id_is_valid(rep->id) || isempty(rep->app) || (rep->version && !version_is_valid(rep->version)))
                return -EBADMSG;

        *ret = TAKE_PTR(rep);
        return 0;
}

/* counts.json */

void fault_counts_done(FaultCounts *c) {
        for (size_t i = 0; i < c->n_versions; i++)
                free(c->versions[i].version);
        free(c->versions);
        *c = (FaultCounts) {};
}

const FaultVersionCount *fault_counts_find(const FaultCounts *c, const char *version) {
        for (size_t i = 0; i < c->n_versions; i++)
                if (streq(c->versions[i].version, strempty(version)))
                        return c->versions + i;
        return NULL;
}

int fault_counts_add(FaultCounts *c, const char *version, bool trial, usec_t t) {
        FaultVersionCount *v = (FaultVersionCount *) fault_counts_find(c, version);

        if (!v) {
                if (c->n_versions >= FAULT_COUNTS_VERSIONS_MAX) {
                        size_t oldest = 0;

                        for (size_t i = 1; i < c->n_versions; i++)
                                if (c->versions[i].last < c->versions[oldest].last)
                                        oldest = i;
                        free(c->versions[oldest].version);
                        c->versions[oldest] = c->versions[--c->n_versions];
                }

                v = reallocarray(c->versions, c->n_versions + 1, sizeof(FaultVersionCount));
                if (!v)
                        return -ENOMEM;
                c->versions = v;
                v = c->versions + c->n_versions;
                *v = (FaultVersionCount) { .version = strdup(strempty(version)) };
                if (!v->version)
                        return -ENOMEM;
                c->n_versions++;
        }

        v->faults++;
        if (!trial)
                v->after_trial++;
        v->last = MAX(v->last, t);
        c->total++;
        c->last = MAX(c->last, t);
        return 0;
}

int fault_counts_to_json(const FaultCounts *c, char **ret) {
        _cleanup_json_ json_object *o = NULL;
        json_object *a;
        int r;

        o = json_object_new_object();
        a = json_object_new_array();
        if (!o || !a) {
                json_object_put(a);
                return -ENOMEM;
        }
        if ((r = json_add_owned(o, "total", json_object_new_uint64(c->total))) < 0 ||
            (r = json_add_owned(o, "last", json_object_new_uint64(c->last))) < 0 ||
            (r = json_add_owned(o, "versions", a)) < 0)
                return r;

        for (size_t i = 0; i < c->n_versions; i++) {
                const FaultVersionCount *v = c->versions + i;
                json_object *e = json_object_new_object();

                r = json_append_owned(a, e);
                if (r < 0)
                        return r;
                if ((r = json_add_string_optional(e, "version", v->version)) < 0 ||
                    (r = json_add_owned(e, "faults", json_object_new_uint64(v->faults))) < 0 ||
                    (r = json_add_owned(e, "after_trial", json_object_new_uint64(v->after_trial))) < 0 ||
                    (r = json_add_owned(e, "last", json_object_new_uint64(v->last))) < 0)
                        return r;
        }

        return json_to_file_text(o, ret);
}

int fault_counts_from_json(const char *json, FaultCounts *ret) {
        _cleanup_(fault_counts_done) FaultCounts c = {};
        _cleanup_json_ json_object *o = NULL;
        json_object *a;
        int r;

        r = json_parse_strict(json, strlen(json), JSON_TOKENER_VALIDATE_UTF8, &o);
        if (r < 0 || !json_object_is_type(o, json_type_object))
                return -EBADMSG;

        if ((r = json_get_u64(o, "total", &c.total)) < 0 || (r = json_get_u64(o, "last", &c.last)) < 0)
                return r;

        a = json_get_member(o, "versions");
        if (a) {
                size_t n;

                if (!json_object_is_type(a, json_type_array))
                        return -EBADMSG;
                n = MIN(json_object_array_length(a), (size_t) FAULT_COUNTS_VERSIONS_MAX);
                c.versions = calloc(MAX(n, (size_t) 1), sizeof(FaultVersionCount));
                if (!c.versions)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        json_object *e = json_object_array_get_idx(a, i);
                        FaultVersionCount *v = c.versions + c.n_versions++;

                        if (!json_object_is_type(e, json_type_object))
                                return -EBADMSG;
                        if ((r = read_str(e, "version", &v->version)) < 0 ||
                            (r = json_get_u64(e, "faults", &v->faults)) < 0 ||
                            (r = json_get_u64(e, "after_trial", &v->after_trial)) < 0 ||
                            (r = json_get_u64(e, "last", &v->last)) < 0)
                                return r;
                        if (!v->version)
                                return -EBADMSG;
                }
        }

        *ret = c;
        c = (FaultCounts) {};
        return 0;
}
