/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Go module paths, the module proxy's version lists, Go toolchain versions and upkeep's build
 * versions of Go apps. The path rules follow what the go command accepts, so that upkeep never asks a
 * proxy for something no proxy could serve. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "go-module.h"
#include "macro.h"
#include "strv.h"
#include "version.h"

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS "0123456789"
#define INCOMPATIBLE "+incompatible"

/* Names Windows reserves; the go command refuses them as path elements (before any dot), in any case,
 * so that a module can be checked out everywhere. */
static const char *const reserved_names[] = {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
};

static bool element_is_valid(const char *e, size_t n, bool module, bool first) {
        size_t dots = 0, stem;

        if (n == 0)
                return false;

        for (size_t i = 0; i < n; i++) {
                char c = e[i];

                if (c == '.')
                        dots++;
                if (c == 0)
                        return false;
                if (first) {
                        /* A host name: lower case only, so two spellings never name two modules. */
                        if (!strchr(LOWER DIGITS "-.", c))
                                return false;
                } else if (!strchr(LOWER UPPER DIGITS "-._~", c) && !(!module && c == '+'))
                        return false;
        }

        if (dots == n || e[n - 1] == '.')
                return false;
        if (e[0] == '.' && (module || first))
                return false;

        stem = 0;
        while (stem < n && e[stem] != '.')
                stem++;
        for (size_t i = 0; i < ELEMENTSOF(reserved_names); i++)
                if (strlen(reserved_names[i]) == stem && strncasecmp(e, reserved_names[i], stem) == 0)
                        return false;

        return true;
}

/* "/vN" at the end of a module path names major version N >= 2 ("/v0", "/v1", "/v02", "/v2.1" are
 * not allowed); gopkg.in paths have their own ".vN" scheme and are left alone. */
static bool major_suffix_is_valid(const char *path) {
        const char *slash = strrchr(path, '/'), *digits;

        if (startswith(path, "gopkg.in/") || !slash || slash[1] != 'v')
                return true;

        digits = slash + 2;
        if (digits[0] == 0 || strspn(digits, DIGITS ".") != strlen(digits))
                return true;  /* not a major version element, just an element starting with 'v' */

        return !strchr(digits, '.') && digits[0] != '0' && !streq(digits, "1");
}

static bool path_is_valid(const char *path, bool module) {
        size_t n;

        if (!path)
                return false;

        n = strlen(path);
        if (n == 0 || n > GO_PATH_MAX || path[0] == '-')
                return false;
        /* The first element is a host name, so it has a dot. */
        if (!memchr(path, '.', strcspn(path, "/")))
                return false;

        for (const char *e = path; ; ) {
                size_t k = strcspn(e, "/");

                if (!element_is_valid(e, k, module, /* first= */ e == path))
                        return false;
                if (e[k] == 0)
                        break;
                e += k + 1;
        }

        return !module || major_suffix_is_valid(path);
}

bool go_module_path_is_valid(const char *path) {
        return path_is_valid(path, /* module= */ true);
}

bool go_package_path_is_valid(const char *path) {
        return path_is_valid(path, /* module= */ false);
}

int go_module_escape(const char *path, char **ret) {
        char *escaped, *p;

        if (!go_module_path_is_valid(path))
                return -EINVAL;

        /* At most every character doubles. */
        escaped = malloc(2 * strlen(path) + 1);
        if (!escaped)
                return -ENOMEM;

        p = escaped;
        for (const char *s = path; *s; s++) {
                if (*s >= 'A' && *s <= 'Z') {
                        *p++ = '!';
                        *p++ = (char) (*s - 'A' + 'a');
                } else
                        *p++ = *s;
        }
        *p = 0;

        *ret = escaped;
        return 0;
}

int go_module_root_candidates(const char *package_path, char ***ret) {
        _cleanup_(strv_freep) char **l = NULL;
        size_t n;

        if (!go_package_path_is_valid(package_path))
                return -EINVAL;

        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;

        /* From the whole path down to the host, cutting at each '/'. */
        for (n = strlen(package_path); n > 0; ) {
                _cleanup_free_ char *prefix = strndup(package_path, n);
                int r;

                if (!prefix)
                        return -ENOMEM;
                if (go_module_path_is_valid(prefix)) {
                        r = strv_extend(&l, prefix);
                        if (r < 0)
                                return r;
                }

                while (n > 0 && package_path[n - 1] != '/')
                        n--;
                if (n > 0)
                        n--;  /* the '/' itself */
        }

        *ret = TAKE_PTR(l);
        return 0;
}

