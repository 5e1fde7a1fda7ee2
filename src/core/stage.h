/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The versions/ directory of an app: putting a verified artifact in place as an immutable tree, and
 * removing old ones. Only a complete tree ever appears under versions/VERSION: it is built in a
 * hidden temporary directory beside it, made read-only, fsynced, and renamed into place. */
#pragma once

#include <stdbool.h>

#include "cancel.h"
#include "channel.h"

#define STAGE_PARTIAL_DIR "partial"
#define STAGE_VERSIONS_DIR "versions"

/* Stages the artifact in artifact_fd (already verified: size and sha256) as
 * app_dir_fd/versions/version. binary_name names the file for ARTIFACT_BINARY (the app's name).
 * An existing versions/version is left as it is (returns 0: staging is idempotent). Leftover
 * temporary directories of an earlier crash are removed first. Refusals of the archive return
 * -EBADMSG/-EFBIG with a malloc'd reason. Gives up with -ECANCELED, leaving nothing behind, once
 * cancel (may be NULL) is set: it is checked between archive entries, every 64 KiB of unpacked data
 * or 1 MiB of a copied binary, and between the files it flushes to disk. It may run on any thread: it
 * touches only the descriptors and strings it is given, and serializes itself against other
 * stagings and stage_prune() of the same app with the versions/ lock. */
int stage_artifact(int app_dir_fd, const char *version, ArtifactType type, int artifact_fd,
                   const char *binary_name, const CancelFlag *cancel, char **ret_reason);

/* Whether versions/version exists (a complete, staged tree). */
bool stage_exists(int app_dir_fd, const char *version);

/* Removes staged versions beyond the keep newest (by version order), never current nor previous
 * (either may be NULL). Returns the number removed. Never waits: while a staging of the same app
 * holds the versions/ lock, it removes nothing and returns -EBUSY (the next prune catches up). */
int stage_prune(int app_dir_fd, unsigned keep, const char *current, const char *previous);

/* Removes everything in partial/ (downloads interrupted by a crash); creates it if missing. */
int stage_clear_partial(int app_dir_fd);

/* Removes a directory tree below dir_fd (also read-only ones), not crossing into other
 * filesystems and never following symlinks. */
int rm_rf_at(int dir_fd, const char *name);
