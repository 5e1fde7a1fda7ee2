/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checking and updating a Go app (Source=go:MODULE/PATH): the module's versions and the Go
 * toolchains come from the Go module proxy; the policies pick the build to make next; a gobuild
 * service answers with the build's record and a signed tree head of its transparency log; the tree
 * head's signature, the record's inclusion in it (from tiles of the log) and its consistency with
 * the tree head kept from last time are verified before a byte of the binary is fetched; and the
 * binary, gunzipped, must have the sum the record gives. GopherWatch DNS (GoDNS=) is asked first:
 * an answer naming the running module version saves asking the proxy for the module's versions,
 * one naming a newer version is only a hint the proxy's list must confirm, and any failure or doubt
 * leaves the proxy to answer alone. Runs as a job, on the event loop; the
 * gunzip and the staging each on a worker thread (worker.h), so that the loop keeps answering.
 * It is the ReleaseSource "go" (release-source.h). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <syslog.h>

#include "app-journal.h"
#include "app-stage.h"
#include "app.h"
#include "bus-error.h"
#include "channel.h"
#include "fileio.h"
#include "go-buildinfo.h"
#include "go-module.h"
#include "gobuild.h"
#include "gopherwatch.h"
#include "gunzip.h"
#include "http.h"
#include "job.h"
#include "log.h"
#include "manager.h"
#include "note.h"
#include "release-source.h"
#include "stage.h"
#include "strv.h"
#include "tlog.h"
#include "toolchain-policy.h"
#include "txt-lookup.h"
#include "version.h"

#define HOME_PAGE_MAX_SIZE (1024U * 1024U)
#define TILE_MAX_SIZE (TLOG_TILE_WIDTH * TLOG_HASH_SIZE)

/* One check or update of a Go app in flight: the job, and what its steps have gathered so far. */
/* Full tiles of the gobuild log, cached below the app's state directory: they never change. */
#define APP_TILES_DIR "tiles"

typedef struct GoFetch {
        Job *job;
        App *app;
        bool automatic;             /* Check(): take only what policies, pin and pause allow */
        char *want;                 /* Update(version); NULL = newest allowed */
        const ReleaseSourceEvents *events;

        HttpRequest *request;       /* the transfer in flight, if any */

        TxtLookup dns;              /* GopherWatch's answer about roots[0], asked before the proxy */
        char *dns_version;          /* a newer version it named, for the proxy's list to confirm */

        char **roots;               /* module paths that may hold the package, longest first */
        size_t root;                /* the one asked about, then the one found */
        char **module_versions;     /* newest first */
        char **toolchains;          /* Go versions for this platform, newest first */
        GoBuildChoice choice;       /* the build to stage */

        NoteVerifier verifier;      /* the gobuild log's key */
        char *verifier_key;         /* its text, pinned in the state once a tree head verified */
        GobuildSpec spec;           /* the build asked for */
        GobuildLookup lookup;       /* the service's answer */
        TlogTreeHead head;          /* the tree head it signed */
        TlogTreeHead kept;          /* the one verified before; size 0 = none */
        TlogTiles tiles[2];         /* [0] at head's size; [1] at kept's, when the service is behind it */
        size_t tile_set, tile_index;
        bool tile_full;             /* asking for the full tile a partial one is a prefix of */

        int download_fd;            /* O_TMPFILEs in partial/: a crash leaves nothing behind */
        int binary_fd;

        Worker *worker;             /* gunzipping, then staging, if under way */
        uint64_t gunzip_max;        /* the gunzip's input */
        uint64_t gunzip_size;       /* and output, the worker's own while it runs */
        uint8_t gunzip_sha256[SHA256_SIZE];
        StageWork stage;
} GoFetch;

static GoFetch *gofetch_free(GoFetch *f) {
        if (!f)
                return NULL;
        /* First: the worker reads the descriptors and writes its output until its thread ended. */
        worker_free(f->worker);
        stage_work_done(&f->stage);
        txt_lookup_done(&f->dns);
        free(f->dns_version);
        free(f->want);
        strv_free(f->roots);
        strv_free(f->module_versions);
        strv_free(f->toolchains);
        go_build_choice_done(&f->choice);
        note_verifier_done(&f->verifier);
        free(f->verifier_key);
        gobuild_spec_done(&f->spec);
        gobuild_lookup_done(&f->lookup);
        tlog_tiles_done(&f->tiles[0]);
        tlog_tiles_done(&f->tiles[1]);
        if (f->download_fd >= 0)
                (void) close(f->download_fd);
        if (f->binary_fd >= 0)
                (void) close(f->binary_fd);
        free(f);
        return NULL;
}

static void gofetch_end(GoFetch *f, const char *result) {
        Job *j = f->job;

        gofetch_free(f);
        job_finish(j, result);
}

/* Ends the job as failed, recording why on the app; error_name as for ReleaseSourceEvents.failed(). */
static void gofetch_fail(GoFetch *f, int error, const char *error_name, const char *format, ...) _printf_(4, 5);
static void gofetch_fail(GoFetch *f, int error, const char *error_name, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        release_source_failv(f->events, f->app, f->job, error, error_name, f->choice.version, format, ap);
        va_end(ap);
        gofetch_free(f);
}

static void gofetch_cancel(Job *j) {
        GoFetch *f = j->userdata;

        if (f->request)
                http_request_cancel(f->request);
        if (f->worker)
                worker_cancel(f->worker);  /* the job ends once the work stopped */
}

/* The daemon exits during the gunzip or staging: stop it and wait for its thread. */
static void gofetch_abandon(Job *j) {
        GoFetch *f = j->userdata;

        j->userdata = NULL;
        gofetch_free(f);
}