bool go_module_roots_prefer(char **roots, const char *module) {
        for (size_t i = 0; module && roots && roots[i]; i++)
                if (streq(roots[i], module)) {
                        char *m = roots[i];

                        memmove(roots + 1, roots, i * sizeof(char *));
                        roots[0] = m;
                        return true;
                }

        return false;
}

bool go_module_version_is_valid(const char *v) {
        Version parsed;
        const char *plus;
        bool ok;

        if (!v || v[0] != 'v')
                return false;

        plus = strchr(v, '+');
        if (plus && !streq(plus, INCOMPATIBLE))
                return false;

        ok = version_parse(v, &parsed) >= 0;
        if (ok)
                version_done(&parsed);
        return ok;
}

/* Newest first; equal precedence (v2.0.0 and v2.0.0+incompatible) ordered by string, so repeats are
 * neighbours. */
static int module_version_cmp_desc(const void *a, const void *b) {
        const char *x = *(const char *const *) a, *y = *(const char *const *) b;
        int c = version_compare(y, x);

        return c != 0 ? c : strcmp(y, x);
}

static int go_version_cmp_desc(const void *a, const void *b) {
        const char *x = *(const char *const *) a, *y = *(const char *const *) b;
        int c = go_version_compare(y, x);

        return c != 0 ? c : strcmp(y, x);
}

/* Sorts l (with n entries) and drops repeated strings, in place. */
static void sort_unique(char **l, size_t n, int (*cmp)(const void *, const void *)) {
        size_t k = 0;

        if (n == 0)
                return;

        qsort(l, n, sizeof(char *), cmp);
        for (size_t i = 1; i < n; i++) {
                char *v = TAKE_PTR(l[i]);

                if (streq(v, l[k]))
                        free(v);
                else
                        l[++k] = v;
        }
        l[k + 1] = NULL;
}

#define LINE_SPACE " \t\r"

/* Calls f for each non-empty line of text with surrounding blanks removed. Refuses oversized bodies
 * and NUL bytes, and stops at the first error f returns. */
static int for_each_line(const char *text, size_t size,
                         int (*f)(const char *line, size_t n, void *userdata), void *userdata) {
        if (size > GO_LIST_MAX_SIZE)
                return -EFBIG;
        if (size > 0 && (!text || memchr(text, 0, size)))
                return -EBADMSG;

        for (size_t i = 0; i < size; ) {
                const char *nl = memchr(text + i, '\n', size - i);
                size_t end = nl ? (size_t) (nl - text) : size, start = i;
                int r;

                i = end + 1;
                while (start < end && strchr(LINE_SPACE, text[start]))
                        start++;
                while (end > start && strchr(LINE_SPACE, text[end - 1]))
                        end--;
                if (start == end)
                        continue;

                r = f(text + start, end - start, userdata);
                if (r < 0)
                        return r;
        }

        return 0;
}

typedef struct ListParse {
        char **versions;
        size_t n;
        const char *platform;   /* toolchain lists only */
} ListParse;

static void list_parse_done(ListParse *p) {
        strv_free(p->versions);
}

static int list_add(ListParse *p, char *v) {
        char **l;

        l = reallocarray(p->versions, p->n + 2, sizeof(char *));
        if (!l) {
                free(v);
                return -ENOMEM;
        }
        l[p->n++] = v;
        l[p->n] = NULL;
        p->versions = l;
        return 0;
}

static int add_module_version(const char *line, size_t n, void *userdata) {
        _cleanup_free_ char *v = strndup(line, n);

        if (!v)
                return -ENOMEM;
        if (!go_module_version_is_valid(v))
                return -EBADMSG;

        return list_add(userdata, TAKE_PTR(v));
}

static int finish_list(ListParse *p, int (*cmp)(const void *, const void *), char ***ret) {
        if (!p->versions) {
                p->versions = calloc(1, sizeof(char *));
                if (!p->versions)
                        return -ENOMEM;
        }

        sort_unique(p->versions, p->n, cmp);
        *ret = TAKE_PTR(p->versions);
        return 0;
}

int go_version_list_parse(const char *text, size_t size, char ***ret) {
        _cleanup_(list_parse_done) ListParse p = {};
        int r;

        r = for_each_line(text, size, add_module_version, &p);
        if (r < 0)
                return r;

        return finish_list(&p, module_version_cmp_desc, ret);
}

