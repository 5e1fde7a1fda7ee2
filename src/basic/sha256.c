/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-256 through OpenSSL's EVP interface. */
#include <openssl/err.h>
#include <openssl/evp.h>

#include "hexdecoct.h"
#include "macro.h"
#include "sha256.h"

struct Sha256 {
        EVP_MD_CTX *ctx;
};

/* OpenSSL's errors are not ours to leave behind: the next caller of ERR_get_error() would see them. */
static int sha256_error(void) {
        ERR_clear_error();
        return -EIO;
}

int sha256_new(Sha256 **ret) {
        _cleanup_(sha256_freep) Sha256 *s = NULL;

        s = calloc(1, sizeof(Sha256));
        if (!s)
                return -ENOMEM;

        s->ctx = EVP_MD_CTX_new();
        if (!s->ctx) {
                ERR_clear_error();
                return -ENOMEM;
        }
        if (EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1)
                return sha256_error();

        *ret = TAKE_PTR(s);
        return 0;
}

int sha256_update(Sha256 *s, const void *data, size_t size) {
        if (size == 0)
                return 0;
        if (EVP_DigestUpdate(s->ctx, data, size) != 1)
                return sha256_error();
        return 0;
}

int sha256_final(Sha256 *s, uint8_t ret[static SHA256_SIZE]) {
        uint8_t h[EVP_MAX_MD_SIZE];
        unsigned size = 0;

        if (EVP_DigestFinal_ex(s->ctx, h, &size) != 1 || size != SHA256_SIZE)
                return sha256_error();

        memcpy(ret, h, SHA256_SIZE);
        return 0;
}

Sha256 *sha256_free(Sha256 *s) {
        if (!s)
                return NULL;

        EVP_MD_CTX_free(s->ctx);
        return mfree(s);
}

int sha256_iovec(const struct iovec *iov, size_t n, uint8_t ret[static SHA256_SIZE]) {
        _cleanup_(sha256_freep) Sha256 *s = NULL;
        int r;

        r = sha256_new(&s);
        if (r < 0)
                return r;

        for (size_t i = 0; i < n; i++) {
                r = sha256_update(s, iov[i].iov_base, iov[i].iov_len);
                if (r < 0)
                        return r;
        }

        return sha256_final(s, ret);
}

int sha256_buffer(const void *data, size_t size, uint8_t ret[static SHA256_SIZE]) {
        return sha256_iovec(&(struct iovec) { (void *) data, size }, 1, ret);
}

char *sha256_to_hex(const uint8_t digest[static SHA256_SIZE], char buf[static SHA256_HEX_SIZE]) {
        return hex_encode(digest, SHA256_SIZE, buf);
}
