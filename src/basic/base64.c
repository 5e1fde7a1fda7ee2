/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict base64 decoding, and encoding in the two forms upkeep writes (padded standard base64 for
 * signed notes and tree heads, unpadded base64url for gobuild sums). Written from RFC 4648; OpenSSL's
 * EVP_DecodeBlock is too lenient (it skips whitespace and cannot tell padding from data), and its
 * encoder knows only the standard alphabet. */
#include <stdbool.h>
#include <stdlib.h>

#include "base64.h"
#include "macro.h"

static const char std_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int symbol_value(char c, bool url) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == (url ? '-' : '+'))
                return 62;
        if (c == (url ? '_' : '/'))
                return 63;
        return -1;
}

/* Decodes into out (room for len / 4 * 3 + 2 bytes) and returns the decoded size, or -EINVAL. */
static int decode(const char *s, size_t len, bool url, uint8_t *out, size_t *ret_size) {
        size_t n_symbols = len, o = 0;
        uint32_t acc = 0;
        unsigned bits = 0;

        if (!url) {
                /* Padded: whole groups of four, with at most two "=" and only at the very end. */
                if (len % 4 != 0)
                        return -EINVAL;
                while (n_symbols > 0 && len - n_symbols < 2 && s[n_symbols - 1] == '=')
                        n_symbols--;
        }
        /* One symbol alone carries only six bits: never a whole byte. */
        if (n_symbols % 4 == 1)
                return -EINVAL;

        for (size_t i = 0; i < n_symbols; i++) {
                int v = symbol_value(s[i], url);

                if (v < 0)
                        return -EINVAL;

                acc = (acc << 6) | (uint32_t) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (uint8_t) (acc >> bits);
                        acc &= (1U << bits) - 1;
                }
        }

        /* The bits of the last symbol that fill no byte must be zero. */
        if (acc != 0)
                return -EINVAL;
        /* A padded string must carry exactly the padding its length calls for. */
        if (!url && (len - n_symbols) != (3 - o % 3) % 3)
                return -EINVAL;

        *ret_size = o;
        return 0;
}

int base64_decode(const char *s, size_t len, uint8_t **ret, size_t *ret_size) {
        _cleanup_free_ uint8_t *buf = NULL;
        size_t n;
        int r;

        if (!s || !ret || !ret_size)
                return -EINVAL;

        buf = malloc(len / 4 * 3 + 3);
        if (!buf)
                return -ENOMEM;

        r = decode(s, len, false, buf, &n);
        if (r < 0)
                return r;

        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

static int decode_exact(const char *s, size_t len, bool url, void *out, size_t n) {
        _cleanup_free_ uint8_t *buf = NULL;
        size_t got;
        int r;

        if (!s || !out)
                return -EINVAL;
        /* Refuse by length first: the caller knows the size, so nothing longer need be decoded. */
        if (len != (url ? (n * 4 + 2) / 3 : (n + 2) / 3 * 4))
                return -EINVAL;

        buf = malloc(len / 4 * 3 + 3);
        if (!buf)
                return -ENOMEM;

        r = decode(s, len, url, buf, &got);
        if (r < 0)
                return r;
        if (got != n)
                return -EINVAL;

        memcpy(out, buf, n);
        return 0;
}

int base64_decode_exact(const char *s, size_t len, void *out, size_t n) {
        return decode_exact(s, len, false, out, n);
}

int base64url_decode_exact(const char *s, size_t len, void *out, size_t n) {
        return decode_exact(s, len, true, out, n);
}

static char *encode(const void *data, size_t n, bool url) {
        const char *alphabet = url ? url_alphabet : std_alphabet;
        const uint8_t *p = data;
        char *out, *o;
        uint32_t acc = 0;
        unsigned bits = 0;

        out = o = malloc(4 * ((n + 2) / 3) + 1);
        if (!out)
                return NULL;

        for (size_t i = 0; i < n; i++) {
                acc = (acc << 8) | p[i];
                bits += 8;
                while (bits >= 6) {
                        bits -= 6;
                        *o++ = alphabet[(acc >> bits) & 63];
                }
                acc &= (1U << bits) - 1;
        }
        if (bits > 0)
                *o++ = alphabet[(acc << (6 - bits)) & 63];
        /* The standard form pads to whole groups of four. */
        if (!url)
                while ((o - out) % 4 != 0)
                        *o++ = '=';
        *o = 0;

        return out;
}

char *base64_encode(const void *data, size_t n) {
        return encode(data, n, false);
}

char *base64url_encode(const void *data, size_t n) {
        return encode(data, n, true);
}