#define TOOLCHAIN_PREFIX "v0.0.1-go"

static int add_toolchain(const char *line, size_t n, void *userdata) {
        _cleanup_free_ char *v = strndup(line, n), *go = NULL;
        ListParse *p = userdata;
        size_t plen = strlen(p->platform), k;

        if (!v)
                return -ENOMEM;
        if (!go_module_version_is_valid(v))
                return -EBADMSG;

        /* v0.0.1-go1.21.3.linux-amd64: the Go version sits between the fixed prefix and ".<platform>";
         * entries for other platforms (or of another shape) are someone else's. */
        if (!startswith(v, TOOLCHAIN_PREFIX) || n < strlen(TOOLCHAIN_PREFIX) + plen + 1 ||
            v[n - plen - 1] != '.' || !streq(v + n - plen, p->platform))
                return 0;

        k = n - plen - 1 - strlen(TOOLCHAIN_PREFIX);
        if (asprintf(&go, "go%.*s", (int) k, v + strlen(TOOLCHAIN_PREFIX)) < 0) {
                go = NULL;
                return -ENOMEM;
        }
        if (!go_version_is_valid(go))
                return -EBADMSG;

        return list_add(p, TAKE_PTR(go));
}

static bool platform_is_valid(const char *s) {
        size_t os, arch;

        if (!s)
                return false;

        os = strspn(s, LOWER DIGITS);
        if (os == 0 || s[os] != '-')
                return false;
        arch = strspn(s + os + 1, LOWER DIGITS);
        return arch > 0 && s[os + 1 + arch] == 0;
}

int go_toolchain_list_parse(const char *text, size_t size, const char *goos_goarch, char ***ret) {
        _cleanup_(list_parse_done) ListParse p = { .platform = goos_goarch };
        int r;

        if (!platform_is_valid(goos_goarch))
                return -EINVAL;

        r = for_each_line(text, size, add_toolchain, &p);
        if (r < 0)
                return r;

        return finish_list(&p, go_version_cmp_desc, ret);
}

/* Go toolchain versions */

typedef enum GoKind {
        GO_KIND_ALPHA,
        GO_KIND_BETA,
        GO_KIND_RC,
        GO_KIND_RELEASE,   /* sorts after every pre-release of the same minor release */
} GoKind;

typedef struct GoVersion {
        uint64_t major, minor, patch;
        GoKind kind;
        uint64_t pre;      /* the N of rcN */
} GoVersion;

/* Digits without a leading zero, at most 9 of them so nothing can overflow. */
static int scan_number(const char **p, uint64_t *ret) {
        size_t n = strspn(*p, DIGITS);
        uint64_t v = 0;

        if (n == 0 || n > 9 || (n > 1 && (*p)[0] == '0'))
                return -EINVAL;

        for (size_t i = 0; i < n; i++)
                v = v * 10 + (uint64_t) ((*p)[i] - '0');

        *p += n;
        *ret = v;
        return 0;
}

static int go_version_scan(const char *s, GoVersion *ret) {
        static const struct {
                const char *name;
                GoKind kind;
        } kinds[] = {
                { "alpha", GO_KIND_ALPHA },
                { "beta",  GO_KIND_BETA  },
                { "rc",    GO_KIND_RC    },
        };
        GoVersion v = { .kind = GO_KIND_RELEASE };
        const char *p;

        if (!s || strncmp(s, "go", 2) != 0)
                return -EINVAL;
        p = s + 2;

        if (scan_number(&p, &v.major) < 0)
                return -EINVAL;
        if (*p == 0)
                goto done;  /* "go1" is go1.0.0 */

        if (*p++ != '.' || scan_number(&p, &v.minor) < 0)
                return -EINVAL;
        if (*p == 0)
                goto done;  /* "go1.21" is the release, go1.21.0 */

        if (*p == '.') {
                p++;
                /* Patch releases have no pre-releases. */
                if (scan_number(&p, &v.patch) < 0 || *p != 0)
                        return -EINVAL;
                goto done;
        }

        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (startswith(p, kinds[i].name)) {
                        p += strlen(kinds[i].name);
                        if (scan_number(&p, &v.pre) < 0 || *p != 0)
                                return -EINVAL;
                        v.kind = kinds[i].kind;
                        goto done;
                }

        return -EINVAL;

done:
        *ret = v;
        return 0;
}

