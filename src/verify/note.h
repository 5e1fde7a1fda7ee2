/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signed notes, the format of Go's checksum database (golang.org/x/mod/sumdb/note) that gobuild's
 * transparency log signs its tree heads with.
 *
 * Verifier key:  <name>+<hash>+<base64(0x01 ‖ 32-byte Ed25519 public key)>
 *                e.g. beta.gobuilds.org+3979319f+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQQ
 *                hash: 8 lower-case hex digits, the first 4 bytes (big-endian) of
 *                SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key); name: non-empty UTF-8, no space, no '+'.
 * Note:          <text, ending in "\n"> "\n" <signature lines>
 *                signature line: "— " (U+2014, then a space) <name> " " <base64(4-byte key hash ‖
 *                64-byte Ed25519 signature of the text)> "\n"
 *                The text is UTF-8 with no control character other than "\n"; the signature block
 *                starts after the last blank line. Lines of other keys are allowed and ignored. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ed25519.h"

/* Bounds, so a hostile server cannot make us parse megabytes: a tree head note is ~200 bytes. */
#define NOTE_SIZE_MAX (16U * 1024U)
#define NOTE_NAME_MAX 256U
#define NOTE_SIGNATURES_MAX 100U

typedef struct NoteVerifier {
        char *name;
        uint32_t hash;
        uint8_t key[ED25519_PUBLIC_KEY_SIZE];
} NoteVerifier;

/* Parses a verifier key. -EINVAL when malformed or when the hash does not match name and key;
 * -EOPNOTSUPP for a well-formed key of an algorithm other than Ed25519 (0x01). */
int note_verifier_parse(const char *text, NoteVerifier *ret);
void note_verifier_done(NoteVerifier *v);

/* The verifier key text of v, as note_verifier_parse() accepts it. */
int note_verifier_format(const NoteVerifier *v, char **ret);

/* Checks that the note carries a valid signature by v and returns its text (with the final "\n";
 * it has no NUL byte). ret_text may be NULL. -EFBIG beyond NOTE_SIZE_MAX; -EBADMSG when malformed;
 * -ENOKEY when no line is signed by v's name and hash; -EKEYREJECTED when one is and its signature
 * does not verify. */
int note_open(const char *note, size_t size, const NoteVerifier *v, char **ret_text);
