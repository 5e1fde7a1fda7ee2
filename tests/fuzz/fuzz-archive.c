/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: archive_extract_safe() on arbitrary bytes must never crash or leak, and whatever
 * tree it leaves (accepted or refused half-way) must keep its promises: nothing but directories,
 * regular files and symlinks, the expected modes, no link that resolves outside, no more bytes than
 * the limit. rm_rf_at() must then remove it all.
 *
 * Random bytes rarely make a tar header with a valid checksum, so an input starting with
 * "ENTRIES\n" is instead a list of entries, one a line, "TPATH" or "TPATH\tARG", that is written
 * into a tar with libarchive first: that way the fuzzer explores our path and link rules rather than
 * libarchive's parsers. T is f (file 0644, ARG its content), x (file 0755), s (setuid file),
 * d (directory), l (symlink to ARG), h (hardlink to ARG), c (character device), p (FIFO). */
#include <archive.h>
#include <archive_entry.h>
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "archive-extract.h"
#include "macro.h"
#include "stage.h"

#define FUZZ_MAX_TOTAL_SIZE (1024U * 1024U)
#define FUZZ_MAX_ENTRIES 256U

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ENTRIES_MAGIC "ENTRIES\n"

static int base_fd = -EBADF;
static char base_path[] = "/tmp/fuzz-archive-XXXXXX";

static void remove_base(void) {
        (void) rmdir(base_path);
}

/* Input bytes are not NUL-terminated, and may hold NULs: a path ends at the first. */
static char *copy_bytes(const char *p, size_t n) {
        char *s = malloc(n + 1);

        assert(s);
        memcpy(s, p, n);
        s[n] = 0;
        return s;
}

static void add_entry(struct archive *a, const char *line, size_t len) {
        _cleanup_free_ char *path = NULL;
        struct archive_entry *e;
        const char *tab, *arg = "";
        size_t arg_len = 0;

        if (len < 2)
                return;
        tab = memchr(line + 1, '\t', len - 1);   /* line[0] is the type, even if a tab */
        path = copy_bytes(line + 1, (tab ? (size_t) (tab - line) : len) - 1);
        if (tab) {
                arg = tab + 1;
                arg_len = len - (size_t) (arg - line);
        }

        e = archive_entry_new();
        assert(e);
        archive_entry_set_pathname(e, path);
        archive_entry_set_perm(e, 0644);
        switch (line[0]) {
        case 'x':
                archive_entry_set_perm(e, 0755);
                __attribute__((fallthrough));
        case 'f':
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_size(e, (la_int64_t) arg_len);
                break;
        case 's':
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_perm(e, 04755);
                break;
        case 'd':
                archive_entry_set_filetype(e, AE_IFDIR);
                archive_entry_set_perm(e, 0755);
                break;
        case 'l':
        case 'h': {
                _cleanup_free_ char *target = copy_bytes(arg, arg_len);

                archive_entry_set_filetype(e, line[0] == 'l' ? AE_IFLNK : AE_IFREG);
                if (line[0] == 'l')
                        archive_entry_set_symlink(e, target);
                else
                        archive_entry_set_hardlink(e, target);
                arg_len = 0;
                break;
        }
        case 'c':
                archive_entry_set_filetype(e, AE_IFCHR);
                archive_entry_set_rdev(e, makedev(1, 3));
                break;
        case 'p':
                archive_entry_set_filetype(e, AE_IFIFO);
                break;
        default:
                archive_entry_free(e);
                return;
        }

        if (archive_write_header(a, e) == ARCHIVE_OK && arg_len > 0 && IN_SET(line[0], 'f', 'x'))
                (void) archive_write_data(a, arg, arg_len);
        archive_entry_free(e);
}

/* Writes the entries listed in data as a pax tar into fd. */
static void write_entries(int fd, const uint8_t *data, size_t size) {
        struct archive *a;

        a = archive_write_new();
        assert(a);
        assert(archive_write_set_format_pax_restricted(a) == ARCHIVE_OK);
        assert(archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK);
        assert(archive_write_open_fd(a, fd) == ARCHIVE_OK);

        for (const char *p = (const char *) data, *end = p + size; p < end;) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t len = nl ? (size_t) (nl - p) : (size_t) (end - p);

                add_entry(a, p, len);
                p += len + 1;
        }

        (void) archive_write_close(a);
        (void) archive_write_free(a);
}

