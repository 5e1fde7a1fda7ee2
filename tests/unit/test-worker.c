/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* worker.c: the work runs on a thread of its own and its result reaches done on the loop's thread,
 * only when the loop runs; cancelling stops a long work promptly; freeing a running worker waits
 * for it and never calls done; and no thread is left behind in any case (run under ASan/TSan too). */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "tests.h"
#include "worker.h"

#define THREAD_NAME "work-under-test"   /* not the program's own comm */

static sd_event *event;

typedef struct Work {
        /* Input. */
        unsigned long long spin_msec;   /* work this long, polling cancel every millisecond */
        int result;
        /* Output, written by the thread. */
        pid_t tid;
        bool saw_cancel;
        /* Loop side. */
        unsigned n_done;
        int done_result;
        pthread_t done_thread;
        bool free_in_done;
} Work;

static uint64_t now_msec(void) {
        struct timespec ts;

        ASSERT_OK_ZERO_ERRNO(clock_gettime(CLOCK_MONOTONIC, &ts));
        return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

static int work(void *userdata, const CancelFlag *cancel) {
        Work *w = userdata;
        uint64_t end = now_msec() + w->spin_msec;

        w->tid = gettid();
        while (now_msec() < end) {
                if (cancel_requested(cancel)) {
                        w->saw_cancel = true;
                        return -ECANCELED;
                }
                (void) usleep(1000);
        }
        return w->result;
}

static void on_done(Worker *worker, int result, void *userdata) {
        Work *w = userdata;

        w->n_done++;
        w->done_result = result;
        w->done_thread = pthread_self();
        if (w->free_in_done)
                worker_free(worker);
}

/* Threads of this process named THREAD_NAME. */
static unsigned count_worker_threads(void) {
        DIR *d;
        unsigned n = 0;

        d = opendir("/proc/self/task");
        ASSERT_NOT_NULL(d);
        for (struct dirent *de; (de = readdir(d));) {
                char path[300], comm[32] = {};
                int fd;
                ssize_t k;

                if (de->d_name[0] == '.')
                        continue;
                (void) snprintf(path, sizeof path, "/proc/self/task/%s/comm", de->d_name);
                fd = open(path, O_RDONLY|O_CLOEXEC);
                if (fd < 0)
                        continue;   /* ended meanwhile */
                k = read(fd, comm, sizeof comm - 1);
                (void) close(fd);
                if (k > 0 && streq(comm, THREAD_NAME "\n"))
                        n++;
        }
        (void) closedir(d);
        return n;
}

/* A joined thread may linger in /proc for a moment: the kernel wakes pthread_join() as the thread
 * exits, a little before it removes the task. A thread still there after a second was not joined. */
static void assert_no_worker_threads(void) {
        for (unsigned i = 0; count_worker_threads() > 0; i++) {
                ASSERT_LT(i, 1000u);
                (void) usleep(1000);
        }
}

/* A worker that never reports fails the test instead of hanging it. */
static void run_until_done(Work *w, size_t n) {
        uint64_t deadline = now_msec() + 30u * 1000u;

        for (;;) {
                bool all = true;

                for (size_t i = 0; i < n; i++)
                        all = all && w[i].n_done > 0;
                if (all)
                        return;
                ASSERT_LT(now_msec(), deadline);
                ASSERT_OK(sd_event_run(event, 1000000u));
        }
}

static void test_result_on_the_loop(void) {
        Work w = { .spin_msec = 0, .result = 42 };
        Worker *worker = NULL;

        printf("%s\n", __func__);

        ASSERT_OK(worker_start(event, THREAD_NAME, work, &w, on_done, &w, &worker));
        /* However quick the work, done waits for the loop. */
        (void) usleep(50 * 1000);
        ASSERT_EQ(w.n_done, 0u);

        run_until_done(&w, 1);
        ASSERT_EQ(w.n_done, 1u);
        ASSERT_EQ(w.done_result, 42);
        ASSERT_NE(w.tid, gettid());                      /* worked elsewhere */
        ASSERT_TRUE(pthread_equal(w.done_thread, pthread_self()));  /* reported here */
        assert_no_worker_threads();                      /* joined before done */

        /* Once only. */
        ASSERT_OK(sd_event_run(event, 10 * 1000u));
        ASSERT_EQ(w.n_done, 1u);
        worker_free(worker);
}

static void test_error_result(void) {
        Work w = { .result = -EBADMSG, .free_in_done = true };
        Worker *worker = NULL;

        printf("%s\n", __func__);

        ASSERT_OK(worker_start(event, THREAD_NAME, work, &w, on_done, &w, &worker));
        run_until_done(&w, 1);
        ASSERT_EQ(w.done_result, -EBADMSG);
        assert_no_worker_threads();
}

static void test_cancel_stops_long_work(void) {
        Work w = { .spin_msec = 60u * 1000u, .result = 1 };
        Worker *worker = NULL;
        uint64_t t0;

        printf("%s\n", __func__);

        ASSERT_OK(worker_start(event, THREAD_NAME, work, &w, on_done, &w, &worker));
        ASSERT_EQ(count_worker_threads(), 1u);
        /* The loop stays free while the work runs. */
        for (unsigned i = 0; i < 5; i++)
                ASSERT_OK(sd_event_run(event, 20 * 1000u));
        ASSERT_EQ(w.n_done, 0u);

        t0 = now_msec();
        worker_cancel(worker);
        run_until_done(&w, 1);
        ASSERT_LT(now_msec() - t0, 2000u);
        ASSERT_TRUE(w.saw_cancel);
        ASSERT_EQ(w.done_result, -ECANCELED);
        assert_no_worker_threads();
        worker_free(worker);
}

static void test_free_while_running(void) {
        Work w = { .spin_msec = 60u * 1000u, .result = 1 };
        Worker *worker = NULL;
        uint64_t t0;

        printf("%s\n", __func__);

        ASSERT_OK(worker_start(event, THREAD_NAME, work, &w, on_done, &w, &worker));
        (void) usleep(20 * 1000);
        t0 = now_msec();
        worker_free(worker);
        ASSERT_LT(now_msec() - t0, 2000u);
        ASSERT_TRUE(w.saw_cancel);
        assert_no_worker_threads();

        /* Nothing is reported after the free. */
        ASSERT_OK(sd_event_run(event, 50 * 1000u));
        ASSERT_EQ(w.n_done, 0u);
}

/* Ended, its eventfd written, but the loop has not dispatched it yet: freed all the same. */
static void test_free_before_dispatch(void) {
        Work w = { .result = 7 };
        Worker *worker = NULL;

        printf("%s\n", __func__);

        ASSERT_OK(worker_start(event, THREAD_NAME, work, &w, on_done, &w, &worker));
        (void) usleep(100 * 1000);
        worker_free(worker);
        ASSERT_OK(sd_event_run(event, 50 * 1000u));
        ASSERT_EQ(w.n_done, 0u);
        assert_no_worker_threads();
}

static void test_many_at_once(void) {
        Work w[8] = {};
        Worker *workers[ELEMENTSOF(w)] = {};

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(w); i++) {
                w[i] = (Work) { .spin_msec = 10 * i, .result = (int) i, .free_in_done = true };
                ASSERT_OK(worker_start(event, THREAD_NAME, work, &w[i], on_done, &w[i], &workers[i]));
        }
        run_until_done(w, ELEMENTSOF(w));
        for (size_t i = 0; i < ELEMENTSOF(w); i++) {
                ASSERT_EQ(w[i].n_done, 1u);
                ASSERT_EQ(w[i].done_result, (int) i);
        }
        assert_no_worker_threads();
}

static void test_invalid(void) {
        Worker *worker = NULL;

        printf("%s\n", __func__);

        ASSERT_ERROR(worker_start(NULL, THREAD_NAME, work, NULL, on_done, NULL, &worker), EINVAL);
        ASSERT_ERROR(worker_start(event, THREAD_NAME, NULL, NULL, on_done, NULL, &worker), EINVAL);
        ASSERT_ERROR(worker_start(event, THREAD_NAME, work, NULL, NULL, NULL, &worker), EINVAL);
        ASSERT_NULL(worker);
        ASSERT_NULL(worker_free(NULL));
}

int main(void) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        ASSERT_OK(sd_event_new(&event));

        test_result_on_the_loop();
        test_error_result();
        test_cancel_stops_long_work();
        test_free_while_running();
        test_free_before_dispatch();
        test_many_at_once();
        test_invalid();

        event = sd_event_unref(event);
        return 0;
}
