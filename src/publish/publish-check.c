/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Verifies a channel in upkeepd's order (signature with the pinned key, then channel.json, then the
 * app, expiry and serial rules, then each artifact's size and SHA-256), with the same core code and the
 * same error names, and tells what a client would do. Remote channels are fetched with libcurl's easy
 * interface: one synchronous request at a time is all a command-line check needs. */
#include <curl/curl.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "bus-error.h"
#include "channel.h"
#include "macro.h"
#include "publish-check.h"
#include "release-choice.h"

#define FETCH_BUFFER_SIZE (128U * 1024U)

typedef struct Fetch {
        EVP_MD_CTX *md;        /* hashing, when not NULL */
        char *body;            /* collecting, when md is NULL */
        size_t size;
        uint64_t total;
        uint64_t max;
        bool too_large;
} Fetch;

static size_t on_body(char *data, size_t size, size_t n, void *userdata) {
        Fetch *f = userdata;
        size_t k = size * n;

        /* Stopped the moment it passes its limit, as upkeepd stops a download past its declared size. */
        if (f->total + k > f->max) {
                f->too_large = true;
                return 0;
        }
        f->total += k;

        if (f->md)
                return EVP_DigestUpdate(f->md, data, k) == 1 ? k : 0;

        char *b = realloc(f->body, f->size + k + 1);
        if (!b)
                return 0;
        memcpy(b + f->size, data, k);
        f->body = b;
        f->size += k;
        f->body[f->size] = 0;
        return k;
}

static bool is_url(const char *s) {
        return strstr(s, "://") != NULL;
}

/* url or, for a local channel, dir_fd/path. Fills f (collecting or hashing) up to f->max bytes.
 * -EFBIG past the limit; -EIO with a reason for anything else. */
