/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small facts of HTTP: which URLs name local files, and what may be kept of a response's validators
 * (ETag, Last-Modified) to send back in If-None-Match / If-Modified-Since. Validators come from the
 * network: whatever fails these checks is dropped when it arrives, never stored, and a stored one
 * that fails them is not sent. */
#pragma once

#include <stdbool.h>

#include "time-util.h"

/* The longest entity-tag kept; a longer one is dropped like a malformed one. */
#define HTTP_ETAG_MAX 1024U

/* Whether s is an entity-tag as RFC 9110 §8.8.3 defines it: an optional "W/", then an opaque tag in
 * double quotes whose characters are visible ASCII (except the quote) or bytes >= 0x80; at most
 * HTTP_ETAG_MAX bytes. No control character (CR, LF, NUL …) can pass, so a valid one can go into a
 * request header verbatim. */
bool http_etag_is_valid(const char *s);

/* Whether url is a file:// URL (the scheme in any case). */
bool url_is_file(const char *url);

/* The last second an HTTP-date can name and an RFC 3339 timestamp of four-digit years can hold:
 * 9999-12-31T23:59:59Z. */
#define HTTP_DATE_MAX ((usec_t) 253402300799ULL * USEC_PER_SEC)

/* Whether t (a Last-Modified time, realtime µs) can be kept: after the epoch, and no later than
 * HTTP_DATE_MAX. */
bool http_last_modified_is_valid(usec_t t);
