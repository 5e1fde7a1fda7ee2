/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep-publish check: a channel, local or served, verified as upkeepd verifies it, and what a client
 * would do with it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "minisign.h"
#include "time-util.h"

typedef struct CheckOptions {
        const char *where;              /* a channel directory, or an http(s)/file URL */
        const MinisignPublicKey *key;
        const char *app;                /* NULL: the channel's own app (with a warning) */
        uint64_t last_serial;           /* the serial a client accepted last; 0: none */
        usec_t warn_expiry;             /* warn when the channel expires sooner than this */
        usec_t now;
        bool json;
} CheckOptions;

/* Exit status of "check": 0 a client accepts the channel and every artifact (warnings aside); 7 a client
 * would refuse the channel or an artifact; 1 the channel could not be read or fetched at all. */
#define CHECK_EXIT_REFUSED 7

/* Prints the verdict (text, or one JSON object with json) and returns the exit status. */
int publish_check(const CheckOptions *o);
