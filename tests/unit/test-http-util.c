/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "http-util.h"
#include "macro.h"
#include "tests.h"

static void test_etag(void) {
        char long_tag[HTTP_ETAG_MAX + 2];

        printf("%s\n", __func__);

        ASSERT_TRUE(http_etag_is_valid("\"abc\""));
        ASSERT_TRUE(http_etag_is_valid("\"\""));
        ASSERT_TRUE(http_etag_is_valid("W/\"67ab43\""));
        ASSERT_TRUE(http_etag_is_valid("\"5f3a-1b2c!#~\""));
        ASSERT_TRUE(http_etag_is_valid("\"\xc3\xa9t\xc3\xa9\""));   /* obs-text */

        ASSERT_FALSE(http_etag_is_valid(NULL));
        ASSERT_FALSE(http_etag_is_valid(""));
        ASSERT_FALSE(http_etag_is_valid("abc"));            /* unquoted */
        ASSERT_FALSE(http_etag_is_valid("\""));
        ASSERT_FALSE(http_etag_is_valid("W/"));
        ASSERT_FALSE(http_etag_is_valid("W/abc"));
        ASSERT_FALSE(http_etag_is_valid("w/\"abc\""));      /* the weak prefix is case-sensitive */
        ASSERT_FALSE(http_etag_is_valid("\"a\"b\""));       /* a quote inside */
        ASSERT_FALSE(http_etag_is_valid("\"a b\""));        /* a space */
        ASSERT_FALSE(http_etag_is_valid("\"abc\"\r"));
        ASSERT_FALSE(http_etag_is_valid("\"ab\rc\""));      /* the poisoned ETag: a bare CR */
        ASSERT_FALSE(http_etag_is_valid("\"ab\nc\""));
        ASSERT_FALSE(http_etag_is_valid("\"ab\tc\""));
        ASSERT_FALSE(http_etag_is_valid("\"ab\x7f\""));

        /* Exactly the bound is kept, one byte more is not. */
        memset(long_tag, 'x', sizeof(long_tag));
        long_tag[0] = '"';
        long_tag[HTTP_ETAG_MAX - 1] = '"';
        long_tag[HTTP_ETAG_MAX] = 0;
        ASSERT_TRUE(http_etag_is_valid(long_tag));
        long_tag[HTTP_ETAG_MAX - 1] = 'x';
        long_tag[HTTP_ETAG_MAX] = '"';
        long_tag[HTTP_ETAG_MAX + 1] = 0;
        ASSERT_FALSE(http_etag_is_valid(long_tag));
}

static void test_last_modified(void) {
        char buf[RFC3339_MAX];
        usec_t t;

        printf("%s\n", __func__);

        ASSERT_FALSE(http_last_modified_is_valid(0));
        ASSERT_TRUE(http_last_modified_is_valid(USEC_PER_SEC));
        ASSERT_TRUE(http_last_modified_is_valid(HTTP_DATE_MAX));
        ASSERT_FALSE(http_last_modified_is_valid(HTTP_DATE_MAX + USEC_PER_SEC));
        ASSERT_FALSE(http_last_modified_is_valid(UINT64_MAX));

        /* The bound is the last second state.json can write and read back. */
        ASSERT_NOT_NULL(format_timestamp_rfc3339(buf, sizeof(buf), HTTP_DATE_MAX));
        ASSERT_STREQ(buf, "9999-12-31T23:59:59Z");
        ASSERT_OK_ZERO(parse_timestamp_rfc3339(buf, &t));
        ASSERT_EQ_U(t, HTTP_DATE_MAX);
}

int main(void) {
        test_etag();
        test_last_modified();
        return 0;
}
