/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "command.h"
#include "macro.h"
#include "strv.h"
#include "tests.h"

static void assert_split(const char *s, const char *const *expected) {
        _cleanup_(strv_freep) char **l = NULL;
        size_t n = 0;

        ASSERT_OK_ZERO(command_split(s, &l));
        for (; expected[n]; n++)
                ASSERT_TRUE(l[n] && streq(l[n], expected[n]));
        ASSERT_FALSE(l[n]);
}

static void test_split_plain(void) {
        printf("%s\n", __func__);

        assert_split("bin/migrate", (const char *const[]) { "bin/migrate", NULL });
        assert_split("  bin/migrate  --from 1.0.0\t--fast ",
                     (const char *const[]) { "bin/migrate", "--from", "1.0.0", "--fast", NULL });
}

static void test_split_quotes(void) {
        printf("%s\n", __func__);

        assert_split("\"bin/my tool\" 'a b' \"\"",
                     (const char *const[]) { "bin/my tool", "a b", "", NULL });
        /* Quotes inside a word join with what is around them, as in a shell. */
        assert_split("--name=\"a b\"c", (const char *const[]) { "--name=a bc", NULL });
        /* Single quotes keep everything, backslashes too; double quotes do not hide escapes. */
        assert_split("'a\\b' \"c\\\"d\"", (const char *const[]) { "a\\b", "c\"d", NULL });
        assert_split("a\\ b \\'", (const char *const[]) { "a b", "'", NULL });
        /* $VARIABLES are left for systemd to expand. */
        assert_split("check $UPKEEP_NEW_ROOT", (const char *const[]) { "check", "$UPKEEP_NEW_ROOT", NULL });
}

static void test_split_invalid(void) {
        char **l = NULL;

        printf("%s\n", __func__);

        ASSERT_ERROR(command_split("", &l), EINVAL);
        ASSERT_ERROR(command_split("   \t", &l), EINVAL);
        ASSERT_ERROR(command_split("bin/x \"unterminated", &l), EINVAL);
        ASSERT_ERROR(command_split("bin/x 'unterminated", &l), EINVAL);
        ASSERT_ERROR(command_split("bin/x trailing\\", &l), EINVAL);
        ASSERT_NULL(l);
}

static void test_join_round_trip(void) {
        static const char *const cases[][6] = {
                { "bin/app", NULL },
                { "bin/app", "--port", "8081", NULL },
                { "/usr/bin/env", "a b", "", "say \"hi\"", "back\\slash", NULL },
                { "x", "it's", "\ttab", NULL },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(strv_freep) char **l = NULL;
                _cleanup_free_ char *line = NULL;

                ASSERT_OK_ZERO(command_join((char *const *) cases[i], &line));
                ASSERT_OK_ZERO(command_split(line, &l));
                for (size_t n = 0; cases[i][n]; n++)
                        ASSERT_TRUE(l[n] && streq(l[n], cases[i][n]));
                ASSERT_FALSE(l[strv_length((char *const *) cases[i])]);
        }
}

static void test_join_quotes_only_when_needed(void) {
        _cleanup_free_ char *a = NULL, *b = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(command_join((char *const[]) { (char *) "app", (char *) "--port", (char *) "8081", NULL }, &a));
        ASSERT_STREQ(a, "app --port 8081");
        ASSERT_OK_ZERO(command_join((char *const[]) { (char *) "app", (char *) "a b", (char *) "", NULL }, &b));
        ASSERT_STREQ(b, "app \"a b\" \"\"");
}

static void test_path_leaves_root(void) {
        printf("%s\n", __func__);

        ASSERT_FALSE(command_path_leaves_root("bin/migrate"));
        ASSERT_FALSE(command_path_leaves_root("migrate"));
        ASSERT_FALSE(command_path_leaves_root("bin/..x/y"));
        ASSERT_FALSE(command_path_leaves_root("./bin//x"));
        ASSERT_TRUE(command_path_leaves_root("/usr/bin/x"));
        ASSERT_TRUE(command_path_leaves_root("../x"));
        ASSERT_TRUE(command_path_leaves_root("bin/../../x"));
        ASSERT_TRUE(command_path_leaves_root("bin//.."));
}

int main(void) {
        test_split_plain();
        test_split_quotes();
        test_split_invalid();
        test_join_round_trip();
        test_join_quotes_only_when_needed();
        test_path_leaves_root();
        return 0;
}
