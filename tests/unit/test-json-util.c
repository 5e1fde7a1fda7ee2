/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "json-util.h"
#include "tests.h"

static json_object *parse(const char *s) {
        json_object *o = NULL;

        ASSERT_OK_ZERO(json_parse_strict(s, strlen(s), 0, &o));
        return o;
}

static void test_parse_strict(void) {
        _cleanup_json_ json_object *o = NULL;

        printf("%s\n", __func__);

        o = parse(" {\"a\": 1} \n");
        ASSERT_TRUE(json_object_is_type(o, json_type_object));

        ASSERT_ERROR(json_parse_strict("{\"a\": 1} x", 10, 0, &o), EBADMSG);
        ASSERT_ERROR(json_parse_strict("{\"a\": 1}{}", 10, 0, &o), EBADMSG);
        ASSERT_ERROR(json_parse_strict("{\"a\": 1", 7, 0, &o), EBADMSG);
        ASSERT_ERROR(json_parse_strict("null", 4, 0, &o), EBADMSG);
        ASSERT_ERROR(json_parse_strict("", 0, 0, &o), EBADMSG);
        /* The size counts, not a NUL: only the first value's bytes are given here. */
        ASSERT_ERROR(json_parse_strict("{\"a\": 1}", 5, 0, &o), EBADMSG);
        ASSERT_ERROR(json_parse_strict("\"\xff\"", 3, JSON_TOKENER_VALIDATE_UTF8, &o), EBADMSG);
}

static void test_null_is_absent(void) {
        _cleanup_json_ json_object *o = NULL;

        printf("%s\n", __func__);

        o = parse("{\"null\": null, \"zero\": 0, \"empty\": \"\"}");
        ASSERT_NULL(json_get_member(o, "null"));
        ASSERT_NULL(json_get_member(o, "missing"));
        ASSERT_NOT_NULL(json_get_member(o, "zero"));
        ASSERT_NOT_NULL(json_get_member(o, "empty"));
}

static void test_values(void) {
        _cleanup_json_ json_object *o = NULL;
        const char *s = NULL;
        uint64_t u = 0;
        bool b = false;

        printf("%s\n", __func__);

        o = parse("{\"s\": \"text\", \"nul\": \"a\\u0000b\", \"n\": 18446744073709551615, \"neg\": -1,"
                  " \"d\": 1.5, \"e\": 1e3, \"t\": true, \"one\": 1}");

        ASSERT_OK_ZERO(json_string_value(json_get_member(o, "s"), &s));
        ASSERT_STREQ(s, "text");
        ASSERT_ERROR(json_string_value(json_get_member(o, "nul"), &s), EINVAL);
        ASSERT_ERROR(json_string_value(json_get_member(o, "one"), &s), EBADMSG);
        ASSERT_STREQ(s, "text");

        ASSERT_OK_ZERO(json_u64_value(json_get_member(o, "n"), &u));
        ASSERT_TRUE(u == UINT64_MAX);
        ASSERT_OK_ZERO(json_u64_value(json_get_member(o, "one"), &u));
        ASSERT_EQ(u, 1);
        ASSERT_ERROR(json_u64_value(json_get_member(o, "neg"), &u), EBADMSG);
        ASSERT_ERROR(json_u64_value(json_get_member(o, "d"), &u), EBADMSG);
        ASSERT_ERROR(json_u64_value(json_get_member(o, "e"), &u), EBADMSG);
        ASSERT_ERROR(json_u64_value(json_get_member(o, "s"), &u), EBADMSG);
        ASSERT_EQ(u, 1);

        ASSERT_OK_ZERO(json_bool_value(json_get_member(o, "t"), &b));
        ASSERT_TRUE(b);
        ASSERT_ERROR(json_bool_value(json_get_member(o, "one"), &b), EBADMSG);
}

int main(void) {
        test_parse_strict();
        test_null_is_absent();
        test_values();
        return 0;
}