static const char *gofetch_module(const GoFetch *f) {
        return f->roots[f->root];
}

static char *url_join(const char *base, const char *path) {
        char *url;

        if (asprintf(&url, "%s%s%s", base, endswith_slash(base) ? "" : "/", path) < 0)
                return NULL;
        return url;
}

/* What a proxy says for a module it does not have: 404 or 410 over HTTP, a missing file:// file. */
static bool not_found(int error, const HttpResult *result) {
        return error == -ENOENT || (error == 0 && IN_SET(result->status, 404L, 410L));
}

static int gofetch_get(GoFetch *f, const char *url, const HttpOptions *options, http_done_t done) {
        return http_get(f->app->manager->http, url, options, done, f, &f->request);
}

/* An HTTP answer that is not the body asked for: fails the job and returns true. */
static bool gofetch_http_failed(GoFetch *f, int error, HttpResult *result, const char *reason, const char *what) {
        if (error < 0) {
                gofetch_fail(f, error, BUS_ERROR_DOWNLOAD_FAILED, "cannot fetch %s: %s", what, strempty(reason));
                return true;
        }
        if (result->status != 200) {
                long status = result->status;

                http_result_done(result);
                gofetch_fail(f, -EIO, BUS_ERROR_DOWNLOAD_FAILED, "%s answered HTTP %ld", what, status);
                return true;
        }
        return false;
}

/* The binary */

static void on_download_progress(uint64_t done, uint64_t total, void *userdata) {
        GoFetch *f = userdata;

        if (total > 0)
                job_set_progress(f->job, 35 + (unsigned) (done * 60 / total));
}

static void on_staged(Worker *w, int result, void *userdata) {
        GoFetch *f = userdata;

        f->worker = worker_free(f->worker);
        f->job->abandon = NULL;
        if (result == -ECANCELED)
                return gofetch_fail(f, result, NULL, "canceled while staging %s", f->choice.version);
        if (IN_SET(result, -EBADMSG, -EFBIG))
                return gofetch_fail(f, result, result == -EFBIG ? BUS_ERROR_RELEASE_TOO_LARGE : BUS_ERROR_UNSAFE_RELEASE,
                                    "build %s refused: %s", f->choice.version, strempty(f->stage.reason));
        if (result < 0)
                return gofetch_fail(f, result, NULL, "cannot stage %s: %s", f->choice.version, strerror(-result));

        f->events->staged(f->app, f->job, f->automatic, f->choice.version);
        gofetch_free(f);
}

/* On the worker's thread: reads and writes only the two descriptors and the gunzip_ fields. */
static int gunzip_work(void *work_data, const CancelFlag *cancel) {
        GoFetch *f = work_data;

        return gunzip_fd(f->download_fd, f->binary_fd, f->gunzip_max, &f->gunzip_size, f->gunzip_sha256, cancel);
}

static void on_gunzipped(Worker *w, int r, void *userdata) {
        _cleanup_free_ char *got = NULL;
        GoFetch *f = userdata;
        const GobuildRecord *rec = &f->lookup.record;

        f->worker = worker_free(f->worker);
        f->job->abandon = NULL;
        if (r == -ECANCELED)
                return gofetch_fail(f, r, NULL, "canceled while decompressing %s", f->choice.version);
        if (r == -EFBIG)
                return gofetch_fail(f, r, BUS_ERROR_SIZE_MISMATCH, "the binary of %s is larger than the %" PRIu64
                                    " bytes the log records", f->choice.version, rec->size);
        if (r == -EBADMSG)
                return gofetch_fail(f, r, BUS_ERROR_HASH_MISMATCH, "the download of %s is not a complete gzip file",
                                    f->choice.version);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot decompress the binary of %s: %s", f->choice.version, strerror(-r));
        if (f->gunzip_size != rec->size)
                return gofetch_fail(f, -EBADMSG, BUS_ERROR_SIZE_MISMATCH, "the binary of %s is %" PRIu64
                                    " bytes, the log records %" PRIu64, f->choice.version, f->gunzip_size, rec->size);
        if (!gobuild_sum_matches(rec->sum, f->gunzip_sha256))
                return gofetch_fail(f, -EBADMSG, BUS_ERROR_HASH_MISMATCH, "the binary of %s has sum %s, the log records %s",
                                    f->choice.version,
                                    gobuild_sum_format(f->gunzip_sha256, &got) >= 0 ? got : "?", rec->sum);

        if (lseek(f->binary_fd, 0, SEEK_SET) < 0)
                return gofetch_fail(f, -errno, NULL, "cannot rewind the binary: %m");

        job_set_progress(f->job, 95);
        r = stage_work_init(&f->stage, f->app, f->binary_fd, f->choice.version, ARTIFACT_BINARY);
        if (r >= 0)
                r = stage_work_start(&f->stage, f->app->manager->event, on_staged, f, &f->worker);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot stage %s: %s", f->choice.version, strerror(-r));
        f->job->abandon = gofetch_abandon;
}

