/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>

#include "gunzip.h"
#include "macro.h"
#include "tests.h"

/* gzip of data, made with zlib's own compressor (the format Go's compress/gzip writes). */
static size_t gzip_of(const void *data, size_t size, uint8_t **ret) {
        z_stream z = {};
        size_t cap = size + size / 100 + 1024;
        uint8_t *buf = malloc(cap);

        ASSERT_NOT_NULL(buf);
        ASSERT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
        z.next_in = (uint8_t *) data;
        z.avail_in = (unsigned) size;
        z.next_out = buf;
        z.avail_out = (unsigned) cap;
        ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
        *ret = buf;
        size = z.total_out;
        ASSERT_EQ(deflateEnd(&z), Z_OK);
        return size;
}

static int memfd_with(const void *data, size_t size) {
        int fd = memfd_create("test-gunzip", MFD_CLOEXEC);

        ASSERT_GE(fd, 0);
        ASSERT_EQ(write(fd, data, size), (ssize_t) size);
        ASSERT_OK_ZERO_ERRNO(lseek(fd, 0, SEEK_SET));
        return fd;
}

/* A few MiB of compressible, not trivially repetitive bytes, so inflate runs many rounds. */
static uint8_t *sample(size_t size) {
        uint8_t *p = malloc(size);
        uint32_t x = 1;

        ASSERT_NOT_NULL(p);
        for (size_t i = 0; i < size; i++) {
                x = x * 1103515245u + 12345u;
                p[i] = (uint8_t) ("abcdefgh"[(x >> 16) & 7]);
        }
        return p;
}

/* Gzips size bytes of data and gunzips them back with gunzip_fd() into a new memfd, which it returns;
 * the size and SHA-256 gunzip_fd() reports must be the data's. */
static int gunzip_round_trip(const void *data, size_t size) {
        _cleanup_free_ uint8_t *gz = NULL;
        _cleanup_close_ int in = -EBADF;
        uint8_t want[32], got[32];
        size_t gz_size;
        uint64_t n = 1;
        int out;

        gz_size = gzip_of(data, size, &gz);
        in = memfd_with(gz, gz_size);
        out = memfd_create("out", MFD_CLOEXEC);
        ASSERT_OK_ERRNO(out);

        ASSERT_OK_ZERO(gunzip_fd(in, out, size, &n, got, NULL));
        ASSERT_EQ_U(n, size);
        ASSERT_EQ(EVP_Digest(data, size, want, NULL, EVP_sha256(), NULL), 1);
        ASSERT_MEMEQ(want, got, sizeof want);
        return out;
}

static void test_round_trip(void) {
        const size_t size = 3 * 1024 * 1024 + 17;
        _cleanup_free_ uint8_t *data = sample(size), *back = NULL;
        _cleanup_close_ int out = -EBADF;
        struct stat st;

        printf("%s\n", __func__);

        out = gunzip_round_trip(data, size);
        ASSERT_OK_ZERO_ERRNO(fstat(out, &st));
        ASSERT_EQ((size_t) st.st_size, size);
        back = malloc(size);
        ASSERT_NOT_NULL(back);
        ASSERT_EQ(pread(out, back, size, 0), (ssize_t) size);
        ASSERT_MEMEQ(back, data, size);
}

static void test_empty_content(void) {
        printf("%s\n", __func__);

        close(gunzip_round_trip("", 0));
}

static void test_too_large(void) {
        const size_t size = 200000;
        _cleanup_free_ uint8_t *data = sample(size), *gz = NULL;
        _cleanup_close_ int in = -EBADF, out = -EBADF;
        uint8_t got[32];
        size_t gz_size;
        uint64_t n = 7;
        struct stat st;

        printf("%s\n", __func__);

        gz_size = gzip_of(data, size, &gz);
        in = memfd_with(gz, gz_size);
        out = memfd_create("out", MFD_CLOEXEC);
        /* One byte more than allowed is refused, and not written. */
        ASSERT_ERROR(gunzip_fd(in, out, size - 1, &n, got, NULL), EFBIG);
        ASSERT_EQ(n, 7);
        ASSERT_OK_ZERO_ERRNO(fstat(out, &st));
        ASSERT_LT((size_t) st.st_size, size);
}

/* A set cancel flag stops it before anything is written. */
static void test_cancel(void) {
        const size_t size = 200000;
        _cleanup_free_ uint8_t *data = sample(size), *gz = NULL;
        _cleanup_close_ int in = -EBADF, out = -EBADF;
        CancelFlag cancel = false;
        uint8_t got[32];
        size_t gz_size;
        struct stat st;

        printf("%s\n", __func__);

        gz_size = gzip_of(data, size, &gz);
        in = memfd_with(gz, gz_size);
        out = memfd_create("out", MFD_CLOEXEC);
        cancel_request(&cancel);
        ASSERT_ERROR(gunzip_fd(in, out, size, NULL, got, &cancel), ECANCELED);
        ASSERT_OK_ZERO_ERRNO(fstat(out, &st));
        ASSERT_EQ(st.st_size, 0);
}

static void test_malformed(void) {
        const size_t size = 100000;
        _cleanup_free_ uint8_t *data = sample(size), *gz = NULL, *bad = NULL;
        uint8_t got[32];
        size_t gz_size;

        printf("%s\n", __func__);

        gz_size = gzip_of(data, size, &gz);
        bad = malloc(2 * gz_size);
        ASSERT_NOT_NULL(bad);

        struct {
                const char *name;
                size_t size;
        } cases[] = {
                { "truncated",           gz_size - 9 },
                { "only the header",     10 },
                { "nothing",             0 },
                { "trailing garbage",    gz_size + 3 },
                { "a second member",     2 * gz_size },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_close_ int in = -EBADF, out = -EBADF;

                printf("  %s\n", cases[i].name);
                memcpy(bad, gz, MIN(gz_size, cases[i].size));
                if (cases[i].size == 2 * gz_size)
                        memcpy(bad + gz_size, gz, gz_size);
                else if (cases[i].size > gz_size)
                        memset(bad + gz_size, 0x1f, cases[i].size - gz_size);
                in = memfd_with(bad, cases[i].size);
                out = memfd_create("out", MFD_CLOEXEC);
                ASSERT_ERROR(gunzip_fd(in, out, size, NULL, got, NULL), EBADMSG);
        }

        {
                /* A flipped byte in the CRC-32 of the trailer, or in the deflate data. */
                _cleanup_close_ int in = -EBADF, in2 = -EBADF, in3 = -EBADF, out = -EBADF;

                memcpy(bad, gz, gz_size);
                bad[gz_size - 6] ^= 0x01;
                in = memfd_with(bad, gz_size);
                out = memfd_create("out", MFD_CLOEXEC);
                ASSERT_ERROR(gunzip_fd(in, out, size, NULL, got, NULL), EBADMSG);

                memcpy(bad, gz, gz_size);
                bad[0] = 0x1e;   /* not the gzip magic */
                in2 = memfd_with(bad, gz_size);
                ASSERT_ERROR(gunzip_fd(in2, out, size, NULL, got, NULL), EBADMSG);

                /* Not compressed at all. */
                in3 = memfd_with(data, size);
                ASSERT_ERROR(gunzip_fd(in3, out, size, NULL, got, NULL), EBADMSG);
        }
}

int main(void) {
        test_round_trip();
        test_empty_content();
        test_too_large();
        test_malformed();
        test_cancel();
        return 0;
}
