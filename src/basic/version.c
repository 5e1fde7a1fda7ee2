/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Semantic versions: strict parsing and semver 2.0.0 precedence. */
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "version.h"

#define IDENTIFIER_CHARS "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-"
#define DIGITS "0123456789"

/* A parsed version that points into the string it came from, so comparing needs no allocation and
 * cannot fail for lack of memory. */
typedef struct VersionSpan {
        uint64_t major, minor, patch;
        const char *prerelease;
        size_t prerelease_len;
        const char *build;
        size_t build_len;
} VersionSpan;

/* "0" or digits without a leading zero, fitting in uint64_t. */
static int scan_number(const char **p, uint64_t *ret) {
        const char *s = *p;
        uint64_t v = 0;
        size_t n;

        n = strspn(s, DIGITS);
        if (n == 0)
                return -EINVAL;
        if (n > 1 && s[0] == '0')
                return -EINVAL;

        for (size_t i = 0; i < n; i++) {
                uint64_t d = (uint64_t) (s[i] - '0');

                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }

        *p = s + n;
        *ret = v;
        return 0;
}

static bool is_numeric(const char *s, size_t n) {
        return n > 0 && strspn(s, DIGITS) >= n;
}

/* Dot-separated, non-empty identifiers of [0-9A-Za-z-]; returns the length consumed. Pre-release
 * identifiers that are numeric must not have leading zeros; build identifiers may. */
static int scan_identifiers(const char *s, bool prerelease, size_t *ret_len) {
        const char *p = s;

        for (;;) {
                size_t n = strspn(p, IDENTIFIER_CHARS);

                if (n == 0)
                        return -EINVAL;
                if (prerelease && n > 1 && p[0] == '0' && is_numeric(p, n))
                        return -EINVAL;

                p += n;
                if (*p != '.')
                        break;
                p++;
        }

        *ret_len = (size_t) (p - s);
        return 0;
}

static int version_scan(const char *s, VersionSpan *ret) {
        VersionSpan v = {};
        const char *p = s;
        int r;

        if (!s)
                return -EINVAL;

        if (*p == 'v')
                p++;

        r = scan_number(&p, &v.major);
        if (r < 0)
                return r;
        if (*p++ != '.')
                return -EINVAL;
        r = scan_number(&p, &v.minor);
        if (r < 0)
                return r;
        if (*p++ != '.')
                return -EINVAL;
        r = scan_number(&p, &v.patch);
        if (r < 0)
                return r;

        if (*p == '-') {
                p++;
                r = scan_identifiers(p, /* prerelease= */ true, &v.prerelease_len);
                if (r < 0)
                        return r;
                v.prerelease = p;
                p += v.prerelease_len;
        }

        if (*p == '+') {
                p++;
                r = scan_identifiers(p, /* prerelease= */ false, &v.build_len);
                if (r < 0)
                        return r;
                v.build = p;
                p += v.build_len;
        }

        if (*p != 0)
                return -EINVAL;

        *ret = v;
        return 0;
}

int version_parse(const char *s, Version *ret) {
        _cleanup_free_ char *prerelease = NULL, *build = NULL;
        VersionSpan v;
        int r;

        r = version_scan(s, &v);
        if (r < 0)
                return r;

        if (v.prerelease) {
                prerelease = strndup(v.prerelease, v.prerelease_len);
                if (!prerelease)
                        return -ENOMEM;
        }
        if (v.build) {
                build = strndup(v.build, v.build_len);
                if (!build)
                        return -ENOMEM;
        }

        *ret = (Version) {
                .major = v.major,
                .minor = v.minor,
                .patch = v.patch,
                .prerelease = TAKE_PTR(prerelease),
                .build = TAKE_PTR(build),
        };
        return 0;
}

void version_done(Version *v) {
        if (!v)
                return;

        free(v->prerelease);
        free(v->build);
        v->prerelease = v->build = NULL;
}

bool version_is_valid(const char *s) {
        VersionSpan v;

        return version_scan(s, &v) >= 0;
}

/* semver 2.0.0 §11.4: identifiers compared left to right; numeric ones numerically (without leading
 * zeros, a longer digit string is a larger number, so no overflow is possible), alphanumeric ones in
 * ASCII order, numeric before alphanumeric; a longer list wins when all shared identifiers are equal. */
static int compare_prerelease(const char *a, size_t a_len, const char *b, size_t b_len) {
        const char *a_end = a + a_len, *b_end = b + b_len;

        while (a < a_end && b < b_end) {
                /* Stops at '.', at a following "+build", or at the end. */
                size_t na = strspn(a, IDENTIFIER_CHARS), nb = strspn(b, IDENTIFIER_CHARS);
                bool a_num, b_num;
                int c;

                a_num = is_numeric(a, na);
                b_num = is_numeric(b, nb);

                if (a_num != b_num)
                        return a_num ? -1 : 1;

                if (a_num) {
                        c = CMP(na, nb);
                        if (c == 0)
                                c = memcmp(a, b, na);
                } else {
                        c = memcmp(a, b, na < nb ? na : nb);
                        if (c == 0)
                                c = CMP(na, nb);
                }
                if (c != 0)
                        return c < 0 ? -1 : 1;

                a += na;
                b += nb;
                if (a < a_end)
                        a++;  /* skip '.' */
                if (b < b_end)
                        b++;
        }

        /* All shared identifiers equal: whichever has identifiers left is the larger. */
        return (a < a_end) - (b < b_end);
}

int version_compare(const char *a, const char *b) {
        VersionSpan va, vb;
        bool a_valid, b_valid;
        int c;

        a_valid = version_scan(a, &va) >= 0;
        b_valid = version_scan(b, &vb) >= 0;

        /* Invalid sorts first, so garbage never comes out as "newest". */
        if (!a_valid || !b_valid)
                return (int) a_valid - (int) b_valid;

        c = CMP(va.major, vb.major);
        if (c != 0)
                return c;
        c = CMP(va.minor, vb.minor);
        if (c != 0)
                return c;
        c = CMP(va.patch, vb.patch);
        if (c != 0)
                return c;

        /* A pre-release has lower precedence than the release itself. */
        if (!va.prerelease || !vb.prerelease)
                return (int) !va.prerelease - (int) !vb.prerelease;

        return compare_prerelease(va.prerelease, va.prerelease_len, vb.prerelease, vb.prerelease_len);
}

bool version_equal(const char *a, const char *b) {
        VersionSpan va, vb;

        if (version_scan(a, &va) < 0 || version_scan(b, &vb) < 0 || version_compare(a, b) != 0)
                return false;

        return va.build_len == vb.build_len && (va.build_len == 0 || memcmp(va.build, vb.build, va.build_len) == 0);
}

bool version_is_downgrade(const char *current, const char *candidate) {
        return version_compare(candidate, current) < 0;
}
