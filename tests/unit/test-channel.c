/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "channel.h"
#include "fileio.h"
#include "macro.h"
#include "tests.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static const char full_channel[] =
        "{\n"
        "  \"app\": \"example\",\n"
        "  \"serial\": 42,\n"
        "  \"expires\": \"2030-01-01T00:00:00Z\",\n"
        "  \"releases\": [\n"
        "    {\n"
        "      \"version\": \"1.4.2\",\n"
        "      \"published\": \"2026-11-20T10:00:00Z\",\n"
        "      \"notes\": \"Fixes the crash on start-up.\",\n"
        "      \"rollout\": 30,\n"
        "      \"artifacts\": [\n"
        "        { \"platform\": \"linux-amd64\", \"type\": \"tar\", \"path\": \"1.4.2/example-linux-amd64.tar.gz\",\n"
        "          \"size\": 1234567, \"sha256\": \"" SHA_A "\" },\n"
        "        { \"platform\": \"linux-arm64\", \"type\": \"binary\", \"path\": \"https://cdn.example.com/example-arm64\",\n"
        "          \"size\": 99, \"sha256\": \"" SHA_B "\" }\n"
        "      ]\n"
        "    },\n"
        "    {\n"
        "      \"version\": \"v1.4.1\",\n"
        "      \"artifacts\": [\n"
        "        { \"platform\": \"linux-amd64\", \"type\": \"zip\", \"path\": \"1.4.1/example.zip\",\n"
        "          \"size\": 1, \"sha256\": \"" SHA_B "\" }\n"
        "      ]\n"
        "    }\n"
        "  ]\n"
        "}\n";

static Channel *parse_ok(const char *json) {
        Channel *c = NULL;
        char *reason = NULL;
        int r;

        r = channel_parse(json, strlen(json), &c, &reason);
        if (r < 0) {
                TEST_FAIL("channel_parse() failed: %s (%s)\n%s", strerror(-r), strempty(reason), json);
        }
        ASSERT_NOT_NULL(c);
        ASSERT_NULL(reason);
        return c;
}

static void assert_bad_n(const char *json, size_t size, const char *reason_part) {
        Channel *sentinel = (Channel *) (uintptr_t) 0x1, *c = sentinel;
        _cleanup_free_ char *reason = NULL;
        int r;

        r = channel_parse(json, size, &c, &reason);
        if (r != -EBADMSG) {
                TEST_FAIL("channel_parse() = %d, expected -EBADMSG, for:\n%.*s", r, (int) size, json);
        }
        ASSERT_EQ(c, sentinel);
        ASSERT_NOT_NULL(reason);
        if (reason_part && !strstr(reason, reason_part)) {
                TEST_FAIL("reason \"%s\" does not mention \"%s\"", reason, reason_part);
        }

        /* The same without asking for a reason. */
        ASSERT_ERROR(channel_parse(json, size, &c, NULL), EBADMSG);
        ASSERT_EQ(c, sentinel);
}

static void assert_bad(const char *json, const char *reason_part) {
        assert_bad_n(json, strlen(json), reason_part);
}

/* The full channel with one field replaced (value is JSON text) or removed (value NULL). release and
 * artifact are indexes, -1 for "not inside one". */
static char *mutate(int release, int artifact, const char *key, const char *value) {
        struct json_object *root = json_tokener_parse(full_channel), *o = root;
        char *s;

        ASSERT_NOT_NULL(root);
        if (release >= 0)
                o = json_object_array_get_idx(json_object_object_get(o, "releases"), release);
        if (artifact >= 0)
                o = json_object_array_get_idx(json_object_object_get(o, "artifacts"), artifact);
        ASSERT_NOT_NULL(o);

        if (value) {
                struct json_object *v = json_tokener_parse(value);

                /* json_tokener_parse() gives NULL for "null" as well as for errors. */
                ASSERT_TRUE(v || streq(value, "null"));
                ASSERT_OK_ZERO(json_object_object_add(o, key, v));
        } else {
                ASSERT_TRUE(json_object_object_get_ex(o, key, NULL));
                json_object_object_del(o, key);
        }

        s = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        ASSERT_NOT_NULL(s);
        json_object_put(root);
        return s;
}

static void assert_mutation_bad(int release, int artifact, const char *key, const char *value, const char *reason_part) {
        _cleanup_free_ char *json = mutate(release, artifact, key, value);

        assert_bad(json, reason_part);
}

