/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every archive here is built by the test itself with libarchive's writer, so each hostile entry is
 * exactly what the case says. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "archive-extract.h"
#include "macro.h"
#include "test-util.h"
#include "tests.h"

static char tmpdir[] = "/tmp/test-archive-extract-XXXXXX";

typedef enum Format {
        FORMAT_PAX,
        FORMAT_GNUTAR,
        FORMAT_ZIP,
} Format;

typedef enum Filter {
        FILTER_NONE,
        FILTER_GZIP,
        FILTER_XZ,
        FILTER_ZSTD,
} Filter;

typedef struct Entry {
        const char *path;
        mode_t type;            /* AE_IFREG, AE_IFDIR, … */
        mode_t perm;
        const char *data;       /* content of a regular file */
        size_t zeros;           /* or this many zero bytes */
        const char *symlink;
        const char *hardlink;
        dev_t rdev;
} Entry;

#define FILE_ENTRY(p, m, d) { .path = (p), .type = AE_IFREG, .perm = (m), .data = (d) }
#define DIR_ENTRY(p) { .path = (p), .type = AE_IFDIR, .perm = 0755 }
#define LINK_ENTRY(p, t) { .path = (p), .type = AE_IFLNK, .perm = 0777, .symlink = (t) }
#define HARD_ENTRY(p, t) { .path = (p), .type = AE_IFREG, .perm = 0644, .hardlink = (t) }
#define ZEROS_ENTRY(p, n) { .path = (p), .type = AE_IFREG, .perm = 0644, .zeros = (n) }

static int add_filter(struct archive *a, Filter filter) {
        switch (filter) {
        case FILTER_NONE:
                return ARCHIVE_OK;
        case FILTER_GZIP:
                return archive_write_add_filter_gzip(a);
        case FILTER_XZ:
                return archive_write_add_filter_xz(a);
        case FILTER_ZSTD:
                return archive_write_add_filter_zstd(a);
        }
        return ARCHIVE_FATAL;
}

/* Returns a memfd holding the archive, positioned at 0, or -EOPNOTSUPP when this libarchive cannot
 * write the filter or the entry type in that format. */
