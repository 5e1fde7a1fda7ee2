/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* channel.json written from a Channel: the publisher's half of channel.c. What channel_to_json()
 * writes, channel_parse() reads back to the same Channel. */
#pragma once

#include "channel.h"

/* Serializes c in the format README ("Publishing releases") documents: the fields in that order,
 * two-space indentation, a final newline, "published" and "notes" only when set, "rollout" always.
 * -EINVAL when c holds something channel_parse() would refuse to read back (a NULL string, a
 * serial or size of 0, an invalid type, rollout outside 1..100, a time it cannot write). */
int channel_to_json(const Channel *c, char **ret);
