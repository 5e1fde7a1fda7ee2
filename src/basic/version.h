/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Semantic versions (semver.org 2.0.0) with an optional leading "v", ordered by semver rules:
 * 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-beta < 1.0.0-rc.1 < 1.0.0; build metadata ("+…") is kept
 * but ignored in ordering. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct Version {
        uint64_t major, minor, patch;
        char *prerelease;     /* NULL when none, without the "-" */
        char *build;          /* NULL when none, without the "+" */
} Version;

/* Strict: "1.2.3", "v1.2.3", "1.2.3-rc.1+build.5". Rejects "1.2", "01.2.3", "1.2.3-", "1.2.3-01"
 * (numeric identifiers with leading zeros), empty identifiers, and anything with other characters. */
int version_parse(const char *s, Version *ret);
void version_done(Version *v);
bool version_is_valid(const char *s);

/* <0, 0, >0 like strcmp. Both must be valid; an invalid one sorts before every valid one, so garbage
 * never wins "newest". */
int version_compare(const char *a, const char *b);

/* Whether a and b name the same release: equal precedence and the same build metadata ("v1.2.3" and
 * "1.2.3" do; "1.2.3+go1.21.8" and "1.2.3+go1.21.9", two builds of one release, do not). False when
 * either is invalid. */
bool version_equal(const char *a, const char *b);

/* True when installing candidate over current goes backwards (candidate < current). */
bool version_is_downgrade(const char *current, const char *candidate);
