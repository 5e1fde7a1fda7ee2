/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeepctl's JSON output: the few json-c helpers its verbs share. */
#include <stdio.h>

#include "ctl-json.h"
#include "ctl.h"

int json_add_value(json_object *o, const char *key, json_object *v) {
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int json_add_text(json_object *o, const char *key, const char *s) {
        json_object *v = NULL;

        if (s) {
                v = json_object_new_string(s);
                if (!v)
                        return -ENOMEM;
        }
        return json_add_value(o, key, v);
}

int json_add_string(json_object *o, const char *key, const char *s) {
        return json_add_text(o, key, isempty(s) ? NULL : s);
}

int json_add_timestamp(json_object *o, const char *key, usec_t t) {
        char buf[RFC3339_MAX];

        return json_add_string(o, key, t > 0 ? format_timestamp_rfc3339(buf, sizeof buf, t) : NULL);
}

int json_add_bool(json_object *o, const char *key, bool b) {
        json_object *v = json_object_new_boolean(b);

        if (!v)
                return -ENOMEM;
        return json_add_value(o, key, v);
}

int json_print(json_object *o) {
        const char *s;

        /* "/" unescaped: source URLs stay readable, and JSON does not need the escape. */
        s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE |
                                           (arg_json == JSON_PRETTY ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : 0));
        if (!s)
                return log_oom();

        puts(s);
        return 0;
}
