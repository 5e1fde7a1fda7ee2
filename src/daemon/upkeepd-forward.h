/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon's types, declared without their definitions: a header that only passes pointers to them
 * includes this one rather than the header that defines them, so that headers never include each
 * other in a circle (logind's logind-forward.h does the same). */
#pragma once

typedef struct App App;
typedef struct HttpClient HttpClient;
typedef struct HttpRequest HttpRequest;
typedef struct Job Job;
typedef struct Manager Manager;
typedef struct ReleaseSource ReleaseSource;
typedef struct Run Run;
typedef struct TransientUnit TransientUnit;
typedef struct UnitWatch UnitWatch;
