/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Atomic file replacement and bounded whole-file reads. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio.h"
#include "macro.h"
#include "strv.h"

#define TEMP_NAME_ATTEMPTS 16

int loop_write(int fd, const void *data, size_t size) {
        const char *p = data;

        while (size > 0) {
                ssize_t k = write(fd, p, size);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)  /* would never end */
                        return -EIO;
                p += k;
                size -= (size_t) k;
        }

        return 0;
}

ssize_t read_retry(int fd, void *buf, size_t size, off_t *offset) {
        for (;;) {
                ssize_t k = offset ? pread(fd, buf, size, *offset) : read(fd, buf, size);

                if (k >= 0) {
                        if (offset)
                                *offset += k;
                        return k;
                }
                if (errno != EINTR)
                        return -errno;
        }
}

int temp_name(const char *prefix, const char *name, const char *separator, char **ret) {
        static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        char suffix[7];
        uint64_t rnd;
        char *t;

        if (getrandom(&rnd, sizeof rnd, GRND_NONBLOCK) != (ssize_t) sizeof rnd) {
                struct timespec ts;

                (void) clock_gettime(CLOCK_MONOTONIC, &ts);
                rnd = (uint64_t) ts.tv_nsec ^ ((uint64_t) ts.tv_sec << 20) ^ ((uint64_t) getpid() << 40);
        }

        for (size_t i = 0; i < 6; i++) {
                suffix[i] = chars[rnd % (sizeof chars - 1)];
                rnd /= sizeof chars - 1;
        }
        suffix[6] = 0;

        if (asprintf(&t, "%s%s%s%s", prefix, name, separator, suffix) < 0)
                return -ENOMEM;

        *ret = t;
        return 0;
}

/* Writes, sets the exact mode (not the umask-reduced one) and flushes to disk. */
static int fill_and_sync(int fd, const void *data, size_t size, mode_t mode) {
        int r;

        r = loop_write(fd, data, size);
        if (r < 0)
                return r;
        if (fchmod(fd, mode) < 0)
                return -errno;
        if (fsync(fd) < 0)
                return -errno;
        return 0;
}

