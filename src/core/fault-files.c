/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "fault-files.h"
#include "fileio.h"
#include "macro.h"
#include "strv.h"
#include "utf8.h"

static bool glob_component_is_valid(const char *c, size_t n) {
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                return false;
        return true;
}

bool fault_glob_is_valid(const char *pattern) {
        unsigned depth = 0;

        if (isempty(pattern) || pattern[0] == '/' || str_has_control_chars(pattern) || strlen(pattern) > 1024)
                return false;

        for (const char *p = pattern;;) {
                size_t n = strcspn(p, "/");

                if (!glob_component_is_valid(p, n) || ++depth > FAULT_GLOB_DEPTH_MAX)
                        return false;
                if (!p[n])
                        return true;
                p += n + 1;
        }
}

/* Reads the last FAULT_FILE_BYTES_MAX (or *budget) bytes of the regular file fd. */
static int read_file_tail(int fd, const struct stat *st, size_t *budget, FaultFile *ret) {
        size_t cap = MIN((size_t) FAULT_FILE_BYTES_MAX, *budget);
        size_t want = MIN((size_t) st->st_size, cap);
        _cleanup_free_ char *buf = NULL;
        off_t offset = st->st_size - (off_t) want;
        size_t got = 0;

        buf = malloc(want + 1);
        if (!buf)
                return -ENOMEM;

        while (got < want) {
                ssize_t k = read_retry(fd, buf + got, want - got, &offset);
                if (k < 0)
                        return (int) k;
                if (k == 0)
                        break;  /* it shrank meanwhile */
                got += (size_t) k;
        }
        buf[got] = 0;
        *budget -= got;

        ret->size = (uint64_t) st->st_size;
        ret->truncated = got < (size_t) st->st_size;
        if (utf8_is_valid_n(buf, got) && memchr(buf, 0, got) == NULL) {
                ret->content = TAKE_PTR(buf);
                ret->binary = false;
        } else {
                ret->content = base64_encode(buf, got);
                if (!ret->content)
                        return -ENOMEM;
                ret->binary = true;
        }
        return 0;
}

static int add_file(int dir_fd, const char *name, const char *path, size_t *budget, FaultFile **files, size_t *n_files) {
        _cleanup_close_ int fd = -EBADF;
        FaultFile f = {}, *l;
        struct stat st;
        int r;

        if (*n_files >= FAULT_FILES_MAX)
                return 0;

        /* O_NOFOLLOW: a link the app made must not show root's files in a report; O_NONBLOCK: nor may
         * a FIFO hang the recorder (it is refused below anyway). */
        fd = openat(dir_fd, name, O_RDONLY|O_CLOEXEC|O_NOFOLLOW|O_NOCTTY|O_NONBLOCK);
        if (fd < 0)
                return errno == ELOOP ? 0 : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        /* A hard link made into the app's directory may be someone else's file (where the kernel's
         * protected_hardlinks does not stop it): only files that are nowhere else are read. */
        if (!S_ISREG(st.st_mode) || st.st_nlink > 1)
                return 0;

        f.path = strdup(path);
        if (!f.path)
                return -ENOMEM;
        r = read_file_tail(fd, &st, budget, &f);
        if (r < 0) {
                fault_file_done(&f);
                return r;
        }

        l = reallocarray(*files, *n_files + 1, sizeof(FaultFile));
        if (!l) {
                fault_file_done(&f);
                return -ENOMEM;
        }
        l[(*n_files)++] = f;
        *files = l;
        return 0;
}

static int collect(int dir_fd, const char *dir_path, const char *pattern, size_t *budget,
                   FaultFile **files, size_t *n_files) {
        _cleanup_(strv_freep) char **names = NULL;
        _cleanup_free_ char *component = NULL;
        const char *rest;
        size_t n;
        int r;

        n = strcspn(pattern, "/");
        component = strndup(pattern, n);
        if (!component)
                return -ENOMEM;
        rest = pattern[n] ? pattern + n + 1 : NULL;

        r = read_dir_names_at(dir_fd, &names);
        if (r < 0)
                return r;

        for (char **name = names; name && *name; name++) {
                _cleanup_free_ char *path = NULL;

                if (*n_files >= FAULT_FILES_MAX || *budget == 0)
                        break;
                /* FNM_PERIOD: "*" does not match hidden files, as in a shell. */
                if (fnmatch(component, *name, FNM_PERIOD) != 0)
                        continue;
                if (asprintf(&path, "%s/%s", dir_path, *name) < 0)
                        return -ENOMEM;

                if (rest) {
                        _cleanup_close_ int sub = -EBADF;

                        /* A directory reached through a link is not the app's own. */
                        sub = openat(dir_fd, *name, O_RDONLY|O_DIRECTORY|O_CLOEXEC|O_NOFOLLOW);
                        if (sub < 0) {
                                if (IN_SET(errno, ENOTDIR, ELOOP, ENOENT, EACCES))
                                        continue;
                                return -errno;
                        }
                        r = collect(sub, path, rest, budget, files, n_files);
                } else
                        r = add_file(dir_fd, *name, path, budget, files, n_files);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        return 0;
}

int fault_files_collect_at(int dir_fd, const char *dir_path, const char *pattern, size_t *budget,
                           FaultFile **files, size_t *n_files) {
        if (!fault_glob_is_valid(pattern))
                return -EINVAL;
        return collect(dir_fd, dir_path, pattern, budget, files, n_files);
}

int fault_app_directories(const UnitLine *lines, size_t n_lines, char ***ret) {
        _cleanup_(strv_freep) char **dirs = NULL;
        int r;

        for (size_t i = 0; i < n_lines; i++) {
                const UnitLine *l = lines + i;
                const char *base;

                if (streq(l->key, "StateDirectory"))
                        base = "/var/lib";
                else if (streq(l->key, "LogsDirectory"))
                        base = "/var/log";
                else
                        continue;

                for (const char *p = l->value; *p;) {
                        _cleanup_free_ char *word = NULL, *path = NULL;
                        size_t n;

                        p += strspn(p, " \t");
                        n = strcspn(p, " \t");
                        if (n == 0)
                                break;
                        /* "DIR:LINK" (later systemd): the directory is DIR. */
                        word = strndup(p, MIN(n, strcspn(p, ":")));
                        p += n;
                        if (!word)
                                return -ENOMEM;
                        if (word[0] == '/' || strstr(word, "..") || !fault_glob_is_valid(word))
                                continue;
                        if (asprintf(&path, "%s/%s", base, word) < 0)
                                return -ENOMEM;
                        if (strv_contains(dirs, path))
                                continue;
                        r = strv_extend(&dirs, path);
                        if (r < 0)
                                return r;
                }
        }

        *ret = TAKE_PTR(dirs);
        return 0;
}
