/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An app whose channel is in a private S3 bucket (Source=s3://BUCKET/PREFIX/): where its credentials
 * are, reading them (refusing a file others could read), and the HTTP(S) URL and request options an
 * s3:// URL of it is fetched with. The credentials are read at the start of each check, so rotated
 * keys apply without a reload, and are wiped when it ends. */
#pragma once

#include "app-config.h"
#include "http.h"
#include "macro.h"
#include "s3.h"

static inline bool app_config_is_s3(const AppConfig *c) {
        return c->source && startswith(c->source, S3_URL_PREFIX);
}

/* Loads the credentials of app c, from the first of: S3CredentialsFile=; upkeepd.service's systemd
 * credential upkeep.s3.NAME ($CREDENTIALS_DIRECTORY); /etc/upkeep/credentials/NAME.s3. The file must be
 * a regular file owned by root and neither readable nor writable by group or others. On failure, a
 * malloc'd sentence for LastError in *ret_reason (it names files and lines, never a value). */
int app_s3_credentials_load(const AppConfig *c, S3Credentials *ret, char **ret_reason);

/* The URL to fetch s3_url (an object of c's bucket or another on its endpoint) from, in *ret_url, and
 * options set to sign the request with credentials. */
int app_s3_request(const AppConfig *c, const S3Credentials *credentials, const char *s3_url, HttpOptions *options,
                   char **ret_url);
