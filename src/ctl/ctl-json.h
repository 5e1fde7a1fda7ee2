/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeepctl's JSON output (--json): adding values to json-c objects, and printing in the chosen mode. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "json-util.h"
#include "time-util.h"

/* Each returns 0 or -ENOMEM. */

/* Empty strings and zero times are "none" on the bus; in JSON they are null, which a script can test
 * without knowing that convention. */
int json_add_string(json_object *o, const char *key, const char *s);
/* RFC 3339 in UTC, as upkeep's channel.json and state.json write times. */
int json_add_timestamp(json_object *o, const char *key, usec_t t);
/* s as it is, "" included; only NULL is null. */
int json_add_text(json_object *o, const char *key, const char *s);
int json_add_bool(json_object *o, const char *key, bool b);
/* Adds v (NULL: null) under key; v is taken, also on failure. */
int json_add_value(json_object *o, const char *key, json_object *v);

/* Prints o on stdout as --json= asks (pretty or short); logs and returns -ENOMEM on failure. */
int json_print(json_object *o);
