/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checking an app's release channel and staging a release: fetch channel.json (conditionally, so an
 * unchanged channel costs a 304), verify its minisign signature with the app's pinned key before
 * trusting a byte of it, apply the freeze/replay rules, record what is available, and download,
 * verify (size and SHA-256 while streaming) and stage the release to take. Runs as a job, on the
 * event loop; the staging (unpacking) on a worker thread (app-stage.h).
 * A channel in a private S3 bucket (Source=s3://) is fetched the same way, each request signed with the
 * app's credentials (app-s3.h), and S3's reasons for refusing one are named.
 * It is the ReleaseSource "channel" (release-source.h). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <systemd/sd-id128.h>

#include "app-s3.h"
#include "app-stage.h"
#include "app.h"
#include "bus-error.h"
#include "channel.h"
#include "fileio.h"
#include "http-util.h"
#include "http.h"
#include "job.h"
#include "log.h"
#include "manager.h"
#include "minisign.h"
#include "release-source.h"
#include "release-choice.h"
#include "stage.h"
#include "version.h"

/* One check or update in flight: the job, and what its steps have gathered so far. The channel
 * files kept beside the state, as accepted (CHANNEL_FILE, CHANNEL_SIG_FILE), answer a 304. */
typedef struct Fetch {
        Job *job;
        App *app;
        bool automatic;             /* Check(): take only what policy, pin and pause allow */
        char *want;                 /* Update(version); NULL = newest allowed */
        const ReleaseSourceEvents *events;

        HttpRequest *request;       /* the transfer in flight, if any */
        char *url;                  /* what it fetches, as the channel names it (s3://… for S3) */
        S3Credentials s3;           /* for an S3 channel, read when the fetch starts */
        sd_event_source *deferred;  /* fails the job from the loop, for a failure before any transfer */
        char *deferred_reason;
        HttpResult channel;         /* channel.json as fetched (body, etag, last modified) */
        Channel *parsed;
        const ChannelRelease *release;
        const ChannelArtifact *artifact;
        int download_fd;            /* O_TMPFILE in partial/: a crash leaves nothing behind */

        Worker *worker;             /* staging the download, if under way */
        StageWork stage;            /* the worker's own while it runs */
} Fetch;

static Fetch *fetch_free(Fetch *f) {
        if (!f)
                return NULL;
        /* First: the worker reads download_fd and stage until its thread has ended. */
        worker_free(f->worker);
        stage_work_done(&f->stage);
        s3_credentials_done(&f->s3);
        sd_event_source_disable_unref(f->deferred);
        free(f->deferred_reason);
        free(f->url);
        http_result_done(&f->channel);
        channel_free(f->parsed);
        if (f->download_fd >= 0)
                (void) close(f->download_fd);
        free(f->want);
        free(f);
        return NULL;
}

static void fetch_end(Fetch *f, const char *result) {
        Job *j = f->job;

        fetch_free(f);
        job_finish(j, result);
}

/* Ends the job as failed, recording why on the app and naming it in JobRemoved: error_name is one of
 * bus-error.h's, or NULL for sd-bus's name of the errno. */
static void fetch_fail(Fetch *f, int error, const char *error_name, const char *format, ...) _printf_(4, 5);
static void fetch_fail(Fetch *f, int error, const char *error_name, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        release_source_failv(f->events, f->app, f->job, error, error_name, f->release ? f->release->version : NULL, format, ap);
        va_end(ap);
        fetch_free(f);
}

static void fetch_cancel(Job *j) {
        Fetch *f = j->userdata;

        if (f->request)
                http_request_cancel(f->request);
        if (f->worker)
                worker_cancel(f->worker);  /* the job ends in on_staged(), once the work stopped */
}

/* The daemon exits during the staging: stop it and wait for its thread. */
static void fetch_abandon(Job *j) {
        Fetch *f = j->userdata;

        j->userdata = NULL;
        fetch_free(f);
}

/* Source= is the channel's base URL; relative paths in it resolve against that directory. In an S3
 * channel they name objects below its prefix (-EINVAL for what names none, such as "../x"). */
static int channel_url(const App *a, const char *path, char **ret) {
        const char *base = a->config->source;
        char *url;

        if (app_config_is_s3(a->config) && (!strstr(path, "://") || startswith(path, S3_URL_PREFIX)))
                return s3_url_resolve(base, path, ret);
        if (strstr(path, "://"))
                url = strdup(path);
        else
                url = strdup_printf("%s%s%s", base, endswith_slash(base) ? "" : "/", path);
        if (!url)
                return -ENOMEM;
        *ret = url;
        return 0;
}

/* Starts GET url (as channel_url() made it): an s3:// URL at the app's endpoint, signed with its
 * credentials, anything else as it is. */
static int fetch_get(Fetch *f, const char *url, HttpOptions o, http_done_t done) {
        _cleanup_free_ char *http_url = NULL;
        int r;

        r = free_and_strdup(&f->url, url);
        if (r < 0)
                return r;

        if (startswith(url, S3_URL_PREFIX)) {
                /* Credentials were read for an S3 channel only: no other may make us sign. */
                if (!f->s3.access_key_id)
                        return -EPERM;
                r = app_s3_request(f->app->config, &f->s3, url, &o, &http_url);
                if (r < 0)
                        return r;
                url = http_url;
        }

        return http_get(f->app->manager->http, url, &o, done, f, &f->request);
}

/* Fails the fetch for an answer to what (a file of the channel) that is neither 200 nor 304. S3
 * says why in an XML document: its error code, and what to check. Frees result. */
static void fetch_fail_status(Fetch *f, const char *what, HttpResult *result) {
        _cleanup_free_ char *s3_reason = NULL;
        long status = result->status;

        if (startswith(f->url, S3_URL_PREFIX))
                s3_reason = s3_error_message(f->url, status, result->body, result->size);
        http_result_done(result);

        if (s3_reason)
                return fetch_fail(f, -EIO, BUS_ERROR_DOWNLOAD_FAILED, "%s", s3_reason);
        return fetch_fail(f, -EIO, BUS_ERROR_DOWNLOAD_FAILED, "%s answered HTTP %ld", what, status);
}

static int app_public_key(const App *a, MinisignPublicKey *ret) {
        _cleanup_free_ char *text = NULL;
        const char *key = a->config->public_key;
        int r;

        if (isempty(key))
                return -ENOKEY;

        /* A path names a minisign.pub file; anything else is the key line itself. */
        if (key[0] == '/') {
                r = read_file_at(AT_FDCWD, key, MINISIGN_SIGNATURE_MAX_FILE_SIZE, &text, NULL);
                if (r < 0)
                        return r;
                key = text;
        }

        return minisign_public_key_parse(key, ret);
}

static void on_artifact(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata);
static void fetch_choose(Fetch *f);

static void on_download_progress(uint64_t done, uint64_t total, void *userdata) {
        Fetch *f = userdata;

        if (total > 0)
                job_set_progress(f->job, 20 + (unsigned) (done * 75 / total));
}

static void fetch_download(Fetch *f) {
        _cleanup_free_ char *url = NULL;
        int r;

        r = stage_clear_partial(f->app->dir_fd);
        if (r < 0)
                return fetch_fail(f, r, NULL, "cannot prepare %s/: %s", STAGE_PARTIAL_DIR, strerror(-r));

        /* Unnamed until verified: an interrupted download vanishes with the process. */
        f->download_fd = openat(f->app->dir_fd, STAGE_PARTIAL_DIR, O_TMPFILE|O_RDWR|O_CLOEXEC, 0600);
        if (f->download_fd < 0)
                return fetch_fail(f, -errno, NULL, "cannot create a file in %s/: %m", STAGE_PARTIAL_DIR);

        r = channel_url(f->app, f->artifact->path, &url);
        if (r == -EINVAL)
                return fetch_fail(f, r, BUS_ERROR_UNSAFE_RELEASE, "release %s names its artifact at %s, which is no "
                                  "object of its S3 channel %s", f->release->version, f->artifact->path,
                                  f->app->config->source);
        if (r < 0)
                return fetch_fail(f, r, NULL, "out of memory");

        /* A channel names its artifacts; only where its own scheme allows: a channel served over
         * http(s) cannot have the daemon read a local file (and report its size or hash), nor have
         * it sign a request with S3 credentials unless it is an S3 channel. */
        if (url_is_file(url) != url_is_file(f->app->config->source) ||
            (startswith(url, S3_URL_PREFIX) && !app_config_is_s3(f->app->config)))
                return fetch_fail(f, -EPERM, BUS_ERROR_UNSAFE_RELEASE,
                                  "release %s names its artifact at %s, outside the scheme of its channel %s",
                                  f->release->version, url, f->app->config->source);

        r = fetch_get(f, url,
                      (HttpOptions) {
                              .output_fd = f->download_fd,
                              .max_size = f->artifact->size,
                              .progress = on_download_progress,
                              .origin = app_config_is_s3(f->app->config) ? NULL : f->app->config->source,
                      },
                      on_artifact);
        if (r < 0)
                return fetch_fail(f, r, NULL, "cannot start download of %s: %s", url, strerror(-r));
}

static void fetch_staged(Fetch *f) {
        f->events->staged(f->app, f->job, f->automatic, f->release->version);
        fetch_free(f);
}

static void on_staged(Worker *w, int result, void *userdata) {
        Fetch *f = userdata;

        f->worker = worker_free(f->worker);
        f->job->abandon = NULL;
        if (result == -ECANCELED)
                return fetch_fail(f, result, NULL, "canceled while staging %s", f->release->version);
        if (IN_SET(result, -EBADMSG, -EFBIG))
                return fetch_fail(f, result, result == -EFBIG ? BUS_ERROR_RELEASE_TOO_LARGE : BUS_ERROR_UNSAFE_RELEASE,
                                  "release %s refused: %s", f->release->version, strempty(f->stage.reason));
        if (result < 0)
                return fetch_fail(f, result, NULL, "cannot stage %s: %s", f->release->version, strerror(-result));

        return fetch_staged(f);
}

static void on_artifact(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        _cleanup_free_ _unused_ char *reason_owned = reason;
        Fetch *f = userdata;
        char want[65], got[65];
        int r;

        f->request = NULL;
        if (error == -EFBIG)
                return fetch_fail(f, error, BUS_ERROR_SIZE_MISMATCH, "artifact %s is larger than the %" PRIu64 " bytes the channel "
                                  "declares; download aborted", f->artifact->path, f->artifact->size);
        if (error < 0)
                return fetch_fail(f, error, BUS_ERROR_DOWNLOAD_FAILED, "download failed: %s", strempty(reason));
        if (result->status != 200)
                return fetch_fail_status(f, f->artifact->path, result);

        uint64_t size = result->size;
        bool hash_ok = memcmp(result->sha256, f->artifact->sha256, SHA256_SIZE) == 0;
        sha256_to_hex(result->sha256, got);
        http_result_done(result);

        if (size != f->artifact->size)
                return fetch_fail(f, -EBADMSG, BUS_ERROR_SIZE_MISMATCH, "artifact %s is %" PRIu64 " bytes, the channel says %" PRIu64,
                                  f->artifact->path, size, f->artifact->size);
        if (!hash_ok)
                return fetch_fail(f, -EBADMSG, BUS_ERROR_HASH_MISMATCH, "artifact %s has SHA-256 %s, the channel says %s",
                                  f->artifact->path, got, sha256_to_hex(f->artifact->sha256, want));

        if (lseek(f->download_fd, 0, SEEK_SET) < 0)
                return fetch_fail(f, -errno, NULL, "cannot rewind download: %m");

        job_set_progress(f->job, 95);
        r = stage_work_init(&f->stage, f->app, f->download_fd, f->release->version, f->artifact->type);
        if (r >= 0)
                r = stage_work_start(&f->stage, f->app->manager->event, on_staged, f, &f->worker);
        if (r < 0)
                return fetch_fail(f, r, NULL, "cannot stage %s: %s", f->release->version, strerror(-r));
        f->job->abandon = fetch_abandon;
}

/* The channel is verified and accepted: record what it offers and pick what to stage. */
static void fetch_choose(Fetch *f) {
        AppState *s = f->app->state;
        ReleaseChoice choice;
        sd_id128_t machine_id = SD_ID128_NULL;
        int r;

        (void) sd_id128_get_machine(&machine_id);
        ReleaseContext ctx = {
                .platform = platform_native(),
                .machine_id = machine_id,
                .app = f->app->name,
                .policy = f->app->config->policy,
                .current = s->current_version,
                .bad = s->bad_versions,
                .pinned = s->pinned_version,
        };
        /* An operator asking for "the latest" under Policy=manual means the newest there is. */
        if (!f->automatic && ctx.policy == UPDATE_POLICY_MANUAL)
                ctx.policy = UPDATE_POLICY_MAJOR;

        r = release_choose(f->parsed, &ctx, &choice);
        if (r < 0)
                return fetch_fail(f, r, NULL, "out of memory");

        s->last_check = now_realtime();
        f->events->found(f->app, choice.newest ? choice.newest->version : NULL);

        if (f->want) {
                f->release = channel_find_release(f->parsed, f->want);
                if (!f->release)
                        return fetch_fail(f, -ENXIO, BUS_ERROR_NO_SUCH_VERSION, "version %s is not in the channel", f->want);
        } else if (!f->automatic || !s->paused)
                f->release = choice.candidate;

        if (!f->release) {
                s->last_error = mfree(s->last_error);
                f->events->checked(f->app);
                return fetch_end(f, "done");
        }

        f->artifact = channel_release_find_artifact(f->release, platform_native());
        if (!f->artifact)
                return fetch_fail(f, -ENXIO, BUS_ERROR_NO_SUCH_VERSION, "version %s has no artifact for %s",
                                  f->release->version, platform_native());

        if (stage_exists(f->app->dir_fd, f->release->version))
                return fetch_staged(f);

        return fetch_download(f);
}

/* The accepted channel's serial, digest and validators, copied from memory onto what is on disk. */
static int edit_channel_accepted(AppState *s, void *userdata) {
        const AppState *m = userdata;

        if (s->channel_serial == m->channel_serial && streq_ptr(s->channel_digest, m->channel_digest))
                return 0;
        if (free_and_strdup(&s->channel_digest, m->channel_digest) < 0 ||
            free_and_strdup(&s->channel_etag, m->channel_etag) < 0)
                return -ENOMEM;
        s->channel_serial = m->channel_serial;
        s->channel_last_modified = m->channel_last_modified;
        return 1;
}

/* Verifies json against sig, parses it and applies the channel rules. fresh: it just came from the
 * server (and is accepted onto disk), rather than from the copy kept at the last acceptance. */
static void fetch_verify(Fetch *f, const char *json, size_t json_size, const char *sig, size_t sig_size,
                         const uint8_t digest[SHA256_SIZE], bool fresh) {
        _cleanup_free_ char *reason = NULL;
        MinisignSignature signature = {};
        MinisignPublicKey key;
        AppState *s = f->app->state;
        char hex[65], id[17];
        int r;

        r = app_public_key(f->app, &key);
        if (r < 0)
                return fetch_fail(f, r, BUS_ERROR_SIGNATURE_INVALID, "no usable PublicKey= to verify the channel with: %s", strerror(-r));

        r = minisign_signature_parse(sig, sig_size, &signature);
        if (r < 0)
                return fetch_fail(f, r, BUS_ERROR_SIGNATURE_INVALID, "%s is not a minisign signature", CHANNEL_SIG_FILE);

        r = minisign_verify(&key, &signature, json, json_size);
        if (r == -EKEYREJECTED)
                (void) fetch_fail(f, r, BUS_ERROR_WRONG_KEY, "channel signed by key %s, not the app's key %s",
                                  minisign_key_id_to_string(signature.key_id, hex),
                                  minisign_key_id_to_string(key.key_id, id));
        else if (r < 0)
                (void) fetch_fail(f, r, BUS_ERROR_SIGNATURE_INVALID, "channel signature does not verify with the app's key");
        minisign_signature_done(&signature);
        if (r < 0)
                return;
        job_set_progress(f->job, 15);

        r = channel_parse(json, json_size, &f->parsed, &reason);
        if (r < 0)
                return fetch_fail(f, r, BUS_ERROR_CHANNEL_MALFORMED, "channel.json is malformed: %s", strempty(reason));

        sha256_to_hex(digest, hex);
        r = channel_check(f->parsed, f->app->name, now_realtime(), s->channel_serial, s->channel_digest, hex, &reason);
        if (r < 0)
                return fetch_fail(f, r, bus_error_from_channel_check(r), "channel refused: %s", strempty(reason));

        if (fresh) {
                /* The signature first: a crash between the two leaves a pair that fails to verify,
                 * which is refetched, never a channel accepted without its signature. */
                r = write_file_atomic_at(f->app->dir_fd, CHANNEL_SIG_FILE, sig, sig_size, 0644);
                if (r >= 0)
                        r = write_file_atomic_at(f->app->dir_fd, CHANNEL_FILE, json, json_size, 0644);
                if (r < 0)
                        return fetch_fail(f, r, NULL, "cannot save the accepted channel: %s", strerror(-r));

                s->channel_serial = f->parsed->serial;
                (void) free_and_strdup(&s->channel_digest, hex);
                (void) free_and_strdup(&s->channel_etag, f->channel.etag);
                s->channel_last_modified = f->channel.last_modified;

                /* The new floor is saved before anything is chosen, downloaded or staged by it: a
                 * crash from here on must not leave an older channel acceptable again. */
                r = app_update_state(f->app, edit_channel_accepted, s);
                if (r < 0)
                        return fetch_fail(f, r, NULL, "cannot record the accepted channel: %s", strerror(-r));
        }
        job_set_progress(f->job, 20);

        return fetch_choose(f);
}

static void on_signature(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        _cleanup_free_ _unused_ char *reason_owned = reason;
        Fetch *f = userdata;

        f->request = NULL;
        if (error < 0)
                return fetch_fail(f, error, error == -EFBIG ? BUS_ERROR_SIGNATURE_INVALID : BUS_ERROR_DOWNLOAD_FAILED,
                                  "cannot fetch %s: %s", CHANNEL_SIG_FILE, strempty(reason));
        if (result->status != 200)
                return fetch_fail_status(f, CHANNEL_SIG_FILE, result);

        fetch_verify(f, f->channel.body, f->channel.size, result->body, result->size, f->channel.sha256, true);
        http_result_done(result);
}

/* 304: the channel is what was accepted last time. Verify the kept copy again all the same: it must
 * not have expired meanwhile, and the disk is not trusted more than the network. */
static void fetch_use_kept_channel(Fetch *f) {
        _cleanup_free_ char *json = NULL, *sig = NULL;
        uint8_t digest[SHA256_SIZE];
        size_t json_size, sig_size;
        int r;

        r = read_file_at(f->app->dir_fd, CHANNEL_FILE, CHANNEL_MAX_SIZE, &json, &json_size);
        if (r >= 0)
                r = read_file_at(f->app->dir_fd, CHANNEL_SIG_FILE, MINISIGN_SIGNATURE_MAX_FILE_SIZE, &sig, &sig_size);
        if (r < 0)
                return fetch_fail(f, r, NULL, "channel unchanged, but the kept copy cannot be read: %s", strerror(-r));

        if (sha256_buffer(json, json_size, digest) < 0)
                return fetch_fail(f, -EIO, NULL, "cannot hash the kept channel");

        fetch_verify(f, json, json_size, sig, sig_size, digest, false);
}

static void on_channel(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        _cleanup_free_ _unused_ char *reason_owned = reason, *url = NULL;
        Fetch *f = userdata;
        int r;

        f->request = NULL;
        if (error < 0)
                return fetch_fail(f, error, error == -EFBIG ? BUS_ERROR_CHANNEL_MALFORMED : BUS_ERROR_DOWNLOAD_FAILED,
                                  "cannot fetch %s: %s", CHANNEL_FILE, strempty(reason));

        f->channel = *result;
        *result = (HttpResult) {};
        job_set_progress(f->job, 10);

        if (f->channel.not_modified)
                return fetch_use_kept_channel(f);
        if (f->channel.status != 200)
                return fetch_fail_status(f, CHANNEL_FILE, &f->channel);

        r = channel_url(f->app, CHANNEL_SIG_FILE, &url);
        if (r < 0)
                return fetch_fail(f, r, NULL, "out of memory");

        r = fetch_get(f, url, (HttpOptions) { .output_fd = -EBADF, .max_size = MINISIGN_SIGNATURE_MAX_FILE_SIZE },
                      on_signature);
        if (r < 0)
                return fetch_fail(f, r, BUS_ERROR_DOWNLOAD_FAILED, "cannot fetch %s: %s", url, strerror(-r));
}

static int on_deferred_failure(sd_event_source *s, void *userdata) {
        Fetch *f = userdata;
        _cleanup_free_ char *reason = TAKE_PTR(f->deferred_reason);

        fetch_fail(f, -ENOKEY, BUS_ERROR_DOWNLOAD_FAILED, "%s", reason ?: "out of memory");
        return 0;
}

/* The job fails with f->deferred_reason once its caller has it: from the loop, as a transfer would. */
static int fetch_fail_deferred(Fetch *f) {
        int r;

        r = sd_event_add_defer(f->app->manager->event, &f->deferred, on_deferred_failure, f);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(f->deferred, "fetch-deferred-failure");
        return 0;
}

static int fetch_start(App *a, bool update, bool automatic, const char *want, const ReleaseSourceEvents *events,
                       Job **ret) {
        _cleanup_free_ char *url = NULL;
        AppState *s = a->state;
        Fetch *f;
        Job *j;
        int r;

        r = channel_url(a, CHANNEL_FILE, &url);
        if (r < 0)
                return r;

        f = calloc(1, sizeof(Fetch));
        if (!f)
                return -ENOMEM;
        f->app = a;
        f->automatic = automatic;
        f->events = events;
        f->download_fd = -EBADF;
        f->stage = STAGE_WORK_NULL;
        if (want) {
                f->want = strdup(want);
                if (!f->want) {
                        fetch_free(f);
                        return -ENOMEM;
                }
        }

        /* Conditional only when the copy a 304 would point at is still there. */
        bool kept = faccessat(a->dir_fd, CHANNEL_FILE, F_OK, 0) >= 0 &&
                    faccessat(a->dir_fd, CHANNEL_SIG_FILE, F_OK, 0) >= 0;

        r = job_new(a->manager, update ? JOB_UPDATE : JOB_CHECK, a, &j);
        if (r < 0) {
                fetch_free(f);
                return r;
        }
        f->job = j;
        j->userdata = f;
        j->cancel = fetch_cancel;

        if (app_config_is_s3(a->config)) {
                r = app_s3_credentials_load(a->config, &f->s3, &f->deferred_reason);
                if (r < 0)
                        r = fetch_fail_deferred(f);
                if (r < 0) {
                        fetch_free(f);
                        job_fail(j, NULL, NULL);
                        return r;
                }
                if (f->deferred) {
                        *ret = j;
                        return 0;
                }
        }

        r = fetch_get(f, url,
                      (HttpOptions) {
                              .output_fd = -EBADF,
                              .max_size = CHANNEL_MAX_SIZE,
                              .etag = kept ? s->channel_etag : NULL,
                              .if_modified_since = kept ? s->channel_last_modified : 0,
                      },
                      on_channel);
        if (r < 0) {
                fetch_free(f);
                job_fail(j, NULL, NULL);
                return r;
        }

        *ret = j;
        return 0;
}

static bool channel_handles(const App *a) {
        return app_source_is_channel(a);
}

const ReleaseSource release_source_channel = {
        .name = "channel",
        .handles = channel_handles,
        .start = fetch_start,
};
