/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gobuild's lookup responses, records, sums and URL paths (see gobuild.h for the formats), parsed as
 * strictly as gobuild writes them: everything here arrives from the network before it is verified. */
#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "gobuild.h"
#include "macro.h"
#include "note.h"
#include "tlog.h"

#define SUM_VERSION '0'
#define SUM_LENGTH 28   /* "0" and 27 symbols of base64url for 20 bytes */
#define RECORD_FIELDS_MIN 8
#define RECORD_FIELDS_MAX 9
#define VERIFIER_KEY_MARKER "-verifierkey "

void gobuild_spec_done(GobuildSpec *s) {
        if (!s)
                return;

        free(s->module);
        free(s->version);
        free(s->dir);
        free(s->goos);
        free(s->goarch);
        free(s->goversion);
        *s = (GobuildSpec) {};
}

void gobuild_record_done(GobuildRecord *r) {
        if (!r)
                return;

        gobuild_spec_done(&r->spec);
        free(r->sum);
        *r = (GobuildRecord) {};
}

void gobuild_lookup_done(GobuildLookup *l) {
        if (!l)
                return;

        free(l->record_text);
        gobuild_record_done(&l->record);
        free(l->note);
        *l = (GobuildLookup) {};
}

/* The characters of module paths, versions and Go versions that need no escaping in a URL path. */
static bool is_token_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                IN_SET(c, '-', '.', '_', '~', '+', '!');
}

static bool token_is_valid(const char *s, bool allow_dash) {
        if (isempty(s))
                return false;
        for (; *s; s++)
                if (!is_token_char(*s) || (!allow_dash && *s == '-'))
                        return false;
        return true;
}

static bool platform_word_is_valid(const char *s) {
        if (isempty(s))
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
                        return false;
        return true;
}

/* Slash-separated elements of token characters, none empty, "." or "..". */
static bool path_elements_are_valid(const char *s) {
        const char *e = s;

        for (;;) {
                size_t n = strcspn(e, "/");

                if (n == 0 || (n == 1 && e[0] == '.') || (n == 2 && e[0] == '.' && e[1] == '.'))
                        return false;
                for (size_t i = 0; i < n; i++)
                        if (!is_token_char(e[i]))
                                return false;
                if (e[n] == 0)
                        return true;
                e += n + 1;
        }
}

bool gobuild_spec_is_valid(const GobuildSpec *s) {
        if (!s || isempty(s->module) || isempty(s->dir))
                return false;

        return path_elements_are_valid(s->module) &&
                token_is_valid(s->version, true) &&
                (streq(s->dir, "/") || (s->dir[0] == '/' && path_elements_are_valid(s->dir + 1))) &&
                platform_word_is_valid(s->goos) &&
                platform_word_is_valid(s->goarch) &&
                token_is_valid(s->goversion, false);
}

static bool sum_is_valid(const char *sum, uint8_t ret[static GOBUILD_SUM_SIZE]) {
        return sum && strlen(sum) == SUM_LENGTH && sum[0] == SUM_VERSION &&
                base64url_decode_exact(sum + 1, SUM_LENGTH - 1, ret, GOBUILD_SUM_SIZE) >= 0;
}

