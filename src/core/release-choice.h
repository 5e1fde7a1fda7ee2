/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which release of a verified channel an app should know about and which it should take. */
#pragma once

#include "channel.h"
#include "policy.h"

typedef struct ReleaseChoice {
        const ChannelRelease *newest;     /* highest version with an artifact for the platform */
        const ChannelRelease *candidate;  /* what to stage automatically, or NULL */
} ReleaseChoice;

typedef struct ReleaseContext {
        const char *platform;
        sd_id128_t machine_id;
        const char *app;
        UpdatePolicy policy;
        const char *current;      /* NULL when nothing is installed */
        char *const *bad;         /* versions that failed their trial; NULL-terminated, may be NULL */
        const char *pinned;       /* NULL unless pinned */
} ReleaseContext;

/* A release that has no artifact for the platform does not exist for this machine. The candidate
 * is the pinned version when pinned (if the channel has it and it is not current); otherwise the
 * newest the policy allows over current, among releases whose rollout includes this machine and
 * that are not bad. */
int release_choose(const Channel *c, const ReleaseContext *ctx, ReleaseChoice *ret);

/* The release of exactly this version (compared by semver precedence, so "v1.2.3" finds "1.2.3"),
 * or NULL. */
const ChannelRelease *channel_find_release(const Channel *c, const char *version);
