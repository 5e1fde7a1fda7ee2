/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The apps' state as Prometheus metrics, in the text exposition format node_exporter's textfile
 * collector reads (upkeepd(8) writes it to upkeep.prom). Pure logic: state in, text out. */
#pragma once

#include <stddef.h>

#include "state.h"

typedef struct MetricsApp {
        const char *name;
        const AppState *state;
} MetricsApp;

/* Formats every metric for the apps (in the order given). Label values are escaped as the format
 * asks (backslash, double quote, newline); a missing version is an empty label value. */
int metrics_format(const MetricsApp *apps, size_t n_apps, char **ret);
