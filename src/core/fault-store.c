/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault-store.h"
#include "fileio.h"
#include "macro.h"
#include "state.h"
#include "strv.h"

static int open_fault_dir(int app_dir_fd, bool create) {
        int fd;

        /* 0700: reports hold journal lines, which the journal shows only to root and its groups. */
        if (create && mkdirat(app_dir_fd, FAULT_DIR, 0700) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(app_dir_fd, FAULT_DIR, O_RDONLY|O_DIRECTORY|O_CLOEXEC|O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

int fault_load_counts_at(int app_dir_fd, FaultCounts *ret) {
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = open_fault_dir(app_dir_fd, false);
        if (fd < 0)
                return fd;
        r = read_file_at(fd, FAULT_COUNTS_FILE, FAULT_REPORT_SIZE_MAX, &text, NULL);
        if (r < 0)
                return r;
        return fault_counts_from_json(text, ret);
}

static int list_at(int dir_fd, char ***ret) {
        _cleanup_(strv_freep) char **names = NULL, **ids = NULL;
        int r;

        r = read_dir_names_at(dir_fd, &names);
        if (r < 0)
                return r;

        for (char **name = names; name && *name; name++) {
                char id[FAULT_ID_MAX];
                const char *suffix;

                /* ID.json, and nothing else: the temporary files of a write in progress start with '.'. */
                suffix = strrchr(*name, '.');
                if (!suffix || !streq(suffix, ".json") || (size_t) (suffix - *name) != FAULT_ID_LENGTH)
                        continue;
                memcpy(id, *name, FAULT_ID_LENGTH);
                id[FAULT_ID_LENGTH] = 0;
                if (!fault_id_is_valid(id))
                        continue;
                r = strv_extend(&ids, id);
                if (r < 0)
                        return r;
        }

        /* Names in order are IDs in order, and those are times in order. */
        *ret = TAKE_PTR(ids);
        return 0;
}

int fault_list_at(int app_dir_fd, char ***ret) {
        _cleanup_close_ int fd = -EBADF;

        fd = open_fault_dir(app_dir_fd, false);
        if (fd == -ENOENT) {
                *ret = NULL;
                return 0;
        }
        if (fd < 0)
                return fd;
        return list_at(fd, ret);
}

int fault_load_at(int app_dir_fd, const char *id, FaultReport **ret) {
        _cleanup_free_ char *text = NULL, *name = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (!fault_id_is_valid(id))
                return -EINVAL;

        fd = open_fault_dir(app_dir_fd, false);
        if (fd < 0)
                return fd;
        if (asprintf(&name, "%s.json", id) < 0)
                return -ENOMEM;
        r = read_file_at(fd, name, FAULT_REPORT_SIZE_MAX, &text, NULL);
        if (r < 0)
                return r;
        return fault_report_from_json(text, ret);
}

static int prune(int dir_fd, unsigned keep) {
        _cleanup_(strv_freep) char **ids = NULL;
        size_t n;
        int r;

        r = list_at(dir_fd, &ids);
        if (r < 0)
                return r;

        n = strv_length(ids);
        for (size_t i = 0; i + keep < n; i++) {
                _cleanup_free_ char *name = NULL;

                if (asprintf(&name, "%s.json", ids[i]) < 0)
                        return -ENOMEM;
                if (unlinkat(dir_fd, name, 0) < 0 && errno != ENOENT)
                        return -errno;
        }
        return 0;
}

int fault_save_at(int app_dir_fd, FaultReport *rep, unsigned keep) {
        _cleanup_(fault_counts_done) FaultCounts counts = {};
        _cleanup_free_ char *text = NULL, *counts_text = NULL;
        _cleanup_close_ int fd = -EBADF, lock = -EBADF;
        char id[FAULT_ID_MAX], name[FAULT_ID_MAX + 5];
        int r;

        fd = open_fault_dir(app_dir_fd, true);
        if (fd < 0)
                return fd;

        lock = openat(fd, FAULT_LOCK_FILE, O_RDWR|O_CREAT|O_CLOEXEC|O_NOFOLLOW|O_NOCTTY, 0600);
        if (lock < 0)
                return -errno;
        while (flock(lock, LOCK_EX) < 0)
                if (errno != EINTR)
                        return -errno;

        /* Two faults in one microsecond (two recorders at once): the second moves on by one. */
        for (;; rep->time++) {
                if (!fault_id_format(id, rep->time))
                        return -EINVAL;
                (void) snprintf(name, sizeof name, "%s.json", id);
                if (faccessat(fd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno != ENOENT)
                                return -errno;
                        break;
                }
        }
        r = free_and_strdup(&rep->id, id);
        if (r < 0)
                return r;

        if (keep > 0) {
                r = fault_report_to_json(rep, &text);
                if (r < 0)
                        return r;
                r = write_file_atomic_at(fd, name, text, strlen(text), 0600);
                if (r < 0)
                        return r;
        }

        /* A corrupt counts.json starts again from zero rather than stop the recording. */
        r = read_file_at(fd, FAULT_COUNTS_FILE, FAULT_REPORT_SIZE_MAX, &counts_text, NULL);
        if (r >= 0)
                r = fault_counts_from_json(counts_text, &counts);
        if (r == -ENOMEM)
                return r;
        r = fault_counts_add(&counts, rep->version, rep->trial, rep->time);
        if (r < 0)
                return r;
        counts_text = mfree(counts_text);
        r = fault_counts_to_json(&counts, &counts_text);
        if (r < 0)
                return r;
        r = write_file_atomic_at(fd, FAULT_COUNTS_FILE, counts_text, strlen(counts_text), 0644);
        if (r < 0)
                return r;

        return prune(fd, keep);
}