bool go_version_is_valid(const char *v) {
        GoVersion g;

        return go_version_scan(v, &g) >= 0;
}

bool go_version_is_release(const char *v) {
        GoVersion g;

        return go_version_scan(v, &g) >= 0 && g.kind == GO_KIND_RELEASE;
}

bool go_version_same_minor(const char *a, const char *b) {
        GoVersion x, y;

        return go_version_scan(a, &x) >= 0 && go_version_scan(b, &y) >= 0 &&
                x.major == y.major && x.minor == y.minor;
}

int go_version_compare(const char *a, const char *b) {
        GoVersion x, y;
        bool a_valid, b_valid;
        int c;

        a_valid = go_version_scan(a, &x) >= 0;
        b_valid = go_version_scan(b, &y) >= 0;
        if (!a_valid || !b_valid)
                return (int) a_valid - (int) b_valid;

        if ((c = CMP(x.major, y.major)) != 0 ||
            (c = CMP(x.minor, y.minor)) != 0 ||
            (c = CMP(x.kind, y.kind)) != 0)
                return c;

        return x.kind == GO_KIND_RELEASE ? CMP(x.patch, y.patch) : CMP(x.pre, y.pre);
}

bool go_version_supported(const char *v, char *const *known) {
        GoVersion g, newest[2];
        size_t n_newest = 0;

        if (go_version_scan(v, &g) < 0 || g.kind != GO_KIND_RELEASE)
                return false;

        /* The two highest distinct major.minor pairs that have a release. */
        for (char *const *k = known; k && *k; k++) {
                GoVersion x;
                bool seen = false;

                if (go_version_scan(*k, &x) < 0 || x.kind != GO_KIND_RELEASE)
                        continue;

                for (size_t i = 0; i < n_newest; i++)
                        if (newest[i].major == x.major && newest[i].minor == x.minor)
                                seen = true;
                if (seen)
                        continue;

                if (n_newest < 2)
                        newest[n_newest++] = x;
                else {
                        /* Replace the lower of the two if x is above it. */
                        size_t low = (CMP(newest[0].major, newest[1].major) ?: CMP(newest[0].minor, newest[1].minor)) < 0 ? 0 : 1;

                        if ((CMP(x.major, newest[low].major) ?: CMP(x.minor, newest[low].minor)) > 0)
                                newest[low] = x;
                }
        }

        for (size_t i = 0; i < n_newest; i++)
                if (newest[i].major == g.major && newest[i].minor == g.minor)
                        return true;

        return false;
}

/* Build versions */

int go_build_version_format(const char *module_version, const char *go_version, char **ret) {
        char *s;

        if (!go_module_version_is_valid(module_version) || !go_version_is_valid(go_version))
                return -EINVAL;

        /* Semver has one "+": a module version that already carries "+incompatible" gets the Go
         * version as a further build identifier. */
        if (asprintf(&s, "%s%s%s", module_version, strchr(module_version, '+') ? "." : "+", go_version) < 0)
                return -ENOMEM;

        *ret = s;
        return 0;
}

int go_build_version_parse(const char *s, char **ret_module_version, char **ret_go_version) {
        _cleanup_free_ char *module = NULL, *go = NULL;
        const char *plus, *g;

        if (!s)
                return -EINVAL;

        plus = strchr(s, '+');
        if (!plus)
                return -EINVAL;

        g = startswith(plus, INCOMPATIBLE ".");
        if (g)
                module = strndup(s, (size_t) (plus - s) + strlen(INCOMPATIBLE));
        else {
                module = strndup(s, (size_t) (plus - s));
                g = plus + 1;
        }
        if (!module)
                return -ENOMEM;

        if (!go_module_version_is_valid(module) || !go_version_is_valid(g))
                return -EINVAL;

        go = strdup(g);
        if (!go)
                return -ENOMEM;

        if (ret_module_version)
                *ret_module_version = TAKE_PTR(module);
        if (ret_go_version)
                *ret_go_version = TAKE_PTR(go);
        return 0;
}

int go_build_version_compare(const char *a, const char *b) {
        _cleanup_free_ char *am = NULL, *ag = NULL, *bm = NULL, *bg = NULL;
        int c;

        if (go_build_version_parse(a, &am, &ag) < 0 || go_build_version_parse(b, &bm, &bg) < 0)
                return version_compare(a, b);

        c = version_compare(am, bm);
        return c != 0 ? c : go_version_compare(ag, bg);
}
