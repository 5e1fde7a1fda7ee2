/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "s3.h"

#define S3_ERROR_CODE_MAX 64U

static void secret_free(char **s) {
        if (!*s)
                return;
        explicit_bzero(*s, strlen(*s));
        *s = mfree(*s);
}

void s3_credentials_done(S3Credentials *c) {
        if (!c)
                return;
        secret_free(&c->access_key_id);
        secret_free(&c->secret_access_key);
        secret_free(&c->session_token);
}

static bool visible_ascii(const char *s, size_t n) {
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] <= ' ' || s[i] >= 0x7f)
                        return false;
        return true;
}

static size_t trim(const char **s, size_t n) {
        while (n > 0 && IN_SET(**s, ' ', '\t')) {
                (*s)++;
                n--;
        }
        while (n > 0 && IN_SET((*s)[n - 1], ' ', '\t', '\r'))
                n--;
        return n;
}

int s3_credentials_parse(const char *text, size_t size, S3Credentials *ret, char **ret_reason) {
        static const char *const keys[] = { "AccessKeyId", "SecretAccessKey", "SessionToken" };
        _cleanup_(s3_credentials_done) S3Credentials c = {};
        char **fields[] = { &c.access_key_id, &c.secret_access_key, &c.session_token };
        const char *p = text, *end = text + size;
        unsigned line = 0;

        if (!text || !ret || !ret_reason)
                return -EINVAL;
        if (memchr(text, 0, size)) {
                *ret_reason = strdup_printf("it holds a NUL byte");
                return -EBADMSG;
        }

        while (p < end) {
                const char *nl = memchr(p, '\n', end - p), *eq, *value;
                size_t n = (nl ? nl : end) - p, key_len, value_len;
                size_t i;

                line++;
                const char *l = p;
                p += n + (nl ? 1 : 0);

                n = trim(&l, n);
                if (n == 0 || l[0] == '#')
                        continue;

                /* Never quote the line: a value alone on it would be a secret. */
                eq = memchr(l, '=', n);
                if (!eq) {
                        *ret_reason = strdup_printf("line %u is not Key=value", line);
                        return -EBADMSG;
                }
                key_len = eq - l;
                key_len = trim(&l, key_len);
                value = eq + 1;
                value_len = trim(&value, l + n - value);

                for (i = 0; i < ELEMENTSOF(keys); i++)
                        if (strlen(keys[i]) == key_len && strncmp(l, keys[i], key_len) == 0)
                                break;
                if (i >= ELEMENTSOF(keys)) {
                        *ret_reason = strdup_printf("line %u has an unknown key (known: AccessKeyId=, SecretAccessKey=, SessionToken=)", line);
                        return -EBADMSG;
                }
                if (*fields[i]) {
                        *ret_reason = strdup_printf("line %u sets %s= a second time", line, keys[i]);
                        return -EBADMSG;
                }
                if (!visible_ascii(value, value_len)) {
                        *ret_reason = strdup_printf("line %u: %s= is empty or holds a blank or a character that is not visible ASCII",
                                                    line, keys[i]);
                        return -EBADMSG;
                }
                *fields[i] = strndup(value, value_len);
                if (!*fields[i])
                        return -ENOMEM;
        }

        for (size_t k = 0; k < 2; k++)
                if (!*fields[k]) {
                        *ret_reason = strdup_printf("%s= is missing", keys[k]);
                        return -EBADMSG;
                }

        *ret = c;
        c = (S3Credentials) {};
        return 0;
}

