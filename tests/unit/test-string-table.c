/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "string-table.h"
#include "tests.h"

typedef enum Fruit {
        FRUIT_APPLE,
        FRUIT_HOLE,   /* no name: matches nothing */
        FRUIT_PEAR,
        _FRUIT_MAX,
        _FRUIT_INVALID = -EINVAL,
} Fruit;

static const char *const fruit_table[_FRUIT_MAX] = {
        [FRUIT_APPLE] = "apple",
        [FRUIT_PEAR]  = "pear",
};

DEFINE_PRIVATE_STRING_TABLE_LOOKUP(fruit, Fruit)

static void test_to_string(void) {
        printf("%s\n", __func__);

        ASSERT_STREQ(fruit_to_string(FRUIT_APPLE), "apple");
        ASSERT_STREQ(fruit_to_string(FRUIT_PEAR), "pear");
        ASSERT_NULL(fruit_to_string(FRUIT_HOLE));
        ASSERT_NULL(fruit_to_string(_FRUIT_MAX));
        ASSERT_NULL(fruit_to_string(_FRUIT_INVALID));
        ASSERT_NULL(fruit_to_string((Fruit) 1000));
}

static void test_from_string(void) {
        printf("%s\n", __func__);

        ASSERT_EQ(fruit_from_string("apple"), FRUIT_APPLE);
        ASSERT_EQ(fruit_from_string("pear"), FRUIT_PEAR);
        ASSERT_EQ(fruit_from_string("Pear"), _FRUIT_INVALID);
        ASSERT_EQ(fruit_from_string("pea"), _FRUIT_INVALID);
        ASSERT_EQ(fruit_from_string(""), _FRUIT_INVALID);
        ASSERT_EQ(fruit_from_string(NULL), _FRUIT_INVALID);
}

static void test_lookup(void) {
        static const char *const t[] = { "a", NULL, "c" };

        printf("%s\n", __func__);

        ASSERT_EQ(string_table_lookup(t, ELEMENTSOF(t), "a"), 0);
        ASSERT_EQ(string_table_lookup(t, ELEMENTSOF(t), "c"), 2);
        ASSERT_ERROR(string_table_lookup(t, ELEMENTSOF(t), "b"), EINVAL);
        ASSERT_ERROR(string_table_lookup(t, 0, "a"), EINVAL);
        ASSERT_ERROR(string_table_lookup(t, ELEMENTSOF(t), NULL), EINVAL);
}

int main(void) {
        test_to_string();
        test_from_string();
        test_lookup();
        return 0;
}
