/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "macro.h"
#include "tests.h"
#include "toolchain-policy.h"

#define KEEP "keep"

/* Supported: 1.22 and 1.21. 1.23 has only a release candidate. Deliberately unsorted. */
static char *const toolchains[] = {
        (char *) "go1.21.8", (char *) "go1.22.1", (char *) "go1.23rc1", (char *) "go1.20.14",
        (char *) "go1.22.2", (char *) "go1.21.9", (char *) "go1.22rc1", (char *) "go1.22.0",
        (char *) "go1.21.0", (char *) "go1.20.3", NULL,
};

static void test_strings(void) {
        printf("%s\n", __func__);

        ASSERT_STREQ(toolchain_policy_to_string(TOOLCHAIN_POLICY_FOLLOW), "follow");
        ASSERT_STREQ(toolchain_policy_to_string(TOOLCHAIN_POLICY_SUPPORTED), "supported");
        ASSERT_STREQ(toolchain_policy_to_string(TOOLCHAIN_POLICY_PATCH), "patch");
        ASSERT_STREQ(toolchain_policy_to_string(TOOLCHAIN_POLICY_MINOR), "minor");
        ASSERT_STREQ(toolchain_policy_to_string(TOOLCHAIN_POLICY_MANUAL), "manual");
        ASSERT_FALSE(toolchain_policy_to_string(_TOOLCHAIN_POLICY_MAX));
        ASSERT_FALSE(toolchain_policy_to_string(_TOOLCHAIN_POLICY_INVALID));

        for (ToolchainPolicy p = 0; p < _TOOLCHAIN_POLICY_MAX; p++)
                ASSERT_EQ(toolchain_policy_from_string(toolchain_policy_to_string(p)), p);

        ASSERT_EQ(toolchain_policy_from_string("Follow"), _TOOLCHAIN_POLICY_INVALID);
        ASSERT_EQ(toolchain_policy_from_string(""), _TOOLCHAIN_POLICY_INVALID);
        ASSERT_EQ(toolchain_policy_from_string("latest"), _TOOLCHAIN_POLICY_INVALID);
        ASSERT_EQ(toolchain_policy_from_string(NULL), _TOOLCHAIN_POLICY_INVALID);
}

typedef struct ChooseCase {
        const char *name;
        ToolchainPolicy policy;
        const char *running;
        bool module_update;
        const char *want;        /* a Go version, or KEEP */
} ChooseCase;

