/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unpacking release archives. libarchive only parses: every directory, file and link is created here,
 * relative to the target directory and never through a symlink, so the safety rules are ours, in one
 * place, and testable. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "archive-extract.h"
#include "fileio.h"
#include "macro.h"

/* Sealing and removing a tree holds one descriptor per level; a bound on depth keeps that far below
 * any RLIMIT_NOFILE. No real release nests this deep. */
#define ENTRY_DEPTH_MAX 128U
#define ENTRY_PATH_MAX 4095U   /* PATH_MAX without its NUL */
/* Enough of a hostile name to recognise it in a log line, without flooding the line. */
#define REASON_NAME_MAX 256U
#define READ_BLOCK_SIZE (64U * 1024U)
#define COPY_BUFFER_SIZE (64U * 1024U)

typedef struct Extractor {
        struct archive *archive;
        int target_fd;
        ArchiveLimits limits;
        const CancelFlag *cancel;
        uint64_t n_entries;
        uint64_t total_size;
        bool openat2_broken;   /* ENOSYS (old kernel) or EPERM (seccomp): walk components instead */
        char *reason;
        char *buffer;
} Extractor;

typedef struct Buffer {
        char *data;
        size_t size, allocated;
} Buffer;

static int buffer_append(Buffer *b, const char *s, size_t n) {
        if (!b->data || b->size + n + 1 > b->allocated) {
                size_t a = (b->size + n + 1) * 2;
                char *p;

                p = realloc(b->data, a);
                if (!p)
                        return -ENOMEM;
                b->data = p;
                b->allocated = a;
        }

        memcpy(b->data + b->size, s, n);
        b->size += n;
        b->data[b->size] = 0;
        return 0;
}

/* Names come from the archive: anything but printable ASCII is shown as \xNN, so the reason is valid
 * UTF-8 (D-Bus strings must be) and cannot forge journal lines or terminal escapes. */
static int buffer_append_escaped(Buffer *b, const char *s, size_t max) {
        size_t n = strlen(s);
        int r;

        for (size_t i = 0; i < n && i < max; i++) {
                unsigned char c = (unsigned char) s[i];
                char hex[5];

                if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
                        r = buffer_append(b, s + i, 1);
                } else {
                        (void) snprintf(hex, sizeof hex, "\\x%02x", c);
                        r = buffer_append(b, hex, 4);
                }
                if (r < 0)
                        return r;
        }

        if (n > max)
                return buffer_append(b, "...", 3);
        return 0;
}

/* Records why the archive is refused, "entry 'NAME': MESSAGE 'QUOTED'", and returns error. The
 * message is ours (numbers at most); what comes from the archive is passed as entry (NULL when no
 * entry is to blame) or quoted (NULL for none), and escaped. */
_printf_(5, 0)
static int refuse_valist(Extractor *x, int error, const char *entry, const char *quoted,
                         const char *format, va_list ap) {
        _cleanup_free_ char *msg = NULL;
        Buffer b = {};
        int r = 0;

        if (vasprintf(&msg, format, ap) < 0)
                return -ENOMEM;

        if (entry) {
                r = buffer_append(&b, "entry '", 7);
                if (r >= 0)
                        r = buffer_append_escaped(&b, entry, REASON_NAME_MAX);
                if (r >= 0)
                        r = buffer_append(&b, "': ", 3);
        }
        if (r >= 0)
                r = buffer_append(&b, msg, strlen(msg));
        if (r >= 0 && quoted) {
                r = buffer_append(&b, " '", 2);
                if (r >= 0)
                        r = buffer_append_escaped(&b, quoted, REASON_NAME_MAX);
                if (r >= 0)
                        r = buffer_append(&b, "'", 1);
        }
        if (r < 0) {
                free(b.data);
                return r;
        }

        free(x->reason);
        x->reason = b.data;
        return error;
}

