/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checking an app's release channel and staging a release: fetch channel.json (conditionally, so an
 * unchanged channel costs a 304), verify its minisign signature with the app's pinned key before
 * trusting a byte of it, apply the freeze/replay rules, record what is available, and download,
 * verify (size and SHA-256 while streaming) and stage the release to take. Runs as a job, on the
 * event loop. */
#pragma once

#include "job.h"
#include "upkeepd-forward.h"

/* Starts a check (automatic: take only what policy, pin and pause allow) or an update to want (NULL:
 * the newest allowed) of a, whose Source= is a release channel, as a job of type. See app-fetch.h. */
int app_release_start(App *a, JobType type, bool automatic, const char *want, Job **ret);

/* The channel files kept beside the state, as accepted: a 304 is answered from them. */
#define APP_CHANNEL_FILE "channel.json"
#define APP_CHANNEL_SIG_FILE "channel.json.minisig"