static void on_binary(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        _cleanup_free_ _unused_ char *reason_owned = reason;
        const GobuildRecord *rec;
        GoFetch *f = userdata;
        int r;

        f->request = NULL;
        rec = &f->lookup.record;
        if (error == -EFBIG)
                return gofetch_fail(f, error, BUS_ERROR_SIZE_MISMATCH,
                                    "the download of %s is far larger than the %" PRIu64 "-byte binary the log records; "
                                    "download aborted", f->choice.version, rec->size);
        if (gofetch_http_failed(f, error, result, reason, "the binary"))
                return;
        http_result_done(result);

        if (lseek(f->download_fd, 0, SEEK_SET) < 0)
                return gofetch_fail(f, -errno, NULL, "cannot rewind download: %m");
        f->binary_fd = openat(f->app->dir_fd, STAGE_PARTIAL_DIR, O_TMPFILE|O_RDWR|O_CLOEXEC, 0600);
        if (f->binary_fd < 0)
                return gofetch_fail(f, -errno, NULL, "cannot create a file in %s/: %m", STAGE_PARTIAL_DIR);

        f->gunzip_max = rec->size;
        r = worker_start(f->app->manager->event, "upkeepd-gunzip", gunzip_work, f, on_gunzipped, f, &f->worker);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot decompress the binary of %s: %s", f->choice.version, strerror(-r));
        f->job->abandon = gofetch_abandon;
}

static void gofetch_download(GoFetch *f) {
        _cleanup_free_ char *path = NULL, *url = NULL;
        uint64_t size = f->lookup.record.size;
        int r;

        r = stage_clear_partial(f->app->dir_fd);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot prepare %s/: %s", STAGE_PARTIAL_DIR, strerror(-r));
        f->download_fd = openat(f->app->dir_fd, STAGE_PARTIAL_DIR, O_TMPFILE|O_RDWR|O_CLOEXEC, 0600);
        if (f->download_fd < 0)
                return gofetch_fail(f, -errno, NULL, "cannot create a file in %s/: %m", STAGE_PARTIAL_DIR);

        r = gobuild_download_path(&f->lookup.record, &path);
        if (r < 0)
                return gofetch_fail(f, r, BUS_ERROR_RECORD_MISMATCH, "the record of %s names no download", f->choice.version);
        url = url_join(app_config_go_build(f->app->config), path);
        if (!url)
                return gofetch_fail(f, -ENOMEM, NULL, "out of memory");

        /* gzip never grows what it cannot compress by more than a few bytes per 16 KiB block: a
         * download much larger than the binary is not that binary. */
        r = gofetch_get(f, url,
                        &(HttpOptions) {
                                .output_fd = f->download_fd,
                                .max_size = size + size / 64 + 64 * 1024,
                                .progress = on_download_progress,
                        },
                        on_binary);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot start download of %s: %s", url, strerror(-r));
}

/* The log */

/* Tiles are cached by the path of the full tile, below APP_TILES_DIR: a full tile never changes.
 * Returns the directory of path's last component, creating the directories on the way. */