_printf_(5, 6)
static int refuse_quoting(Extractor *x, int error, const char *entry, const char *quoted, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = refuse_valist(x, error, entry, quoted, format, ap);
        va_end(ap);
        return r;
}

#define refuse(x, error, entry, ...) refuse_quoting((x), (error), (entry), NULL, __VA_ARGS__)

/* Turns a path from the archive into "a/b/c" (no ".", no empty components, no trailing slash; "" is
 * the release directory itself), refusing everything that is not plainly below the release
 * directory. what says whose path it is ("path", "hardlink target"); quoted is appended to the
 * reason when the path is not the entry's own name. */
static int normalize_entry_path(Extractor *x, const char *entry, const char *what, const char *quoted,
                                const char *path, char **ret, unsigned *ret_depth) {
        _cleanup_free_ char *n = NULL;
        unsigned depth = 0;
        size_t len = 0;

        if (isempty(path))
                return refuse_quoting(x, -EBADMSG, entry, quoted, "%s is empty", what);
        if (path[0] == '/')
                return refuse_quoting(x, -EBADMSG, entry, quoted, "%s is absolute", what);
        if (strlen(path) > ENTRY_PATH_MAX)
                return refuse_quoting(x, -EBADMSG, entry, quoted, "%s is longer than %u bytes", what, ENTRY_PATH_MAX);

        n = malloc(strlen(path) + 1);
        if (!n)
                return -ENOMEM;

        for (const char *p = path; *p;) {
                size_t l = strcspn(p, "/");

                if (l == 2 && p[0] == '.' && p[1] == '.') {
                        /* Only the lexical escape gets the stronger wording; ".." is refused either
                         * way, since "a/.." means something else once "a" is a symlink. */
                        if (depth == 0)
                                return refuse_quoting(x, -EBADMSG, entry, quoted,
                                                      "%s leaves the release directory", what);
                        return refuse_quoting(x, -EBADMSG, entry, quoted, "%s has a '..' component", what);
                }
                if (l > NAME_MAX)
                        return refuse_quoting(x, -EBADMSG, entry, quoted,
                                              "%s has a name longer than %u bytes", what, NAME_MAX);

                if (l > 0 && !(l == 1 && p[0] == '.')) {
                        if (len > 0)
                                n[len++] = '/';
                        memcpy(n + len, p, l);
                        len += l;
                        depth++;
                }

                p += l;
                if (*p == '/')
                        p++;
        }
        n[len] = 0;

        if (depth > ENTRY_DEPTH_MAX)
                return refuse_quoting(x, -EBADMSG, entry, quoted, "%s is nested deeper than %u levels",
                                      what, ENTRY_DEPTH_MAX);

        *ret = TAKE_PTR(n);
        *ret_depth = depth;
        return 0;
}

/* A symlink target may climb with leading ".." as far as the link's own directory is deep, and then
 * only descend. ".." after a name is refused: "a/../.." stays inside lexically but escapes once "a"
 * is itself a symlink. With this rule every link resolves inside the tree by induction, since each
 * link's directory is a real one (nothing is ever created through a symlink). */
static int check_symlink_target(Extractor *x, const char *entry, unsigned link_depth, const char *target) {
        unsigned ups = 0;
        bool descended = false;

        if (isempty(target))
                return refuse(x, -EBADMSG, entry, "symlink has an empty target");
        if (target[0] == '/')
                return refuse_quoting(x, -EBADMSG, entry, target, "symlink leaves the release directory: absolute target");
        if (strlen(target) > ENTRY_PATH_MAX)
                return refuse(x, -EBADMSG, entry, "symlink target is longer than %u bytes", ENTRY_PATH_MAX);

        for (const char *p = target; *p;) {
                size_t l = strcspn(p, "/");

                if (l == 2 && p[0] == '.' && p[1] == '.') {
                        if (descended)
                                return refuse_quoting(x, -EBADMSG, entry, target, "symlink target has '..' after a name:");
                        /* The link sits link_depth - 1 levels below the release directory. */
                        if (++ups >= link_depth)
                                return refuse_quoting(x, -EBADMSG, entry, target, "symlink leaves the release directory: target");
                } else if (l > 0 && !(l == 1 && p[0] == '.'))
                        descended = true;

                p += l;
                if (*p == '/')
                        p++;
        }

        return 0;
}

