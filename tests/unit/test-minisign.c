/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* minisign parsing and verification against fixtures made by the real minisign tool (see
 * data/minisign/README), so the tests check compatibility and not just agreement with ourselves. */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "macro.h"
#include "minisign.h"
#include "tests.h"

static const char *data_dir;

static char *load(const char *name, size_t *ret_size) {
        _cleanup_free_ char *path = NULL;
        char *buf = NULL;
        size_t size = 0;

        ASSERT_OK_ERRNO(asprintf(&path, "%s/minisign/%s", data_dir, name));
        if (read_file_at(AT_FDCWD, path, 1024 * 1024, &buf, &size) < 0) {
                fprintf(stderr, "Failed to read %s\n", path);
                abort();
        }
        if (ret_size)
                *ret_size = size;
        return buf;
}

static MinisignPublicKey load_key(const char *name) {
        _cleanup_free_ char *text = load(name, NULL);
        MinisignPublicKey k;

        ASSERT_OK_ZERO(minisign_public_key_parse(text, &k));
        return k;
}

static void load_sig(const char *name, MinisignSignature *ret) {
        size_t size;
        _cleanup_free_ char *text = load(name, &size);

        ASSERT_OK_ZERO(minisign_signature_parse(text, size, ret));
}

static int verify_files(const char *key_name, const char *sig_name, const char *data_name) {
        _cleanup_(minisign_signature_done) MinisignSignature sig = {};
        MinisignPublicKey key = load_key(key_name);
        _cleanup_free_ char *data = NULL;
        size_t size;

        load_sig(sig_name, &sig);
        data = load(data_name, &size);
        return minisign_verify(&key, &sig, data, size);
}

/* base64 of arbitrary bytes, for building malformed-but-well-encoded inputs. */
static char *b64(const void *data, size_t size) {
        char *out = malloc(4 * ((size + 2) / 3) + 1);

        ASSERT_NOT_NULL(out);
        ASSERT_OK(EVP_EncodeBlock((unsigned char *) out, data, (int) size));
        return out;
}

static void assert_key_invalid(const char *text) {
        MinisignPublicKey k = { .key_id = { 0xAA } };

        if (minisign_public_key_parse(text, &k) != -EINVAL) {
                TEST_FAIL("key accepted: \"%s\"", strempty(text));
        }
        ASSERT_EQ(k.key_id[0], 0xAA);
}

static void assert_sig_invalid_n(const char *text, size_t size) {
        MinisignSignature s = { .trusted_comment = (char *) "untouched" };

        if (minisign_signature_parse(text, size, &s) != -EBADMSG) {
                TEST_FAIL("signature accepted: \"%.*s\"", (int) size, text);
        }
        ASSERT_STREQ(s.trusted_comment, "untouched");
}

static void assert_sig_invalid(const char *text) {
        assert_sig_invalid_n(text, strlen(text));
}

/* The key line of key1.pub, without its comment. */
static char *key1_line(void) {
        _cleanup_free_ char *text = load("key1.pub", NULL);
        char *nl = strchr(text, '\n'), *line;

        ASSERT_NOT_NULL(nl);
        line = strndup(nl + 1, strcspn(nl + 1, "\r\n"));
        ASSERT_NOT_NULL(line);
        return line;
}

static void test_public_key_file_and_line(void) {
        _cleanup_free_ char *file = load("key1.pub", NULL), *line = key1_line(), *crlf = NULL, *lf = NULL;
        MinisignPublicKey a, b, c, d;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(minisign_public_key_parse(file, &a));
        ASSERT_OK_ZERO(minisign_public_key_parse(line, &b));
        ASSERT_OK_ERRNO(asprintf(&lf, "%s\n", line));
        ASSERT_OK_ZERO(minisign_public_key_parse(lf, &c));
        ASSERT_OK_ERRNO(asprintf(&crlf, "untrusted comment: minisign public key\r\n%s\r\n", line));
        ASSERT_OK_ZERO(minisign_public_key_parse(crlf, &d));

        ASSERT_MEMEQ(&a, &b, sizeof a);
        ASSERT_MEMEQ(&a, &c, sizeof a);
        ASSERT_MEMEQ(&a, &d, sizeof a);
}

