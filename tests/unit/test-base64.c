/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict base64: RFC 4648's test vectors in both alphabets, and every way a string can be almost
 * right. */
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "macro.h"
#include "tests.h"

/* RFC 4648 §10. */
static const struct {
        const char *plain, *padded, *raw;
} vectors[] = {
        { "", "", "" },
        { "f", "Zg==", "Zg" },
        { "fo", "Zm8=", "Zm8" },
        { "foo", "Zm9v", "Zm9v" },
        { "foob", "Zm9vYg==", "Zm9vYg" },
        { "fooba", "Zm9vYmE=", "Zm9vYmE" },
        { "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void test_vectors(void) {
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                _cleanup_free_ uint8_t *out = NULL;
                _cleanup_free_ char *enc = NULL;
                size_t n = strlen(vectors[i].plain), size;
                uint8_t exact[8];

                ASSERT_OK_ZERO(base64_decode(vectors[i].padded, strlen(vectors[i].padded), &out, &size));
                ASSERT_EQ(size, n);
                ASSERT_MEMEQ(out, vectors[i].plain, n);
                ASSERT_EQ(out[n], 0);
                ASSERT_OK_ZERO(base64_decode_exact(vectors[i].padded, strlen(vectors[i].padded), exact, n));
                ASSERT_MEMEQ(exact, vectors[i].plain, n);
                ASSERT_OK_ZERO(base64url_decode_exact(vectors[i].raw, strlen(vectors[i].raw), exact, n));
                ASSERT_MEMEQ(exact, vectors[i].plain, n);
                enc = base64url_encode(vectors[i].plain, n);
                ASSERT_NOT_NULL(enc);
                ASSERT_STREQ(enc, vectors[i].raw);
        }
}

static void test_alphabets(void) {
        static const uint8_t bytes[] = { 0xfb, 0xff, 0xbf };
        _cleanup_free_ char *enc = base64url_encode(bytes, sizeof bytes);
        uint8_t out[3];

        ASSERT_STREQ(enc, "-_-_");
        ASSERT_OK_ZERO(base64url_decode_exact("-_-_", 4, out, 3));
        ASSERT_MEMEQ(out, bytes, 3);
        ASSERT_OK_ZERO(base64_decode_exact("+/+/", 4, out, 3));
        ASSERT_MEMEQ(out, bytes, 3);
        ASSERT_ERROR(base64_decode_exact("-_-_", 4, out, 3), EINVAL);
        ASSERT_ERROR(base64url_decode_exact("+/+/", 4, out, 3), EINVAL);
}

static void assert_refused(const char *s) {
        _cleanup_free_ uint8_t *out = NULL;
        size_t size = 42;

        if (base64_decode(s, strlen(s), &out, &size) != -EINVAL) {
                TEST_FAIL("accepted: \"%s\"", s);
        }
        ASSERT_NULL(out);
        ASSERT_EQ(size, 42);
}

static void test_strict(void) {
        uint8_t out[4];

        assert_refused("Zg");           /* padding required */
        assert_refused("Zg=");
        assert_refused("Zg===");
        assert_refused("Z===");
        assert_refused("Zh==");         /* unused bits set */
        assert_refused("Zm9=");
        assert_refused("Zm8=Zm8=");     /* padding inside */
        assert_refused("Zm 9v");
        assert_refused("Zm9v\n");
        assert_refused("Zm9");
        assert_refused("====");

        /* Exactly the size asked for, in the one length that encodes it. */
        ASSERT_ERROR(base64_decode_exact("Zm9v", 4, out, 2), EINVAL);
        ASSERT_ERROR(base64_decode_exact("Zm9v", 4, out, 4), EINVAL);
        ASSERT_ERROR(base64url_decode_exact("Zg=", 3, out, 1), EINVAL);
        ASSERT_ERROR(base64url_decode_exact("Zh", 2, out, 1), EINVAL);
        ASSERT_ERROR(base64url_decode_exact("Z", 1, out, 0), EINVAL);
}

int main(void) {
        test_vectors();
        test_alphabets();
        test_strict();
        return 0;
}
