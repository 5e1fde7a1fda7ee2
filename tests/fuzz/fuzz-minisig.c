/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: minisign signature and public key parsing on arbitrary bytes. What parses is also
 * verified (against a fixed real key, or checking a fixed real signature), so that OpenSSL sees
 * arbitrary signature and public key bytes through minisign_verify() as well. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "minisign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tests/unit/data/minisign/key1.pub and message.txt.minisig, made by the real minisign. */
static const char fixed_key[] = "RWR7KWi+QsBGyJmdRxHy1kslmiTg1i4LR5EvPuPQ6e4auAssmCzB85B5";
static const char fixed_sig[] =
        "untrusted comment: signature from minisign secret key\n"
        "RUR7KWi+QsBGyA67DJ+ib98tnpWs+iF5eO1UChp4hTvoiSxVjrpFCTeU1+TJWGZ/Sdzp6OK9765p5yE8WkZFvLyq3IwPK1UaYgg=\n"
        "trusted comment: upkeep test: prehashed\n"
        "FK1aNZjt8ArsgmwguoO2a9zjI0b7phfsdkC7GSx6VhwlDxkDqZ3KXgTlprrfybj0l4tIY/AAU/UMxGPwJnq1Dw==\n";
static const char fixed_data[] = "upkeep minisign test message\nversion 1.4.2\n";

static void assert_verify_result(int r) {
        assert(IN_SET(r, 0, -EKEYREJECTED, -EBADMSG, -ENOMEM, -EIO));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(minisign_signature_done) MinisignSignature sig = {};
        _cleanup_free_ char *text = NULL;
        MinisignPublicKey key;
        char buf[17];

        if (minisign_signature_parse((const char *) data, size, &sig) == 0) {
                MinisignPublicKey k;

                assert(sig.trusted_comment);
                assert(streq(sig.algorithm, "Ed") || streq(sig.algorithm, "ED"));
                /* As minisign prints it: 1 to 16 upper-case hex digits, no leading zero. */
                minisign_key_id_to_string(sig.key_id, buf);
                assert(strlen(buf) >= 1 && strlen(buf) <= 16);
                assert(strspn(buf, "0123456789ABCDEF") == strlen(buf));
                assert(buf[0] != '0' || streq(buf, "0"));

                assert(minisign_public_key_parse(fixed_key, &k) == 0);
                assert_verify_result(minisign_verify(&k, &sig, fixed_data, strlen(fixed_data)));
                /* Past the key id check, into the signature checks. */
                memcpy(k.key_id, sig.key_id, sizeof k.key_id);
                assert_verify_result(minisign_verify(&k, &sig, data, size));
        }

        /* The key parser takes a C string. */
        text = strndup((const char *) data, size);
        if (!text)
                return 0;
        if (minisign_public_key_parse(text, &key) == 0) {
                _cleanup_(minisign_signature_done) MinisignSignature s = {};

                assert(minisign_signature_parse(fixed_sig, strlen(fixed_sig), &s) == 0);
                memcpy(key.key_id, s.key_id, sizeof key.key_id);
                assert_verify_result(minisign_verify(&key, &s, fixed_data, strlen(fixed_data)));
        }

        return 0;
}
