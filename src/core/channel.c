/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* channel.json: strict parsing into a Channel, the anti-replay/anti-freeze rules, and the small pure
 * helpers updates need around it (native platform, staged-rollout membership). */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "fileio.h"
#include "hexdecoct.h"
#include "json-util.h"
#include "macro.h"
#include "string-table.h"
#include "version.h"

#define ROLLOUT_DEFAULT 100U

static const char *const artifact_type_table[_ARTIFACT_TYPE_MAX] = {
        [ARTIFACT_BINARY] = "binary",
        [ARTIFACT_TAR]    = "tar",
        [ARTIFACT_ZIP]    = "zip",
};

DEFINE_STRING_TABLE_LOOKUP(artifact_type, ArtifactType)

static void channel_artifact_done(ChannelArtifact *a) {
        free(a->platform);
        free(a->path);
        *a = (ChannelArtifact) {};
}

static void channel_release_done(ChannelRelease *r) {
        free(r->version);
        free(r->notes);
        for (size_t i = 0; i < r->n_artifacts; i++)
                channel_artifact_done(&r->artifacts[i]);
        free(r->artifacts);
        *r = (ChannelRelease) {};
}

Channel *channel_free(Channel *c) {
        if (!c)
                return NULL;

        free(c->app);
        for (size_t i = 0; i < c->n_releases; i++)
                channel_release_done(&c->releases[i]);
        free(c->releases);
        return mfree(c);
}

/* Hands a reason for refusing the channel to the caller ("where" says which release/artifact, and is
 * empty for the top level) and returns err, or -ENOMEM when even the sentence cannot be allocated. */
_printf_(4, 5)
static int refuse(int err, char **ret_reason, const char *where, const char *format, ...) {
        char *msg, *reason;
        va_list ap;
        int k;

        if (!ret_reason)
                return err;

        va_start(ap, format);
        k = vasprintf(&msg, format, ap);
        va_end(ap);
        /* On failure msg is undefined, so it is not a _cleanup_ variable. */
        if (k < 0)
                return -ENOMEM;

        k = asprintf(&reason, "%s%s", where, msg);
        free(msg);
        if (k < 0)
                return -ENOMEM;

        *ret_reason = reason;
        return err;
}

#define refuse_msg(ret_reason, where, ...) refuse(-EBADMSG, ret_reason, where, __VA_ARGS__)

static int get_string(struct json_object *o, const char *key, bool required, const char *where,
                      char **ret_reason, char **ret) {
        struct json_object *v;
        const char *s;
        char *copy;
        int r;

        v = json_get_member(o, key);
        if (!v) {
                if (required)
                        return refuse_msg(ret_reason, where, "\"%s\" is missing", key);
                *ret = NULL;
                return 0;
        }
        r = json_string_value(v, &s);
        if (r == -EINVAL)
                return refuse_msg(ret_reason, where, "\"%s\" contains a NUL character", key);
        if (r < 0)
                return refuse_msg(ret_reason, where, "\"%s\" is not a string", key);
        if (required && isempty(s))
                return refuse_msg(ret_reason, where, "\"%s\" is empty", key);

        copy = strdup(s);
        if (!copy)
                return -ENOMEM;

        *ret = copy;
        return 0;
}

/* Reads a non-negative JSON integer. *ret is left alone when the field is optional and absent. */
static int get_u64(struct json_object *o, const char *key, bool required, const char *where,
                   char **ret_reason, uint64_t *ret) {
        struct json_object *v;

        v = json_get_member(o, key);
        if (!v) {
                if (required)
                        return refuse_msg(ret_reason, where, "\"%s\" is missing", key);
                return 0;
        }
        if (json_u64_value(v, ret) < 0)
                return refuse_msg(ret_reason, where, "\"%s\" is not a non-negative integer", key);
        return 0;
}

