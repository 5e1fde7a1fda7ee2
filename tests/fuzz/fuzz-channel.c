/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: channel_parse() on arbitrary bytes must never crash, leak or read out of bounds,
 * and whatever it accepts must hold up to what the rest of upkeep assumes about a Channel. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "channel.h"
#include "macro.h"
#include "version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(channel_freep) Channel *c = NULL;
        _cleanup_free_ char *reason = NULL;
        int r;

        r = channel_parse((const char *) data, size, &c, &reason);
        if (r < 0) {
                assert(!c);
                assert(r == -ENOMEM || reason);
                return 0;
        }

        assert(c && !reason);
        assert(!isempty(c->app) && c->serial >= 1);
        for (size_t i = 0; i < c->n_releases; i++) {
                const ChannelRelease *rel = &c->releases[i];

                assert(version_is_valid(rel->version));
                assert(rel->rollout >= 1 && rel->rollout <= 100);
                assert(rel->n_artifacts > 0);
                for (size_t j = 0; j < rel->n_artifacts; j++) {
                        const ChannelArtifact *a = &rel->artifacts[j];

                        assert(artifact_type_to_string(a->type));
                        assert(a->size > 0 && !isempty(a->path));
                        assert(channel_release_find_artifact(rel, a->platform) == a);
                }
                (void) rollout_includes((sd_id128_t) {}, c->app, rel->version, rel->rollout);
        }
        (void) channel_check(c, c->app, 0, c->serial, NULL, NULL, NULL);

        return 0;
}
