/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bus-latency: how long upkeepd keeps a bus client waiting. Calls, one after the other until STOP-FILE
 * exists (or SECONDS pass), Manager.ListApps() and Properties.GetAll() of the app's object, and prints
 * as JSON the number of calls, the median, p99 and longest wait, and when the longest was (realtime,
 * seconds). Used by bench-stage.sh; run in the guest, on the system bus.
 *   bus-latency APP STOP-FILE [SECONDS] */
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "bus-names.h"
#include "macro.h"
#include "time-util.h"

static usec_t now_mono(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / 1000;
}

static int compare_usec(const void *a, const void *b) {
        usec_t x = *(const usec_t *) a, y = *(const usec_t *) b;
        return x < y ? -1 : x > y;
}

int main(int argc, char *argv[]) {
        _cleanup_free_ usec_t *waits = NULL;
        _cleanup_free_ char *app_path = NULL;
        sd_bus *bus = NULL;
        size_t n = 0, allocated = 0, longest_at = 0;
        usec_t start, deadline;
        double longest_time = 0;
        int r;

        if (argc < 3 || argc > 4) {
                fprintf(stderr, "usage: %s APP STOP-FILE [SECONDS]\n", program_invocation_short_name);
                return 2;
        }
        r = sd_bus_path_encode(UPKEEP_APP_PATH_PREFIX, argv[1], &app_path);
        if (r < 0)
                return 1;

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "Cannot connect to the system bus: %s\n", strerror(-r));
                return 1;
        }

        start = now_mono();
        deadline = start + (argc == 4 ? (usec_t) atoi(argv[3]) : 120) * USEC_PER_SEC;
        while (access(argv[2], F_OK) < 0 && now_mono() < deadline) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                usec_t t0 = now_mono();

                if (n % 2 == 0)
                        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, UPKEEP_MANAGER_PATH, UPKEEP_MANAGER_INTERFACE,
                                               "ListApps", &error, &reply, NULL);
                else
                        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, app_path, "org.freedesktop.DBus.Properties",
                                               "GetAll", &error, &reply, "s", UPKEEP_APP_INTERFACE);
                if (r < 0) {
                        fprintf(stderr, "Call failed: %s\n", error.message ?: strerror(-r));
                        return 1;
                }

                if (n == allocated) {
                        usec_t *p = realloc(waits, (allocated = MAX(allocated * 2, (size_t) 1024)) * sizeof(usec_t));
                        if (!p)
                                return 1;
                        waits = p;
                }
                waits[n] = now_mono() - t0;
                if (n == 0 || waits[n] > waits[longest_at]) {
                        longest_at = n;
                        longest_time = (double) now_realtime() / USEC_PER_SEC;
                }
                n++;
        }
        sd_bus_flush_close_unref(bus);

        if (n == 0) {
                fprintf(stderr, "No call was made.\n");
                return 1;
        }
        printf("{\"calls\": %zu, \"max_ms\": %.1f, \"longest_at\": %.3f", n,
               (double) waits[longest_at] / 1000, longest_time);
        qsort(waits, n, sizeof(usec_t), compare_usec);
        printf(", \"p50_ms\": %.1f, \"p99_ms\": %.1f}\n",
               (double) waits[n / 2] / 1000, (double) waits[n * 99 / 100] / 1000);
        return 0;
}
