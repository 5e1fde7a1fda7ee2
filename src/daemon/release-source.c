/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "release-source.h"

void release_source_failv(const ReleaseSourceEvents *events, App *a, Job *j, int error, const char *error_name,
                          const char *version, const char *format, va_list ap) {
        _cleanup_free_ char *reason = NULL;

        if (vasprintf(&reason, format, ap) < 0)
                reason = NULL;
        events->failed(a, j, error, error_name, version, reason);
}
