/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signed notes (Go's golang.org/x/mod/sumdb/note format), parsed strictly and verified with Ed25519.
 * Written from the format's description; where Go is lenient (upper-case hex in key hashes,
 * non-canonical base64) this parser is not, since a key or a signature has one spelling. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "hexdecoct.h"
#include "macro.h"
#include "note.h"
#include "sha256.h"
#include "utf8.h"

#define ALG_ED25519 0x01
#define KEY_HASH_SIZE 4
#define SIG_PREFIX "\xe2\x80\x94 "   /* U+2014 EM DASH, then a space */

/* Unicode's white space, as Go's unicode.IsSpace() knows it. */
static bool is_space(uint32_t cp) {
        return IN_SET(cp, (uint32_t) '\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f,
                      0x205f, 0x3000) ||
                (cp >= 0x2000 && cp <= 0x200a);
}

/* A key or signer name: non-empty UTF-8 without white space, control characters or '+'. */
static bool name_is_valid(const char *s, size_t len) {
        if (len == 0 || len > NOTE_NAME_MAX)
                return false;

        for (size_t i = 0; i < len;) {
                uint32_t cp;
                int k = utf8_decode(s + i, len - i, &cp);

                if (k < 0 || is_space(cp) || cp < 0x20 || cp == 0x7f || cp == '+')
                        return false;
                i += k;
        }
        return true;
}

static int key_hash(const char *name, size_t name_len, const uint8_t *key, size_t key_size, uint32_t *ret) {
        uint8_t h[SHA256_SIZE];
        struct iovec iov[] = {
                { (void *) name, name_len },
                { (void *) "\n", 1 },
                { (void *) key, key_size },
        };
        int r;

        r = sha256_iovec(iov, ELEMENTSOF(iov), h);
        if (r < 0)
                return r;

        *ret = (uint32_t) h[0] << 24 | (uint32_t) h[1] << 16 | (uint32_t) h[2] << 8 | h[3];
        return 0;
}