static int get_timestamp(struct json_object *o, const char *key, bool required, const char *where,
                         char **ret_reason, usec_t *ret) {
        _cleanup_free_ char *s = NULL;
        usec_t t;
        int r;

        r = get_string(o, key, required, where, ret_reason, &s);
        if (r < 0)
                return r;
        if (!s)
                return 0;

        if (parse_timestamp_rfc3339(s, &t) < 0)
                return refuse_msg(ret_reason, where, "\"%s\" is not an RFC 3339 timestamp", key);

        *ret = t;
        return 0;
}

static int get_array(struct json_object *o, const char *key, const char *where, char **ret_reason,
                     struct json_object **ret) {
        struct json_object *v;

        v = json_get_member(o, key);
        if (!v)
                return refuse_msg(ret_reason, where, "\"%s\" is missing", key);
        if (!json_object_is_type(v, json_type_array))
                return refuse_msg(ret_reason, where, "\"%s\" is not an array", key);

        *ret = v;
        return 0;
}

static int parse_sha256(const char *s, uint8_t ret[static SHA256_SIZE]) {
        return hex_decode(s, strlen(s), ret, SHA256_SIZE);
}

/* "linux-amd64" and the like: Go's GOOS-GOARCH spelling. Other operating systems may share a channel,
 * so only the shape is checked here. */
static bool platform_is_valid(const char *s) {
        const char *dash = strchr(s, '-');

        return dash && dash > s && dash[1] &&
                strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == strlen(s);
}

/* ".." also spelled with percent-encoded dots, since URL resolution (RFC 3986 §6.2.2.2) decodes
 * "%2e" before removing dot segments. */
static bool segment_is_dotdot(const char *s, size_t n) {
        unsigned dots = 0;

        for (size_t i = 0; i < n;) {
                if (s[i] == '.')
                        i++;
                else if (n - i >= 3 && s[i] == '%' && s[i + 1] == '2' && (s[i + 2] == 'e' || s[i + 2] == 'E'))
                        i += 3;
                else
                        return false;
                dots++;
        }

        return dots == 2;
}

/* A path is either relative to the channel's base URL, or an absolute http(s)/file URL. Nothing in it
 * may climb upwards, and a path starting with "/" is refused too: resolved against the base URL it
 * would silently leave the channel's directory. */
static const char *path_problem(const char *path) {
        static const char *const schemes[] = { "http://", "https://", "file://" };
        size_t first = strcspn(path, "/?#");

        for (const char *p = path; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f || *p == '\\')
                        return "contains whitespace, a control character or a backslash";

        if (path[0] == '/')
                return "is an absolute path";

        /* A ':' in the first segment makes the string a URL with a scheme. */
        if (memchr(path, ':', first)) {
                bool ok = false;

                for (size_t i = 0; i < ELEMENTSOF(schemes); i++) {
                        const char *rest = startswith(path, schemes[i]);

                        if (rest && *rest)
                                ok = true;
                }
                if (!ok)
                        return "is a URL of a scheme other than http, https or file";
        }

        for (const char *p = path;;) {
                size_t n = strcspn(p, "/?#");

                if (segment_is_dotdot(p, n))
                        return "contains a \"..\" component";
                if (!p[n])
                        break;
                p += n + 1;
        }

        return NULL;
}

