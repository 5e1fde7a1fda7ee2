/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "channel-write.h"
#include "macro.h"
#include "publish-edit.h"
#include "strv.h"
#include "tests.h"

static ChannelArtifact artifact(const char *platform, uint64_t size, uint8_t fill) {
        ChannelArtifact a = {
                .platform = (char *) platform,
                .type = ARTIFACT_TAR,
                .path = (char *) "1.0.0/x.tar.gz",
                .size = size,
        };
        memset(a.sha256, fill, SHA256_SIZE);
        return a;
}

static Channel *empty_channel(void) {
        Channel *c = calloc(1, sizeof(Channel));

        ASSERT_NOT_NULL(c);
        c->app = strdup("example");
        ASSERT_NOT_NULL(c->app);
        ASSERT_OK(channel_bump(c, 0, 1000 * USEC_PER_SEC, PUBLISH_EXPIRES_DEFAULT));
        return c;
}

/* What upkeep-publish writes must be what upkeepd reads. */
static void assert_round_trips(const Channel *c) {
        _cleanup_(channel_freep) Channel *back = NULL;
        _cleanup_free_ char *json = NULL;

        ASSERT_OK(channel_to_json(c, &json));
        ASSERT_OK(channel_parse(json, strlen(json), &back, NULL));
        ASSERT_EQ(back->n_releases, c->n_releases);
}

static void test_bump(void) {
        _cleanup_(channel_freep) Channel *c = empty_channel();

        printf("%s\n", __func__);

        ASSERT_EQ(c->serial, 1);
        ASSERT_EQ(c->expires, 1000 * USEC_PER_SEC + 30 * USEC_PER_DAY);
        ASSERT_OK(channel_bump(c, 0, 2000 * USEC_PER_SEC, USEC_PER_HOUR));
        ASSERT_EQ(c->serial, 2);
        ASSERT_EQ(c->expires, 2000 * USEC_PER_SEC + USEC_PER_HOUR);
        ASSERT_OK(channel_bump(c, 100, 2000 * USEC_PER_SEC, USEC_PER_HOUR));
        ASSERT_EQ(c->serial, 100);
        /* Not above the current serial: clients would refuse it as a replay. */
        ASSERT_ERROR(channel_bump(c, 100, 0, USEC_PER_HOUR), ESTALE);
        ASSERT_ERROR(channel_bump(c, 7, 0, USEC_PER_HOUR), ESTALE);
        ASSERT_EQ(c->serial, 100);
        ASSERT_ERROR(channel_bump(c, 0, 0, 0), EINVAL);
        c->serial = UINT64_MAX;
        ASSERT_ERROR(channel_bump(c, 0, 0, USEC_PER_HOUR), ERANGE);
        assert_round_trips(c);
}

static void test_add(void) {
        _cleanup_(channel_freep) Channel *c = empty_channel();
        ChannelArtifact amd = artifact("linux-amd64", 10, 0xaa), arm = artifact("linux-arm64", 20, 0xbb);
        ChannelArtifact amd_other = artifact("linux-amd64", 10, 0xcc), both[2] = { amd, arm };
        _cleanup_free_ char *reason = NULL;

        printf("%s\n", __func__);

        ASSERT_EQ(channel_add(c, "1.0.0", &amd, 1, "First.", 100, 5 * USEC_PER_SEC, NULL), 1);
        ASSERT_EQ(c->n_releases, 1);
        ASSERT_STREQ(c->releases[0].notes, "First.");
        ASSERT_EQ(c->releases[0].published, 5 * USEC_PER_SEC);

        /* Again with the same bytes: nothing to do (a CI job run twice). */
        ASSERT_EQ(channel_add(c, "1.0.0", &amd, 1, NULL, 100, 0, NULL), 0);
        ASSERT_EQ(channel_add(c, "v1.0.0", &amd, 1, NULL, 100, 0, NULL), 0);

        /* Other bytes for a platform it has: refused, and nothing changes, not even the new platform. */
        ASSERT_ERROR(channel_add(c, "1.0.0", &amd_other, 1, NULL, 100, 0, &reason), EEXIST);
        ASSERT_NOT_NULL(strstr(reason, "1.0.0 is published already with another linux-amd64 artifact"));
        ChannelArtifact mixed[2] = { arm, amd_other };
        ASSERT_ERROR(channel_add(c, "1.0.0", mixed, 2, NULL, 100, 0, NULL), EEXIST);
        ASSERT_EQ(c->releases[0].n_artifacts, 1);

        /* A platform it lacks is added to it. */
        ASSERT_EQ(channel_add(c, "1.0.0", both, 2, NULL, 100, 0, NULL), 1);
        ASSERT_EQ(c->releases[0].n_artifacts, 2);
        ASSERT_STREQ(c->releases[0].artifacts[1].platform, "linux-arm64");

        /* Newest first, whatever the order of publication. */
        ASSERT_EQ(channel_add(c, "0.9.0", &amd, 1, NULL, 100, 0, NULL), 1);
        ASSERT_EQ(channel_add(c, "1.1.0-rc.1", &amd, 1, NULL, 25, 0, NULL), 1);
        ASSERT_EQ(channel_add(c, "1.1.0", &arm, 1, NULL, 100, 0, NULL), 1);
        ASSERT_STREQ(c->releases[0].version, "1.1.0");
        ASSERT_STREQ(c->releases[1].version, "1.1.0-rc.1");
        ASSERT_EQ(c->releases[1].rollout, 25);
        ASSERT_STREQ(c->releases[2].version, "1.0.0");
        ASSERT_STREQ(c->releases[3].version, "0.9.0");

        ASSERT_ERROR(channel_add(c, "1.2", &amd, 1, NULL, 100, 0, NULL), EINVAL);
        ASSERT_ERROR(channel_add(c, "1.2.0", &amd, 1, NULL, 0, 0, NULL), EINVAL);
        ASSERT_ERROR(channel_add(c, "1.2.0", &amd, 0, NULL, 100, 0, NULL), EINVAL);
        ChannelArtifact twice[2] = { amd, amd };
        ASSERT_ERROR(channel_add(c, "1.2.0", twice, 2, NULL, 100, 0, NULL), EINVAL);
        ASSERT_EQ(c->n_releases, 4);
        assert_round_trips(c);
}