static int open_tile_parent(int dir_fd, const char *path, char **ret_name) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *copy = NULL;
        char *p, *slash;

        if (mkdirat(dir_fd, APP_TILES_DIR, 0755) < 0 && errno != EEXIST)
                return -errno;
        fd = openat(dir_fd, APP_TILES_DIR, O_DIRECTORY|O_CLOEXEC|O_NOFOLLOW);
        if (fd < 0)
                return -errno;

        copy = strdup(path);
        if (!copy)
                return -ENOMEM;

        for (p = copy; (slash = strchr(p, '/')); p = slash + 1) {
                int sub;

                *slash = 0;
                if (mkdirat(fd, p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                sub = openat(fd, p, O_DIRECTORY|O_CLOEXEC|O_NOFOLLOW);
                if (sub < 0)
                        return -errno;
                (void) close(fd);
                fd = sub;
        }

        *ret_name = strdup(p);
        if (!*ret_name)
                return -ENOMEM;
        return TAKE_FD(fd);
}

static void tile_cache_store(GoFetch *f, const TlogTile *tile, const void *data, size_t size) {
        _cleanup_free_ char *path = NULL, *name = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (size != TILE_MAX_SIZE || tlog_tile_full_path(tile, &path) < 0)
                return;

        fd = open_tile_parent(f->app->dir_fd, path, &name);
        if (fd >= 0)
                r = write_file_atomic_at(fd, name, data, size, 0644);
        else
                r = fd;
        if (r < 0)
                log_debug_errno(r, "Failed to cache tile %s of %s, ignoring: %m", path, f->app->name);
}

/* Hands the cached copy of the tile to the tiles if there is one; tile data is checked against the
 * signed root like any other, so a damaged cache costs a refetch at worst (see gofetch_verify()). */
static bool tile_cache_load(GoFetch *f, TlogTiles *t, size_t i) {
        _cleanup_free_ char *path = NULL, *cached = NULL, *data = NULL;
        size_t size;

        if (tlog_tile_full_path(&t->tiles[i], &path) < 0 ||
            asprintf(&cached, "%s/%s", APP_TILES_DIR, path) < 0)
                return false;

        if (read_file_at(f->app->dir_fd, cached, TILE_MAX_SIZE, &data, &size) < 0 || size != TILE_MAX_SIZE)
                return false;

        return tlog_tiles_set_data(t, i, data, size) >= 0;
}

static void gofetch_verify(GoFetch *f);
static void gofetch_next_tile(GoFetch *f);

static void on_tile(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        _cleanup_free_ _unused_ char *reason_owned = reason;
        GoFetch *f = userdata;
        TlogTiles *t = &f->tiles[f->tile_set];
        TlogTile *tile = &t->tiles[f->tile_index];
        int r;

        f->request = NULL;
        /* A service that completed a tile may serve only the full one. */
        if (not_found(error, result) && tile->width < TLOG_TILE_WIDTH && !f->tile_full) {
                http_result_done(result);
                f->tile_full = true;
                return gofetch_next_tile(f);
        }
        if (gofetch_http_failed(f, error, result, reason, "a tile of the build log"))
                return;

        r = tlog_tiles_set_data(t, f->tile_index, result->body, result->size);
        if (r >= 0)
                tile_cache_store(f, tile, result->body, result->size);
        http_result_done(result);
        if (r < 0)
                return gofetch_fail(f, r, BUS_ERROR_PROOF_INVALID, "a tile of the build log has the wrong size");

        f->tile_full = false;
        f->tile_index++;
        gofetch_next_tile(f);
}

/* The log's tiles are below its tlog/ directory. */
static char *tile_url(const GoFetch *f, const char *path) {
        _cleanup_free_ char *p = NULL;

        if (asprintf(&p, "%s%s", GOBUILD_TLOG_PATH, path) < 0)
                return NULL;
        return url_join(app_config_go_build(f->app->config), p);
}

/* Fetches the tiles that have no data yet, one after the other, then verifies. */
static void gofetch_next_tile(GoFetch *f) {
        _cleanup_free_ char *path = NULL, *url = NULL;
        int r;

        for (; f->tile_set < ELEMENTSOF(f->tiles); f->tile_set++, f->tile_index = 0)
                for (; f->tile_index < f->tiles[f->tile_set].n_tiles; f->tile_index++) {
                        TlogTiles *t = &f->tiles[f->tile_set];

                        if (t->tiles[f->tile_index].data)
                                continue;
                        if (!f->tile_full && tile_cache_load(f, t, f->tile_index))
                                continue;

                        r = (f->tile_full ? tlog_tile_full_path : tlog_tile_path)(&t->tiles[f->tile_index], &path);
                        if (r < 0)
                                return gofetch_fail(f, r, NULL, "cannot name a tile of the build log");
                        url = tile_url(f, path);
                        if (!url)
                                return gofetch_fail(f, -ENOMEM, NULL, "out of memory");

                        r = gofetch_get(f, url, &(HttpOptions) { .output_fd = -EBADF, .max_size = TILE_MAX_SIZE }, on_tile);
                        if (r < 0)
                                return gofetch_fail(f, r, NULL, "cannot fetch %s: %s", url, strerror(-r));
                        return;
                }

        gofetch_verify(f);
}

/* The service's log is not an extension of the one verified before: the most serious refusal there
 * is. Counted (metrics) and journalled at a level an operator's alerting sees. */
static void gofetch_forked(GoFetch *f) {
        AppState *s = f->app->state;

        s->tlog_forks++;
        app_journal(&(AppEvent) {
                        .message_id = UPKEEP_MESSAGE_LOG_FORKED,
                        .priority = LOG_CRIT,
                        .app = f->app->name,
                        .version = f->choice.version,
                },
                "%s: the build log of %s forked: its tree of %" PRIu64 " records is not an extension of the "
                "tree of %" PRIu64 " records verified before. Refusing its builds.",
                f->app->name, app_config_go_build(f->app->config), f->head.size, f->kept.size);

        gofetch_fail(f, -EKEYREJECTED, BUS_ERROR_LOG_FORKED,
                     "the build log forked (its tree of %" PRIu64 " records does not extend the tree of %" PRIu64
                     " records verified before)", f->head.size, f->kept.size);
}

static void gofetch_verify(GoFetch *f) {
        AppState *s = f->app->state;
        TlogHash leaf;
        int r;

        job_set_progress(f->job, 30);

        r = tlog_record_hash(f->lookup.record_text, f->lookup.record_size, &leaf);
        if (r >= 0)
                r = tlog_verify_inclusion(&f->tiles[0], f->lookup.id, &leaf, &f->head);
        if (r < 0) {
                /* Whatever the cache held played its part: start afresh next time. */
                (void) rm_rf_at(f->app->dir_fd, APP_TILES_DIR);
                return gofetch_fail(f, r, BUS_ERROR_PROOF_INVALID,
                                    "record %" PRIu64 " is not proven to be in the build log the tree head signs (%s)",
                                    f->lookup.id, strerror(-r));
        }

        if (f->kept.size > 0) {
                if (f->kept.size <= f->head.size)
                        r = tlog_verify_consistency(&f->tiles[0], &f->kept, &f->head);
                else
                        r = tlog_verify_consistency(&f->tiles[1], &f->head, &f->kept);
                if (r == -EKEYREJECTED) {
                        (void) rm_rf_at(f->app->dir_fd, APP_TILES_DIR);
                        return gofetch_forked(f);
                }
                if (r < 0)
                        return gofetch_fail(f, r, BUS_ERROR_PROOF_INVALID,
                                            "the build log's consistency with the tree verified before cannot be proven (%s)",
                                            strerror(-r));
        }

        /* Trusted from now on: the newer of the two tree heads, and the key that signed it. */
        if (f->head.size >= f->kept.size) {
                _cleanup_free_ char *root = NULL;

                r = tlog_hash_to_base64(&f->head.root, &root);
                if (r < 0)
                        return gofetch_fail(f, r, NULL, "out of memory");
                s->tlog_size = f->head.size;
                free(s->tlog_root);
                s->tlog_root = TAKE_PTR(root);
        }
        (void) free_and_strdup(&s->gobuild_key, f->verifier_key);

        gofetch_download(f);
}

static void on_lookup(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        _cleanup_free_ _unused_ char *reason_owned = reason;
        _cleanup_free_ char *text = NULL;
        GoFetch *f = userdata;
        const GobuildSpec *got;
        int r;

        f->request = NULL;
        if (error == -EFBIG)
                return gofetch_fail(f, error, BUS_ERROR_RECORD_MISMATCH, "gobuild's answer for %s is too large", f->choice.version);
        if (not_found(error, result)) {
                http_result_done(result);
                return gofetch_fail(f, -ENOENT, BUS_ERROR_NO_SUCH_VERSION,
                                    "gobuild has no build of %s for %s-%s (did it fail to build?)",
                                    f->choice.version, f->spec.goos, f->spec.goarch);
        }
        if (gofetch_http_failed(f, error, result, reason, "gobuild's lookup"))
                return;

        r = gobuild_lookup_parse(result->body, result->size, &f->lookup);
        http_result_done(result);
        if (r < 0)
                return gofetch_fail(f, r, BUS_ERROR_RECORD_MISMATCH, "gobuild's answer for %s is malformed", f->choice.version);

        r = note_open(f->lookup.note, f->lookup.note_size, &f->verifier, &text);
        if (r == -ENOKEY)
                return gofetch_fail(f, r, BUS_ERROR_WRONG_KEY, "the build log's tree head is not signed by the key %s",
                                    f->verifier_key);
        if (r == -EKEYREJECTED)
                return gofetch_fail(f, r, BUS_ERROR_SIGNATURE_INVALID,
                                    "the signature of the build log's tree head by %s does not verify", f->verifier.name);
        if (r < 0)
                return gofetch_fail(f, r, BUS_ERROR_SIGNATURE_INVALID, "the build log's tree head is not a signed note");

        r = tlog_tree_head_parse(text, strlen(text), &f->head);
        if (r < 0)
                return gofetch_fail(f, r, BUS_ERROR_SIGNATURE_INVALID, "the signed note is not a tree head of the build log");

        got = &f->lookup.record.spec;
        if (!gobuild_record_matches(&f->lookup.record, &f->spec))
                return gofetch_fail(f, -EBADMSG, BUS_ERROR_RECORD_MISMATCH,
                                    "gobuild answered with the record of %s@%s%s for %s-%s with %s%s, not of the build asked for",
                                    got->module, got->version, streq(got->dir, "/") ? "" : got->dir,
                                    got->goos, got->goarch, got->goversion, got->stripped ? " (stripped)" : "");
        if (f->lookup.id >= f->head.size)
                return gofetch_fail(f, -EBADMSG, BUS_ERROR_PROOF_INVALID,
                                    "record %" PRIu64 " is beyond the build log's tree of %" PRIu64 " records",
                                    f->lookup.id, f->head.size);

        /* The tiles to prove the record's inclusion, and that one of the two trees extends the other. */
        f->tiles[0].tree_size = f->head.size;
        r = tlog_tiles_add_inclusion(&f->tiles[0], f->lookup.id);
        if (r >= 0 && f->kept.size > 0 && f->kept.size <= f->head.size)
                r = tlog_tiles_add_consistency(&f->tiles[0], f->kept.size);
        if (r >= 0 && f->kept.size > f->head.size) {
                f->tiles[1].tree_size = f->kept.size;
                r = tlog_tiles_add_consistency(&f->tiles[1], f->head.size);
        }
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot list the tiles of the build log: %s", strerror(-r));

        job_set_progress(f->job, 20);
        gofetch_next_tile(f);
}

static void gofetch_lookup(GoFetch *f) {
        _cleanup_free_ char *path = NULL, *url = NULL;
        const char *platform = platform_native(), *package = app_config_go_package(f->app->config);
        size_t n = strlen(gofetch_module(f));
        int r;

        /* What to ask for: the package's directory in the module ("/" for its root), for this machine. */
        f->spec = (GobuildSpec) {
                .module = strdup(gofetch_module(f)),
                .version = strdup(f->choice.module_version),
                .dir = strdup(package[n] ? package + n : "/"),
                .goos = strndup(platform, strcspn(platform, "-")),
                .goarch = strdup(platform + strcspn(platform, "-") + (platform[strcspn(platform, "-")] ? 1 : 0)),
                .goversion = strdup(f->choice.go_version),
        };
        if (!f->spec.module || !f->spec.version || !f->spec.dir || !f->spec.goos || !f->spec.goarch || !f->spec.goversion)
                return gofetch_fail(f, -ENOMEM, NULL, "out of memory");

        r = gobuild_lookup_path(&f->spec, &path);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "gobuild cannot be asked for %s of %s", f->choice.version, package);
        url = url_join(app_config_go_build(f->app->config), path);
        if (!url)
                return gofetch_fail(f, -ENOMEM, NULL, "out of memory");

        job_set_progress(f->job, 15);
        r = gofetch_get(f, url, &(HttpOptions) { .output_fd = -EBADF, .max_size = GOBUILD_LOOKUP_SIZE_MAX }, on_lookup);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot fetch %s: %s", url, strerror(-r));
}