static int parse_artifact(struct json_object *o, const char *where, char **ret_reason, ChannelArtifact *a) {
        _cleanup_free_ char *type = NULL, *sha256 = NULL;
        const char *problem;
        uint64_t size = 0;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return refuse_msg(ret_reason, where, "not a JSON object");

        r = get_string(o, "platform", true, where, ret_reason, &a->platform);
        if (r < 0)
                return r;
        if (!platform_is_valid(a->platform))
                return refuse_msg(ret_reason, where, "\"platform\" is not of the form OS-ARCH");

        r = get_string(o, "type", true, where, ret_reason, &type);
        if (r < 0)
                return r;
        a->type = artifact_type_from_string(type);
        if (a->type < 0)
                return refuse_msg(ret_reason, where, "\"type\" is not one of \"binary\", \"tar\", \"zip\"");

        r = get_string(o, "path", true, where, ret_reason, &a->path);
        if (r < 0)
                return r;
        problem = path_problem(a->path);
        if (problem)
                return refuse_msg(ret_reason, where, "\"path\" %s", problem);

        r = get_u64(o, "size", true, where, ret_reason, &size);
        if (r < 0)
                return r;
        if (size == 0)
                return refuse_msg(ret_reason, where, "\"size\" is zero");
        a->size = size;

        r = get_string(o, "sha256", true, where, ret_reason, &sha256);
        if (r < 0)
                return r;
        if (parse_sha256(sha256, a->sha256) < 0)
                return refuse_msg(ret_reason, where, "\"sha256\" is not 64 hex digits");

        return 0;
}

static int parse_release(struct json_object *o, size_t idx, char **ret_reason, ChannelRelease *rel) {
        _cleanup_free_ char *where = NULL;
        struct json_object *artifacts = NULL;
        uint64_t rollout = ROLLOUT_DEFAULT;
        size_t n;
        int r;

        /* Until the version is known, name the release by its position (counting from 1). */
        where = strdup_printf("release %zu: ", idx + 1);
        if (!where)
                return -ENOMEM;

        if (!json_object_is_type(o, json_type_object))
                return refuse_msg(ret_reason, where, "not a JSON object");

        r = get_string(o, "version", true, where, ret_reason, &rel->version);
        if (r < 0)
                return r;
        if (!version_is_valid(rel->version))
                return refuse_msg(ret_reason, where, "\"version\" is not a valid semantic version");

        free(where);
        where = strdup_printf("release %s: ", rel->version);
        if (!where)
                return -ENOMEM;

        r = get_timestamp(o, "published", false, where, ret_reason, &rel->published);
        if (r < 0)
                return r;

        r = get_string(o, "notes", false, where, ret_reason, &rel->notes);
        if (r < 0)
                return r;

        r = get_u64(o, "rollout", false, where, ret_reason, &rollout);
        if (r < 0)
                return r;
        if (rollout < 1 || rollout > 100)
                return refuse_msg(ret_reason, where, "\"rollout\" is not between 1 and 100");
        rel->rollout = (unsigned) rollout;

        r = get_array(o, "artifacts", where, ret_reason, &artifacts);
        if (r < 0)
                return r;
        n = json_object_array_length(artifacts);
        if (n == 0)
                return refuse_msg(ret_reason, where, "\"artifacts\" is empty");

        rel->artifacts = calloc(n, sizeof(ChannelArtifact));
        if (!rel->artifacts)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *awhere = NULL;

                awhere = strdup_printf("release %s, artifact %zu: ", rel->version, i + 1);
                if (!awhere)
                        return -ENOMEM;

                rel->n_artifacts++;
                r = parse_artifact(json_object_array_get_idx(artifacts, i), awhere, ret_reason, &rel->artifacts[i]);
                if (r < 0)
                        return r;

                /* Two artifacts for one platform would make the choice depend on their order. */
                for (size_t j = 0; j < i; j++)
                        if (streq(rel->artifacts[j].platform, rel->artifacts[i].platform))
                                return refuse_msg(ret_reason, awhere, "platform %s is listed twice",
                                                  rel->artifacts[i].platform);
        }

        return 0;
}

static int release_ptr_compare(const void *a, const void *b) {
        const ChannelRelease *x = *(const ChannelRelease *const *) a, *y = *(const ChannelRelease *const *) b;

        return version_compare(x->version, y->version);
}

/* "1.2.0" and "v1.2.0" (or "1.2.0+a" and "1.2.0+b") order equal, so they would be two different
 * artifacts sets for one version: refused. Sorted, so a 1 MiB channel cannot make this quadratic. */