static const ChooseCase choose_cases[] = {
        /* follow */
        { "follow: first install takes the newest release",      TOOLCHAIN_POLICY_FOLLOW, NULL,        false, "go1.22.2" },
        { "follow: module update takes the newest release",      TOOLCHAIN_POLICY_FOLLOW, "go1.21.8",  true,  "go1.22.2" },
        { "follow: module update from an old patch",             TOOLCHAIN_POLICY_FOLLOW, "go1.22.0",  true,  "go1.22.2" },
        { "follow: new patch of the running minor rebuilds",     TOOLCHAIN_POLICY_FOLLOW, "go1.21.8",  false, "go1.21.9" },
        { "follow: new patch, several behind",                   TOOLCHAIN_POLICY_FOLLOW, "go1.22.0",  false, "go1.22.2" },
        { "follow: a newer minor alone does not rebuild",        TOOLCHAIN_POLICY_FOLLOW, "go1.21.9",  false, KEEP },
        { "follow: running minor left support",                  TOOLCHAIN_POLICY_FOLLOW, "go1.20.14", false, "go1.22.2" },
        { "follow: left support, older patch too",               TOOLCHAIN_POLICY_FOLLOW, "go1.20.3",  false, "go1.22.2" },
        { "follow: already on the newest",                       TOOLCHAIN_POLICY_FOLLOW, "go1.22.2",  false, KEEP },
        { "follow: module update already on the newest",         TOOLCHAIN_POLICY_FOLLOW, "go1.22.2",  true,  KEEP },
        { "follow: never a release candidate",                   TOOLCHAIN_POLICY_FOLLOW, "go1.22.2",  true,  KEEP },
        { "follow: running ahead of the list is kept",           TOOLCHAIN_POLICY_FOLLOW, "go1.22.3",  true,  KEEP },
        { "follow: running an rc whose release is out",          TOOLCHAIN_POLICY_FOLLOW, "go1.22rc1", false, "go1.22.2" },
        { "follow: running an rc ahead of every release",        TOOLCHAIN_POLICY_FOLLOW, "go1.23rc1", false, KEEP },
        { "follow: \"go1.21\" written without patch",            TOOLCHAIN_POLICY_FOLLOW, "go1.21",    false, "go1.21.9" },

        /* supported */
        { "supported: first install takes the newest release",   TOOLCHAIN_POLICY_SUPPORTED, NULL,        true,  "go1.22.2" },
        { "supported: module update keeps the minor",            TOOLCHAIN_POLICY_SUPPORTED, "go1.21.9",  true,  KEEP },
        { "supported: module update takes the minor's patch",    TOOLCHAIN_POLICY_SUPPORTED, "go1.21.8",  true,  "go1.21.9" },
        { "supported: new patch rebuilds",                       TOOLCHAIN_POLICY_SUPPORTED, "go1.21.8",  false, "go1.21.9" },
        { "supported: newer minor alone does not rebuild",       TOOLCHAIN_POLICY_SUPPORTED, "go1.21.9",  false, KEEP },
        { "supported: left support moves to the newest",         TOOLCHAIN_POLICY_SUPPORTED, "go1.20.14", true,  "go1.22.2" },
        { "supported: left support rebuilds without update",     TOOLCHAIN_POLICY_SUPPORTED, "go1.20.14", false, "go1.22.2" },

        /* patch */
        { "patch: first install takes the newest release",       TOOLCHAIN_POLICY_PATCH, NULL,        false, "go1.22.2" },
        { "patch: new patch rebuilds",                           TOOLCHAIN_POLICY_PATCH, "go1.21.8",  false, "go1.21.9" },
        { "patch: module update takes the minor's patch",        TOOLCHAIN_POLICY_PATCH, "go1.21.8",  true,  "go1.21.9" },
        { "patch: never another minor",                          TOOLCHAIN_POLICY_PATCH, "go1.21.9",  true,  KEEP },
        { "patch: stays on a minor out of support",              TOOLCHAIN_POLICY_PATCH, "go1.20.14", false, KEEP },
        { "patch: patches of a minor out of support",            TOOLCHAIN_POLICY_PATCH, "go1.20.3",  false, "go1.20.14" },
        { "patch: an unknown minor has nothing to offer",        TOOLCHAIN_POLICY_PATCH, "go1.19.2",  true,  KEEP },

        /* minor */
        { "minor: first install takes the newest release",       TOOLCHAIN_POLICY_MINOR, NULL,        false, "go1.22.2" },
        { "minor: a newer minor rebuilds",                       TOOLCHAIN_POLICY_MINOR, "go1.21.9",  false, "go1.22.2" },
        { "minor: module update takes the newest",               TOOLCHAIN_POLICY_MINOR, "go1.20.3",  true,  "go1.22.2" },
        { "minor: already on the newest",                        TOOLCHAIN_POLICY_MINOR, "go1.22.2",  false, KEEP },
        { "minor: never a release candidate",                    TOOLCHAIN_POLICY_MINOR, "go1.22.2",  true,  KEEP },

        /* manual */
        { "manual: first install takes the newest release",      TOOLCHAIN_POLICY_MANUAL, NULL,        false, "go1.22.2" },
        { "manual: module update keeps the toolchain",           TOOLCHAIN_POLICY_MANUAL, "go1.21.8",  true,  KEEP },
        { "manual: a new patch does not rebuild",                TOOLCHAIN_POLICY_MANUAL, "go1.21.8",  false, KEEP },
        { "manual: out of support does not rebuild",             TOOLCHAIN_POLICY_MANUAL, "go1.20.3",  false, KEEP },
};

