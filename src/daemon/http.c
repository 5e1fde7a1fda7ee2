/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libcurl's multi interface on the sd-event loop. curl tells us which sockets to watch and when to wake
 * it (its socket and timer callbacks); we turn those into sd-event sources and hand what happened back
 * with curl_multi_socket_action(). Bodies are written out as they arrive and hashed as they stream:
 * a body kept in memory right here, a body written to a readable file by a FileHasher thread reading
 * it back from the page cache behind the writer, so the loop's core does not spend its time on
 * SHA-256 while a fast download keeps it busy. User callbacks (progress, done) never run inside a curl
 * callback, so they may start and cancel requests freely. */
#include <curl/curl.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

#include "time-util.h" /* http.h uses usec_t */
#include "file-hasher.h"
#include "fileio.h"
#include "http-util.h"
#include "http.h"
#include "log.h"
#include "macro.h"
#include "sha256.h"

#define HTTP_USER_AGENT "upkeep/" PROJECT_VERSION
#define HTTP_PROGRESS_INTERVAL_USEC (250 * USEC_PER_MSEC)
/* Larger than curl's 16 KiB default: fewer callbacks, writes and loop iterations per MiB. */
#define HTTP_BUFFER_SIZE (128L * 1024L)
/* A download into a file may be an artifact of hundreds of MiB: curl's largest buffer (512 KiB) cuts
 * the loop thread's time on 512 MiB over loopback from about 0.93 s to 0.72 s, as recv() is called a
 * quarter as often (curl(1) uses 100 KiB; under load, 128 and 64 KiB cost 0.81 and 0.93 s against
 * 0.69 s). curl still hands on_body() at most 16 KiB (CURL_MAX_WRITE_SIZE) per call, so each write()
 * is that size: gathering the pieces into 512 KiB writes of whole pages saved CPU on a quiet machine
 * but was slower under load, and so was hashing in on_body() instead of on the worker (README.md,
 * Benchmarks). curl allocates the buffer when the transfer connects; it goes with the request. */
#define HTTP_FILE_BUFFER_SIZE (512L * 1024L)

struct HttpClient {
        sd_event *event;
        CURLM *multi;
        sd_event_source *timer;    /* the one timeout curl asks for */
        sd_event_source *reaper;   /* completes requests stopped outside of curl, from the loop */
        HttpRequest *requests;     /* in flight, newest first */
        unsigned n_active;
        bool curl_initialized;
};

struct HttpRequest {
        HttpClient *client;        /* NULL once finished */
        HttpRequest *prev, *next;
        CURL *easy;
        struct curl_slist *headers;
        char *url;

        int output_fd;
        uint64_t max_size;
        void (*progress)(uint64_t done, uint64_t total, void *userdata);
        http_done_t done;
        void *userdata;

        /* Exactly one of the two hashes the body: the worker when output_fd is a readable file, else
         * the loop as data arrives. */
        FileHasher *hasher;
        Sha256 *sha256;
        bool transfer_done;        /* curl is through with it (and has let go of it); the worker not yet */
        bool hashed;               /* the worker's digest is in */
        int hash_error;            /* the worker could not read the file back or hash it */
        uint8_t digest[SHA256_SIZE];
        char *body;
        size_t body_allocated;
        uint64_t size;

        /* The response is not a success (status >= 300): its body goes to body, at most
         * HTTP_ERROR_BODY_MAX bytes of it, never to output_fd or the hash. */
        bool status_known;
        bool error_response;
        int error;                 /* why one of our callbacks stopped the transfer */
        bool cancelled;
        uint64_t progress_size;
        usec_t progress_time;
        char error_buffer[CURL_ERROR_SIZE];
};

/* Takes the request out of the client: from here on it gets no more data and cannot be cancelled. */
static void request_detach(HttpRequest *req) {
        HttpClient *c = req->client;

        if (!c)
                return;

        if (!req->transfer_done)
                (void) curl_multi_remove_handle(c->multi, req->easy);
        if (req->prev)
                req->prev->next = req->next;
        else
                c->requests = req->next;
        if (req->next)
                req->next->prev = req->prev;
        req->prev = req->next = NULL;
        req->client = NULL;
        c->n_active--;
}

