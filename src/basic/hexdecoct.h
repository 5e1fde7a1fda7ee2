/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hexadecimal digits: bytes to lower-case hex and back. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The value of one hex digit (either case), or -EINVAL. */
int unhexchar(char c);

/* The lower-case hex digit for the low four bits of x. */
char hexchar(int x);

/* Writes the 2 * size lower-case hex digits of data and a NUL to buf; returns buf. */
char *hex_encode(const void *data, size_t size, char *buf);

/* Decodes exactly 2 * size hex digits (either case) of s[0..len) into ret: -EINVAL if len is not
 * 2 * size or a character is not a hex digit (ret is then unchanged). */
int hex_decode(const char *s, size_t len, void *ret, size_t size);
