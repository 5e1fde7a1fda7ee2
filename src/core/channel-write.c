/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* channel.json from a Channel, with json-c, so that strings are always escaped as JSON wants. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "channel-write.h"
#include "json-util.h"
#include "macro.h"

static int add_string(struct json_object *o, const char *key, const char *s) {
        if (!s)
                return -EINVAL;
        return json_add_owned(o, key, json_object_new_string(s));
}

static int add_timestamp(struct json_object *o, const char *key, usec_t t) {
        char buf[RFC3339_MAX];

        if (!format_timestamp_rfc3339(buf, sizeof buf, t))
                return -EINVAL;
        return add_string(o, key, buf);
}

static int artifact_to_json(const ChannelArtifact *a, struct json_object **ret) {
        _cleanup_json_ struct json_object *o = NULL;
        char hex[2 * SHA256_SIZE + 1];
        int r;

        if (a->size == 0 || !artifact_type_to_string(a->type))
                return -EINVAL;

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;

        r = add_string(o, "platform", a->platform);
        if (r >= 0)
                r = add_string(o, "type", artifact_type_to_string(a->type));
        if (r >= 0)
                r = add_string(o, "path", a->path);
        if (r >= 0)
                r = json_add_owned(o, "size", json_object_new_uint64(a->size));
        if (r >= 0)
                r = add_string(o, "sha256", sha256_to_hex(a->sha256, hex));
        if (r < 0)
                return r;

        *ret = TAKE_PTR(o);
        return 0;
}

static int release_to_json(const ChannelRelease *rel, struct json_object **ret) {
        _cleanup_json_ struct json_object *o = NULL;
        struct json_object *artifacts;
        int r;

        if (rel->rollout < 1 || rel->rollout > 100)
                return -EINVAL;

        o = json_object_new_object();
        if (!o)
                return -ENOMEM;

        r = add_string(o, "version", rel->version);
        if (r >= 0 && rel->published > 0)
                r = add_timestamp(o, "published", rel->published);
        if (r >= 0 && rel->notes)
                r = add_string(o, "notes", rel->notes);
        if (r >= 0)
                r = json_add_owned(o, "rollout", json_object_new_int(rel->rollout));
        if (r < 0)
                return r;

        artifacts = json_object_new_array();
        r = json_add_owned(o, "artifacts", artifacts);
        if (r < 0)
                return r;

        for (size_t i = 0; i < rel->n_artifacts; i++) {
                struct json_object *a = NULL;

                r = artifact_to_json(&rel->artifacts[i], &a);
                if (r < 0)
                        return r;
                r = json_append_owned(artifacts, a);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(o);
        return 0;
}

int channel_to_json(const Channel *c, char **ret) {
        _cleanup_json_ struct json_object *root = NULL;
        struct json_object *releases;
        const char *s;
        char *text;
        int r;

        if (!c || !ret)
                return -EINVAL;
        if (c->serial == 0)
                return -EINVAL;

        root = json_object_new_object();
        if (!root)
                return -ENOMEM;

        r = add_string(root, "app", c->app);
        if (r >= 0)
                r = json_add_owned(root, "serial", json_object_new_uint64(c->serial));
        if (r >= 0)
                r = add_timestamp(root, "expires", c->expires);
        if (r < 0)
                return r;

        releases = json_object_new_array();
        r = json_add_owned(root, "releases", releases);
        if (r < 0)
                return r;

        for (size_t i = 0; i < c->n_releases; i++) {
                struct json_object *rel = NULL;

                r = release_to_json(&c->releases[i], &rel);
                if (r < 0)
                        return r;
                r = json_append_owned(releases, rel);
                if (r < 0)
                        return r;
        }

        /* Slashes stay unescaped: a path reads as a path ("1.4.2/example.tar.gz"). */
        s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        if (asprintf(&text, "%s\n", s) < 0)
                return -ENOMEM;

        *ret = text;
        return 0;
}
