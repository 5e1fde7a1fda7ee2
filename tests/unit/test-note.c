/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signed notes against vectors made once with Go's golang.org/x/mod/sumdb/note (keys from fixed
 * seeds, notes from note.Sign), and the real published key of beta.gobuilds.org. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "note.h"
#include "sha256.h"
#include "tests.h"

#define BETA_KEY "beta.gobuilds.org+3979319f+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQQ"
#define LOG_KEY "example.org/log+902da779+ARyq4eNbEpQjB+WIqZPGdVNFSeN2M9gMEp77D8ouunJX"
#define WITNESS_KEY "witness+56abd7c6+AW3k0G9mixKdvs1N/3i4pVlUp7q+uu624J9b2nj4Pebx"

#define TREE_TEXT "go.sum database tree\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
#define LOG_SIG "— example.org/log kC2necslYnPCuFjv28vdtFKJrlkcEE39iotM/W3ZXkFjjQDPKj/3oCHZCLE0+uKITvZbMHcp/WHJUuYJvsEyVXCKMA4=\n"
static const char tree_note[] = TREE_TEXT "\n" LOG_SIG;

/* Signed by the witness first, then by the log, over a text with a blank line and non-ASCII. */
#define TWO_TEXT "h\xc3\xa9llo \xe2\x80\x94 world\n\nsecond paragraph\n"
static const char two_note[] =
        TWO_TEXT "\n"
        "— witness VqvXxtVyKcAlRCnvJERkipmjZ1w+AmaRu1L6HHUv8AXie2qQhql7u6JdWYWYcdiG8Zs87ECuwsQl1MGZQ3B6miWnmQU=\n"
        "— example.org/log kC2neUkscKQSLvO+fXS4IJxDQS2q7/JswDxgOtLv9ojxKFFtFH9IilfxEsDRZSnAXrbhICaQsaQU1fyMMDKoehnznwg=\n";

static NoteVerifier verifier(const char *key) {
        NoteVerifier v = {};

        ASSERT_OK_ZERO(note_verifier_parse(key, &v));
        return v;
}

static int open_str(const char *note, const char *key, char **ret_text) {
        _cleanup_(note_verifier_done) NoteVerifier v = verifier(key);

        return note_open(note, strlen(note), &v, ret_text);
}

/* A verifier key with a correct hash over whatever blob is given, to reach the checks after it. */
static char *key_with_blob(const char *name, const uint8_t *blob, size_t size) {
        uint8_t h[SHA256_SIZE];
        char b64[128], *s;
        struct iovec iov[] = { { (void *) name, strlen(name) }, { (void *) "\n", 1 }, { (void *) blob, size } };

        ASSERT_LT(size, 90);
        ASSERT_OK_ZERO(sha256_iovec(iov, ELEMENTSOF(iov), h));
        ASSERT_GT(EVP_EncodeBlock((unsigned char *) b64, blob, (int) size), 0);
        ASSERT_GT(asprintf(&s, "%s+%02x%02x%02x%02x+%s", name, h[0], h[1], h[2], h[3], b64), 0);
        return s;
}

static void assert_key_refused(const char *key, int error) {
        NoteVerifier v = { .hash = 0xdeadbeef };

        if (note_verifier_parse(key, &v) != error) {
                TEST_FAIL("key not refused with %d: %s", error, key);
        }
        ASSERT_EQ(v.hash, 0xdeadbeef);
        ASSERT_NULL(v.name);
}

static void test_verifier_beta_gobuilds(void) {
        _cleanup_(note_verifier_done) NoteVerifier v = verifier(BETA_KEY);
        _cleanup_free_ char *s = NULL;

        ASSERT_STREQ(v.name, "beta.gobuilds.org");
        ASSERT_EQ(v.hash, 0x3979319f);
        ASSERT_EQ(v.key[0], 0x17);
        ASSERT_EQ(v.key[1], 0x81);   /* "AReB" = 01 17 81 … */
        ASSERT_OK_ZERO(note_verifier_format(&v, &s));
        ASSERT_STREQ(s, BETA_KEY);
}

static void test_verifier_round_trip(void) {
        static const char *const keys[] = { LOG_KEY, WITNESS_KEY };

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                _cleanup_(note_verifier_done) NoteVerifier v = verifier(keys[i]);
                _cleanup_free_ char *s = NULL;

                ASSERT_OK_ZERO(note_verifier_format(&v, &s));
                ASSERT_STREQ(s, keys[i]);
        }
}