/* Sets the key the log's tree heads must be signed with, and what was verified with it before. */
static int gofetch_use_key(GoFetch *f, const char *key) {
        AppState *s = f->app->state;
        int r;

        r = note_verifier_parse(key, &f->verifier);
        if (r < 0)
                return r;
        f->verifier_key = strdup(key);
        if (!f->verifier_key)
                return -ENOMEM;

        /* A tree head verified with another key is of another log: nothing to be consistent with. */
        if (s->tlog_size > 0 && s->tlog_root && streq_ptr(s->gobuild_key, key)) {
                r = tlog_hash_from_base64(s->tlog_root, &f->kept.root);
                if (r < 0)
                        return -EBADMSG;
                f->kept.size = s->tlog_size;
        }
        return 0;
}

static void on_home_page(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        _cleanup_free_ _unused_ char *reason_owned = reason;
        _cleanup_free_ char *key = NULL;
        GoFetch *f = userdata;
        int r;

        f->request = NULL;
        if (gofetch_http_failed(f, error, result, reason, "the gobuild service's home page"))
                return;

        r = gobuild_verifier_key_find(result->body, result->size, &key);
        http_result_done(result);
        if (r < 0)
                return gofetch_fail(f, r, BUS_ERROR_WRONG_KEY,
                                    "the gobuild service at %s shows no single verifier key; set GoBuildKey=",
                                    app_config_go_build(f->app->config));

        log_info("%s: pinning the verifier key %s of the gobuild service at %s on first use.",
                 f->app->name, key, app_config_go_build(f->app->config));
        r = gofetch_use_key(f, key);
        if (r < 0)
                return gofetch_fail(f, r, BUS_ERROR_WRONG_KEY, "the gobuild service's key %s is not usable", key);

        gofetch_lookup(f);
}