int gobuild_record_parse(const char *text, size_t size, GobuildRecord *ret) {
        _cleanup_(gobuild_record_done) GobuildRecord rec = {};
        char *fields[RECORD_FIELDS_MAX] = {};
        uint8_t sum[GOBUILD_SUM_SIZE];
        size_t n_fields = 0, dir_len;
        const char *p, *end;
        int r = -EBADMSG;

        if (!text || !ret)
                return -EINVAL;
        if (size == 0 || size > GOBUILD_RECORD_SIZE_MAX || text[size - 1] != '\n')
                return -EBADMSG;

        /* One line of printable ASCII: gobuild refuses fields with spaces or control characters. */
        end = text + size - 1;
        for (p = text; p < end; p++)
                if (*p < ' ' || *p > '~')
                        return -EBADMSG;

        for (p = text;; ) {
                const char *sp = memchr(p, ' ', end - p) ?: end;

                if (n_fields >= RECORD_FIELDS_MAX) {
                        n_fields++;
                        break;
                }
                fields[n_fields] = strndup(p, sp - p);
                if (!fields[n_fields]) {
                        r = -ENOMEM;
                        goto finish;
                }
                n_fields++;
                if (sp == end)
                        break;
                p = sp + 1;
        }
        if (n_fields < RECORD_FIELDS_MIN || n_fields > RECORD_FIELDS_MAX)
                goto finish;

        rec.spec = (GobuildSpec) {
                .module = TAKE_PTR(fields[0]),
                .version = TAKE_PTR(fields[1]),
                .dir = TAKE_PTR(fields[2]),
                .goos = TAKE_PTR(fields[3]),
                .goarch = TAKE_PTR(fields[4]),
                .goversion = TAKE_PTR(fields[5]),
        };
        rec.sum = TAKE_PTR(fields[7]);

        if (n_fields == RECORD_FIELDS_MAX) {
                if (streq(fields[8], "stripped"))
                        rec.spec.stripped = true;
                else if (!isempty(fields[8]))
                        goto finish;
        }

        /* Records from before gobuild dropped it end dir in a slash ("/cmd/x/"): the same package. */
        dir_len = strlen(rec.spec.dir);
        if (dir_len > 1 && rec.spec.dir[dir_len - 1] == '/')
                rec.spec.dir[dir_len - 1] = 0;

        if (!gobuild_spec_is_valid(&rec.spec))
                goto finish;
        if (tlog_number_parse(fields[6], strlen(fields[6]), &rec.size) < 0 || rec.size == 0)
                goto finish;
        if (!sum_is_valid(rec.sum, sum))
                goto finish;

        *ret = rec;
        rec = (GobuildRecord) {};
        r = 0;

finish:
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                free(fields[i]);
        return r;
}

int gobuild_lookup_parse(const char *body, size_t size, GobuildLookup *ret) {
        _cleanup_(gobuild_record_done) GobuildRecord rec = {};
        _cleanup_free_ char *record_text = NULL, *note = NULL;
        const char *nl, *record, *split, *end;
        size_t record_size;
        uint64_t id;
        int r;

        if (!body || !ret)
                return -EINVAL;
        if (size > GOBUILD_LOOKUP_SIZE_MAX)
                return -EFBIG;
        if (memchr(body, 0, size))
                return -EBADMSG;
        end = body + size;

        nl = memchr(body, '\n', size);
        if (!nl || tlog_number_parse(body, nl - body, &id) < 0)
                return -EBADMSG;

        /* The record ends at the first blank line; the signed note follows it. */
        record = nl + 1;
        split = memmem(record, end - record, "\n\n", 2);
        if (!split)
                return -EBADMSG;
        record_size = split + 1 - record;

        r = gobuild_record_parse(record, record_size, &rec);
        if (r < 0)
                return r;

        if (split + 2 >= end)
                return -EBADMSG;

        record_text = strndup(record, record_size);
        note = strndup(split + 2, end - (split + 2));
        if (!record_text || !note)
                return -ENOMEM;

        *ret = (GobuildLookup) {
                .id = id,
                .record_text = TAKE_PTR(record_text),
                .record_size = record_size,
                .record = rec,
                .note_size = end - (split + 2),
        };
        ret->note = TAKE_PTR(note);
        rec = (GobuildRecord) {};
        return 0;
}

bool gobuild_record_matches(const GobuildRecord *r, const GobuildSpec *want) {
        if (!r || !want)
                return false;

        return streq_ptr(r->spec.module, want->module) &&
                streq_ptr(r->spec.version, want->version) &&
                streq_ptr(r->spec.dir, want->dir) &&
                streq_ptr(r->spec.goos, want->goos) &&
                streq_ptr(r->spec.goarch, want->goarch) &&
                streq_ptr(r->spec.goversion, want->goversion) &&
                r->spec.stripped == want->stripped;
}