static int check_duplicate_versions(const Channel *c, char **ret_reason) {
        _cleanup_free_ const ChannelRelease **sorted = NULL;

        if (c->n_releases < 2)
                return 0;

        sorted = calloc(c->n_releases, sizeof(ChannelRelease *));
        if (!sorted)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_releases; i++)
                sorted[i] = &c->releases[i];

        qsort(sorted, c->n_releases, sizeof(ChannelRelease *), release_ptr_compare);

        for (size_t i = 1; i < c->n_releases; i++) {
                const char *a = sorted[i - 1]->version, *b = sorted[i]->version;

                if (version_compare(a, b) != 0)
                        continue;
                if (streq(a, b))
                        return refuse_msg(ret_reason, "", "version %s is listed more than once", a);
                return refuse_msg(ret_reason, "", "versions %s and %s are the same version", a, b);
        }

        return 0;
}

static int parse_channel(struct json_object *root, char **reason, Channel **ret) {
        _cleanup_(channel_freep) Channel *c = NULL;
        struct json_object *releases = NULL;
        size_t n;
        int r;

        if (!json_object_is_type(root, json_type_object))
                return refuse_msg(reason, "", "not a JSON object");

        c = calloc(1, sizeof(Channel));
        if (!c)
                return -ENOMEM;

        /* Fields this version does not know are ignored, so publishers can add them without breaking
         * older clients. */
        r = get_string(root, "app", true, "", reason, &c->app);
        if (r < 0)
                return r;

        r = get_u64(root, "serial", true, "", reason, &c->serial);
        if (r < 0)
                return r;
        if (c->serial == 0)
                return refuse_msg(reason, "", "\"serial\" is zero");

        r = get_timestamp(root, "expires", true, "", reason, &c->expires);
        if (r < 0)
                return r;

        r = get_array(root, "releases", "", reason, &releases);
        if (r < 0)
                return r;

        n = json_object_array_length(releases);
        if (n > 0) {
                c->releases = calloc(n, sizeof(ChannelRelease));
                if (!c->releases)
                        return -ENOMEM;
        }

        for (size_t i = 0; i < n; i++) {
                /* Counted first so that channel_free() releases what a failing parse left behind. */
                c->n_releases++;
                r = parse_release(json_object_array_get_idx(releases, i), i, reason, &c->releases[i]);
                if (r < 0)
                        return r;
        }

        r = check_duplicate_versions(c, reason);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(c);
        return 0;
}

int channel_parse(const char *json, size_t size, Channel **ret, char **ret_reason) {
        _cleanup_(json_object_putp) struct json_object *root = NULL;
        _cleanup_free_ char *reason = NULL;
        int r;

        if (!json || !ret)
                return -EINVAL;

        /* The reason is collected locally, so that ret_reason too is written only when there is
         * something to say. */
        if (size > CHANNEL_MAX_SIZE)
                r = refuse_msg(&reason, "", "larger than %u bytes", CHANNEL_MAX_SIZE);
        else if (memchr(json, 0, size))
                r = refuse_msg(&reason, "", "contains a NUL byte");
        else {
                r = json_parse_strict(json, size, JSON_TOKENER_VALIDATE_UTF8, &root);
                if (r == -EBADMSG)
                        r = refuse_msg(&reason, "", "not valid JSON");
                else if (r >= 0)
                        r = parse_channel(root, &reason, ret);
        }

        if (r < 0 && ret_reason && reason)
                *ret_reason = TAKE_PTR(reason);
        return r;
}