static void test_key_id_to_string(void) {
        _cleanup_free_ char *file = load("key1.pub", NULL);
        MinisignPublicKey k = load_key("key1.pub");
        const char *printed;
        char buf[17];

        printf("%s\n", __func__);

        /* minisign names the key id in the comment it writes: we must print the same. */
        printed = strstr(file, "public key ");
        ASSERT_NOT_NULL(printed);
        printed += strlen("public key ");
        ASSERT_EQ(strncmp(minisign_key_id_to_string(k.key_id, buf), printed, 16), 0);
        ASSERT_EQ(strlen(buf), 16);

        ASSERT_STREQ(minisign_key_id_to_string((const uint8_t[8]) { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef }, buf), "EFCDAB8967452301");
}

static void test_signature_parse_fields(void) {
        _cleanup_(minisign_signature_done) MinisignSignature s = {}, l = {};
        MinisignPublicKey k = load_key("key1.pub");

        printf("%s\n", __func__);

        load_sig("message.txt.minisig", &s);
        ASSERT_STREQ(s.algorithm, "ED");
        ASSERT_STREQ(s.trusted_comment, "upkeep test: prehashed");
        ASSERT_MEMEQ(s.key_id, k.key_id, sizeof k.key_id);

        load_sig("message.txt.legacy.minisig", &l);
        ASSERT_STREQ(l.algorithm, "Ed");
        ASSERT_STREQ(l.trusted_comment, "upkeep test: legacy");

        minisign_signature_done(&s);
        ASSERT_NULL(s.trusted_comment);
        minisign_signature_done(NULL);
}

static void test_verify_prehashed(void) {
        printf("%s\n", __func__);
        ASSERT_OK_ZERO(verify_files("key1.pub", "message.txt.minisig", "message.txt"));
        ASSERT_OK_ZERO(verify_files("key1.pub", "empty.txt.minisig", "empty.txt"));
}

static void test_verify_legacy(void) {
        printf("%s\n", __func__);
        ASSERT_OK_ZERO(verify_files("key1.pub", "message.txt.legacy.minisig", "message.txt"));
}

static void test_verify_empty_null_data(void) {
        _cleanup_(minisign_signature_done) MinisignSignature s = {};
        MinisignPublicKey k = load_key("key1.pub");

        printf("%s\n", __func__);

        load_sig("empty.txt.minisig", &s);
        ASSERT_OK_ZERO(minisign_verify(&k, &s, NULL, 0));
        ASSERT_ERROR(minisign_verify(&k, &s, NULL, 1), EINVAL);
}

static void test_wrong_key(void) {
        printf("%s\n", __func__);
        ASSERT_ERROR(verify_files("key2.pub", "message.txt.minisig", "message.txt"), EKEYREJECTED);
        ASSERT_ERROR(verify_files("key2.pub", "message.txt.legacy.minisig", "message.txt"), EKEYREJECTED);
        ASSERT_ERROR(verify_files("key1.pub", "message.txt.key2.minisig", "message.txt"), EKEYREJECTED);
        ASSERT_OK_ZERO(verify_files("key2.pub", "message.txt.key2.minisig", "message.txt"));
}

static void test_key_id_matches_but_key_differs(void) {
        _cleanup_(minisign_signature_done) MinisignSignature s = {};
        MinisignPublicKey k1 = load_key("key1.pub"), k2 = load_key("key2.pub");
        _cleanup_free_ char *data = NULL;
        size_t size;

        printf("%s\n", __func__);

        /* The key id is only a hint; the key bytes are what is checked. */
        memcpy(k2.key_id, k1.key_id, sizeof k1.key_id);
        load_sig("message.txt.minisig", &s);
        data = load("message.txt", &size);
        ASSERT_ERROR(minisign_verify(&k2, &s, data, size), EBADMSG);
        ASSERT_OK_ZERO(minisign_verify(&k1, &s, data, size));
}

static void test_tampered_data(void) {
        _cleanup_(minisign_signature_done) MinisignSignature s = {};
        MinisignPublicKey k = load_key("key1.pub");
        _cleanup_free_ char *data = NULL;
        size_t size;

        printf("%s\n", __func__);

        ASSERT_ERROR(verify_files("key1.pub", "message.txt.minisig", "message-tampered.txt"), EBADMSG);
        ASSERT_ERROR(verify_files("key1.pub", "message.txt.legacy.minisig", "message-tampered.txt"), EBADMSG);
        ASSERT_ERROR(verify_files("key1.pub", "message.txt.minisig", "empty.txt"), EBADMSG);
        ASSERT_ERROR(verify_files("key1.pub", "empty.txt.minisig", "message.txt"), EBADMSG);

        /* One byte shorter, one byte longer. */
        load_sig("message.txt.minisig", &s);
        data = load("message.txt", &size);
        ASSERT_ERROR(minisign_verify(&k, &s, data, size - 1), EBADMSG);
        data = realloc(data, size + 1);
        ASSERT_NOT_NULL(data);
        data[size] = '\n';
        ASSERT_ERROR(minisign_verify(&k, &s, data, size + 1), EBADMSG);
}