static HttpRequest *request_free(HttpRequest *req) {
        if (!req)
                return NULL;

        request_detach(req);
        /* Before anything the worker might still read: it stops after at most one chunk. */
        file_hasher_free(req->hasher);
        if (req->easy)
                curl_easy_cleanup(req->easy);
        /* A header may hold an S3 session token. */
        for (struct curl_slist *l = req->headers; l; l = l->next)
                explicit_bzero(l->data, strlen(l->data));
        curl_slist_free_all(req->headers);
        sha256_free(req->sha256);
        free(req->body);
        free(req->url);
        return mfree(req);
}

static void request_freep(HttpRequest **req) {
        request_free(*req);
}

static int body_append(HttpRequest *req, const char *p, size_t n) {
        size_t need = req->size + n + 1; /* + the final NUL */

        if (need > req->body_allocated) {
                size_t a = req->body_allocated * 2;
                char *b;

                if (a < need)
                        a = need < 16384 ? 16384 : need;
                b = realloc(req->body, a);
                if (!b)
                        return -ENOMEM;
                req->body = b;
                req->body_allocated = a;
        }
        memcpy(req->body + req->size, p, n);
        return 0;
}

/* Returning fewer bytes than were passed in makes curl abort the transfer with CURLE_WRITE_ERROR;
 * req->error says why. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
        HttpRequest *req = userdata;
        size_t n = size * nmemb, take; /* size is always 1 */
        int r;

        if (req->cancelled)
                return 0;

        /* curl passes on the body of the last response only (not of redirects it followed). */
        if (!req->status_known) {
                long status = 0;

                (void) curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status);
                req->error_response = status >= 300;
                req->status_known = true;
        }
        /* An error document is kept in memory, its first HTTP_ERROR_BODY_MAX bytes; the rest is
         * taken and dropped. A successful body goes where it was asked to, up to max_size. */
        take = n;
        if (req->error_response)
                take = MIN(n, HTTP_ERROR_BODY_MAX - req->size);
        else if (req->max_size > 0 && n > req->max_size - req->size) {
                req->error = -EFBIG;
                return 0;
        }

        if (req->sha256) {
                r = sha256_update(req->sha256, data, take);
                if (r < 0) {
                        req->error = r;
                        return 0;
                }
        }

        if (req->output_fd >= 0 && !req->error_response)
                r = loop_write(req->output_fd, data, take);
        else
                r = body_append(req, data, take);
        if (r < 0) {
                req->error = r;
                return 0;
        }

        req->size += take;
        /* Only now that write() returned may the worker read these bytes back. */
        if (req->hasher && !req->error_response)
                file_hasher_advance(req->hasher, req->size);
        return n;
}

