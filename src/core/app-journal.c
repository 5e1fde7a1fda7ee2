/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "app-journal.h"
#include "log.h"

#define FIELD_MAX 512

void app_journal(const AppEvent *e, const char *format, ...) {
        char message[2048] = "MESSAGE=", priority[32], id[64],
                app[FIELD_MAX], version[FIELD_MAX], old_version[FIELD_MAX], job[FIELD_MAX],
                fault[FIELD_MAX];
        struct iovec iov[8];
        size_t n = 0;
        va_list ap;

        const size_t prefix = strlen(message);
        va_start(ap, format);
        (void) vsnprintf(message + prefix, sizeof message - prefix, format, ap);
        va_end(ap);

        /* On a terminal (run by hand, tests) the plain log line is what a reader wants. */
        if (isatty(STDERR_FILENO))
                log_full(e->priority, "%s", message + prefix);

#define ADD_FIELD(buf, fmt, value) \
        iov[n++] = (struct iovec) { buf, (size_t) snprintf(buf, sizeof buf, fmt, value) }

        ADD_FIELD(priority, "PRIORITY=%d", e->priority);
        if (e->message_id)
                ADD_FIELD(id, "MESSAGE_ID=%s", e->message_id);
        ADD_FIELD(app, "UPKEEP_APP=%s", e->app);
        if (e->version)
                ADD_FIELD(version, "UPKEEP_VERSION=%s", e->version);
        if (e->old_version)
                ADD_FIELD(old_version, "UPKEEP_OLD_VERSION=%s", e->old_version);
        if (e->job)
                ADD_FIELD(job, "UPKEEP_JOB=%s", e->job);
        if (e->fault)
                ADD_FIELD(fault, "UPKEEP_FAULT=%s", e->fault);
#undef ADD_FIELD
        /* snprintf returns the untruncated length; a field never claims more than its buffer. */
        for (size_t i = 0; i < n; i++)
                if (iov[i].iov_len >= FIELD_MAX)
                        iov[i].iov_len = FIELD_MAX - 1;

        iov[n++] = (struct iovec) { message, strlen(message) };

        (void) sd_journal_sendv(iov, (int) n);
}
