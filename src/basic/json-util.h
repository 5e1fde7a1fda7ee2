/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading JSON documents with json-c: strict parsing, and typed access to an object's members.
 *
 * One rule for null: a member whose value is JSON null is the same as a member that is not there.
 * json_get_member() returns NULL for both, so an optional field given as null keeps its default and
 * a required one given as null is missing. (json-c itself represents null as a NULL object.) */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

static inline void json_object_putp(json_object **o) {
        json_object_put(*o);  /* NULL is fine */
}
#define _cleanup_json_ _cleanup_(json_object_putp)

/* Parses json[0..size) as exactly one JSON value in json-c's strict mode, which also refuses anything
 * but whitespace after it; flags adds tokener flags (e.g. JSON_TOKENER_VALIDATE_UTF8). -EBADMSG for
 * anything else, a bare null included. */
int json_parse_strict(const char *json, size_t size, int flags, json_object **ret);

/* The member key of object o, or NULL when it is absent or null (see above). */
json_object *json_get_member(json_object *o, const char *key);

/* The value of a JSON string, borrowed from v: -EBADMSG when v is not a string, -EINVAL when it holds
 * an escaped NUL (\u0000), which would silently cut the C string short. */
int json_string_value(json_object *v, const char **ret);

/* The value of a non-negative JSON integer: -EBADMSG for anything else (a negative number, a
 * fraction or exponent, which make a double, another type). */
int json_u64_value(json_object *v, uint64_t *ret);

/* The value of a JSON boolean: -EBADMSG for anything else. */
int json_bool_value(json_object *v, bool *ret);

/* The value of member key of object o into *ret, which an absent or null member leaves alone:
 * -EBADMSG for another type. */
int json_get_u64(json_object *o, const char *key, uint64_t *ret);
int json_get_bool(json_object *o, const char *key, bool *ret);

/* Writing: adds v as member key of object o, or appends it to array a. Both take ownership of v, also
 * when they fail; a NULL v is a json_object_new_…() that failed, so "json_add_owned(o, k,
 * json_object_new_string(s))" needs no check of its own. -ENOMEM on failure. */
int json_add_owned(json_object *o, const char *key, json_object *v);
int json_append_owned(json_object *a, json_object *v);

/* Adds the string s as member key of o; a NULL s adds nothing, so that it reads back as absent. */
int json_add_string_optional(json_object *o, const char *key, const char *s);

/* o as the files upkeep writes hold it: indented, "/" unescaped, with a final newline. */
int json_to_file_text(json_object *o, char **ret);
