/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Downloads one URL into a file the way upkeepd does (http_get() to an fd, SHA-256 while streaming)
 * and prints the digest, the size and the CPU time of the loop's thread (the hashing worker's is not
 * in it), so bench-download.sh can time it against curl(1) and sha256sum(1). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/resource.h>

#include "time-util.h" /* http.h uses usec_t */
#include "http.h"
#include "macro.h"

typedef struct Download {
        sd_event *event;
        int error;
        HttpResult result;
} Download;

static void on_done(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        Download *d = userdata;

        d->error = error;
        if (result)
                d->result = *result;
        if (reason)
                fprintf(stderr, "%s\n", reason);
        free(reason);
        (void) sd_event_exit(d->event, 0);
}

int main(int argc, char *argv[]) {
        _cleanup_close_ int fd = -EBADF;
        HttpClient *client = NULL;
        Download d = {};
        struct rusage ru;
        long status;
        int r;

        if (argc != 3) {
                fprintf(stderr, "Usage: %s URL OUTPUT\n", argv[0]);
                return EXIT_FAILURE;
        }

        /* Readable too, like upkeepd's O_TMPFILE in partial/: then a worker thread hashes it. */
        fd = open(argv[2], O_RDWR|O_CREAT|O_TRUNC|O_CLOEXEC, 0644);
        if (fd < 0) {
                perror(argv[2]);
                return EXIT_FAILURE;
        }

        r = sd_event_new(&d.event);
        if (r >= 0)
                r = http_client_new(d.event, &client);
        if (r >= 0)
                r = http_get(client, argv[1], &(HttpOptions) { .output_fd = fd }, on_done, &d, NULL);
        if (r >= 0)
                r = sd_event_loop(d.event);
        if (r < 0) {
                fprintf(stderr, "Failed to download %s: %s\n", argv[1], strerror(-r));
                return EXIT_FAILURE;
        }
        if (d.error < 0)
                return EXIT_FAILURE;

        if (getrusage(RUSAGE_THREAD, &ru) < 0) {
                perror("getrusage");
                return EXIT_FAILURE;
        }

        for (size_t i = 0; i < sizeof(d.result.sha256); i++)
                printf("%02x", d.result.sha256[i]);
        printf("  %" PRIu64 " bytes, HTTP %ld, loop thread %.3f s CPU\n", d.result.size, d.result.status,
               (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
        status = d.result.status;

        http_result_done(&d.result);
        http_client_free(client);
        sd_event_unref(d.event);
        return status == 200 ? EXIT_SUCCESS : EXIT_FAILURE;
}
