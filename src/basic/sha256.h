/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-256 (OpenSSL): a stream fed in pieces, the digest of a buffer or of pieces at once, and its hex
 * form. Every failure is -EIO (or -ENOMEM) with OpenSSL's error queue left empty. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define SHA256_SIZE 32
#define SHA256_HEX_SIZE (2 * SHA256_SIZE + 1)

typedef struct Sha256 Sha256;

/* A stream: sha256_new(), any number of sha256_update(), one sha256_final(), sha256_free(). */
int sha256_new(Sha256 **ret);
int sha256_update(Sha256 *s, const void *data, size_t size);
int sha256_final(Sha256 *s, uint8_t ret[static SHA256_SIZE]);
Sha256 *sha256_free(Sha256 *s);
static inline void sha256_freep(Sha256 **s) {
        sha256_free(*s);
}

/* SHA-256 of data[0..size) (data may be NULL when size is 0). */
int sha256_buffer(const void *data, size_t size, uint8_t ret[static SHA256_SIZE]);

/* SHA-256 of the concatenation of the n pieces. */
int sha256_iovec(const struct iovec *iov, size_t n, uint8_t ret[static SHA256_SIZE]);

/* Lower-case hex of a SHA-256 digest into buf; returns buf. */
char *sha256_to_hex(const uint8_t digest[static SHA256_SIZE], char buf[static SHA256_HEX_SIZE]);
