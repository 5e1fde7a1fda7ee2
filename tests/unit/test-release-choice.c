/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "macro.h"
#include "release-choice.h"
#include "tests.h"

#define MACHINE SD_ID128_MAKE(2a,1b,3c,4d,5e,6f,70,81,92,a3,b4,c5,d6,e7,f8,09)

static ChannelArtifact amd64 = { .platform = (char *) "linux-amd64", .type = ARTIFACT_TAR, .size = 1 };
static ChannelArtifact arm64 = { .platform = (char *) "linux-arm64", .type = ARTIFACT_TAR, .size = 1 };

static ChannelRelease release(const char *version, unsigned rollout, ChannelArtifact *a) {
        return (ChannelRelease) { .version = (char *) version, .rollout = rollout, .artifacts = a, .n_artifacts = 1 };
}

static ReleaseContext context(UpdatePolicy policy, const char *current) {
        return (ReleaseContext) {
                .platform = "linux-amd64",
                .machine_id = MACHINE,
                .app = "example",
                .policy = policy,
                .current = current,
        };
}

static const char *candidate(const Channel *c, const ReleaseContext *ctx) {
        ReleaseChoice choice;
        ASSERT_OK_ZERO(release_choose(c, ctx, &choice));
        return choice.candidate ? choice.candidate->version : NULL;
}

static const char *newest(const Channel *c, const ReleaseContext *ctx) {
        ReleaseChoice choice;
        ASSERT_OK_ZERO(release_choose(c, ctx, &choice));
        return choice.newest ? choice.newest->version : NULL;
}

static void test_policy_picks_within_its_range(void) {
        ChannelRelease r[] = {
                release("1.2.4", 100, &amd64), release("1.3.0", 100, &amd64),
                release("2.0.0", 100, &amd64), release("1.2.3", 100, &amd64),
        };
        Channel c = { .releases = r, .n_releases = ELEMENTSOF(r) };
        ReleaseContext ctx;

        printf("%s\n", __func__);
        ctx = context(UPDATE_POLICY_PATCH, "1.2.3");
        ASSERT_STREQ(candidate(&c, &ctx), "1.2.4");
        ASSERT_STREQ(newest(&c, &ctx), "2.0.0");
        ctx = context(UPDATE_POLICY_MINOR, "1.2.3");
        ASSERT_STREQ(candidate(&c, &ctx), "1.3.0");
        ctx = context(UPDATE_POLICY_MAJOR, "1.2.3");
        ASSERT_STREQ(candidate(&c, &ctx), "2.0.0");
        ctx = context(UPDATE_POLICY_MANUAL, "1.2.3");
        ASSERT_FALSE(candidate(&c, &ctx));
        ctx = context(UPDATE_POLICY_MAJOR, "2.0.0");
        ASSERT_FALSE(candidate(&c, &ctx));
}

static void test_other_platform_does_not_exist(void) {
        ChannelRelease r[] = { release("1.2.4", 100, &amd64), release("1.2.5", 100, &arm64) };
        Channel c = { .releases = r, .n_releases = ELEMENTSOF(r) };
        ReleaseContext ctx = context(UPDATE_POLICY_PATCH, "1.2.3");

        printf("%s\n", __func__);
        ASSERT_STREQ(candidate(&c, &ctx), "1.2.4");
        ASSERT_STREQ(newest(&c, &ctx), "1.2.4");
}

static void test_bad_versions_are_skipped(void) {
        ChannelRelease r[] = { release("1.2.4", 100, &amd64), release("1.2.5", 100, &amd64) };
        Channel c = { .releases = r, .n_releases = ELEMENTSOF(r) };
        char *bad[] = { (char *) "v1.2.5", NULL };
        ReleaseContext ctx = context(UPDATE_POLICY_PATCH, "1.2.3");

        printf("%s\n", __func__);
        ctx.bad = bad;
        ASSERT_STREQ(candidate(&c, &ctx), "1.2.4");
        ASSERT_STREQ(newest(&c, &ctx), "1.2.5");   /* still shown as available */
}

static void test_pin_wins_over_policy(void) {
        ChannelRelease r[] = { release("1.2.4", 100, &amd64), release("1.1.0", 100, &amd64) };
        Channel c = { .releases = r, .n_releases = ELEMENTSOF(r) };
        ReleaseContext ctx = context(UPDATE_POLICY_PATCH, "1.2.3");

        printf("%s\n", __func__);
        ctx.pinned = "1.1.0";
        ASSERT_STREQ(candidate(&c, &ctx), "1.1.0");
        ctx.current = "1.1.0";
        ASSERT_FALSE(candidate(&c, &ctx));
        ctx.pinned = "9.9.9";               /* not in the channel: nothing */
        ASSERT_FALSE(candidate(&c, &ctx));
}

static void test_rollout_zero_share_excludes(void) {
        /* Find a version this machine is outside of at 1%, then check it is not chosen, while the
         * same release at 100% is. */
        char version[32];
        unsigned patch;

        printf("%s\n", __func__);
        for (patch = 4; patch < 1000; patch++) {
                snprintf(version, sizeof version, "1.2.%u", patch);
                if (!rollout_includes(MACHINE, "example", version, 1))
                        break;
        }
        ASSERT_LT(patch, 1000);

        ChannelRelease r[] = { release(version, 1, &amd64) };
        Channel c = { .releases = r, .n_releases = 1 };
        ReleaseContext ctx = context(UPDATE_POLICY_PATCH, "1.2.3");
        ASSERT_FALSE(candidate(&c, &ctx));
        ASSERT_STREQ(newest(&c, &ctx), version);
        r[0].rollout = 100;
        ASSERT_STREQ(candidate(&c, &ctx), version);
}

static void test_find_release(void) {
        ChannelRelease r[] = { release("1.2.4", 100, &amd64) };
        Channel c = { .releases = r, .n_releases = 1 };

        printf("%s\n", __func__);
        ASSERT_EQ(channel_find_release(&c, "v1.2.4"), r);
        ASSERT_FALSE(channel_find_release(&c, "1.2.5"));
}

int main(void) {
        test_policy_picks_within_its_range();
        test_other_platform_does_not_exist();
        test_bad_versions_are_skipped();
        test_pin_wins_over_policy();
        test_rollout_zero_share_excludes();
        test_find_release();
        return 0;
}