/* The log's key: GoBuildKey= when set (an operator's word beats what was pinned), else the key pinned
 * on first use, else the known key of the default service, else what the service's home page shows,
 * to be pinned once a tree head verified with it. */
static void gofetch_key(GoFetch *f) {
        const char *configured = f->app->config->go_build_key, *pinned = f->app->state->gobuild_key;
        const char *base = app_config_go_build(f->app->config);
        int r;

        if (configured || pinned || streq(base, APP_GO_BUILD_DEFAULT)) {
                const char *key = configured ?: pinned ?: GOBUILD_BETA_VERIFIER_KEY;

                r = gofetch_use_key(f, key);
                if (r < 0)
                        return gofetch_fail(f, r, BUS_ERROR_WRONG_KEY, "%s %s is not a usable verifier key",
                                            configured ? "GoBuildKey=" : "the pinned key", key);
                return gofetch_lookup(f);
        }

        r = gofetch_get(f, base, &(HttpOptions) { .output_fd = -EBADF, .max_size = HOME_PAGE_MAX_SIZE }, on_home_page);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot fetch %s: %s", base, strerror(-r));
}

/* Policies */

static bool listed(char *const *versions, const char *v) {
        return strv_contains(versions, v);
}

/* The module versions and toolchains are known: record what there is, and pick the build to stage. */
static void gofetch_choose(GoFetch *f) {
        _cleanup_(go_build_choice_done) GoBuildChoice newest = {};
        _cleanup_free_ char *want_module = NULL;
        AppState *s = f->app->state;
        GoBuildContext ctx = {
                .policy = f->app->config->policy,
                .toolchain_policy = f->app->config->toolchain_policy,
                .current = s->current_version,
                .module_versions = f->module_versions,
                .toolchains = f->toolchains,
                .bad = s->bad_versions,
                .pinned = f->want ?: s->pinned_version,
        };
        int r;

        /* An operator asking for "the latest" under Policy=manual means the newest there is. */
        if (!f->automatic && ctx.policy == UPDATE_POLICY_MANUAL)
                ctx.policy = UPDATE_POLICY_MAJOR;

        if (f->want) {
                if (go_build_version_parse(f->want, &want_module, NULL) < 0) {
                        if (!go_module_version_is_valid(f->want))
                                return gofetch_fail(f, -EINVAL, BUS_ERROR_INVALID_VERSION,
                                                    "'%s' is neither a version of %s nor a build (VERSION+goX.Y.Z)",
                                                    f->want, gofetch_module(f));
                        want_module = strdup(f->want);
                        if (!want_module)
                                return gofetch_fail(f, -ENOMEM, NULL, "out of memory");
                }
                if (!listed(f->module_versions, want_module))
                        return gofetch_fail(f, -ENXIO, BUS_ERROR_NO_SUCH_VERSION, "the module proxy lists no version %s of %s",
                                            want_module, gofetch_module(f));
        }

        /* AvailableVersion: the newest build there is to have, whatever Policy= allows. */
        r = go_build_choose(&(GoBuildContext) {
                        .policy = UPDATE_POLICY_MAJOR,
                        .toolchain_policy = ctx.toolchain_policy,
                        .current = ctx.current,
                        .module_versions = ctx.module_versions,
                        .toolchains = ctx.toolchains,
                }, &newest);
        if (r == -ENOENT)
                return gofetch_fail(f, r, BUS_ERROR_NO_SUCH_VERSION, "the module proxy lists no Go release for %s",
                                    platform_native());
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot choose a build: %s", strerror(-r));
        s->last_check = now_realtime();
        f->events->found(f->app, newest.version ?: s->current_version);

        if (f->want || !f->automatic || !s->paused) {
                r = go_build_choose(&ctx, &f->choice);
                if (r < 0)
                        return gofetch_fail(f, r, NULL, "cannot choose a build: %s", strerror(-r));
        }

        if (!f->choice.version) {
                s->last_error = mfree(s->last_error);
                f->events->checked(f->app);
                return gofetch_end(f, "done");
        }

        job_set_progress(f->job, 12);
        if (stage_exists(f->app->dir_fd, f->choice.version)) {
                f->events->staged(f->app, f->job, f->automatic, f->choice.version);
                gofetch_free(f);
                return;
        }

        gofetch_key(f);
}

/* The module proxy */

static void on_toolchain_list(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        _cleanup_free_ _unused_ char *reason_owned = reason;
        GoFetch *f = userdata;
        int r;

        f->request = NULL;
        if (error == -EFBIG)
                return gofetch_fail(f, error, BUS_ERROR_PROXY_MALFORMED, "the module proxy's list of Go toolchains is too large");
        if (gofetch_http_failed(f, error, result, reason, "the module proxy's list of Go toolchains"))
                return;

        r = go_toolchain_list_parse(result->body, result->size, platform_native(), &f->toolchains);
        http_result_done(result);
        if (r < 0)
                return gofetch_fail(f, r, BUS_ERROR_PROXY_MALFORMED,
                                    "the module proxy's list of Go toolchains (%s) holds something that is not a version",
                                    GO_TOOLCHAIN_MODULE);

        job_set_progress(f->job, 10);
        gofetch_choose(f);
}