static void test_verifier_malformed(void) {
        assert_key_refused("", -EINVAL);
        assert_key_refused("beta.gobuilds.org", -EINVAL);
        assert_key_refused("beta.gobuilds.org+3979319f", -EINVAL);
        assert_key_refused("beta.gobuilds.org+3979319f+", -EINVAL);
        assert_key_refused("+3979319f+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQQ", -EINVAL);
        /* The hash must match name and key: another digit, another name, another key. */
        assert_key_refused("beta.gobuilds.org+3979319e+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQQ", -EINVAL);
        assert_key_refused("beta.gobuilds.com+3979319f+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQQ", -EINVAL);
        assert_key_refused("beta.gobuilds.org+3979319f+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQR", -EINVAL);
        /* One spelling only: lower-case hex of eight digits, canonical base64, nothing around it. */
        assert_key_refused("beta.gobuilds.org+3979319F+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQQ", -EINVAL);
        assert_key_refused("beta.gobuilds.org+979319f+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQQ", -EINVAL);
        assert_key_refused(BETA_KEY "\n", -EINVAL);
        assert_key_refused(" " BETA_KEY, -EINVAL);
        assert_key_refused("beta.gobuilds.org+3979319f+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQQ=", -EINVAL);
}

static void test_verifier_name_and_algorithm(void) {
        uint8_t blob[33] = { 0x01, 1, 2, 3 };
        _cleanup_free_ char *ok = key_with_blob("a-name", blob, sizeof blob);
        _cleanup_free_ char *spaced = key_with_blob("a name", blob, sizeof blob);
        _cleanup_free_ char *nbsp = key_with_blob("a\xc2\xa0name", blob, sizeof blob);
        _cleanup_free_ char *bad_utf8 = key_with_blob("a\xffname", blob, sizeof blob);
        _cleanup_free_ char *short_key = key_with_blob("a-name", blob, 32);
        _cleanup_free_ char *other_alg = NULL;
        _cleanup_(note_verifier_done) NoteVerifier v = verifier(ok);

        ASSERT_STREQ(v.name, "a-name");
        ASSERT_EQ(v.key[0], 1);
        ASSERT_EQ(v.key[2], 3);
        assert_key_refused(spaced, -EINVAL);
        assert_key_refused(nbsp, -EINVAL);
        assert_key_refused(bad_utf8, -EINVAL);
        assert_key_refused(short_key, -EINVAL);

        blob[0] = 0x02;
        other_alg = key_with_blob("a-name", blob, sizeof blob);
        assert_key_refused(other_alg, -EOPNOTSUPP);
}

static void test_open_tree_head(void) {
        _cleanup_free_ char *text = NULL;

        ASSERT_OK_ZERO(open_str(tree_note, LOG_KEY, &text));
        ASSERT_STREQ(text, TREE_TEXT);
        ASSERT_OK_ZERO(open_str(tree_note, LOG_KEY, NULL));
}

static void test_open_two_signers(void) {
        _cleanup_free_ char *a = NULL, *b = NULL;

        /* Either key's signature is enough; the other line is another key's and is left alone. */
        ASSERT_OK_ZERO(open_str(two_note, LOG_KEY, &a));
        ASSERT_STREQ(a, TWO_TEXT);
        ASSERT_OK_ZERO(open_str(two_note, WITNESS_KEY, &b));
        ASSERT_STREQ(b, TWO_TEXT);
}

static void test_open_other_key(void) {
        char *text = (char *) "untouched";

        ASSERT_ERROR(open_str(tree_note, WITNESS_KEY, &text), ENOKEY);
        ASSERT_ERROR(open_str(tree_note, BETA_KEY, &text), ENOKEY);
        ASSERT_STREQ(text, "untouched");
}

static void test_open_tampered(void) {
        _cleanup_free_ char *edited = strdup(tree_note), *sig = strdup(tree_note);
        _cleanup_free_ char *short_sig = NULL, *unsigned_text = NULL;
        char *p;

        /* Another tree size under the same signature. */
        edited[strlen("go.sum database tree\n")] = '6';
        ASSERT_ERROR(open_str(edited, LOG_KEY, NULL), EKEYREJECTED);

        /* Another signature with the same key hash in front. */
        p = strstr(sig, "kC2necsl") + 10;
        *p = *p == 'A' ? 'B' : 'A';
        ASSERT_ERROR(open_str(sig, LOG_KEY, NULL), EKEYREJECTED);

        /* Our name and hash, but a signature of the wrong length. */
        ASSERT_GT(asprintf(&short_sig, TREE_TEXT "\n— example.org/log kC2neQECAwQ=\n"), 0);
        ASSERT_ERROR(open_str(short_sig, LOG_KEY, NULL), EKEYREJECTED);

        /* A text that was not signed at all, with our signature line. */
        ASSERT_GT(asprintf(&unsigned_text, "other text\n\n" LOG_SIG), 0);
        ASSERT_ERROR(open_str(unsigned_text, LOG_KEY, NULL), EKEYREJECTED);
}

