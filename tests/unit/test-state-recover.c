/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel.h"
#include "fileio.h"
#include "macro.h"
#include "sha256.h"
#include "state-recover.h"
#include "strv.h"
#include "test-util.h"
#include "tests.h"

static char tmpdir[] = "/tmp/test-state-recover-XXXXXX";

static const char kept_channel[] =
        "{ \"app\": \"example\", \"serial\": 9, \"expires\": \"2030-01-01T00:00:00Z\", \"releases\": [\n"
        "  { \"version\": \"1.3.0\", \"artifacts\": [ { \"platform\": \"linux-amd64\", \"type\": \"binary\",\n"
        "    \"path\": \"example\", \"size\": 10,\n"
        "    \"sha256\": \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\" } ] } ] }\n";

/* An app directory as upkeep leaves it: versions 1.2.0 and 1.3.0, current -> 1.3.0, previous ->
 * 1.2.0, the kept channel (serial 9) unless channel is NULL. */
static int make_app_dir(const char *name, const char *channel) {
        int fd = test_open_fresh_dir(tmpdir, name);

        ASSERT_OK_ZERO_ERRNO(mkdirat(fd, "versions", 0755));
        ASSERT_OK_ZERO_ERRNO(mkdirat(fd, "versions/1.2.0", 0755));
        ASSERT_OK_ZERO_ERRNO(mkdirat(fd, "versions/1.3.0", 0755));
        ASSERT_OK_ZERO_ERRNO(symlinkat("versions/1.3.0", fd, "current"));
        ASSERT_OK_ZERO_ERRNO(symlinkat("versions/1.2.0", fd, "previous"));
        if (channel)
                ASSERT_OK_ZERO(write_file_atomic_at(fd, CHANNEL_FILE, channel, strlen(channel), 0644));
        return fd;
}

/* What a careful operator set up before the corruption: serial 7, a pin, a bad version, a pinned
 * gobuild key and log, a trial of what is now previous. */