/* Content-Length if the server sent one, else the limit, else 0 for unknown. */
static uint64_t request_total(HttpRequest *req) {
        curl_off_t length = -1;

        (void) curl_easy_getinfo(req->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
        return length >= 0 ? (uint64_t) length : req->max_size;
}

static int curl_code_to_errno(CURL *easy, CURLcode code) {
        long os_errno = 0;

        switch (code) {

        case CURLE_COULDNT_CONNECT:
                (void) curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
                if (os_errno == ECONNREFUSED)
                        return -ECONNREFUSED;
                if (os_errno == ETIMEDOUT)
                        return -ETIMEDOUT;
                return -EHOSTUNREACH;

        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
                return -EHOSTUNREACH;

        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;

        /* file:// of a file that is not there: what a 404 is over HTTP. */
        case CURLE_FILE_COULDNT_READ_FILE:
                return -ENOENT;

        /* The server broke the rules, or TLS failed: retrying the same way will not help. Too many
         * redirects and a refused redirect (https to another scheme) count as such. */
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_TOO_MANY_REDIRECTS:
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_INVALIDCERTSTATUS:
                return -EPROTO;

        default:
                return -EIO;
        }
}

static int request_error(HttpRequest *req, CURLcode code, char **reason) {
        if (req->error == -EFBIG || code == CURLE_FILESIZE_EXCEEDED) {
                *reason = strdup_printf("%s is larger than the limit of %" PRIu64 " bytes", req->url,
                                        req->max_size);
                return -EFBIG;
        }
        if (req->hash_error < 0) {
                *reason = strdup_printf("Failed to read back download of %s to hash it: %s", req->url,
                                        strerror(-req->hash_error));
                return req->hash_error;
        }
        if (req->error < 0) {
                *reason = strdup_printf("Failed to store download of %s: %s", req->url, strerror(-req->error));
                return req->error;
        }

        *reason = strdup_printf("Failed to download %s: %s", req->url,
                                req->error_buffer[0] ? req->error_buffer : curl_easy_strerror(code));
        return curl_code_to_errno(req->easy, code);
}

/* The ETag of the last response of a redirect chain (its last one, should it send several), without
 * the blanks around it; NULL when it has none or an empty one. */
static int request_etag(HttpRequest *req, char **ret) {
        struct curl_header *h = NULL;
        char *etag;

        /* request -1: the last response, not one that redirected to it. */
        if (curl_easy_header(req->easy, "ETag", 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
                return 0;
        if (h->amount > 1 && curl_easy_header(req->easy, "ETag", h->amount - 1, CURLH_HEADER, -1, &h) != CURLHE_OK)
                return 0;
        if (isempty(h->value))
                return 0;
        /* From the network, and kept to be sent back: a malformed one (a bare CR, an unquoted tag, a
         * kilobyte of it) is dropped here, and the next request is unconditional. */
        if (!http_etag_is_valid(h->value)) {
                log_debug("Ignoring malformed ETag from %s.", req->url);
                return 0;
        }

        etag = strdup(h->value);
        if (!etag)
                return -ENOMEM;

        *ret = etag;
        return 0;
}

static int request_result(HttpRequest *req, HttpResult *ret) {
        _cleanup_free_ char *effective_url = NULL, *etag = NULL;
        const char *url = NULL, *scheme = NULL;
        curl_off_t filetime = -1;
        long status = 0, unmet = 0;
        HttpResult result;
        int r;

        (void) curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status);
        (void) curl_easy_getinfo(req->easy, CURLINFO_CONDITION_UNMET, &unmet);
        (void) curl_easy_getinfo(req->easy, CURLINFO_FILETIME_T, &filetime);
        (void) curl_easy_getinfo(req->easy, CURLINFO_EFFECTIVE_URL, &url);
        (void) curl_easy_getinfo(req->easy, CURLINFO_SCHEME, &scheme);

        /* file:// has no status line. And curl decides a time condition itself when it can (file://,
         * or a server that ignored If-Modified-Since): then no body was passed on, which is a 304. */
        if (status == 0 && scheme && strcasecmp(scheme, "file") == 0)
                status = 200;
        if (unmet)
                status = 304;

        effective_url = strdup(url ?: req->url);
        if (!effective_url)
                return -ENOMEM;

        r = request_etag(req, &etag);
        if (r < 0)
                return r;

        if (req->output_fd < 0 || req->error_response) {
                if (body_append(req, "", 0) < 0)
                        return -ENOMEM;
                req->body[req->size] = 0;
        }

        result = (HttpResult) {
                .status = status,
                .not_modified = status == 304,
                .size = req->size,
                /* Seconds first: a date far enough out would overflow in microseconds. */
                .last_modified = filetime > 0 && (uint64_t) filetime <= HTTP_DATE_MAX / USEC_PER_SEC ?
                                 (usec_t) filetime * USEC_PER_SEC : 0,
        };
        if (req->hasher) {
                if (!req->hashed)
                        return -EIO;
                memcpy(result.sha256, req->digest, sizeof(result.sha256));
        } else {
                r = sha256_final(req->sha256, result.sha256);
                if (r < 0)
                        return r;
        }

        result.body = TAKE_PTR(req->body);
        result.etag = TAKE_PTR(etag);
        result.effective_url = TAKE_PTR(effective_url);
        *ret = result;
        return 0;
}

/* Ends the request: one last progress report, then done, which owns result and reason. */
static void request_complete(HttpRequest *req, CURLcode code) {
        HttpResult result = {};
        char *reason = NULL;
        uint64_t total;
        int r;

        if (req->cancelled) {
                reason = strdup_printf("Download of %s was cancelled", req->url);
                r = -ECANCELED;
        } else if (code != CURLE_OK || req->error < 0 || req->hash_error < 0)
                r = request_error(req, code, &reason);
        else {
                r = request_result(req, &result);
                if (r < 0)
                        reason = strdup_printf("Failed to finish download of %s: %s", req->url, strerror(-r));
        }

        total = request_total(req);
        request_detach(req);

        if (r >= 0 && req->progress && req->size != req->progress_size)
                req->progress(req->size, total, req->userdata);

        req->done(req, r, r >= 0 ? &result : NULL, reason, req->userdata);
        request_free(req);
}

/* The body is complete but its worker may still be hashing the tail: curl lets go of the request
 * now, and on_hashed() completes it when the digest is in. The request stays in flight (and
 * cancellable) meanwhile. Returns false if there is nothing to wait for. */
static bool request_wait_for_digest(HttpRequest *req) {
        if (!req->hasher || req->cancelled || req->error < 0 || req->hash_error < 0)
                return false;

        (void) curl_multi_remove_handle(req->client->multi, req->easy);
        req->transfer_done = true;
        file_hasher_finish(req->hasher);
        return true;
}

static void client_complete_done(HttpClient *c) {
        CURLMsg *m;
        int left;

        while ((m = curl_multi_info_read(c->multi, &left))) {
                CURLcode code;
                char *p = NULL;

                if (m->msg != CURLMSG_DONE)
                        continue;
                /* m is invalid once its handle is removed, so copy out what we need first. */
                code = m->data.result;
                if (curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &p) != CURLE_OK || !p)
                        continue;
                if (code == CURLE_OK && request_wait_for_digest((HttpRequest *) p))
                        continue;
                request_complete((HttpRequest *) p, code);
        }
}

static void client_report_progress(HttpClient *c) {
        usec_t now;

        if (sd_event_now(c->event, CLOCK_MONOTONIC, &now) < 0)
                return;

        /* The callback may start requests (added at the head, so not visited here) and cancel them
         * (only flagged), so the list stays walkable. */
        for (HttpRequest *req = c->requests; req; req = req->next) {
                if (!req->progress || req->cancelled || req->size == req->progress_size)
                        continue;
                if (req->progress_time > 0 && now < req->progress_time + HTTP_PROGRESS_INTERVAL_USEC)
                        continue;

                req->progress_size = req->size;
                req->progress_time = now;
                req->progress(req->size, request_total(req), req->userdata);
        }
}

/* Something happened on fd (or curl's timeout passed): let curl act, then finish what finished. */
static void client_drive(HttpClient *c, curl_socket_t fd, int action) {
        int running;

        if (curl_multi_socket_action(c->multi, fd, action, &running) != CURLM_OK) {
                /* Only when one of our callbacks failed (out of memory): a socket or the timeout may now
                 * be unwatched, so fail what is in flight rather than leave it waiting forever. */
                for (HttpRequest *req = c->requests; req; req = req->next)
                        req->error = -ENOMEM;
                (void) sd_event_source_set_enabled(c->reaper, SD_EVENT_ONESHOT);
        }

        client_complete_done(c);
        client_report_progress(c);
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        int action = 0;

        if (revents & EPOLLIN)
                action |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                action |= CURL_CSELECT_OUT;
        if (revents & (EPOLLERR|EPOLLHUP))
                action |= CURL_CSELECT_ERR;

        client_drive(userdata, fd, action);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        client_drive(userdata, CURL_SOCKET_TIMEOUT, 0);
        return 0;
}

/* curl calls this (from inside its own functions) to say what to wait for on one socket. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userdata, void *socketp) {
        HttpClient *c = userdata;
        sd_event_source *s = socketp;
        uint32_t events = 0;

        if (what == CURL_POLL_REMOVE) {
                /* Also safe for the source that is being dispatched right now: sd-event defers the free. */
                sd_event_source_disable_unref(s);
                return 0;
        }

        if (IN_SET(what, CURL_POLL_IN, CURL_POLL_INOUT))
                events |= EPOLLIN;
        if (IN_SET(what, CURL_POLL_OUT, CURL_POLL_INOUT))
                events |= EPOLLOUT;

        if (s)
                return sd_event_source_set_io_events(s, events) < 0 ? -1 : 0;

        if (sd_event_add_io(c->event, &s, fd, events, on_io, c) < 0)
                return -1;
        (void) sd_event_source_set_description(s, "http-socket");
        if (curl_multi_assign(c->multi, fd, s) != CURLM_OK) {
                sd_event_source_unref(s);
                return -1;
        }
        return 0;
}