static int openat2_beneath(int dir_fd, const char *path) {
        struct open_how how = {
                .flags = O_RDONLY|O_DIRECTORY|O_CLOEXEC,
                .resolve = RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV,
        };
        long fd;

        fd = syscall(SYS_openat2, dir_fd, path, &how, sizeof how);
        if (fd < 0)
                return -errno;
        return (int) fd;
}

/* Opens directory name in dir_fd, creating it (0755 exactly, whatever the umask) if create is set.
 * -ELOOP means name is a symlink, -ENOTDIR something else that is no directory. */
static int open_component(int dir_fd, const char *name, bool create) {
        struct stat st;
        int fd;

        fd = openat(dir_fd, name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
        if (fd >= 0)
                return fd;
        if (errno == ENOENT && create) {
                if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
                        return -errno;
                fd = openat(dir_fd, name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                if (fchmod(fd, 0755) < 0) {
                        int r = -errno;
                        (void) close(fd);
                        return r;
                }
                return fd;
        }
        if (!IN_SET(errno, ENOTDIR, ELOOP))
                return -errno;

        /* O_DIRECTORY|O_NOFOLLOW on a symlink fails with ENOTDIR, not ELOOP: look to tell. */
        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
}

/* Opens the directory dir (normalized, "" for the release directory) below the target. */
static int open_beneath(Extractor *x, const char *dir, bool create) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *copy = NULL;
        char *p, *slash;
        int r;

        if (isempty(dir)) {
                fd = fcntl(x->target_fd, F_DUPFD_CLOEXEC, 3);
                return fd < 0 ? -errno : TAKE_FD(fd);
        }

        /* The fast path: one call resolves the whole path, with the kernel enforcing what the walk
         * below does by hand. Anything unusual is left to the walk, which knows which component is
         * wrong and creates missing ones. */
        if (!x->openat2_broken) {
                r = openat2_beneath(x->target_fd, dir);
                if (r >= 0)
                        return r;
                if (IN_SET(r, -ENOSYS, -EPERM, -E2BIG))
                        x->openat2_broken = true;
        }

        copy = strdup(dir);
        if (!copy)
                return -ENOMEM;

        fd = fcntl(x->target_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;

        for (p = copy; p; p = slash) {
                int next;

                slash = strchr(p, '/');
                if (slash)
                        *slash++ = 0;

                next = open_component(fd, p, create);
                if (next < 0)
                        return next;
                (void) close(fd);
                fd = next;
        }

        return TAKE_FD(fd);
}

/* Splits normalized path into its directory ("" at the top) and last name, in place. */
static void split_path(char *path, const char **ret_dir, const char **ret_name) {
        char *slash = strrchr(path, '/');

        if (!slash) {
                *ret_dir = "";
                *ret_name = path;
                return;
        }
        *slash = 0;
        *ret_dir = path;
        *ret_name = slash + 1;
}

static int refuse_open_error(Extractor *x, int r, const char *entry, const char *what) {
        if (r == -ELOOP)
                return refuse(x, -EBADMSG, entry, "%s goes through a symlink", what);
        if (r == -ENOTDIR)
                return refuse(x, -EBADMSG, entry, "%s goes through something that is not a directory", what);
        if (r == -EXDEV)
                return refuse(x, -EBADMSG, entry, "%s crosses a mount point", what);
        return r;
}

/* Opens the parent directory of an entry, creating missing directories as tar does. */
static int open_entry_parent(Extractor *x, const char *entry, const char *dir) {
        int fd;

        fd = open_beneath(x, dir, /* create= */ true);
        if (fd < 0)
                return refuse_open_error(x, fd, entry, "path");
        return fd;
}

static int refuse_exists(Extractor *x, const char *entry, int error) {
        if (error == -EEXIST)
                return refuse(x, -EBADMSG, entry, "path appears twice in the archive");
        return error;
}

static int extract_directory(Extractor *x, const char *entry, char *path) {
        _cleanup_close_ int parent_fd = -EBADF, fd = -EBADF;
        const char *dir, *name;

        split_path(path, &dir, &name);
        parent_fd = open_entry_parent(x, entry, dir);
        if (parent_fd < 0)
                return parent_fd;

        /* A directory entry after files inside it (created implicitly) is fine. */
        fd = open_component(parent_fd, name, /* create= */ true);
        if (fd == -ELOOP || fd == -ENOTDIR)
                return refuse(x, -EBADMSG, entry, "path appears twice in the archive, first not as a directory");
        if (fd < 0)
                return fd;

        return 0;
}

static int copy_data(Extractor *x, const char *entry, int fd) {
        int r;

        for (;;) {
                la_ssize_t n;

                if (cancel_requested(x->cancel))
                        return -ECANCELED;

                n = archive_read_data(x->archive, x->buffer, COPY_BUFFER_SIZE);
                if (n == 0)
                        return 0;
                if (n < 0)
                        return refuse_quoting(x, -EBADMSG, entry, archive_error_string(x->archive) ?: "unknown error",
                                              "data is damaged:");

                /* Counted as written, not as declared: zip headers may lie about sizes, and the
                 * bound must hold before the bytes reach the disk. */
                if ((uint64_t) n > x->limits.max_total_size - x->total_size)
                        return refuse(x, -EFBIG, entry, "archive unpacks to more than %" PRIu64 " bytes",
                                      x->limits.max_total_size);
                x->total_size += (uint64_t) n;

                r = loop_write(fd, x->buffer, (size_t) n);
                if (r < 0)
                        return r;
        }
}

static int extract_file(Extractor *x, const char *entry, char *path, mode_t mode) {
        _cleanup_close_ int parent_fd = -EBADF, fd = -EBADF;
        const char *dir, *name;
        int r;

        split_path(path, &dir, &name);
        parent_fd = open_entry_parent(x, entry, dir);
        if (parent_fd < 0)
                return parent_fd;

        /* O_EXCL: never write into something that exists, least of all through a symlink. */
        fd = openat(parent_fd, name, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, 0600);
        if (fd < 0)
                return refuse_exists(x, entry, -errno);

        r = copy_data(x, entry, fd);
        if (r < 0)
                return r;

        if (fchmod(fd, (mode & S_IXUSR) ? 0755 : 0644) < 0)
                return -errno;

        return 0;
}

static int extract_symlink(Extractor *x, const char *entry, char *path, unsigned depth, const char *target) {
        _cleanup_close_ int parent_fd = -EBADF;
        const char *dir, *name;
        int r;

        r = check_symlink_target(x, entry, depth, target);
        if (r < 0)
                return r;

        split_path(path, &dir, &name);
        parent_fd = open_entry_parent(x, entry, dir);
        if (parent_fd < 0)
                return parent_fd;

        if (symlinkat(target, parent_fd, name) < 0)
                return refuse_exists(x, entry, -errno);

        return 0;
}

static int extract_hardlink(Extractor *x, const char *entry, char *path, const char *link) {
        _cleanup_close_ int parent_fd = -EBADF, target_parent_fd = -EBADF;
        _cleanup_free_ char *target = NULL;
        const char *dir, *name, *target_dir, *target_name;
        unsigned target_depth;
        struct stat st;
        int r;

        r = normalize_entry_path(x, entry, "hardlink target", link, link, &target, &target_depth);
        if (r < 0)
                return r;
        if (target_depth == 0)
                return refuse_quoting(x, -EBADMSG, entry, link, "hardlink target is not a regular file:");

        split_path(target, &target_dir, &target_name);
        target_parent_fd = open_beneath(x, target_dir, /* create= */ false);
        if (target_parent_fd == -ENOENT)
                return refuse_quoting(x, -EBADMSG, entry, link, "hardlink target is not extracted (yet):");
        if (target_parent_fd < 0)
                return refuse_open_error(x, target_parent_fd, entry, "hardlink target");

        if (fstatat(target_parent_fd, target_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return refuse_quoting(x, -EBADMSG, entry, link, "hardlink target is not extracted (yet):");
                return -errno;
        }
        if (!S_ISREG(st.st_mode))
                return refuse_quoting(x, -EBADMSG, entry, link, "hardlink target is not a regular file:");

        split_path(path, &dir, &name);
        parent_fd = open_entry_parent(x, entry, dir);
        if (parent_fd < 0)
                return parent_fd;

        if (linkat(target_parent_fd, target_name, parent_fd, name, 0) < 0)
                return refuse_exists(x, entry, -errno);

        return 0;
}

static int extract_entry(Extractor *x, struct archive_entry *e) {
        _cleanup_free_ char *path = NULL;
        const char *entry, *link;
        unsigned depth;
        mode_t mode;
        int r;

        entry = archive_entry_pathname(e);
        if (!entry)
                return refuse(x, -EBADMSG, NULL, "entry %" PRIu64 " has no path name that can be read",
                              x->n_entries + 1);

        /* Checked before anything of the entry is created, so at most max_entries exist. */
        if (x->n_entries >= x->limits.max_entries)
                return refuse(x, -EFBIG, entry, "archive has more than %" PRIu64 " entries", x->limits.max_entries);
        x->n_entries++;

        r = normalize_entry_path(x, entry, "path", NULL, entry, &path, &depth);
        if (r < 0)
                return r;

        mode = archive_entry_mode(e);
        if (mode & S_ISUID)
                return refuse(x, -EBADMSG, entry, "setuid bit is set");
        if (mode & S_ISGID)
                return refuse(x, -EBADMSG, entry, "setgid bit is set");
        if (mode & S_ISVTX)
                return refuse(x, -EBADMSG, entry, "sticky bit is set");

        /* A hardlink's data, if a pax archive carries any, is that of the file it names, already
         * written: it is skipped, not written through the link. */
        link = archive_entry_hardlink(e);
        if (link) {
                if (depth == 0)
                        return refuse(x, -EBADMSG, entry, "path names the release directory itself");
                return extract_hardlink(x, entry, path, link);
        }

        switch (archive_entry_filetype(e)) {

        case AE_IFDIR:
                if (depth == 0)
                        return 0;   /* "./": the release directory, which exists */
                return extract_directory(x, entry, path);

        case AE_IFREG:
                if (depth == 0)
                        return refuse(x, -EBADMSG, entry, "path names the release directory itself");
                return extract_file(x, entry, path, mode);

        case AE_IFLNK:
                if (depth == 0)
                        return refuse(x, -EBADMSG, entry, "path names the release directory itself");
                return extract_symlink(x, entry, path, depth, strempty(archive_entry_symlink(e)));

        case AE_IFCHR:
                return refuse(x, -EBADMSG, entry, "character devices are not allowed");
        case AE_IFBLK:
                return refuse(x, -EBADMSG, entry, "block devices are not allowed");
        case AE_IFIFO:
                return refuse(x, -EBADMSG, entry, "FIFOs are not allowed");
        case AE_IFSOCK:
                return refuse(x, -EBADMSG, entry, "sockets are not allowed");
        default:
                return refuse(x, -EBADMSG, entry, "unknown file type 0%o", (unsigned) archive_entry_filetype(e));
        }
}

static void extractor_done(Extractor *x) {
        if (x->archive)
                (void) archive_read_free(x->archive);
        free(x->reason);
        free(x->buffer);
}

ArchiveLimits archive_limits_for_size(uint64_t archive_size) {
        ArchiveLimits l = ARCHIVE_LIMITS_DEFAULT;
        const uint64_t floor = 64ULL << 20;

        if (archive_size < l.max_total_size / 100)
                l.max_total_size = archive_size * 100 > floor ? archive_size * 100 : floor;
        return l;
}

int archive_extract_safe(int archive_fd, int target_dir_fd, const ArchiveLimits *limits, const CancelFlag *cancel,
                         char **ret_reason) {
        _cleanup_(extractor_done) Extractor x = {
                .target_fd = target_dir_fd,
                .limits = limits ? *limits : ARCHIVE_LIMITS_DEFAULT,
                .cancel = cancel,
        };
        _cleanup_free_ char *last = NULL;
        int r;

        if (archive_fd < 0 || target_dir_fd < 0)
                return -EBADF;

        x.buffer = malloc(COPY_BUFFER_SIZE);
        if (!x.buffer)
                return -ENOMEM;

        x.archive = archive_read_new();
        if (!x.archive)
                return -ENOMEM;

        /* Only the formats a channel may declare (tar covers ustar, pax and GNU tar), and the
         * compressions libarchive decodes itself: "all" would also run external programs (lzop, lrzip,
         * grzip) from the daemon on behalf of a download. */
        if (archive_read_support_filter_gzip(x.archive) == ARCHIVE_FATAL ||
            archive_read_support_filter_bzip2(x.archive) == ARCHIVE_FATAL ||
            archive_read_support_filter_xz(x.archive) == ARCHIVE_FATAL ||
            archive_read_support_filter_lzma(x.archive) == ARCHIVE_FATAL ||
            archive_read_support_filter_zstd(x.archive) == ARCHIVE_FATAL ||
            archive_read_support_filter_lz4(x.archive) == ARCHIVE_FATAL ||
            archive_read_support_format_tar(x.archive) != ARCHIVE_OK ||
            archive_read_support_format_zip(x.archive) != ARCHIVE_OK)
                return -EOPNOTSUPP;

        if (archive_read_open_fd(x.archive, archive_fd, READ_BLOCK_SIZE) != ARCHIVE_OK) {
                r = archive_errno(x.archive) == ENOMEM ? -ENOMEM : -EBADMSG;
                r = refuse_quoting(&x, r, NULL, archive_error_string(x.archive) ?: "unknown error",
                                   "archive is not a readable tar or zip archive:");
                goto finish;
        }

        for (;;) {
                struct archive_entry *e;

                if (cancel_requested(cancel)) {
                        r = -ECANCELED;
                        goto finish;
                }

                r = archive_read_next_header(x.archive, &e);
                if (r == ARCHIVE_EOF)
                        break;
                /* ARCHIVE_WARN still delivers a usable entry (say, a name not in the locale's
                 * charset); RETRY is taken as failure, lest a broken archive loop forever. */
                if (r < ARCHIVE_WARN) {
                        const char *err = archive_error_string(x.archive) ?: "unknown error";

                        if (archive_errno(x.archive) == ENOMEM)
                                r = -ENOMEM;
                        else if (last)
                                r = refuse_quoting(&x, -EBADMSG, last, err, "archive is damaged after this entry:");
                        else
                                r = refuse_quoting(&x, -EBADMSG, NULL, err, "archive is not a readable tar or zip archive:");
                        goto finish;
                }

                r = extract_entry(&x, e);
                if (r < 0)
                        goto finish;

                free(last);
                last = strdup(archive_entry_pathname(e));
                if (!last)
                        return -ENOMEM;
        }

        r = 0;

finish:
        if (r < 0 && x.reason && ret_reason)
                *ret_reason = TAKE_PTR(x.reason);
        return r;
}