static int proxy_list_url(const GoFetch *f, const char *module, char **ret) {
        _cleanup_free_ char *escaped = NULL, *path = NULL;
        char *url;
        int r;

        r = go_module_escape(module, &escaped);
        if (r < 0)
                return r;
        if (asprintf(&path, "%s/@v/list", escaped) < 0)
                return -ENOMEM;
        url = url_join(app_config_go_proxy(f->app->config), path);
        if (!url)
                return -ENOMEM;

        *ret = url;
        return 0;
}

static void gofetch_toolchains(GoFetch *f) {
        _cleanup_free_ char *url = NULL;
        int r;

        r = proxy_list_url(f, GO_TOOLCHAIN_MODULE, &url);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "out of memory");

        r = gofetch_get(f, url, &(HttpOptions) { .output_fd = -EBADF, .max_size = GO_LIST_MAX_SIZE }, on_toolchain_list);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot fetch %s: %s", url, strerror(-r));
}

static void gofetch_next_root(GoFetch *f);

static void on_module_list(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        _cleanup_free_ _unused_ char *reason_owned = reason;
        GoFetch *f = userdata;
        int r;

        f->request = NULL;
        /* Not this module: perhaps a shorter prefix of the package path is. */
        if (not_found(error, result)) {
                http_result_done(result);
                f->root++;
                return gofetch_next_root(f);
        }
        if (error == -EFBIG)
                return gofetch_fail(f, error, BUS_ERROR_PROXY_MALFORMED, "the module proxy's version list of %s is too large",
                                    gofetch_module(f));
        if (gofetch_http_failed(f, error, result, reason, "the module proxy's version list"))
                return;

        r = go_version_list_parse(result->body, result->size, &f->module_versions);
        http_result_done(result);
        if (r < 0)
                return gofetch_fail(f, r, BUS_ERROR_PROXY_MALFORMED,
                                    "the module proxy's version list of %s holds something that is not a version",
                                    gofetch_module(f));

        if (f->dns_version && f->root == 0) {
                if (listed(f->module_versions, f->dns_version))
                        log_info("%s: the module proxy lists %s of %s, which GopherWatch DNS named as the newest.",
                                 f->app->name, f->dns_version, gofetch_module(f));
                else
                        log_info("%s: GopherWatch DNS named %s of %s, which the module proxy does not list: "
                                 "ignoring the DNS answer.", f->app->name, f->dns_version, gofetch_module(f));
        }

        job_set_progress(f->job, 5);
        gofetch_toolchains(f);
}

/* Asks the proxy for the versions of the longest module path not yet tried. */
static int gofetch_ask_root(GoFetch *f) {
        _cleanup_free_ char *url = NULL;
        int r;

        r = proxy_list_url(f, gofetch_module(f), &url);
        if (r < 0)
                return r;

        return gofetch_get(f, url, &(HttpOptions) { .output_fd = -EBADF, .max_size = GO_LIST_MAX_SIZE }, on_module_list);
}

static void gofetch_next_root(GoFetch *f) {
        int r;

        if (!f->roots[f->root])
                return gofetch_fail(f, -ENOENT, BUS_ERROR_NO_SUCH_VERSION,
                                    "the module proxy %s knows no module that holds %s",
                                    app_config_go_proxy(f->app->config), app_config_go_package(f->app->config));

        r = gofetch_ask_root(f);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot ask the module proxy for %s: %s", gofetch_module(f), strerror(-r));
}

/* The module the running build was made from, as its Go build info says: the root to ask about
 * first, which saves asking for each longer prefix of the package path every time. The binary is
 * only a hint (a wrong one costs a lookup more): nothing is trusted from it. */
static void gofetch_prefer_running_module(GoFetch *f) {
        _cleanup_(go_buildinfo_freep) GoBuildInfo *info = NULL;
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        const App *a = f->app;

        if (!a->state->current_version ||
            asprintf(&path, "%s/%s/%s", STAGE_VERSIONS_DIR, a->state->current_version, a->name) < 0)
                return;

        fd = openat(a->dir_fd, path, O_RDONLY|O_CLOEXEC|O_NOFOLLOW);
        if (fd < 0 || go_buildinfo_read_fd(fd, GO_BUILDINFO_MAX_FILE_SIZE, &info, NULL) < 0)
                return;

        if (streq_ptr(info->path, app_config_go_package(a->config)) &&
            go_module_roots_prefer(f->roots, info->main.path))
                log_debug("%s: asking the module proxy about %s first, the module of the running build.",
                          a->name, info->main.path);
}

/* GopherWatch DNS */

/* Why an answer of GopherWatch's is no use, for the log: a name it does not know, or a network
 * that cannot reach it, is everyday (debug); an answer that is wrong is not (info). */
static void gofetch_dns_ignore(GoFetch *f, int level, const char *why) {
        log_full(level, "%s: GopherWatch DNS (%s): %s; asking the module proxy.", f->app->name, f->dns.name, why);
}

/* The newest version GopherWatch's answer names; NULL (logged) when the lookup failed with error, or
 * the answer is no use. */
