/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gopherwatch's DNS names and TXT answers (see gopherwatch.h for the scheme). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "go-module.h"
#include "gopherwatch.h"
#include "hexdecoct.h"
#include "macro.h"
#include "version.h"

#define LABEL_MAX 63U
#define NAME_MAX_DNS 253U           /* without the final dot */
#define FIELDS_MAX 16U              /* per record; real ones have two or three */
#define LABEL_CHARS "0123456789abcdefghijklmnopqrstuvwxyz-"
#define SPACE " \t\r\n"

void gopherwatch_versions_free(GopherwatchVersion *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i].version);
        free(v);
}

void gopherwatch_toolchains_done(GopherwatchToolchains *t) {
        for (size_t i = 0; i < _GOPHERWATCH_TOOLCHAIN_MAX; i++)
                t->kinds[i].version = mfree(t->kinds[i].version);
}

/* The base without a trailing dot, if it is a plausible domain: labels of [A-Za-z0-9-], none empty. */
static int base_length(const char *base, size_t *ret) {
        size_t n;

        if (isempty(base))
                return -EINVAL;

        n = strlen(base);
        if (base[n - 1] == '.')
                n--;
        if (n == 0 || n > NAME_MAX_DNS || base[0] == '.' ||
            strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.") < n)
                return -EINVAL;
        for (size_t i = 1; i < n; i++)
                if (base[i] == '.' && base[i - 1] == '.')
                        return -EINVAL;

        *ret = n;
        return 0;
}

bool gopherwatch_base_is_valid(const char *base) {
        size_t n;

        return base_length(base, &n) >= 0;
}

int gopherwatch_toolchain_name(const char *base, char **ret) {
        size_t n;
        char *name;
        int r;

        r = base_length(base, &n);
        if (r < 0)
                return r;

        if (asprintf(&name, "toolchain.v0.%.*s.", (int) n, base) < 0)
                return -ENOMEM;

        *ret = name;
        return 0;
}

/* Appends the label for the n bytes of elem at p (room for 3·n + 3 bytes). */
static char *put_label(char *p, const char *elem, size_t n, size_t *ret_len) {
        char *start = p;

        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) elem[i];
                /* A label must neither start nor end with '-'. */
                bool edge = i == 0 || i == n - 1;

                if (c != 0 && strchr(LABEL_CHARS, c) && !(c == '-' && edge))
                        *p++ = (char) c;
                else
                        p += sprintf(p, "_%02x", c);
        }

        *ret_len = (size_t) (p - start);
        return p;
}

int gopherwatch_module_name(const char *base, const char *module, char **ret) {
        _cleanup_free_ char *name = NULL;
        const char *slash, *end;
        size_t n_base, host_len, len;
        char *p;
        int r;

        r = base_length(base, &n_base);
        if (r < 0)
                return r;
        if (!go_module_path_is_valid(module))
                return -EINVAL;
        slash = strchr(module, '/');
        if (!slash)
                return -EINVAL;
        host_len = (size_t) (slash - module);

        /* Every byte may become three, plus the dots, "._.", the host, ".v0.", the base and ".". */
        name = malloc(3 * strlen(module) + host_len + n_base + 16);
        if (!name)
                return -ENOMEM;

        p = name;
        end = module + strlen(module);
        while (end > slash + 1) {
                const char *e = end;

                while (e > slash + 1 && e[-1] != '/')
                        e--;
                p = put_label(p, e, (size_t) (end - e), &len);
                if (len > LABEL_MAX)
                        return -EINVAL;
                *p++ = '.';
                end = e - 1;
        }
        p += sprintf(p, "_.%.*s.v0.%.*s.", (int) host_len, module, (int) n_base, base);

        if (strlen(name) - 1 > NAME_MAX_DNS)
                return -EINVAL;

        *ret = TAKE_PTR(name);
        return 0;
}

/* One record of an answer: its fields, pointing into a copy of the text. */
typedef struct Record {
        const char *keys[FIELDS_MAX], *values[FIELDS_MAX];
        size_t n;
} Record;

static const char *record_get(const Record *r, const char *key) {
        for (size_t i = 0; i < r->n; i++)
                if (streq(r->keys[i], key))
                        return r->values[i];
        return NULL;
}

/* Splits s (modified) into key=value fields separated by single spaces. */
static int record_parse(char *s, Record *ret) {
        Record r = {};

        for (char *f = s; f; ) {
                char *next = strchr(f, ' '), *eq;

                if (next)
                        *next++ = 0;
                eq = strchr(f, '=');
                if (!eq || eq == f || eq[1] == 0 || r.n >= FIELDS_MAX)
                        return -EBADMSG;
                *eq = 0;
                if (record_get(&r, f))
                        return -EBADMSG;
                r.keys[r.n] = f;
                r.values[r.n++] = eq + 1;
                f = next;
        }

        *ret = r;
        return 0;
}

