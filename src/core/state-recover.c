/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "channel.h"
#include "fileio.h"
#include "macro.h"
#include "sha256.h"
#include "state-recover.h"

/* The serial and digest of the kept channel; 0 and no digest when there is none that parses. */
static int kept_channel_floor(int dir_fd, uint64_t *ret_serial, char ret_digest[static SHA256_HEX_SIZE]) {
        _cleanup_(channel_freep) Channel *c = NULL;
        _cleanup_free_ char *json = NULL, *reason = NULL;
        uint8_t digest[SHA256_SIZE];
        size_t size;
        int r;

        *ret_serial = 0;
        ret_digest[0] = 0;

        r = read_file_at(dir_fd, CHANNEL_FILE, CHANNEL_MAX_SIZE, &json, &size);
        if (IN_SET(r, -ENOENT, -EFBIG))
                return 0;
        if (r < 0)
                return r;

        /* It was verified when it was kept; what does not parse now is no floor to trust. */
        if (channel_parse(json, size, &c, &reason) < 0)
                return 0;

        r = sha256_buffer(json, size, digest);
        if (r < 0)
                return r;

        *ret_serial = c->serial;
        sha256_to_hex(digest, ret_digest);
        return 0;
}

int app_state_recover_at(int dir_fd, const char *problem, AppState **ret, bool *ret_from_old) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        _cleanup_free_ char *current = NULL, *previous = NULL, *reason = NULL;
        char digest[SHA256_HEX_SIZE];
        uint64_t serial;
        bool from_old;
        int r;

        r = app_state_load_old_at(dir_fd, &s);
        from_old = r >= 0;
        if (!from_old) {
                r = app_state_new(&s);
                if (r < 0)
                        return r;
        }

        r = app_state_read_links_at(dir_fd, &current, &previous);
        if (r < 0)
                return r;
        free_and_replace(s->current_version, current);
        free_and_replace(s->previous_version, previous);
        if (s->trial_version && !streq_ptr(s->trial_version, s->current_version)) {
                s->trial_version = mfree(s->trial_version);
                s->trial_started_at = 0;
                s->trial_starts = 0;
        }

        r = kept_channel_floor(dir_fd, &serial, digest);
        if (r < 0)
                return r;
        if (serial > s->channel_serial) {
                s->channel_serial = serial;
                r = free_and_strdup(&s->channel_digest, digest);
                if (r < 0)
                        return r;
        }
        s->channel_etag = mfree(s->channel_etag);
        s->channel_last_modified = 0;

        if (asprintf(&reason, "%s was unusable and was rebuilt from %s; check the app, then resume it",
                     STATE_FILE, from_old ? STATE_FILE_OLD ", the links and the kept channel"
                                          : "the links and the kept channel") < 0)
                return -ENOMEM;
        s->paused = true;
        free_and_replace(s->pause_reason, reason);
        r = free_and_strdup(&s->last_error, problem);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        if (ret_from_old)
                *ret_from_old = from_old;
        return 0;
}

bool app_state_was_lost_at(int dir_fd) {
        return faccessat(dir_fd, STATE_FILE_OLD, F_OK, AT_SYMLINK_NOFOLLOW) >= 0 ||
               faccessat(dir_fd, CHANNEL_FILE, F_OK, AT_SYMLINK_NOFOLLOW) >= 0;
}
