/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Check() and Update() of an app, whatever its source: where each starts (a release channel,
 * app-release.c, or a Go module built by a gobuild service, app-gosource.c), and what either records
 * on the app as it goes — what was found, what was staged, why it failed — in the state, the journal
 * and on the bus, the same way for both. */
#pragma once

#include <stdarg.h>

#include <stdbool.h>

#include "macro.h"
#include "upkeepd-forward.h"

/* Check(): record what the source offers; stage the candidate automatically when the policy, the pin
 * and the pause allow it. */
int app_start_check(App *a, Job **ret);

/* Update(version): stage version (NULL = the newest the policy allows, ignoring Policy=manual and a
 * pause, since an operator asked), then switch to it (app_apply()). */
int app_start_update(App *a, const char *version, Job **ret);

/* Saves the fields a check owns onto what is on disk (app_update_state(): everything else, such as
 * a trial, upkeep-condition may have changed meanwhile), and emits PropertiesChanged. */
void app_fetch_save_state(App *a);

/* newest is the newest version the source offers: it becomes AvailableVersion, and when it is newer
 * than what runs and was not the available version yet, it is journalled as found, and Delay= counts
 * from now. */
void app_fetch_found(App *a, const char *newest);

/* Ends job j of a as failed: LastError and LastCheck set, journalled (a refusal, as bus-error.h
 * names them, as a failed verification), saved, and the job ended with error_name (NULL: sd-bus's
 * name of error) and reason. error -ECANCELED ends it as canceled, recording nothing. */
void app_fetch_failed(App *a, Job *j, int error, const char *error_name, const char *version, const char *reason);
/* The same, with the reason given as a format and its arguments. */
void app_fetch_failv(App *a, Job *j, int error, const char *error_name, const char *version,
                     const char *format, va_list ap) _printf_(6, 0);

/* version is staged: it becomes PendingVersion, due at once for an operator's Update() and once
 * Delay= has passed after discovery otherwise (automatic). Journalled and saved. An Update() job
 * goes on to switch over (app_apply()); a Check() job ends. */
void app_fetch_staged(App *a, Job *j, bool automatic, const char *version);
