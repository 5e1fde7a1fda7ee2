/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A request to stop long work early, set from one thread and polled by another: the work checks it
 * between two blocks or entries and gives up with -ECANCELED, undoing what it began. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>

typedef atomic_bool CancelFlag;

/* NULL means the work cannot be cancelled. Relaxed: the flag carries no data with it, and the work
 * ends (and is joined) before anyone reads what it left. */
static inline bool cancel_requested(const CancelFlag *c) {
        return c && atomic_load_explicit(c, memory_order_relaxed);
}

static inline void cancel_request(CancelFlag *c) {
        atomic_store_explicit(c, true, memory_order_relaxed);
}
