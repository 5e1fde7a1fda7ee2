/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-256 of a file while it is being written, on a worker thread: the writer (on the event loop) only
 * says how far it has written, the worker pread()s those bytes back behind it — from the page cache, as
 * they were just written — and hashes them, so the loop's core spends nothing on the digest and the
 * file is never read from disk a second time. The loop learns the digest through an sd-event source. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#define FILE_HASHER_DIGEST_SIZE 32
#define FILE_HASHER_THREAD_NAME "file-hasher"   /* the worker's comm */

typedef struct FileHasher FileHasher;

/* Called once on the loop: when the digest of everything up to file_hasher_finish() is ready (error
 * 0), or as soon as reading or hashing failed (error < 0, digest NULL; e.g. -EIO when the file is
 * shorter than what was written). It may free the hasher. */
typedef void (*file_hasher_done_t)(FileHasher *h, int error, const uint8_t *digest, void *userdata);

/* Starts a worker hashing fd (a regular file open for reading) from offset on. The worker uses fd
 * without owning it: the caller keeps it open until it has freed the hasher. */
int file_hasher_new(sd_event *event, int fd, uint64_t offset, file_hasher_done_t done, void *userdata,
                    FileHasher **ret);

/* size bytes from offset on are now written (it only grows). Never blocks for long: the worker holds
 * the lock only to read and update two counters. */
void file_hasher_advance(FileHasher *h, uint64_t size);

/* Nothing more will be written: the digest covers what file_hasher_advance() last announced. */
void file_hasher_finish(FileHasher *h);

/* Stops the worker — it notices between two chunks, so this waits at most for one chunk to be read
 * and hashed — and frees everything, without calling done. Accepts NULL. */
FileHasher *file_hasher_free(FileHasher *h);
