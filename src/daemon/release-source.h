/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where an app's releases come from, as its Source= says: a signed release channel (app-release.c) or
 * a Go module built by a gobuild service (app-gosource.c). The fetch bookkeeping (app-fetch.c) picks
 * the source and starts a check or an update through this interface; the source runs it as a job on
 * the event loop, and reports back only through the ReleaseSourceEvents it was given: what it found,
 * what it staged, why it failed. Neither side includes the other. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>

#include "macro.h"
#include "upkeepd-forward.h"

typedef struct ReleaseSourceEvents {
        /* newest is the newest version the source offers (NULL: none known). */
        void (*found)(App *a, const char *newest);
        /* What the check found is recorded on a->state: save it and announce it. */
        void (*checked)(App *a);
        /* Job j failed (or, with error -ECANCELED, was canceled): why, as a D-Bus error name (NULL:
         * sd-bus's name of error) and a sentence, for version (may be NULL). Ends the job. */
        void (*failed)(App *a, Job *j, int error, const char *error_name, const char *version, const char *reason);
        /* version is staged, verified: the job goes on to switch (an Update()) or ends (a Check()). The
         * source's own data on j is the source's to free. */
        void (*staged)(App *a, Job *j, bool automatic, const char *version);
} ReleaseSourceEvents;

struct ReleaseSource {
        const char *name;
        /* Whether a's Source= names this kind of source. */
        bool (*handles)(const App *a);
        /* Starts a check, or (update) an update to want (NULL: the newest allowed), of a as a new job,
         * returned in *ret; automatic: take only what the policies, pin and pause allow. */
        int (*start)(App *a, bool update, bool automatic, const char *want, const ReleaseSourceEvents *events,
                     Job **ret);
};

extern const ReleaseSource release_source_channel;
extern const ReleaseSource release_source_go;

/* events->failed() with the reason given as a format and its arguments. */
void release_source_failv(const ReleaseSourceEvents *events, App *a, Job *j, int error, const char *error_name,
                          const char *version, const char *format, va_list ap) _printf_(7, 0);
