/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Moving an app between staged versions: atomic link swaps, the per-app lock, and the state
 * transitions of a switch, a kept trial and a rollback. */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "backoff.h"
#include "fileio.h"
#include "macro.h"
#include "strv.h"
#include "switch.h"
#include "version.h"

#define VERSIONS_DIR "versions/"
static bool filename_is_plain(const char *s) {
        return !isempty(s) && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}

static int make_symlink(int dir_fd, const char *tmp, void *userdata) {
        if (symlinkat(userdata, dir_fd, tmp) < 0)
                return -errno;
        return 0;
}

int switch_link_at(int dir_fd, const char *name, const char *version) {
        _cleanup_free_ char *target = NULL;
        struct stat st;
        int r;

        /* The version becomes a path component: only a valid one (which has no '/') can't escape. */
        if (!filename_is_plain(name) || !version_is_valid(version))
                return -EINVAL;

        if (asprintf(&target, VERSIONS_DIR "%s", version) < 0)
                return -ENOMEM;

        /* A link to nothing would make the next start fail; refuse it while the old link still works. */
        if (fstatat(dir_fd, target, &st, 0) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;

        /* Readers see either the old or the new link. */
        r = rename_into_place_at(dir_fd, name, make_symlink, target);
        if (r < 0)
                return r;

        return fsync_directory_at(dir_fd);
}

int app_lock_at(int dir_fd) {
        _cleanup_close_ int fd = -EBADF;

        /* O_NOFOLLOW: whoever can write the app directory must not redirect root's open elsewhere. */
        fd = openat(dir_fd, APP_LOCK_FILE, O_RDWR|O_CREAT|O_CLOEXEC|O_NOFOLLOW|O_NOCTTY, 0600);
        if (fd < 0)
                return -errno;

        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return -errno;

        return TAKE_FD(fd);
}

int app_state_begin_trial(AppState *s, const char *version, TransitionKind kind, usec_t now) {
        _cleanup_free_ char *current = NULL, *trial = NULL;
        int r;

        if (!s || !version_is_valid(version) || !IN_SET(kind, TRANSITION_SCHEDULED, TRANSITION_MANUAL))
                return -EINVAL;
        /* Switching to what runs would make previous name the same version, leaving nothing to roll
         * back to; a second trial on top of an unproven one would make the unproven one previous. */
        if (streq_ptr(s->current_version, version) || s->trial_version)
                return -EINVAL;

        current = strdup(version);
        trial = strdup(version);
        if (!current || !trial)
                return -ENOMEM;

        /* The last step that can fail: nothing in s has changed before it. */
        r = app_state_add_transition(s, now, s->current_version, version, kind);
        if (r < 0)
                return r;

        free(s->previous_version);
        s->previous_version = TAKE_PTR(s->current_version);
        s->current_version = TAKE_PTR(current);

        s->pending_version = mfree(s->pending_version);
        s->due_at = 0;

        free(s->trial_version);
        s->trial_version = TAKE_PTR(trial);
        s->trial_started_at = now;
        s->trial_starts = 0;

        /* An operator's explicit update starts afresh; a scheduled one keeps counting failures. */
        if (kind == TRANSITION_MANUAL)
                app_state_backoff_reset(s);

        return 0;
}

int app_state_keep_trial(AppState *s) {
        if (!s || !s->trial_version)
                return -EINVAL;

        s->trial_version = mfree(s->trial_version);
        s->trial_started_at = 0;
        s->trial_starts = 0;

        app_state_backoff_reset(s);
        return 0;
}

/* A rollback needs a valid version to go back to that is not the one being left (after a rollback
 * both links name the good version, and a second one would mark it bad). */
static bool rollback_applies(const AppState *s) {
        return s &&
                version_is_valid(s->previous_version) &&
                version_is_valid(s->current_version) &&
                !streq(s->previous_version, s->current_version);
}

int app_state_rollback(AppState *s, const char *reason, usec_t now) {
        _cleanup_free_ char *good = NULL, *reason_copy = NULL;
        bool added_bad = false;
        int r;

        if (!rollback_applies(s))
                return -EINVAL;

        good = strdup(s->previous_version);
        if (!good)
                return -ENOMEM;
        if (reason) {
                reason_copy = strdup(reason);
                if (!reason_copy)
                        return -ENOMEM;
        }

        if (!strv_contains(s->bad_versions, s->current_version)) {
                r = strv_extend(&s->bad_versions, s->current_version);
                if (r < 0)
                        return r;
                added_bad = true;
        }

        r = app_state_add_transition(s, now, s->current_version, s->previous_version, TRANSITION_ROLLBACK);
        if (r < 0) {
                /* Leave s as it was: take back the entry just appended. */
                if (added_bad) {
                        size_t n = strv_length(s->bad_versions);

                        s->bad_versions[n - 1] = mfree(s->bad_versions[n - 1]);
                        if (n == 1)
                                s->bad_versions = mfree(s->bad_versions);
                }
                return r;
        }

        free(s->current_version);
        s->current_version = TAKE_PTR(good);

        s->paused = true;
        free(s->pause_reason);
        s->pause_reason = TAKE_PTR(reason_copy);

        s->trial_version = mfree(s->trial_version);
        s->trial_started_at = 0;
        s->trial_starts = 0;
        return 0;
}

TrialVerdict app_state_trial_on_start(AppState *s) {
        if (!s || !s->trial_version)
                return TRIAL_NONE;

        if (s->trial_starts < UINT_MAX)
                s->trial_starts++;

        return s->trial_starts <= 1 ? TRIAL_CONTINUE : TRIAL_FAILED;
}

int app_rollback_at(int dir_fd, AppState *s, const char *reason, usec_t now) {
        int r;

        /* Checked before the link moves, so a rollback that cannot happen changes nothing on disk. */
        if (!rollback_applies(s))
                return -EINVAL;

        r = switch_link_at(dir_fd, APP_CURRENT_LINK, s->previous_version);
        if (r < 0)
                return r;

        /* Only allocation can fail from here. The link then already names the good version while s
         * does not; the caller does not save s, and the next rollback converges (the switch is
         * idempotent). */
        return app_state_rollback(s, reason, now);
}