static void test_tampered_trusted_comment(void) {
        _cleanup_(minisign_signature_done) MinisignSignature s = {};
        MinisignPublicKey k = load_key("key1.pub");
        _cleanup_free_ char *data = NULL;
        size_t size;

        printf("%s\n", __func__);

        ASSERT_ERROR(verify_files("key1.pub", "message.txt.comment-tampered.minisig", "message.txt"), EBADMSG);

        load_sig("message.txt.minisig", &s);
        data = load("message.txt", &size);
        ASSERT_OK_ZERO(minisign_verify(&k, &s, data, size));

        free(s.trusted_comment);
        s.trusted_comment = strdup("upkeep test: prehashed ");
        ASSERT_NOT_NULL(s.trusted_comment);
        ASSERT_ERROR(minisign_verify(&k, &s, data, size), EBADMSG);

        /* The comment of the legacy signature with the global signature of the prehashed one. */
        free(s.trusted_comment);
        s.trusted_comment = strdup("upkeep test: legacy");
        ASSERT_NOT_NULL(s.trusted_comment);
        ASSERT_ERROR(minisign_verify(&k, &s, data, size), EBADMSG);
}

static void test_tampered_signature_fields(void) {
        _cleanup_(minisign_signature_done) MinisignSignature s = {}, l = {};
        MinisignPublicKey k = load_key("key1.pub");
        _cleanup_free_ char *data = NULL;
        size_t size;

        printf("%s\n", __func__);

        load_sig("message.txt.minisig", &s);
        load_sig("message.txt.legacy.minisig", &l);
        data = load("message.txt", &size);

        s.signature[10] ^= 0x01;
        ASSERT_ERROR(minisign_verify(&k, &s, data, size), EBADMSG);
        s.signature[10] ^= 0x01;

        s.global_signature[63] ^= 0x80;
        ASSERT_ERROR(minisign_verify(&k, &s, data, size), EBADMSG);
        s.global_signature[63] ^= 0x80;

        /* The algorithm decides what was signed: claiming the other one must fail. */
        memcpy(s.algorithm, "Ed", 3);
        ASSERT_ERROR(minisign_verify(&k, &s, data, size), EBADMSG);
        memcpy(l.algorithm, "ED", 3);
        ASSERT_ERROR(minisign_verify(&k, &l, data, size), EBADMSG);
        memcpy(s.algorithm, "XX", 3);
        ASSERT_ERROR(minisign_verify(&k, &s, data, size), EBADMSG);
        memcpy(s.algorithm, "ED", 3);

        ASSERT_OK_ZERO(minisign_verify(&k, &s, data, size));
}

static void test_crlf_and_no_final_newline(void) {
        _cleanup_(minisign_signature_done) MinisignSignature a = {}, b = {};
        MinisignPublicKey k = load_key("key1.pub");
        _cleanup_free_ char *text = NULL, *crlf = NULL, *data = NULL;
        size_t size, data_size, n = 0;

        printf("%s\n", __func__);

        text = load("message.txt.minisig", &size);
        data = load("message.txt", &data_size);

        ASSERT_EQ(text[size - 1], '\n');
        ASSERT_OK_ZERO(minisign_signature_parse(text, size - 1, &a));
        ASSERT_OK_ZERO(minisign_verify(&k, &a, data, data_size));

        crlf = malloc(2 * size);
        ASSERT_NOT_NULL(crlf);
        for (size_t i = 0; i < size; i++) {
                if (text[i] == '\n')
                        crlf[n++] = '\r';
                crlf[n++] = text[i];
        }
        ASSERT_OK_ZERO(minisign_signature_parse(crlf, n, &b));
        ASSERT_STREQ(b.trusted_comment, "upkeep test: prehashed");
        ASSERT_OK_ZERO(minisign_verify(&k, &b, data, data_size));
}

static void test_every_truncation_fails(void) {
        _cleanup_free_ char *text = NULL;
        size_t size;

        printf("%s\n", __func__);

        text = load("message.txt.minisig", &size);
        for (size_t n = 0; n < size; n++) {
                MinisignSignature s = {};
                int r = minisign_signature_parse(text, n, &s);

                /* Only dropping the final newline leaves a complete file. */
                if (n == size - 1)
                        ASSERT_OK_ZERO(r);
                else
                        ASSERT_ERROR(r, EBADMSG);
                minisign_signature_done(&s);
        }
}

