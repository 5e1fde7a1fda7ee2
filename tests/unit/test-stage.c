/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "macro.h"
#include "stage.h"
#include "test-util.h"
#include "tests.h"

static char tmpdir[] = "/tmp/test-stage-XXXXXX";

static int memfd_with(const char *data, size_t size) {
        int fd;

        fd = memfd_create("artifact", MFD_CLOEXEC);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(write(fd, data, size), (ssize_t) size);
        /* Left at the end, as after hashing: staging must copy from offset 0 anyway. */
        return fd;
}

/* Creates the empty file path below dir_fd, with mode. */
static void create_empty_at(int dir_fd, const char *path, mode_t mode) {
        int fd;

        fd = openat(dir_fd, path, O_WRONLY|O_CREAT|O_CLOEXEC, mode);
        ASSERT_GE(fd, 0);
        close(fd);
}

typedef struct Entry {
        const char *path;
        mode_t type;
        mode_t perm;
        const char *data;
        const char *symlink;
} Entry;

static int make_tar_gz(const Entry *entries, size_t n) {
        struct archive *a;
        int fd;

        fd = memfd_create("archive", MFD_CLOEXEC);
        ASSERT_GE(fd, 0);
        a = archive_write_new();
        ASSERT_NOT_NULL(a);
        ASSERT_EQ(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
        ASSERT_EQ(archive_write_add_filter_gzip(a), ARCHIVE_OK);
        ASSERT_EQ(archive_write_open_fd(a, fd), ARCHIVE_OK);

        for (size_t i = 0; i < n; i++) {
                struct archive_entry *ae = archive_entry_new();
                size_t size = entries[i].data ? strlen(entries[i].data) : 0;

                archive_entry_set_pathname(ae, entries[i].path);
                archive_entry_set_filetype(ae, entries[i].type);
                archive_entry_set_perm(ae, entries[i].perm);
                if (entries[i].symlink)
                        archive_entry_set_symlink(ae, entries[i].symlink);
                archive_entry_set_size(ae, (la_int64_t) size);
                ASSERT_EQ(archive_write_header(a, ae), ARCHIVE_OK);
                if (size > 0)
                        ASSERT_EQ(archive_write_data(a, entries[i].data, size), (la_ssize_t) size);
                archive_entry_free(ae);
        }

        ASSERT_EQ(archive_write_close(a), ARCHIVE_OK);
        ASSERT_EQ(archive_write_free(a), ARCHIVE_OK);
        return fd;   /* at the end: staging must rewind */
}

/* The names in versions/, sorted, joined by spaces. */
static char *list_versions(int app_fd) {
        struct dirent **list;
        char *s = NULL;
        size_t size = 0;
        FILE *f;
        int fd, n;

        fd = openat(app_fd, "versions", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_GE(fd, 0);
        n = scandirat(fd, ".", &list, NULL, alphasort);
        ASSERT_GE(n, 0);
        f = open_memstream(&s, &size);
        ASSERT_NOT_NULL(f);
        for (int i = 0; i < n; i++) {
                if (!streq(list[i]->d_name, ".") && !streq(list[i]->d_name, ".."))
                        fprintf(f, "%s%s", ftell(f) > 0 ? " " : "", list[i]->d_name);
                free(list[i]);
        }
        free(list);
        fclose(f);
        close(fd);
        return s;
}

static void assert_versions(int app_fd, const char *expected) {
        _cleanup_free_ char *s = list_versions(app_fd);

        ASSERT_STREQ(s, expected);
}

static mode_t mode_of(int dir_fd, const char *path) {
        struct stat st;

        ASSERT_OK_ZERO_ERRNO(fstatat(dir_fd, path, &st, AT_SYMLINK_NOFOLLOW));
        return st.st_mode;
}

static void assert_content(int dir_fd, const char *path, const char *content) {
        _cleanup_close_ int fd = -EBADF;
        char buf[256];
        ssize_t n;

        fd = openat(dir_fd, path, O_RDONLY|O_CLOEXEC);
        ASSERT_GE(fd, 0);
        n = read(fd, buf, sizeof buf);
        ASSERT_EQ(n, (ssize_t) strlen(content));
        ASSERT_MEMEQ(buf, content, (size_t) n);
}

static void test_binary(void) {
        _cleanup_close_ int app_fd = test_open_fresh_dir(tmpdir, "binary"), fd = -EBADF;
        _cleanup_free_ char *reason = NULL;
        static const char content[] = "\177ELF pretend binary\n";

        test_case(__func__);
        fd = memfd_with(content, sizeof content - 1);

        ASSERT_FALSE(stage_exists(app_fd, "1.2.3"));
        ASSERT_EQ(stage_artifact(app_fd, "1.2.3", ARTIFACT_BINARY, fd, "example", NULL, &reason), 1);
        ASSERT_NULL(reason);
        ASSERT_TRUE(stage_exists(app_fd, "1.2.3"));
        assert_versions(app_fd, "1.2.3");   /* no temporary directory left */

        assert_content(app_fd, "versions/1.2.3/example", content);
        ASSERT_EQ(mode_of(app_fd, "versions/1.2.3/example"), (S_IFREG | 0555));
        ASSERT_EQ(mode_of(app_fd, "versions/1.2.3"), (S_IFDIR | 0555));
        ASSERT_TRUE(S_ISDIR(mode_of(app_fd, "versions")));
}

static void test_binary_large(void) {
        _cleanup_close_ int app_fd = test_open_fresh_dir(tmpdir, "binary-large"), fd = -EBADF, out = -EBADF;
        _cleanup_free_ char *data = NULL, *back = NULL;
        const size_t size = 3 * 1024 * 1024 + 17;
        struct stat st;

        test_case(__func__);
        data = malloc(size);
        back = malloc(size);
        ASSERT_NOT_NULL(data);
        ASSERT_NOT_NULL(back);
        for (size_t i = 0; i < size; i++)
                data[i] = (char) (i * 7 + i / 4096);
        fd = memfd_with(data, size);

        ASSERT_EQ(stage_artifact(app_fd, "2.0.0", ARTIFACT_BINARY, fd, "big", NULL, NULL), 1);
        out = openat(app_fd, "versions/2.0.0/big", O_RDONLY|O_CLOEXEC);
        ASSERT_GE(out, 0);
        ASSERT_OK_ZERO_ERRNO(fstat(out, &st));
        ASSERT_EQ((size_t) st.st_size, size);
        ASSERT_EQ(read(out, back, size), (ssize_t) size);
        ASSERT_MEMEQ(data, back, size);
}

static void test_tar(void) {
        _cleanup_close_ int app_fd = test_open_fresh_dir(tmpdir, "tar"), fd = -EBADF;
        _cleanup_free_ char *reason = NULL;
        const Entry entries[] = {
                { "bin/app", AE_IFREG, 0755, "#!/bin/sh\n", NULL },
                { "share/data.txt", AE_IFREG, 0644, "data\n", NULL },
                { "share/empty/", AE_IFDIR, 0755, NULL, NULL },
                { "app", AE_IFLNK, 0777, NULL, "bin/app" },
        };
        char buf[16];

        test_case(__func__);
        fd = make_tar_gz(entries, ELEMENTSOF(entries));
        ASSERT_EQ(stage_artifact(app_fd, "v0.9.0-rc.1", ARTIFACT_TAR, fd, NULL, NULL, &reason), 1);
        ASSERT_NULL(reason);
        assert_versions(app_fd, "v0.9.0-rc.1");

        assert_content(app_fd, "versions/v0.9.0-rc.1/bin/app", "#!/bin/sh\n");
        assert_content(app_fd, "versions/v0.9.0-rc.1/share/data.txt", "data\n");
        ASSERT_EQ(mode_of(app_fd, "versions/v0.9.0-rc.1"), (S_IFDIR | 0555));
        ASSERT_EQ(mode_of(app_fd, "versions/v0.9.0-rc.1/bin"), (S_IFDIR | 0555));
        ASSERT_EQ(mode_of(app_fd, "versions/v0.9.0-rc.1/bin/app"), (S_IFREG | 0555));
        ASSERT_EQ(mode_of(app_fd, "versions/v0.9.0-rc.1/share/data.txt"), (S_IFREG | 0444));
        ASSERT_EQ(mode_of(app_fd, "versions/v0.9.0-rc.1/share/empty"), (S_IFDIR | 0555));
        ASSERT_TRUE(S_ISLNK(mode_of(app_fd, "versions/v0.9.0-rc.1/app")));
        ASSERT_EQ(readlinkat(app_fd, "versions/v0.9.0-rc.1/app", buf, sizeof buf), 7);
}

/* A cancelled staging leaves no version and no temporary directory, whatever the artifact. */
static void test_cancelled(void) {
        _cleanup_close_ int app_fd = test_open_fresh_dir(tmpdir, "cancelled"), fd = -EBADF, fd2 = -EBADF;
        _cleanup_free_ char *reason = NULL;
        const Entry entries[] = {
                { "bin/app", AE_IFREG, 0755, "#!/bin/sh\n", NULL },
        };
        CancelFlag cancel = false;

        test_case(__func__);
        fd = make_tar_gz(entries, ELEMENTSOF(entries));
        fd2 = memfd_with("binary", 6);
        cancel_request(&cancel);

        ASSERT_ERROR(stage_artifact(app_fd, "1.0.0", ARTIFACT_TAR, fd, NULL, &cancel, &reason), ECANCELED);
        ASSERT_NULL(reason);
        ASSERT_ERROR(stage_artifact(app_fd, "1.0.0", ARTIFACT_BINARY, fd2, "app", &cancel, NULL), ECANCELED);
        ASSERT_FALSE(stage_exists(app_fd, "1.0.0"));
        assert_versions(app_fd, "");

        /* Not cancelled, the same artifact stages. */
        cancel = false;
        ASSERT_EQ(stage_artifact(app_fd, "1.0.0", ARTIFACT_TAR, fd, NULL, &cancel, &reason), 1);
        assert_versions(app_fd, "1.0.0");
}

static void test_refused(void) {
        _cleanup_close_ int app_fd = test_open_fresh_dir(tmpdir, "refused"), fd = -EBADF, fd2 = -EBADF;
        _cleanup_free_ char *reason = NULL;
        const Entry entries[] = {
                { "ok", AE_IFREG, 0644, "fine\n", NULL },
                { "../escape", AE_IFREG, 0644, "bad\n", NULL },
        };
        static const char not_an_archive[] = "definitely not a tarball";

        test_case(__func__);
        fd = make_tar_gz(entries, ELEMENTSOF(entries));
        ASSERT_ERROR(stage_artifact(app_fd, "1.0.0", ARTIFACT_TAR, fd, NULL, NULL, &reason), EBADMSG);
        printf("  %s\n", reason);
        ASSERT_NOT_NULL(reason);
        ASSERT_NOT_NULL(strstr(reason, "entry '../escape'"));
        ASSERT_FALSE(stage_exists(app_fd, "1.0.0"));
        assert_versions(app_fd, "");   /* no 1.0.0, no temporary directory */
        ASSERT_LT(faccessat(app_fd, "escape", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        ASSERT_LT(faccessat(app_fd, "versions/escape", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        reason = mfree(reason);

        fd2 = memfd_with(not_an_archive, sizeof not_an_archive - 1);
        ASSERT_ERROR(stage_artifact(app_fd, "1.0.0", ARTIFACT_ZIP, fd2, NULL, NULL, &reason), EBADMSG);
        ASSERT_NOT_NULL(reason);
        assert_versions(app_fd, "");

        /* Arguments that could name something outside versions/. */
        ASSERT_ERROR(stage_artifact(app_fd, "../1.0.0", ARTIFACT_BINARY, fd2, "x", NULL, NULL), EINVAL);
        ASSERT_ERROR(stage_artifact(app_fd, "1.0", ARTIFACT_BINARY, fd2, "x", NULL, NULL), EINVAL);
        ASSERT_ERROR(stage_artifact(app_fd, "1.0.0", ARTIFACT_BINARY, fd2, "../x", NULL, NULL), EINVAL);
        ASSERT_ERROR(stage_artifact(app_fd, "1.0.0", ARTIFACT_BINARY, fd2, "..", NULL, NULL), EINVAL);
        ASSERT_ERROR(stage_artifact(app_fd, "1.0.0", ARTIFACT_BINARY, fd2, NULL, NULL, NULL), EINVAL);
        ASSERT_ERROR(stage_artifact(app_fd, "1.0.0", _ARTIFACT_TYPE_MAX, fd2, "x", NULL, NULL), EINVAL);
        ASSERT_FALSE(stage_exists(app_fd, "../refused"));
        assert_versions(app_fd, "");
}

static void test_idempotent(void) {
        _cleanup_close_ int app_fd = test_open_fresh_dir(tmpdir, "idempotent"), fd1 = -EBADF, fd2 = -EBADF;

        test_case(__func__);
        fd1 = memfd_with("first", 5);
        fd2 = memfd_with("second", 6);
        ASSERT_EQ(stage_artifact(app_fd, "1.0.0", ARTIFACT_BINARY, fd1, "app", NULL, NULL), 1);
        ASSERT_OK_ZERO(stage_artifact(app_fd, "1.0.0", ARTIFACT_BINARY, fd2, "app", NULL, NULL));
        ASSERT_OK_ZERO(stage_artifact(app_fd, "1.0.0", ARTIFACT_TAR, fd2, NULL, NULL, NULL));
        assert_content(app_fd, "versions/1.0.0/app", "first");
        assert_versions(app_fd, "1.0.0");
}

/* A crash while building or removing leaves .tmp-* behind, read-only or half-done. */
static void test_leftovers_removed(void) {
        _cleanup_close_ int app_fd = test_open_fresh_dir(tmpdir, "leftovers"), fd = -EBADF;

        test_case(__func__);
        ASSERT_OK_ZERO_ERRNO(mkdirat(app_fd, "versions", 0755));
        ASSERT_OK_ZERO_ERRNO(mkdirat(app_fd, "versions/.tmp-1.0.0-abcdef", 0700));
        ASSERT_OK_ZERO_ERRNO(mkdirat(app_fd, "versions/.tmp-1.0.0-abcdef/bin", 0755));
        create_empty_at(app_fd, "versions/.tmp-1.0.0-abcdef/bin/app", 0755);
        ASSERT_OK_ZERO_ERRNO(fchmodat(app_fd, "versions/.tmp-1.0.0-abcdef/bin", 0555, 0));
        ASSERT_OK_ZERO_ERRNO(fchmodat(app_fd, "versions/.tmp-1.0.0-abcdef", 0555, 0));
        ASSERT_OK_ZERO_ERRNO(mkdirat(app_fd, "versions/.tmp-0.1.0-zzzzzz", 0700));
        ASSERT_OK_ZERO_ERRNO(mkdirat(app_fd, "versions/0.1.0", 0555));

        fd = memfd_with("x", 1);
        ASSERT_EQ(stage_artifact(app_fd, "1.0.0", ARTIFACT_BINARY, fd, "app", NULL, NULL), 1);
        assert_versions(app_fd, "0.1.0 1.0.0");
}

static int stage_empty_version(int app_fd, const char *version) {
        _cleanup_close_ int fd = memfd_with(version, strlen(version));

        return stage_artifact(app_fd, version, ARTIFACT_BINARY, fd, "app", NULL, NULL);
}

static void test_prune(void) {
        _cleanup_close_ int app_fd = test_open_fresh_dir(tmpdir, "prune");
        static const char *const versions[] = {
                "1.0.0", "1.1.0", "1.2.0", "2.0.0-rc.1", "2.0.0", "10.0.0", "9.0.0",
        };

        test_case(__func__);
        ASSERT_OK_ZERO(stage_prune(app_fd, 2, NULL, NULL));   /* no versions/ at all */

        for (size_t i = 0; i < ELEMENTSOF(versions); i++)
                ASSERT_EQ(stage_empty_version(app_fd, versions[i]), 1);
        /* Not ours to judge: names that are no version, and hidden ones. */
        ASSERT_OK_ZERO_ERRNO(mkdirat(app_fd, "versions/notaversion", 0755));
        ASSERT_OK_ZERO_ERRNO(mkdirat(app_fd, "versions/.hidden", 0755));

        /* Newest two are 10.0.0 and 9.0.0 (by version, not by string); 1.0.0 is current and 1.1.0
         * previous: 2.0.0, 2.0.0-rc.1 and 1.2.0 go. */
        ASSERT_EQ(stage_prune(app_fd, 2, "1.0.0", "1.1.0"), 3);
        assert_versions(app_fd, ".hidden 1.0.0 1.1.0 10.0.0 9.0.0 notaversion");

        /* Nothing more to do. */
        ASSERT_OK_ZERO(stage_prune(app_fd, 2, "1.0.0", "1.1.0"));

        /* keep 0: only current and previous survive, whichever of them is given. */
        ASSERT_EQ(stage_prune(app_fd, 0, "10.0.0", NULL), 3);
        assert_versions(app_fd, ".hidden 10.0.0 notaversion");

        /* "v10.0.0" names the same release as "10.0.0": still protected. */
        ASSERT_OK_ZERO(stage_prune(app_fd, 0, NULL, "v10.0.0"));
        ASSERT_TRUE(stage_exists(app_fd, "10.0.0"));

        ASSERT_OK_ZERO(stage_prune(app_fd, 1, NULL, NULL));
        ASSERT_EQ(stage_prune(app_fd, 0, NULL, NULL), 1);
        assert_versions(app_fd, ".hidden notaversion");
}

/* Pruning never waits for a staging that holds the versions/ lock (it runs on the event loop). */
static void test_prune_busy(void) {
        _cleanup_close_ int app_fd = test_open_fresh_dir(tmpdir, "prune-busy"), lock_fd = -EBADF;

        test_case(__func__);
        ASSERT_EQ(stage_empty_version(app_fd, "1.0.0"), 1);
        ASSERT_EQ(stage_empty_version(app_fd, "2.0.0"), 1);

        lock_fd = openat(app_fd, "versions", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        ASSERT_GE(lock_fd, 0);
        ASSERT_OK_ZERO_ERRNO(flock(lock_fd, LOCK_EX));
        ASSERT_ERROR(stage_prune(app_fd, 0, NULL, NULL), EBUSY);
        assert_versions(app_fd, "1.0.0 2.0.0");

        ASSERT_OK_ZERO_ERRNO(close(TAKE_FD(lock_fd)));
        ASSERT_EQ(stage_prune(app_fd, 0, NULL, NULL), 2);
}

static void test_prune_go_builds(void) {
        _cleanup_close_ int app_fd = test_open_fresh_dir(tmpdir, "prune-go");
        static const char *const versions[] = {
                "v1.2.5+go1.21.8", "v1.2.5+go1.21.10", "v1.2.5+go1.21.9", "v1.2.4+go1.22.0",
        };

        test_case(__func__);

        for (size_t i = 0; i < ELEMENTSOF(versions); i++)
                ASSERT_EQ(stage_empty_version(app_fd, versions[i]), 1);

        /* Builds of one module version are ordered by their toolchain: the two newest are the
         * go1.21.10 and go1.21.9 builds, whatever semver's ignoring of build metadata would say. */
        ASSERT_EQ(stage_prune(app_fd, 2, NULL, NULL), 2);
        assert_versions(app_fd, "v1.2.5+go1.21.10 v1.2.5+go1.21.9");
}

static void test_clear_partial(void) {
        _cleanup_close_ int app_fd = test_open_fresh_dir(tmpdir, "partial"), fd = -EBADF;
        struct stat st;

        test_case(__func__);
        ASSERT_OK_ZERO(stage_clear_partial(app_fd));
        ASSERT_OK_ZERO_ERRNO(fstatat(app_fd, "partial", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_TRUE(S_ISDIR(st.st_mode));

        create_empty_at(app_fd, "partial/download.tmp", 0600);
        ASSERT_OK_ZERO_ERRNO(mkdirat(app_fd, "partial/unpacked", 0755));
        ASSERT_OK_ZERO_ERRNO(mkdirat(app_fd, "partial/unpacked/ro", 0755));
        ASSERT_OK_ZERO_ERRNO(symlinkat("/etc/passwd", app_fd, "partial/unpacked/ro/pw"));
        ASSERT_OK_ZERO_ERRNO(fchmodat(app_fd, "partial/unpacked/ro", 0500, 0));
        ASSERT_OK_ZERO_ERRNO(fchmodat(app_fd, "partial/unpacked", 0000, 0));

        ASSERT_OK_ZERO(stage_clear_partial(app_fd));
        ASSERT_OK_ZERO_ERRNO(fstatat(app_fd, "partial", &st, AT_SYMLINK_NOFOLLOW));
        ASSERT_TRUE(S_ISDIR(st.st_mode));
        ASSERT_LT(faccessat(app_fd, "partial/download.tmp", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        ASSERT_LT(faccessat(app_fd, "partial/unpacked", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        ASSERT_OK_ZERO_ERRNO(access("/etc/passwd", F_OK));

        /* partial/ as a symlink is not followed. */
        ASSERT_OK_ZERO_ERRNO(unlinkat(app_fd, "partial", AT_REMOVEDIR));
        ASSERT_OK_ZERO_ERRNO(mkdirat(app_fd, "elsewhere", 0755));
        ASSERT_OK_ZERO_ERRNO(symlinkat("elsewhere", app_fd, "partial"));
        create_empty_at(app_fd, "elsewhere/keep", 0600);
        ASSERT_LT(stage_clear_partial(app_fd), 0);
        ASSERT_OK_ZERO_ERRNO(faccessat(app_fd, "elsewhere/keep", F_OK, 0));
}

/* A tree whose every directory is read-only, holding symlinks to a directory outside it. */
static void make_readonly_tree(int dir_fd, const char *outside) {
        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "tree", 0755));
        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "tree/a", 0755));
        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "tree/a/b", 0755));
        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "tree/closed", 0755));
        create_empty_at(dir_fd, "tree/a/b/file", 0444);
        create_empty_at(dir_fd, "tree/closed/file", 0000);
        ASSERT_OK_ZERO_ERRNO(symlinkat(outside, dir_fd, "tree/a/escape"));
        ASSERT_OK_ZERO_ERRNO(symlinkat("../../../outside", dir_fd, "tree/a/b/escape"));
        ASSERT_OK_ZERO_ERRNO(fchmodat(dir_fd, "tree/a/b", 0555, 0));
        ASSERT_OK_ZERO_ERRNO(fchmodat(dir_fd, "tree/a", 0555, 0));
        ASSERT_OK_ZERO_ERRNO(fchmodat(dir_fd, "tree/closed", 0000, 0));
        ASSERT_OK_ZERO_ERRNO(fchmodat(dir_fd, "tree", 0555, 0));
}

static void make_outside(int dir_fd) {
        int fd;

        ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "outside", 0755));
        fd = openat(dir_fd, "outside/precious", O_WRONLY|O_CREAT|O_CLOEXEC, 0644);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(write(fd, "keep", 4), 4);
        close(fd);
}

static void test_rm_rf(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "rm-rf"), fd = -EBADF;
        char outside[sizeof tmpdir + 32];

        test_case(__func__);
        make_outside(dir_fd);
        (void) snprintf(outside, sizeof outside, "%s/rm-rf/outside", tmpdir);
        make_readonly_tree(dir_fd, outside);

        ASSERT_OK_ZERO(rm_rf_at(dir_fd, "tree"));
        ASSERT_LT(faccessat(dir_fd, "tree", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        assert_content(dir_fd, "outside/precious", "keep");

        /* A symlink itself is removed, not what it points to. */
        ASSERT_OK_ZERO_ERRNO(symlinkat("outside", dir_fd, "link"));
        ASSERT_OK_ZERO(rm_rf_at(dir_fd, "link"));
        ASSERT_LT(faccessat(dir_fd, "link", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        assert_content(dir_fd, "outside/precious", "keep");

        /* Plain files, and nothing at all. */
        fd = openat(dir_fd, "plain", O_WRONLY|O_CREAT|O_CLOEXEC, 0444);
        ASSERT_GE(fd, 0);
        ASSERT_OK_ZERO(rm_rf_at(dir_fd, "plain"));
        ASSERT_OK_ZERO(rm_rf_at(dir_fd, "plain"));

        ASSERT_ERROR(rm_rf_at(dir_fd, "outside/precious"), EINVAL);
        ASSERT_ERROR(rm_rf_at(dir_fd, ".."), EINVAL);
        ASSERT_ERROR(rm_rf_at(dir_fd, ""), EINVAL);
        assert_content(dir_fd, "outside/precious", "keep");
}

/* As root, permissions are no obstacle; the chmod before descending matters to everyone else. */
static void test_rm_rf_unprivileged(void) {
        _cleanup_close_ int dir_fd = test_open_fresh_dir(tmpdir, "rm-rf-user");
        pid_t pid;

        test_case(__func__);
        pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
                /* In a user namespace without 65534 mapped, root cannot become nobody. */
                if (geteuid() == 0 &&
                    (fchown(dir_fd, 65534, 65534) < 0 || setgroups(0, NULL) < 0 ||
                     setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)) {
                        _exit(EXIT_TEST_SKIP);
                }
                make_outside(dir_fd);
                make_readonly_tree(dir_fd, "../outside");
                /* Without the chmod this fails with EACCES. */
                ASSERT_LT(unlinkat(dir_fd, "tree/a/b/file", 0), 0);
                ASSERT_EQ(errno, EACCES);

                ASSERT_OK_ZERO(rm_rf_at(dir_fd, "tree"));
                ASSERT_LT(faccessat(dir_fd, "tree", F_OK, AT_SYMLINK_NOFOLLOW), 0);
                assert_content(dir_fd, "outside/precious", "keep");
                _exit(0);
        }
        test_wait_child_case(pid, "root cannot become nobody here (a user namespace without 65534 mapped?)");
}

/* Whatever is mounted inside the tree survives, whether another filesystem or a bind mount of this
 * one (same st_dev). */
static void test_rm_rf_mounts(void) {
        pid_t pid;

        test_case(__func__);
        (void) close(test_open_fresh_dir(tmpdir, "rm-rf-mounts"));
        pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
                char path[sizeof tmpdir + 64], src[sizeof tmpdir + 64];
                int fd, dir_fd;

                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL) < 0) {
                        _exit(EXIT_TEST_SKIP);
                }
                /* A descriptor opened before unshare() still looks up in the old namespace, which
                 * will not see the mounts below. */
                (void) snprintf(path, sizeof path, "%s/rm-rf-mounts", tmpdir);
                dir_fd = open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                ASSERT_GE(dir_fd, 0);

                make_outside(dir_fd);
                ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "tree", 0755));
                ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "tree/tmpfs", 0755));
                ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "tree/bind", 0755));
                ASSERT_OK_ZERO_ERRNO(mkdirat(dir_fd, "tree/other", 0755));
                create_empty_at(dir_fd, "tree/other/file", 0644);

                (void) snprintf(path, sizeof path, "%s/rm-rf-mounts/tree/tmpfs", tmpdir);
                ASSERT_OK_ZERO_ERRNO(mount("tmpfs", path, "tmpfs", 0, "size=1m"));
                create_empty_at(dir_fd, "tree/tmpfs/mounted-file", 0644);

                (void) snprintf(path, sizeof path, "%s/rm-rf-mounts/tree/bind", tmpdir);
                (void) snprintf(src, sizeof src, "%s/rm-rf-mounts/outside", tmpdir);
                ASSERT_OK_ZERO_ERRNO(mount(src, path, NULL, MS_BIND, NULL));

                ASSERT_ERROR(rm_rf_at(dir_fd, "tree"), EXDEV);
                ASSERT_OK_ZERO_ERRNO(faccessat(dir_fd, "tree/tmpfs/mounted-file", F_OK, 0));
                assert_content(dir_fd, "tree/bind/precious", "keep");
                ASSERT_LT(faccessat(dir_fd, "tree/other", F_OK, AT_SYMLINK_NOFOLLOW), 0);

                /* The mount point itself is refused. */
                fd = openat(dir_fd, "tree", O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                ASSERT_GE(fd, 0);
                ASSERT_ERROR(rm_rf_at(fd, "tmpfs"), EXDEV);
                ASSERT_ERROR(rm_rf_at(fd, "bind"), EXDEV);
                ASSERT_OK_ZERO_ERRNO(faccessat(dir_fd, "tree/tmpfs/mounted-file", F_OK, 0));
                close(fd);
                _exit(0);
        }
        test_wait_child_case(pid, "cannot make a mount namespace here (unshare(CLONE_NEWNS) or mount refused)");
}

int main(void) {
        /* The log shows how far a failing test got. */
        setvbuf(stdout, NULL, _IOLBF, 0);
        umask(022);
        ASSERT_NOT_NULL(mkdtemp(tmpdir));

        test_binary();
        test_binary_large();
        test_tar();
        test_cancelled();
        test_refused();
        test_idempotent();
        test_leftovers_removed();
        test_prune();
        test_prune_busy();
        test_prune_go_builds();
        test_clear_partial();
        test_rm_rf();
        test_rm_rf_unprivileged();
        test_rm_rf_mounts();

        test_tmpdir_remove(tmpdir);
        return test_done();
}
