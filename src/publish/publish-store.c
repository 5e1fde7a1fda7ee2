/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The channel directory on disk: locking, importing artifacts, and writing and signing channel.json in
 * the order that keeps readers safe. */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "channel-write.h"
#include "fileio.h"
#include "macro.h"
#include "publish-edit.h"
#include "publish-store.h"

#define COPY_BUFFER_SIZE (128U * 1024U)

/* Hands the caller a sentence saying why (if it wants one) and returns r; %m in it is r's error. */
_printf_(3, 4)
static int reason(int r, char **ret_reason, const char *format, ...) {
        va_list ap;
        char *s;
        int k;

        if (!ret_reason)
                return r;
        errno = -r;
        va_start(ap, format);
        k = vasprintf(&s, format, ap);
        va_end(ap);
        *ret_reason = k < 0 ? NULL : s;
        return r;
}

int publish_dir_open(const char *path, bool create, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;

        if (create && mkdir(path, 0755) < 0 && errno != EEXIST)
                return -errno;

        fd = open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (fd < 0)
                return -errno;

        if (flock(fd, LOCK_EX) < 0)
                return -errno;

        *ret_fd = TAKE_FD(fd);
        return 0;
}

int publish_load(int dir_fd, Channel **ret, char **ret_reason) {
        return channel_load_at(dir_fd, PUBLISH_CHANNEL_FILE, ret, ret_reason);
}

void publish_artifact_done(ChannelArtifact *a) {
        free(a->platform);
        free(a->path);
        *a = (ChannelArtifact) {};
}

static void evp_md_ctx_freep(EVP_MD_CTX **p) {
        EVP_MD_CTX_free(*p);
}

/* Hashes all of fd from where it is, copying it to out_fd when that is not negative. */
static int hash_fd(int fd, int out_fd, uint64_t *ret_size, uint8_t ret_sha256[static SHA256_SIZE]) {
        _cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        uint64_t size = 0;
        unsigned n = 0;
        int r;

        buf = malloc(COPY_BUFFER_SIZE);
        ctx = EVP_MD_CTX_new();
        if (!buf || !ctx)
                return -ENOMEM;
        if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
                goto openssl_error;

        for (;;) {
                ssize_t k = read(fd, buf, COPY_BUFFER_SIZE);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                if (EVP_DigestUpdate(ctx, buf, (size_t) k) != 1)
                        goto openssl_error;
                if (out_fd >= 0) {
                        r = loop_write(out_fd, buf, (size_t) k);
                        if (r < 0)
                                return r;
                }
                size += (uint64_t) k;
        }

        if (EVP_DigestFinal_ex(ctx, ret_sha256, &n) != 1 || n != SHA256_SIZE)
                goto openssl_error;

        *ret_size = size;
        return 0;

openssl_error:
        ERR_clear_error();
        return -EIO;
}

/* Copies src_fd to dir_fd/name atomically (a temporary name, fsync, rename without replacing), or
 * finds name there already: then it must have the same SHA-256. */
static int copy_in(int src_fd, int dir_fd, const char *name, const uint8_t sha256[static SHA256_SIZE]) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int old_fd = -EBADF, out_fd = -EBADF;
        uint8_t old_sha256[SHA256_SIZE];
        uint64_t size;
        int r;

        old_fd = openat(dir_fd, name, O_RDONLY|O_CLOEXEC|O_NOFOLLOW);
        if (old_fd >= 0) {
                r = hash_fd(old_fd, -EBADF, &size, old_sha256);
                if (r < 0)
                        return r;
                return memcmp(old_sha256, sha256, SHA256_SIZE) == 0 ? 0 : -EEXIST;
        }
        if (errno != ENOENT)
                return -errno;

        for (unsigned attempt = 0;; attempt++) {
                tmp = mfree(tmp);
                r = temp_name(".#", name, ".", &tmp);
                if (r < 0)
                        return r;
                out_fd = openat(dir_fd, tmp, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0644);
                if (out_fd >= 0)
                        break;
                if (errno != EEXIST || attempt >= 16)
                        return -errno;
        }

        if (lseek(src_fd, 0, SEEK_SET) < 0)
                r = -errno;
        else
                r = hash_fd(src_fd, out_fd, &size, old_sha256);
        if (r >= 0 && memcmp(old_sha256, sha256, SHA256_SIZE) != 0)
                r = -EAGAIN;  /* the file changed while it was copied */
        if (r >= 0 && fsync(out_fd) < 0)
                r = -errno;
        /* renameat2(RENAME_NOREPLACE): a concurrent copy of other bytes is not overwritten. */
        if (r >= 0 && renameat2(dir_fd, tmp, dir_fd, name, RENAME_NOREPLACE) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(dir_fd, tmp, 0);
                return r;
        }

        return fsync_directory_at(dir_fd);
}