static void test_choose_table(void) {
        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(choose_cases); i++) {
                const ChooseCase *c = &choose_cases[i];
                const char *got = NULL;
                int r;

                printf("  %s\n", c->name);
                r = toolchain_policy_choose(c->policy, c->running, toolchains, c->module_update, &got);
                if (streq(c->want, KEEP)) {
                        if (r != 0 || got != c->running)
                                fprintf(stderr, "    got %d %s\n", r, strempty(got));
                        ASSERT_OK_ZERO(r);
                        ASSERT_EQ(got, c->running);
                } else {
                        if (r != 1 || !streq_ptr(got, c->want))
                                fprintf(stderr, "    got %d %s, want %s\n", r, strempty(got), c->want);
                        ASSERT_EQ(r, 1);
                        ASSERT_STREQ(got, c->want);
                }
        }
}

static void test_choose_minor_stays_in_major(void) {
        char *const with_go2[] = { (char *) "go2.0.0", (char *) "go1.22.2", (char *) "go1.21.9", NULL };
        const char *got;

        printf("%s\n", __func__);

        ASSERT_EQ(toolchain_policy_choose(TOOLCHAIN_POLICY_MINOR, "go1.21.9", with_go2, false, &got), 1);
        ASSERT_STREQ(got, "go1.22.2");
}

static void test_choose_nothing_known(void) {
        char *const empty[] = { NULL };
        char *const only_rc[] = { (char *) "go1.23rc1", (char *) "garbage", NULL };
        const char *got = "untouched";

        printf("%s\n", __func__);

        /* Nothing installed and nothing to build with. */
        ASSERT_ERROR(toolchain_policy_choose(TOOLCHAIN_POLICY_FOLLOW, NULL, empty, true, &got), ENOENT);
        ASSERT_ERROR(toolchain_policy_choose(TOOLCHAIN_POLICY_FOLLOW, NULL, only_rc, true, &got), ENOENT);
        ASSERT_ERROR(toolchain_policy_choose(TOOLCHAIN_POLICY_FOLLOW, NULL, NULL, true, &got), ENOENT);
        ASSERT_STREQ(got, "untouched");

        /* Something installed: an empty list is no reason to change. */
        for (ToolchainPolicy p = 0; p < _TOOLCHAIN_POLICY_MAX; p++) {
                ASSERT_OK_ZERO(toolchain_policy_choose(p, "go1.21.8", empty, true, &got));
                ASSERT_STREQ(got, "go1.21.8");
        }
}

static void test_choose_invalid(void) {
        const char *got = "untouched";

        printf("%s\n", __func__);

        ASSERT_ERROR(toolchain_policy_choose(TOOLCHAIN_POLICY_FOLLOW, "1.21.8", toolchains, true, &got), EINVAL);
        ASSERT_ERROR(toolchain_policy_choose(_TOOLCHAIN_POLICY_INVALID, "go1.21.8", toolchains, true, &got), EINVAL);
        ASSERT_ERROR(toolchain_policy_choose(_TOOLCHAIN_POLICY_MAX, "go1.21.8", toolchains, true, &got), EINVAL);
        ASSERT_STREQ(got, "untouched");
}

/* go_build_choose */

static char *const modules[] = {
        (char *) "v1.2.3", (char *) "v1.2.4", (char *) "v1.2.5", (char *) "v1.3.0", (char *) "v1.4.0-rc.1",
        (char *) "v2.0.0+incompatible", (char *) "v2.0.1+incompatible", (char *) "not-a-version", NULL,
};

typedef struct BuildCase {
        const char *name;
        UpdatePolicy policy;
        ToolchainPolicy toolchain_policy;
        const char *current;
        const char *pinned;
        char *const *bad;
        char *const *toolchains;   /* NULL: the shared list */
        const char *want;          /* build version, or NULL for nothing */
        bool rebuild;
} BuildCase;

#define BAD(...) ((char *const[]) { __VA_ARGS__, NULL })

