/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gopherwatch's DNS answers about Go modules (https://www.gopherwatch.org/, "l.gopherwatch.org"): the
 * latest versions of a module, and the current, previous and next Go toolchains, as TXT records, so
 * a check can learn cheaply whether anything is new. The name of a module's record is its path turned
 * into DNS labels:
 *
 *   <elements after the host, last first, escaped>._.<host>.v0.<base>.
 *
 * An element keeps its [0-9a-z-] bytes and has any other byte written as "_" and two lower-case hex
 * digits (so "Sushi" is "_53ushi", "a.b" is "a_2eb"); a leading or trailing "-" is written "_2d",
 * since a label may not start or end with one. "github.com/mjl-/moxtools" on l.gopherwatch.org is
 * "moxtools.mjl_2d._.github.com.v0.l.gopherwatch.org.". Toolchains are at "toolchain.v0.<base>.".
 *
 * An answer (the TXT record's strings joined) is records separated by ";", each of space-separated
 * key=value fields: "v=v1.2.3 t=65a1b2c3" (t: when the version was seen, Unix seconds in hex); for
 * toolchains also "k=cur", "k=prev" or "k=next". Pure logic: the lookup is the caller's, and any
 * error sends it back to the module proxy. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "time-util.h"

#define GOPHERWATCH_BASE_DEFAULT "l.gopherwatch.org"
#define GOPHERWATCH_ANSWER_MAX 4096U   /* a longer answer is refused: the real ones are < 200 bytes */

typedef struct GopherwatchVersion {
        char *version;          /* a module version ("v1.2.3") or a Go version ("go1.22.1") */
        usec_t found;           /* realtime */
} GopherwatchVersion;

typedef enum GopherwatchToolchainKind {
        GOPHERWATCH_TOOLCHAIN_CUR,
        GOPHERWATCH_TOOLCHAIN_PREV,
        GOPHERWATCH_TOOLCHAIN_NEXT,
        _GOPHERWATCH_TOOLCHAIN_MAX,
} GopherwatchToolchainKind;

typedef struct GopherwatchToolchains {
        GopherwatchVersion kinds[_GOPHERWATCH_TOOLCHAIN_MAX];   /* version NULL when not given */
} GopherwatchToolchains;

void gopherwatch_versions_free(GopherwatchVersion *v, size_t n);
void gopherwatch_toolchains_done(GopherwatchToolchains *t);

/* Whether base is a plausible domain to ask under: labels of [A-Za-z0-9-], none empty, at most 253
 * bytes (a trailing dot is fine). */
bool gopherwatch_base_is_valid(const char *base);

/* The TXT record names. base is a domain such as GOPHERWATCH_BASE_DEFAULT (a trailing dot is fine).
 * -EINVAL for an invalid module path (or one without a '/'), an element whose label would be longer
 * than 63 bytes, a name longer than 253, or an invalid base. */
int gopherwatch_module_name(const char *base, const char *module, char **ret);
int gopherwatch_toolchain_name(const char *base, char **ret);

/* A module's answer: its versions, in the answer's order. Records without both v= and t= are
 * skipped. -EBADMSG for a field that is not key=value, an empty value, a key given twice in a record,
 * a t= that is not hex, a v= that is not a module version, a NUL byte; -EFBIG beyond
 * GOPHERWATCH_ANSWER_MAX. */
int gopherwatch_versions_parse(const char *text, size_t size, GopherwatchVersion **ret, size_t *ret_n);

/* The newest of n versions (semver order; the first of equals), or NULL when n is 0. */
const char *gopherwatch_versions_newest(const GopherwatchVersion *v, size_t n);

/* The toolchain answer: the first record of each kind, its v= a Go version. -EBADMSG as above, and
 * when no kind is given at all. */
int gopherwatch_toolchains_parse(const char *text, size_t size, GopherwatchToolchains *ret);
