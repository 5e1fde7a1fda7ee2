/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "macro.h"
#include "strv.h"
#include "tests.h"

static void test_empty(void) {
        char *empty[] = { NULL };

        printf("%s\n", __func__);

        ASSERT_EQ(strv_length(NULL), 0);
        ASSERT_EQ(strv_length(empty), 0);
        ASSERT_FALSE(strv_contains(NULL, "a"));
        ASSERT_FALSE(strv_contains(empty, "a"));
        ASSERT_NULL(strv_free(NULL));
}

static void test_extend(void) {
        _cleanup_(strv_freep) char **l = NULL;
        char buf[] = "two";

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(strv_extend(&l, "one"));
        ASSERT_TRUE(l && strv_length(l) == 1);
        ASSERT_STREQ(l[0], "one");
        ASSERT_NULL(l[1]);

        ASSERT_EQ(strv_extend(&l, buf), 0);
        ASSERT_EQ(strv_extend(&l, ""), 0);
        ASSERT_EQ(strv_length(l), 3);

        /* A copy is stored, not the pointer. */
        buf[0] = 'x';
        ASSERT_STREQ(l[1], "two");
        ASSERT_TRUE(l[1] != buf);  /* a copy */
        ASSERT_STREQ(l[2], "");
        ASSERT_NULL(l[3]);
}

static void test_contains(void) {
        char *l[] = { (char *) "a", (char *) "bc", (char *) "", NULL };

        printf("%s\n", __func__);

        ASSERT_TRUE(strv_contains(l, "a"));
        ASSERT_TRUE(strv_contains(l, "bc"));
        ASSERT_TRUE(strv_contains(l, ""));
        ASSERT_FALSE(strv_contains(l, "b"));
        ASSERT_FALSE(strv_contains(l, "abc"));
        ASSERT_FALSE(strv_contains(l, NULL));
}

static void test_many(void) {
        _cleanup_(strv_freep) char **l = NULL;
        char buf[16];

        printf("%s\n", __func__);

        for (unsigned i = 0; i < 1000; i++) {
                (void) snprintf(buf, sizeof buf, "item%u", i);
                ASSERT_EQ(strv_extend(&l, buf), 0);
        }
        ASSERT_EQ(strv_length(l), 1000);
        ASSERT_STREQ(l[0], "item0");
        ASSERT_STREQ(l[999], "item999");
        ASSERT_TRUE(strv_contains(l, "item500"));
        ASSERT_FALSE(strv_contains(l, "item1000"));
}

int main(void) {
        test_empty();
        test_extend();
        test_contains();
        test_many();
        return 0;
}