/* curl calls this to move its single timeout: -1 means none, 0 means as soon as possible (curl must
 * not be re-entered from here, so that too goes through the loop). */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userdata) {
        HttpClient *c = userdata;
        usec_t now, when;
        int r;

        if (timeout_ms < 0) {
                if (c->timer)
                        (void) sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
                return 0;
        }

        r = sd_event_now(c->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return -1;
        when = now + (usec_t) timeout_ms * USEC_PER_MSEC;

        if (!c->timer) {
                /* 1 ms accuracy: sd-event's default of 250 ms would stall every short wait curl asks for. */
                r = sd_event_add_time(c->event, &c->timer, CLOCK_MONOTONIC, when, USEC_PER_MSEC, on_timer, c);
                if (r < 0)
                        return -1;
                (void) sd_event_source_set_description(c->timer, "http-timer");
                return 0;
        }

        r = sd_event_source_set_time(c->timer, when);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
        return r < 0 ? -1 : 0;
}

/* Whether on_reap() should complete it: stopped outside of curl, or its digest came in after curl
 * was through with it. */
static bool request_ready_to_reap(const HttpRequest *req) {
        return req->cancelled || req->error < 0 || req->hash_error < 0 || (req->transfer_done && req->hashed);
}

static int on_reap(sd_event_source *s, void *userdata) {
        HttpClient *c = userdata;

        /* Each done callback may cancel or start other requests, so search again from the head. */
        for (;;) {
                HttpRequest *req = c->requests;

                while (req && !request_ready_to_reap(req))
                        req = req->next;
                if (!req)
                        return 0;
                request_complete(req, CURLE_OK);
        }
}

static void http_client_freep(HttpClient **c) {
        http_client_free(*c);
}

int http_client_new(sd_event *event, HttpClient **ret) {
        _cleanup_(http_client_freep) HttpClient *c = NULL;
        int r;

        if (!event || !ret)
                return -EINVAL;

        c = calloc(1, sizeof(HttpClient));
        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(event);

        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return -EIO;
        c->curl_initialized = true;

        r = sd_event_add_defer(event, &c->reaper, on_reap, c);
        if (r < 0)
                return r;
        r = sd_event_source_set_enabled(c->reaper, SD_EVENT_OFF);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(c->reaper, "http-reap");

        c->multi = curl_multi_init();
        if (!c->multi ||
            curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket) != CURLM_OK ||
            curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c) != CURLM_OK ||
            curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer) != CURLM_OK ||
            curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c) != CURLM_OK)
                return -ENOMEM;

        /* Checking a thousand apps must neither run into the file descriptor limit nor hammer one
         * publisher's server: curl queues transfers beyond these and starts them as others end. */
        if (curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 64L) != CURLM_OK ||
            curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 16L) != CURLM_OK)
                return -EINVAL;

        *ret = TAKE_PTR(c);
        return 0;
}

