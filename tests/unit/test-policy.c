/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "macro.h"
#include "policy.h"
#include "tests.h"

static void test_strings(void) {
        printf("%s\n", __func__);

        ASSERT_STREQ(update_policy_to_string(UPDATE_POLICY_PATCH), "patch");
        ASSERT_STREQ(update_policy_to_string(UPDATE_POLICY_MINOR), "minor");
        ASSERT_STREQ(update_policy_to_string(UPDATE_POLICY_MAJOR), "major");
        ASSERT_STREQ(update_policy_to_string(UPDATE_POLICY_MANUAL), "manual");
        ASSERT_FALSE(update_policy_to_string(_UPDATE_POLICY_MAX));
        ASSERT_FALSE(update_policy_to_string(_UPDATE_POLICY_INVALID));

        for (UpdatePolicy p = 0; p < _UPDATE_POLICY_MAX; p++)
                ASSERT_EQ(update_policy_from_string(update_policy_to_string(p)), p);

        ASSERT_EQ(update_policy_from_string("Patch"), _UPDATE_POLICY_INVALID);
        ASSERT_EQ(update_policy_from_string(""), _UPDATE_POLICY_INVALID);
        ASSERT_EQ(update_policy_from_string("patch "), _UPDATE_POLICY_INVALID);
        ASSERT_EQ(update_policy_from_string("auto"), _UPDATE_POLICY_INVALID);
        ASSERT_EQ(update_policy_from_string(NULL), _UPDATE_POLICY_INVALID);
}

typedef struct Case {
        const char *current, *candidate;
        bool patch, minor, major;   /* manual never allows anything */
} Case;

static void test_allows_matrix(void) {
        static const Case cases[] = {
                /* current       candidate         patch  minor  major */
                { "1.2.3",       "1.2.4",          true,  true,  true  },   /* patch bump */
                { "1.2.3",       "1.2.10",         true,  true,  true  },
                { "1.2.3",       "v1.2.4",         true,  true,  true  },
                { "v1.2.3",      "1.2.4+build.7",  true,  true,  true  },
                { "1.2.3",       "1.3.0",          false, true,  true  },   /* minor bump */
                { "1.2.3",       "1.10.0",         false, true,  true  },
                { "1.2.3",       "2.0.0",          false, false, true  },   /* major bump */
                { "0.9.9",       "1.0.0",          false, false, true  },
                { "1.2.3",       "1.2.2",          false, false, false },   /* downgrades */
                { "1.2.3",       "1.1.9",          false, false, false },
                { "2.0.0",       "1.9.9",          false, false, false },
                { "1.2.3",       "1.2.3",          false, false, false },   /* same version */
                { "1.2.3",       "v1.2.3",         false, false, false },
                { "1.2.3",       "1.2.3+rebuild",  false, false, false },
                { "1.2.3",       "1.2.4-rc.1",     false, false, false },   /* pre-release candidates */
                { "1.2.3",       "1.3.0-beta",     false, false, false },
                { "1.2.3",       "2.0.0-rc.1",     false, false, false },
                { "2.0.0-rc.1",  "2.0.0-rc.2",     true,  true,  true  },   /* pre-release of the same release */
                { "2.0.0-rc.1",  "2.0.0",          true,  true,  true  },
                { "2.0.0-rc.2",  "2.0.0-rc.1",     false, false, false },
                { "2.0.0-rc.1",  "2.0.1-rc.1",     false, false, false },   /* pre-release of another one */
                { "2.0.0-rc.1",  "2.0.1",          true,  true,  true  },
                { "2.0.0-rc.1",  "2.1.0",          false, true,  true  },
                { "2.0.0-rc.1",  "3.0.0",          false, false, true  },
                /* At the minor and major boundaries, pre-releases of another version are never taken
                 * (upkeep.app(5): "unless the running version is a pre-release of the same version"),
                 * and the releases themselves only as far as the policy reaches. */
                { "2.0.0-rc.1",  "2.1.0-rc.1",     false, false, false },
                { "2.0.0-rc.1",  "3.0.0-rc.1",     false, false, false },
                { "1.9.0",       "2.0.0-rc.1",     false, false, false },
                { "1.9.9",       "1.10.0-rc.1",    false, false, false },
                { "1.9.0-rc.1",  "2.0.0-rc.1",     false, false, false },
                { "2.0.0-rc.1",  "2.0.0-rc.1.1",   true,  true,  true  },
                { "1.9.0-rc.1",  "1.9.1",          true,  true,  true  },
                { "1.9.0-rc.1",  "1.10.0",         false, true,  true  },
                { "1.9.0-rc.1",  "2.0.0",          false, false, true  },
                { "1.9.9",       "1.10.0",         false, true,  true  },
                { "1.99.99",     "2.0.0",          false, false, true  },
                { "0.9.9",       "0.10.0",         false, true,  true  },
                { "2.0.0-rc.1",  "1.9.9",          false, false, false },
                { "1.2.3",       "garbage",        false, false, false },   /* bad versions */
                { "1.2.3",       "1.2",            false, false, false },
                { "1.2.3",       "01.2.4",         false, false, false },
                { "1.2.3",       "",               false, false, false },
                { "1.2.3",       NULL,             false, false, false },
                { "garbage",     "1.2.4",          false, false, false },
                { NULL,          "1.0.0",          true,  true,  true  },   /* nothing installed yet */
                { NULL,          "0.0.1",          true,  true,  true  },
                { NULL,          "v3.1.4+x",       true,  true,  true  },
                { NULL,          "1.0.0-rc.1",     false, false, false },
                { NULL,          "garbage",        false, false, false },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const Case *c = &cases[i];
                bool got[] = {
                        update_policy_allows(UPDATE_POLICY_PATCH, c->current, c->candidate),
                        update_policy_allows(UPDATE_POLICY_MINOR, c->current, c->candidate),
                        update_policy_allows(UPDATE_POLICY_MAJOR, c->current, c->candidate),
                        update_policy_allows(UPDATE_POLICY_MANUAL, c->current, c->candidate),
                };

                if (got[0] != c->patch || got[1] != c->minor || got[2] != c->major || got[3]) {
                        TEST_FAIL("%s → %s: patch=%d minor=%d major=%d manual=%d",
                                strempty(c->current), strempty(c->candidate), got[0], got[1], got[2], got[3]);
                }
        }
}

