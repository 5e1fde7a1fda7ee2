/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Base64 (RFC 4648) decoded strictly, for keys, signatures and hashes that have exactly one accepted
 * spelling: the standard alphabet with "=" padding (§4), as minisign and Go's signed notes write it,
 * and the URL-safe alphabet without padding (§5), as gobuild writes its sums. Anything else is
 * -EINVAL: whitespace, padding where it does not belong, a wrong length, and non-zero unused bits in
 * the last symbol (so no two strings decode to the same bytes). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Standard alphabet, padded. Decodes s[0..len) into a new buffer (NUL-terminated for convenience, not
 * counted in *ret_size). */
int base64_decode(const char *s, size_t len, uint8_t **ret, size_t *ret_size);

/* Standard alphabet, padded, of exactly n bytes into out. */
int base64_decode_exact(const char *s, size_t len, void *out, size_t n);

/* URL-safe alphabet ("-_"), unpadded, of exactly n bytes into out. */
int base64url_decode_exact(const char *s, size_t len, void *out, size_t n);

/* Standard alphabet, padded. NULL on allocation failure. */
char *base64_encode(const void *data, size_t n);

/* URL-safe alphabet, unpadded. NULL on allocation failure. */
char *base64url_encode(const void *data, size_t n);
