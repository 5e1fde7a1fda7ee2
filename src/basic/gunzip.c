/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gzip decompression with zlib (RFC 1952 framing, checked CRC and length). */
#include <zlib.h>

#include "cancel.h"
#include "fileio.h"
#include "gunzip.h"
#include "macro.h"
#include "sha256.h"

#define CHUNK (64U * 1024U)
#define GZIP_WINDOW_BITS (15 + 16)   /* the largest window, and a gzip header and trailer */

static void inflate_endp(z_stream **z) {
        if (*z)
                (void) inflateEnd(*z);
}

int gunzip_fd(int in_fd, int out_fd, uint64_t max_size, uint64_t *ret_size, uint8_t ret_sha256[static SHA256_SIZE],
              const CancelFlag *cancel) {
        _cleanup_(sha256_freep) Sha256 *md = NULL;
        _cleanup_free_ uint8_t *in = NULL, *out = NULL;
        _cleanup_(inflate_endp) z_stream *zp = NULL;
        z_stream z = {};
        uint64_t total = 0;
        bool ended = false;
        int r;

        in = malloc(CHUNK);
        out = malloc(CHUNK);
        if (!in || !out)
                return -ENOMEM;
        r = sha256_new(&md);
        if (r < 0)
                return r;

        r = inflateInit2(&z, GZIP_WINDOW_BITS);
        if (r == Z_MEM_ERROR)
                return -ENOMEM;
        if (r != Z_OK)
                return -EIO;
        zp = &z;

        for (;;) {
                ssize_t n;

                if (cancel_requested(cancel))
                        return -ECANCELED;

                n = read_retry(in_fd, in, CHUNK, NULL);

                if (n < 0)
                        return (int) n;
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
                        r = sha256_update(md, out, produced);
                        if (r < 0)
                                return r;
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

        r = sha256_final(md, ret_sha256);
        if (r < 0)
                return r;
        if (ret_size)
                *ret_size = total;
        return 0;
}
