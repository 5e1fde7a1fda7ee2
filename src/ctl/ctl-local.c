/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The verbs that work on this machine alone, without the bus: verify checks a file against its
 * minisign signature as upkeepd checks a channel, so a publisher or an operator can see what
 * upkeepd would say before anything is published or staged. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "ctl.h"
#include "fileio.h"
#include "minisign.h"

/* The whole file is read into memory to be verified; beyond this, minisign(1) is the better tool. */
#define VERIFY_MAX_SIZE (UINT64_C(1) << 30)

/* arg_key is the key line itself or names a minisign.pub file; the key line is tried first, since
 * base64 may contain '/'. */
static int load_public_key(MinisignPublicKey *ret) {
        _cleanup_free_ char *text = NULL;
        int r;

        if (minisign_public_key_parse(arg_key, ret) >= 0)
                return 0;

        r = read_file_at(AT_FDCWD, arg_key, MINISIGN_SIGNATURE_MAX_FILE_SIZE, &text, NULL);
        if (r == -ENOENT)
                return ctl_log_error_errno(r, "--key: '%s' is neither a minisign public key nor an existing file.",
                                           arg_key);
        if (r == -EFBIG)
                return ctl_log_error_errno(r, "--key: %s is too large to be a minisign public key file.", arg_key);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the public key %s: %m", arg_key);

        r = minisign_public_key_parse(text, ret);
        if (r < 0)
                return ctl_log_error_errno(r, "--key: %s is not a minisign public key (expected a minisign.pub "
                                           "file or an Ed25519 key line starting with \"RW\").", arg_key);
        return 0;
}

int verb_verify(int argc, char *argv[]) {
        _cleanup_(minisign_signature_done) MinisignSignature sig = {};
        _cleanup_free_ char *sig_path = NULL, *sig_text = NULL, *data = NULL;
        char signer[17], expected[17];
        const char *file = argv[1], *sig_file;
        MinisignPublicKey key;
        size_t sig_size, size;
        int r;

        if (!arg_key) {
                ctl_log_error("verify needs the key to check with: --key=KEY (a key line \"RW…\" or a "
                              "minisign.pub file).");
                return EXIT_USAGE;
        }

        r = load_public_key(&key);
        if (r < 0)
                return r;

        if (arg_signature)
                sig_file = arg_signature;
        else {
                if (asprintf(&sig_path, "%s.minisig", file) < 0)
                        return log_oom();
                sig_file = sig_path;
        }

        r = read_file_at(AT_FDCWD, sig_file, MINISIGN_SIGNATURE_MAX_FILE_SIZE, &sig_text, &sig_size);
        if (r == -EFBIG)
                return ctl_log_error_errno(r, "%s is too large to be a minisign signature.", sig_file);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read the signature %s: %m", sig_file);

        r = minisign_signature_parse(sig_text, sig_size, &sig);
        if (r < 0)
                return ctl_log_error_errno(r, "%s is not a minisign signature.", sig_file);

        r = read_file_at(AT_FDCWD, file, VERIFY_MAX_SIZE, &data, &size);
        if (r == -EFBIG)
                return ctl_log_error_errno(r, "%s is larger than 1 GiB, more than upkeepctl verifies; "
                                           "use minisign -V instead.", file);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to read %s: %m", file);

        (void) minisign_key_id_to_string(sig.key_id, signer);
        (void) minisign_key_id_to_string(key.key_id, expected);

        r = minisign_verify(&key, &sig, data, size);
        if (r == -EKEYREJECTED)
                return ctl_log_error_errno(r, "%s: signed by key %s, not %s.", file, signer, expected);
        if (r == -EBADMSG)
                return ctl_log_error_errno(r, "%s: signature does not verify with key %s: the file, its trusted "
                                           "comment or %s was changed after signing.", file, expected, sig_file);
        if (r < 0)
                return ctl_log_error_errno(r, "Failed to verify %s: %m", file);

        printf("%s: signature OK (key ID %s), trusted comment: %s\n", file, expected, sig.trusted_comment);
        return 0;
}
