/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HTTP(S) and file:// transfers with libcurl's multi interface driven by the sd-event loop: no thread
 * blocks on a download, many run at once, and each body is hashed (SHA-256) while it streams, so a
 * download is never read from disk twice. A body written to a file open for reading as well is hashed
 * by a worker thread that reads it back from the page cache right behind the writer, so the loop's
 * core is left to the transfer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "s3.h"
#include "sha256.h"
#include "time-util.h"

#define HTTP_ERROR_BODY_MAX (16U * 1024U)

typedef struct HttpClient HttpClient;
typedef struct HttpRequest HttpRequest;

typedef struct HttpOptions {
        /* Where the body goes: to fd (written sequentially from its current offset) when >= 0,
         * else into a memory buffer (HttpResult.body). A regular file opened O_RDWR (not O_APPEND) is
         * hashed on a worker thread that reads back what was written; any other fd on the loop. Either
         * way nobody else may write to the file until done is called. */
        int output_fd;
        uint64_t max_size;         /* abort as soon as the body would exceed this (-EFBIG); 0 = no limit */
        /* Conditional request: If-None-Match, If-Modified-Since (realtime usec; 0 = none). Either is
         * left out, and the request made unconditionally, when it is not one a server could have
         * sent (http-util.h), as one stored before such values were refused might be. */
        const char *etag;
        usec_t if_modified_since;
        /* The URL whose scheme family the request must stay in: file:// allows file:// alone, anything
         * else http:// and https:// alone. NULL = the request's own URL. A URL that content from
         * the network named (an artifact of a channel) passes the channel's, so a remote channel
         * cannot point the daemon at a local file. */
        const char *origin;
        /* Sign the request with AWS Signature Version 4 for S3 in s3_region (libcurl's
         * CURLOPT_AWS_SIGV4), with x-amz-content-sha256 and, if any, x-amz-security-token. Such a
         * request follows no redirect: its credentials and a signature go to its URL's host alone.
         * NULL = unsigned. */
        const S3Credentials *s3_credentials;
        const char *s3_region;
        usec_t timeout;            /* the whole request, -ETIMEDOUT after it; 0 = only the limits below */
        /* Called as data arrives (at most a few times per second): bytes so far and the expected
         * total (Content-Length or max_size, 0 = unknown). */
        void (*progress)(uint64_t done, uint64_t total, void *userdata);
} HttpOptions;

typedef struct HttpResult {
        long status;               /* HTTP status; 200 for file:// */
        bool not_modified;         /* 304: nothing transferred */
        uint64_t size;             /* body bytes received */
        uint8_t sha256[SHA256_SIZE]; /* of the body, computed while it streamed */
        /* NUL-terminated, when no output_fd was given. A response that is not a success (status >= 300,
         * such as S3's XML error documents) never goes to output_fd: its first HTTP_ERROR_BODY_MAX
         * bytes are kept here instead (size counts them), and the rest dropped. */
        char *body;
        char *etag;                /* from the response, or NULL (also when malformed: never kept) */
        usec_t last_modified;      /* from the response, or 0 (also when beyond HTTP_DATE_MAX) */
        char *effective_url;       /* after redirects */
} HttpResult;

/* Called once per request when it ends: error 0 with a result (any HTTP status; a status >= 400 is
 * not an error here), or error < 0 with a malloc'd human-readable reason in *reason (-EFBIG too large,
 * -ETIMEDOUT, -ECONNREFUSED, -EHOSTUNREACH, -EPROTO for TLS/protocol failures, -ENOENT for a file://
 * URL whose file does not exist, -ECANCELED after http_request_cancel(), -EIO otherwise). The callback owns result and reason (http_result_done()). */
typedef void (*http_done_t)(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata);

int http_client_new(sd_event *event, HttpClient **ret);
HttpClient *http_client_free(HttpClient *c);   /* cancels what is still running, without callbacks */

/* Starts GET url (https://, http://, file:///). HTTPS uses the system CAs; at most 5 redirects, and
 * never from https to another scheme; connect timeout 30 s; a transfer slower than 1 KiB/s for 60 s
 * is aborted. The request is owned by the client until done is called. */
int http_get(HttpClient *c, const char *url, const HttpOptions *options, http_done_t done, void *userdata,
             HttpRequest **ret);
void http_request_cancel(HttpRequest *req);    /* done is called with -ECANCELED */

void http_result_done(HttpResult *r);

/* Number of requests in flight (the daemon is not idle while there are any). */
unsigned http_client_active(const HttpClient *c);
