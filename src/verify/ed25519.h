/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ed25519 signature verification with a raw 32-byte public key (OpenSSL), shared by minisign and
 * signed notes. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define ED25519_PUBLIC_KEY_SIZE 32
#define ED25519_SIGNATURE_SIZE 64

/* 0 when sig is key's signature of msg; -EBADMSG when it is not; -ENOMEM/-EIO when OpenSSL fails.
 * Leaves OpenSSL's error queue empty. */
int ed25519_verify(const uint8_t key[static ED25519_PUBLIC_KEY_SIZE],
                   const uint8_t sig[static ED25519_SIGNATURE_SIZE],
                   const void *msg, size_t size);