int publish_import(const char *file, ArtifactType type, const char *platform, const char *version,
                   const char *url, ChannelArtifact *ret, char **ret_reason) {
        _cleanup_(publish_artifact_done) ChannelArtifact a = {};
        _cleanup_free_ char *copy = NULL;
        _cleanup_close_ int fd = -EBADF;
        char head[64];
        const char *name;
        struct stat st;
        ssize_t k;
        int r;

        copy = strdup(file);
        if (!copy)
                return -ENOMEM;
        name = basename(copy);
        if (isempty(name) || streq(name, ".") || streq(name, ".."))
                return reason(-EINVAL, ret_reason, "%s does not name a file", file);

        fd = open(file, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return reason(-errno, ret_reason, "cannot open %s: %m", file);
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return reason(-EINVAL, ret_reason, "%s is not a regular file", file);

        k = pread(fd, head, sizeof head, 0);
        if (k < 0)
                return -errno;

        a.type = type >= 0 ? type : artifact_type_guess(name, head, (size_t) k);
        if (a.type < 0)
                return reason(-EINVAL, ret_reason, "cannot tell the type of %s from its name or contents: give --type",
                              file);

        if (platform)
                a.platform = strdup(platform);
        else {
                r = platform_from_filename(name, &a.platform);
                if (r == -ENOENT)
                        a.platform = strdup(platform_native());
                else if (r < 0)
                        return r;
        }
        if (!a.platform)
                return -ENOMEM;

        r = hash_fd(fd, -EBADF, &a.size, a.sha256);
        if (r < 0)
                return reason(r, ret_reason, "cannot read %s: %s", file, strerror(-r));
        if (a.size == 0)
                return reason(-EINVAL, ret_reason, "%s is empty", file);

        if (url)
                r = asprintf(&a.path, "%s%s", url, endswith_slash(url) ? name : "");
        else
                r = asprintf(&a.path, "%s/%s/%s", version, a.platform, name);
        if (r < 0)
                return -ENOMEM;

        *ret = a;
        a = (ChannelArtifact) {};
        return 0;
}

static int open_subdir(int dir_fd, const char *name, int *ret) {
        int fd;

        if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(dir_fd, name, O_RDONLY|O_DIRECTORY|O_CLOEXEC|O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

int publish_copy(int dir_fd, const char *file, const char *version, const ChannelArtifact *a, char **ret_reason) {
        _cleanup_close_ int fd = -EBADF, version_fd = -EBADF, platform_fd = -EBADF;
        _cleanup_free_ char *copy = NULL;
        const char *name;
        struct dirent *de;
        DIR *d;
        int r;

        copy = strdup(file);
        if (!copy)
                return -ENOMEM;
        name = basename(copy);

        fd = open(file, O_RDONLY|O_CLOEXEC|O_NOCTTY);
        if (fd < 0)
                return reason(-errno, ret_reason, "cannot open %s: %m", file);

        r = open_subdir(dir_fd, version, &version_fd);
        if (r >= 0)
                r = open_subdir(version_fd, a->platform, &platform_fd);
        if (r < 0)
                return reason(r, ret_reason, "cannot create %s/%s/: %m", version, a->platform);

        /* Another file there is what a version published and withdrawn before left: its bytes may be
         * installed somewhere, so the version is not published again with others. */
        int dup_fd = fcntl(platform_fd, F_DUPFD_CLOEXEC, 3);
        if (dup_fd < 0)
                return -errno;
        d = fdopendir(dup_fd);
        if (!d) {
                r = -errno;
                (void) close(dup_fd);
                return r;
        }
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && !streq(de->d_name, name)) {
                        r = reason(-EEXIST, ret_reason, "%s/%s/ holds %s from an earlier publication of %s: "
                                   "a version once published keeps its bytes; publish a new version instead",
                                   version, a->platform, de->d_name, version);
                        break;
                }
        closedir(d);
        if (r < 0)
                return r;

        r = copy_in(fd, platform_fd, name, a->sha256);
        if (r == -EEXIST)
                return reason(r, ret_reason, "%s/%s/%s exists with other content: version %s was published before "
                              "with another %s, and a client may have installed it; publish a new version instead",
                              version, a->platform, name, version, name);
        if (r == -EAGAIN)
                return reason(r, ret_reason, "%s changed while it was copied", file);
        if (r < 0)
                return reason(r, ret_reason, "cannot copy %s to %s/%s/: %s", file, version, a->platform, strerror(-r));

        return 0;
}

static int fsync_at(int dir_fd, const char *name) {
        _cleanup_close_ int fd = -EBADF;

        fd = openat(dir_fd, name, O_RDONLY|O_CLOEXEC|O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 ? -errno : 0;
}

/* minisign -S, with its own password prompt and key formats. Its stdout goes to our stderr, so that
 * upkeep-publish's stdout carries only what upkeep-publish says. */
static int run_minisign(const PublishSigner *signer, const char *data_path, const char *sig_path,
                        const char *comment, char **ret_reason) {
        const char *argv[12];
        size_t n = 0;
        pid_t pid;
        int status;

        argv[n++] = signer->minisign;
        argv[n++] = "-S";
        if (signer->secret_key) {
                argv[n++] = "-s";
                argv[n++] = signer->secret_key;
        }
        argv[n++] = "-m";
        argv[n++] = data_path;
        argv[n++] = "-x";
        argv[n++] = sig_path;
        argv[n++] = "-t";
        argv[n++] = comment;
        argv[n] = NULL;

        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
                        _exit(127);
                execvp(argv[0], (char *const *) argv);
                fprintf(stderr, "Failed to run %s: %m\n", argv[0]);
                _exit(127);
        }

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;

        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                return reason(-ENOENT, ret_reason, "cannot run %s", signer->minisign);
        return reason(-EIO, ret_reason, "%s -S failed (%s %d)", signer->minisign,
                          WIFEXITED(status) ? "exit status" : "signal",
                          WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* The new signature must be one a client accepts: well-formed, over these bytes, and, when a public key
 * was given, made with it. */
static int verify_new_signature(int dir_fd, const char *sig_name, const char *json, size_t size,
                                const MinisignPublicKey *key, char **ret_reason) {
        _cleanup_free_ char *text = NULL;
        MinisignSignature sig = {};
        char a[17], b[17];
        size_t n;
        int r;

        r = read_file_at(dir_fd, sig_name, MINISIGN_SIGNATURE_MAX_FILE_SIZE, &text, &n);
        if (r < 0)
                return reason(r, ret_reason, "cannot read the signature minisign wrote: %s", strerror(-r));
        r = minisign_signature_parse(text, n, &sig);
        if (r < 0)
                return reason(r, ret_reason, "minisign wrote a signature upkeep cannot read");

        if (key) {
                r = minisign_verify(key, &sig, json, size);
                if (r == -EKEYREJECTED)
                        reason(r, ret_reason, "the secret key (key ID %s) is not the one of the public key given (%s)",
                                   minisign_key_id_to_string(sig.key_id, a), minisign_key_id_to_string(key->key_id, b));
                else if (r < 0)
                        reason(r, ret_reason, "the new signature does not verify with the public key given");
        }

        minisign_signature_done(&sig);
        return r;
}

int publish_write(int dir_fd, const char *dir_path, const Channel *c, const PublishSigner *signer, char **ret_reason) {
        static const char json_new[] = PUBLISH_CHANNEL_FILE ".new", sig_new[] = PUBLISH_SIGNATURE_FILE ".new";
        _cleanup_free_ char *json = NULL, *json_path = NULL, *sig_path = NULL, *comment = NULL;
        char expires[RFC3339_MAX];
        int r;

        r = channel_to_json(c, &json);
        if (r < 0)
                return reason(r, ret_reason, "cannot write the channel: %s", strerror(-r));

        /* What is written must be what every client reads: never publish a channel they would refuse. */
        Channel *check = NULL;
        r = channel_parse(json, strlen(json), &check, ret_reason);
        channel_free(check);
        if (r < 0)
                return r;

        if (asprintf(&json_path, "%s/%s", dir_path, json_new) < 0 ||
            asprintf(&sig_path, "%s/%s", dir_path, sig_new) < 0 ||
            asprintf(&comment, "upkeep channel of %s, serial %" PRIu64 ", expires %s", c->app, c->serial,
                     format_timestamp_rfc3339(expires, sizeof expires, c->expires)) < 0)
                return -ENOMEM;

        (void) unlinkat(dir_fd, sig_new, 0);
        r = write_file_atomic_at(dir_fd, json_new, json, strlen(json), 0644);
        if (r < 0) {
                reason(r, ret_reason, "cannot write %s: %s", json_new, strerror(-r));
                goto fail;
        }

        r = run_minisign(signer, json_path, sig_path, comment, ret_reason);
        if (r < 0)
                goto fail;

        r = verify_new_signature(dir_fd, sig_new, json, strlen(json), signer->key, ret_reason);
        if (r < 0)
                goto fail;

        r = fsync_at(dir_fd, sig_new);
        if (r < 0) {
                reason(r, ret_reason, "cannot sync %s: %s", sig_new, strerror(-r));
                goto fail;
        }

        /* The signature first: see publish-store.h. */
        if (renameat(dir_fd, sig_new, dir_fd, PUBLISH_SIGNATURE_FILE) < 0 ||
            renameat(dir_fd, json_new, dir_fd, PUBLISH_CHANNEL_FILE) < 0) {
                r = -errno;
                reason(r, ret_reason, "cannot rename the new channel into place: %s", strerror(-r));
                goto fail;
        }

        return fsync_directory_at(dir_fd);

fail:
        (void) unlinkat(dir_fd, sig_new, 0);
        (void) unlinkat(dir_fd, json_new, 0);
        return r;
}

/* Removes what is in fd (files, and directories of files, depth levels down) and closes it. */
static int remove_contents(int fd, unsigned depth) {
        struct dirent *de;
        DIR *d;
        int r = 0;

        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                (void) close(fd);
                return r;
        }

        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (de->d_type == DT_DIR && depth > 0) {
                        int sub = openat(dirfd(d), de->d_name, O_RDONLY|O_DIRECTORY|O_CLOEXEC|O_NOFOLLOW);

                        if (sub < 0 || remove_contents(sub, depth - 1) < 0 ||
                            unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0) {
                                if (r == 0)
                                        r = -errno ?: -EIO;
                        }
                } else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && r == 0)
                        r = -errno;
        }

        closedir(d);
        return r;
}

int publish_remove_version_dir(int dir_fd, const char *version) {
        int fd, r;

        fd = openat(dir_fd, version, O_RDONLY|O_DIRECTORY|O_CLOEXEC|O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;

        r = remove_contents(fd, 1);
        if (r < 0)
                return r;
        if (unlinkat(dir_fd, version, AT_REMOVEDIR) < 0)
                return -errno;
        return fsync_directory_at(dir_fd);
}
