/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "macro.h"
#include "tests.h"
#include "utf8.h"

static void test_decode(void) {
        uint32_t cp = 0;

        printf("%s\n", __func__);

        ASSERT_EQ(utf8_decode("a", 1, &cp), 1);
        ASSERT_EQ(cp, 'a');
        ASSERT_EQ(utf8_decode("\xc3\xa9", 2, &cp), 2);
        ASSERT_EQ(cp, 0xe9);
        ASSERT_EQ(utf8_decode("\xe2\x80\x94", 3, &cp), 3);
        ASSERT_EQ(cp, 0x2014);
        ASSERT_EQ(utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp), 4);
        ASSERT_EQ(cp, 0x10ffff);

        ASSERT_ERROR(utf8_decode("\xe2\x80", 2, &cp), EILSEQ);          /* truncated */
        ASSERT_ERROR(utf8_decode("\xc0\xaf", 2, &cp), EILSEQ);          /* overlong '/' */
        ASSERT_ERROR(utf8_decode("\xed\xa0\x80", 3, &cp), EILSEQ);      /* surrogate U+D800 */
        ASSERT_ERROR(utf8_decode("\xf4\x90\x80\x80", 4, &cp), EILSEQ);  /* U+110000 */
        ASSERT_ERROR(utf8_decode("\x80", 1, &cp), EILSEQ);              /* lone continuation */
        ASSERT_ERROR(utf8_decode("\xff", 1, &cp), EILSEQ);
        ASSERT_ERROR(utf8_decode("\xc3" "a", 2, &cp), EILSEQ);
}

static void test_is_valid(void) {
        printf("%s\n", __func__);

        ASSERT_TRUE(utf8_is_valid_n("", 0));
        ASSERT_TRUE(utf8_is_valid_n("héllo — ✓", strlen("héllo — ✓")));
        ASSERT_TRUE(utf8_is_valid_n("a\0b", 3));
        ASSERT_FALSE(utf8_is_valid_n("h\xe9llo", 5));
        /* The length counts: a character cut at the end is invalid. */
        ASSERT_FALSE(utf8_is_valid_n("\xc3\xa9", 1));
}

static void test_encode(void) {
        static const uint32_t cps[] = { 0, 'a', 0x7f, 0x80, 0x7ff, 0x800, 0xfffd, 0x10000, 0x10ffff };
        char buf[UTF8_CHAR_MAX];

        printf("%s\n", __func__);

        ASSERT_EQ(utf8_encode(0x2014, buf), 3);
        ASSERT_TRUE(memcmp(buf, "\xe2\x80\x94", 3) == 0);

        /* Whatever is encoded decodes to itself. */
        for (size_t i = 0; i < ELEMENTSOF(cps); i++) {
                uint32_t cp;
                size_t n = utf8_encode(cps[i], buf);

                ASSERT_EQ(utf8_decode(buf, n, &cp), (int) n);
                ASSERT_EQ(cp, cps[i]);
        }
}

static void test_n_characters(void) {
        printf("%s\n", __func__);

        ASSERT_EQ(utf8_n_characters(""), 0);
        ASSERT_EQ(utf8_n_characters("abc"), 3);
        ASSERT_EQ(utf8_n_characters("é—✓"), 3);
}

int main(void) {
        test_decode();
        test_is_valid();
        test_encode();
        test_n_characters();
        return 0;
}
