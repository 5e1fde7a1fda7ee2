/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fault reports of an app on disk, in its state directory (STATE_DIR/apps/NAME/):
 *   faults/ID.json      one report per fault, written atomically; the newest FaultKeep= are kept
 *   faults/counts.json  faults per version, kept across the pruning (the metric's counter)
 *   faults/.lock        flock()ed by each recorder around writing, counting and pruning
 * faults/ is 0700: reports hold journal lines, which the journal shows only to root and its groups. */
#pragma once

#include "fault.h"

#define FAULT_DIR "faults"
#define FAULT_COUNTS_FILE "counts.json"
#define FAULT_LOCK_FILE ".lock"

/* The app's faults on disk, below app_dir_fd (the app's state directory).
 *
 * save: under faults/.lock, gives r an ID (its time, moved on by a microsecond while taken), writes
 * it atomically (unless keep is 0), counts it in counts.json, then removes the oldest reports beyond
 * keep. Returns the ID in r->id.
 * load_counts: -ENOENT when the app never faulted, -EBADMSG when corrupt.
 * list: every report's ID, oldest first (a missing directory: none).
 * load: one report; -EINVAL for what is not an ID, -ENOENT when there is none by that ID. */
int fault_save_at(int app_dir_fd, FaultReport *r, unsigned keep);
int fault_load_counts_at(int app_dir_fd, FaultCounts *ret);
int fault_list_at(int app_dir_fd, char ***ret);
int fault_load_at(int app_dir_fd, const char *id, FaultReport **ret);