static void test_allows_invalid_policy(void) {
        printf("%s\n", __func__);

        ASSERT_FALSE(update_policy_allows(_UPDATE_POLICY_INVALID, "1.0.0", "1.0.1"));
        ASSERT_FALSE(update_policy_allows(_UPDATE_POLICY_MAX, "1.0.0", "1.0.1"));
        ASSERT_FALSE(update_policy_allows(_UPDATE_POLICY_INVALID, NULL, "1.0.1"));
}

/* Unsorted, with garbage, duplicates and pre-releases. */
static const char *const versions[] = {
        "1.2.5", "garbage", "2.0.0", "1.2.10", "1.3.0", "1.2.11-rc.1", NULL, "", "1.2.4",
        "3.0.0-beta", "01.2.99", "1.4.2", "1.2.9", "1.2.3", "1.0.0",
};

static const char *latest(UpdatePolicy p, const char *current, const char *const *bad) {
        return update_policy_latest_allowed(p, current, versions, ELEMENTSOF(versions), bad);
}

static void test_latest_allowed(void) {
        printf("%s\n", __func__);

        ASSERT_STREQ(latest(UPDATE_POLICY_PATCH, "1.2.3", NULL), "1.2.10");
        ASSERT_STREQ(latest(UPDATE_POLICY_MINOR, "1.2.3", NULL), "1.4.2");
        ASSERT_STREQ(latest(UPDATE_POLICY_MAJOR, "1.2.3", NULL), "2.0.0");
        ASSERT_FALSE(latest(UPDATE_POLICY_MANUAL, "1.2.3", NULL));
        ASSERT_STREQ(latest(UPDATE_POLICY_PATCH, NULL, NULL), "2.0.0");

        /* A pointer into the array, not a copy. */
        ASSERT_EQ(latest(UPDATE_POLICY_MAJOR, "1.2.3", NULL), versions[2]);

        /* Already newest, or nothing newer in range. */
        ASSERT_FALSE(latest(UPDATE_POLICY_MAJOR, "2.0.0", NULL));
        ASSERT_FALSE(latest(UPDATE_POLICY_PATCH, "1.4.2", NULL));
        ASSERT_FALSE(latest(UPDATE_POLICY_MAJOR, "9.9.9", NULL));
        ASSERT_FALSE(latest(UPDATE_POLICY_MAJOR, "garbage", NULL));
}

static void test_latest_allowed_bad(void) {
        const char *const bad_one[] = { "1.2.10", NULL };
        const char *const bad_v[] = { "v1.2.10", "1.2.9", NULL };
        const char *const bad_all[] = { "1.2.4", "1.2.5", "1.2.9", "1.2.10", NULL };
        const char *const bad_garbage[] = { "garbage", "", NULL };

        printf("%s\n", __func__);

        ASSERT_STREQ(latest(UPDATE_POLICY_PATCH, "1.2.3", bad_one), "1.2.9");
        /* Compared as versions: "v1.2.10" marks "1.2.10" bad too. */
        ASSERT_STREQ(latest(UPDATE_POLICY_PATCH, "1.2.3", bad_v), "1.2.5");
        ASSERT_FALSE(latest(UPDATE_POLICY_PATCH, "1.2.3", bad_all));
        /* Garbage in the bad list matches nothing (invalid versions compare equal to each other). */
        ASSERT_STREQ(latest(UPDATE_POLICY_PATCH, "1.2.3", bad_garbage), "1.2.10");
        ASSERT_STREQ(latest(UPDATE_POLICY_MINOR, "1.2.3", bad_one), "1.4.2");
}

static void test_latest_allowed_edge(void) {
        const char *const only_garbage[] = { "x", "1.2", NULL };
        const char *const prerelease[] = { "2.0.0-rc.2", "2.0.0-rc.10", "2.0.0-rc.3" };

        printf("%s\n", __func__);

        ASSERT_FALSE(update_policy_latest_allowed(UPDATE_POLICY_MAJOR, "1.0.0", NULL, 0, NULL));
        ASSERT_FALSE(update_policy_latest_allowed(UPDATE_POLICY_MAJOR, "1.0.0", only_garbage, 3, NULL));
        ASSERT_STREQ(update_policy_latest_allowed(UPDATE_POLICY_PATCH, "2.0.0-rc.1", prerelease, 3, NULL),
                     "2.0.0-rc.10");
        ASSERT_FALSE(update_policy_latest_allowed(UPDATE_POLICY_MAJOR, "1.0.0", prerelease, 3, NULL));
        /* n limits what is looked at. */
        ASSERT_STREQ(update_policy_latest_allowed(UPDATE_POLICY_MAJOR, "1.0.0", versions, 1, NULL), "1.2.5");
}

int main(void) {
        test_strings();
        test_allows_matrix();
        test_allows_invalid_policy();
        test_latest_allowed();
        test_latest_allowed_bad();
        test_latest_allowed_edge();
        return 0;
}