static void test_every_byte_flip_fails(void) {
        MinisignPublicKey k = load_key("key1.pub");
        _cleanup_free_ char *text = NULL, *data = NULL;
        size_t size, data_size, first_nl, comment_start = strlen("untrusted comment: ");

        printf("%s\n", __func__);

        text = load("message.txt.minisig", &size);
        data = load("message.txt", &data_size);
        first_nl = strcspn(text, "\n");

        for (size_t i = 0; i < size; i++) {
                _cleanup_(minisign_signature_done) MinisignSignature s = {};
                int r;

                text[i] ^= 0x01;
                r = minisign_signature_parse(text, size, &s);
                if (r == 0)
                        r = minisign_verify(&k, &s, data, data_size);
                text[i] ^= 0x01;

                /* The untrusted comment is, well, untrusted: everything else counts. */
                if (i >= comment_start && i < first_nl)
                        ASSERT_OK_ZERO(r);
                else if (r == 0) {
                        TEST_FAIL("flipping byte %zu went unnoticed", i);
                }
        }
}

static void test_malformed_keys(void) {
        _cleanup_free_ char *line = key1_line(), *s = NULL, *wrong_alg = NULL;
        uint8_t blob[42] = { 'E', 'd' }, longer[43] = { 'E', 'd' };
        size_t n = strlen(line);

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(minisign_public_key_parse(line, &(MinisignPublicKey) {}));
        ASSERT_ERROR(minisign_public_key_parse(NULL, &(MinisignPublicKey) {}), EINVAL);

        assert_key_invalid("");
        assert_key_invalid("\n");
        assert_key_invalid("RW");
        assert_key_invalid("untrusted comment: minisign public key\n");
        assert_key_invalid("untrusted comment: minisign public key");
        assert_key_invalid("not base64 at all");

        /* One character short, one too many, padded, a space, a character outside the alphabet. */
        s = strndup(line, n - 1);
        assert_key_invalid(s);
        free(s);
        ASSERT_OK_ERRNO(asprintf(&s, "%sA", line));
        assert_key_invalid(s);
        free(s);
        ASSERT_OK_ERRNO(asprintf(&s, "%s=", line));
        assert_key_invalid(s);
        free(s);
        ASSERT_OK_ERRNO(asprintf(&s, " %s", line));
        assert_key_invalid(s);
        free(s);
        s = strdup(line);
        ASSERT_NOT_NULL(s);
        s[20] = '*';
        assert_key_invalid(s);
        free(s);
        s = strdup(line);
        ASSERT_NOT_NULL(s);
        s[20] = '-';             /* base64url is not minisign's alphabet */
        assert_key_invalid(s);
        free(s);

        /* Comment only after the key, two keys, blank line before the key, extra trailing line. */
        ASSERT_OK_ERRNO(asprintf(&s, "%s\nuntrusted comment: x\n", line));
        assert_key_invalid(s);
        free(s);
        ASSERT_OK_ERRNO(asprintf(&s, "untrusted comment: x\n%s\n%s\n", line, line));
        assert_key_invalid(s);
        free(s);
        ASSERT_OK_ERRNO(asprintf(&s, "untrusted comment: x\n\n%s\n", line));
        assert_key_invalid(s);
        free(s);
        ASSERT_OK_ERRNO(asprintf(&s, "%s\n\n", line));
        assert_key_invalid(s);
        free(s);
        ASSERT_OK_ERRNO(asprintf(&s, "trusted comment: x\n%s\n", line));
        assert_key_invalid(s);
        free(s);

        /* Well-formed base64 of the right length, but not an Ed25519 key ("ED" is a signature
         * algorithm, never a key's); and of the right algorithm but one byte short or long. */
        s = b64(blob, sizeof blob);
        ASSERT_OK_ZERO(minisign_public_key_parse(s, &(MinisignPublicKey) {}));
        free(s);
        s = b64(blob, sizeof blob - 1);
        assert_key_invalid(s);
        free(s);
        s = b64(longer, sizeof longer);
        assert_key_invalid(s);
        blob[1] = 'D';
        wrong_alg = b64(blob, sizeof blob);
        assert_key_invalid(wrong_alg);
}

