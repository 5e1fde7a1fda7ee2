/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* minisign public keys and .minisig files, parsed strictly and verified with OpenSSL's Ed25519 and
 * BLAKE2b-512. Written from the published file format; the format is small enough that a parser which
 * refuses everything unexpected is simpler than one which tries to be lenient. */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "ed25519.h"
#include "macro.h"
#include "minisign.h"

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "

#define ALGORITHM_SIZE 2
#define ALG_LEGACY "Ed"       /* Ed25519 over the data itself */
#define ALG_PREHASHED "ED"    /* Ed25519 over BLAKE2b-512 of the data */
#define BLAKE2B_512_SIZE 64

/* Decoded sizes of the three base64 lines. */
#define PUBLIC_KEY_BLOB_SIZE (ALGORITHM_SIZE + MINISIGN_KEY_ID_SIZE + MINISIGN_PUBLIC_KEY_SIZE)
#define SIGNATURE_BLOB_SIZE (ALGORITHM_SIZE + MINISIGN_KEY_ID_SIZE + MINISIGN_SIGNATURE_SIZE)

/* Splits off the next line of [*p, end): returns its start and length without the "\n" (and without a
 * "\r" before it, since files written on Windows are still the same signature). NULL at the end. */
static const char *next_line(const char **p, const char *end, size_t *ret_len) {
        const char *start = *p, *nl;
        size_t len;

        if (start >= end)
                return NULL;

        nl = memchr(start, '\n', end - start);
        len = (nl ?: end) - start;
        *p = nl ? nl + 1 : end;

        if (len > 0 && start[len - 1] == '\r')
                len--;

        *ret_len = len;
        return start;
}

static bool has_prefix(const char *line, size_t len, const char *prefix) {
        size_t n = strlen(prefix);

        return len >= n && memcmp(line, prefix, n) == 0;
}

static bool has_control_chars(const char *s, size_t len) {
        for (size_t i = 0; i < len; i++)
                if (((unsigned char) s[i] < ' ' && s[i] != '\t') || s[i] == 0x7f)
                        return true;
        return false;
}

static int parse_public_key_line(const char *line, size_t len, MinisignPublicKey *ret) {
        uint8_t blob[PUBLIC_KEY_BLOB_SIZE];

        if (base64_decode_exact(line, len, blob, sizeof blob) < 0)
                return -EINVAL;
        /* minisign keys carry the legacy algorithm name, whatever the signatures use. */
        if (memcmp(blob, ALG_LEGACY, ALGORITHM_SIZE) != 0)
                return -EINVAL;

        memcpy(ret->key_id, blob + ALGORITHM_SIZE, MINISIGN_KEY_ID_SIZE);
        memcpy(ret->key, blob + ALGORITHM_SIZE + MINISIGN_KEY_ID_SIZE, MINISIGN_PUBLIC_KEY_SIZE);
        return 0;
}

int minisign_public_key_parse(const char *text, MinisignPublicKey *ret) {
        MinisignPublicKey k = {};
        const char *p, *end, *line;
        size_t len;

        if (!text || !ret)
                return -EINVAL;

        p = text;
        end = text + strlen(text);

        line = next_line(&p, end, &len);
        if (!line)
                return -EINVAL;

        if (has_prefix(line, len, UNTRUSTED_PREFIX)) {
                line = next_line(&p, end, &len);
                if (!line)
                        return -EINVAL;
        }

        /* Only one line-ending may follow the key: a second key or other text is not ours to ignore. */
        if (p != end)
                return -EINVAL;

        if (parse_public_key_line(line, len, &k) < 0)
                return -EINVAL;

        *ret = k;
        return 0;
}

