/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "json-util.h"

int json_parse_strict(const char *json, size_t size, int flags, json_object **ret) {
        json_tokener *tok;
        json_object *o;
        bool ok;

        if (size > INT_MAX)
                return -EBADMSG;

        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | flags);

        /* Strict mode also refuses anything but whitespace after the value ("{…}{…}", "{…}junk"), so
         * a success here means the bytes are exactly one JSON value. */
        o = json_tokener_parse_ex(tok, json, (int) size);
        ok = o && json_tokener_get_error(tok) == json_tokener_success;
        json_tokener_free(tok);

        if (!ok) {
                json_object_put(o);
                return -EBADMSG;
        }

        *ret = o;
        return 0;
}

json_object *json_get_member(json_object *o, const char *key) {
        json_object *v;

        if (!json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;  /* NULL for a JSON null as well */
}

int json_string_value(json_object *v, const char **ret) {
        const char *s;

        if (!json_object_is_type(v, json_type_string))
                return -EBADMSG;

        s = json_object_get_string(v);
        if (strlen(s) != (size_t) json_object_get_string_len(v))
                return -EINVAL;

        *ret = s;
        return 0;
}

int json_u64_value(json_object *v, uint64_t *ret) {
        /* json-c keeps integers beyond INT64_MAX as unsigned and reports negative ones as int64 < 0. */
        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
                return -EBADMSG;

        *ret = json_object_get_uint64(v);
        return 0;
}

int json_bool_value(json_object *v, bool *ret) {
        if (!json_object_is_type(v, json_type_boolean))
                return -EBADMSG;

        *ret = json_object_get_boolean(v);
        return 0;
}

int json_add_owned(json_object *o, const char *key, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int json_append_owned(json_object *a, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_array_add(a, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int json_get_u64(json_object *o, const char *key, uint64_t *ret) {
        json_object *v = json_get_member(o, key);

        return v ? json_u64_value(v, ret) : 0;
}

int json_get_bool(json_object *o, const char *key, bool *ret) {
        json_object *v = json_get_member(o, key);

        return v ? json_bool_value(v, ret) : 0;
}

int json_add_string_optional(json_object *o, const char *key, const char *s) {
        return s ? json_add_owned(o, key, json_object_new_string(s)) : 0;
}

int json_to_file_text(json_object *o, char **ret) {
        char *text;

        if (asprintf(&text, "%s\n",
                     json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY|JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
                return -ENOMEM;
        *ret = text;
        return 0;
}