static void assert_malformed_n(const char *note, size_t size) {
        _cleanup_(note_verifier_done) NoteVerifier v = verifier(LOG_KEY);

        if (note_open(note, size, &v, NULL) != -EBADMSG) {
                TEST_FAIL("note not refused as malformed: \"%.*s\"", (int) size, note);
        }
}

static void assert_malformed(const char *note) {
        assert_malformed_n(note, strlen(note));
}

static void test_open_malformed(void) {
        _cleanup_free_ char *many = NULL;

        assert_malformed("");
        assert_malformed(TREE_TEXT);                                    /* no signatures */
        assert_malformed(TREE_TEXT "\n");                               /* an empty signature block */
        assert_malformed(TREE_TEXT LOG_SIG);                            /* no blank line before them */
        assert_malformed_n(tree_note, strlen(tree_note) - 1);           /* no final newline */
        assert_malformed(TREE_TEXT "\n- example.org/log kC2necslYnPCuFjv28vdtFKJrlkcEE39iotM/W3ZXkFjjQDPKj/3oCHZCLE0+uKITvZbMHcp/WHJUuYJvsEyVXCKMA4=\n");
        assert_malformed(TREE_TEXT "\n—example.org/log kC2necslYnPCuFjv28vdtFKJrlkcEE39iotM/W3ZXkFjjQDPKj/3oCHZCLE0+uKITvZbMHcp/WHJUuYJvsEyVXCKMA4=\n");
        assert_malformed(TREE_TEXT "\n— example.org/log\n");
        assert_malformed(TREE_TEXT "\n— example.org/log \n");
        assert_malformed(TREE_TEXT "\n— example.org/log kC2ne===\n");  /* broken padding */
        assert_malformed(TREE_TEXT "\n— example.org/log kC2necslYnPCuFjv28vdtFKJrlkcEE39iotM/W3ZXkFjjQDPKj/3oCHZCLE0+uKITvZbMHcp/WHJUuYJvsEyVXCKMA4\n");
        assert_malformed(TREE_TEXT "\n— a+b kC2necslYnPCuFjv28vdtFKJrlkcEE39iotM/W3ZXkFjjQDPKj/3oCHZCLE0+uKITvZbMHcp/WHJUuYJvsEyVXCKMA4=\n");
        assert_malformed(TREE_TEXT "\n" LOG_SIG "\n");                  /* an empty line among them */
        /* Control characters and broken UTF-8 anywhere. */
        assert_malformed("go.sum database tree\r\n5\n\n" LOG_SIG);
        assert_malformed("tab\there\n\n" LOG_SIG);
        assert_malformed("bad \xff byte\n\n" LOG_SIG);
        assert_malformed("overlong \xc0\xaf slash\n\n" LOG_SIG);
        assert_malformed("surrogate \xed\xa0\x80\n\n" LOG_SIG);
        assert_malformed_n("nul\0byte\n\n" LOG_SIG, sizeof("nul\0byte\n\n" LOG_SIG) - 1);

        /* More than NOTE_SIGNATURES_MAX lines, even of other keys. */
        many = strdup(tree_note);
        ASSERT_NOT_NULL(many);
        for (size_t i = 0; i < NOTE_SIGNATURES_MAX; i++) {
                char *s;

                ASSERT_GT(asprintf(&s, "%s— other%zu AAAAAAA=\n", many, i), 0);
                free(many);
                many = s;
        }
        assert_malformed(many);
}

static void test_open_size_bound(void) {
        _cleanup_(note_verifier_done) NoteVerifier v = verifier(LOG_KEY);
        _cleanup_free_ char *big = malloc(NOTE_SIZE_MAX + 1);

        ASSERT_NOT_NULL(big);
        memset(big, 'a', NOTE_SIZE_MAX + 1);
        ASSERT_ERROR(note_open(big, NOTE_SIZE_MAX + 1, &v, NULL), EFBIG);
}

int main(void) {
        test_verifier_beta_gobuilds();
        test_verifier_round_trip();
        test_verifier_malformed();
        test_verifier_name_and_algorithm();
        test_open_tree_head();
        test_open_two_signers();
        test_open_other_key();
        test_open_tampered();
        test_open_malformed();
        test_open_size_bound();
        return 0;
}
