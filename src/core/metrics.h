/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The apps' state as Prometheus metrics, in the text exposition format node_exporter's textfile
 * collector reads (upkeepd(8) writes it to upkeep.prom). Pure logic: state in, text out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "fault.h"
#include "state.h"

typedef struct MetricsApp {
        const char *name;
        const AppState *state;
        usec_t channel_expires;   /* "expires" of the accepted channel.json; 0 = none (go: apps, none yet) */
        bool update_available;    /* a version newer than the current one is published, whatever the
                                   * policy (the caller compares: Go apps' versions are not semver) */
        const FaultCounts *faults; /* its faults/counts.json; NULL = it never faulted */
} MetricsApp;

/* Formats every metric for the apps (in the order given), after upkeep_build_info with this
 * program's version. Label values are escaped as the format asks (backslash, double quote,
 * newline); a missing version is an empty label value. */
/* upkeep_app_faults_total has a sample per version that faulted (counts.json), and one of 0 for the
 * current version when that never did, so that the series exists before its first fault. */
int metrics_format(const MetricsApp *apps, size_t n_apps, char **ret);

/* The "expires" of the channel.json kept as accepted in an app's state directory (name under
 * dir_fd): -ENOENT when there is none, -EBADMSG when it does not parse. */
int metrics_read_channel_expires_at(int dir_fd, const char *name, usec_t *ret);
