/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-256 through OpenSSL's EVP interface. */
#include <openssl/err.h>
#include <openssl/evp.h>

#include "hexdecoct.h"
#include "macro.h"
#include "sha256.h"

static void evp_md_ctx_freep(EVP_MD_CTX **p) {
        EVP_MD_CTX_free(*p);
}

int sha256_iovec(const struct iovec *iov, size_t n, uint8_t ret[static SHA256_SIZE]) {
        _cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = NULL;
        uint8_t h[EVP_MAX_MD_SIZE];
        unsigned size = 0;

        ctx = EVP_MD_CTX_new();
        if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
                goto fail;

        for (size_t i = 0; i < n; i++)
                if (iov[i].iov_len > 0 && EVP_DigestUpdate(ctx, iov[i].iov_base, iov[i].iov_len) != 1)
                        goto fail;

        if (EVP_DigestFinal_ex(ctx, h, &size) != 1 || size != SHA256_SIZE)
                goto fail;

        memcpy(ret, h, SHA256_SIZE);
        return 0;

fail:
        ERR_clear_error();
        return -EIO;
}

char *sha256_to_hex(const uint8_t digest[static SHA256_SIZE], char buf[static SHA256_HEX_SIZE]) {
        return hex_encode(digest, SHA256_SIZE, buf);
}
