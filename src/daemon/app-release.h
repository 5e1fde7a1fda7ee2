/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checking an app's release channel and staging a release: fetch channel.json (conditionally, so an
 * unchanged channel costs a 304), verify its minisign signature with the app's pinned key before
 * trusting a byte of it, apply the freeze/replay rules, record what is available, and download,
 * verify (size and SHA-256 while streaming) and stage the release to take. Runs as a job, on the
 * event loop. */
#pragma once

#include "app.h"

/* Check(): record what the channel offers; stage the candidate automatically when the policy, the
 * pin and the pause allow it. */
int app_start_check(App *a, Job **ret);

/* Update(version): stage version (NULL = the newest the policy allows, ignoring Policy=manual and
 * a pause, since an operator asked) from the channel, then switch to it (app_apply()). */
int app_start_update(App *a, const char *version, Job **ret);

/* The channel files kept beside the state, as accepted: a 304 is answered from them. */
#define APP_CHANNEL_FILE "channel.json"
#define APP_CHANNEL_SIG_FILE "channel.json.minisig"