int channel_check(const Channel *c, const char *app, usec_t now, uint64_t last_serial,
                  const char *last_digest, const char *digest, char **ret_reason) {

        if (!c || !app)
                return -EINVAL;

        if (!streq_ptr(c->app, app))
                return refuse(-EXDEV, ret_reason, "", "channel is for app '%s', not '%s'", strempty(c->app), app);

        if (c->expires <= now) {
                char buf[RFC3339_MAX];

                return refuse(-EKEYEXPIRED, ret_reason, "", "channel expired at %s",
                              format_timestamp_rfc3339(buf, sizeof buf, c->expires));
        }

        if (c->serial < last_serial)
                return refuse(-ESTALE, ret_reason, "",
                              "channel serial %" PRIu64 " is lower than the last accepted serial %" PRIu64,
                              c->serial, last_serial);

        /* A publisher must bump the serial for every change; the same serial with other content means
         * someone is serving an alternative history. */
        if (c->serial == last_serial && last_digest && !streq_ptr(last_digest, digest))
                return refuse(-ESTALE, ret_reason, "",
                              "channel serial %" PRIu64 " was already accepted with different content", c->serial);

        return 0;
}

const ChannelArtifact *channel_release_find_artifact(const ChannelRelease *r, const char *platform) {
        if (!r || !platform)
                return NULL;

        for (size_t i = 0; i < r->n_artifacts; i++)
                if (streq_ptr(r->artifacts[i].platform, platform))
                        return &r->artifacts[i];

        return NULL;
}

const char *platform_native(void) {
        /* Go's GOARCH names, since publishers build with Go's toolchain more often than not. Order
         * matters where compilers define more than one macro. */
#if defined(__x86_64__)
        return "linux-amd64";
#elif defined(__aarch64__)
        return "linux-arm64";
#elif defined(__i386__)
        return "linux-386";
#elif defined(__arm__)
        return "linux-arm";
#elif defined(__riscv) && __riscv_xlen == 64
        return "linux-riscv64";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return "linux-ppc64le";
#elif defined(__s390x__)
        return "linux-s390x";
#else
        /* Builds elsewhere still work; they just never match an artifact. */
        return "linux-unknown";
#endif
}

/* Fleets depend on this formula never changing: a machine that took 1.4.2 at 10% must still be in
 * at 20%, and must not flip in and out when upkeep itself is updated. It is:
 *
 *     h = SHA-256(machine_id_hex ‖ 0x00 ‖ app ‖ 0x00 ‖ version)
 *     bucket = (h[0] << 56 | h[1] << 48 | … | h[7]) mod 100      (the first 8 bytes, big-endian)
 *     included = bucket < percent
 *
 * where machine_id_hex is the 32 lower-case hex digits of /etc/machine-id (sd_id128_to_string()),
 * and app and version are the exact strings (no normalisation of a "v" prefix or build metadata).
 * The NULs keep ("ab","c") and ("a","bc") apart. The bias of mod 100 over 2^64 is ~1e-18. */
bool rollout_includes(sd_id128_t machine_id, const char *app, const char *version, unsigned percent) {
        char id[SD_ID128_STRING_MAX];
        uint8_t h[SHA256_SIZE];
        uint64_t x = 0;

        if (percent >= 100)
                return true;
        if (percent == 0)
                return false;

        app = strempty(app);
        version = strempty(version);
        (void) sd_id128_to_string(machine_id, id);

        const struct iovec iov[] = {
                { id, strlen(id) + 1 },
                { (void *) app, strlen(app) + 1 },
                { (void *) version, strlen(version) },
        };

        /* If hashing fails we cannot place the machine; staying out of a partial rollout is the safe
         * side, the release reaches it at 100% anyway. */
        if (sha256_iovec(iov, ELEMENTSOF(iov), h) < 0)
                return false;

        for (size_t i = 0; i < 8; i++)
                x = x << 8 | h[i];

        return x % 100 < percent;
}

int channel_load_at(int dir_fd, const char *name, Channel **ret, char **ret_reason) {
        _cleanup_free_ char *json = NULL;
        size_t size;
        int r;

        r = read_file_at(dir_fd, name, CHANNEL_MAX_SIZE, &json, &size);
        if (r < 0)
                return r;

        return channel_parse(json, size, ret, ret_reason);
}