static int try_make_archive(Format format, Filter filter, const Entry *entries, size_t n) {
        struct archive *a;
        int fd, r;

        fd = memfd_create("archive", MFD_CLOEXEC);
        ASSERT_GE(fd, 0);

        a = archive_write_new();
        ASSERT_NOT_NULL(a);
        switch (format) {
        case FORMAT_PAX:
                ASSERT_EQ(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
                break;
        case FORMAT_GNUTAR:
                ASSERT_EQ(archive_write_set_format_gnutar(a), ARCHIVE_OK);
                break;
        case FORMAT_ZIP:
                ASSERT_EQ(archive_write_set_format_zip(a), ARCHIVE_OK);
                break;
        }
        if (add_filter(a, filter) != ARCHIVE_OK) {
                archive_write_free(a);
                close(fd);
                return -EOPNOTSUPP;
        }
        ASSERT_EQ(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
        ASSERT_EQ(archive_write_open_fd(a, fd), ARCHIVE_OK);

        for (size_t i = 0; i < n; i++) {
                const Entry *e = entries + i;
                struct archive_entry *ae = archive_entry_new();
                size_t size = e->data ? strlen(e->data) : e->zeros;

                ASSERT_NOT_NULL(ae);
                archive_entry_set_pathname(ae, e->path);
                archive_entry_set_filetype(ae, e->type);
                archive_entry_set_perm(ae, e->perm);
                archive_entry_set_mtime(ae, 1700000000, 0);
                if (e->symlink)
                        archive_entry_set_symlink(ae, e->symlink);
                if (e->hardlink)
                        archive_entry_set_hardlink(ae, e->hardlink);
                if (e->rdev)
                        archive_entry_set_rdev(ae, e->rdev);
                archive_entry_set_size(ae, e->type == AE_IFREG && !e->hardlink ? (la_int64_t) size : 0);

                r = archive_write_header(a, ae);
                archive_entry_free(ae);
                if (r != ARCHIVE_OK) {
                        fprintf(stderr, "cannot write '%s': %s\n", e->path, archive_error_string(a));
                        archive_write_free(a);
                        close(fd);
                        return -EOPNOTSUPP;
                }

                if (e->data)
                        ASSERT_EQ(archive_write_data(a, e->data, size), (la_ssize_t) size);
                else if (e->zeros > 0) {
                        static const char zero[64 * 1024];

                        for (size_t left = e->zeros; left > 0;) {
                                size_t k = left < sizeof zero ? left : sizeof zero;

                                ASSERT_EQ(archive_write_data(a, zero, k), (la_ssize_t) k);
                                left -= k;
                        }
                }
        }

        ASSERT_EQ(archive_write_close(a), ARCHIVE_OK);
        ASSERT_EQ(archive_write_free(a), ARCHIVE_OK);
        ASSERT_OK_ZERO_ERRNO(lseek(fd, 0, SEEK_SET));
        return fd;
}

/* Whether this libarchive can write the archive at all: asked before a case that needs a filter or
 * an entry type it may lack, so that -EOPNOTSUPP from the code under test is never taken for it. */
static bool archive_writable(Format format, Filter filter, const Entry *entries, size_t n) {
        int fd = try_make_archive(format, filter, entries, n);

        if (fd < 0)
                return false;
        close(fd);
        return true;
}

/* The archive, which this libarchive must be able to write. */
static int make_archive(Format format, Filter filter, const Entry *entries, size_t n) {
        int fd = try_make_archive(format, filter, entries, n);

        if (fd < 0)
                TEST_FAIL("this libarchive cannot write format %d, filter %d", format, filter);
        return fd;
}

/* A fresh tmpdir/name/ with an empty target/ inside: "outside" is name/, where an escape would land. */
static int fresh_dirs(const char *name, int *ret_target_fd) {
        int outside_fd = test_open_fresh_dir(tmpdir, name);

        ASSERT_OK_ZERO_ERRNO(mkdirat(outside_fd, "target", 0755));
        *ret_target_fd = openat(outside_fd, "target", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_OK_ERRNO(*ret_target_fd);
        return outside_fd;
}

static bool exists(int dir_fd, const char *path) {
        struct stat st;

        return fstatat(dir_fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void assert_file(int dir_fd, const char *path, const char *content, mode_t mode) {
        _cleanup_close_ int fd = -EBADF;
        char buf[256];
        struct stat st;
        ssize_t n;

        fd = openat(dir_fd, path, O_RDONLY|O_NOFOLLOW|O_CLOEXEC);
        ASSERT_GE(fd, 0);
        ASSERT_OK_ZERO_ERRNO(fstat(fd, &st));
        ASSERT_TRUE(S_ISREG(st.st_mode));
        if ((st.st_mode & 07777) != mode)
                fprintf(stderr, "%s: mode %o, expected %o\n", path, st.st_mode & 07777, mode);
        ASSERT_EQ((st.st_mode & 07777), mode);
        n = read(fd, buf, sizeof buf);
        ASSERT_EQ(n, (ssize_t) strlen(content));
        ASSERT_MEMEQ(buf, content, (size_t) n);
}

static void assert_dir(int dir_fd, const char *path) {
        struct stat st;

        ASSERT_OK_ZERO_ERRNO(fstatat(dir_fd, path, &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_TRUE(S_ISDIR(st.st_mode));
        ASSERT_EQ((st.st_mode & 07777), 0755);
}

static void assert_symlink(int dir_fd, const char *path, const char *target) {
        char buf[256];
        ssize_t n;

        n = readlinkat(dir_fd, path, buf, sizeof buf);
        ASSERT_EQ(n, (ssize_t) strlen(target));
        ASSERT_MEMEQ(buf, target, (size_t) n);
}

static unsigned counter;

static int extract_entries(Format format, Filter filter, const Entry *entries, size_t n,
                           const ArchiveLimits *limits, int *ret_outside_fd, int *ret_target_fd, char **ret_reason) {
        _cleanup_close_ int fd = -EBADF;
        char name[32];

        fd = make_archive(format, filter, entries, n);

        (void) snprintf(name, sizeof name, "case-%u", counter++);
        *ret_outside_fd = fresh_dirs(name, ret_target_fd);

        return archive_extract_safe(fd, *ret_target_fd, limits, NULL, ret_reason);
}

/* Refused with error, a reason naming entry and containing what; nothing appeared outside target/. */
static void assert_refused_as(Format format, const Entry *entries, size_t n, const ArchiveLimits *limits,
                              int error, const char *entry, const char *what) {
        _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF;
        _cleanup_free_ char *reason = NULL, *quoted = NULL;
        int r;

        r = extract_entries(format, FILTER_NONE, entries, n, limits, &outside_fd, &target_fd, &reason);
        printf("  %s → %d: %s\n", entry, r, strempty(reason));
        ASSERT_EQ(r, error);
        ASSERT_NOT_NULL(reason);
        ASSERT_GT(asprintf(&quoted, "entry '%s'", entry), 0);
        ASSERT_NOT_NULL(strstr(reason, quoted));
        ASSERT_NOT_NULL(strstr(reason, what));
        /* target/ is the only thing in outside/ */
        ASSERT_EQ(test_count_entries(outside_fd), 1);
}

#define assert_refused(format, entries, error, entry, what) \
        assert_refused_as((format), (entries), ELEMENTSOF(entries), NULL, (error), (entry), (what))

static void test_absolute_path(void) {
        const Entry tar[] = { FILE_ENTRY("/etc/upkeep-test", 0644, "x") };

        test_case(__func__);
        assert_refused(FORMAT_PAX, tar, -EBADMSG, "/etc/upkeep-test", "absolute");
        ASSERT_LT(access("/etc/upkeep-test", F_OK), 0);
        assert_refused(FORMAT_ZIP, tar, -EBADMSG, "/etc/upkeep-test", "absolute");
}

static void test_dotdot(void) {
        const Entry up[] = { FILE_ENTRY("../x", 0644, "x") };
        const Entry down_up[] = { FILE_ENTRY("a/../../x", 0644, "x") };
        const Entry inner[] = { FILE_ENTRY("a/../b", 0644, "x") };
        const Entry dir[] = { DIR_ENTRY("../d/") };

        test_case(__func__);
        assert_refused(FORMAT_PAX, up, -EBADMSG, "../x", "path leaves the release directory");
        assert_refused(FORMAT_PAX, down_up, -EBADMSG, "a/../../x", "'..'");
        assert_refused(FORMAT_PAX, inner, -EBADMSG, "a/../b", "'..'");
        assert_refused(FORMAT_PAX, dir, -EBADMSG, "../d/", "leaves the release directory");
        assert_refused(FORMAT_GNUTAR, up, -EBADMSG, "../x", "leaves the release directory");
        assert_refused(FORMAT_ZIP, up, -EBADMSG, "../x", "leaves the release directory");
        assert_refused(FORMAT_ZIP, down_up, -EBADMSG, "a/../../x", "'..'");
}

static void test_symlink_escapes(void) {
        const Entry passwd[] = { LINK_ENTRY("passwd", "/etc/passwd") };
        const Entry up2[] = { LINK_ENTRY("a", "../..") };
        const Entry up1[] = { LINK_ENTRY("a", "..") };
        const Entry deep[] = { DIR_ENTRY("sub/"), LINK_ENTRY("sub/a", "../../x") };
        const Entry after_name[] = { DIR_ENTRY("sub/"), LINK_ENTRY("sub/a", "x/../../..") };
        const Entry empty[] = { LINK_ENTRY("e", "") };

        test_case(__func__);
        assert_refused(FORMAT_PAX, passwd, -EBADMSG, "passwd", "leaves the release directory");
        assert_refused(FORMAT_PAX, up2, -EBADMSG, "a", "leaves the release directory");
        assert_refused(FORMAT_PAX, up1, -EBADMSG, "a", "leaves the release directory");
        assert_refused(FORMAT_PAX, deep, -EBADMSG, "sub/a", "leaves the release directory");
        assert_refused(FORMAT_PAX, after_name, -EBADMSG, "sub/a", "'..' after a name");
        assert_refused(FORMAT_ZIP, passwd, -EBADMSG, "passwd", "leaves the release directory");
        assert_refused(FORMAT_ZIP, up2, -EBADMSG, "a", "leaves the release directory");
        /* Exactly this refusal, also in a zip. */
        assert_refused(FORMAT_PAX, empty, -EBADMSG, "e", "symlink has an empty target");
        assert_refused(FORMAT_ZIP, empty, -EBADMSG, "e", "symlink has an empty target");
}

static void test_symlink_inside(void) {
        _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF;
        _cleanup_free_ char *reason = NULL;
        const Entry entries[] = {
                DIR_ENTRY("sub/"),
                FILE_ENTRY("sub/file", 0644, "data"),
                LINK_ENTRY("lnk", "sub"),
                LINK_ENTRY("sub/up", ".."),
                LINK_ENTRY("sub/sibling", "./file"),
                LINK_ENTRY("sub/deeper/x", "../../sub/file"),
                LINK_ENTRY("dangling", "sub/not-there"),
        };

        test_case(__func__);
        ASSERT_OK_ZERO(extract_entries(FORMAT_PAX, FILTER_NONE, entries, ELEMENTSOF(entries), NULL,
                               &outside_fd, &target_fd, &reason));
        ASSERT_NULL(reason);

        assert_symlink(target_fd, "lnk", "sub");
        assert_symlink(target_fd, "sub/up", "..");
        assert_symlink(target_fd, "sub/deeper/x", "../../sub/file");
        ASSERT_OK_ZERO_ERRNO(faccessat(target_fd, "sub/deeper/x", R_OK, 0));
        ASSERT_OK_ZERO_ERRNO(faccessat(target_fd, "sub/sibling", R_OK, 0));
        ASSERT_TRUE(exists(target_fd, "dangling"));
}

static void test_write_through_symlink(void) {
        const Entry file_through[] = {
                DIR_ENTRY("sub/"),
                LINK_ENTRY("lnk", "sub"),
                FILE_ENTRY("lnk/file", 0644, "x"),
        };
        const Entry dir_through[] = {
                DIR_ENTRY("sub/"),
                LINK_ENTRY("lnk", "sub"),
                DIR_ENTRY("lnk/d/"),
        };
        const Entry replace_link[] = {
                LINK_ENTRY("lnk", "sub"),
                FILE_ENTRY("lnk", 0644, "x"),
        };
        const Entry link_over_file[] = {
                FILE_ENTRY("f", 0644, "x"),
                LINK_ENTRY("f", "g"),
        };
        _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF;
        _cleanup_free_ char *reason = NULL;

        test_case(__func__);
        assert_refused(FORMAT_PAX, file_through, -EBADMSG, "lnk/file", "symlink");
        assert_refused(FORMAT_PAX, dir_through, -EBADMSG, "lnk/d/", "symlink");
        assert_refused(FORMAT_ZIP, file_through, -EBADMSG, "lnk/file", "symlink");
        assert_refused(FORMAT_PAX, replace_link, -EBADMSG, "lnk", "twice");
        assert_refused(FORMAT_PAX, link_over_file, -EBADMSG, "f", "twice");

        /* Nothing was written into sub/ through the link. */
        ASSERT_ERROR(extract_entries(FORMAT_PAX, FILTER_NONE, file_through, ELEMENTSOF(file_through), NULL,
                               &outside_fd, &target_fd, &reason), EBADMSG);
        ASSERT_FALSE(exists(target_fd, "sub/file"));
}

static void test_hardlinks(void) {
        const Entry outside[] = { HARD_ENTRY("h", "../x") };
        const Entry absolute[] = { HARD_ENTRY("h", "/etc/passwd") };
        const Entry later[] = { HARD_ENTRY("h", "later"), FILE_ENTRY("later", 0644, "x") };
        const Entry to_dir[] = { DIR_ENTRY("d/"), HARD_ENTRY("h", "d") };
        const Entry to_link[] = { LINK_ENTRY("l", "f"), FILE_ENTRY("f", 0644, "x"), HARD_ENTRY("h", "l") };
        const Entry via_link[] = {
                DIR_ENTRY("sub/"), FILE_ENTRY("sub/f", 0644, "x"), LINK_ENTRY("lnk", "sub"), HARD_ENTRY("h", "lnk/f"),
        };
        const Entry good[] = { FILE_ENTRY("d/f", 0755, "shared"), HARD_ENTRY("e/h", "./d/f") };
        _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF;
        _cleanup_free_ char *reason = NULL;
        struct stat a, b;

        test_case(__func__);
        assert_refused(FORMAT_PAX, outside, -EBADMSG, "h", "hardlink target leaves the release directory");
        assert_refused(FORMAT_PAX, absolute, -EBADMSG, "h", "hardlink target is absolute");
        assert_refused(FORMAT_PAX, later, -EBADMSG, "h", "not extracted");
        assert_refused(FORMAT_PAX, to_dir, -EBADMSG, "h", "not a regular file");
        assert_refused(FORMAT_PAX, to_link, -EBADMSG, "h", "not a regular file");
        assert_refused(FORMAT_PAX, via_link, -EBADMSG, "h", "symlink");

        ASSERT_OK_ZERO(extract_entries(FORMAT_PAX, FILTER_NONE, good, ELEMENTSOF(good), NULL,
                               &outside_fd, &target_fd, &reason));
        ASSERT_OK_ZERO_ERRNO(fstatat(target_fd, "d/f", &a, AT_SYMLINK_NOFOLLOW));
        ASSERT_OK_ZERO_ERRNO(fstatat(target_fd, "e/h", &b, AT_SYMLINK_NOFOLLOW));
        ASSERT_EQ(a.st_ino, b.st_ino);
        ASSERT_EQ(a.st_nlink, 2);
        ASSERT_EQ((b.st_mode & 07777), 0755);
}

static void test_special_files(void) {
        const Entry chr[] = { { .path = "null", .type = AE_IFCHR, .perm = 0666, .rdev = makedev(1, 3) } };
        const Entry blk[] = { { .path = "sda", .type = AE_IFBLK, .perm = 0660, .rdev = makedev(8, 0) } };
        const Entry fifo[] = { { .path = "fifo", .type = AE_IFIFO, .perm = 0644 } };

        test_case(__func__);
        assert_refused(FORMAT_PAX, chr, -EBADMSG, "null", "character device");
        assert_refused(FORMAT_PAX, blk, -EBADMSG, "sda", "block device");
        assert_refused(FORMAT_PAX, fifo, -EBADMSG, "fifo", "FIFO");
        assert_refused(FORMAT_GNUTAR, chr, -EBADMSG, "null", "character device");
}

/* Neither tar nor libarchive's zip writer can store a socket, but a zip's central directory carries
 * a full Unix mode: patch a regular file's mode into a socket's (or a FIFO's) there. */
static int make_zip_with_mode(const char *path, mode_t mode) {
        const Entry entries[] = { FILE_ENTRY(path, 0644, "x") };
        unsigned char buf[4096];
        bool patched = false;
        ssize_t n;
        int fd;

        fd = make_archive(FORMAT_ZIP, FILTER_NONE, entries, 1);
        ASSERT_GE(fd, 0);
        n = pread(fd, buf, sizeof buf, 0);
        ASSERT_GT(n, 46);
        ASSERT_LT(n, (ssize_t) sizeof buf);

        for (ssize_t i = 0; i + 46 <= n; i++)
                if (memcmp(buf + i, "PK\1\2", 4) == 0) {
                        /* external file attributes at offset 38; the Unix mode is the high half */
                        unsigned m = buf[i + 40] | (unsigned) buf[i + 41] << 8;

                        ASSERT_TRUE(S_ISREG(m));
                        m = mode;
                        buf[i + 40] = m & 0xff;
                        buf[i + 41] = (m >> 8) & 0xff;
                        patched = true;
                }
        ASSERT_TRUE(patched);
        ASSERT_EQ(pwrite(fd, buf, (size_t) n, 0), n);
        return fd;
}

static void test_zip_special_files(void) {
        static const struct {
                mode_t mode;
                const char *what;
        } cases[] = {
                { S_IFSOCK | 0644, "socket" },
                { S_IFCHR | 0644, "character device" },
                { S_IFBLK | 0644, "block device" },
                { S_IFREG | 04755, "setuid" },
        };
        _cleanup_close_ int fifo_fd = -EBADF, fifo_outside_fd = -EBADF, fifo_target_fd = -EBADF;
        struct stat st;

        test_case(__func__);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_close_ int fd = -EBADF, outside_fd = -EBADF, target_fd = -EBADF;
                _cleanup_free_ char *reason = NULL;
                char name[32];
                int r;

                fd = make_zip_with_mode("special", cases[i].mode);
                (void) snprintf(name, sizeof name, "zip-special-%zu", i);
                outside_fd = fresh_dirs(name, &target_fd);
                r = archive_extract_safe(fd, target_fd, NULL, NULL, &reason);
                printf("  %s → %d: %s\n", cases[i].what, r, strempty(reason));
                ASSERT_ERROR(r, EBADMSG);
                ASSERT_NOT_NULL(reason);
                ASSERT_NOT_NULL(strstr(reason, "entry 'special'"));
                ASSERT_NOT_NULL(strstr(reason, cases[i].what));
                ASSERT_FALSE(exists(target_fd, "special"));
        }

        /* A FIFO in a zip: refused as a FIFO, or (libarchive's zip reader may turn a FIFO mode into a
         * regular file) extracted as that regular file; never a FIFO, never anything else. */
        {
                _cleanup_free_ char *reason = NULL;
                int r;

                fifo_fd = make_zip_with_mode("special", S_IFIFO | 0644);
                fifo_outside_fd = fresh_dirs("zip-fifo", &fifo_target_fd);
                r = archive_extract_safe(fifo_fd, fifo_target_fd, NULL, NULL, &reason);
                printf("  FIFO → %d: %s\n", r, strempty(reason));
                if (r == 0) {
                        ASSERT_NULL(reason);
                        ASSERT_OK_ZERO_ERRNO(fstatat(fifo_target_fd, "special", &st, AT_SYMLINK_NOFOLLOW));
                        ASSERT_TRUE(S_ISREG(st.st_mode));
                        assert_file(fifo_target_fd, "special", "x", 0644);
                        ASSERT_EQ(test_count_entries(fifo_target_fd), 1);
                } else {
                        ASSERT_ERROR(r, EBADMSG);
                        ASSERT_STREQ(reason, "entry 'special': FIFOs are not allowed");
                        ASSERT_EQ(test_count_entries(fifo_target_fd), 0);
                }
                ASSERT_EQ(test_count_entries(fifo_outside_fd), 1);
        }
}

static void test_mode_bits(void) {
        const Entry setuid[] = { FILE_ENTRY("su", 04755, "x") };
        const Entry setgid[] = { FILE_ENTRY("sg", 02755, "x") };
        const Entry sticky[] = { { .path = "tmp/", .type = AE_IFDIR, .perm = 01777 } };
        const Entry setgid_dir[] = { { .path = "d/", .type = AE_IFDIR, .perm = 02755 } };

        test_case(__func__);
        assert_refused(FORMAT_PAX, setuid, -EBADMSG, "su", "setuid");
        assert_refused(FORMAT_PAX, setgid, -EBADMSG, "sg", "setgid");
        assert_refused(FORMAT_PAX, sticky, -EBADMSG, "tmp/", "sticky");
        assert_refused(FORMAT_PAX, setgid_dir, -EBADMSG, "d/", "setgid");
        assert_refused(FORMAT_ZIP, setuid, -EBADMSG, "su", "setuid");
}

/* 10 MiB of zeros compress to a few KiB: the limit must stop the writing, not the archive's size. */
static void test_bomb(Format format, Filter filter) {
        _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF, fd = -EBADF;
        _cleanup_free_ char *reason = NULL;
        const ArchiveLimits limits = { .max_total_size = 1024 * 1024, .max_entries = 100 };
        const Entry entries[] = {
                FILE_ENTRY("small", 0644, "0123456789"),
                ZEROS_ENTRY("zeros", 10 * 1024 * 1024),
                FILE_ENTRY("after", 0644, "x"),
        };
        struct stat st;
        off_t size;

        printf("%s(%d, %d)\n", __func__, format, filter);
        fd = make_archive(format, filter, entries, ELEMENTSOF(entries));
        ASSERT_GE(fd, 0);
        ASSERT_LT(lseek(fd, 0, SEEK_END), 200 * 1024);   /* it is a bomb */
        ASSERT_OK_ZERO_ERRNO(lseek(fd, 0, SEEK_SET));

        outside_fd = fresh_dirs(format == FORMAT_ZIP ? "bomb-zip" : "bomb-tar", &target_fd);
        ASSERT_ERROR(archive_extract_safe(fd, target_fd, &limits, NULL, &reason), EFBIG);
        printf("  %s\n", reason);
        ASSERT_NOT_NULL(reason);
        ASSERT_NOT_NULL(strstr(reason, "entry 'zeros'"));
        ASSERT_NOT_NULL(strstr(reason, "1048576"));

        ASSERT_OK_ZERO_ERRNO(fstatat(target_fd, "zeros", &st, AT_SYMLINK_NOFOLLOW));
        size = st.st_size;
        ASSERT_LE(size + 10, (off_t) limits.max_total_size);
        ASSERT_GT(size, 0);   /* the data was counted while written, not refused by a header */
        ASSERT_FALSE(exists(target_fd, "after"));
}

static void test_limits_for_size(void) {
        test_case(__func__);

        /* A small download gets the 64 MiB floor; a middling one 100 times its size; a big one the
         * ceiling. */
        ASSERT_EQ(archive_limits_for_size(0).max_total_size, 64ULL << 20);
        ASSERT_EQ(archive_limits_for_size(200 << 10).max_total_size, 64ULL << 20);
        ASSERT_EQ(archive_limits_for_size(10 << 20).max_total_size, 1000ULL << 20);
        ASSERT_EQ(archive_limits_for_size(1ULL << 30).max_total_size, ARCHIVE_LIMITS_DEFAULT.max_total_size);
        ASSERT_EQ(archive_limits_for_size(UINT64_MAX).max_total_size, ARCHIVE_LIMITS_DEFAULT.max_total_size);
        ASSERT_EQ(archive_limits_for_size(10 << 20).max_entries, ARCHIVE_LIMITS_DEFAULT.max_entries);
}

static void test_limit_exact(void) {
        _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF;
        _cleanup_free_ char *reason = NULL;
        const ArchiveLimits limits = { .max_total_size = 100000, .max_entries = 3 };
        const Entry exact[] = { ZEROS_ENTRY("a", 60000), ZEROS_ENTRY("b", 40000), DIR_ENTRY("d/") };
        const Entry one_more_byte[] = { ZEROS_ENTRY("a", 60000), ZEROS_ENTRY("b", 40001) };
        const Entry one_more_entry[] = {
                FILE_ENTRY("f1", 0644, ""), FILE_ENTRY("f2", 0644, ""), FILE_ENTRY("f3", 0644, ""),
                FILE_ENTRY("f4", 0644, ""), FILE_ENTRY("f5", 0644, ""),
        };

        test_case(__func__);
        ASSERT_OK_ZERO(extract_entries(FORMAT_PAX, FILTER_GZIP, exact, ELEMENTSOF(exact), &limits,
                               &outside_fd, &target_fd, &reason));
        ASSERT_NULL(reason);
        ASSERT_TRUE(exists(target_fd, "d"));

        assert_refused_as(FORMAT_PAX, one_more_byte, 2, &limits, -EFBIG, "b", "100000");
        assert_refused_as(FORMAT_PAX, one_more_entry, 5, &limits, -EFBIG, "f4", "more than 3 entries");
        assert_refused_as(FORMAT_ZIP, one_more_entry, 5, &limits, -EFBIG, "f4", "more than 3 entries");

        /* Only the first three were created. */
        close(outside_fd);
        close(target_fd);
        outside_fd = target_fd = -EBADF;
        ASSERT_ERROR(extract_entries(FORMAT_PAX, FILTER_NONE, one_more_entry, 5, &limits,
                               &outside_fd, &target_fd, &reason), EFBIG);
        ASSERT_EQ(test_count_entries(target_fd), 3);
        ASSERT_TRUE(exists(target_fd, "f3"));
        ASSERT_FALSE(exists(target_fd, "f4"));
}

static void test_valid(Format format, Filter filter) {
        _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF;
        _cleanup_free_ char *reason = NULL;
        const Entry entries[] = {
                DIR_ENTRY("./"),
                DIR_ENTRY("bin/"),
                FILE_ENTRY("bin/app", 0755, "#!/bin/sh\necho app\n"),
                FILE_ENTRY("bin/private-exec", 0700, "#!/bin/sh\n"),
                FILE_ENTRY("bin/group-exec", 0654, "not for the owner\n"),
                FILE_ENTRY("share/doc/README", 0600, "read me\n"),
                DIR_ENTRY("share/"),
                FILE_ENTRY("./lib//./libx.so", 0777, "ELF"),
                FILE_ENTRY("empty", 0644, ""),
                LINK_ENTRY("app", "bin/app"),
                LINK_ENTRY("share/doc/bin", "../../bin"),
                DIR_ENTRY("deep/a/b/c/d/"),
        };
        int r;

        test_case(__func__);
        printf("  format %d, filter %d\n", format, filter);
        if (!archive_writable(format, filter, entries, ELEMENTSOF(entries))) {
                test_skip_case("this libarchive cannot write format %d with filter %d", format, filter);
                return;
        }
        r = extract_entries(format, filter, entries, ELEMENTSOF(entries), NULL, &outside_fd, &target_fd, &reason);
        if (r < 0)
                fprintf(stderr, "%d: %s\n", r, strempty(reason));
        ASSERT_OK_ZERO(r);
        ASSERT_NULL(reason);

        assert_dir(target_fd, "bin");
        assert_dir(target_fd, "share");
        assert_dir(target_fd, "share/doc");
        assert_dir(target_fd, "lib");
        assert_dir(target_fd, "deep/a/b/c/d");
        assert_dir(target_fd, "deep/a");
        assert_file(target_fd, "bin/app", "#!/bin/sh\necho app\n", 0755);
        assert_file(target_fd, "bin/private-exec", "#!/bin/sh\n", 0755);
        assert_file(target_fd, "bin/group-exec", "not for the owner\n", 0644);
        assert_file(target_fd, "share/doc/README", "read me\n", 0644);
        assert_file(target_fd, "lib/libx.so", "ELF", 0755);
        assert_file(target_fd, "empty", "", 0644);
        assert_symlink(target_fd, "app", "bin/app");
        assert_symlink(target_fd, "share/doc/bin", "../../bin");
        assert_file(target_fd, "share/doc/bin/app", "#!/bin/sh\necho app\n", 0755);
        ASSERT_EQ(test_count_entries(target_fd), 6);   /* bin share lib empty app deep */
}

static void test_valid_with_hardlink(Filter filter) {
        _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF;
        _cleanup_free_ char *reason = NULL;
        const Entry entries[] = {
                FILE_ENTRY("bin/tool", 0755, "tool"),
                HARD_ENTRY("bin/alias", "bin/tool"),
        };
        int r;

        test_case(__func__);
        printf("  filter %d\n", filter);
        if (!archive_writable(FORMAT_GNUTAR, filter, entries, ELEMENTSOF(entries))) {
                test_skip_case("this libarchive cannot write a hard link in a gnutar with filter %d", filter);
                return;
        }
        r = extract_entries(FORMAT_GNUTAR, filter, entries, ELEMENTSOF(entries), NULL,
                            &outside_fd, &target_fd, &reason);
        ASSERT_OK_ZERO(r);
        assert_file(target_fd, "bin/alias", "tool", 0755);
}

static void test_duplicates(void) {
        const Entry file_twice[] = { FILE_ENTRY("a", 0644, "1"), FILE_ENTRY("a", 0644, "2") };
        const Entry dir_then_file[] = { DIR_ENTRY("d/"), FILE_ENTRY("d", 0644, "x") };
        const Entry file_then_dir[] = { FILE_ENTRY("d", 0644, "x"), DIR_ENTRY("d/") };
        const Entry file_as_parent[] = { FILE_ENTRY("d", 0644, "x"), FILE_ENTRY("d/e", 0644, "x") };
        const Entry root_as_file[] = { FILE_ENTRY(".", 0644, "x") };

        test_case(__func__);
        assert_refused(FORMAT_PAX, file_twice, -EBADMSG, "a", "twice");
        assert_refused(FORMAT_PAX, dir_then_file, -EBADMSG, "d", "twice");
        assert_refused(FORMAT_PAX, file_then_dir, -EBADMSG, "d/", "twice");
        assert_refused(FORMAT_PAX, file_as_parent, -EBADMSG, "d/e", "not a directory");
        assert_refused(FORMAT_PAX, root_as_file, -EBADMSG, ".", "release directory itself");
}

static void test_reason_escaped(void) {
        _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF;
        _cleanup_free_ char *reason = NULL;
        const Entry entries[] = { FILE_ENTRY("../\033[31mred\n'ü", 0644, "x") };

        test_case(__func__);
        /* GNU tar stores names as bytes; pax would need them in the locale's charset. */
        ASSERT_ERROR(extract_entries(FORMAT_GNUTAR, FILTER_NONE, entries, 1, NULL, &outside_fd, &target_fd, &reason),
                     EBADMSG);
        printf("  %s\n", reason);
        ASSERT_NOT_NULL(strstr(reason, "entry '../\\x1b[31mred\\x0a\\x27\\xc3\\xbc': path leaves"));
        for (const char *p = reason; *p; p++)
                ASSERT_TRUE(*p >= 0x20 && *p < 0x7f);
}

static void test_garbage(void) {
        _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF, fd = -EBADF, empty_fd = -EBADF;
        _cleanup_free_ char *reason = NULL;
        const Entry entries[] = { ZEROS_ENTRY("a", 300000), FILE_ENTRY("b", 0644, "b") };
        const char junk[] = "this is not an archive, not even close to one; just text\n";
        char buf[4096];
        off_t size;
        int r;

        test_case(__func__);
        outside_fd = fresh_dirs("garbage", &target_fd);

        fd = memfd_create("junk", MFD_CLOEXEC);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(write(fd, junk, sizeof junk - 1), (ssize_t) sizeof junk - 1);
        ASSERT_OK_ZERO_ERRNO(lseek(fd, 0, SEEK_SET));
        ASSERT_ERROR(archive_extract_safe(fd, target_fd, NULL, NULL, &reason), EBADMSG);
        printf("  %s\n", reason);
        ASSERT_NOT_NULL(reason);
        ASSERT_NOT_NULL(strstr(reason, "not a readable tar or zip"));
        reason = mfree(reason);

        /* Cut short in the middle of the second file's data. */
        close(fd);
        fd = make_archive(FORMAT_PAX, FILTER_GZIP, entries, ELEMENTSOF(entries));
        size = lseek(fd, 0, SEEK_END);
        ASSERT_GT(size, 200);
        ASSERT_OK_ZERO_ERRNO(ftruncate(fd, size / 2));
        ASSERT_OK_ZERO_ERRNO(lseek(fd, 0, SEEK_SET));
        close(target_fd);
        close(outside_fd);
        outside_fd = fresh_dirs("truncated", &target_fd);
        r = archive_extract_safe(fd, target_fd, NULL, NULL, &reason);
        printf("  %d: %s\n", r, strempty(reason));
        ASSERT_ERROR(r, EBADMSG);
        ASSERT_NOT_NULL(reason);
        ASSERT_NOT_NULL(strstr(reason, "entry 'a'"));
        reason = mfree(reason);

        /* A tar of zero entries is an empty release, not an error. */
        empty_fd = make_archive(FORMAT_PAX, FILTER_NONE, NULL, 0);
        close(target_fd);
        close(outside_fd);
        outside_fd = fresh_dirs("empty", &target_fd);
        ASSERT_OK_ZERO(archive_extract_safe(empty_fd, target_fd, NULL, NULL, &reason));
        ASSERT_NULL(reason);
        ASSERT_EQ(test_count_entries(target_fd), 0);

        /* Not seekable: zip falls back to streaming, tar does not care. */
        {
                const Entry one[] = { FILE_ENTRY("x/y", 0644, "streamed") };
                _cleanup_close_ int zfd = make_archive(FORMAT_ZIP, FILTER_NONE, one, 1);
                int p[2];
                ssize_t n;

                n = read(zfd, buf, sizeof buf);
                ASSERT_GT(n, 0);
                ASSERT_OK_ZERO_ERRNO(pipe2(p, O_CLOEXEC));
                ASSERT_EQ(write(p[1], buf, (size_t) n), n);
                close(p[1]);
                close(target_fd);
                close(outside_fd);
                outside_fd = fresh_dirs("pipe", &target_fd);
                r = archive_extract_safe(p[0], target_fd, NULL, NULL, &reason);
                close(p[0]);
                ASSERT_OK_ZERO(r);
                assert_file(target_fd, "x/y", "streamed", 0644);
        }
}

/* With openat2() failing as on kernels before 5.6 (or under a seccomp filter), the component walk
 * alone must keep every rule. */
static void test_without_openat2(void) {
        struct sock_filter filter[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = ELEMENTSOF(filter), .filter = filter };
        pid_t pid;

        test_case(__func__);
        pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
                const Entry through[] = {
                        DIR_ENTRY("sub/"), LINK_ENTRY("lnk", "sub"), FILE_ENTRY("lnk/file", 0644, "x"),
                };
                const Entry deep_through[] = {
                        DIR_ENTRY("a/b/"), LINK_ENTRY("a/l", "b"), FILE_ENTRY("a/l/c/file", 0644, "x"),
                };

                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
                        _exit(EXIT_TEST_SKIP);
                }
                ASSERT_LT(syscall(SYS_openat2, AT_FDCWD, ".", NULL, 0), 0);
                ASSERT_EQ(errno, ENOSYS);

                assert_refused(FORMAT_PAX, through, -EBADMSG, "lnk/file", "symlink");
                assert_refused(FORMAT_PAX, deep_through, -EBADMSG, "a/l/c/file", "symlink");
                test_valid(FORMAT_PAX, FILTER_NONE);
                test_hardlinks();
                _exit(0);
        }
        test_wait_child_case(pid, "cannot install a seccomp filter here to make openat2() fail");
        counter += 1000;   /* the child used names from the same counter */
}

static void test_deep_path(void) {
        _cleanup_free_ char *deep = NULL;
        char *p;

        test_case(__func__);
        deep = malloc(200 * 2 + 2);
        ASSERT_NOT_NULL(deep);
        p = deep;
        for (unsigned i = 0; i < 200; i++) {
                *p++ = 'a';
                *p++ = '/';
        }
        *p++ = 'f';
        *p = 0;
        {
                _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF;
                _cleanup_free_ char *reason = NULL;
                const Entry entries[] = { FILE_ENTRY(deep, 0644, "x") };

                ASSERT_ERROR(extract_entries(FORMAT_PAX, FILTER_NONE, entries, 1, NULL,
                                       &outside_fd, &target_fd, &reason), EBADMSG);
                /* A long name is shortened in the reason. */
                ASSERT_EQ(strncmp(reason, "entry 'a/a/a/", 13), 0);
                ASSERT_NOT_NULL(strstr(reason, "...': path is nested deeper than 128 levels"));
                ASSERT_LT(strlen(reason), 400);
                ASSERT_EQ(test_count_entries(target_fd), 0);
        }
}

/* A path of n components: n - 1 directories "d/" and a file "f". */
static char *path_of_depth(unsigned n) {
        char *path = malloc(2 * n), *p = path;

        ASSERT_NOT_NULL(path);
        for (unsigned i = 1; i < n; i++) {
                *p++ = 'd';
                *p++ = '/';
        }
        *p++ = 'f';
        *p = 0;
        return path;
}

/* Refused for depth; the reason shortens the entry's long name, so only its start is checked. */
static void assert_too_deep(const Entry *entries, size_t n) {
        _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF;
        _cleanup_free_ char *reason = NULL;

        ASSERT_ERROR(extract_entries(FORMAT_PAX, FILTER_NONE, entries, n, NULL, &outside_fd, &target_fd, &reason),
                     EBADMSG);
        ASSERT_NOT_NULL(reason);
        ASSERT_EQ(strncmp(reason, "entry 'd/d/d/", 13), 0);
        ASSERT_NOT_NULL(strstr(reason, "': path is nested deeper than 128 levels"));
        ASSERT_EQ(test_count_entries(outside_fd), 1);   /* target/ alone */
}

/* The depth limit (128 levels, ENTRY_DEPTH_MAX) exactly at its bound and one past it. */
static void test_depth_limit(void) {
        _cleanup_free_ char *at = path_of_depth(128), *past = path_of_depth(129);
        _cleanup_free_ char *at_dir = strndup(at, strlen(at) - 1), *past_dir = strndup(past, strlen(past) - 1);

        test_case(__func__);
        ASSERT_NOT_NULL(at_dir);
        ASSERT_NOT_NULL(past_dir);
        {
                _cleanup_close_ int outside_fd = -EBADF, target_fd = -EBADF;
                _cleanup_free_ char *reason = NULL;
                const Entry entries[] = { FILE_ENTRY(at, 0644, "x"), DIR_ENTRY(at_dir) };

                ASSERT_OK_ZERO(extract_entries(FORMAT_PAX, FILTER_NONE, entries, ELEMENTSOF(entries), NULL,
                                               &outside_fd, &target_fd, &reason));
                ASSERT_NULL(reason);
                assert_file(target_fd, at, "x", 0644);
        }
        {
                const Entry file[] = { FILE_ENTRY(past, 0644, "x") };
                const Entry dir[] = { DIR_ENTRY(past_dir), DIR_ENTRY(past) };
                const Entry link[] = { LINK_ENTRY(past, "f") };

                assert_too_deep(file, ELEMENTSOF(file));
                assert_too_deep(dir, ELEMENTSOF(dir));
                assert_too_deep(link, ELEMENTSOF(link));
        }
}

int main(void) {
        /* The log shows how far a failing test got. */
        setvbuf(stdout, NULL, _IOLBF, 0);
        /* A restrictive umask: modes must come out exact anyway. */
        umask(077);
        ASSERT_NOT_NULL(mkdtemp(tmpdir));

        test_absolute_path();
        test_dotdot();
        test_symlink_escapes();
        test_symlink_inside();
        test_write_through_symlink();
        test_hardlinks();
        test_special_files();
        test_zip_special_files();
        test_mode_bits();
        test_bomb(FORMAT_PAX, FILTER_GZIP);
        test_bomb(FORMAT_ZIP, FILTER_NONE);
        test_limits_for_size();
        test_limit_exact();
        test_valid(FORMAT_PAX, FILTER_NONE);
        test_valid(FORMAT_GNUTAR, FILTER_NONE);
        test_valid(FORMAT_PAX, FILTER_GZIP);
        test_valid(FORMAT_PAX, FILTER_XZ);
        test_valid(FORMAT_PAX, FILTER_ZSTD);
        test_valid(FORMAT_ZIP, FILTER_NONE);
        test_valid_with_hardlink(FILTER_NONE);
        test_valid_with_hardlink(FILTER_XZ);
        test_duplicates();
        test_reason_escaped();
        test_garbage();
        test_without_openat2();
        test_deep_path();
        test_depth_limit();

        test_tmpdir_remove(tmpdir);
        return test_done();
}
