/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: what s3.c reads that it does not control: an S3 server's error document (the
 * network), a credentials file (a disk that may be corrupted), and s3:// URLs with a channel's paths
 * resolved against them. Nothing may crash; an error message names no more than a short code; a
 * parsed credentials file holds only visible ASCII; what resolves builds an object URL. The first
 * byte picks the parser; the rest is the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/tests.h"
#include "macro.h"
#include "s3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_error_document(const char *body, size_t size) {
        _cleanup_free_ char *m = s3_error_message("s3://bkt/p/channel.json", 403, body, size);

        ASSERT_NOT_NULL(m);
        ASSERT_FALSE(str_has_control_chars(m));
        ASSERT_LE(strlen(m), 300U);
}

static void fuzz_credentials(const char *text, size_t size) {
        _cleanup_free_ char *reason = NULL;
        S3Credentials c = {};

        if (s3_credentials_parse(text, size, &c, &reason) < 0) {
                ASSERT_NULL(c.access_key_id);
                return;
        }
        ASSERT_NULL(reason);
        ASSERT_FALSE(str_has_control_chars(c.access_key_id) || strchr(c.access_key_id, ' '));
        ASSERT_FALSE(str_has_control_chars(c.secret_access_key) || strchr(c.secret_access_key, ' '));
        s3_credentials_done(&c);
}

static void fuzz_url(const char *s) {
        _cleanup_free_ char *resolved = NULL, *url = NULL;
        const char *nl = strchr(s, '\n');
        _cleanup_free_ char *base = strndup(s, nl ? (size_t) (nl - s) : strlen(s));

        ASSERT_NOT_NULL(base);
        if (!s3_url_is_valid(base) || !nl)
                return;
        if (s3_url_resolve(base, nl + 1, &resolved) < 0)
                return;
        ASSERT_TRUE(s3_url_is_valid(resolved));
        ASSERT_OK_ZERO(s3_object_url(NULL, "us-east-1", resolved, &url));
        ASSERT_FALSE(str_has_control_chars(url) || strchr(url, ' '));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = NULL;

        if (size < 1 || size > 65536)
                return 0;

        s = malloc(size);
        ASSERT_NOT_NULL(s);
        memcpy(s, data + 1, size - 1);
        s[size - 1] = 0;

        switch (data[0] % 3) {
        case 0:
                fuzz_error_document(s, size - 1);
                break;
        case 1:
                fuzz_credentials(s, size - 1);
                break;
        case 2:
                if (!memchr(s, 0, size - 1))
                        fuzz_url(s);
                break;
        }

        return 0;
}
