/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* file-hasher.c: a worker hashing a file behind its writer gives the SHA-256 of exactly what was
 * written after the offset, for no bytes, one, many chunks and uneven writes; reports a file shorter
 * than announced; and can be freed at any point (waiting for data, hashing, done but not yet
 * dispatched, inside its own callback) without calling back, leaking or touching freed memory (run
 * under ASan). */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

#include "file-hasher.h"
#include "macro.h"
#include "test-util.h"
#include "tests.h"
#include "time-util.h"

#define MIB (1024u * 1024u)

static sd_event *event;

typedef struct Outcome {
        unsigned n_done;
        int error;
        uint8_t digest[FILE_HASHER_DIGEST_SIZE];
        bool free_in_done;
} Outcome;

static void on_done(FileHasher *h, int error, const uint8_t *digest, void *userdata) {
        Outcome *o = userdata;

        o->n_done++;
        o->error = error;
        ASSERT_EQ((error == 0), !!digest);
        if (digest)
                memcpy(o->digest, digest, sizeof(o->digest));
        if (o->free_in_done)
                file_hasher_free(h);
}

/* A hasher that never reports fails the test instead of hanging it. */
static void run_until_done(Outcome *o, size_t n) {
        uint64_t deadline = now_monotonic() + 30u * 1000000u;

        for (;;) {
                bool all = true;

                for (size_t i = 0; i < n; i++)
                        all = all && o[i].n_done > 0;
                if (all)
                        return;
                ASSERT_LT(now_monotonic(), deadline);
                ASSERT_OK(sd_event_run(event, 1000000u));
        }
}

static void assert_sha256(const Outcome *o, const void *data, size_t size) {
        uint8_t expected[FILE_HASHER_DIGEST_SIZE];

        ASSERT_EQ(EVP_Digest(data, size, expected, NULL, EVP_sha256(), NULL), 1);
        ASSERT_EQ(o->n_done, 1);
        ASSERT_EQ(o->error, 0);
        ASSERT_MEMEQ(o->digest, expected, sizeof(expected));
}

static int new_file(void) {
        int fd = memfd_create("test-file-hasher", MFD_CLOEXEC);

        ASSERT_GE(fd, 0);
        return fd;
}

/* Writes size bytes of data in pieces of step, announcing each, as the HTTP client does; the loop
 * runs now and then, as it would between two reads from the network. */
static void write_and_hash(const char *data, size_t size, size_t step, const char *prefix, Outcome *o) {
        _cleanup_close_ int fd = new_file();
        size_t prefix_len = strlen(prefix), written = 0;
        FileHasher *h = NULL;

        ASSERT_EQ(write(fd, prefix, prefix_len), (ssize_t) prefix_len);
        ASSERT_OK_ZERO(file_hasher_new(event, fd, prefix_len, on_done, o, &h));

        while (written < size) {
                size_t n = size - written < step ? size - written : step;

                ASSERT_EQ(write(fd, data + written, n), (ssize_t) n);
                written += n;
                file_hasher_advance(h, written);
                ASSERT_OK(sd_event_run(event, 0));
                ASSERT_EQ(o->n_done, 0);
        }
        file_hasher_finish(h);
        run_until_done(o, 1);
        file_hasher_free(h);
}

static void test_empty(void) {
        Outcome o = {};

        printf("%s\n", __func__);

        write_and_hash("", 0, 1, "", &o);
        assert_sha256(&o, "", 0);

        /* Bytes before the offset are not the body's. */
        o = (Outcome) {};
        write_and_hash("", 0, 1, "prefix", &o);
        assert_sha256(&o, "", 0);
}

static void test_one_byte(void) {
        Outcome o = {};

        printf("%s\n", __func__);

        write_and_hash("x", 1, 1, "prefix", &o);
        assert_sha256(&o, "x", 1);
}

static void test_many_chunks(void) {
        /* Chunk-sized and not: exact multiples of a MiB, one byte more and less, and uneven writes
         * smaller and larger than a chunk. */
        static const struct {
                size_t size, step;
        } cases[] = {
                { 1 * MIB, 128 * 1024 },
                { 1 * MIB + 1, 128 * 1024 },
                { 1 * MIB - 1, 4096 },
                { 3 * MIB + 12345, 100000 },
                { 5 * MIB + 7, 3 * MIB },
                { 300000, 1 },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *data = test_make_content(cases[i].size, i + 1);
                Outcome o = {};

                write_and_hash(data, cases[i].size, cases[i].step, "prefix", &o);
                assert_sha256(&o, data, cases[i].size);
                free(data);
        }
}

static void test_worker_waits_for_more(void) {
        const size_t size = 2 * MIB + 99;
        _cleanup_close_ int fd = new_file();
        char *data = test_make_content(size, 42);
        struct timespec pause = { .tv_nsec = 2 * 1000 * 1000 };
        FileHasher *h = NULL;
        Outcome o = {};

        printf("%s\n", __func__);

        /* The worker catches up and sleeps after each write; the digest is still of all of it. */
        ASSERT_OK_ZERO(file_hasher_new(event, fd, 0, on_done, &o, &h));
        for (size_t written = 0; written < size;) {
                size_t n = size - written < 700000 ? size - written : 700000;

                ASSERT_EQ(write(fd, data + written, n), (ssize_t) n);
                written += n;
                file_hasher_advance(h, written);
                (void) nanosleep(&pause, NULL);
        }
        file_hasher_finish(h);
        run_until_done(&o, 1);
        assert_sha256(&o, data, size);
        file_hasher_free(h);
        free(data);
}

