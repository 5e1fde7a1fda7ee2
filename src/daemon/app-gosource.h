/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checking and updating a Go app (Source=go:MODULE/PATH): the module's versions and the Go
 * toolchains come from the Go module proxy; the policies pick the build to make next; a gobuild
 * service answers with the build's record and a signed tree head of its transparency log; the tree
 * head's signature, the record's inclusion in it (from tiles of the log) and its consistency with
 * the tree head kept from last time are verified before a byte of the binary is fetched; and the
 * binary, gunzipped, must have the sum the record gives. Runs as a job, on the event loop. */
#pragma once

#include "job.h"
#include "upkeepd-forward.h"

/* Full tiles of the gobuild log, cached below the app's state directory: they never change. */
#define APP_TILES_DIR "tiles"

/* Starts a check (automatic: take only what the policies, pin and pause allow) or an update to want
 * (NULL: the newest allowed; else a module version, or an exact build "<module version>+<go
 * version>") of a, whose Source= is go:, as a job of type. See app-fetch.h. */
int app_gosource_start(App *a, JobType type, bool automatic, const char *want, Job **ret);
