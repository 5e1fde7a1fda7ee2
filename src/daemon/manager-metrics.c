/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>

#include "app.h"
#include "channel.h"
#include "fault-store.h"
#include "fileio.h"
#include "log.h"
#include "manager-metrics.h"
#include "manager.h"
#include "metrics.h"

/* A job's steps change the state several times a second; the scraper reads once a minute or so. */
#define METRICS_DELAY_USEC USEC_PER_SEC

static int manager_write_metrics(Manager *m) {
        _cleanup_free_ MetricsApp *apps = NULL;
        _cleanup_free_ FaultCounts *faults = NULL;
        _cleanup_free_ char *text = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        int r;

        dir_fd = open(m->metrics_dir, O_DIRECTORY|O_PATH|O_CLOEXEC);
        if (dir_fd < 0) {
                /* No node_exporter here: nothing to do, and nothing worth a warning. */
                if (errno == ENOENT)
                        return 0;
                return log_warning_errno(errno, "Failed to open metrics directory %s, ignoring: %m", m->metrics_dir);
        }

        apps = calloc(MAX(m->n_apps, (size_t) 1), sizeof(MetricsApp));
        faults = calloc(MAX(m->n_apps, (size_t) 1), sizeof(FaultCounts));
        if (!apps || !faults)
                return log_oom();
        for (size_t i = 0; i < m->n_apps; i++) {
                const App *a = m->apps[i];
                const AppState *s = a->state;

                apps[i] = (MetricsApp) {
                        .name = a->name,
                        .state = s,
                        .update_available = s->available_version &&
                                (!s->current_version || app_version_compare(a, s->available_version, s->current_version) > 0),
                };
                /* Read again each time rather than kept: a few KiB per app, at most once a second. */
                if (app_source_is_channel(a) && s->channel_serial > 0) {
                        r = metrics_read_channel_expires_at(a->dir_fd, CHANNEL_FILE, &apps[i].channel_expires);
                        if (r < 0 && r != -ENOENT)
                                log_debug_errno(r, "Failed to read the expiry of %s's channel, ignoring: %m", a->name);
                }
                /* Counted by upkeep-fault, which runs without us: read each time too. */
                r = fault_load_counts_at(a->dir_fd, &faults[i]);
                if (r >= 0)
                        apps[i].faults = &faults[i];
                else if (r != -ENOENT)
                        log_debug_errno(r, "Failed to read the fault counts of %s, ignoring: %m", a->name);
        }

        r = metrics_format(apps, m->n_apps, &text);
        for (size_t i = 0; i < m->n_apps; i++)
                fault_counts_done(&faults[i]);
        if (r < 0)
                return log_oom();

        r = write_file_atomic_at(dir_fd, METRICS_FILE, text, strlen(text), 0644);
        if (r < 0)
                return log_warning_errno(r, "Failed to write %s/%s, ignoring: %m", m->metrics_dir, METRICS_FILE);
        return 0;
}

static int on_metrics_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        m->metrics_queued = false;
        (void) manager_write_metrics(m);
        return 0;
}

void manager_queue_metrics(Manager *m) {
        int r;

        if (!m->metrics_dir || m->metrics_queued)
                return;
        m->metrics_queued = true;

        if (!m->metrics_timer) {
                r = sd_event_add_time_relative(m->event, &m->metrics_timer, CLOCK_MONOTONIC, METRICS_DELAY_USEC,
                                               USEC_PER_SEC / 10, on_metrics_timer, m);
                if (r < 0) {
                        m->metrics_queued = false;
                        (void) manager_write_metrics(m);  /* no timer: write now rather than never */
                }
                return;
        }

        r = sd_event_source_set_time_relative(m->metrics_timer, METRICS_DELAY_USEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->metrics_timer, SD_EVENT_ONESHOT);
        if (r < 0) {
                m->metrics_queued = false;
                (void) manager_write_metrics(m);
        }
}

void manager_flush_metrics(Manager *m) {
        if (!m->metrics_queued)
                return;
        m->metrics_queued = false;
        (void) sd_event_source_set_enabled(m->metrics_timer, SD_EVENT_OFF);
        (void) manager_write_metrics(m);
}
