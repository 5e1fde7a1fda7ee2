/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A thread per piece of work, and an eventfd to tell the loop it has ended. The thread and the loop
 * share only the cancel flag and, once the thread has signalled its end, the result: the eventfd
 * write and the join order the thread's writes before the loop's reads. */
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "macro.h"
#include "worker.h"

struct Worker {
        worker_work_t work;
        void *work_data;
        worker_done_t done;
        void *userdata;

        int event_fd;              /* the thread writes to it once, when work has returned */
        sd_event_source *event_source;

        pthread_t thread;
        bool thread_started;       /* and not joined yet */

        CancelFlag cancel;
        int result;                /* written by the thread before it writes event_fd */
};

static void *worker_thread(void *userdata) {
        Worker *w = userdata;

        w->result = w->work(w->work_data, &w->cancel);

        /* Cannot fail short of a bug: the counter is far from overflowing. */
        (void) eventfd_write(w->event_fd, 1);
        return NULL;
}

static void worker_join(Worker *w) {
        if (!w->thread_started)
                return;
        (void) pthread_join(w->thread, NULL);
        w->thread_started = false;
}

static int on_ended(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Worker *w = userdata;
        eventfd_t value;

        if (eventfd_read(fd, &value) < 0)
                return 0;   /* spurious: the thread has not written yet */

        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        /* The thread has only its return left to do: this does not wait. */
        worker_join(w);

        /* Last: done may free w. */
        w->done(w, w->result, w->userdata);
        return 0;
}

static void worker_freep(Worker **w) {
        worker_free(*w);
}

int worker_start(sd_event *event, const char *name, worker_work_t work, void *work_data, worker_done_t done,
                 void *userdata, Worker **ret) {
        _cleanup_(worker_freep) Worker *w = NULL;
        sigset_t all, saved;
        int r;

        if (!event || !name || !work || !done || !ret)
                return -EINVAL;

        w = calloc(1, sizeof(Worker));
        if (!w)
                return -ENOMEM;
        w->work = work;
        w->work_data = work_data;
        w->done = done;
        w->userdata = userdata;
        w->event_fd = -EBADF;
        atomic_init(&w->cancel, false);

        w->event_fd = eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK);
        if (w->event_fd < 0)
                return -errno;
        r = sd_event_add_io(event, &w->event_source, w->event_fd, EPOLLIN, on_ended, w);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(w->event_source, name);

        /* The thread takes no signals: the loop's thread handles them (sd-event blocks what it
         * watches only in that thread, and a signal delivered here would take its default action). */
        sigfillset(&all);
        r = -pthread_sigmask(SIG_BLOCK, &all, &saved);
        if (r < 0)
                return r;
        r = -pthread_create(&w->thread, NULL, worker_thread, w);
        (void) pthread_sigmask(SIG_SETMASK, &saved, NULL);
        if (r < 0)
                return r;
        w->thread_started = true;
        (void) pthread_setname_np(w->thread, name);

        *ret = TAKE_PTR(w);
        return 0;
}

void worker_cancel(Worker *w) {
        cancel_request(&w->cancel);
}

Worker *worker_free(Worker *w) {
        if (!w)
                return NULL;

        cancel_request(&w->cancel);
        worker_join(w);

        sd_event_source_disable_unref(w->event_source);
        if (w->event_fd >= 0)
                (void) close(w->event_fd);
        return mfree(w);
}