static AppState *state_before(void) {
        AppState *s = NULL;

        ASSERT_OK_ZERO(app_state_new(&s));
        ASSERT_EQ(free_and_strdup(&s->current_version, "1.2.0"), 1);
        ASSERT_EQ(free_and_strdup(&s->pinned_version, "1.3.0"), 1);
        ASSERT_EQ(free_and_strdup(&s->trial_version, "1.2.0"), 1);
        s->trial_starts = 1;
        s->channel_serial = 7;
        ASSERT_EQ(free_and_strdup(&s->channel_digest, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"), 1);
        ASSERT_EQ(free_and_strdup(&s->channel_etag, "\"abc\""), 1);
        ASSERT_EQ(free_and_strdup(&s->gobuild_key, "beta.gobuilds.org+3979319f+AReBl47t6tEkc8Hf0QGQyJxGX5Yg2RYTmZtRq6L7j2Ej"), 1);
        s->tlog_size = 1234;
        ASSERT_OK_ZERO(strv_extend(&s->bad_versions, "1.4.0"));
        return s;
}

static void corrupt_state(int dir_fd) {
        ASSERT_OK_ZERO(write_file_atomic_at(dir_fd, STATE_FILE, "{\"channel_ser", 13, 0644));
        ASSERT_ERROR(app_state_load_at(dir_fd, &(AppState *) { NULL }), EBADMSG);
}

static void test_from_last_good_copy(void) {
        _cleanup_(app_state_freep) AppState *before = state_before(), *s = NULL;
        _cleanup_close_ int dir_fd = make_app_dir("last-good", kept_channel);
        char digest_hex[SHA256_HEX_SIZE];
        uint8_t digest[SHA256_SIZE];
        bool from_old = false;

        printf("%s\n", __func__);

        /* Two saves: the first becomes the last good copy; then the file goes bad. */
        ASSERT_OK_ZERO(app_state_save_at(dir_fd, before));
        ASSERT_OK_ZERO(app_state_save_at(dir_fd, before));
        corrupt_state(dir_fd);
        ASSERT_TRUE(app_state_was_lost_at(dir_fd));

        ASSERT_OK_ZERO(app_state_recover_at(dir_fd, "state file state.json is corrupt", &s, &from_old));
        ASSERT_TRUE(from_old);

        /* What only the state knew survives. */
        ASSERT_STREQ(s->pinned_version, "1.3.0");
        ASSERT_TRUE(strv_contains(s->bad_versions, "1.4.0"));
        ASSERT_STREQ(s->gobuild_key, before->gobuild_key);
        ASSERT_EQ(s->tlog_size, 1234);

        /* The links are the truth about what is installed; a trial of another version is over. */
        ASSERT_STREQ(s->current_version, "1.3.0");
        ASSERT_STREQ(s->previous_version, "1.2.0");
        ASSERT_NULL(s->trial_version);
        ASSERT_EQ(s->trial_starts, 0);

        /* The floor is the kept channel's serial, newer than the copy's, with its digest; the
         * validators are dropped. */
        ASSERT_EQ(s->channel_serial, 9);
        ASSERT_OK_ZERO(sha256_buffer(kept_channel, strlen(kept_channel), digest));
        ASSERT_STREQ(s->channel_digest, sha256_to_hex(digest, digest_hex));
        ASSERT_NULL(s->channel_etag);

        /* Paused until an operator has looked, and saying why. */
        ASSERT_TRUE(s->paused);
        ASSERT_NOT_NULL(strstr(s->pause_reason, "state.json was unusable"));
        ASSERT_STREQ(s->last_error, "state file state.json is corrupt");
}

static void test_without_last_good_copy(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        _cleanup_close_ int dir_fd = make_app_dir("no-copy", kept_channel);
        bool from_old = true;

        printf("%s\n", __func__);

        corrupt_state(dir_fd);
        ASSERT_OK_ZERO(app_state_recover_at(dir_fd, "corrupt", &s, &from_old));
        ASSERT_FALSE(from_old);
        ASSERT_STREQ(s->current_version, "1.3.0");
        ASSERT_EQ(s->channel_serial, 9);
        ASSERT_TRUE(s->paused);
}

static void test_copy_newer_than_channel(void) {
        _cleanup_(app_state_freep) AppState *before = state_before(), *s = NULL;
        _cleanup_close_ int dir_fd = make_app_dir("copy-newer", kept_channel);

        printf("%s\n", __func__);

        /* A floor never goes down, whichever source holds the higher one. */
        before->channel_serial = 12;
        ASSERT_OK_ZERO(app_state_save_at(dir_fd, before));
        ASSERT_OK_ZERO(app_state_save_at(dir_fd, before));
        corrupt_state(dir_fd);
        ASSERT_OK_ZERO(app_state_recover_at(dir_fd, "corrupt", &s, NULL));
        ASSERT_EQ(s->channel_serial, 12);
        ASSERT_STREQ(s->channel_digest, before->channel_digest);
}

static void test_bad_kept_channel(void) {
        _cleanup_(app_state_freep) AppState *s = NULL;
        _cleanup_close_ int dir_fd = make_app_dir("bad-channel", "{ \"app\": \"example\", \"serial\": 99 }");

        printf("%s\n", __func__);

        /* A kept channel that does not parse is no floor to trust. */
        ASSERT_OK_ZERO(app_state_recover_at(dir_fd, "missing", &s, NULL));
        ASSERT_EQ(s->channel_serial, 0);
        ASSERT_NULL(s->channel_digest);
}

static void test_was_lost(void) {
        _cleanup_close_ int fresh = test_open_fresh_dir(tmpdir, "fresh");
        _cleanup_close_ int with_channel = make_app_dir("with-channel", kept_channel);

        printf("%s\n", __func__);

        /* A new app has nothing; an app with a kept channel but no state.json lost it. */
        ASSERT_FALSE(app_state_was_lost_at(fresh));
        ASSERT_TRUE(app_state_was_lost_at(with_channel));
}

int main(void) {
        ASSERT_NOT_NULL(mkdtemp(tmpdir));

        test_from_last_good_copy();
        test_without_last_good_copy();
        test_copy_newer_than_channel();
        test_bad_kept_channel();
        test_was_lost();

        test_tmpdir_remove(tmpdir);
        return 0;
}
