/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "macro.h"
#include "sha256.h"
#include "tests.h"

#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_ABC   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void test_buffer(void) {
        uint8_t h[SHA256_SIZE];
        char hex[SHA256_HEX_SIZE];

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(sha256_buffer(NULL, 0, h));
        ASSERT_STREQ(sha256_to_hex(h, hex), SHA256_EMPTY);
        ASSERT_OK_ZERO(sha256_buffer("abc", 3, h));
        ASSERT_STREQ(sha256_to_hex(h, hex), SHA256_ABC);
}

static void test_stream(void) {
        _cleanup_(sha256_freep) Sha256 *s = NULL;
        uint8_t h[SHA256_SIZE];
        char hex[SHA256_HEX_SIZE];

        printf("%s\n", __func__);

        /* In pieces, empty ones included, the same as at once. */
        ASSERT_OK_ZERO(sha256_new(&s));
        ASSERT_OK_ZERO(sha256_update(s, "a", 1));
        ASSERT_OK_ZERO(sha256_update(s, NULL, 0));
        ASSERT_OK_ZERO(sha256_update(s, "bc", 2));
        ASSERT_OK_ZERO(sha256_final(s, h));
        ASSERT_STREQ(sha256_to_hex(h, hex), SHA256_ABC);

        ASSERT_NULL(sha256_free(NULL));
}

static void test_iovec(void) {
        const struct iovec iov[] = {
                { (void *) "ab", 2 },
                { NULL, 0 },
                { (void *) "c", 1 },
        };
        uint8_t h[SHA256_SIZE];
        char hex[SHA256_HEX_SIZE];

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(sha256_iovec(iov, ELEMENTSOF(iov), h));
        ASSERT_STREQ(sha256_to_hex(h, hex), SHA256_ABC);
        ASSERT_OK_ZERO(sha256_iovec(NULL, 0, h));
        ASSERT_STREQ(sha256_to_hex(h, hex), SHA256_EMPTY);
}

int main(void) {
        test_buffer();
        test_stream();
        test_iovec();
        return 0;
}
