/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gobuild's formats: a lookup response written by tests/gobuild-fake (Go's sumdb/tlog and note), records
 * as gobuild packs them now and packed them before variants existed, the URL paths its handlers parse
 * (the example on gobuilds.org's home page), sums, and finding the key on the home page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gobuild.h"
#include "macro.h"
#include "note.h"
#include "sha256.h"
#include "tests.h"
#include "tlog.h"

#define FAKE_KEY "gobuild.test+7f3fc175+AXHFotGCFxwI4sp2Sh8gb6sxnmutefd/31HWYtl1kqy9"
#define FAKE_RECORD "example.com/other v1.1.0 /cmd/other linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \n"
#define FAKE_TREE "go.sum database tree\n520\nU2YL+cYmIt+tVB7QrOpCtveNS/1USXuiLVz8UPgNChs=\n"
#define FAKE_NOTE FAKE_TREE "\n— gobuild.test fz/BddPeZr7H1q6PcQCJCq2YyU6rP8EzFB81N7TW1T8LA40Xp5ZV1AQRQtgWcbuQrLNEzaN0KuZK8GiXnl0gErUAWQI=\n"
static const char fake_lookup[] = "301\n" FAKE_RECORD "\n" FAKE_NOTE;

#define FAKE_BINARY "#!/bin/sh\necho hello\n\n#gobuild-fake example.com/hello@v1.1.0 go1.22.0 linux-amd64\n"
#define FAKE_BINARY_SUM "0_FwbEo1VWqOx9iyJDwZAHoIUM7w"

static GobuildSpec spec(const char *module, const char *version, const char *dir, const char *goos,
                        const char *goarch, const char *goversion, bool stripped) {
        return (GobuildSpec) {
                .module = (char *) module, .version = (char *) version, .dir = (char *) dir,
                .goos = (char *) goos, .goarch = (char *) goarch, .goversion = (char *) goversion,
                .stripped = stripped,
        };
}

static void test_lookup_from_go(void) {
        _cleanup_(gobuild_lookup_done) GobuildLookup l = {};
        _cleanup_(note_verifier_done) NoteVerifier v = {};
        _cleanup_free_ char *text = NULL;
        GobuildSpec want = spec("example.com/other", "v1.1.0", "/cmd/other", "linux", "amd64", "go1.22.0", false);
        TlogTreeHead head;

        ASSERT_OK_ZERO(gobuild_lookup_parse(fake_lookup, strlen(fake_lookup), &l));
        ASSERT_EQ(l.id, 301);
        ASSERT_EQ(l.record_size, strlen(FAKE_RECORD));
        ASSERT_STREQ(l.record_text, FAKE_RECORD);
        ASSERT_STREQ(l.record.spec.module, "example.com/other");
        ASSERT_STREQ(l.record.spec.version, "v1.1.0");
        ASSERT_STREQ(l.record.spec.dir, "/cmd/other");
        ASSERT_STREQ(l.record.spec.goos, "linux");
        ASSERT_STREQ(l.record.spec.goarch, "amd64");
        ASSERT_STREQ(l.record.spec.goversion, "go1.22.0");
        ASSERT_FALSE(l.record.spec.stripped);
        ASSERT_EQ(l.record.size, 82);
        ASSERT_STREQ(l.record.sum, "0aM84hM0MBE2alp7a-iTO0YjKttE");
        ASSERT_TRUE(gobuild_record_matches(&l.record, &want));

        /* The note that follows is the signed tree head, as it arrived. */
        ASSERT_EQ(l.note_size, strlen(FAKE_NOTE));
        ASSERT_STREQ(l.note, FAKE_NOTE);
        ASSERT_OK_ZERO(note_verifier_parse(FAKE_KEY, &v));
        ASSERT_OK_ZERO(note_open(l.note, l.note_size, &v, &text));
        ASSERT_OK_ZERO(tlog_tree_head_parse(text, strlen(text), &head));
        ASSERT_EQ(head.size, 520);
        ASSERT_LT(l.id, head.size);
}

static void assert_lookup_refused(const char *body, int error) {
        GobuildLookup l = { .id = 42 };

        if (gobuild_lookup_parse(body, strlen(body), &l) != error) {
                TEST_FAIL("lookup not refused with %d: \"%s\"", error, body);
        }
        ASSERT_EQ(l.id, 42);
        ASSERT_NULL(l.note);
}

static void test_lookup_malformed(void) {
        _cleanup_free_ char *big = NULL;
        GobuildLookup l = {};

        assert_lookup_refused("", -EBADMSG);
        assert_lookup_refused("301", -EBADMSG);
        assert_lookup_refused("\n" FAKE_RECORD "\n" FAKE_NOTE, -EBADMSG);
        assert_lookup_refused("0301\n" FAKE_RECORD "\n" FAKE_NOTE, -EBADMSG);
        assert_lookup_refused("-1\n" FAKE_RECORD "\n" FAKE_NOTE, -EBADMSG);
        assert_lookup_refused("9223372036854775808\n" FAKE_RECORD "\n" FAKE_NOTE, -EBADMSG);
        assert_lookup_refused("301\n" FAKE_RECORD FAKE_NOTE, -EBADMSG);         /* no blank line */
        assert_lookup_refused("301\n" FAKE_RECORD "\n", -EBADMSG);              /* no note */
        assert_lookup_refused("301\n\n" FAKE_NOTE, -EBADMSG);                   /* no record */
        assert_lookup_refused("301\n" FAKE_RECORD FAKE_RECORD "\n" FAKE_NOTE, -EBADMSG);
        ASSERT_ERROR(gobuild_lookup_parse("301\n\0" FAKE_RECORD "\n" FAKE_NOTE, 5 + strlen(FAKE_RECORD "\n" FAKE_NOTE), &l), EBADMSG);

        big = malloc(GOBUILD_LOOKUP_SIZE_MAX + 1);
        ASSERT_NOT_NULL(big);
        memset(big, 'a', GOBUILD_LOOKUP_SIZE_MAX + 1);
        ASSERT_ERROR(gobuild_lookup_parse(big, GOBUILD_LOOKUP_SIZE_MAX + 1, &l), EFBIG);
}

static void test_record_variants(void) {
        _cleanup_(gobuild_record_done) GobuildRecord stripped = {}, old = {}, old_dir = {};
        static const char s[] = "github.com/mjl-/sherpa v0.6.0 /cmd/sherpaclient linux amd64 go1.14.1 5000 0m32pSahHbf-fptQdDyWD87GJNXI stripped\n";
        static const char o[] = "github.com/mjl-/sherpa v0.6.0 / linux amd64 go1.14.1 5000 0m32pSahHbf-fptQdDyWD87GJNXI\n";
        static const char od[] = "github.com/mjl-/sherpa v0.6.0 /cmd/sherpaclient/ linux amd64 go1.14.1 5000 0m32pSahHbf-fptQdDyWD87GJNXI\n";
        GobuildSpec want = spec("github.com/mjl-/sherpa", "v0.6.0", "/cmd/sherpaclient", "linux", "amd64", "go1.14.1", true);

        ASSERT_OK_ZERO(gobuild_record_parse(s, strlen(s), &stripped));
        ASSERT_TRUE(stripped.spec.stripped);
        ASSERT_EQ(stripped.size, 5000);
        ASSERT_TRUE(gobuild_record_matches(&stripped, &want));

        /* Eight fields: logged before gobuild had variants. */
        ASSERT_OK_ZERO(gobuild_record_parse(o, strlen(o), &old));
        ASSERT_FALSE(old.spec.stripped);
        ASSERT_STREQ(old.spec.dir, "/");

        /* And a package directory with the slash gobuild used to leave on it: the same package. */
        ASSERT_OK_ZERO(gobuild_record_parse(od, strlen(od), &old_dir));
        ASSERT_STREQ(old_dir.spec.dir, "/cmd/sherpaclient");
        want.stripped = false;
        ASSERT_TRUE(gobuild_record_matches(&old_dir, &want));
}

static void assert_record_refused(const char *text) {
        GobuildRecord r = { .size = 42 };

        if (gobuild_record_parse(text, strlen(text), &r) != -EBADMSG) {
                TEST_FAIL("record accepted: \"%s\"", text);
        }
        ASSERT_EQ(r.size, 42);
        ASSERT_NULL(r.sum);
}

static void test_record_malformed(void) {
        char long_record[GOBUILD_RECORD_SIZE_MAX + 2];

        assert_record_refused("");
        assert_record_refused("\n");
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE ");     /* no newline */
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 82\n");
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE  \n");  /* ten fields */
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE race\n");
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 0 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 082 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 8x 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 82 1aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKtt \n");
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttF \n");   /* stray bits */
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a+iTO0YjKttE \n");   /* not base64url */
        assert_record_refused(" v1 / linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m v1 cmd/x linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m v1 //x linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m v1 /../x linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/../m v1 / linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m v1 / lin-ux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m v1 / linux amd64 go1.22-0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m v1 / Linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m v1 / linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \r\n");
        assert_record_refused("example.com/m\tv1 / linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \n");
        assert_record_refused("example.com/m?x v1 / linux amd64 go1.22.0 82 0aM84hM0MBE2alp7a-iTO0YjKttE \n");

        memset(long_record, 'a', sizeof long_record - 1);
        long_record[sizeof long_record - 2] = '\n';
        long_record[sizeof long_record - 1] = 0;
        assert_record_refused(long_record);
}

static void test_record_matches(void) {
        _cleanup_(gobuild_record_done) GobuildRecord r = {};
        GobuildSpec want = spec("example.com/other", "v1.1.0", "/cmd/other", "linux", "amd64", "go1.22.0", false);

        ASSERT_OK_ZERO(gobuild_record_parse(FAKE_RECORD, strlen(FAKE_RECORD), &r));
        ASSERT_TRUE(gobuild_record_matches(&r, &want));

        /* Any one field different is another build. */
        for (size_t i = 0; i < 7; i++) {
                GobuildSpec other = want;

                switch (i) {
                case 0: other.module = (char *) "example.com/hello"; break;
                case 1: other.version = (char *) "v1.0.0"; break;
                case 2: other.dir = (char *) "/"; break;
                case 3: other.goos = (char *) "freebsd"; break;
                case 4: other.goarch = (char *) "arm64"; break;
                case 5: other.goversion = (char *) "go1.21.5"; break;
                case 6: other.stripped = true; break;
                }
                ASSERT_FALSE(gobuild_record_matches(&r, &other));
        }
}

static void test_paths(void) {
        _cleanup_free_ char *key = NULL, *lookup = NULL, *download = NULL, *root_key = NULL, *win = NULL, *root_dl = NULL;
        GobuildRecord r = {
                .spec = spec("github.com/mjl-/sherpa", "v0.6.0", "/cmd/sherpaclient", "linux", "amd64", "go1.14.1", false),
                .size = 1,
                .sum = (char *) "0m32pSahHbf-fptQdDyWD87GJNXI",
        };
        GobuildRecord root = {
                .spec = spec("example.com/hello", "v1.1.0", "/", "linux", "amd64", "go1.22.0", true),
                .size = 1,
                .sum = (char *) FAKE_BINARY_SUM,
        };
        GobuildSpec bad = spec("example.com/hello", "v1.1.0", "cmd", "linux", "amd64", "go1.22.0", false);

        /* The example build on gobuilds.org's home page. */
        ASSERT_OK_ZERO(gobuild_lookup_key(&r.spec, &key));
        ASSERT_STREQ(key, "github.com/mjl-/sherpa@v0.6.0/cmd/sherpaclient/linux-amd64-go1.14.1/");
        ASSERT_OK_ZERO(gobuild_lookup_path(&r.spec, &lookup));
        ASSERT_STREQ(lookup, "tlog/lookup/github.com/mjl-/sherpa@v0.6.0/cmd/sherpaclient/linux-amd64-go1.14.1/");
        ASSERT_OK_ZERO(gobuild_download_path(&r, &download));
        ASSERT_STREQ(download, "github.com/mjl-/sherpa@v0.6.0/cmd/sherpaclient/linux-amd64-go1.14.1/"
                               "0m32pSahHbf-fptQdDyWD87GJNXI/sherpaclient-v0.6.0-go1.14.1.gz");

        /* The module root, a stripped variant, and windows' .exe. */
        ASSERT_OK_ZERO(gobuild_lookup_key(&root.spec, &root_key));
        ASSERT_STREQ(root_key, "example.com/hello@v1.1.0/linux-amd64-go1.22.0-stripped/");
        ASSERT_OK_ZERO(gobuild_download_path(&root, &root_dl));
        ASSERT_STREQ(root_dl, "example.com/hello@v1.1.0/linux-amd64-go1.22.0-stripped/" FAKE_BINARY_SUM
                              "/hello-v1.1.0-go1.22.0-stripped.gz");
        root.spec.goos = (char *) "windows";
        root.spec.stripped = false;
        ASSERT_OK_ZERO(gobuild_download_path(&root, &win));
        ASSERT_STREQ(win,
                     "example.com/hello@v1.1.0/windows-amd64-go1.22.0/" FAKE_BINARY_SUM "/hello-v1.1.0-go1.22.0.exe.gz");

        ASSERT_ERROR(gobuild_lookup_key(&bad, &key), EINVAL);
        root.sum = (char *) "0short";
        ASSERT_ERROR(gobuild_download_path(&root, &download), EINVAL);
}

static void test_sums(void) {
        _cleanup_free_ char *s = NULL;
        uint8_t sha[SHA256_SIZE];

        ASSERT_OK_ZERO(sha256_iovec(&(struct iovec) { (void *) FAKE_BINARY, strlen(FAKE_BINARY) }, 1, sha));
        ASSERT_OK_ZERO(gobuild_sum_format(sha, &s));
        ASSERT_STREQ(s, FAKE_BINARY_SUM);
        ASSERT_TRUE(gobuild_sum_matches(FAKE_BINARY_SUM, sha));

        /* Only the first 20 bytes are in the sum. */
        sha[25] ^= 1;
        ASSERT_TRUE(gobuild_sum_matches(FAKE_BINARY_SUM, sha));
        sha[19] ^= 1;
        ASSERT_FALSE(gobuild_sum_matches(FAKE_BINARY_SUM, sha));
        sha[19] ^= 1;

        ASSERT_FALSE(gobuild_sum_matches(NULL, sha));
        ASSERT_FALSE(gobuild_sum_matches("", sha));
        ASSERT_FALSE(gobuild_sum_matches("1_FwbEo1VWqOx9iyJDwZAHoIUM7w", sha));
        ASSERT_FALSE(gobuild_sum_matches("0_FwbEo1VWqOx9iyJDwZAHoIUM7w=", sha));
        ASSERT_FALSE(gobuild_sum_matches("0_FwbEo1VWqOx9iyJDwZAHoIUM7", sha));
        ASSERT_FALSE(gobuild_sum_matches("0/FwbEo1VWqOx9iyJDwZAHoIUM7w", sha));
}

static void test_verifier_key_find(void) {
        static const char page[] =
                "<p>If you run your own gobuild instance, specify the verifierkey on the command-line:</p>\n"
                "\t\t<pre class=\"command charwrap\">gobuild get -verifierkey " GOBUILD_BETA_VERIFIER_KEY " ...</pre>\n";
        static const char twice[] =
                "gobuild get -verifierkey " GOBUILD_BETA_VERIFIER_KEY " ...\n"
                "gobuild get -verifierkey " GOBUILD_BETA_VERIFIER_KEY "</pre>";
        static const char two[] =
                "gobuild get -verifierkey " GOBUILD_BETA_VERIFIER_KEY " ...\n"
                "gobuild get -verifierkey " FAKE_KEY "</pre>";
        static const char broken[] =
                "gobuild get -verifierkey beta.gobuilds.org+3979319e+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQQ ...";
        static const char none[] = "<p>NOTE: The transparency log is not configured for this gobuild instance.</p>";
        _cleanup_free_ char *a = NULL, *b = NULL;
        char *c = NULL;

        ASSERT_OK_ZERO(gobuild_verifier_key_find(page, strlen(page), &a));
        ASSERT_STREQ(a, GOBUILD_BETA_VERIFIER_KEY);
        ASSERT_OK_ZERO(gobuild_verifier_key_find(twice, strlen(twice), &b));
        ASSERT_STREQ(b, GOBUILD_BETA_VERIFIER_KEY);
        ASSERT_ERROR(gobuild_verifier_key_find(two, strlen(two), &c), ENOTUNIQ);
        ASSERT_ERROR(gobuild_verifier_key_find(broken, strlen(broken), &c), ENOKEY);
        ASSERT_ERROR(gobuild_verifier_key_find(none, strlen(none), &c), ENOKEY);
        ASSERT_NULL(c);
}

int main(void) {
        test_lookup_from_go();
        test_lookup_malformed();
        test_record_variants();
        test_record_malformed();
        test_record_matches();
        test_paths();
        test_sums();
        test_verifier_key_find();
        return 0;
}