HttpClient *http_client_free(HttpClient *c) {
        if (!c)
                return NULL;

        while (c->requests)
                request_free(c->requests);
        /* This closes cached connections, which calls on_curl_socket() once more for each. */
        if (c->multi)
                curl_multi_cleanup(c->multi);
        sd_event_source_disable_unref(c->timer);
        sd_event_source_disable_unref(c->reaper);
        sd_event_unref(c->event);
        if (c->curl_initialized)
                curl_global_cleanup();
        return mfree(c);
}

static int request_add_header(HttpRequest *req, const char *name, const char *value) {
        _cleanup_free_ char *h = NULL;
        struct curl_slist *l;

        if (asprintf(&h, "%s: %s", name, value) < 0)
                return -ENOMEM;
        l = curl_slist_append(req->headers, h);
        explicit_bzero(h, strlen(h));
        if (!l)
                return -ENOMEM;
        req->headers = l;
        return 0;
}

/* AWS Signature Version 4 for S3, computed by libcurl over the method, the URL, the date and every
 * header we add (S3 wants x-amz-content-sha256 signed; a GET's body is empty). The credentials go to
 * curl as user name and password, which it uses for the signature alone. Returns a CURLcode. */
static CURLcode request_setup_s3(HttpRequest *req, const HttpOptions *o) {
        const S3Credentials *k = o->s3_credentials;
        _cleanup_free_ char *provider = NULL;
        CURL *e = req->easy;
        CURLcode r = CURLE_OK;

        if (!k)
                return CURLE_OK;
        if (!k->access_key_id || !k->secret_access_key || !s3_region_is_valid(o->s3_region))
                return CURLE_BAD_FUNCTION_ARGUMENT;

        if (asprintf(&provider, "aws:amz:%s:s3", o->s3_region) < 0 ||
            request_add_header(req, "x-amz-content-sha256", S3_EMPTY_PAYLOAD_SHA256) < 0 ||
            (k->session_token && request_add_header(req, "x-amz-security-token", k->session_token) < 0))
                return CURLE_OUT_OF_MEMORY;

        r = r ?: curl_easy_setopt(e, CURLOPT_AWS_SIGV4, provider);
        r = r ?: curl_easy_setopt(e, CURLOPT_USERNAME, k->access_key_id);
        r = r ?: curl_easy_setopt(e, CURLOPT_PASSWORD, k->secret_access_key);
        /* Never to another host; and no redirect is followed at all (request_setup()). */
        r = r ?: curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);
        return r;
}

