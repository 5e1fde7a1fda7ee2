/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* base64_encode(): RFC 4648's test vectors, and what it writes decodes back. */
#include <stdio.h>

#include "base64.h"
#include "macro.h"
#include "tests.h"

static void test_vectors(void) {
        static const struct {
                const char *plain, *encoded;
        } vectors[] = {
                { "",       ""         },
                { "f",      "Zg=="     },
                { "fo",     "Zm8="     },
                { "foo",    "Zm9v"     },
                { "foob",   "Zm9vYg==" },
                { "fooba",  "Zm9vYmE=" },
                { "foobar", "Zm9vYmFy" },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                _cleanup_free_ char *enc = base64_encode(vectors[i].plain, strlen(vectors[i].plain));

                ASSERT_STREQ(enc, vectors[i].encoded);
        }
}

static void test_alphabet_and_round_trip(void) {
        uint8_t bytes[256];

        printf("%s\n", __func__);

        for (size_t i = 0; i < sizeof bytes; i++)
                bytes[i] = (uint8_t) (255 - i);

        for (size_t n = 0; n <= sizeof bytes; n += 1 + n / 3) {
                _cleanup_free_ char *enc = base64_encode(bytes, n);
                _cleanup_free_ uint8_t *dec = NULL;
                size_t size = 0;

                ASSERT_NOT_NULL(enc);
                ASSERT_EQ(strlen(enc) % 4, 0);
                ASSERT_EQ(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
                          strlen(enc));
                ASSERT_OK_ZERO(base64_decode(enc, strlen(enc), &dec, &size));
                ASSERT_EQ(size, n);
                ASSERT_TRUE(n == 0 || memcmp(dec, bytes, n) == 0);
        }

        /* The two alphabets differ in their last two symbols only. */
        {
                _cleanup_free_ char *std = base64_encode("\xfb\xff", 2), *url = base64url_encode("\xfb\xff", 2);

                ASSERT_STREQ(std, "+/8=");
                ASSERT_STREQ(url, "-_8");
        }
}

int main(void) {
        test_vectors();
        test_alphabet_and_round_trip();
        return 0;
}