static const BuildCase build_cases[] = {
        { "first install: newest release module, newest toolchain",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, NULL, NULL, NULL, NULL,
          "v2.0.1+incompatible.go1.22.2", false },
        { "first install under Policy=manual: nothing",
          UPDATE_POLICY_MANUAL, TOOLCHAIN_POLICY_FOLLOW, NULL, NULL, NULL, NULL,
          NULL, false },
        { "module patch update with the newest toolchain (follow)",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.3+go1.21.8", NULL, NULL, NULL,
          "v1.2.5+go1.22.2", false },
        { "module minor update",
          UPDATE_POLICY_MINOR, TOOLCHAIN_POLICY_FOLLOW, "v1.2.3+go1.22.2", NULL, NULL, NULL,
          "v1.3.0+go1.22.2", false },
        { "module update keeps the minor (supported)",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_SUPPORTED, "v1.2.3+go1.21.8", NULL, NULL, NULL,
          "v1.2.5+go1.21.9", false },
        { "module update keeps the toolchain (manual)",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_MANUAL, "v1.2.3+go1.21.8", NULL, NULL, NULL,
          "v1.2.5+go1.21.8", false },
        { "new toolchain alone rebuilds (follow)",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.5+go1.21.8", NULL, NULL, NULL,
          "v1.2.5+go1.21.9", true },
        { "new toolchain alone does not rebuild (manual)",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_MANUAL, "v1.2.5+go1.21.8", NULL, NULL, NULL,
          NULL, false },
        { "Policy=manual still takes toolchain rebuilds",
          UPDATE_POLICY_MANUAL, TOOLCHAIN_POLICY_FOLLOW, "v1.2.5+go1.21.8", NULL, NULL, NULL,
          "v1.2.5+go1.21.9", true },
        { "left support: rebuild with the newest",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.5+go1.20.14", NULL, NULL, NULL,
          "v1.2.5+go1.22.2", true },
        { "up to date: nothing",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.5+go1.21.9", NULL, NULL, NULL,
          NULL, false },
        { "pre-release module versions are not automatic",
          UPDATE_POLICY_MAJOR, TOOLCHAIN_POLICY_FOLLOW, "v1.3.0+go1.22.2", NULL, NULL, NULL,
          "v2.0.1+incompatible.go1.22.2", false },
        { "+incompatible current module",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v2.0.0+incompatible.go1.21.8", NULL, NULL, NULL,
          "v2.0.1+incompatible.go1.22.2", false },
        { "a module version that failed with any toolchain is skipped",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.3+go1.21.8", NULL, BAD("v1.2.5+go1.21.2"), NULL,
          "v1.2.4+go1.22.2", false },
        { "a module version listed bad as such is skipped",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.3+go1.21.8", NULL, BAD("v1.2.5"), NULL,
          "v1.2.4+go1.22.2", false },
        { "a failed rebuild is not tried again",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.5+go1.21.8", NULL, BAD("v1.2.5+go1.21.9"), NULL,
          NULL, false },
        { "a failed rebuild does not make the running module bad",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.5+go1.21.8", NULL, BAD("v1.2.5+go1.21.9"),
          BAD("go1.21.10", "go1.21.9", "go1.22.2"),
          "v1.2.5+go1.21.10", true },
        { "pinned module version, toolchain by policy",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.5+go1.21.9", "v1.2.4", NULL, NULL,
          "v1.2.4+go1.22.2", false },
        { "a pinned module version is taken even when it failed before",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_MANUAL, "v1.2.5+go1.21.9", "v1.2.4", BAD("v1.2.4+go1.21.9"), NULL,
          "v1.2.4+go1.21.9", false },
        { "pinned to the running module: toolchain rebuild only",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.5+go1.21.8", "v1.2.5", NULL, NULL,
          "v1.2.5+go1.21.9", true },
        { "pinned to the running module, nothing newer",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.5+go1.21.9", "v1.2.5", NULL, NULL,
          NULL, false },
        { "pinned exact build",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.5+go1.21.9", "v1.2.3+go1.20.3", NULL, NULL,
          "v1.2.3+go1.20.3", false },
        { "pinned exact build that runs: nothing",
          UPDATE_POLICY_PATCH, TOOLCHAIN_POLICY_FOLLOW, "v1.2.5+go1.21.8", "v1.2.5+go1.21.8", NULL, NULL,
          NULL, false },
        { "current is not a Go build: nothing",
          UPDATE_POLICY_MAJOR, TOOLCHAIN_POLICY_FOLLOW, "1.2.3", NULL, NULL, NULL,
          NULL, false },
};