static int request_setup(HttpRequest *req, const HttpOptions *o) {
        CURL *e = req->easy;
        CURLcode r = CURLE_OK;

        /* It goes into a header line verbatim: only a well-formed one, which holds no CR or LF. */
        if (o->etag && http_etag_is_valid(o->etag) && request_add_header(req, "If-None-Match", o->etag) < 0)
                return -ENOMEM;

        r = request_setup_s3(req, o);
        if (r != CURLE_OK)
                return r == CURLE_OUT_OF_MEMORY ? -ENOMEM : r == CURLE_BAD_FUNCTION_ARGUMENT ? -EINVAL : -EOPNOTSUPP;

        /* curl_easy_setopt() only fails for options this libcurl lacks and out of memory: the first
         * failure is kept and the rest skipped. */
        r = r ?: curl_easy_setopt(e, CURLOPT_URL, req->url);
        r = r ?: curl_easy_setopt(e, CURLOPT_PRIVATE, req);
        r = r ?: curl_easy_setopt(e, CURLOPT_ERRORBUFFER, req->error_buffer);
        r = r ?: curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        r = r ?: curl_easy_setopt(e, CURLOPT_USERAGENT, HTTP_USER_AGENT);
        r = r ?: curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, url_is_file(o->origin ?: req->url) ? "file" : "http,https");
        r = r ?: curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, o->s3_credentials ? 0L : 1L);
        r = r ?: curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
        /* A signed channel over https must not be downgraded by a redirect. */
        r = r ?: curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR,
                                  strncasecmp(req->url, "https:", 6) == 0 ? "https" : "http,https");
        r = r ?: curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
        r = r ?: curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
        r = r ?: curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
        if (o->timeout > 0)
                r = r ?: curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                                          (long) MAX(o->timeout / USEC_PER_MSEC, UINT64_C(1)));
        r = r ?: curl_easy_setopt(e, CURLOPT_BUFFERSIZE,
                                  o->output_fd >= 0 ? HTTP_FILE_BUFFER_SIZE : HTTP_BUFFER_SIZE);
        r = r ?: curl_easy_setopt(e, CURLOPT_FILETIME, 1L);
        r = r ?: curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
        r = r ?: curl_easy_setopt(e, CURLOPT_WRITEDATA, req);
        r = r ?: curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->headers);
        /* Refuses a too large body from its Content-Length before any of it arrives; on_body() catches
         * servers that send no or a wrong length. Not below HTTP_ERROR_BODY_MAX, so an error document
         * (S3's reason for a 403) is read rather than refused as too large for a small artifact:
         * on_body() holds a successful body to max_size all the same. */
        if (o->max_size > 0 && o->max_size <= INT64_MAX)
                r = r ?: curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
                                          (curl_off_t) MAX(o->max_size, (uint64_t) HTTP_ERROR_BODY_MAX));
        if (http_last_modified_is_valid(o->if_modified_since)) {
                r = r ?: curl_easy_setopt(e, CURLOPT_TIMECONDITION, (long) CURL_TIMECOND_IFMODSINCE);
                r = r ?: curl_easy_setopt(e, CURLOPT_TIMEVALUE_LARGE,
                                          (curl_off_t) (o->if_modified_since / USEC_PER_SEC));
        }

        if (r == CURLE_OUT_OF_MEMORY)
                return -ENOMEM;
        return r == CURLE_OK ? 0 : -EOPNOTSUPP;
}

