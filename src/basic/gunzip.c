/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gzip decompression with zlib (RFC 1952 framing, checked CRC and length). */
#include <openssl/evp.h>
#include <zlib.h>

#include "fileio.h"
#include "gunzip.h"
#include "macro.h"

#define CHUNK (64U * 1024U)
#define GZIP_WINDOW_BITS (15 + 16)   /* the largest window, and a gzip header and trailer */

static void inflate_endp(z_stream **z) {
        if (*z)
                (void) inflateEnd(*z);
}

static void evp_md_ctx_freep(EVP_MD_CTX **c) {
        EVP_MD_CTX_free(*c);
}

int gunzip_fd(int in_fd, int out_fd, uint64_t max_size, uint64_t *ret_size, uint8_t ret_sha256[static 32]) {
        _cleanup_(evp_md_ctx_freep) EVP_MD_CTX *md = NULL;
        _cleanup_free_ uint8_t *in = NULL, *out = NULL;
        _cleanup_(inflate_endp) z_stream *zp = NULL;
        z_stream z = {};
        uint64_t total = 0;
        bool ended = false;
        unsigned len;
        int r;

        in = malloc(CHUNK);
        out = malloc(CHUNK);
        md = EVP_MD_CTX_new();
        if (!in || !out || !md)
                return -ENOMEM;
        if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
                return -EIO;

        r = inflateInit2(&z, GZIP_WINDOW_BITS);
        if (r == Z_MEM_ERROR)
                return -ENOMEM;
        if (r != Z_OK)
                return -EIO;
        zp = &z;

        for (;;) {
                ssize_t n = read(in_fd, in, CHUNK);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                /* After the member's trailer there must be nothing: no second member, no junk. */
                if (ended)
                        return -EBADMSG;

                z.next_in = in;
                z.avail_in = (unsigned) n;
                do {
                        size_t produced;
                        int zr;

                        z.next_out = out;
                        z.avail_out = CHUNK;
                        zr = inflate(&z, Z_NO_FLUSH);
                        if (zr == Z_MEM_ERROR)
                                return -ENOMEM;
                        if (!IN_SET(zr, Z_OK, Z_STREAM_END, Z_BUF_ERROR))
                                return -EBADMSG;

                        produced = CHUNK - z.avail_out;
                        if (produced > max_size - total)
                                return -EFBIG;
                        total += produced;
                        if (EVP_DigestUpdate(md, out, produced) != 1)
                                return -EIO;
                        r = loop_write(out_fd, out, produced);
                        if (r < 0)
                                return r;

                        if (zr == Z_STREAM_END)
                                ended = true;
                } while (!ended && z.avail_out == 0);

                if (ended && z.avail_in > 0)
                        return -EBADMSG;
        }

        if (!ended)
                return -EBADMSG;  /* truncated */

        if (EVP_DigestFinal_ex(md, ret_sha256, &len) != 1)
                return -EIO;
        if (ret_size)
                *ret_size = total;
        return 0;
}
