/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* channel.json: what a publisher's release channel says (see README "Publishing releases"), and the
 * rules that keep an attacker from replaying, freezing or swapping it. Pure logic: the bytes come
 * from the network elsewhere, and only after their signature verified. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-id128.h>

#include "sha256.h"
#include "time-util.h"

/* The channel last accepted, kept as verified in the app's state directory, and its signature. */
#define CHANNEL_FILE "channel.json"
#define CHANNEL_SIG_FILE "channel.json.minisig"

#define CHANNEL_MAX_SIZE (1024U * 1024U)   /* a larger channel.json is refused before parsing */

typedef enum ArtifactType {
        ARTIFACT_BINARY,      /* one executable, stored as versions/VERSION/NAME, mode 0755 */
        ARTIFACT_TAR,         /* any compression libarchive detects */
        ARTIFACT_ZIP,
        _ARTIFACT_TYPE_MAX,
        _ARTIFACT_TYPE_INVALID = -EINVAL,
} ArtifactType;

const char *artifact_type_to_string(ArtifactType t);
ArtifactType artifact_type_from_string(const char *s);

typedef struct ChannelArtifact {
        char *platform;       /* linux-<Go arch>: linux-amd64, linux-arm64, … */
        ArtifactType type;
        char *path;           /* relative to the channel's base URL, or an absolute http(s)/file URL */
        uint64_t size;
        uint8_t sha256[SHA256_SIZE];
} ChannelArtifact;

typedef struct ChannelRelease {
        char *version;        /* a valid semantic version */
        usec_t published;     /* 0 if absent */
        char *notes;          /* NULL if absent */
        unsigned rollout;     /* 1..100, default 100 */
        ChannelArtifact *artifacts;
        size_t n_artifacts;
} ChannelRelease;

typedef struct Channel {
        char *app;
        uint64_t serial;      /* >= 1 */
        usec_t expires;
        ChannelRelease *releases;
        size_t n_releases;
} Channel;

Channel *channel_free(Channel *c);
static inline void channel_freep(Channel **c) {
        channel_free(*c);
}

/* Parses channel.json strictly: required fields present and of the right type, versions valid and
 * not repeated, sizes > 0, sha256 64 hex digits, paths without ".." components, no NUL bytes.
 * On error returns -EBADMSG (or -ENOMEM) and, if ret_reason is not NULL, a malloc'd sentence naming
 * what is wrong ("release 1.4.2, artifact 1: \"sha256\" is not 64 hex digits"). */
int channel_parse(const char *json, size_t size, Channel **ret, char **ret_reason);

/* Reads the file name under dir_fd (at most CHANNEL_MAX_SIZE, else -EFBIG) and parses it as
 * channel_parse() does. It checks no signature: for a channel kept after it was verified, or a
 * publisher's own. */
int channel_load_at(int dir_fd, const char *name, Channel **ret, char **ret_reason);

/* The rules a verified channel must pass before anything in it is used, in this order:
 *  - app must equal the app's name                                  → -EXDEV
 *  - expires must be later than now (a frozen channel)              → -EKEYEXPIRED
 *  - serial must not be lower than last_serial (a replayed channel) → -ESTALE
 *  - at an equal serial, digest must equal last_digest (hex SHA-256 of the accepted bytes;
 *    last_digest NULL = nothing accepted yet)                       → -ESTALE
 * Returns 0 when acceptable, and a malloc'd reason on refusal if ret_reason is not NULL. */
int channel_check(const Channel *c, const char *app, usec_t now, uint64_t last_serial,
                  const char *last_digest, const char *digest, char **ret_reason);

/* The artifact of r for platform, or NULL. */
const ChannelArtifact *channel_release_find_artifact(const ChannelRelease *r, const char *platform);

/* The platform string of this machine: "linux-" + the Go name of the architecture upkeep was built
 * for (amd64, arm64, 386, arm, riscv64, ppc64le, s390x). */
const char *platform_native(void);

/* Whether this machine takes a release published to percent (1..100) of machines: a stable hash of
 * machine id, app and version, mapped to 0..99, is below percent. The same inputs always give the
 * same answer; different versions spread machines independently. */
bool rollout_includes(sd_id128_t machine_id, const char *app, const char *version, unsigned percent);