static void assert_mutation_ok(int release, int artifact, const char *key, const char *value) {
        _cleanup_free_ char *json = mutate(release, artifact, key, value);
        _cleanup_(channel_freep) _unused_ Channel *c = parse_ok(json);
}

static void test_artifact_type_strings(void) {
        printf("%s\n", __func__);

        for (ArtifactType t = 0; t < _ARTIFACT_TYPE_MAX; t++)
                ASSERT_EQ(artifact_type_from_string(artifact_type_to_string(t)), t);
        ASSERT_STREQ(artifact_type_to_string(ARTIFACT_BINARY), "binary");
        ASSERT_STREQ(artifact_type_to_string(ARTIFACT_TAR), "tar");
        ASSERT_STREQ(artifact_type_to_string(ARTIFACT_ZIP), "zip");
        ASSERT_FALSE(artifact_type_to_string(_ARTIFACT_TYPE_MAX));
        ASSERT_FALSE(artifact_type_to_string(_ARTIFACT_TYPE_INVALID));
        ASSERT_EQ(artifact_type_from_string("TAR"), _ARTIFACT_TYPE_INVALID);
        ASSERT_EQ(artifact_type_from_string("tar.gz"), _ARTIFACT_TYPE_INVALID);
        ASSERT_EQ(artifact_type_from_string(""), _ARTIFACT_TYPE_INVALID);
        ASSERT_EQ(artifact_type_from_string(NULL), _ARTIFACT_TYPE_INVALID);
}

static void test_sha256_to_hex(void) {
        static const uint8_t d[SHA256_SIZE] = {
                0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
        };
        char buf[2 * SHA256_SIZE + 1];

        printf("%s\n", __func__);

        ASSERT_EQ(sha256_to_hex(d, buf), buf);
        ASSERT_STREQ(buf, SHA_B);
}

static void test_parse_full(void) {
        _cleanup_(channel_freep) Channel *c = parse_ok(full_channel);
        const ChannelRelease *r;
        const ChannelArtifact *a;
        char buf[2 * SHA256_SIZE + 1];
        usec_t t;

        printf("%s\n", __func__);

        ASSERT_STREQ(c->app, "example");
        ASSERT_EQ(c->serial, 42);
        ASSERT_OK_ZERO(parse_timestamp_rfc3339("2030-01-01T00:00:00Z", &t));
        ASSERT_EQ(c->expires, t);
        ASSERT_EQ(c->n_releases, 2);

        r = &c->releases[0];
        ASSERT_STREQ(r->version, "1.4.2");
        ASSERT_OK_ZERO(parse_timestamp_rfc3339("2026-11-20T10:00:00Z", &t));
        ASSERT_EQ(r->published, t);
        ASSERT_STREQ(r->notes, "Fixes the crash on start-up.");
        ASSERT_EQ(r->rollout, 30);
        ASSERT_EQ(r->n_artifacts, 2);

        a = &r->artifacts[0];
        ASSERT_STREQ(a->platform, "linux-amd64");
        ASSERT_EQ(a->type, ARTIFACT_TAR);
        ASSERT_STREQ(a->path, "1.4.2/example-linux-amd64.tar.gz");
        ASSERT_EQ(a->size, 1234567);
        ASSERT_STREQ(sha256_to_hex(a->sha256, buf), SHA_A);

        a = &r->artifacts[1];
        ASSERT_STREQ(a->platform, "linux-arm64");
        ASSERT_EQ(a->type, ARTIFACT_BINARY);
        ASSERT_STREQ(a->path, "https://cdn.example.com/example-arm64");
        ASSERT_EQ(a->size, 99);
        ASSERT_STREQ(sha256_to_hex(a->sha256, buf), SHA_B);

        /* Optional fields take their defaults. */
        r = &c->releases[1];
        ASSERT_STREQ(r->version, "v1.4.1");
        ASSERT_EQ(r->published, 0);
        ASSERT_NULL(r->notes);
        ASSERT_EQ(r->rollout, 100);
        ASSERT_EQ(r->n_artifacts, 1);
        ASSERT_EQ(r->artifacts[0].type, ARTIFACT_ZIP);
}

