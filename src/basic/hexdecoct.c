/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "hexdecoct.h"

int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

char hexchar(int x) {
        return "0123456789abcdef"[x & 0xf];
}

char *hex_encode(const void *data, size_t size, char *buf) {
        const uint8_t *p = data;

        for (size_t i = 0; i < size; i++) {
                buf[2 * i] = hexchar(p[i] >> 4);
                buf[2 * i + 1] = hexchar(p[i]);
        }
        buf[2 * size] = 0;

        return buf;
}

int hex_decode(const char *s, size_t len, void *ret, size_t size) {
        uint8_t *out = ret;

        if (len != 2 * size)
                return -EINVAL;

        /* Checked in full first, so that ret is written only on success. */
        for (size_t i = 0; i < len; i++)
                if (unhexchar(s[i]) < 0)
                        return -EINVAL;

        for (size_t i = 0; i < size; i++)
                out[i] = (uint8_t) (unhexchar(s[2 * i]) << 4 | unhexchar(s[2 * i + 1]));

        return 0;
}