static void test_build_table(void) {
        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(build_cases); i++) {
                const BuildCase *c = &build_cases[i];
                _cleanup_(go_build_choice_done) GoBuildChoice got = {};
                GoBuildContext ctx = {
                        .policy = c->policy,
                        .toolchain_policy = c->toolchain_policy,
                        .current = c->current,
                        .module_versions = modules,
                        .toolchains = c->toolchains ?: toolchains,
                        .bad = c->bad,
                        .pinned = c->pinned,
                };

                printf("  %s\n", c->name);
                ASSERT_OK_ZERO(go_build_choose(&ctx, &got));
                if (!streq_ptr(got.version, c->want) || got.rebuild != c->rebuild)
                        fprintf(stderr, "    got %s (rebuild %d), want %s\n", strempty(got.version), got.rebuild,
                                strempty(c->want));
                ASSERT_STREQ(got.version, c->want);
                ASSERT_EQ(got.rebuild, c->rebuild);
                ASSERT_EQ(!got.version, !got.module_version);
                ASSERT_EQ(!got.version, !got.go_version);
        }
}

static void test_build_parts(void) {
        _cleanup_(go_build_choice_done) GoBuildChoice got = {};
        GoBuildContext ctx = {
                .policy = UPDATE_POLICY_PATCH,
                .toolchain_policy = TOOLCHAIN_POLICY_FOLLOW,
                .current = "v2.0.0+incompatible.go1.21.8",
                .module_versions = modules,
                .toolchains = toolchains,
        };

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(go_build_choose(&ctx, &got));
        ASSERT_STREQ(got.module_version, "v2.0.1+incompatible");
        ASSERT_STREQ(got.go_version, "go1.22.2");
        ASSERT_STREQ(got.version, "v2.0.1+incompatible.go1.22.2");
}

static void test_build_errors(void) {
        GoBuildChoice got = {};
        char *const none[] = { NULL };

        printf("%s\n", __func__);

        /* A first build wanted, but no toolchain known to make it with. */
        ASSERT_ERROR(go_build_choose(&(GoBuildContext) {
                        .policy = UPDATE_POLICY_PATCH,
                        .toolchain_policy = TOOLCHAIN_POLICY_FOLLOW,
                        .module_versions = modules,
                        .toolchains = none,
                }, &got), ENOENT);

        ASSERT_ERROR(go_build_choose(&(GoBuildContext) {
                        .policy = UPDATE_POLICY_PATCH,
                        .toolchain_policy = TOOLCHAIN_POLICY_FOLLOW,
                        .current = "v1.2.3+go1.21.8",
                        .module_versions = modules,
                        .toolchains = toolchains,
                        .pinned = "latest",
                }, &got), EINVAL);

        ASSERT_NULL(got.version);
        ASSERT_NULL(got.module_version);
        ASSERT_NULL(got.go_version);
}

static void test_build_no_module_versions(void) {
        _cleanup_(go_build_choice_done) GoBuildChoice got = {};

        printf("%s\n", __func__);

        /* A proxy that lists nothing (only pseudo-versions exist): toolchain rebuilds still happen. */
        ASSERT_OK_ZERO(go_build_choose(&(GoBuildContext) {
                        .policy = UPDATE_POLICY_PATCH,
                        .toolchain_policy = TOOLCHAIN_POLICY_FOLLOW,
                        .current = "v0.0.0-20230101120000-abcdef123456+go1.21.8",
                        .toolchains = toolchains,
                }, &got));
        ASSERT_STREQ(got.version, "v0.0.0-20230101120000-abcdef123456+go1.21.9");
        ASSERT_TRUE(got.rebuild);
}

int main(void) {
        test_strings();
        test_choose_table();
        test_choose_minor_stays_in_major();
        test_choose_nothing_known();
        test_choose_invalid();
        test_build_table();
        test_build_parts();
        test_build_errors();
        test_build_no_module_versions();
        return 0;
}
