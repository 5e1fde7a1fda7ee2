/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <strings.h>

#include "http-util.h"

static bool etagc(unsigned char c) {
        /* etagc = %x21 / %x23-7E / obs-text: visible ASCII but the double quote, and bytes >= 0x80. */
        return c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

bool http_etag_is_valid(const char *s) {
        size_t n;

        if (!s)
                return false;

        n = strnlen(s, HTTP_ETAG_MAX + 1);
        if (n > HTTP_ETAG_MAX)
                return false;

        if (strncmp(s, "W/", 2) == 0) {
                s += 2;
                n -= 2;
        }

        if (n < 2 || s[0] != '"' || s[n - 1] != '"')
                return false;

        for (size_t i = 1; i < n - 1; i++)
                if (!etagc((unsigned char) s[i]))
                        return false;

        return true;
}

bool url_is_file(const char *url) {
        return url && strncasecmp(url, "file:", 5) == 0;
}

bool http_last_modified_is_valid(usec_t t) {
        return t > 0 && t <= HTTP_DATE_MAX;
}
