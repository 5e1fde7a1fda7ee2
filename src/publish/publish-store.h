/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A channel directory on the publisher's side: channel.json, channel.json.minisig and the artifacts
 * below VERSION/, changed only under a lock on the directory, written atomically, and signed by the
 * standard minisign tool. */
#pragma once

#include <stdbool.h>

#include "channel.h"
#include "minisign.h"

#define PUBLISH_CHANNEL_FILE "channel.json"
#define PUBLISH_SIGNATURE_FILE "channel.json.minisig"

typedef struct PublishSigner {
        const char *minisign;        /* the minisign program: $MINISIGN, else "minisign" from $PATH */
        const char *secret_key;      /* passed as -s; NULL: minisign's default key */
        const MinisignPublicKey *key; /* if not NULL, the new signature must verify with it */
} PublishSigner;

/* Opens (with create: makes, mode 0755) the channel directory and takes an exclusive flock() on it,
 * held until the descriptor is closed, so that two publishers never interleave their edits. */
int publish_dir_open(const char *path, bool create, int *ret_fd);

/* Reads and parses DIR/channel.json: -ENOENT when there is none. On -EBADMSG, *ret_reason says why. */
int publish_load(int dir_fd, Channel **ret, char **ret_reason);

/* Hashes file into *ret (size, SHA-256), taking type and platform from the arguments, else guessing them
 * (type < 0: from its name or first bytes; platform NULL: the linux-ARCH in its name, else this
 * machine's). The path is url, or url + the file's name when url ends in "/"; with url NULL, it is
 * VERSION/PLATFORM/NAME, where publish_copy() puts it. On failure *ret_reason may say why. */
int publish_import(const char *file, ArtifactType type, const char *platform, const char *version,
                   const char *url, ChannelArtifact *ret, char **ret_reason);
void publish_artifact_done(ChannelArtifact *a);

/* Copies file to DIR/VERSION/PLATFORM/NAME atomically. A file already there must have the same bytes,
 * and no other file may be there (what a withdrawn publication of the version left): -EEXIST, since
 * a version once published keeps its bytes. -EAGAIN when the file changed since publish_import(). */
int publish_copy(int dir_fd, const char *file, const char *version, const ChannelArtifact *a, char **ret_reason);

/* Writes c as DIR/channel.json and signs it, so that no reader ever sees a new channel.json with an
 * old signature: channel.json.new, then minisign -S into channel.json.minisig.new, both fsync()ed;
 * then the signature renamed into place, then channel.json. Between the two renames a reader sees
 * the old channel.json with the new signature, which a client that kept the old channel never fetches
 * (its conditional request for channel.json answers 304). */
int publish_write(int dir_fd, const char *dir_path, const Channel *c, const PublishSigner *signer, char **ret_reason);

/* Removes DIR/VERSION/ and what publish_copy() put in it. */
int publish_remove_version_dir(int dir_fd, const char *version);
