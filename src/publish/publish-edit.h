/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The edits upkeep-publish makes to a channel, as pure logic on a Channel: no files, no signing.
 * Each returns 1 when the channel changed, 0 when it already was as asked, or a negative errno. */
#pragma once

#include <stdbool.h>

#include "channel.h"

#define PUBLISH_EXPIRES_DEFAULT (30 * USEC_PER_DAY)

/* Adds the artifacts (one per platform) as release version, or to it when the channel has that version
 * already (compared by semver precedence): a platform it lacks is added; a platform it has must have
 * the same type, size and SHA-256, or nothing changes and -EEXIST is returned with a reason, since a
 * client may have installed what was published. notes and rollout (1..100) apply to a new release
 * only. -EINVAL for an invalid version or artifact. The artifacts are copied. */
int channel_add(Channel *c, const char *version, const ChannelArtifact *artifacts, size_t n_artifacts,
                const char *notes, unsigned rollout, usec_t published, char **ret_reason);

/* -ENXIO when the channel has no such version. */
int channel_set_rollout(Channel *c, const char *version, unsigned rollout);
int channel_withdraw(Channel *c, const char *version);

/* Keeps the keep newest releases (keep >= 1) and removes the others; their versions are returned in
 * *ret_removed (NULL-terminated, NULL when none) if ret_removed is not NULL. Returns how many. */
int channel_prune(Channel *c, size_t keep, char ***ret_removed);

/* Every publication: serial (0: the current one plus one; else it must be above the current one,
 * -ESTALE otherwise, as clients would refuse it) and expires = now + span. */
int channel_bump(Channel *c, uint64_t serial, usec_t now, usec_t span);

/* Releases newest first, the order channel.json is written in. */
void channel_sort_releases(Channel *c);

/* The artifact type a file's name says (.tar, .tar.gz, .tgz, .tar.xz, .tar.zst, .tar.bz2, … → tar;
 * .zip → zip), else what its first bytes say (ELF or "#!" → binary); -EINVAL when neither tells. */
ArtifactType artifact_type_guess(const char *filename, const void *head, size_t head_size);

/* The "linux-ARCH" in a file name such as "hello-1.2.0-linux-arm64.tar.gz", for the Go names of
 * architectures; -ENOENT when it names none. */
int platform_from_filename(const char *filename, char **ret);

/* Whether a and b are the same artifact for a client: type, size and SHA-256 (not where it is). */
bool channel_artifact_same(const ChannelArtifact *a, const ChannelArtifact *b);