static int fetch(const char *base, int dir_fd, const char *path, Fetch *f, char **ret_reason) {
        _cleanup_free_ char *url = NULL, *local = NULL;
        char errbuf[CURL_ERROR_SIZE] = "";
        CURL *e;
        CURLcode c;
        long status = 0;
        int r = 0;

        if (dir_fd >= 0 && !is_url(path)) {
                _cleanup_close_ int fd = -EBADF;
                _cleanup_free_ char *buf = NULL;

                /* A query means something only to a web server. */
                local = strndup(path, strcspn(path, "?#"));
                if (!local)
                        return -ENOMEM;
                fd = openat(dir_fd, local, O_RDONLY|O_CLOEXEC|O_NOCTTY);
                if (fd < 0) {
                        r = -errno;
                        if (asprintf(ret_reason, "cannot open %s: %s", local, strerror(-r)) < 0)
                                *ret_reason = NULL;
                        return -EIO;
                }
                buf = malloc(FETCH_BUFFER_SIZE);
                if (!buf)
                        return -ENOMEM;
                for (;;) {
                        ssize_t k = read(fd, buf, FETCH_BUFFER_SIZE);

                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                r = -errno;
                                if (asprintf(ret_reason, "cannot read %s: %s", local, strerror(-r)) < 0)
                                        *ret_reason = NULL;
                                return -EIO;
                        }
                        if (k == 0)
                                return 0;
                        if (on_body(buf, 1, (size_t) k, f) != (size_t) k)
                                return f->too_large ? -EFBIG : -ENOMEM;
                }
        }

        if (is_url(path))
                url = strdup(path);
        else if (asprintf(&url, "%s%s%s", base, endswith_slash(base) ? "" : "/", path) < 0)
                url = NULL;
        if (!url)
                return -ENOMEM;

        e = curl_easy_init();
        if (!e)
                return -ENOMEM;

        c = curl_easy_setopt(e, CURLOPT_URL, url);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_USERAGENT, "upkeep-publish/" PROJECT_VERSION);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        if (c == CURLE_OK) c = curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
        if (c == CURLE_OK) c = curl_easy_perform(e);
        if (c == CURLE_OK)
                (void) curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(e);

        if (f->too_large)
                return -EFBIG;
        if (c != CURLE_OK) {
                if (asprintf(ret_reason, "cannot fetch %s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(c)) < 0)
                        *ret_reason = NULL;
                return -EIO;
        }
        /* file:// has no status. */
        if (status != 0 && status != 200) {
                if (asprintf(ret_reason, "%s answered HTTP %ld", url, status) < 0)
                        *ret_reason = NULL;
                return -EIO;
        }
        return 0;
}

typedef struct Verdict {
        const char *error;       /* the D-Bus error name upkeepd would report, NULL when accepted */
        char *reason;
} Verdict;

static void json_object_putp(struct json_object **o) {
        json_object_put(*o);
}

/* Checks one artifact; fills error/reason of v when a client would refuse it. */
static int check_artifact(const CheckOptions *o, int dir_fd, const ChannelArtifact *a, Verdict *v) {
        _cleanup_free_ char *reason = NULL;
        uint8_t digest[SHA256_SIZE];
        char want[65], got[65];
        unsigned n = 0;
        Fetch f = { .max = a->size };
        int r;

        f.md = EVP_MD_CTX_new();
        if (!f.md || EVP_DigestInit_ex(f.md, EVP_sha256(), NULL) != 1) {
                EVP_MD_CTX_free(f.md);
                ERR_clear_error();
                return -ENOMEM;
        }

        r = fetch(o->where, dir_fd, a->path, &f, &reason);
        if (r >= 0 && EVP_DigestFinal_ex(f.md, digest, &n) != 1)
                r = -EIO;
        EVP_MD_CTX_free(f.md);
        ERR_clear_error();

        if (r == -ENOMEM)
                return r;
        if (r == -EFBIG) {
                v->error = BUS_ERROR_SIZE_MISMATCH;
                return asprintf(&v->reason, "%s is larger than the %" PRIu64 " bytes the channel declares",
                                a->path, a->size) < 0 ? -ENOMEM : 0;
        }
        if (r < 0) {
                v->error = BUS_ERROR_DOWNLOAD_FAILED;
                v->reason = TAKE_PTR(reason);
                return 0;
        }
        if (f.total != a->size) {
                v->error = BUS_ERROR_SIZE_MISMATCH;
                return asprintf(&v->reason, "%s is %" PRIu64 " bytes, the channel declares %" PRIu64,
                                a->path, f.total, a->size) < 0 ? -ENOMEM : 0;
        }
        if (memcmp(digest, a->sha256, SHA256_SIZE) != 0) {
                v->error = BUS_ERROR_HASH_MISMATCH;
                return asprintf(&v->reason, "%s has SHA-256 %s, the channel says %s", a->path,
                                sha256_to_hex(digest, got), sha256_to_hex(a->sha256, want)) < 0 ? -ENOMEM : 0;
        }
        return 0;
}

static struct json_object *json_string_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

int publish_check(const CheckOptions *o) {
        _cleanup_(json_object_putp) struct json_object *out = NULL, *warnings = NULL, *releases = NULL;
        _cleanup_(channel_freep) Channel *c = NULL;
        _cleanup_free_ char *reason = NULL, *comment = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        Fetch json = { .max = CHANNEL_MAX_SIZE }, sig = { .max = MINISIGN_SIGNATURE_MAX_FILE_SIZE };
        MinisignSignature signature = {};
        const char *error = NULL, *app;
        char keyid[17], otherid[17], buf[RFC3339_MAX], span[64];
        size_t n_refused = 0;
        int r, ret;

        out = json_object_new_object();
        warnings = json_object_new_array();
        releases = json_object_new_array();
        if (!out || !warnings || !releases)
                goto oom;

        if (!is_url(o->where)) {
                dir_fd = open(o->where, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
                if (dir_fd < 0) {
                        fprintf(stderr, "Cannot open channel directory %s: %m\n", o->where);
                        return EXIT_FAILURE;
                }
        }

        /* 1. Fetch, as upkeepd does: channel.json, then its signature. */
        r = fetch(o->where, dir_fd, "channel.json", &json, &reason);
        if (r == -EFBIG)
                error = BUS_ERROR_CHANNEL_MALFORMED, reason = strdup("channel.json is larger than allowed");
        else if (r >= 0) {
                r = fetch(o->where, dir_fd, "channel.json.minisig", &sig, &reason);
                if (r == -EFBIG)
                        error = BUS_ERROR_SIGNATURE_INVALID, reason = strdup("channel.json.minisig is larger than allowed");
        }
        if (r == -ENOMEM)
                goto oom;
        if (r < 0 && !error) {
                fprintf(stderr, "%s\n", strempty(reason));
                free(json.body);
                free(sig.body);
                return EXIT_FAILURE;
        }

        /* 2. The signature, with the pinned key, before a byte of channel.json is trusted. */
        if (!error) {
                r = minisign_signature_parse(sig.body ?: "", sig.size, &signature);
                if (r < 0)
                        error = BUS_ERROR_SIGNATURE_INVALID, reason = strdup("channel.json.minisig is not a minisign signature");
                else {
                        r = minisign_verify(o->key, &signature, json.body ?: "", json.size);
                        if (r == -EKEYREJECTED) {
                                error = BUS_ERROR_WRONG_KEY;
                                if (asprintf(&reason, "channel signed by key %s, not the app's key %s",
                                             minisign_key_id_to_string(signature.key_id, keyid),
                                             minisign_key_id_to_string(o->key->key_id, otherid)) < 0)
                                        reason = NULL;
                        } else if (r < 0)
                                error = BUS_ERROR_SIGNATURE_INVALID,
                                reason = strdup("channel signature does not verify with the app's key");
                        else
                                comment = strdup(strempty(signature.trusted_comment));
                }
                minisign_signature_done(&signature);
        }

        /* 3. channel.json itself, then the app, expiry and serial rules. */
        if (!error) {
                _cleanup_free_ char *why = NULL;

                r = channel_parse(json.body, json.size, &c, &why);
                if (r == -ENOMEM)
                        goto oom;
                if (r < 0) {
                        error = BUS_ERROR_CHANNEL_MALFORMED;
                        if (asprintf(&reason, "channel.json is malformed: %s", strempty(why)) < 0)
                                reason = NULL;
                }
        }
        app = o->app;
        if (c && !app) {
                app = c->app;
                json_object_array_add(warnings, json_object_new_string(
                        "no --app given: the channel is checked for the app it names itself"));
        }
        if (!error) {
                _cleanup_free_ char *why = NULL;

                r = channel_check(c, app, o->now, o->last_serial, NULL, NULL, &why);
                if (r == -ENOMEM)
                        goto oom;
                if (r < 0) {
                        error = bus_error_from_channel_check(r);
                        if (asprintf(&reason, "channel refused: %s", strempty(why)) < 0)
                                reason = NULL;
                } else if (c->expires - o->now < o->warn_expiry) {
                        _cleanup_free_ char *w = NULL;

                        if (asprintf(&w, "the channel expires in %s (%s): refresh it, or every client refuses it then",
                                     format_timespan(span, sizeof span, (c->expires - o->now) / USEC_PER_MINUTE * USEC_PER_MINUTE),
                                     format_timestamp_rfc3339(buf, sizeof buf, c->expires)) < 0)
                                goto oom;
                        json_object_array_add(warnings, json_object_new_string(w));
                }
        }
        free(json.body);
        free(sig.body);

        if (!o->json && !error)
                printf("%s: channel of %s, serial %" PRIu64 ", expires %s, signature OK (trusted comment: %s)\n",
                       o->where, c->app, c->serial, format_timestamp_rfc3339(buf, sizeof buf, c->expires),
                       strempty(comment));

        /* 4. Every artifact, as a client would download it. */
        for (size_t i = 0; c && !error && i < c->n_releases; i++) {
                const ChannelRelease *rel = &c->releases[i];
                struct json_object *jr = json_object_new_object(), *ja = json_object_new_array();

                if (!jr || !ja || json_object_array_add(releases, jr) < 0) {
                        json_object_put(jr);
                        json_object_put(ja);
                        goto oom;
                }
                json_object_object_add(jr, "version", json_object_new_string(rel->version));
                json_object_object_add(jr, "rollout", json_object_new_int(rel->rollout));
                json_object_object_add(jr, "artifacts", ja);

                for (size_t j = 0; j < rel->n_artifacts; j++) {
                        const ChannelArtifact *a = &rel->artifacts[j];
                        struct json_object *jx = json_object_new_object();
                        Verdict v = {};
                        char hex[65];

                        if (!jx || json_object_array_add(ja, jx) < 0) {
                                json_object_put(jx);
                                goto oom;
                        }
                        r = check_artifact(o, dir_fd, a, &v);
                        if (r < 0)
                                goto oom;
                        if (v.error)
                                n_refused++;
                        json_object_object_add(jx, "platform", json_object_new_string(a->platform));
                        json_object_object_add(jx, "type", json_object_new_string(artifact_type_to_string(a->type)));
                        json_object_object_add(jx, "path", json_object_new_string(a->path));
                        json_object_object_add(jx, "size", json_object_new_uint64(a->size));
                        json_object_object_add(jx, "sha256", json_object_new_string(sha256_to_hex(a->sha256, hex)));
                        json_object_object_add(jx, "ok", json_object_new_boolean(!v.error));
                        json_object_object_add(jx, "error", json_string_or_null(v.error));
                        json_object_object_add(jx, "reason", json_string_or_null(v.reason));

                        if (!o->json) {
                                if (v.error)
                                        printf("  %-12s %-14s %-6s REFUSED (%s): %s\n", rel->version, a->platform,
                                               artifact_type_to_string(a->type), v.error, v.reason);
                                else
                                        printf("  %-12s %-14s %-6s %" PRIu64 " bytes, SHA-256 OK, rollout %u%%\n",
                                               rel->version, a->platform, artifact_type_to_string(a->type), a->size,
                                               rel->rollout);
                        }
                        free(v.reason);
                }
        }

        /* What a client would do: the app and verdict, and the release a first install takes. */
        ret = error ? CHECK_EXIT_REFUSED : n_refused > 0 ? CHECK_EXIT_REFUSED : EXIT_SUCCESS;

        json_object_object_add(out, "source", json_object_new_string(o->where));
        json_object_object_add(out, "accepted", json_object_new_boolean(!error));
        json_object_object_add(out, "error", json_string_or_null(error));
        json_object_object_add(out, "reason", json_string_or_null(reason));
        if (c) {
                json_object_object_add(out, "app", json_object_new_string(c->app));
                json_object_object_add(out, "serial", json_object_new_uint64(c->serial));
                json_object_object_add(out, "expires", json_string_or_null(
                                               format_timestamp_rfc3339(buf, sizeof buf, c->expires)));
        }
        json_object_object_add(out, "trusted_comment", json_string_or_null(comment));
        json_object_object_add(out, "refused_artifacts", json_object_new_uint64(n_refused));

        const ChannelRelease *newest = NULL, *taken = NULL;
        if (c && !error) {
                ReleaseChoice choice = {};
                sd_id128_t machine_id = SD_ID128_NULL;
                ReleaseContext ctx = {
                        .platform = platform_native(),
                        .app = app,
                        .policy = UPDATE_POLICY_MAJOR,
                };

                (void) sd_id128_get_machine(&machine_id);
                ctx.machine_id = machine_id;
                if (release_choose(c, &ctx, &choice) < 0)
                        goto oom;
                newest = choice.newest;
                taken = choice.candidate;
        }
        json_object_object_add(out, "platform", json_object_new_string(platform_native()));
        json_object_object_add(out, "newest", json_string_or_null(newest ? newest->version : NULL));
        json_object_object_add(out, "first_install", json_string_or_null(taken ? taken->version : NULL));
        json_object_object_add(out, "releases", TAKE_PTR(releases));
        json_object_object_add(out, "warnings", TAKE_PTR(warnings));

        if (o->json) {
                printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                return ret;
        }

        struct json_object *w;
        json_object_object_get_ex(out, "warnings", &w);
        for (size_t i = 0; i < json_object_array_length(w); i++)
                fprintf(stderr, "Warning: %s\n", json_object_get_string(json_object_array_get_idx(w, i)));

        if (error) {
                printf("%s: REFUSED (%s): %s\n", o->where, error, strempty(reason));
                printf("A client keeps what it has and reports %s.\n", error);
                return ret;
        }

        if (n_refused > 0)
                printf("A client accepts the channel but refuses %zu artifact%s above (%s), keeping what it runs.\n",
                       n_refused, n_refused == 1 ? "" : "s", "see REFUSED");
        if (!newest)
                printf("A client on %s finds no release for its platform.\n", platform_native());
        else if (taken)
                printf("A client on %s finds %s the newest; a first install takes %s%s.\n", platform_native(),
                       newest->version, taken->version,
                       taken->rollout < 100 ? " (this machine is inside its rollout)" : "");
        else
                printf("A client on %s finds %s the newest; this machine is outside the rollout of what it could take.\n",
                       platform_native(), newest->version);
        return ret;

oom:
        fprintf(stderr, "Out of memory.\n");
        return EXIT_FAILURE;
}
