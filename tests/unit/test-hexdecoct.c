/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "hexdecoct.h"
#include "macro.h"
#include "tests.h"

static void test_unhexchar(void) {
        printf("%s\n", __func__);

        ASSERT_EQ(unhexchar('0'), 0);
        ASSERT_EQ(unhexchar('9'), 9);
        ASSERT_EQ(unhexchar('a'), 10);
        ASSERT_EQ(unhexchar('F'), 15);
        ASSERT_ERROR(unhexchar('g'), EINVAL);
        ASSERT_ERROR(unhexchar(' '), EINVAL);
        ASSERT_ERROR(unhexchar(0), EINVAL);
        ASSERT_EQ(hexchar(0), '0');
        ASSERT_EQ(hexchar(0xb), 'b');
        ASSERT_EQ(hexchar(0x1f), 'f');
}

static void test_encode(void) {
        static const uint8_t data[] = { 0x00, 0x01, 0xab, 0xff };
        char buf[2 * sizeof data + 1];

        printf("%s\n", __func__);

        ASSERT_STREQ(hex_encode(data, sizeof data, buf), "0001abff");
        ASSERT_STREQ(hex_encode(data, 0, buf), "");
}

static void test_decode(void) {
        uint8_t b[4] = { 1, 2, 3, 4 };

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(hex_decode("0001aBFf", 8, b, sizeof b));
        ASSERT_EQ(b[0], 0x00);
        ASSERT_EQ(b[1], 0x01);
        ASSERT_EQ(b[2], 0xab);
        ASSERT_EQ(b[3], 0xff);

        /* Wrong length or a non-digit: refused, and b unchanged. */
        ASSERT_ERROR(hex_decode("0001abf", 7, b, sizeof b), EINVAL);
        ASSERT_ERROR(hex_decode("0001abff00", 10, b, sizeof b), EINVAL);
        ASSERT_ERROR(hex_decode("1234567g", 8, b, sizeof b), EINVAL);
        ASSERT_ERROR(hex_decode("1234 567", 8, b, sizeof b), EINVAL);
        ASSERT_EQ(b[0], 0x00);
        ASSERT_EQ(b[3], 0xff);

        ASSERT_OK_ZERO(hex_decode("", 0, b, 0));
}

int main(void) {
        test_unhexchar();
        test_encode();
        test_decode();
        return 0;
}
