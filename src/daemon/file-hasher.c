/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A worker thread that hashes a file behind its writer. The two share a mutex that guards only
 * counters and flags; reading and hashing happen outside it. The worker tells the loop it is done by
 * writing to an eventfd the loop watches, so the loop never waits on the worker except in
 * file_hasher_free(), and then for one chunk at most. */
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "file-hasher.h"
#include "macro.h"
#include "sha256.h"

/* Read and hashed at once: big enough that locking and waking cost nothing per byte, small enough to
 * stay in the L2 cache between pread() and hashing, and to bound how long file_hasher_free() waits. */
#define FILE_HASHER_CHUNK_SIZE (256u * 1024u)

struct FileHasher {
        int fd;
        uint64_t offset;
        file_hasher_done_t done;
        void *userdata;

        int event_fd;              /* the worker writes to it once, when it has ended */
        sd_event_source *event_source;

        pthread_t thread;
        bool thread_started;

        /* Owned by the worker while it runs. */
        Sha256 *sha256;
        uint8_t *buffer;

        /* Under lock. */
        pthread_mutex_t lock;
        pthread_cond_t more;       /* written grew by a chunk, or finished or stop was set */
        uint64_t written;          /* bytes after offset the writer has written */
        uint64_t hashed;           /* bytes after offset the worker has hashed */
        bool finished;             /* written is final */
        bool stop;                 /* give up at once */
        bool ended;                /* the worker is through: error or digest is set */
        int error;
        uint8_t digest[FILE_HASHER_DIGEST_SIZE];
};

static int hash_range(FileHasher *h, uint64_t offset, size_t size) {
        int r;

        while (size > 0) {
                ssize_t k = pread(h->fd, h->buffer, size, (off_t) offset);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                /* Shorter than what the writer says it wrote: someone truncated the file. */
                if (k == 0)
                        return -EIO;
                r = sha256_update(h->sha256, h->buffer, (size_t) k);
                if (r < 0)
                        return r;
                offset += (uint64_t) k;
                size -= (size_t) k;
        }
        return 0;
}

static void *hasher_thread(void *userdata) {
        FileHasher *h = userdata;
        uint8_t digest[FILE_HASHER_DIGEST_SIZE];
        int r = 0;

        pthread_mutex_lock(&h->lock);
        for (;;) {
                uint64_t offset, size;

                /* Waiting for a whole chunk keeps the writer from waking us for every write. */
                while (!h->stop && !h->finished && h->written - h->hashed < FILE_HASHER_CHUNK_SIZE)
                        pthread_cond_wait(&h->more, &h->lock);
                if (h->stop) {
                        r = -ECANCELED; /* nobody listens any more; but never a digest of half */
                        break;
                }

                size = h->written - h->hashed;
                if (size == 0) { /* finished, and all of it hashed */
                        r = sha256_final(h->sha256, digest);
                        if (r >= 0)
                                memcpy(h->digest, digest, sizeof(digest));
                        break;
                }
                if (size > FILE_HASHER_CHUNK_SIZE)
                        size = FILE_HASHER_CHUNK_SIZE;
                offset = h->offset + h->hashed;

                pthread_mutex_unlock(&h->lock);
                r = hash_range(h, offset, (size_t) size);
                pthread_mutex_lock(&h->lock);
                if (r < 0)
                        break;
                h->hashed += size;
        }
        h->error = r;
        h->ended = true;
        pthread_mutex_unlock(&h->lock);

        /* Cannot fail short of a bug: the counter is far from overflowing. */
        (void) eventfd_write(h->event_fd, 1);
        return NULL;
}

static int on_ended(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        FileHasher *h = userdata;
        uint8_t digest[FILE_HASHER_DIGEST_SIZE];
        eventfd_t value;
        bool ended;
        int error;

        (void) eventfd_read(fd, &value);

        pthread_mutex_lock(&h->lock);
        ended = h->ended;
        error = h->error;
        memcpy(digest, h->digest, sizeof(digest));
        pthread_mutex_unlock(&h->lock);

        if (!ended)
                return 0;

        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        /* Last: done may free h. */
        h->done(h, error, error < 0 ? NULL : digest, h->userdata);
        return 0;
}

static void file_hasher_freep(FileHasher **h) {
        file_hasher_free(*h);
}

int file_hasher_new(sd_event *event, int fd, uint64_t offset, file_hasher_done_t done, void *userdata,
                    FileHasher **ret) {
        _cleanup_(file_hasher_freep) FileHasher *h = NULL;
        sigset_t all, saved;
        int r;

        if (!event || fd < 0 || !done || !ret)
                return -EINVAL;

        h = calloc(1, sizeof(FileHasher));
        if (!h)
                return -ENOMEM;
        h->fd = fd;
        h->offset = offset;
        h->done = done;
        h->userdata = userdata;
        h->event_fd = -EBADF;
        pthread_mutex_init(&h->lock, NULL);
        pthread_cond_init(&h->more, NULL);

        h->buffer = malloc(FILE_HASHER_CHUNK_SIZE);
        if (!h->buffer)
                return -ENOMEM;
        r = sha256_new(&h->sha256);
        if (r < 0)
                return r;

        h->event_fd = eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK);
        if (h->event_fd < 0)
                return -errno;
        r = sd_event_add_io(event, &h->event_source, h->event_fd, EPOLLIN, on_ended, h);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(h->event_source, "file-hasher");

        /* The worker takes no signals: the loop's thread handles them (sd-event blocks what it watches
         * only in that thread, and a signal delivered here would take its default action). */
        sigfillset(&all);
        r = -pthread_sigmask(SIG_BLOCK, &all, &saved);
        if (r < 0)
                return r;
        r = -pthread_create(&h->thread, NULL, hasher_thread, h);
        (void) pthread_sigmask(SIG_SETMASK, &saved, NULL);
        if (r < 0)
                return r;
        h->thread_started = true;
        /* So that top -H and /proc/PID/task show what the second thread is; named from here, so it
         * has its name before this returns. */
        (void) pthread_setname_np(h->thread, FILE_HASHER_THREAD_NAME);

        *ret = TAKE_PTR(h);
        return 0;
}

void file_hasher_advance(FileHasher *h, uint64_t size) {
        pthread_mutex_lock(&h->lock);
        h->written = size;
        /* Signalling a condition nobody waits on stays in user space: cheap on every write. */
        if (size - h->hashed >= FILE_HASHER_CHUNK_SIZE)
                pthread_cond_signal(&h->more);
        pthread_mutex_unlock(&h->lock);
}

void file_hasher_finish(FileHasher *h) {
        pthread_mutex_lock(&h->lock);
        h->finished = true;
        pthread_cond_signal(&h->more);
        pthread_mutex_unlock(&h->lock);
}

FileHasher *file_hasher_free(FileHasher *h) {
        if (!h)
                return NULL;

        if (h->thread_started) {
                pthread_mutex_lock(&h->lock);
                h->stop = true;
                pthread_cond_signal(&h->more);
                pthread_mutex_unlock(&h->lock);
                (void) pthread_join(h->thread, NULL);
        }

        sd_event_source_disable_unref(h->event_source);
        if (h->event_fd >= 0)
                (void) close(h->event_fd);
        sha256_free(h->sha256);
        free(h->buffer);
        pthread_cond_destroy(&h->more);
        pthread_mutex_destroy(&h->lock);
        return mfree(h);
}