int gobuild_lookup_key(const GobuildSpec *s, char **ret) {
        bool root;
        char *k;

        if (!ret || !gobuild_spec_is_valid(s))
                return -EINVAL;

        root = streq(s->dir, "/");
        if (asprintf(&k, "%s@%s/%s%s%s-%s-%s%s/",
                     s->module, s->version,
                     root ? "" : s->dir + 1, root ? "" : "/",
                     s->goos, s->goarch, s->goversion,
                     s->stripped ? "-stripped" : "") < 0)
                return -ENOMEM;

        *ret = k;
        return 0;
}

int gobuild_lookup_path(const GobuildSpec *s, char **ret) {
        _cleanup_free_ char *key = NULL;
        char *p;
        int r;

        if (!ret)
                return -EINVAL;

        r = gobuild_lookup_key(s, &key);
        if (r < 0)
                return r;

        if (asprintf(&p, GOBUILD_TLOG_PATH "lookup/%s", key) < 0)
                return -ENOMEM;

        *ret = p;
        return 0;
}

int gobuild_download_path(const GobuildRecord *r, char **ret) {
        _cleanup_free_ char *key = NULL;
        uint8_t sum[GOBUILD_SUM_SIZE];
        const char *base, *name;
        char *p;
        int k;

        if (!r || !ret || !sum_is_valid(r->sum, sum))
                return -EINVAL;

        k = gobuild_lookup_key(&r->spec, &key);
        if (k < 0)
                return k;

        /* The file is named after the command: the last element of its directory or module. */
        base = streq(r->spec.dir, "/") ? r->spec.module : r->spec.dir;
        name = strrchr(base, '/');
        name = name ? name + 1 : base;

        if (asprintf(&p, "%s%s/%s-%s-%s%s%s.gz", key, r->sum,
                     name, r->spec.version, r->spec.goversion,
                     r->spec.stripped ? "-stripped" : "",
                     streq(r->spec.goos, "windows") ? ".exe" : "") < 0)
                return -ENOMEM;

        *ret = p;
        return 0;
}

int gobuild_sum_format(const uint8_t sha256[static SHA256_SIZE], char **ret) {
        _cleanup_free_ char *b64 = NULL;
        char *s;

        if (!ret)
                return -EINVAL;

        b64 = base64url_encode(sha256, GOBUILD_SUM_SIZE);
        if (!b64)
                return -ENOMEM;
        if (asprintf(&s, "%c%s", SUM_VERSION, b64) < 0)
                return -ENOMEM;

        *ret = s;
        return 0;
}

bool gobuild_sum_matches(const char *sum, const uint8_t sha256[static SHA256_SIZE]) {
        uint8_t want[GOBUILD_SUM_SIZE];

        return sum_is_valid(sum, want) && CRYPTO_memcmp(want, sha256, GOBUILD_SUM_SIZE) == 0;
}

int gobuild_verifier_key_find(const char *text, size_t size, char **ret) {
        _cleanup_free_ char *found = NULL;
        const char *p, *end;

        if (!text || !ret)
                return -EINVAL;

        end = text + size;
        for (p = text; (p = memmem(p, end - p, VERIFIER_KEY_MARKER, strlen(VERIFIER_KEY_MARKER))); ) {
                _cleanup_(note_verifier_done) NoteVerifier v = {};
                _cleanup_free_ char *candidate = NULL;
                size_t n = 0;

                p += strlen(VERIFIER_KEY_MARKER);
                /* The key ends where HTML or white space starts. */
                while (p + n < end && (unsigned char) p[n] > ' ' && !IN_SET(p[n], '<', '>', '"', '\'', '&'))
                        n++;

                candidate = strndup(p, n);
                if (!candidate)
                        return -ENOMEM;
                if (note_verifier_parse(candidate, &v) < 0)
                        continue;

                if (!found)
                        found = TAKE_PTR(candidate);
                else if (!streq(found, candidate))
                        return -ENOTUNIQ;
        }

        if (!found)
                return -ENOKEY;

        *ret = TAKE_PTR(found);
        return 0;
}