static void test_parse_minimal_and_extras(void) {
        printf("%s\n", __func__);

        {
                _cleanup_(channel_freep) Channel *c =
                        parse_ok("{\"app\":\"a\",\"serial\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"releases\":[]}");
                ASSERT_EQ(c->n_releases, 0);
                ASSERT_NULL(c->releases);
                ASSERT_EQ(c->serial, 1);
        }

        /* Fields this version does not know are ignored, at every level. */
        assert_mutation_ok(-1, -1, "description", "\"the example app\"");
        assert_mutation_ok(0, -1, "critical", "true");
        assert_mutation_ok(0, 0, "signature_url", "{\"x\":[1,2]}");

        /* Upper-case hex, offsets, empty notes, a huge serial. */
        assert_mutation_ok(0, 0, "sha256", "\"0123456789ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef\"");
        assert_mutation_ok(0, -1, "published", "\"2026-11-20T11:00:00+01:00\"");
        assert_mutation_ok(0, -1, "notes", "\"\"");
        assert_mutation_ok(0, -1, "rollout", "1");
        assert_mutation_ok(0, -1, "rollout", "100");
        assert_mutation_ok(0, 0, "size", "18446744073709551615");
        {
                _cleanup_free_ char *json = mutate(-1, -1, "serial", "18446744073709551615");
                _cleanup_(channel_freep) Channel *c = parse_ok(json);

                ASSERT_EQ_U(c->serial, UINT64_MAX);
        }
}

