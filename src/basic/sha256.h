/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-256 of data given in pieces (OpenSSL), for hashes over a prefix and a body. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define SHA256_SIZE 32
#define SHA256_HEX_SIZE (2 * SHA256_SIZE + 1)

/* SHA-256 of the concatenation of the n pieces. -EIO when OpenSSL fails (its error queue is left
 * empty). */
int sha256_iovec(const struct iovec *iov, size_t n, uint8_t ret[static SHA256_SIZE]);

/* Lower-case hex of a SHA-256 digest into buf; returns buf. */
char *sha256_to_hex(const uint8_t digest[static SHA256_SIZE], char buf[static SHA256_HEX_SIZE]);