/* From the loop, when the worker is through. A failure stops the transfer at once; a digest completes
 * the request if curl is through with it too. Either way on_reap() does it, like for a cancel. */
static void on_hashed(FileHasher *h, int error, const uint8_t *digest, void *userdata) {
        HttpRequest *req = userdata;

        if (error < 0)
                req->hash_error = error;
        else {
                memcpy(req->digest, digest, sizeof(req->digest));
                req->hashed = true;
        }
        if (req->client && request_ready_to_reap(req))
                (void) sd_event_source_set_enabled(req->client->reaper, SD_EVENT_ONESHOT);
}

/* The worker can hash what is written to fd if it can read it back where it was written: a regular
 * file open for reading too, not appending, and written from its current offset on. */
static bool fd_can_read_back(int fd, uint64_t *ret_offset) {
        struct stat st;
        off_t offset;
        int flags;

        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || (flags & O_ACCMODE) != O_RDWR || (flags & O_APPEND))
                return false;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return false;
        offset = lseek(fd, 0, SEEK_CUR);
        if (offset < 0)
                return false;

        *ret_offset = (uint64_t) offset;
        return true;
}

int http_get(HttpClient *c, const char *url, const HttpOptions *options, http_done_t done, void *userdata,
             HttpRequest **ret) {
        static const HttpOptions defaults = { .output_fd = -EBADF };
        _cleanup_(request_freep) HttpRequest *req = NULL;
        uint64_t offset;
        int r;

        if (!c || isempty(url) || !done)
                return -EINVAL;
        if (!options)
                options = &defaults;

        req = calloc(1, sizeof(HttpRequest));
        if (!req)
                return -ENOMEM;
        *req = (HttpRequest) {
                .output_fd = options->output_fd,
                .max_size = options->max_size,
                .progress = options->progress,
                .done = done,
                .userdata = userdata,
        };

        req->url = strdup(url);
        req->easy = curl_easy_init();
        if (!req->url || !req->easy)
                return -ENOMEM;

        if (req->output_fd >= 0 && fd_can_read_back(req->output_fd, &offset)) {
                r = file_hasher_new(c->event, req->output_fd, offset, on_hashed, req, &req->hasher);
                if (r < 0)
                        return r;
        } else {
                r = sha256_new(&req->sha256);
                if (r < 0)
                        return r;
        }

        r = request_setup(req, options);
        if (r < 0)
                return r;

        if (curl_multi_add_handle(c->multi, req->easy) != CURLM_OK)
                return -ENOMEM;

        req->client = c;
        req->next = c->requests;
        if (c->requests)
                c->requests->prev = req;
        c->requests = req;
        c->n_active++;

        if (ret)
                *ret = req;
        TAKE_PTR(req);
        return 0;
}

void http_request_cancel(HttpRequest *req) {
        if (!req || !req->client || req->cancelled)
                return;

        /* Not completed here: the caller may be walking its own requests, or we may be inside a
         * progress callback. From the loop, on_reap() does it; on_body() stops taking data now. */
        req->cancelled = true;
        (void) sd_event_source_set_enabled(req->client->reaper, SD_EVENT_ONESHOT);
}

void http_result_done(HttpResult *r) {
        if (!r)
                return;

        free(r->body);
        free(r->etag);
        free(r->effective_url);
        *r = (HttpResult) {};
}

unsigned http_client_active(const HttpClient *c) {
        return c ? c->n_active : 0;
}