/* Eight lower-case hex digits, as Go writes the key hash. */
static int parse_hex32(const char *s, size_t len, uint32_t *ret) {
        uint8_t b[4];

        for (size_t i = 0; i < len; i++)
                if (!strchr("0123456789abcdef", s[i]) || s[i] == 0)
                        return -EINVAL;

        if (hex_decode(s, len, b, sizeof b) < 0)
                return -EINVAL;

        *ret = (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | b[3];
        return 0;
}

int note_verifier_parse(const char *text, NoteVerifier *ret) {
        _cleanup_free_ uint8_t *key = NULL;
        _cleanup_free_ char *name = NULL;
        const char *plus1, *plus2, *b64;
        uint32_t hash, computed;
        size_t key_size;
        int r;

        if (!text || !ret)
                return -EINVAL;

        /* name+hash+key: the name has no '+', the hash neither; base64 may. */
        plus1 = strchr(text, '+');
        if (!plus1)
                return -EINVAL;
        plus2 = strchr(plus1 + 1, '+');
        if (!plus2)
                return -EINVAL;
        b64 = plus2 + 1;

        if (!name_is_valid(text, plus1 - text))
                return -EINVAL;
        if (parse_hex32(plus1 + 1, plus2 - plus1 - 1, &hash) < 0)
                return -EINVAL;
        if (base64_decode(b64, strlen(b64), &key, &key_size) < 0 || key_size == 0)
                return -EINVAL;

        r = key_hash(text, plus1 - text, key, key_size, &computed);
        if (r < 0)
                return r;
        if (computed != hash)
                return -EINVAL;

        if (key[0] != ALG_ED25519)
                return -EOPNOTSUPP;
        if (key_size != 1 + ED25519_PUBLIC_KEY_SIZE)
                return -EINVAL;

        name = strndup(text, plus1 - text);
        if (!name)
                return -ENOMEM;

        *ret = (NoteVerifier) { .name = TAKE_PTR(name), .hash = hash };
        memcpy(ret->key, key + 1, ED25519_PUBLIC_KEY_SIZE);
        return 0;
}

void note_verifier_done(NoteVerifier *v) {
        if (!v)
                return;

        free(v->name);
        *v = (NoteVerifier) {};
}

int note_verifier_format(const NoteVerifier *v, char **ret) {
        uint8_t blob[1 + ED25519_PUBLIC_KEY_SIZE];
        _cleanup_free_ char *b64 = NULL;
        char *s;

        if (!v || !v->name || !ret)
                return -EINVAL;

        blob[0] = ALG_ED25519;
        memcpy(blob + 1, v->key, ED25519_PUBLIC_KEY_SIZE);
        b64 = base64_encode(blob, sizeof blob);
        if (!b64)
                return -ENOMEM;

        if (asprintf(&s, "%s+%08x+%s", v->name, v->hash, b64) < 0)
                return -ENOMEM;

        *ret = s;
        return 0;
}

/* Go's rule for the whole note: UTF-8, and no control character but the newline. */
static bool note_text_is_valid(const char *s, size_t len) {
        for (size_t i = 0; i < len;) {
                uint32_t cp;
                int k = utf8_decode(s + i, len - i, &cp);

                if (k < 0 || (cp < 0x20 && cp != '\n'))
                        return false;
                i += k;
        }
        return true;
}

/* Checks one signature line (without its "\n"). Returns 1 when it is v's and verifies, 0 when it is
 * another key's, negative errno otherwise. */
static int check_signature_line(const char *line, size_t len, const char *text, size_t text_size,
                                 const NoteVerifier *v) {
        _cleanup_free_ uint8_t *sig = NULL;
        const char *name, *space, *b64;
        size_t sig_size, name_len;
        uint32_t hash;
        int r;

        if (len < strlen(SIG_PREFIX) || memcmp(line, SIG_PREFIX, strlen(SIG_PREFIX)) != 0)
                return -EBADMSG;
        name = line + strlen(SIG_PREFIX);
        len -= strlen(SIG_PREFIX);

        space = memchr(name, ' ', len);
        if (!space)
                return -EBADMSG;
        name_len = space - name;
        b64 = space + 1;

        if (!name_is_valid(name, name_len))
                return -EBADMSG;
        if (base64_decode(b64, len - name_len - 1, &sig, &sig_size) < 0 || sig_size < KEY_HASH_SIZE + 1)
                return -EBADMSG;

        hash = (uint32_t) sig[0] << 24 | (uint32_t) sig[1] << 16 | (uint32_t) sig[2] << 8 | sig[3];
        if (hash != v->hash || name_len != strlen(v->name) || memcmp(name, v->name, name_len) != 0)
                return 0;

        /* Claims to be our key: from here on, anything wrong is a bad signature, not another key. */
        if (sig_size != KEY_HASH_SIZE + ED25519_SIGNATURE_SIZE)
                return -EKEYREJECTED;
        r = ed25519_verify(v->key, sig + KEY_HASH_SIZE, text, text_size);
        if (r == -EBADMSG)
                return -EKEYREJECTED;
        if (r < 0)
                return r;
        return 1;
}

int note_open(const char *note, size_t size, const NoteVerifier *v, char **ret_text) {
        const char *sigs, *end, *split = NULL;
        size_t text_size, n_sigs = 0;
        bool verified = false;
        int r;

        if (!note || !v || !v->name)
                return -EINVAL;
        if (size > NOTE_SIZE_MAX)
                return -EFBIG;
        if (!note_text_is_valid(note, size))
                return -EBADMSG;

        /* The signatures follow the last blank line. */
        for (const char *p = note; p + 1 < note + size; p++)
                if (p[0] == '\n' && p[1] == '\n')
                        split = p;
        if (!split)
                return -EBADMSG;

        text_size = split + 1 - note;
        sigs = split + 2;
        end = note + size;
        if (sigs >= end || end[-1] != '\n')
                return -EBADMSG;

        while (sigs < end) {
                const char *nl = memchr(sigs, '\n', end - sigs);

                if (++n_sigs > NOTE_SIGNATURES_MAX)
                        return -EBADMSG;

                r = check_signature_line(sigs, nl - sigs, note, text_size, v);
                if (r < 0)
                        return r;
                if (r > 0)
                        verified = true;

                sigs = nl + 1;
        }

        if (!verified)
                return -ENOKEY;

        if (ret_text) {
                char *t = strndup(note, text_size);
                if (!t)
                        return -ENOMEM;
                *ret_text = t;
        }
        return 0;
}
