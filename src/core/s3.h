/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Release channels in private S3 buckets (Source=s3://BUCKET/PREFIX/): s3:// URLs, the HTTP(S) URL an
 * object is fetched from at an endpoint, the credentials file upkeep reads the keys from, and what an
 * S3 error answer says. Pure logic: the daemon loads the file (app-s3.c) and has libcurl sign each
 * request with AWS Signature Version 4 (http.c). No function here puts a secret into a message. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define S3_URL_PREFIX "s3://"
#define S3_REGION_DEFAULT "us-east-1"
/* Where an app's credentials are looked for (upkeep.app(5)): a systemd credential of upkeepd.service
 * named S3_CREDENTIAL_PREFIX NAME, else S3_CREDENTIALS_DIR/NAME S3_CREDENTIALS_SUFFIX. */
#define S3_CREDENTIALS_DIR "/etc/upkeep/credentials"
#define S3_CREDENTIALS_SUFFIX ".s3"
#define S3_CREDENTIAL_PREFIX "upkeep.s3."
#define S3_CREDENTIALS_MAX_SIZE (64U * 1024U)
/* The SHA-256 of an empty body: what a GET sends as x-amz-content-sha256. */
#define S3_EMPTY_PAYLOAD_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct S3Credentials {
        char *access_key_id;
        char *secret_access_key;
        char *session_token;  /* NULL: none (sent as x-amz-security-token) */
} S3Credentials;

/* Wipes the secrets before freeing them. */
void s3_credentials_done(S3Credentials *c);

/* Parses a credentials file: "Key=value" lines, '#' comments and blank lines, keys AccessKeyId= and
 * SecretAccessKey= (required) and SessionToken=, each once, values of visible ASCII. On failure a
 * malloc'd sentence in *ret_reason names the line and key, never a value. */
int s3_credentials_parse(const char *text, size_t size, S3Credentials *ret, char **ret_reason);

bool s3_bucket_is_valid(const char *bucket);
/* An S3Region= value: 1..64 of [A-Za-z0-9_-] ("us-east-1", and whatever a MinIO names its own). */
bool s3_region_is_valid(const char *region);
/* An S3Endpoint= value: an http:// or https:// URL with a host, without user info, query or
 * fragment; a path (a gateway's prefix) is allowed. */
bool s3_endpoint_is_valid(const char *endpoint);

/* Whether url is s3://BUCKET, s3://BUCKET/ or s3://BUCKET/KEY-PREFIX with a valid bucket and no
 * control characters, blanks, '.' or '..' segments in the key. */
bool s3_url_is_valid(const char *url);
/* Splits a valid s3:// URL into bucket and key (possibly empty). */
int s3_url_split(const char *url, char **ret_bucket, char **ret_key);

/* The object key of a channel's path resolved against its s3:// base: path itself when it is an
 * s3:// URL, else appended to the base as a directory. -EINVAL for a URL of another scheme, and when the result is not a valid s3://
 * URL naming an object (empty key, '.' or '..' segments: S3 does not resolve those, curl would). */
int s3_url_resolve(const char *base, const char *path, char **ret);

/* The HTTP(S) URL of s3_url's object. endpoint NULL: AWS itself, https://BUCKET.s3.REGION.amazonaws.com/KEY
 * (virtual-hosted; path-style https://s3.REGION.amazonaws.com/BUCKET/KEY for a bucket with a dot, which
 * AWS's certificate does not cover). An endpoint given: path-style ENDPOINT/BUCKET/KEY, as MinIO, Ceph
 * RGW, Garage and R2 expect. The key is percent-encoded but for unreserved characters and '/'. */
int s3_object_url(const char *endpoint, const char *region, const char *s3_url, char **ret);

/* A sentence for an S3 error answer (status, the XML body S3 sends with it, which may be hostile)
 * about s3_url: the error's <Code> and what to check, e.g. "S3 refused the request signature for
 * s3://b/p/channel.json: SignatureDoesNotMatch — check the app's S3 credentials". */
char *s3_error_message(const char *s3_url, long status, const char *body, size_t size);
