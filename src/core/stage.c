/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* versions/ of an app: staging verified artifacts as immutable trees, pruning old ones, and removing
 * trees safely. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "archive-extract.h"
#include "fileio.h"
#include "go-module.h"
#include "macro.h"
#include "stage.h"
#include "version.h"

#define TEMP_PREFIX ".tmp-"
#define TEMP_NAME_ATTEMPTS 16
#define COPY_CHUNK (1024U * 1024U)

static bool filename_is_valid(const char *s) {
        return !isempty(s) && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..") && strlen(s) <= NAME_MAX;
}

/* Opens (and with create, makes) directory name below dir_fd, never through a symlink. */
static int open_subdir(int dir_fd, const char *name, bool create, mode_t mode) {
        int fd;

        if (create && mkdirat(dir_fd, name, mode) < 0 && errno != EEXIST)
                return -errno;

        fd = openat(dir_fd, name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fd;
}

/* statx rather than fstatat: it also tells a bind mount of the same filesystem (same st_dev) by
 * STATX_ATTR_MOUNT_ROOT. */
static int stat_nofollow(int dir_fd, const char *name, mode_t *ret_mode, dev_t *ret_dev, bool *ret_mount_root) {
        struct statx sx;

        if (statx(dir_fd, name, AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT|AT_STATX_DONT_SYNC,
                  STATX_TYPE|STATX_MODE, &sx) < 0)
                return -errno;

        *ret_mode = sx.stx_mode;
        *ret_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
        *ret_mount_root = (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                          (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
        return 0;
}

static int first_error(int r, int q) {
        return r < 0 ? r : q;
}

/* Empties directory name in dir_fd, which is on device dev. Keeps going past errors (like rm -rf)
 * and returns the first. */
static int remove_contents(int dir_fd, const char *name, dev_t dev) {
        _cleanup_closedir_ DIR *d = NULL;
        struct stat st;
        int fd, r = 0;

        fd = openat(dir_fd, name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        if (fd < 0 && errno == EACCES) {
                /* A directory without u+rx cannot even be listed by its owner. fchmodat() with
                 * AT_SYMLINK_NOFOLLOW refuses symlinks rather than following them. */
                if (fchmodat(dir_fd, name, 0700, AT_SYMLINK_NOFOLLOW) < 0)
                        return -EACCES;
                fd = openat(dir_fd, name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        }
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;

        if (fstat(fd, &st) < 0) {
                r = -errno;
                (void) close(fd);
                return r;
        }
        if (st.st_dev != dev) {
                /* Something was mounted here since we looked. */
                (void) close(fd);
                return -EXDEV;
        }
        /* Entries of a read-only directory cannot be unlinked (except by root). Should this fail
         * (not our directory), the unlinks below report it. */
        if ((st.st_mode & S_IRWXU) != S_IRWXU)
                (void) fchmod(fd, (st.st_mode & 07777) | S_IRWXU);

        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                (void) close(fd);
                return r;
        }

        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                bool mount_root = false;
                mode_t mode = 0;
                dev_t child_dev = 0;
                int q;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                q = stat_nofollow(fd, de->d_name, &mode, &child_dev, &mount_root);
                if (q == -ENOENT)
                        continue;
                if (q < 0) {
                        r = first_error(r, q);
                        continue;
                }

                if (S_ISDIR(mode)) {
                        /* Whatever is mounted below is not ours to delete; its mount point stays
                         * and so does every directory above it. */
                        if (child_dev != dev || mount_root) {
                                r = first_error(r, -EXDEV);
                                continue;
                        }

                        q = remove_contents(fd, de->d_name, dev);
                        r = first_error(r, q);
                        if (q >= 0 && unlinkat(fd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                                r = first_error(r, -errno);
                } else if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT)
                        r = first_error(r, -errno);
        }
        if (errno != 0)
                r = first_error(r, -errno);

        return r;
}

int rm_rf_at(int dir_fd, const char *name) {
        struct stat parent;
        bool mount_root = false;
        mode_t mode = 0;
        dev_t dev = 0;
        int r;

        /* A single name: a path would resolve its directories through symlinks. */
        if (!filename_is_valid(name))
                return -EINVAL;

        if (fstat(dir_fd, &parent) < 0)
                return -errno;

        r = stat_nofollow(dir_fd, name, &mode, &dev, &mount_root);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;

        if (!S_ISDIR(mode)) {
                if (unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT)
                        return -errno;
                return 0;
        }

        if (dev != parent.st_dev || mount_root)
                return -EXDEV;

        r = remove_contents(dir_fd, name, dev);
        if (r < 0)
                return r;

        if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

/* A directory stream over a duplicate of dir_fd, so that closing the stream leaves dir_fd open.
 * NULL with errno set on failure. */
static DIR *opendir_dup(int dir_fd) {
        DIR *d;
        int fd;

        fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return NULL;
        d = fdopendir(fd);
        if (!d) {
                int saved = errno;
                (void) close(fd);
                errno = saved;
        }
        return d;
}

/* Makes the tree in dir_fd read-only (directories 0555, files 0555 or 0444 by their owner-executable
 * bit) and flushes every file and directory to disk, so that after the rename a crash cannot leave
 * a staged version with missing data. */
static int seal_tree(int dir_fd, const CancelFlag *cancel) {
        _cleanup_closedir_ DIR *d = NULL;

        d = opendir_dup(dir_fd);
        if (!d)
                return -errno;

        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                _cleanup_close_ int child_fd = -EBADF;
                struct stat st;
                int r;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                if (cancel_requested(cancel))
                        return -ECANCELED;

                if (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;

                if (S_ISLNK(st.st_mode))
                        continue;   /* no mode of its own; the directory's fsync covers it */

                if (S_ISDIR(st.st_mode)) {
                        child_fd = openat(dir_fd, de->d_name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
                        if (child_fd < 0)
                                return -errno;
                        r = seal_tree(child_fd, cancel);
                        if (r < 0)
                                return r;
                        continue;
                }

                /* Extraction creates nothing else; something else means someone else is writing
                 * into our temporary directory. */
                if (!S_ISREG(st.st_mode))
                        return -EPERM;

                child_fd = openat(dir_fd, de->d_name, O_RDONLY|O_NOFOLLOW|O_NOCTTY|O_CLOEXEC);
                if (child_fd < 0)
                        return -errno;
                if (fchmod(child_fd, (st.st_mode & S_IXUSR) ? 0555 : 0444) < 0)
                        return -errno;
                if (fsync(child_fd) < 0)
                        return -errno;
        }
        if (errno != 0)
                return -errno;

        if (fchmod(dir_fd, 0555) < 0)
                return -errno;
        if (fsync(dir_fd) < 0)
                return -errno;
        return 0;
}

static int copy_binary(int artifact_fd, int dir_fd, const char *name, const CancelFlag *cancel) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        off_t offset = 0;
        int r;

        fd = openat(dir_fd, name, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;

        /* With an explicit input offset, the copy starts at 0 wherever verification left the
         * descriptor's position. */
        for (;;) {
                ssize_t n;

                if (cancel_requested(cancel))
                        return -ECANCELED;

                n = copy_file_range(artifact_fd, &offset, fd, NULL, COPY_CHUNK, 0);
                if (n == 0)
                        goto done;
                if (n < 0)
                        break;
        }

        /* Filesystems and kernels that cannot copy between these files say so in several ways;
         * those errors come before any byte was copied, so the plain loop starts where it left. */
        if (!IN_SET(errno, EXDEV, EINVAL, EOPNOTSUPP, ENOSYS, EBADF, ETXTBSY))
                return -errno;

        buf = malloc(COPY_CHUNK);
        if (!buf)
                return -ENOMEM;

        for (;;) {
                ssize_t n;

                if (cancel_requested(cancel))
                        return -ECANCELED;

                n = read_retry(artifact_fd, buf, COPY_CHUNK, &offset);
                if (n < 0)
                        return (int) n;
                if (n == 0)
                        break;

                r = loop_write(fd, buf, (size_t) n);
                if (r < 0)
                        return r;
        }

done:
        if (fchmod(fd, 0755) < 0)
                return -errno;
        return 0;
}

/* Removes .tmp-* directories: builds and removals cut short by a crash. Only called with the
 * versions/ lock held, so none of them is in use. */
static int remove_temp_dirs(int versions_fd) {
        _cleanup_closedir_ DIR *d = NULL;
        int r = 0;

        d = opendir_dup(versions_fd);
        if (!d)
                return -errno;

        for (struct dirent *de; (errno = 0, de = readdir(d));)
                if (startswith(de->d_name, TEMP_PREFIX))
                        r = first_error(r, rm_rf_at(versions_fd, de->d_name));
        if (errno != 0)
                r = first_error(r, -errno);

        return r;
}

/* Opens versions/ (creating it) and takes its lock, held until the descriptor is closed. Staging
 * and pruning of one app never run at the same time, so each may treat every temporary
 * directory it finds as left over by a crash. */
static int open_versions_locked(int app_dir_fd) {
        _cleanup_close_ int fd = -EBADF;

        fd = open_subdir(app_dir_fd, STAGE_VERSIONS_DIR, /* create= */ true, 0755);
        if (fd < 0)
                return fd;

        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return -errno;

        return TAKE_FD(fd);
}

static int build_tree(int tmp_fd, ArtifactType type, int artifact_fd, const char *binary_name,
                      const CancelFlag *cancel, char **ret_reason) {
        int r;

        switch (type) {

        case ARTIFACT_BINARY:
                r = copy_binary(artifact_fd, tmp_fd, binary_name, cancel);
                break;

        case ARTIFACT_TAR:
        case ARTIFACT_ZIP: {
                struct stat st;

                /* libarchive reads from the current position; the whole file is the archive. */
                if (lseek(artifact_fd, 0, SEEK_SET) < 0 || fstat(artifact_fd, &st) < 0)
                        return -errno;
                ArchiveLimits limits = archive_limits_for_size((uint64_t) st.st_size);
                r = archive_extract_safe(artifact_fd, tmp_fd, &limits, cancel, ret_reason);
                break;
        }

        default:
                return -EINVAL;
        }
        if (r < 0)
                return r;

        return seal_tree(tmp_fd, cancel);
}

int stage_artifact(int app_dir_fd, const char *version, ArtifactType type, int artifact_fd,
                   const char *binary_name, const CancelFlag *cancel, char **ret_reason) {
        _cleanup_close_ int versions_fd = -EBADF, tmp_fd = -EBADF;
        _cleanup_free_ char *tmp = NULL;
        struct stat st;
        int r;

        if (!version_is_valid(version))
                return -EINVAL;
        if (type < 0 || type >= _ARTIFACT_TYPE_MAX)
                return -EINVAL;
        if (type == ARTIFACT_BINARY && !filename_is_valid(binary_name))
                return -EINVAL;
        if (artifact_fd < 0)
                return -EBADF;

        versions_fd = open_versions_locked(app_dir_fd);
        if (versions_fd < 0)
                return versions_fd;

        if (fstatat(versions_fd, version, &st, AT_SYMLINK_NOFOLLOW) >= 0) {
                if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                return 0;
        }
        if (errno != ENOENT)
                return -errno;

        r = remove_temp_dirs(versions_fd);
        if (r < 0)
                return r;

        for (unsigned attempt = 0;; attempt++) {
                if (attempt >= TEMP_NAME_ATTEMPTS)
                        return -EEXIST;

                tmp = mfree(tmp);
                r = temp_name(TEMP_PREFIX, version, "-", &tmp);
                if (r < 0)
                        return r;

                /* 0700 while it is built: nobody sees a half-written release. */
                if (mkdirat(versions_fd, tmp, 0700) >= 0)
                        break;
                if (errno != EEXIST)
                        return -errno;
        }

        tmp_fd = openat(versions_fd, tmp, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        if (tmp_fd < 0)
                r = -errno;
        else
                r = build_tree(tmp_fd, type, artifact_fd, binary_name, cancel, ret_reason);

        /* Last chance: a job canceled by now leaves no version behind, whatever it built. */
        if (r >= 0 && cancel_requested(cancel))
                r = -ECANCELED;
        if (r >= 0 && renameat2(versions_fd, tmp, versions_fd, version, RENAME_NOREPLACE) < 0) {
                /* Some filesystems lack RENAME_NOREPLACE; a plain rename of a directory still never
                 * replaces a non-empty one, and a staged release is never empty. */
                if (errno == EINVAL && renameat(versions_fd, tmp, versions_fd, version) >= 0)
                        r = 0;
                else
                        r = -errno;
        }
        if (r < 0) {
                (void) rm_rf_at(versions_fd, tmp);
                return r;
        }

        r = fsync_directory_at(versions_fd);
        if (r < 0)
                return r;

        return 1;
}

bool stage_exists(int app_dir_fd, const char *version) {
        _cleanup_close_ int versions_fd = -EBADF;
        struct stat st;

        if (!version_is_valid(version))
                return false;

        versions_fd = open_subdir(app_dir_fd, STAGE_VERSIONS_DIR, /* create= */ false, 0);
        if (versions_fd < 0)
                return false;

        return fstatat(versions_fd, version, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISDIR(st.st_mode);
}

static int compare_newest_first(const void *a, const void *b) {
        /* Builds of a Go app that differ only in their toolchain are told apart, newest toolchain
         * first; any other version is in semver order. */
        return go_build_version_compare(*(char *const *) b, *(char *const *) a);
}

static bool is_protected(const char *name, const char *current, const char *previous) {
        /* "v1.2.3" and "1.2.3" (or differing build metadata) name the same release to a caller:
         * protecting both is the safe reading. */
        if (current && (streq(name, current) || version_compare(name, current) == 0))
                return true;
        if (previous && (streq(name, previous) || version_compare(name, previous) == 0))
                return true;
        return false;
}

static void strv_free_n(char **l, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(l[i]);
        free(l);
}

/* Moves versions/name out of sight first, so that a removal cut short never leaves an incomplete
 * tree under a version's name; remove_temp_dirs() finishes it after a crash. */
static int remove_version(int versions_fd, const char *name) {
        _cleanup_free_ char *tmp = NULL;
        int r;

        for (unsigned attempt = 0;; attempt++) {
                if (attempt >= TEMP_NAME_ATTEMPTS)
                        return -EEXIST;

                tmp = mfree(tmp);
                r = temp_name(TEMP_PREFIX, name, "-", &tmp);
                if (r < 0)
                        return r;

                if (renameat2(versions_fd, name, versions_fd, tmp, RENAME_NOREPLACE) >= 0)
                        break;
                if (errno == EINVAL) {
                        /* No RENAME_NOREPLACE here: check by hand, we hold the lock. */
                        if (faccessat(versions_fd, tmp, F_OK, AT_SYMLINK_NOFOLLOW) >= 0)
                                continue;
                        if (renameat(versions_fd, name, versions_fd, tmp) >= 0)
                                break;
                }
                if (errno != EEXIST)
                        return -errno;
        }

        r = fsync_directory_at(versions_fd);
        if (r < 0)
                return r;

        return rm_rf_at(versions_fd, tmp);
}

int stage_prune(int app_dir_fd, unsigned keep, const char *current, const char *previous) {
        _cleanup_close_ int versions_fd = -EBADF;
        _cleanup_closedir_ DIR *d = NULL;
        char **names = NULL;
        size_t n = 0, allocated = 0;
        int r = 0, removed = 0;

        versions_fd = open_subdir(app_dir_fd, STAGE_VERSIONS_DIR, /* create= */ false, 0);
        if (versions_fd == -ENOENT)
                return 0;
        if (versions_fd < 0)
                return versions_fd;

        /* Not waiting for a staging (on a worker thread) to end: the caller is the event loop. */
        while (flock(versions_fd, LOCK_EX|LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                        return -EBUSY;
                if (errno != EINTR)
                        return -errno;
        }

        d = opendir_dup(versions_fd);
        if (!d)
                return -errno;

        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                struct stat st;

                /* Hidden names are temporary directories, cleaned when staging; anything that is
                 * no version is not ours to judge. */
                if (de->d_name[0] == '.' || !version_is_valid(de->d_name))
                        continue;
                if (fstatat(versions_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                        continue;

                if (n == allocated) {
                        size_t a = allocated ? allocated * 2 : 16;
                        char **l = realloc(names, a * sizeof *names);

                        if (!l) {
                                r = -ENOMEM;
                                goto finish;
                        }
                        names = l;
                        allocated = a;
                }
                names[n] = strdup(de->d_name);
                if (!names[n]) {
                        r = -ENOMEM;
                        goto finish;
                }
                n++;
        }
        if (errno != 0) {
                r = -errno;
                goto finish;
        }

        if (n > 0)
                qsort(names, n, sizeof *names, compare_newest_first);

        for (size_t i = keep; i < n; i++) {
                int q;

                if (is_protected(names[i], current, previous))
                        continue;

                q = remove_version(versions_fd, names[i]);
                if (q < 0)
                        r = first_error(r, q);
                else
                        removed++;
        }

finish:
        strv_free_n(names, n);
        return r < 0 ? r : removed;
}

int stage_clear_partial(int app_dir_fd) {
        _cleanup_close_ int partial_fd = -EBADF;
        _cleanup_closedir_ DIR *d = NULL;
        int r = 0;

        /* Unverified downloads: nobody else needs to read them. */
        partial_fd = open_subdir(app_dir_fd, STAGE_PARTIAL_DIR, /* create= */ true, 0700);
        if (partial_fd < 0)
                return partial_fd;

        d = opendir_dup(partial_fd);
        if (!d)
                return -errno;

        for (struct dirent *de; (errno = 0, de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                r = first_error(r, rm_rf_at(partial_fd, de->d_name));
        }
        if (errno != 0)
                r = first_error(r, -errno);

        return r;
}
