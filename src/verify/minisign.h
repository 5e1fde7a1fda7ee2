/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* minisign public keys and signatures (the format of the standard `minisign` tool), verified with
 * OpenSSL: Ed25519 over the data ("Ed", legacy) or over its BLAKE2b-512 hash ("ED", pre-hashed), plus
 * the global signature over signature ‖ trusted comment. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define MINISIGN_KEY_ID_SIZE 8
#define MINISIGN_PUBLIC_KEY_SIZE 32
#define MINISIGN_SIGNATURE_SIZE 64
#define MINISIGN_SIGNATURE_MAX_FILE_SIZE 4096

typedef struct MinisignPublicKey {
        uint8_t key_id[MINISIGN_KEY_ID_SIZE];
        uint8_t key[MINISIGN_PUBLIC_KEY_SIZE];
} MinisignPublicKey;

typedef struct MinisignSignature {
        char algorithm[3];                      /* "Ed" or "ED" */
        uint8_t key_id[MINISIGN_KEY_ID_SIZE];
        uint8_t signature[MINISIGN_SIGNATURE_SIZE];
        char *trusted_comment;                  /* without the "trusted comment: " prefix */
        uint8_t global_signature[MINISIGN_SIGNATURE_SIZE];
} MinisignSignature;

/* Accepts the base64 key line ("RW…") alone, or a whole minisign.pub file (an "untrusted comment:"
 * line, then the key line). -EINVAL for anything else (wrong length, wrong algorithm "Ed"). */
int minisign_public_key_parse(const char *text, MinisignPublicKey *ret);

/* Parses a .minisig file: "untrusted comment: …", base64 of algorithm ‖ key id ‖ signature,
 * "trusted comment: …", base64 of the global signature. -EBADMSG when malformed. */
int minisign_signature_parse(const char *text, size_t size, MinisignSignature *ret);
void minisign_signature_done(MinisignSignature *s);

/* Verifies data against sig with key. Returns 0 when both the signature and the global signature
 * (over the trusted comment) verify; -EKEYREJECTED when the key ids differ ("signed by another
 * key"); -EBADMSG when a signature does not verify; -ENOMEM/-EIO on OpenSSL failure. */
int minisign_verify(const MinisignPublicKey *key, const MinisignSignature *sig, const void *data, size_t size);

/* The key id as minisign prints it in minisign.pub's comment: upper-case hex of the little-endian
 * 64-bit number, without leading zeros; for messages. */
char *minisign_key_id_to_string(const uint8_t key_id[MINISIGN_KEY_ID_SIZE], char buf[static 17]);