/* Every symlink, followed from the release directory, stays below it: RESOLVE_BENEATH says EXDEV
 * when a path escapes. Dangling links and loops are fine. */
static void check_link_beneath(int root_fd, const char *path) {
        struct open_how how = {
                .flags = O_PATH|O_CLOEXEC,
                .resolve = RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS,
        };
        long fd = -1;

        /* EAGAIN: a rename anywhere on the system raced with resolving "..", try again. */
        for (unsigned attempt = 0; attempt < 100; attempt++) {
                fd = syscall(SYS_openat2, root_fd, path, &how, sizeof how);
                if (fd >= 0 || errno != EAGAIN)
                        break;
        }
        if (fd >= 0) {
                (void) close((int) fd);
                return;
        }
        if (errno == ENOSYS)
                return;
        if (errno == EXDEV) {
                fprintf(stderr, "symlink '%s' escapes the release directory\n", path);
                abort();
        }
        /* A link may dangle, loop, or name something unresolvable (a name > NAME_MAX). */
        if (!IN_SET(errno, ENOENT, ELOOP, ENOTDIR, ENAMETOOLONG)) {
                fprintf(stderr, "symlink '%s': %m\n", path);
                abort();
        }
}

static void check_tree(int root_fd, int dir_fd, const char *prefix, uint64_t *total) {
        DIR *d;

        d = fdopendir(fcntl(dir_fd, F_DUPFD_CLOEXEC, 3));
        assert(d);

        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_free_ char *path = NULL;
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                assert(asprintf(&path, "%s%s%s", prefix, *prefix ? "/" : "", de->d_name) > 0);
                assert(fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0);

                if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int fd = -EBADF;

                        assert((st.st_mode & 07777) == 0755);
                        fd = openat(dir_fd, de->d_name, O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC);
                        assert(fd >= 0);
                        check_tree(root_fd, fd, path, total);
                } else if (S_ISREG(st.st_mode)) {
                        /* A file cut short by a refusal is still 0600. */
                        assert(IN_SET(st.st_mode & 07777, 0755, 0644, 0600));
                        /* Each of a file's hardlinks (all inside the tree) counts its share. */
                        *total += (uint64_t) st.st_size / st.st_nlink;
                } else if (S_ISLNK(st.st_mode))
                        check_link_beneath(root_fd, path);
                else {
                        fprintf(stderr, "'%s' has type 0%o\n", path, st.st_mode & S_IFMT);
                        abort();
                }
        }

        closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const ArchiveLimits limits = { .max_total_size = FUZZ_MAX_TOTAL_SIZE, .max_entries = FUZZ_MAX_ENTRIES };
        _cleanup_close_ int fd = -EBADF, target_fd = -EBADF;
        _cleanup_free_ char *reason = NULL;
        uint64_t total = 0;
        int r;

        if (base_fd < 0) {
                assert(mkdtemp(base_path));
                base_fd = open(base_path, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                assert(base_fd >= 0);
                assert(atexit(remove_base) == 0);
        }

        fd = memfd_create("fuzz-archive", MFD_CLOEXEC);
        assert(fd >= 0);
        if (size >= strlen(ENTRIES_MAGIC) && memcmp(data, ENTRIES_MAGIC, strlen(ENTRIES_MAGIC)) == 0)
                write_entries(fd, data + strlen(ENTRIES_MAGIC), size - strlen(ENTRIES_MAGIC));
        else
                assert(write(fd, data, size) == (ssize_t) size);
        assert(lseek(fd, 0, SEEK_SET) == 0);

        assert(mkdirat(base_fd, "t", 0755) == 0);
        target_fd = openat(base_fd, "t", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        assert(target_fd >= 0);

        r = archive_extract_safe(fd, target_fd, &limits, NULL, &reason);
        if (getenv("FUZZ_ARCHIVE_VERBOSE"))
                fprintf(stderr, "archive_extract_safe() = %d %s\n", r, strempty(reason));
        if (r < 0)
                assert(IN_SET(r, -EBADMSG, -EFBIG) ? !!reason : !reason);
        else
                assert(!reason);

        check_tree(target_fd, target_fd, "", &total);
        assert(total <= FUZZ_MAX_TOTAL_SIZE);

        assert(rm_rf_at(base_fd, "t") == 0);
        assert(faccessat(base_fd, "t", F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT);
        return 0;
}
