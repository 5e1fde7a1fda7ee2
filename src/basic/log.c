/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>

#include "log.h"

static int max_level = -1;  /* read from $SYSTEMD_LOG_LEVEL on first use */
static int kmsg_fd = -EBADF;
static int stderr_is_journal = -1;

void log_open_kmsg(void) {
        if (kmsg_fd < 0)
                kmsg_fd = open("/dev/kmsg", O_WRONLY|O_NOCTTY|O_CLOEXEC);
}

/* $JOURNAL_STREAM names the device:inode of the stream journald gave us; when stderr is that stream,
 * a "<N>" prefix carries the priority (sd-daemon(3)). Elsewhere (a terminal, a test) it would be noise. */
static bool journal_stream_is_stderr(void) {
        if (stderr_is_journal < 0) {
                const char *e = getenv("JOURNAL_STREAM");
                unsigned long long dev, ino;
                struct stat st;

                stderr_is_journal = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 &&
                        fstat(STDERR_FILENO, &st) >= 0 &&
                        (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
        }
        return stderr_is_journal;
}

/* $SYSTEMD_LOG_LEVEL, as systemd's own tools read it: a name (debug, info, notice, warning, err, crit,
 * alert, emerg) or a number 0..7. Unset or invalid means info. */
static int log_max_level(void) {
        static const char *const names[] = { "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug" };
        const char *e;

        if (max_level >= 0)
                return max_level;

        max_level = LOG_INFO;
        e = getenv("SYSTEMD_LOG_LEVEL");
        if (!e)
                return max_level;
        for (int i = 0; i < (int) ELEMENTSOF(names); i++)
                if (streq(e, names[i]) || (e[0] == '0' + i && e[1] == 0))
                        max_level = i;
        return max_level;
}

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        int saved_errno = errno;
        char buf[2048];
        va_list ap;

        if (error < 0)
                error = -error;

        if (level > log_max_level())
                return -error;

        errno = error;  /* for %m */
        va_start(ap, format);
        (void) vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);

        if (kmsg_fd >= 0)
                (void) dprintf(kmsg_fd, "<%d>%s[%d]: %s\n", LOG_DAEMON|level,
                               program_invocation_short_name, (int) getpid(), buf);
        else if (journal_stream_is_stderr())
                fprintf(stderr, "<%d>%s\n", level, buf);
        else if (max_level >= LOG_DEBUG)
                fprintf(stderr, "%s:%d %s: %s\n", file, line, func, buf);
        else
                fprintf(stderr, "%s\n", buf);

        errno = saved_errno;
        return -error;
}