static void test_rollout_withdraw_prune(void) {
        _cleanup_(channel_freep) Channel *c = empty_channel();
        _cleanup_(strv_freep) char **removed = NULL;
        ChannelArtifact a = artifact("linux-amd64", 10, 0xaa);

        printf("%s\n", __func__);

        for (const char *const *v = (const char *const[]) { "1.0.0", "1.1.0", "2.0.0", "1.2.0", NULL }; *v; v++)
                ASSERT_EQ(channel_add(c, *v, &a, 1, NULL, 100, 0, NULL), 1);

        ASSERT_EQ(channel_set_rollout(c, "1.2.0", 10), 1);
        ASSERT_EQ(channel_set_rollout(c, "v1.2.0", 10), 0);
        ASSERT_EQ(c->releases[1].rollout, 10);
        ASSERT_ERROR(channel_set_rollout(c, "3.0.0", 10), ENXIO);
        ASSERT_ERROR(channel_set_rollout(c, "1.2.0", 101), EINVAL);

        ASSERT_EQ(channel_withdraw(c, "2.0.0"), 1);
        ASSERT_ERROR(channel_withdraw(c, "2.0.0"), ENXIO);
        ASSERT_EQ(c->n_releases, 3);
        ASSERT_STREQ(c->releases[0].version, "1.2.0");

        ASSERT_EQ(channel_prune(c, 5, &removed), 0);
        ASSERT_NULL(removed);
        ASSERT_EQ(channel_prune(c, 1, &removed), 2);
        ASSERT_STREQ(removed[0], "1.1.0");
        ASSERT_STREQ(removed[1], "1.0.0");
        ASSERT_NULL(removed[2]);
        ASSERT_EQ(c->n_releases, 1);
        ASSERT_STREQ(c->releases[0].version, "1.2.0");
        ASSERT_ERROR(channel_prune(c, 0, NULL), EINVAL);
        assert_round_trips(c);
}

static void test_type_guess(void) {
        printf("%s\n", __func__);

        ASSERT_EQ(artifact_type_guess("a.tar.gz", "", 0), ARTIFACT_TAR);
        ASSERT_EQ(artifact_type_guess("a.TGZ", "", 0), ARTIFACT_TAR);
        ASSERT_EQ(artifact_type_guess("a.tar.zst", "", 0), ARTIFACT_TAR);
        ASSERT_EQ(artifact_type_guess("a.tar", "", 0), ARTIFACT_TAR);
        ASSERT_EQ(artifact_type_guess("a.zip", "", 0), ARTIFACT_ZIP);
        ASSERT_EQ(artifact_type_guess("hello", "\177ELF\2\1\1", 7), ARTIFACT_BINARY);
        ASSERT_EQ(artifact_type_guess("hello", "#!/bin/sh\n", 10), ARTIFACT_BINARY);
        ASSERT_EQ(artifact_type_guess("hello", "PK\3\4", 4), _ARTIFACT_TYPE_INVALID);
        ASSERT_EQ(artifact_type_guess(".tar", "", 0), _ARTIFACT_TYPE_INVALID);
        ASSERT_EQ(artifact_type_guess("readme.txt", "hello", 5), _ARTIFACT_TYPE_INVALID);
}

static void test_platform_from_filename(void) {
        static const struct {
                const char *name, *platform;
        } cases[] = {
                { "hello-1.2.0-linux-arm64.tar.gz",  "linux-arm64"   },
                { "dist/hello_linux-amd64",          "linux-amd64"   },
                { "hello-linux-arm.zip",             "linux-arm"     },
                { "linux-386",                       "linux-386"     },
                { "x.linux-ppc64le.tar",             "linux-ppc64le" },
                { "x-linux-mips64le",                "linux-mips64le"},
                { "hello-1.2.0.tar.gz",              NULL            },
                { "hello-linux-arm64x.tar.gz",       NULL            },
                { "notlinux-amd64",                  NULL            },
                { "linux-amd64/hello",               NULL            },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *p = NULL;
                int r = platform_from_filename(cases[i].name, &p);

                if (cases[i].platform) {
                        ASSERT_OK(r);
                        ASSERT_STREQ(p, cases[i].platform);
                } else
                        ASSERT_ERROR(r, ENOENT);
        }
}

int main(void) {
        test_bump();
        test_add();
        test_rollout_withdraw_prune();
        test_type_guess();
        test_platform_from_filename();
        return 0;
}
