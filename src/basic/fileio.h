/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Files and streams: writing files so that a crash at any moment leaves either the old or the new
 * content, never half; reading them whole; and closing streams and directories. */
#pragma once

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "macro.h"

/* Writes data to dir_fd/name atomically: a temporary file in the same directory (O_TMPFILE where the
 * filesystem has it, else a unique ".#name.XXXXXX"), fsync, rename over name, fsync of the
 * directory. The temporary file never remains on failure. */
int write_file_atomic_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode);

/* Reads a whole regular file of at most max_size bytes (-EFBIG beyond), NUL-terminated. */
int read_file_at(int dir_fd, const char *name, size_t max_size, char **ret, size_t *ret_size);

/* The same for what fd holds from its position to its end (a pipe too), retrying after EINTR:
 * size_hint is how much to expect (st_size), 0 if unknown. */
int read_full_fd(int fd, size_t max_size, size_t size_hint, char **ret, size_t *ret_size);

/* Writes all of data, retrying after EINTR and short writes; -EIO if write() makes no progress. */
int loop_write(int fd, const void *data, size_t size);

/* One read() from fd's position, or with offset one pread() at *offset which then moves past what was
 * read (as copy_file_range() takes its offsets), retrying after EINTR: the number of bytes read, 0 at
 * the end, or -errno. */
ssize_t read_retry(int fd, void *buf, size_t size, off_t *offset);

/* Makes a new entry atomically: create(dir_fd, tmp, userdata) makes it under a fresh temporary name tmp
 * (".#name.XXXXXX"; -EEXIST from it means the name is taken, and another is tried), then it is renamed
 * over name, replacing what was there in one step. Nothing is left under the temporary name when the
 * rename fails; create must not leave anything on failure either. */
int rename_into_place_at(int dir_fd, const char *name,
                         int (*create)(int dir_fd, const char *tmp, void *userdata), void *userdata);

/* fsync() of a directory given as any descriptor (also AT_FDCWD or O_PATH), so that renames and new
 * entries in it are on disk. */
int fsync_directory_at(int dir_fd);

/* prefix + name + separator + six random characters, e.g. ".#state.json.Xa3k9Q". The names need not
 * be unpredictable, only unlikely to collide: the caller creates them exclusively and tries again. */
int temp_name(const char *prefix, const char *name, const char *separator, char **ret);

/* The names of the entries of the directory dir_fd (any descriptor of it, O_PATH too), but "." and
 * "..", sorted by strcmp(); NULL for an empty directory. */
int read_dir_names_at(int dir_fd, char ***ret);

static inline void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}

static inline void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
}
#define _cleanup_closedir_ _cleanup_(closedirp)

/* Closes a stream from open_memstream(): -ENOMEM if a write to it failed (want of memory is all that
 * can fail there) or the final flush does. The buffer is the caller's either way. */
int memstream_close(FILE *f);
