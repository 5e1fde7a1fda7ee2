/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The apps' state as metrics for node_exporter's textfile collector: METRICS_DIR/upkeep.prom,
 * rewritten atomically shortly after any state change, at start and before exit. */
#pragma once

#include "upkeepd-forward.h"

/* Debian's prometheus-node-exporter reads this directory; nothing is written when it is missing. */
#define MANAGER_METRICS_DIR_DEFAULT "/var/lib/prometheus/node-exporter"
#define METRICS_FILE "upkeep.prom"

/* Asks for the file to be written soon: changes that come together are written once. */
void manager_queue_metrics(Manager *m);

/* Writes the file now if a write is queued (before the daemon exits). */
void manager_flush_metrics(Manager *m);
