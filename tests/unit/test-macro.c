/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdio.h>

#include "macro.h"
#include "tests.h"

static void test_startswith(void) {
        const char *s = "go:example.com/x";

        printf("%s\n", __func__);

        ASSERT_TRUE(startswith(s, "go:") == s + 3);
        ASSERT_TRUE(startswith(s, "") == s);
        ASSERT_TRUE(startswith(s, s) == s + strlen(s));
        ASSERT_NULL(startswith(s, "go;"));
        ASSERT_NULL(startswith("go", "go:"));
        ASSERT_NULL(startswith("", "g"));
}

static void test_cmp(void) {
        printf("%s\n", __func__);

        ASSERT_EQ(CMP(1, 2), -1);
        ASSERT_EQ(CMP(2, 2), 0);
        ASSERT_EQ(CMP(3, 2), 1);
        /* No overflow, unlike a - b. */
        ASSERT_EQ(CMP(UINT64_MAX, (uint64_t) 0), 1);
        ASSERT_EQ(CMP((uint64_t) 0, UINT64_MAX), -1);
        ASSERT_EQ(CMP((size_t) 5, (size_t) 5), 0);
}

int main(void) {
        test_startswith();
        test_cmp();
        return 0;
}
