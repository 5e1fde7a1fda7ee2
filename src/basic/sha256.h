/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-256 of data given in pieces (OpenSSL), for hashes over a prefix and a body. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define SHA256_SIZE 32

/* SHA-256 of the concatenation of the n pieces. -EIO when OpenSSL fails (its error queue is left
 * empty). */
int sha256_iovec(const struct iovec *iov, size_t n, uint8_t ret[static SHA256_SIZE]);
