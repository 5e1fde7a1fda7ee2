/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <stdio.h>

#include "macro.h"
#include "strv.h"

static void test_empty(void) {
        char *empty[] = { NULL };

        printf("%s\n", __func__);

        assert(strv_length(NULL) == 0);
        assert(strv_length(empty) == 0);
        assert(!strv_contains(NULL, "a"));
        assert(!strv_contains(empty, "a"));
        assert(strv_free(NULL) == NULL);
}

static void test_extend(void) {
        _cleanup_(strv_freep) char **l = NULL;
        char buf[] = "two";

        printf("%s\n", __func__);

        assert(strv_extend(&l, "one") == 0);
        assert(l && strv_length(l) == 1);
        assert(streq(l[0], "one"));
        assert(!l[1]);

        assert(strv_extend(&l, buf) == 0);
        assert(strv_extend(&l, "") == 0);
        assert(strv_length(l) == 3);

        /* A copy is stored, not the pointer. */
        buf[0] = 'x';
        assert(streq(l[1], "two"));
        assert(l[1] != buf);
        assert(streq(l[2], ""));
        assert(!l[3]);
}

static void test_contains(void) {
        char *l[] = { (char *) "a", (char *) "bc", (char *) "", NULL };

        printf("%s\n", __func__);

        assert(strv_contains(l, "a"));
        assert(strv_contains(l, "bc"));
        assert(strv_contains(l, ""));
        assert(!strv_contains(l, "b"));
        assert(!strv_contains(l, "abc"));
        assert(!strv_contains(l, NULL));
}

static void test_many(void) {
        _cleanup_(strv_freep) char **l = NULL;
        char buf[16];

        printf("%s\n", __func__);

        for (unsigned i = 0; i < 1000; i++) {
                (void) snprintf(buf, sizeof buf, "item%u", i);
                assert(strv_extend(&l, buf) == 0);
        }
        assert(strv_length(l) == 1000);
        assert(streq(l[0], "item0"));
        assert(streq(l[999], "item999"));
        assert(strv_contains(l, "item500"));
        assert(!strv_contains(l, "item1000"));
}

int main(void) {
        test_empty();
        test_extend();
        test_contains();
        test_many();
        return 0;
}
