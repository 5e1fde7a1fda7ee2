/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Writing files so that a crash at any moment leaves either the old or the new content, never half. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

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
