/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which discovered version an app takes automatically, given its Policy=. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum UpdatePolicy {
        UPDATE_POLICY_PATCH,   /* same major.minor, newer patch */
        UPDATE_POLICY_MINOR,   /* same major, newer minor or patch */
        UPDATE_POLICY_MAJOR,   /* anything newer */
        UPDATE_POLICY_MANUAL,  /* nothing automatically */
        _UPDATE_POLICY_MAX,
        _UPDATE_POLICY_INVALID = -EINVAL,
} UpdatePolicy;

const char *update_policy_to_string(UpdatePolicy p);
UpdatePolicy update_policy_from_string(const char *s);

/* Whether the policy lets candidate replace current automatically. Pre-releases are never automatic
 * candidates unless current is itself a pre-release of the same major.minor.patch. A NULL current
 * (nothing installed yet) allows any valid non-pre-release candidate except under manual. */
bool update_policy_allows(UpdatePolicy p, const char *current, const char *candidate);

/* The newest of versions[0..n) that the policy allows over current and that is not listed in
 * bad (NULL-terminated, may be NULL). Returns a pointer into versions, or NULL if none. */
const char *update_policy_latest_allowed(UpdatePolicy p, const char *current,
                                         const char *const *versions, size_t n,
                                         const char *const *bad);