static void test_file_shorter_than_announced(void) {
        _cleanup_close_ int fd = new_file();
        FileHasher *h = NULL;
        Outcome o = {};

        printf("%s\n", __func__);

        /* Someone truncated the file behind the writer's back: that is an error, not a digest of less. */
        ASSERT_EQ(write(fd, "abc", 3), 3);
        ASSERT_OK_ZERO(file_hasher_new(event, fd, 0, on_done, &o, &h));
        file_hasher_advance(h, 10);
        file_hasher_finish(h);
        run_until_done(&o, 1);
        ASSERT_EQ(o.n_done, 1);
        ASSERT_ERROR(o.error, EIO);
        file_hasher_free(h);

        /* Reported as soon as it happens, without waiting for the writer to finish. */
        o = (Outcome) {};
        ASSERT_OK_ZERO(file_hasher_new(event, fd, 0, on_done, &o, &h));
        file_hasher_advance(h, 2 * MIB);
        run_until_done(&o, 1);
        ASSERT_ERROR(o.error, EIO);
        file_hasher_free(h);
}

static void test_unreadable_fd(void) {
        _cleanup_close_ int fd = new_file(), wfd = -EBADF;
        char proc[64];
        FileHasher *h = NULL;
        Outcome o = {};

        printf("%s\n", __func__);

        snprintf(proc, sizeof(proc), "/proc/self/fd/%i", fd);
        wfd = open(proc, O_WRONLY|O_CLOEXEC);
        ASSERT_GE(wfd, 0);
        ASSERT_EQ(write(wfd, "abc", 3), 3);

        ASSERT_OK_ZERO(file_hasher_new(event, wfd, 0, on_done, &o, &h));
        file_hasher_advance(h, 3);
        file_hasher_finish(h);
        run_until_done(&o, 1);
        ASSERT_ERROR(o.error, EBADF);
        file_hasher_free(h);

        ASSERT_ERROR(file_hasher_new(event, -EBADF, 0, on_done, &o, &h), EINVAL);
        ASSERT_ERROR(file_hasher_new(NULL, fd, 0, on_done, &o, &h), EINVAL);
}

static void test_free_at_any_point(void) {
        const size_t size = 8 * MIB;
        _cleanup_close_ int fd = new_file();
        char *data = test_make_content(size, 7);
        FileHasher *h = NULL;
        Outcome o = {};

        printf("%s\n", __func__);

        ASSERT_EQ(write(fd, data, size), (ssize_t) size);

        /* Right away, and while the worker waits for a first chunk. */
        ASSERT_OK_ZERO(file_hasher_new(event, fd, 0, on_done, &o, &h));
        h = file_hasher_free(h);
        ASSERT_OK_ZERO(file_hasher_new(event, fd, 0, on_done, &o, &h));
        file_hasher_advance(h, 10);
        h = file_hasher_free(h);

        /* While it hashes. */
        ASSERT_OK_ZERO(file_hasher_new(event, fd, 0, on_done, &o, &h));
        file_hasher_advance(h, size);
        h = file_hasher_free(h);

        /* Done, or about to be, but not yet dispatched: the loop must not call back into freed memory. */
        ASSERT_OK_ZERO(file_hasher_new(event, fd, 0, on_done, &o, &h));
        file_hasher_advance(h, size);
        file_hasher_finish(h);
        h = file_hasher_free(h);

        for (unsigned i = 0; i < 5; i++)
                ASSERT_OK(sd_event_run(event, 10 * 1000));
        ASSERT_EQ(o.n_done, 0);

        /* From inside its own callback. */
        o = (Outcome) { .free_in_done = true };
        ASSERT_OK_ZERO(file_hasher_new(event, fd, 0, on_done, &o, &h));
        file_hasher_advance(h, size);
        file_hasher_finish(h);
        run_until_done(&o, 1);
        assert_sha256(&o, data, size);

        file_hasher_free(NULL);
        free(data);
}

static void test_many_at_once(void) {
        enum { N = 16 };
        int fd[N];
        char *data[N];
        size_t size[N];
        FileHasher *h[N];
        Outcome o[N] = {};

        printf("%s\n", __func__);

        for (size_t i = 0; i < N; i++) {
                size[i] = i * 99991;
                data[i] = test_make_content(size[i], i + 1000);
                fd[i] = new_file();
                ASSERT_OK_ZERO(file_hasher_new(event, fd[i], 0, on_done, &o[i], &h[i]));
        }
        for (size_t i = 0; i < N; i++) {
                ASSERT_EQ(write(fd[i], data[i], size[i]), (ssize_t) size[i]);
                file_hasher_advance(h[i], size[i]);
                file_hasher_finish(h[i]);
        }
        run_until_done(o, N);
        for (size_t i = 0; i < N; i++) {
                assert_sha256(&o[i], data[i], size[i]);
                file_hasher_free(h[i]);
                close(fd[i]);
                free(data[i]);
        }
}

int main(void) {
        ASSERT_OK(sd_event_new(&event));

        test_empty();
        test_one_byte();
        test_many_chunks();
        test_worker_waits_for_more();
        test_file_shorter_than_announced();
        test_unreadable_fd();
        test_free_at_any_point();
        test_many_at_once();

        event = sd_event_unref(event);
        return 0;
}