static char *gofetch_dns_newest(GoFetch *f, int error) {
        GopherwatchVersion *versions = NULL;
        const DnsTxtAnswer *a = &f->dns.answer;
        char *newest = NULL;
        size_t n = 0;

        if (IN_SET(error, -ENXIO, -ENODATA))
                gofetch_dns_ignore(f, LOG_DEBUG, error == -ENXIO ? "no such name" : "no TXT record");
        else if (error == -EFBIG)
                gofetch_dns_ignore(f, LOG_INFO, "the answer is too long");
        else if (error == -EBADMSG)
                gofetch_dns_ignore(f, LOG_INFO, "the answer is malformed");
        else if (error < 0)
                gofetch_dns_ignore(f, LOG_DEBUG, error == -ETIMEDOUT ? "no answer in time" : "the lookup failed");
        else if (f->app->config->go_dnssec && !a->authenticated)
                gofetch_dns_ignore(f, LOG_INFO, "the resolver did not validate the answer (no AD bit), and GoDNSSEC=yes");
        else if (gopherwatch_versions_parse(a->text, a->size, &versions, &n) < 0)
                gofetch_dns_ignore(f, LOG_INFO, "the answer is not a list of versions");
        else if (n == 0)
                gofetch_dns_ignore(f, LOG_INFO, "the answer names no version");
        else
                newest = strdup(gopherwatch_versions_newest(versions, n));

        gopherwatch_versions_free(versions, n);
        return newest;
}

static void on_dns(Worker *w, int r, void *userdata) {
        _cleanup_free_ char *newest = NULL, *running = NULL;
        GoFetch *f = userdata;

        f->worker = worker_free(f->worker);
        f->job->abandon = NULL;
        if (r == -ECANCELED)
                return gofetch_fail(f, r, NULL, "canceled while asking GopherWatch DNS");

        newest = gofetch_dns_newest(f, r);
        if (!newest)
                return gofetch_next_root(f);

        r = go_build_version_parse(f->app->state->current_version, &running, NULL);
        if (r < 0)
                return gofetch_fail(f, r, NULL, "cannot read the running version %s", f->app->state->current_version);

        if (streq(newest, running)) {
                /* Nothing new: the running version, verified when it was installed, is all there is to
                 * choose from, and a new toolchain may still rebuild it. */
                log_info("%s: GopherWatch DNS names %s, the running version, as the newest of %s: not asking "
                         "the module proxy for its versions.", f->app->name, newest, gofetch_module(f));
                r = strv_extend(&f->module_versions, running);
                if (r < 0)
                        return gofetch_fail(f, r, NULL, "out of memory");
                job_set_progress(f->job, 5);
                return gofetch_toolchains(f);
        }

        if (version_compare(newest, running) <= 0)
                log_info("%s: GopherWatch DNS names %s as the newest of %s, older than the running %s: ignoring the "
                         "stale answer; asking the module proxy.", f->app->name, newest, gofetch_module(f), running);
        else {
                log_debug("%s: GopherWatch DNS names %s as the newest of %s; asking the module proxy to confirm it.",
                          f->app->name, newest, gofetch_module(f));
                f->dns_version = TAKE_PTR(newest);
        }
        gofetch_next_root(f);
}

/* Asks GopherWatch DNS first (GoDNS=) when its answer can spare a request to the proxy: when a build
 * runs, and no version is asked for or pinned. Returns true when the lookup is under way; false to
 * ask the proxy alone (a lookup that cannot start is logged). */
static bool gofetch_dns_start(GoFetch *f) {
        _cleanup_free_ char *name = NULL;
        const char *base = app_config_go_dns(f->app->config);
        const AppState *s = f->app->state;
        int r;

        if (!base || f->want || s->pinned_version || go_build_version_parse(s->current_version, NULL, NULL) < 0)
                return false;

        r = gopherwatch_module_name(base, gofetch_module(f), &name);
        if (r >= 0)
                r = txt_lookup_init(&f->dns, name, f->app->config->go_dnssec, GOPHERWATCH_ANSWER_MAX);
        if (r >= 0)
                r = txt_lookup_start(&f->dns, f->app->manager->event, on_dns, f, &f->worker);
        if (r < 0) {
                log_debug_errno(r, "%s: cannot ask GopherWatch DNS under %s about %s, asking the module proxy: %m",
                                f->app->name, base, gofetch_module(f));
                return false;
        }

        f->job->abandon = gofetch_abandon;
        return true;
}

static int gofetch_start(App *a, bool update, bool automatic, const char *want, const ReleaseSourceEvents *events,
                         Job **ret) {
        GoFetch *f;
        Job *j;
        int r;

        f = calloc(1, sizeof(GoFetch));
        if (!f)
                return -ENOMEM;
        f->app = a;
        f->automatic = automatic;
        f->events = events;
        f->download_fd = f->binary_fd = -EBADF;
        f->stage = STAGE_WORK_NULL;

        /* Never empty: the host alone is a module path too. */
        r = go_module_root_candidates(app_config_go_package(a->config), &f->roots);
        if (r >= 0)
                gofetch_prefer_running_module(f);
        if (r >= 0 && want) {
                f->want = strdup(want);
                if (!f->want)
                        r = -ENOMEM;
        }
        if (r < 0) {
                gofetch_free(f);
                return r;
        }

        r = job_new(a->manager, update ? JOB_UPDATE : JOB_CHECK, a, &j);
        if (r < 0) {
                gofetch_free(f);
                return r;
        }
        f->job = j;
        j->userdata = f;
        j->cancel = gofetch_cancel;

        r = gofetch_dns_start(f) ? 0 : gofetch_ask_root(f);
        if (r < 0) {
                gofetch_free(f);
                job_fail(j, NULL, NULL);
                return r;
        }

        *ret = j;
        return 0;
}

static bool go_handles(const App *a) {
        return strncmp(strempty(a->config->source), APP_SOURCE_GO_PREFIX, strlen(APP_SOURCE_GO_PREFIX)) == 0;
}

const ReleaseSource release_source_go = {
        .name = "go",
        .handles = go_handles,
        .start = gofetch_start,
};
