/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "macro.h"
#include "release-choice.h"
#include "version.h"

const ChannelRelease *channel_find_release(const Channel *c, const char *version) {
        for (size_t i = 0; i < c->n_releases; i++)
                if (version_compare(c->releases[i].version, version) == 0)
                        return c->releases + i;
        return NULL;
}

static bool release_is_bad(const ChannelRelease *r, char *const *bad) {
        for (char *const *b = bad; b && *b; b++)
                if (version_compare(r->version, *b) == 0)
                        return true;
        return false;
}

int release_choose(const Channel *c, const ReleaseContext *ctx, ReleaseChoice *ret) {
        _cleanup_free_ const char **eligible = NULL;
        ReleaseChoice choice = {};
        size_t n_eligible = 0;

        eligible = calloc(c->n_releases ?: 1, sizeof(char *));
        if (!eligible)
                return -ENOMEM;

        for (size_t i = 0; i < c->n_releases; i++) {
                const ChannelRelease *r = c->releases + i;

                if (!channel_release_find_artifact(r, ctx->platform))
                        continue;

                if (!choice.newest || version_compare(r->version, choice.newest->version) > 0)
                        choice.newest = r;

                if (!release_is_bad(r, ctx->bad) &&
                    rollout_includes(ctx->machine_id, ctx->app, r->version, r->rollout))
                        eligible[n_eligible++] = r->version;
        }

        if (ctx->pinned) {
                const ChannelRelease *r = channel_find_release(c, ctx->pinned);

                if (r && channel_release_find_artifact(r, ctx->platform) &&
                    (!ctx->current || version_compare(r->version, ctx->current) != 0))
                        choice.candidate = r;
        } else {
                const char *v = update_policy_latest_allowed(ctx->policy, ctx->current, eligible, n_eligible, NULL);
                if (v)
                        choice.candidate = channel_find_release(c, v);
        }

        *ret = choice;
        return 0;
}