static int parse_found(const char *hex, usec_t *ret) {
        uint64_t t = 0;
        size_t n = strlen(hex);

        if (n == 0 || n > 16 || strspn(hex, "0123456789abcdefABCDEF") != n)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++)
                t = t * 16 + (uint64_t) unhexchar(hex[i]);
        if (t > UINT64_MAX / USEC_PER_SEC)
                return -EBADMSG;

        *ret = t * USEC_PER_SEC;
        return 0;
}

/* Calls f for each record of text (records separated by ';', blanks around them trimmed). */
static int for_each_record(const char *text, size_t size, int (*f)(const Record *r, void *userdata), void *userdata) {
        _cleanup_free_ char *copy = NULL;
        char *s;
        int r;

        if (size > GOPHERWATCH_ANSWER_MAX)
                return -EFBIG;
        if (!text || memchr(text, 0, size))
                return -EBADMSG;

        copy = strndup(text, size);
        if (!copy)
                return -ENOMEM;

        for (s = copy; s; ) {
                char *next = strchr(s, ';'), *end;
                Record rec;

                if (next)
                        *next++ = 0;
                s += strspn(s, SPACE);
                end = s + strlen(s);
                while (end > s && strchr(SPACE, end[-1]))
                        *--end = 0;

                r = record_parse(s, &rec);
                if (r < 0)
                        return r;
                r = f(&rec, userdata);
                if (r < 0)
                        return r;
                s = next;
        }

        return 0;
}

typedef struct Versions {
        GopherwatchVersion *items;
        size_t n;
} Versions;

static int add_version(const Record *rec, void *userdata) {
        Versions *vs = userdata;
        const char *v = record_get(rec, "v"), *t = record_get(rec, "t");
        GopherwatchVersion *items;
        usec_t found;
        char *copy;

        if (!v || !t)
                return 0;
        if (parse_found(t, &found) < 0 || !go_module_version_is_valid(v))
                return -EBADMSG;

        copy = strdup(v);
        if (!copy)
                return -ENOMEM;
        items = reallocarray(vs->items, vs->n + 1, sizeof(GopherwatchVersion));
        if (!items) {
                free(copy);
                return -ENOMEM;
        }
        items[vs->n++] = (GopherwatchVersion) { .version = copy, .found = found };
        vs->items = items;
        return 0;
}

int gopherwatch_versions_parse(const char *text, size_t size, GopherwatchVersion **ret, size_t *ret_n) {
        Versions vs = {};
        int r;

        r = for_each_record(text, size, add_version, &vs);
        if (r < 0) {
                gopherwatch_versions_free(vs.items, vs.n);
                return r;
        }

        *ret = vs.items;
        *ret_n = vs.n;
        return 0;
}

const char *gopherwatch_versions_newest(const GopherwatchVersion *v, size_t n) {
        const char *newest = NULL;

        for (size_t i = 0; i < n; i++)
                if (!newest || version_compare(v[i].version, newest) > 0)
                        newest = v[i].version;
        return newest;
}

static int add_toolchain(const Record *rec, void *userdata) {
        static const char *const kinds[_GOPHERWATCH_TOOLCHAIN_MAX] = {
                [GOPHERWATCH_TOOLCHAIN_CUR]  = "cur",
                [GOPHERWATCH_TOOLCHAIN_PREV] = "prev",
                [GOPHERWATCH_TOOLCHAIN_NEXT] = "next",
        };
        GopherwatchToolchains *t = userdata;
        const char *v = record_get(rec, "v"), *found = record_get(rec, "t"), *k = record_get(rec, "k");

        if (!v || !found || !k)
                return 0;

        for (size_t i = 0; i < _GOPHERWATCH_TOOLCHAIN_MAX; i++) {
                GopherwatchVersion *slot = &t->kinds[i];
                usec_t when;

                if (!streq(k, kinds[i]))
                        continue;
                if (parse_found(found, &when) < 0 || !go_version_is_valid(v))
                        return -EBADMSG;
                if (slot->version)
                        return 0;  /* the first of each kind counts */
                slot->version = strdup(v);
                if (!slot->version)
                        return -ENOMEM;
                slot->found = when;
        }
        return 0;
}

int gopherwatch_toolchains_parse(const char *text, size_t size, GopherwatchToolchains *ret) {
        _cleanup_(gopherwatch_toolchains_done) GopherwatchToolchains t = {};
        bool any = false;
        int r;

        r = for_each_record(text, size, add_toolchain, &t);
        if (r < 0)
                return r;

        for (size_t i = 0; i < _GOPHERWATCH_TOOLCHAIN_MAX; i++)
                any = any || t.kinds[i].version;
        if (!any)
                return -EBADMSG;

        *ret = t;
        t = (GopherwatchToolchains) {};
        return 0;
}