static void test_missing_required(void) {
        static const char *const root_keys[] = { "app", "serial", "expires", "releases" };
        static const char *const release_keys[] = { "version", "artifacts" };
        static const char *const artifact_keys[] = { "platform", "type", "path", "size", "sha256" };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(root_keys); i++)
                assert_mutation_bad(-1, -1, root_keys[i], NULL, root_keys[i]);
        for (size_t i = 0; i < ELEMENTSOF(release_keys); i++) {
                assert_mutation_bad(0, -1, release_keys[i], NULL, release_keys[i]);
                assert_mutation_bad(1, -1, release_keys[i], NULL, release_keys[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(artifact_keys); i++) {
                assert_mutation_bad(0, 0, artifact_keys[i], NULL, artifact_keys[i]);
                assert_mutation_bad(0, 1, artifact_keys[i], NULL, artifact_keys[i]);
                assert_mutation_bad(1, 0, artifact_keys[i], NULL, artifact_keys[i]);
        }

        /* The reason says where. */
        assert_mutation_bad(0, 1, "sha256", NULL, "release 1.4.2, artifact 2: \"sha256\" is missing");
        assert_mutation_bad(1, -1, "version", NULL, "release 2: \"version\" is missing");

        /* Optional ones may go. */
        assert_mutation_ok(0, -1, "published", NULL);
        assert_mutation_ok(0, -1, "notes", NULL);
        assert_mutation_ok(0, -1, "rollout", NULL);
}

static void test_wrong_types(void) {
        printf("%s\n", __func__);

        assert_mutation_bad(-1, -1, "app", "5", "\"app\" is not a string");
        assert_mutation_bad(-1, -1, "app", "null", "app");
        assert_mutation_bad(-1, -1, "app", "\"\"", "app");
        assert_mutation_bad(-1, -1, "app", "[\"example\"]", "app");
        assert_mutation_bad(-1, -1, "serial", "\"42\"", "serial");
        assert_mutation_bad(-1, -1, "serial", "42.0", "serial");
        assert_mutation_bad(-1, -1, "serial", "4.2e1", "serial");
        assert_mutation_bad(-1, -1, "serial", "-1", "serial");
        assert_mutation_bad(-1, -1, "serial", "0", "serial");
        assert_mutation_bad(-1, -1, "serial", "true", "serial");
        assert_mutation_bad(-1, -1, "expires", "1893456000", "expires");
        assert_mutation_bad(-1, -1, "expires", "\"tomorrow\"", "expires");
        assert_mutation_bad(-1, -1, "expires", "\"2030-01-01\"", "expires");
        assert_mutation_bad(-1, -1, "releases", "{}", "releases");
        assert_mutation_bad(-1, -1, "releases", "\"1.4.2\"", "releases");
        assert_mutation_bad(-1, -1, "releases", "[\"1.4.2\"]", "release 1");
        assert_mutation_bad(-1, -1, "releases", "[[]]", "release 1");
        assert_mutation_bad(-1, -1, "releases", "[null]", "release 1");

        assert_mutation_bad(0, -1, "version", "1", "version");
        assert_mutation_bad(0, -1, "published", "\"last week\"", "published");
        assert_mutation_bad(0, -1, "published", "0", "published");
        assert_mutation_bad(0, -1, "notes", "5", "notes");
        assert_mutation_bad(0, -1, "notes", "[\"a\"]", "notes");
        assert_mutation_bad(0, -1, "rollout", "\"50\"", "rollout");
        assert_mutation_bad(0, -1, "rollout", "50.5", "rollout");
        assert_mutation_bad(0, -1, "artifacts", "{}", "artifacts");
        assert_mutation_bad(0, -1, "artifacts", "[]", "artifacts");
        assert_mutation_bad(0, -1, "artifacts", "[\"linux-amd64\"]", "artifact 1");

        assert_mutation_bad(0, 0, "platform", "5", "platform");
        assert_mutation_bad(0, 0, "platform", "\"amd64\"", "platform");
        assert_mutation_bad(0, 0, "platform", "\"Linux-AMD64\"", "platform");
        assert_mutation_bad(0, 0, "platform", "\"linux-\"", "platform");
        assert_mutation_bad(0, 0, "platform", "\"-amd64\"", "platform");
        assert_mutation_bad(0, 0, "type", "\"rpm\"", "type");
        assert_mutation_bad(0, 0, "type", "\"TAR\"", "type");
        assert_mutation_bad(0, 0, "type", "0", "type");
        assert_mutation_bad(0, 0, "path", "[]", "path");
        assert_mutation_bad(0, 0, "path", "\"\"", "path");
        assert_mutation_bad(0, 0, "sha256", "5", "sha256");
}

static void test_bad_size(void) {
        printf("%s\n", __func__);

        assert_mutation_bad(0, 0, "size", "0", "size");
        assert_mutation_bad(0, 0, "size", "-1", "size");
        assert_mutation_bad(0, 0, "size", "-9223372036854775808", "size");
        assert_mutation_bad(0, 0, "size", "\"1234\"", "size");
        assert_mutation_bad(0, 0, "size", "1234.0", "size");
        assert_mutation_bad(0, 0, "size", "1e3", "size");
        assert_mutation_bad(0, 0, "size", "null", "size");
}

static void test_bad_sha256(void) {
        printf("%s\n", __func__);

        assert_mutation_bad(0, 0, "sha256", "\"\"", "sha256");
        assert_mutation_bad(0, 0, "sha256", "\"0123456789abcdef\"", "sha256");
        /* 63, 65 digits, a non-hex letter, a space, a prefix. */
        assert_mutation_bad(0, 0, "sha256", "\"" SHA_A "0\"", "not 64 hex digits");
        assert_mutation_bad(0, 0, "sha256", "\"123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"", "sha256");
        assert_mutation_bad(0, 0, "sha256", "\"g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"", "sha256");
        assert_mutation_bad(0, 0, "sha256", "\" 123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"", "sha256");
        assert_mutation_bad(0, 0, "sha256", "\"sha256:" SHA_A "\"", "sha256");
        /* A NUL cutting the string short would otherwise look like the first 64 digits. */
        assert_mutation_bad(0, 0, "sha256", "\"" SHA_A "\\u0000\"", "sha256");
}

static void test_bad_paths(void) {
        static const char *const bad[] = {
                "..", "../x", "a/../b", "a/..", "a/../../../etc/passwd", "%2e%2e/x", ".%2E/x", "%2E%2e",
                "a/%2e./b", "/etc/passwd", "/x", "ftp://example.com/x", "javascript:alert(1)", "c:x",
                "a b", "a\\\\b", "a\\tb", "https://example.com/../x", "https://example.com/a/..",
                "file:///srv/../etc/passwd", "x?a=/../", "https://", "file:",
        };
        static const char *const good[] = {
                "x", "a/b", "a/b..c", "..a", "a..", "a/.../b", "./x", "a/./b", "%2e%2e%2e",
                "https://cdn.example.com/x", "http://example.com:8080/a/b", "file:///srv/releases/x",
                "a?x=1", "1.4.2/example-linux-amd64.tar.gz", "a/b:c",
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *v = NULL;

                ASSERT_OK_ERRNO(asprintf(&v, "\"%s\"", bad[i]));
                assert_mutation_bad(0, 0, "path", v, "path");
        }

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_free_ char *v = NULL;

                ASSERT_OK_ERRNO(asprintf(&v, "\"%s\"", good[i]));
                assert_mutation_ok(0, 0, "path", v);
        }

        assert_mutation_bad(0, 0, "path", "\"../x\"", "release 1.4.2, artifact 1: \"path\" contains a \"..\" component");
}

static void test_versions(void) {
        printf("%s\n", __func__);

        assert_mutation_bad(0, -1, "version", "\"1.4\"", "version");
        assert_mutation_bad(0, -1, "version", "\"latest\"", "version");
        assert_mutation_bad(0, -1, "version", "\"\"", "version");
        assert_mutation_bad(0, -1, "version", "\"01.4.2\"", "version");
        assert_mutation_bad(0, -1, "version", "\"1.4.2 \"", "version");

        /* The same version twice, also when spelled differently. */
        assert_mutation_bad(0, -1, "version", "\"1.4.1\"", "1.4.1");
        assert_mutation_bad(0, -1, "version", "\"v1.4.1\"", "listed more than once");
        assert_mutation_bad(1, -1, "version", "\"1.4.2+build.7\"", "1.4.2");

        assert_mutation_ok(0, -1, "version", "\"1.4.2-rc.1\"");
        assert_mutation_ok(1, -1, "version", "\"1.4.2-rc.1\"");
}

static void test_duplicate_version_many(void) {
        _cleanup_free_ char *json = NULL;
        FILE *f;
        size_t size = 0;

        printf("%s\n", __func__);

        /* Many releases, the duplicate far apart: found, and fast. */
        f = open_memstream(&json, &size);
        ASSERT_NOT_NULL(f);
        fputs("{\"app\":\"a\",\"serial\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"releases\":[", f);
        for (unsigned i = 0; i < 2000; i++)
                fprintf(f, "%s{\"version\":\"1.%u.0\",\"artifacts\":[{\"platform\":\"linux-amd64\",\"type\":\"binary\","
                        "\"path\":\"x\",\"size\":1,\"sha256\":\"" SHA_A "\"}]}",
                        i > 0 ? "," : "", i == 1999 ? 7 : i);
        fputs("]}", f);
        ASSERT_OK_ZERO_ERRNO(fclose(f));

        assert_bad(json, "1.7.0");
}

static void test_duplicate_platform(void) {
        printf("%s\n", __func__);

        assert_mutation_bad(0, 1, "platform", "\"linux-amd64\"", "linux-amd64");
}

static void test_rollout_range(void) {
        printf("%s\n", __func__);

        assert_mutation_bad(0, -1, "rollout", "0", "rollout");
        assert_mutation_bad(0, -1, "rollout", "101", "rollout");
        assert_mutation_bad(0, -1, "rollout", "-5", "rollout");
        assert_mutation_bad(0, -1, "rollout", "4294967396", "rollout");   /* 100 + 2^32 */
}

static void test_not_a_channel(void) {
        static const char nul[] = "{\"app\":\"a\0b\",\"serial\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"releases\":[]}";
        _cleanup_free_ char *big = NULL;
        const char *p;

        printf("%s\n", __func__);

        assert_bad("", NULL);
        assert_bad("   ", NULL);
        assert_bad("{", NULL);
        assert_bad("[]", "not a JSON object");
        assert_bad("null", NULL);
        assert_bad("\"app\"", NULL);
        assert_bad("42", NULL);
        assert_bad("{}", "app");
        assert_bad("{\"app\":'a'}", "JSON");
        assert_bad("{\"app\":\"a\",}", "JSON");
        assert_bad("{} {}", "JSON");
        assert_bad("{}x", "JSON");
        assert_bad("{\"app\":\"\xff\xfe\",\"serial\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"releases\":[]}", NULL);
        assert_bad("{\"app\":\"a\\u0000b\",\"serial\":1,\"expires\":\"2030-01-01T00:00:00Z\",\"releases\":[]}", "NUL");
        assert_bad_n(nul, sizeof nul - 1, "NUL");

        /* The full channel cut short anywhere. */
        for (size_t n = 0; n < strlen(full_channel) - 1; n++)
                assert_bad_n(full_channel, n, NULL);

        /* Trailing whitespace is fine, and size is honoured even without a NUL after the text. */
        {
                _cleanup_(channel_freep) Channel *c = NULL;
                _cleanup_free_ char *copy = strdup(full_channel);

                ASSERT_NOT_NULL(copy);
                ASSERT_OK_ZERO(channel_parse(copy, strlen(copy), &c, NULL));
                channel_free(TAKE_PTR(c));
                p = strrchr(copy, '}');
                ASSERT_OK_ZERO(channel_parse(copy, p - copy + 1, &c, NULL));
        }

        /* Too large, even though valid: refused before parsing. */
        big = malloc(CHANNEL_MAX_SIZE + 2);
        ASSERT_NOT_NULL(big);
        memset(big, ' ', CHANNEL_MAX_SIZE + 1);
        memcpy(big, full_channel, strlen(full_channel));
        big[CHANNEL_MAX_SIZE + 1] = 0;
        assert_bad(big, "larger than");
        big[CHANNEL_MAX_SIZE] = 0;
        {
                _cleanup_(channel_freep) _unused_ Channel *c = parse_ok(big);
        }
}

static Channel *check_channel(void) {
        return parse_ok(full_channel);   /* app "example", serial 42, expires 2030-01-01 */
}

static void assert_check(const Channel *c, const char *app, usec_t now, uint64_t last_serial, const char *last_digest,
                         const char *digest, int expected) {
        _cleanup_free_ char *reason = NULL;
        int r;

        r = channel_check(c, app, now, last_serial, last_digest, digest, &reason);
        if (r != expected) {
                TEST_FAIL("channel_check() = %d (%s), expected %d", r, strempty(reason), expected);
        }
        ASSERT_EQ(!!reason, (expected < 0));
        ASSERT_EQ(channel_check(c, app, now, last_serial, last_digest, digest, NULL), expected);
}

static void test_check(void) {
        _cleanup_(channel_freep) Channel *c = check_channel();
        usec_t now, expires;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(parse_timestamp_rfc3339("2026-11-20T10:00:00Z", &now));
        ASSERT_OK_ZERO(parse_timestamp_rfc3339("2030-01-01T00:00:00Z", &expires));

        /* Accepted: first time, higher serial, same serial with the same bytes. */
        assert_check(c, "example", now, 0, NULL, SHA_A, 0);
        assert_check(c, "example", now, 41, SHA_B, SHA_A, 0);
        assert_check(c, "example", now, 1, SHA_A, SHA_A, 0);
        assert_check(c, "example", now, 42, SHA_A, SHA_A, 0);
        assert_check(c, "example", now, 42, NULL, SHA_A, 0);
        assert_check(c, "example", expires - 1, 42, SHA_A, SHA_A, 0);

        /* Wrong app. */
        assert_check(c, "other", now, 0, NULL, SHA_A, -EXDEV);
        assert_check(c, "exampl", now, 0, NULL, SHA_A, -EXDEV);
        assert_check(c, "Example", now, 0, NULL, SHA_A, -EXDEV);

        /* Expired: at the instant and after. */
        assert_check(c, "example", expires, 0, NULL, SHA_A, -EKEYEXPIRED);
        assert_check(c, "example", expires + USEC_PER_DAY, 0, NULL, SHA_A, -EKEYEXPIRED);

        /* Replayed: lower serial; equal serial with other content. */
        assert_check(c, "example", now, 43, SHA_A, SHA_A, -ESTALE);
        assert_check(c, "example", now, UINT64_MAX, NULL, SHA_A, -ESTALE);
        assert_check(c, "example", now, 42, SHA_B, SHA_A, -ESTALE);
        assert_check(c, "example", now, 42, SHA_B, NULL, -ESTALE);

        /* The rules apply in the documented order. */
        assert_check(c, "other", expires, 43, SHA_B, SHA_A, -EXDEV);
        assert_check(c, "example", expires, 43, SHA_B, SHA_A, -EKEYEXPIRED);
        assert_check(c, "example", now, 43, SHA_B, SHA_A, -ESTALE);
}

static void test_find_artifact(void) {
        _cleanup_(channel_freep) Channel *c = parse_ok(full_channel);

        printf("%s\n", __func__);

        ASSERT_EQ(channel_release_find_artifact(&c->releases[0], "linux-amd64"), &c->releases[0].artifacts[0]);
        ASSERT_EQ(channel_release_find_artifact(&c->releases[0], "linux-arm64"), &c->releases[0].artifacts[1]);
        ASSERT_EQ(channel_release_find_artifact(&c->releases[1], "linux-amd64"), &c->releases[1].artifacts[0]);
        ASSERT_FALSE(channel_release_find_artifact(&c->releases[1], "linux-arm64"));
        ASSERT_FALSE(channel_release_find_artifact(&c->releases[0], "linux-amd"));
        ASSERT_FALSE(channel_release_find_artifact(&c->releases[0], ""));
        ASSERT_FALSE(channel_release_find_artifact(&c->releases[0], NULL));
        ASSERT_FALSE(channel_release_find_artifact(NULL, "linux-amd64"));
}

static void test_platform_native(void) {
        printf("%s\n", __func__);

#if defined(__x86_64__)
        ASSERT_STREQ(platform_native(), "linux-amd64");
#elif defined(__aarch64__)
        ASSERT_STREQ(platform_native(), "linux-arm64");
#endif
        ASSERT_EQ(strncmp(platform_native(), "linux-", 6), 0);

        /* The same, asked of the kernel: uname's machine in Go's GOARCH names (a 32-bit build on a
         * 64-bit kernel runs the 32-bit sibling). */
        static const struct {
                const char *machine, *native64, *native32;
        } machines[] = {
                { "x86_64",  "linux-amd64",   "linux-386" },
                { "aarch64", "linux-arm64",   "linux-arm" },
                { "riscv64", "linux-riscv64", NULL },
                { "ppc64le", "linux-ppc64le", NULL },
                { "s390x",   "linux-s390x",   NULL },
        };
        struct utsname u;
        const char *expected = NULL;

        ASSERT_OK_ZERO_ERRNO(uname(&u));
        for (size_t i = 0; i < ELEMENTSOF(machines); i++)
                if (streq(u.machine, machines[i].machine))
                        expected = sizeof(void *) == 8 ? machines[i].native64 : machines[i].native32;
        if (!expected && strstr(u.machine, "86"))
                expected = "linux-386";
        else if (!expected && strncmp(u.machine, "arm", 3) == 0)
                expected = "linux-arm";
        printf("  uname -m: %s, platform_native(): %s\n", u.machine, platform_native());
        ASSERT_STREQ(platform_native(), expected ?: "linux-unknown");
}

/* A fixed xorshift64* stream, so the distribution checks never flake. */
static uint64_t prng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t prng(void) {
        prng_state ^= prng_state >> 12;
        prng_state ^= prng_state << 25;
        prng_state ^= prng_state >> 27;
        return prng_state * 0x2545F4914F6CDD1DULL;
}

static sd_id128_t random_id(void) {
        sd_id128_t id;

        for (size_t i = 0; i < 2; i++)
                id.qwords[i] = prng();
        return id;
}

static void test_rollout_golden(void) {
        /* Buckets computed independently (Python: int.from_bytes(sha256(f"{id}\0{app}\0{version}")
         * .digest()[:8], "big") % 100): if these change, every fleet's rollout reshuffles. */
        static const struct {
                const char *id, *app, *version;
                unsigned bucket;
        } golden[] = {
                { "0123456789abcdef0123456789abcdef", "example",   "1.4.2",       63 },
                { "0123456789abcdef0123456789abcdef", "example",   "1.4.3",       92 },
                { "fedcba9876543210fedcba9876543210", "other-app", "v2.0.0-rc.1", 50 },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(golden); i++) {
                sd_id128_t id;

                ASSERT_OK_ZERO(sd_id128_from_string(golden[i].id, &id));
                ASSERT_FALSE(rollout_includes(id, golden[i].app, golden[i].version, golden[i].bucket));
                ASSERT_TRUE(rollout_includes(id, golden[i].app, golden[i].version, golden[i].bucket + 1));
        }
}

static void test_rollout_determinism_and_edges(void) {
        printf("%s\n", __func__);

        for (unsigned i = 0; i < 200; i++) {
                sd_id128_t id = random_id();
                bool prev = false;

                ASSERT_TRUE(rollout_includes(id, "example", "1.4.2", 100));
                ASSERT_TRUE(rollout_includes(id, "example", "1.4.2", 1000));
                ASSERT_FALSE(rollout_includes(id, "example", "1.4.2", 0));

                for (unsigned p = 1; p <= 100; p++) {
                        bool in = rollout_includes(id, "example", "1.4.2", p);

                        /* Same answer every time, and once in, in at every larger percentage. */
                        ASSERT_EQ(in, rollout_includes(id, "example", "1.4.2", p));
                        ASSERT_TRUE(!prev || in);
                        prev = in;
                }
        }
}

static void test_rollout_distribution(void) {
        unsigned in30 = 0, in_a = 0, in_both = 0, in_other_app = 0, n = 10000;

        printf("%s\n", __func__);

        for (unsigned i = 0; i < n; i++) {
                sd_id128_t id = random_id();
                bool a = rollout_includes(id, "example", "1.4.2", 50), b = rollout_includes(id, "example", "1.4.3", 50);

                in30 += rollout_includes(id, "example", "1.4.2", 30);
                in_a += a;
                in_both += a && b;
                in_other_app += a && rollout_includes(id, "other", "1.4.2", 50);
        }

        printf("  30%%: %u/%u, 50%%: %u, both versions: %u, both apps: %u\n", in30, n, in_a, in_both, in_other_app);
        ASSERT_GE(in30, n * 27 / 100);
        ASSERT_LE(in30, n * 33 / 100);
        ASSERT_GE(in_a, n * 47 / 100);
        ASSERT_LE(in_a, n * 53 / 100);
        /* Independent per version and per app: about a quarter in both at 50% each. */
        ASSERT_GE(in_both, n * 22 / 100);
        ASSERT_LE(in_both, n * 28 / 100);
        ASSERT_GE(in_other_app, n * 22 / 100);
        ASSERT_LE(in_other_app, n * 28 / 100);
}

static void test_load_at(void) {
        _cleanup_(channel_freep) Channel *c = NULL;
        _cleanup_free_ char *reason = NULL, *big = NULL;
        char dir[] = "/tmp/test-channel-XXXXXX";
        _cleanup_close_ int fd = -EBADF;

        printf("%s\n", __func__);

        ASSERT_NOT_NULL(mkdtemp(dir));
        fd = open(dir, O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK_ERRNO(fd);

        ASSERT_ERROR(channel_load_at(fd, CHANNEL_FILE, &c, &reason), ENOENT);
        ASSERT_OK_ZERO(write_file_atomic_at(fd, CHANNEL_FILE, full_channel, strlen(full_channel), 0644));
        ASSERT_OK_ZERO(channel_load_at(fd, CHANNEL_FILE, &c, &reason));
        ASSERT_EQ(c->serial, 42);
        ASSERT_NULL(reason);
        c = channel_free(c);

        /* What parses from memory parses from the file; what is too large is not read at all. */
        ASSERT_OK_ZERO(write_file_atomic_at(fd, CHANNEL_FILE, "{ \"app\": 1 }", strlen("{ \"app\": 1 }"), 0644));
        ASSERT_ERROR(channel_load_at(fd, CHANNEL_FILE, &c, &reason), EBADMSG);
        ASSERT_NOT_NULL(reason);
        big = calloc(1, CHANNEL_MAX_SIZE + 1);
        ASSERT_NOT_NULL(big);
        memset(big, ' ', CHANNEL_MAX_SIZE + 1);
        ASSERT_OK_ZERO(write_file_atomic_at(fd, CHANNEL_FILE, big, CHANNEL_MAX_SIZE + 1, 0644));
        ASSERT_ERROR(channel_load_at(fd, CHANNEL_FILE, &c, NULL), EFBIG);

        ASSERT_OK_ZERO_ERRNO(unlinkat(fd, CHANNEL_FILE, 0));
        ASSERT_OK_ZERO_ERRNO(rmdir(dir));
}

int main(void) {
        test_load_at();
        test_artifact_type_strings();
        test_sha256_to_hex();
        test_parse_full();
        test_parse_minimal_and_extras();
        test_missing_required();
        test_wrong_types();
        test_bad_size();
        test_bad_sha256();
        test_bad_paths();
        test_versions();
        test_duplicate_version_many();
        test_duplicate_platform();
        test_rollout_range();
        test_not_a_channel();
        test_check();
        test_find_artifact();
        test_platform_native();
        test_rollout_golden();
        test_rollout_determinism_and_edges();
        test_rollout_distribution();
        return 0;
}
