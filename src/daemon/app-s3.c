/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app-s3.h"
#include "fileio.h"
#include "macro.h"

/* Where c's credentials are: the file named, or else the systemd credential if upkeepd has it, or
 * else the file below /etc. */
static int app_s3_credentials_path(const AppConfig *c, char **ret) {
        const char *dir = getenv("CREDENTIALS_DIRECTORY");
        char *path = NULL;

        if (c->s3_credentials_file)
                path = strdup(c->s3_credentials_file);
        else if (!isempty(dir) && asprintf(&path, "%s/" S3_CREDENTIAL_PREFIX "%s", dir, c->name) >= 0 &&
                 access(path, F_OK) < 0)
                path = mfree(path);
        if (!path && asprintf(&path, S3_CREDENTIALS_DIR "/%s" S3_CREDENTIALS_SUFFIX, c->name) < 0)
                return -ENOMEM;
        if (!path)
                return -ENOMEM;

        *ret = path;
        return 0;
}

int app_s3_credentials_load(const AppConfig *c, S3Credentials *ret, char **ret_reason) {
        _cleanup_free_ char *path = NULL, *text = NULL, *why = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t size = 0;
        struct stat st;
        int r;

        r = app_s3_credentials_path(c, &path);
        if (r < 0)
                return r;

        fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK);
        if (fd < 0) {
                r = -errno;
                if (r == -ENOENT && !c->s3_credentials_file)
                        *ret_reason = strdup_printf("no S3 credentials for %s: neither %s nor the credential "
                                                    S3_CREDENTIAL_PREFIX "%s of upkeepd.service exists (upkeep.app(5))",
                                                    c->source, path, c->name);
                else
                        *ret_reason = strdup_printf("cannot open the S3 credentials file %s: %s", path, strerror(-r));
                return r;
        }
        if (fstat(fd, &st) < 0) {
                r = -errno;
                *ret_reason = strdup_printf("cannot stat the S3 credentials file %s: %s", path, strerror(-r));
                return r;
        }
        if (!S_ISREG(st.st_mode)) {
                *ret_reason = strdup_printf("the S3 credentials file %s is not a regular file", path);
                return -EBADF;
        }
        /* A key anyone else on the machine can read is a key anyone may use: refuse it, loudly. */
        if (st.st_uid != geteuid() || (st.st_mode & 0077) != 0) {
                *ret_reason = strdup_printf("refusing the S3 credentials file %s: it is owned by UID %u with mode %04o, "
                                            "but must be owned by root and accessible to nobody else (chmod 0600)",
                                            path, (unsigned) st.st_uid, (unsigned) (st.st_mode & 07777));
                return -EPERM;
        }

        r = read_full_fd(fd, S3_CREDENTIALS_MAX_SIZE, st.st_size, &text, &size);
        if (r < 0) {
                *ret_reason = strdup_printf("cannot read the S3 credentials file %s: %s", path, strerror(-r));
                return r;
        }

        r = s3_credentials_parse(text, size, ret, &why);
        explicit_bzero(text, size);
        if (r < 0) {
                *ret_reason = why ? strdup_printf("the S3 credentials file %s is malformed: %s", path, why) : NULL;
                return r;
        }
        return 0;
}

int app_s3_request(const AppConfig *c, const S3Credentials *credentials, const char *s3_url, HttpOptions *options,
                   char **ret_url) {
        const char *region = app_config_s3_region(c);
        int r;

        r = s3_object_url(c->s3_endpoint, region, s3_url, ret_url);
        if (r < 0)
                return r;

        options->s3_credentials = credentials;
        options->s3_region = region;
        options->origin = NULL;  /* the object's own URL: http(s) */
        return 0;
}