static void test_non_canonical_base64(void) {
        _cleanup_free_ char *text = NULL;
        char *line2, *end;
        size_t size;

        printf("%s\n", __func__);

        /* The last symbol before "=" carries 2 unused bits in the signature line: setting them must
         * not give a second spelling of the same signature. */
        text = load("message.txt.minisig", &size);
        line2 = strchr(text, '\n') + 1;
        end = strchr(line2, '=');
        ASSERT_NOT_NULL(end);
        ASSERT_EQ(end[1], '\n');
        ASSERT_NOT_NULL(strchr("AEIMQUYcgkosw048", end[-1]));    /* low 2 bits are zero */
        end[-1] = (char) (end[-1] == 'A' ? 'B' : end[-1] + 1);
        assert_sig_invalid_n(text, size);
}

static void test_malformed_signatures(void) {
        _cleanup_free_ char *text = NULL, *s = NULL, *big = NULL;
        char *l[4];
        size_t size;
        uint8_t blob[74];

        printf("%s\n", __func__);

        text = load("message.txt.minisig", &size);
        ASSERT_ERROR(minisign_signature_parse(NULL, 0, &(MinisignSignature) {}), EINVAL);

        /* Split into the four lines (text is modified in place). */
        l[0] = text;
        for (size_t i = 1; i < 4; i++) {
                l[i] = strchr(l[i - 1], '\n');
                ASSERT_TRUE(l[i]);
                *l[i]++ = 0;
        }
        *strchr(l[3], '\n') = 0;

#define TRY(fmt, ...)                                           \
        do {                                                    \
                ASSERT_OK_ERRNO(asprintf(&s, fmt, __VA_ARGS__));    \
                assert_sig_invalid(s);                          \
                free(s);                                        \
                s = NULL;                                       \
        } while (false)

        /* The original, reassembled, parses. */
        ASSERT_OK_ERRNO(asprintf(&s, "%s\n%s\n%s\n%s\n", l[0], l[1], l[2], l[3]));
        {
                _cleanup_(minisign_signature_done) MinisignSignature ok = {};
                ASSERT_OK_ZERO(minisign_signature_parse(s, strlen(s), &ok));
        }
        free(s);
        s = NULL;

        assert_sig_invalid("");
        assert_sig_invalid("\n\n\n\n");

        /* A line missing, each in turn. */
        TRY("%s\n%s\n%s\n", l[1], l[2], l[3]);
        TRY("%s\n%s\n%s\n", l[0], l[2], l[3]);
        TRY("%s\n%s\n%s\n", l[0], l[1], l[3]);
        TRY("%s\n%s\n%s\n", l[0], l[1], l[2]);
        /* Extra lines. */
        TRY("%s\n%s\n%s\n%s\n\n", l[0], l[1], l[2], l[3]);
        TRY("%s\n%s\n%s\n%s\nextra\n", l[0], l[1], l[2], l[3]);
        TRY("%s\n\n%s\n%s\n%s\n", l[0], l[1], l[2], l[3]);
        /* Lines swapped, prefixes wrong. */
        TRY("%s\n%s\n%s\n%s\n", l[2], l[1], l[0], l[3]);
        TRY("%s\n%s\n%s\n%s\n", l[0], l[3], l[2], l[1]);
        TRY("comment: x\n%s\n%s\n%s\n", l[1], l[2], l[3]);
        TRY("%s\n%s\nTrusted comment: upkeep test: prehashed\n%s\n", l[0], l[1], l[3]);
        TRY("%s\n%s\ntrusted comment:upkeep test: prehashed\n%s\n", l[0], l[1], l[3]);
        /* Truncated and overlong base64, whitespace inside. */
        TRY("%s\n%.99s\n%s\n%s\n", l[0], l[1], l[2], l[3]);
        TRY("%s\n%.96s\n%s\n%s\n", l[0], l[1], l[2], l[3]);
        TRY("%s\n%sAAAA\n%s\n%s\n", l[0], l[1], l[2], l[3]);
        TRY("%s\n%s\n%s\n%.86s\n", l[0], l[1], l[2], l[3]);
        TRY("%s\n%s\n%s\n%.84s\n", l[0], l[1], l[2], l[3]);
        TRY("%s\n %s\n%s\n%s\n", l[0], l[1], l[2], l[3]);
        TRY("%s\n%s \n%s\n%s\n", l[0], l[1], l[2], l[3]);
        TRY("%s\n%s\n%s\n%s \n", l[0], l[1], l[2], l[3]);
        /* A control character in the trusted comment. */
        TRY("%s\n%s\n%s\x1b[31m\n%s\n", l[0], l[1], l[2], l[3]);
        TRY("%s\n%s\n%s\r\r\n%s\n", l[0], l[1], l[2], l[3]);

        /* Well-encoded, but of the wrong algorithm or length. */
        memset(blob, 0x5a, sizeof blob);
        memcpy(blob, "EX", 2);
        big = b64(blob, sizeof blob);
        TRY("%s\n%s\n%s\n%s\n", l[0], big, l[2], l[3]);
        free(big);
        memcpy(blob, "Ed", 2);
        big = b64(blob, sizeof blob);
        {
                _cleanup_(minisign_signature_done) MinisignSignature ok = {};

                ASSERT_OK_ERRNO(asprintf(&s, "%s\n%s\n%s\n%s\n", l[0], big, l[2], l[3]));
                ASSERT_OK_ZERO(minisign_signature_parse(s, strlen(s), &ok));
                free(s);
                s = NULL;
        }
        free(big);
        big = b64(blob, sizeof blob - 1);
        TRY("%s\n%s\n%s\n%s\n", l[0], big, l[2], l[3]);
        free(big);
        big = b64(blob, 64);             /* a bare signature without algorithm and key id */
        TRY("%s\n%s\n%s\n%s\n", l[0], big, l[2], l[3]);
        TRY("%s\n%s\n%s\n%s\n", l[0], l[1], l[2], l[1]);
        free(big);

        /* A NUL byte inside the trusted comment. */
        ASSERT_OK_ERRNO(asprintf(&s, "%s\n%s\n%s\n%s\n", l[0], l[1], l[2], l[3]));
        size = strlen(s);
        s[strlen(l[0]) + 1 + strlen(l[1]) + 1 + 20] = 0;
        assert_sig_invalid_n(s, size);
        free(s);
        s = NULL;

        /* Larger than any signature file: refused before looking. */
        big = malloc(MINISIGN_SIGNATURE_MAX_FILE_SIZE + 2);
        ASSERT_NOT_NULL(big);
        memset(big, 'a', MINISIGN_SIGNATURE_MAX_FILE_SIZE + 1);
        big[MINISIGN_SIGNATURE_MAX_FILE_SIZE + 1] = 0;
        ASSERT_OK_ERRNO(asprintf(&s, "%s\n%s\n%s%s\n%s\n", l[0], l[1], l[2], big, l[3]));
        assert_sig_invalid(s);
#undef TRY
}

