/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unpacking a release archive (tar with any compression libarchive detects, or zip) into a fresh
 * directory, refusing everything that could escape it or hurt the machine. */
#pragma once

#include <stdint.h>

#include "cancel.h"

typedef struct ArchiveLimits {
        uint64_t max_total_size;   /* sum of regular file sizes as written */
        uint64_t max_entries;
} ArchiveLimits;

#define ARCHIVE_LIMITS_DEFAULT ((ArchiveLimits) { .max_total_size = 4ULL << 30, .max_entries = 100000 })

/* The limits for an archive of archive_size bytes: at most 100 times its size unpacked (real releases
 * compress 2-10 times; a bomb, hundreds or thousands), but never less than 64 MiB nor more than the
 * default ceiling, so a small bomb stops after 64 MiB rather than filling the disk up to 4 GiB. */
ArchiveLimits archive_limits_for_size(uint64_t archive_size);

/* Extracts the archive read from archive_fd into the empty directory target_dir_fd. Refuses, with
 * -EBADMSG and a malloc'd reason naming the entry ("entry '../x': path leaves the release
 * directory"): absolute paths, ".." components, symlinks whose target (resolved against the link's
 * own directory) leaves the tree, hardlinks to paths outside the tree or not yet extracted, device
 * nodes, FIFOs and sockets, setuid/setgid/sticky bits, and exceeding limits (→ -EFBIG). Never follows
 * a symlink while creating entries (a later entry "a/b" through an earlier link "a" is refused).
 * Directories are created 0755, files keep their owner-executable bit (0755 or 0644), ownership is
 * not restored. Gives up with -ECANCELED once cancel (may be NULL) is set: it is checked before each
 * entry and each 64 KiB of an entry's data. On failure the caller discards target_dir entirely. */
int archive_extract_safe(int archive_fd, int target_dir_fd, const ArchiveLimits *limits, const CancelFlag *cancel,
                         char **ret_reason);
