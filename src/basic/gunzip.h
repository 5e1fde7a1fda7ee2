/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decompressing one gzip file (a gobuild download) from a descriptor to another, bounded, and hashed
 * on the way, so the result is never read twice to be checked. */
#pragma once

#include <stdint.h>

#include "cancel.h"
#include "sha256.h"

/* Reads a gzip stream from in_fd (from its current offset to its end) and writes the decompressed
 * bytes to out_fd. Refuses with -EFBIG output beyond max_size, and with -EBADMSG input that is not
 * exactly one complete gzip member (bad header or checksum, truncated, or followed by anything).
 * Returns the output's SHA-256 and size (ret_size may be NULL). Gives up with -ECANCELED once cancel
 * (may be NULL) is set, checked before each 64 KiB read. Other errors are -errno. */
int gunzip_fd(int in_fd, int out_fd, uint64_t max_size, uint64_t *ret_size, uint8_t ret_sha256[static SHA256_SIZE],
              const CancelFlag *cancel);
