/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "channel-write.h"
#include "macro.h"
#include "tests.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

/* The README's example, with everything optional present somewhere and absent elsewhere, and strings
 * that need escaping. */
static const char source[] =
        "{ \"app\": \"example\", \"serial\": 18446744073709551615, \"expires\": \"2030-01-01T00:00:00Z\",\n"
        "  \"releases\": [\n"
        "    { \"version\": \"1.4.2\", \"published\": \"2026-11-20T10:00:00.250000Z\",\n"
        "      \"notes\": \"Fixes \\\"the\\\" login loop.\\nSecond line, tab\\t, \\u00e9, / and \\\\.\",\n"
        "      \"rollout\": 30,\n"
        "      \"artifacts\": [\n"
        "        { \"platform\": \"linux-amd64\", \"type\": \"tar\", \"path\": \"1.4.2/example-linux-amd64.tar.gz\",\n"
        "          \"size\": 123456, \"sha256\": \"" SHA_A "\" },\n"
        "        { \"platform\": \"linux-arm64\", \"type\": \"binary\", \"path\": \"https://cdn.example.com/x?a=1\",\n"
        "          \"size\": 1, \"sha256\": \"" SHA_B "\" } ] },\n"
        "    { \"version\": \"v1.4.1\",\n"
        "      \"artifacts\": [ { \"platform\": \"linux-amd64\", \"type\": \"zip\", \"path\": \"e.zip\",\n"
        "          \"size\": 9, \"sha256\": \"" SHA_B "\" } ] } ] }\n";

static Channel *parse(const char *json) {
        _cleanup_free_ char *reason = NULL;
        Channel *c = NULL;
        int r;

        r = channel_parse(json, strlen(json), &c, &reason);
        if (r < 0)
                TEST_FAIL("channel_parse(): %s: %s\n%s", strerror(-r), strempty(reason), json);
        ASSERT_NOT_NULL(c);
        return c;
}

static void assert_same_channel(const Channel *a, const Channel *b) {
        ASSERT_STREQ(a->app, b->app);
        ASSERT_EQ(a->serial == b->serial, 1);
        ASSERT_EQ(a->expires == b->expires, 1);
        ASSERT_EQ(a->n_releases, b->n_releases);
        for (size_t i = 0; i < a->n_releases; i++) {
                const ChannelRelease *x = &a->releases[i], *y = &b->releases[i];

                ASSERT_STREQ(x->version, y->version);
                ASSERT_EQ(x->published == y->published, 1);
                ASSERT_STREQ(x->notes, y->notes);
                ASSERT_EQ(x->rollout, y->rollout);
                ASSERT_EQ(x->n_artifacts, y->n_artifacts);
                for (size_t j = 0; j < x->n_artifacts; j++) {
                        const ChannelArtifact *p = &x->artifacts[j], *q = &y->artifacts[j];

                        ASSERT_STREQ(p->platform, q->platform);
                        ASSERT_EQ(p->type, q->type);
                        ASSERT_STREQ(p->path, q->path);
                        ASSERT_EQ(p->size == q->size, 1);
                        ASSERT_EQ(memcmp(p->sha256, q->sha256, SHA256_SIZE), 0);
                }
        }
}

static void test_round_trip(void) {
        _cleanup_(channel_freep) Channel *c = NULL, *back = NULL, *again = NULL;
        _cleanup_free_ char *json = NULL, *json2 = NULL;

        printf("%s\n", __func__);

        c = parse(source);
        ASSERT_OK(channel_to_json(c, &json));
        back = parse(json);
        assert_same_channel(c, back);

        /* Written again, byte for byte the same: a channel rewritten without a change stays put. */
        ASSERT_OK(channel_to_json(back, &json2));
        ASSERT_STREQ(json, json2);
        again = parse(json2);
        assert_same_channel(c, again);
}

static void test_format(void) {
        _cleanup_(channel_freep) Channel *c = NULL;
        _cleanup_free_ char *json = NULL;

        printf("%s\n", __func__);

        c = parse(source);
        ASSERT_OK(channel_to_json(c, &json));

        /* The README's field order, two-space indentation, a final newline. */
        ASSERT_TRUE(strncmp(json, "{\n  \"app\": \"example\",\n  \"serial\": 18446744073709551615,\n"
                                  "  \"expires\": \"2030-01-01T00:00:00Z\",\n  \"releases\": [\n", 99) == 0);
        ASSERT_TRUE(json[strlen(json) - 1] == '\n');
        ASSERT_NOT_NULL(strstr(json, "\"path\": \"1.4.2/example-linux-amd64.tar.gz\""));
        ASSERT_NOT_NULL(strstr(json, "\"published\": \"2026-11-20T10:00:00.250000Z\""));
        /* Defaults are written out; absent optional fields stay absent. */
        ASSERT_NOT_NULL(strstr(json, "\"version\": \"v1.4.1\",\n      \"rollout\": 100,\n"));
        ASSERT_TRUE(strstr(json, "\"version\": \"1.4.2\"") < strstr(json, "\"version\": \"v1.4.1\""));
}

static void test_empty(void) {
        _cleanup_(channel_freep) Channel *back = NULL;
        _cleanup_free_ char *json = NULL;
        Channel c = { .app = (char *) "hello", .serial = 1, .expires = 1893456000ULL * USEC_PER_SEC };

        printf("%s\n", __func__);

        ASSERT_OK(channel_to_json(&c, &json));
        ASSERT_STREQ(json, "{\n  \"app\": \"hello\",\n  \"serial\": 1,\n  \"expires\": \"2030-01-01T00:00:00Z\",\n"
                           "  \"releases\": [\n  ]\n}\n");
        back = parse(json);
        ASSERT_EQ(back->n_releases, 0);
}

static void test_refuses_what_cannot_be_read_back(void) {
        ChannelArtifact a = { .platform = (char *) "linux-amd64", .type = ARTIFACT_TAR, .path = (char *) "x", .size = 1 };
        ChannelRelease rel = { .version = (char *) "1.0.0", .rollout = 100, .artifacts = &a, .n_artifacts = 1 };
        Channel c = { .app = (char *) "hello", .serial = 1, .expires = 1, .releases = &rel, .n_releases = 1 };
        _cleanup_free_ char *json = NULL;

        printf("%s\n", __func__);

        ASSERT_OK(channel_to_json(&c, &json));
        json = mfree(json);

        c.serial = 0;
        ASSERT_ERROR(channel_to_json(&c, &json), EINVAL);
        c.serial = 1;
        c.app = NULL;
        ASSERT_ERROR(channel_to_json(&c, &json), EINVAL);
        c.app = (char *) "hello";
        rel.rollout = 0;
        ASSERT_ERROR(channel_to_json(&c, &json), EINVAL);
        rel.rollout = 101;
        ASSERT_ERROR(channel_to_json(&c, &json), EINVAL);
        rel.rollout = 100;
        a.size = 0;
        ASSERT_ERROR(channel_to_json(&c, &json), EINVAL);
        a.size = 1;
        a.type = _ARTIFACT_TYPE_INVALID;
        ASSERT_ERROR(channel_to_json(&c, &json), EINVAL);
        a.type = ARTIFACT_ZIP;
        c.expires = USEC_INFINITY;
        ASSERT_ERROR(channel_to_json(&c, &json), EINVAL);
        ASSERT_NULL(json);
        ASSERT_ERROR(channel_to_json(NULL, &json), EINVAL);
}

int main(void) {
        test_round_trip();
        test_format();
        test_empty();
        test_refuses_what_cannot_be_read_back();
        return 0;
}
