/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UTF-8 as the Unicode standard defines it: no overlong forms, no surrogates, nothing beyond
 * U+10FFFF. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_CHAR_MAX 4

/* Decodes the character at s (len > 0 bytes available) into *ret_cp: its length in bytes, or -EILSEQ
 * for an invalid, truncated, overlong or surrogate sequence and anything beyond U+10FFFF. */
int utf8_decode(const char *s, size_t len, uint32_t *ret_cp);

/* Whether s[0..len) is valid UTF-8 (NUL bytes are, as U+0000). */
bool utf8_is_valid_n(const char *s, size_t len);

/* Writes the 1 to UTF8_CHAR_MAX bytes of cp (at most U+10FFFF) to out, and returns how many. */
size_t utf8_encode(uint32_t cp, char *out);

/* How many characters the NUL-terminated s has: bytes that are not continuation bytes (10xxxxxx), so
 * also a count for text that is not valid UTF-8. */
size_t utf8_n_characters(const char *s);
