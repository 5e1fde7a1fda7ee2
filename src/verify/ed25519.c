/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ed25519 verification through OpenSSL's EVP interface. */
#include <openssl/err.h>
#include <openssl/evp.h>

#include "ed25519.h"
#include "macro.h"

static void evp_pkey_freep(EVP_PKEY **p) {
        EVP_PKEY_free(*p);
}

static void evp_md_ctx_freep(EVP_MD_CTX **p) {
        EVP_MD_CTX_free(*p);
}

static int verify_internal(const uint8_t key[static ED25519_PUBLIC_KEY_SIZE],
                           const uint8_t sig[static ED25519_SIGNATURE_SIZE],
                           const void *msg, size_t size) {
        _cleanup_(evp_pkey_freep) EVP_PKEY *pkey = NULL;
        _cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = NULL;
        static const uint8_t empty[1];
        int k;

        pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key, ED25519_PUBLIC_KEY_SIZE);
        if (!pkey)
                return -ENOMEM;

        ctx = EVP_MD_CTX_new();
        if (!ctx)
                return -ENOMEM;

        /* Ed25519 hashes internally, so no digest is named: the one-shot call is the only one it has. */
        if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) != 1)
                return -EIO;

        k = EVP_DigestVerify(ctx, sig, ED25519_SIGNATURE_SIZE, size > 0 ? msg : empty, size);
        if (k == 1)
                return 0;
        if (k == 0)
                return -EBADMSG;
        return -EIO;
}

int ed25519_verify(const uint8_t key[static ED25519_PUBLIC_KEY_SIZE],
                   const uint8_t sig[static ED25519_SIGNATURE_SIZE],
                   const void *msg, size_t size) {
        int r;

        if (!msg && size > 0)
                return -EINVAL;

        r = verify_internal(key, sig, msg, size);
        /* Leave nothing behind in OpenSSL's per-thread error queue for libcurl to trip over later. */
        if (r < 0)
                ERR_clear_error();
        return r;
}