static bool alnum_lower(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool s3_bucket_is_valid(const char *bucket) {
        size_t n;

        /* AWS's rules for new buckets: 3..63 of [a-z0-9.-], a letter or digit at either end, no "..". */
        if (!bucket)
                return false;
        n = strlen(bucket);
        if (n < 3 || n > 63 || !alnum_lower(bucket[0]) || !alnum_lower(bucket[n - 1]) || strstr(bucket, ".."))
                return false;
        return strspn(bucket, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n;
}

bool s3_region_is_valid(const char *region) {
        size_t n;

        if (isempty(region))
                return false;
        n = strlen(region);
        return n <= 64 &&
               strspn(region, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

bool s3_endpoint_is_valid(const char *endpoint) {
        const char *host;
        size_t n;

        if (isempty(endpoint) || str_has_control_chars(endpoint) || strpbrk(endpoint, " ?#\\"))
                return false;
        host = startswith(endpoint, "https://") ?: startswith(endpoint, "http://");
        if (!host)
                return false;
        n = strcspn(host, "/");
        /* No user info: credentials never go into a URL. */
        return n > 0 && !memchr(host, '@', n);
}

/* No empty key, no "." or ".." segment: curl would resolve those, S3 takes them literally. */
static bool s3_key_is_valid(const char *key, bool allow_empty) {
        const char *p = key;

        if (*key == 0)
                return allow_empty;
        if (str_has_control_chars(key) || strchr(key, ' '))
                return false;
        for (;;) {
                size_t n = strcspn(p, "/");

                if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                if (p[n] == 0)
                        return true;
                p += n + 1;
        }
}

int s3_url_split(const char *url, char **ret_bucket, char **ret_key) {
        _cleanup_free_ char *bucket = NULL, *key = NULL;
        const char *rest = url ? startswith(url, S3_URL_PREFIX) : NULL;
        size_t n;

        if (!rest)
                return -EINVAL;
        n = strcspn(rest, "/");
        bucket = strndup(rest, n);
        key = strdup(rest[n] == '/' ? rest + n + 1 : "");
        if (!bucket || !key)
                return -ENOMEM;
        if (!s3_bucket_is_valid(bucket) || !s3_key_is_valid(key, true))
                return -EINVAL;

        if (ret_bucket)
                *ret_bucket = TAKE_PTR(bucket);
        if (ret_key)
                *ret_key = TAKE_PTR(key);
        return 0;
}

bool s3_url_is_valid(const char *url) {
        return s3_url_split(url, NULL, NULL) >= 0;
}

int s3_url_resolve(const char *base, const char *path, char **ret) {
        _cleanup_free_ char *url = NULL, *key = NULL;
        int r;

        if (!base || isempty(path) || !ret)
                return -EINVAL;

        if (startswith(path, S3_URL_PREFIX))
                url = strdup(path);
        else if (strstr(path, "://"))
                return -EINVAL;
        else if (asprintf(&url, "%s%s%s", base, endswith_slash(base) ? "" : "/",
                          path[0] == '/' ? path + 1 : path) < 0)
                url = NULL;
        if (!url)
                return -ENOMEM;

        r = s3_url_split(url, NULL, &key);
        if (r < 0)
                return r;
        if (isempty(key) || endswith_slash(key))
                return -EINVAL;

        *ret = TAKE_PTR(url);
        return 0;
}

static int append_key_escaped(FILE *f, const char *key) {
        for (const char *p = key; *p; p++) {
                unsigned char c = *p;

                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~/", c))
                        fputc(c, f);
                else
                        fprintf(f, "%%%02X", c);
        }
        return ferror(f) ? -ENOMEM : 0;
}

int s3_object_url(const char *endpoint, const char *region, const char *s3_url, char **ret) {
        _cleanup_free_ char *bucket = NULL, *key = NULL, *buf = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        if (!ret || (endpoint && !s3_endpoint_is_valid(endpoint)) || !s3_region_is_valid(region))
                return -EINVAL;
        r = s3_url_split(s3_url, &bucket, &key);
        if (r < 0)
                return r;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        if (endpoint)
                fprintf(f, "%.*s/%s/", (int) (strlen(endpoint) - (endswith_slash(endpoint) ? 1 : 0)), endpoint, bucket);
        else if (strchr(bucket, '.'))
                fprintf(f, "https://s3.%s.amazonaws.com/%s/", region, bucket);
        else
                fprintf(f, "https://%s.s3.%s.amazonaws.com/", bucket, region);
        r = append_key_escaped(f, key);
        if (fclose(f) != 0 || r < 0)
                return -ENOMEM;

        *ret = TAKE_PTR(buf);
        return 0;
}

/* The <Code> of an S3 error document, if it has a plausible one: letters, digits and dots. */
static bool s3_error_code(const char *body, size_t size, char ret[static S3_ERROR_CODE_MAX + 1]) {
        const char *start, *end;
        size_t n;

        if (!body || memchr(body, 0, size))
                return false;
        start = strstr(body, "<Code>");
        if (!start)
                return false;
        start += strlen("<Code>");
        end = strstr(start, "</Code>");
        if (!end)
                return false;
        n = end - start;
        if (n == 0 || n > S3_ERROR_CODE_MAX ||
            strspn(start, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.") < n)
                return false;

        memcpy(ret, start, n);
        ret[n] = 0;
        return true;
}

char *s3_error_message(const char *s3_url, long status, const char *body, size_t size) {
        char code[S3_ERROR_CODE_MAX + 1];

        if (!s3_error_code(body, size, code))
                return strdup_printf("S3 answered HTTP %ld for %s%s", status, s3_url,
                                     IN_SET(status, 401L, 403L) ? " — check the app's S3 credentials" : "");

        if (IN_SET_STR(code, "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken", "ExpiredToken",
                       "TokenRefreshRequired", "InvalidSecurity"))
                return strdup_printf("S3 refused the request signature for %s: %s — check the app's S3 credentials",
                                     s3_url, code);
        if (IN_SET_STR(code, "AuthorizationHeaderMalformed", "PermanentRedirect", "TemporaryRedirect",
                       "IllegalLocationConstraintException"))
                return strdup_printf("S3 refused the request for %s: %s — check the app's S3Region= and S3Endpoint=",
                                     s3_url, code);
        if (streq(code, "RequestTimeTooSkewed"))
                return strdup_printf("S3 refused the request for %s: %s — check this machine's clock", s3_url, code);
        if (streq(code, "AccessDenied"))
                return strdup_printf("S3 denied access to %s: %s — check that the app's S3 credentials may read it",
                                     s3_url, code);
        return strdup_printf("S3 answered HTTP %ld for %s: %s", status, s3_url, code);
}