int minisign_signature_parse(const char *text, size_t size, MinisignSignature *ret) {
        uint8_t blob[SIGNATURE_BLOB_SIZE], global[MINISIGN_SIGNATURE_SIZE];
        const char *p, *end, *lines[4];
        size_t lens[4];
        char *comment;

        if (!text || !ret)
                return -EINVAL;
        if (size > MINISIGN_SIGNATURE_MAX_FILE_SIZE)
                return -EBADMSG;
        /* The trusted comment is handed on as a C string; a NUL would cut it short unseen. */
        if (memchr(text, 0, size))
                return -EBADMSG;

        p = text;
        end = text + size;
        for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
                lines[i] = next_line(&p, end, &lens[i]);
                if (!lines[i])
                        return -EBADMSG;
        }
        if (p != end)
                return -EBADMSG;

        if (!has_prefix(lines[0], lens[0], UNTRUSTED_PREFIX) ||
            !has_prefix(lines[2], lens[2], TRUSTED_PREFIX))
                return -EBADMSG;

        if (base64_decode_exact(lines[1], lens[1], blob, sizeof blob) < 0 ||
            base64_decode_exact(lines[3], lens[3], global, sizeof global) < 0)
                return -EBADMSG;

        if (memcmp(blob, ALG_LEGACY, ALGORITHM_SIZE) != 0 && memcmp(blob, ALG_PREHASHED, ALGORITHM_SIZE) != 0)
                return -EBADMSG;

        lines[2] += strlen(TRUSTED_PREFIX);
        lens[2] -= strlen(TRUSTED_PREFIX);
        /* The trusted comment ends up in logs and on the bus: no terminal escapes or stray CRs (a tab is
         * harmless and `minisign -t` lets one through). */
        if (has_control_chars(lines[2], lens[2]))
                return -EBADMSG;

        comment = strndup(lines[2], lens[2]);
        if (!comment)
                return -ENOMEM;

        *ret = (MinisignSignature) { .trusted_comment = comment };
        memcpy(ret->algorithm, blob, ALGORITHM_SIZE);
        ret->algorithm[ALGORITHM_SIZE] = 0;
        memcpy(ret->key_id, blob + ALGORITHM_SIZE, MINISIGN_KEY_ID_SIZE);
        memcpy(ret->signature, blob + ALGORITHM_SIZE + MINISIGN_KEY_ID_SIZE, MINISIGN_SIGNATURE_SIZE);
        memcpy(ret->global_signature, global, MINISIGN_SIGNATURE_SIZE);
        return 0;
}

void minisign_signature_done(MinisignSignature *s) {
        if (!s)
                return;

        free(s->trusted_comment);
        *s = (MinisignSignature) {};
}

static void evp_md_freep(EVP_MD **p) {
        EVP_MD_free(*p);
}

static int blake2b_512(const void *data, size_t size, uint8_t out[static BLAKE2B_512_SIZE]) {
        _cleanup_(evp_md_freep) EVP_MD *md = NULL;
        static const uint8_t empty[1];
        unsigned n = 0;

        md = EVP_MD_fetch(NULL, "BLAKE2B-512", NULL);
        if (!md)
                return -EIO;

        if (EVP_Digest(size > 0 ? data : empty, size, out, &n, md, NULL) != 1)
                return -EIO;
        if (n != BLAKE2B_512_SIZE)
                return -EIO;

        return 0;
}

static int verify_internal(const MinisignPublicKey *key, const MinisignSignature *sig, const void *data, size_t size) {
        _cleanup_free_ uint8_t *global_msg = NULL;
        uint8_t hash[BLAKE2B_512_SIZE];
        size_t n_comment;
        int r;

        if (memcmp(key->key_id, sig->key_id, MINISIGN_KEY_ID_SIZE) != 0)
                return -EKEYREJECTED;

        if (streq(sig->algorithm, ALG_PREHASHED)) {
                r = blake2b_512(data, size, hash);
                if (r < 0)
                        return r;
                r = ed25519_verify(key->key, sig->signature, hash, sizeof hash);
        } else if (streq(sig->algorithm, ALG_LEGACY))
                r = ed25519_verify(key->key, sig->signature, data, size);
        else
                return -EBADMSG;
        if (r < 0)
                return r;

        /* The global signature binds the trusted comment to this very signature, so a comment cannot be
         * moved to another signature or edited. */
        n_comment = strlen(sig->trusted_comment);
        global_msg = malloc(MINISIGN_SIGNATURE_SIZE + n_comment);
        if (!global_msg)
                return -ENOMEM;
        memcpy(global_msg, sig->signature, MINISIGN_SIGNATURE_SIZE);
        memcpy(global_msg + MINISIGN_SIGNATURE_SIZE, sig->trusted_comment, n_comment);

        return ed25519_verify(key->key, sig->global_signature, global_msg, MINISIGN_SIGNATURE_SIZE + n_comment);
}

int minisign_verify(const MinisignPublicKey *key, const MinisignSignature *sig, const void *data, size_t size) {
        int r;

        if (!key || !sig || !sig->trusted_comment || (!data && size > 0))
                return -EINVAL;

        r = verify_internal(key, sig, data, size);
        /* Leave nothing behind in OpenSSL's per-thread error queue for libcurl to trip over later. */
        if (r < 0)
                ERR_clear_error();
        return r;
}

char *minisign_key_id_to_string(const uint8_t key_id[MINISIGN_KEY_ID_SIZE], char buf[static 17]) {
        uint64_t id = 0;

        /* minisign reads the key id as a little-endian 64-bit number and prints that number, without
         * leading zeros ("%" PRIX64): printed the same way, an operator can compare it with the
         * comment of minisign.pub. */
        for (size_t i = 0; i < MINISIGN_KEY_ID_SIZE; i++)
                id |= (uint64_t) key_id[i] << (8 * i);
        (void) snprintf(buf, 17, "%" PRIX64, id);

        return buf;
}