int fsync_directory_at(int dir_fd) {
        _cleanup_close_ int fd = -EBADF;

        /* dir_fd may be AT_FDCWD or an O_PATH descriptor, neither of which fsync() accepts. */
        fd = openat(dir_fd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                return -errno;
        return 0;
}

int rename_into_place_at(int dir_fd, const char *name,
                         int (*create)(int dir_fd, const char *tmp, void *userdata), void *userdata) {
        int r;

        for (unsigned attempt = 0; attempt < TEMP_NAME_ATTEMPTS; attempt++) {
                _cleanup_free_ char *tmp = NULL;

                r = temp_name(".#", name, ".", &tmp);
                if (r < 0)
                        return r;

                r = create(dir_fd, tmp, userdata);
                if (r == -EEXIST)
                        continue;
                if (r < 0)
                        return r;

                /* rename() replaces name in one step, so readers see either the old or the new entry. */
                if (renameat(dir_fd, tmp, dir_fd, name) < 0) {
                        r = -errno;
                        (void) unlinkat(dir_fd, tmp, 0);
                        return r;
                }
                return 0;
        }

        return -EEXIST;
}

static int link_fd(int dir_fd, const char *tmp, void *userdata) {
        int fd = *(int *) userdata;
        char proc_path[sizeof("/proc/self/fd/") + 12];

        (void) snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%i", fd);

        /* Through /proc works without CAP_DAC_READ_SEARCH, which AT_EMPTY_PATH would need. */
        if (linkat(AT_FDCWD, proc_path, dir_fd, tmp, AT_SYMLINK_FOLLOW) < 0 &&
            linkat(fd, "", dir_fd, tmp, AT_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

/* Gives the anonymous O_TMPFILE file a temporary name, then renames it over the target; rename()
 * replaces atomically, link() would not. */
static int link_tmpfile(int fd, int dir_fd, const char *name) {
        return rename_into_place_at(dir_fd, name, link_fd, &fd);
}

static int write_via_tmpfile(int fd, int dir_fd, const char *name, const void *data, size_t size, mode_t mode) {
        int r;

        r = fill_and_sync(fd, data, size, mode);
        if (r < 0)
                return r;

        return link_tmpfile(fd, dir_fd, name);
}

static int write_via_named_tmp(int dir_fd, const char *name, const void *data, size_t size, mode_t mode) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        for (unsigned attempt = 0; attempt < TEMP_NAME_ATTEMPTS; attempt++) {
                free(tmp);
                tmp = NULL;

                r = temp_name(".#", name, ".", &tmp);
                if (r < 0)
                        return r;

                fd = openat(dir_fd, tmp, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode);
                if (fd >= 0)
                        break;
                if (errno != EEXIST)
                        return -errno;
        }
        if (fd < 0)
                return -EEXIST;

        r = fill_and_sync(fd, data, size, mode);
        if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(dir_fd, tmp, 0);
                return r;
        }

        return 0;
}

int write_file_atomic_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        /* The temporary file must sit beside the target for rename() to be atomic, so the name is a
         * plain file name, not a path. */
        if (isempty(name) || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return -EINVAL;

        /* An O_TMPFILE file has no name until it is complete, so a crash while writing leaves
         * nothing behind. Filesystems and kernels without it say so in several ways. */
        fd = openat(dir_fd, ".", O_TMPFILE|O_WRONLY|O_CLOEXEC, mode);
        if (fd >= 0)
                r = write_via_tmpfile(fd, dir_fd, name, data, size, mode);
        else if (IN_SET(errno, EOPNOTSUPP, EISDIR, EINVAL))
                r = write_via_named_tmp(dir_fd, name, data, size, mode);
        else
                return -errno;
        if (r < 0)
                return r;

        return fsync_directory_at(dir_fd);
}

int read_full_fd(int fd, size_t max_size, size_t size_hint, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        size_t allocated, size = 0;

        /* Keeps max_size + 1 and the terminating NUL from overflowing; nothing upkeep reads is
         * anywhere near this. */
        if (max_size > SIZE_MAX / 4)
                max_size = SIZE_MAX / 4;

        /* The file may grow while it is read: read up to one byte past the limit to notice. */
        allocated = size_hint < SIZE_MAX / 4 ? size_hint + 1 : SIZE_MAX / 4;
        if (allocated < 64)
                allocated = 64;
        if (allocated > max_size + 1)
                allocated = max_size + 1;
        buf = malloc(allocated + 1);
        if (!buf)
                return -ENOMEM;

        for (;;) {
                ssize_t k;

                if (size == allocated) {
                        size_t n;
                        char *p;

                        if (allocated > max_size)
                                return -EFBIG;
                        n = allocated * 2 > max_size + 1 ? max_size + 1 : allocated * 2;
                        p = realloc(buf, n + 1);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        allocated = n;
                }

                k = read_retry(fd, buf + size, allocated - size, NULL);
                if (k < 0)
                        return (int) k;
                if (k == 0)
                        break;
                size += (size_t) k;
        }

        if (size > max_size)
                return -EFBIG;

        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int read_file_at(int dir_fd, const char *name, size_t max_size, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = openat(dir_fd, name, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return -errno;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if ((uint64_t) st.st_size > max_size)
                return -EFBIG;

        return read_full_fd(fd, max_size, (size_t) st.st_size, ret, ret_size);
}

int memstream_close(FILE *f) {
        int r = ferror(f) ? -ENOMEM : 0;

        if (fclose(f) != 0)
                r = -ENOMEM;
        return r;
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int read_dir_names_at(int dir_fd, char ***ret) {
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd, r;

        /* A descriptor of its own: fdopendir() takes it, and readdir() moves its position. */
        fd = openat(dir_fd, ".", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                (void) close(fd);
                return r;
        }

        errno = 0;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                r = strv_extend(&names, de->d_name);
                if (r < 0)
                        return r;
                errno = 0;
        }
        if (errno != 0)
                return -errno;

        if (names)
                qsort(names, strv_length(names), sizeof(char *), compare_names);
        *ret = TAKE_PTR(names);
        return 0;
}