static void test_key_and_sig_not_interchangeable(void) {
        _cleanup_free_ char *key = load("key1.pub", NULL), *sig = NULL;
        size_t size;

        printf("%s\n", __func__);

        sig = load("message.txt.minisig", &size);
        assert_sig_invalid(key);
        assert_key_invalid(sig);
}

/* minisign prints the id without leading zeros; so must we, or an operator comparing the two is
 * misled (a key id starting with 0 once made a test expect 16 digits). */
static void test_key_id_without_leading_zeros(void) {
        const uint8_t id[MINISIGN_KEY_ID_SIZE] = { 0x98, 0x35, 0x2a, 0xc7, 0xe2, 0xf9, 0xb1, 0x05 };
        const uint8_t small[MINISIGN_KEY_ID_SIZE] = { 0x01 };
        char buf[17];

        printf("%s\n", __func__);
        ASSERT_STREQ(minisign_key_id_to_string(id, buf), "5B1F9E2C72A3598");
        ASSERT_STREQ(minisign_key_id_to_string(small, buf), "1");
}

int main(int argc, char *argv[]) {
        test_key_id_without_leading_zeros();
        data_dir = argc > 1 ? argv[1] : getenv("UPKEEP_TEST_DATA");
        /* meson always sets it: without it, the test was run by hand and the rest cannot run. */
        if (!data_dir)
                test_skip("no test data: pass the data directory or set $UPKEEP_TEST_DATA");

        test_public_key_file_and_line();
        test_key_id_to_string();
        test_signature_parse_fields();
        test_verify_prehashed();
        test_verify_legacy();
        test_verify_empty_null_data();
        test_wrong_key();
        test_key_id_matches_but_key_differs();
        test_tampered_data();
        test_tampered_trusted_comment();
        test_tampered_signature_fields();
        test_crlf_and_no_final_newline();
        test_every_truncation_fails();
        test_every_byte_flip_fails();
        test_malformed_keys();
        test_non_canonical_base64();
        test_malformed_signatures();
        test_key_and_sig_not_interchangeable();

        return 0;
}
