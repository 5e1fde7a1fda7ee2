/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check() and Update() of an app, whatever its source: the ReleaseSource (release-source.h) its
 * Source= names runs it, and what either source reports back as it goes — what was found, what was
 * staged, why it failed — is recorded here, in the state, the journal and on the bus, the same way
 * for both. */
#pragma once

#include "upkeepd-forward.h"

/* Check(): record what the source offers; stage the candidate automatically when the policy, the pin
 * and the pause allow it. */
int app_start_check(App *a, Job **ret);

/* Update(version): stage version (NULL = the newest the policy allows, ignoring Policy=manual and a
 * pause, since an operator asked), then switch to it (app_apply()). */
int app_start_update(App *a, const char *version, Job **ret);
