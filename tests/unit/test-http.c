/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* http.c against a real HTTP server (http-test-server.py, started here, path in argv[1]): bodies and
 * their digests (hashed on the loop, or by a worker thread when the file is readable), size limits,
 * conditional requests, redirects, errors, cancellation, many transfers at once, and a loop that
 * sleeps while a transfer stalls. */
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "time-util.h" /* http.h uses usec_t */
#include "file-hasher.h"
#include "http.h"
#include "macro.h"
#include "test-util.h"
#include "tests.h"

#define BIG_SIZE (20u * 1024u * 1024u)
#define N_CONCURRENT 50

static char root[] = "/tmp/test-http-XXXXXX";
static char base[64]; /* http://127.0.0.1:PORT */
static pid_t server_pid;
static sd_event *event;
static HttpClient *client;
static char *big; /* the content of big.bin */

typedef struct Outcome {
        bool done;
        int error;
        HttpResult result;
        char *reason;
        unsigned n_progress;
        uint64_t progress_done;
        HttpRequest *req;
        uint64_t cancel_at;        /* cancel from the progress callback once this much arrived */
        unsigned max_workers;      /* FileHasher threads seen from the progress callback */
} Outcome;

static void outcome_done(Outcome *o) {
        http_result_done(&o->result);
        free(o->reason);
        *o = (Outcome) {};
}

static void sha256(const void *data, size_t size, uint8_t ret[32]) {
        ASSERT_EQ(EVP_Digest(data, size, ret, NULL, EVP_sha256(), NULL), 1);
}

static void write_root_file(const char *name, const void *data, size_t size) {
        char path[PATH_MAX];
        _cleanup_close_ int fd = -EBADF;

        snprintf(path, sizeof(path), "%s/%s", root, name);
        fd = open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(write(fd, data, size), (ssize_t) size);
}

static usec_t root_file_mtime(const char *name) {
        char path[PATH_MAX];
        struct stat st;

        snprintf(path, sizeof(path), "%s/%s", root, name);
        ASSERT_OK_ZERO_ERRNO(stat(path, &st));
        return (usec_t) st.st_mtime * USEC_PER_SEC;
}

static void on_done(HttpRequest *req, int error, HttpResult *result, char *reason, void *userdata) {
        Outcome *o = userdata;

        ASSERT_FALSE(o->done);
        ASSERT_LE(error, 0);
        ASSERT_EQ((error == 0), !!result);
        ASSERT_EQ((error == 0), !reason);
        o->done = true;
        o->error = error;
        o->reason = reason;
        if (result)
                o->result = *result; /* takes it over */
}

/* The FileHasher workers running in this process. */
static unsigned count_workers(void) {
        DIR *d = opendir("/proc/self/task");
        unsigned n = 0;

        ASSERT_NOT_NULL(d);
        for (struct dirent *de; (de = readdir(d));) {
                char path[PATH_MAX], comm[32] = {};
                _cleanup_close_ int fd = -EBADF;

                if (de->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
                fd = open(path, O_RDONLY|O_CLOEXEC);
                if (fd < 0) /* the thread just ended */
                        continue;
                if (read(fd, comm, sizeof(comm) - 1) > 0 && streq(comm, FILE_HASHER_THREAD_NAME "\n"))
                        n++;
        }
        closedir(d);
        return n;
}

/* Every worker is gone. pthread_join() returns once a thread has stopped running, but the kernel may
 * list it in /proc a moment longer: give it that moment, not forever. */
static void assert_no_workers(void) {
        usec_t deadline = now_monotonic() + 10 * USEC_PER_SEC;

        while (count_workers() > 0) {
                ASSERT_LT(now_monotonic(), deadline);
                (void) usleep(1000);
        }
}

static void on_progress(uint64_t done, uint64_t total, void *userdata) {
        Outcome *o = userdata;
        unsigned n = count_workers();

        ASSERT_GE(done, o->progress_done);
        ASSERT_TRUE(total == 0 || done <= total);
        o->progress_done = done;
        o->n_progress++;
        if (n > o->max_workers)
                o->max_workers = n;
        if (o->cancel_at > 0 && done >= o->cancel_at)
                http_request_cancel(o->req);
}

/* Runs the loop until every outcome is in; a transfer that never ends fails the test, not hangs it. */
static void run_until_done(Outcome *o, size_t n) {
        usec_t deadline = now_monotonic() + 30 * USEC_PER_SEC;

        for (;;) {
                bool all = true;

                for (size_t i = 0; i < n; i++)
                        all = all && o[i].done;
                if (all)
                        return;
                ASSERT_LT(now_monotonic(), deadline);
                ASSERT_OK(sd_event_run(event, USEC_PER_SEC));
        }
}

static void fetch(const char *url, const HttpOptions *options, Outcome *o) {
        HttpOptions opts = options ? *options : (HttpOptions) { .output_fd = -EBADF };

        opts.progress = on_progress;
        ASSERT_OK_ZERO(http_get(client, url, &opts, on_done, o, &o->req));
        run_until_done(o, 1);
        ASSERT_EQ(http_client_active(client), 0);
}

static void fetch_path(const char *path, const HttpOptions *options, Outcome *o) {
        char url[256];

        snprintf(url, sizeof(url), "%s%s", base, path);
        fetch(url, options, o);
}

static void assert_body(const Outcome *o, const char *content, size_t size) {
        uint8_t digest[32];

        if (o->error < 0)
                fprintf(stderr, "%s\n", o->reason);
        ASSERT_EQ(o->error, 0);
        ASSERT_EQ(o->result.size, size);
        ASSERT_NOT_NULL(o->result.body);
        ASSERT_MEMEQ(o->result.body, content, size);
        ASSERT_EQ(o->result.body[size], 0);
        sha256(content, size, digest);
        ASSERT_MEMEQ(o->result.sha256, digest, sizeof(digest));
}

static const char small[] = "Hello from upkeep's test server.\n";

static void test_memory_small(void) {
        Outcome o = {};
        char url[256];

        printf("%s\n", __func__);

        snprintf(url, sizeof(url), "%s/small.txt", base);
        fetch(url, NULL, &o);
        assert_body(&o, small, strlen(small));
        ASSERT_EQ(o.result.status, 200);
        ASSERT_FALSE(o.result.not_modified);
        ASSERT_NOT_NULL(o.result.etag);
        ASSERT_EQ(o.result.etag[0], '"');
        ASSERT_EQ(o.result.last_modified, root_file_mtime("small.txt"));
        ASSERT_STREQ(o.result.effective_url, url);
        ASSERT_GE(o.n_progress, 1);
        ASSERT_EQ(o.progress_done, strlen(small));
        outcome_done(&o);
}

/* big.bin arrived whole into the file fd, after the 6 bytes "prefix" that were there before, and its
 * digest is right. */
static void assert_big_after_prefix(const Outcome *o, int fd) {
        uint8_t digest[32];
        struct stat st;
        char *back;

        if (o->error < 0)
                fprintf(stderr, "%s\n", o->reason);
        ASSERT_EQ(o->error, 0);
        ASSERT_EQ(o->result.status, 200);
        ASSERT_EQ(o->result.size, BIG_SIZE);
        ASSERT_NULL(o->result.body);
        sha256(big, BIG_SIZE, digest);
        ASSERT_MEMEQ(o->result.sha256, digest, sizeof(digest));

        ASSERT_OK_ZERO_ERRNO(fstat(fd, &st));
        ASSERT_EQ(st.st_size, 6 + BIG_SIZE);
        back = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        ASSERT_NE(back, MAP_FAILED);
        ASSERT_MEMEQ(back, "prefix", 6);
        ASSERT_MEMEQ(back + 6, big, BIG_SIZE);
        ASSERT_OK_ZERO_ERRNO(munmap(back, st.st_size));
}

static void test_fd_big(void) {
        _cleanup_close_ int fd = -EBADF, wfd = -EBADF;
        char proc[64];
        Outcome o = {};
        usec_t start, elapsed;

        printf("%s\n", __func__);

        fd = memfd_create("test-http-big", MFD_CLOEXEC);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(write(fd, "prefix", 6), 6);

        /* A write-only descriptor of the memfd: no worker can read the download back, so the loop
         * hashes the stream itself. */
        snprintf(proc, sizeof(proc), "/proc/self/fd/%i", fd);
        wfd = open(proc, O_WRONLY|O_CLOEXEC);
        ASSERT_GE(wfd, 0);
        ASSERT_EQ(lseek(wfd, 0, SEEK_END), 6);

        start = now_monotonic();
        fetch_path("/big.bin", &(HttpOptions) { .output_fd = wfd, .max_size = 2 * BIG_SIZE }, &o);
        elapsed = now_monotonic() - start;
        assert_big_after_prefix(&o, fd);

        /* Throttled: about 4 a second, plus the first and the final one. */
        ASSERT_EQ(o.progress_done, BIG_SIZE);
        ASSERT_GE(o.n_progress, 1);
        ASSERT_LE(o.n_progress, 4 * elapsed / USEC_PER_SEC + 3);
        outcome_done(&o);
}

/* A readable file, as upkeepd's O_TMPFILE: a worker thread reads it back behind the writer and hashes
 * it, in many chunks, from where the body starts. */
static void test_fd_readable_big(void) {
        _cleanup_close_ int fd = memfd_create("test-http-big-rw", MFD_CLOEXEC);
        Outcome o = {};

        printf("%s\n", __func__);

        ASSERT_GE(fd, 0);
        ASSERT_EQ(write(fd, "prefix", 6), 6);

        fetch_path("/big.bin?rate=40", &(HttpOptions) { .output_fd = fd, .max_size = 2 * BIG_SIZE }, &o);
        assert_big_after_prefix(&o, fd);
        ASSERT_EQ(o.progress_done, BIG_SIZE);
        /* The worker was there while the body streamed (paced, so that progress saw it). */
        ASSERT_GE(o.max_workers, 1);
        outcome_done(&o);
        assert_no_workers();
}

static void test_fd_readable_empty(void) {
        _cleanup_close_ int fd = memfd_create("test-http-empty", MFD_CLOEXEC);
        uint8_t digest[32];
        Outcome o = {};
        struct stat st;

        printf("%s\n", __func__);

        sha256("", 0, digest);

        fetch_path("/empty.bin", &(HttpOptions) { .output_fd = fd, .max_size = 1024 }, &o);
        ASSERT_EQ(o.error, 0);
        ASSERT_EQ(o.result.status, 200);
        ASSERT_EQ(o.result.size, 0);
        ASSERT_MEMEQ(o.result.sha256, digest, sizeof(digest));
        ASSERT_OK_ZERO_ERRNO(fstat(fd, &st));
        ASSERT_EQ(st.st_size, 0);
        outcome_done(&o);

        /* Without a length, the end comes only as the connection closes. */
        fetch_path("/no-length/empty.bin", &(HttpOptions) { .output_fd = fd, .max_size = 1024 }, &o);
        ASSERT_EQ(o.error, 0);
        ASSERT_EQ(o.result.size, 0);
        ASSERT_MEMEQ(o.result.sha256, digest, sizeof(digest));
        outcome_done(&o);

        /* The same into memory. */
        fetch_path("/empty.bin", NULL, &o);
        assert_body(&o, "", 0);
        outcome_done(&o);
}

/* A body exactly as large as allowed is whole and hashed right; one byte less allowed refuses it —
 * from the Content-Length, and without one by counting. Into a file the worker hashes, and into
 * memory. */
static void test_max_size_exact(void) {
        static const char *const paths[] = { "/big.bin", "/no-length/big.bin" };
        uint8_t digest[32];

        printf("%s\n", __func__);

        sha256(big, BIG_SIZE, digest);

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_close_ int fd = memfd_create("test-http-exact", MFD_CLOEXEC), fd2 = -EBADF;
                Outcome o = {};
                struct stat st;

                fetch_path(paths[i], &(HttpOptions) { .output_fd = fd, .max_size = BIG_SIZE }, &o);
                if (o.error < 0)
                        fprintf(stderr, "%s\n", o.reason);
                ASSERT_EQ(o.error, 0);
                ASSERT_EQ(o.result.status, 200);
                ASSERT_EQ(o.result.size, BIG_SIZE);
                ASSERT_MEMEQ(o.result.sha256, digest, sizeof(digest));
                ASSERT_OK_ZERO_ERRNO(fstat(fd, &st));
                ASSERT_EQ(st.st_size, BIG_SIZE);
                outcome_done(&o);

                fetch_path(paths[i], &(HttpOptions) { .output_fd = -EBADF, .max_size = BIG_SIZE }, &o);
                assert_body(&o, big, BIG_SIZE);
                outcome_done(&o);

                fd2 = memfd_create("test-http-exact-less", MFD_CLOEXEC);
                fetch_path(paths[i], &(HttpOptions) { .output_fd = fd2, .max_size = BIG_SIZE - 1 }, &o);
                ASSERT_ERROR(o.error, EFBIG);
                ASSERT_TRUE(o.reason);
                ASSERT_NOT_NULL(strstr(o.reason, paths[i]));
                ASSERT_OK_ZERO_ERRNO(fstat(fd2, &st));
                ASSERT_LE((uint64_t) st.st_size, BIG_SIZE - 1);
                outcome_done(&o);
        }
}

static void test_max_size_from_length(void) {
        _cleanup_close_ int fd = memfd_create("test-http-limit", MFD_CLOEXEC);
        Outcome o = {};
        struct stat st;

        printf("%s\n", __func__);

        /* The Content-Length already says it is too large: nothing of the body is taken. */
        fetch_path("/big.bin", &(HttpOptions) { .output_fd = fd, .max_size = 1024 * 1024 }, &o);
        ASSERT_ERROR(o.error, EFBIG);
        ASSERT_TRUE(o.reason);
        ASSERT_NOT_NULL(strstr(o.reason, "/big.bin"));
        ASSERT_OK_ZERO_ERRNO(fstat(fd, &st));
        ASSERT_EQ(st.st_size, 0);
        outcome_done(&o);
}

static void test_max_size_streaming(void) {
        _cleanup_close_ int fd = memfd_create("test-http-lie", MFD_CLOEXEC);
        const uint64_t limit = 1024 * 1024 + 17;
        Outcome o = {};
        struct stat st;

        printf("%s\n", __func__);

        /* No Content-Length and no end: only counting the bytes stops it. Everything written is
         * within the limit, and the transfer ended (else this would never return). The memfd is
         * readable, so a worker was hashing it when the transfer was stopped. */
        fetch_path("/lie-size", &(HttpOptions) { .output_fd = fd, .max_size = limit }, &o);
        ASSERT_ERROR(o.error, EFBIG);
        ASSERT_TRUE(o.reason);
        ASSERT_NOT_NULL(strstr(o.reason, "/lie-size"));
        ASSERT_OK_ZERO_ERRNO(fstat(fd, &st));
        ASSERT_GT(st.st_size, 0);
        ASSERT_LE((uint64_t) st.st_size, limit);
        ASSERT_LE(o.progress_done, limit);
        outcome_done(&o);

        /* The same into memory. */
        fetch_path("/lie-size", &(HttpOptions) { .output_fd = -EBADF, .max_size = limit }, &o);
        ASSERT_ERROR(o.error, EFBIG);
        outcome_done(&o);
}

static void test_http_errors_are_results(void) {
        Outcome o = {};

        printf("%s\n", __func__);

        fetch_path("/status/404", NULL, &o);
        assert_body(&o, "status 404\n", 11);
        ASSERT_EQ(o.result.status, 404);
        outcome_done(&o);

        fetch_path("/status/500", NULL, &o);
        ASSERT_EQ(o.error, 0);
        ASSERT_EQ(o.result.status, 500);
        outcome_done(&o);

        fetch_path("/no-such-file", NULL, &o);
        ASSERT_EQ(o.error, 0);
        ASSERT_EQ(o.result.status, 404);
        outcome_done(&o);
}

/* An error answer's body (S3 says why it refused in it) is kept in memory, never written to the file
 * that was to hold the download, and not refused for being larger than the download may be. */
static void test_error_body_not_in_file(void) {
        _cleanup_close_ int fd = memfd_create("test-http-error", MFD_CLOEXEC);
        Outcome o = {};
        struct stat st;

        printf("%s\n", __func__);

        ASSERT_GE(fd, 0);
        fetch_path("/status/403", &(HttpOptions) { .output_fd = fd, .max_size = 5 }, &o);
        ASSERT_EQ(o.error, 0);
        ASSERT_EQ(o.result.status, 403);
        ASSERT_STREQ(o.result.body, "status 403\n");
        ASSERT_EQ(o.result.size, 11);
        ASSERT_OK_ZERO_ERRNO(fstat(fd, &st));
        ASSERT_EQ(st.st_size, 0);
        outcome_done(&o);

        /* A large one: its head only. */
        fetch_path("/status/500/100000", &(HttpOptions) { .output_fd = fd, .max_size = 1 << 20 }, &o);
        ASSERT_EQ(o.error, 0);
        ASSERT_EQ(o.result.status, 500);
        ASSERT_EQ(o.result.size, HTTP_ERROR_BODY_MAX);
        ASSERT_EQ(strlen(o.result.body), HTTP_ERROR_BODY_MAX);
        ASSERT_OK_ZERO_ERRNO(fstat(fd, &st));
        ASSERT_EQ(st.st_size, 0);
        outcome_done(&o);
}

/* A request signed for S3 follows no redirect: the credentials' signature must not go elsewhere. */
static void test_s3_signed_follows_no_redirect(void) {
        const S3Credentials k = { .access_key_id = (char *) "AKIDEXAMPLE", .secret_access_key = (char *) "secret" };
        char url[256];
        Outcome o = {};

        printf("%s\n", __func__);

        fetch_path("/redirect/1/small.txt",
                   &(HttpOptions) { .output_fd = -EBADF, .s3_credentials = &k, .s3_region = "us-east-1" }, &o);
        ASSERT_EQ(o.error, 0);
        ASSERT_EQ(o.result.status, 302);
        snprintf(url, sizeof(url), "%s/redirect/1/small.txt", base);
        ASSERT_STREQ(o.result.effective_url, url);
        outcome_done(&o);

        /* Signed, the file itself is fetched as any other. */
        fetch_path("/small.txt", &(HttpOptions) { .output_fd = -EBADF, .s3_credentials = &k, .s3_region = "us-east-1" }, &o);
        assert_body(&o, small, strlen(small));
        outcome_done(&o);

        /* A region that cannot go into the signature is refused before anything is sent. */
        ASSERT_ERROR(http_get(client, url, &(HttpOptions) { .output_fd = -EBADF, .s3_credentials = &k, .s3_region = "a:b" },
                              on_done, &o, NULL), EINVAL);
}

static void test_etag(void) {
        _cleanup_free_ char *etag = NULL;
        Outcome o = {};
        uint8_t empty[32];

        printf("%s\n", __func__);

        fetch_path("/small.txt", NULL, &o);
        ASSERT_EQ(o.error, 0);
        ASSERT_EQ(o.result.status, 200);
        etag = TAKE_PTR(o.result.etag);
        ASSERT_NOT_NULL(etag);
        outcome_done(&o);

        fetch_path("/small.txt", &(HttpOptions) { .output_fd = -EBADF, .etag = etag }, &o);
        ASSERT_EQ(o.error, 0);
        ASSERT_EQ(o.result.status, 304);
        ASSERT_TRUE(o.result.not_modified);
        ASSERT_EQ(o.result.size, 0);
        ASSERT_NOT_NULL(o.result.body);
        ASSERT_EQ(o.result.body[0], 0);
        sha256("", 0, empty);
        ASSERT_MEMEQ(o.result.sha256, empty, sizeof(empty));
        ASSERT_STREQ(o.result.etag, etag);
        outcome_done(&o);

        fetch_path("/small.txt", &(HttpOptions) { .output_fd = -EBADF, .etag = "\"stale\"" }, &o);
        assert_body(&o, small, strlen(small));
        ASSERT_FALSE(o.result.not_modified);
        outcome_done(&o);

        /* An ETag goes into a header line as is, so it must not smuggle in another one; one that
         * could (kept from before such ETags were refused) is not sent, and the request is made
         * unconditionally rather than not at all. */
        fetch_path("/small.txt", &(HttpOptions) { .output_fd = -EBADF, .etag = "\"x\"\r\nX-Evil: 1" }, &o);
        assert_body(&o, small, strlen(small));
        ASSERT_EQ(o.result.status, 200);
        outcome_done(&o);
}

/* Validators a man in the middle altered are dropped when they arrive, never kept to be sent back. */
static void test_poisoned_validators(void) {
        Outcome o = {};

        printf("%s\n", __func__);

        fetch_path("/small.txt?poison=etag", NULL, &o);
        assert_body(&o, small, strlen(small));
        ASSERT_NULL(o.result.etag);
        ASSERT_EQ(o.result.last_modified, root_file_mtime("small.txt"));
        outcome_done(&o);

        fetch_path("/small.txt?poison=date", NULL, &o);
        assert_body(&o, small, strlen(small));
        ASSERT_NOT_NULL(o.result.etag);
        ASSERT_EQ(o.result.last_modified, 0);
        outcome_done(&o);

        /* A date no state file could hold is not sent either. */
        fetch_path("/small.txt", &(HttpOptions) { .output_fd = -EBADF, .if_modified_since = UINT64_MAX - 1 }, &o);
        assert_body(&o, small, strlen(small));
        ASSERT_EQ(o.result.status, 200);
        outcome_done(&o);
}

static void test_if_modified_since(void) {
        Outcome o = {};
        usec_t mtime = root_file_mtime("small.txt");

        printf("%s\n", __func__);

        fetch_path("/small.txt", &(HttpOptions) { .output_fd = -EBADF, .if_modified_since = mtime }, &o);
        ASSERT_EQ(o.error, 0);
        ASSERT_EQ(o.result.status, 304);
        ASSERT_TRUE(o.result.not_modified);
        ASSERT_EQ(o.result.size, 0);
        outcome_done(&o);

        fetch_path("/small.txt", &(HttpOptions) { .output_fd = -EBADF, .if_modified_since = mtime - USEC_PER_HOUR },
                   &o);
        assert_body(&o, small, strlen(small));
        ASSERT_EQ(o.result.status, 200);
        ASSERT_EQ(o.result.last_modified, mtime);
        outcome_done(&o);
}

static void test_redirects(void) {
        char url[256];
        Outcome o = {};

        printf("%s\n", __func__);

        fetch_path("/redirect/3/small.txt", NULL, &o);
        assert_body(&o, small, strlen(small));
        snprintf(url, sizeof(url), "%s/small.txt", base);
        ASSERT_STREQ(o.result.effective_url, url);
        outcome_done(&o);

        fetch_path("/redirect/5/small.txt", NULL, &o);
        assert_body(&o, small, strlen(small));
        outcome_done(&o);

        fetch_path("/redirect/6/small.txt", NULL, &o);
        ASSERT_ERROR(o.error, EPROTO);
        ASSERT_TRUE(o.reason);
        ASSERT_NOT_NULL(strstr(o.reason, "/redirect/6/small.txt"));
        outcome_done(&o);
}

static void test_connection_refused(void) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(sa);
        char url[128];
        Outcome o = {};
        int fd;

        printf("%s\n", __func__);

        /* A port that was just free and has no listener. */
        fd = socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0);
        ASSERT_GE(fd, 0);
        ASSERT_OK_ZERO_ERRNO(bind(fd, (struct sockaddr *) &sa, sizeof(sa)));
        ASSERT_OK_ZERO_ERRNO(getsockname(fd, (struct sockaddr *) &sa, &len));
        close(fd);

        snprintf(url, sizeof(url), "http://127.0.0.1:%u/small.txt", ntohs(sa.sin_port));
        fetch(url, NULL, &o);
        ASSERT_ERROR(o.error, ECONNREFUSED);
        ASSERT_TRUE(o.reason);
        ASSERT_NOT_NULL(strstr(o.reason, url));
        outcome_done(&o);
}

static void test_file_url(void) {
        char url[PATH_MAX + 16];
        Outcome o = {};

        printf("%s\n", __func__);

        snprintf(url, sizeof(url), "file://%s/small.txt", root);
        fetch(url, NULL, &o);
        assert_body(&o, small, strlen(small));
        ASSERT_EQ(o.result.status, 200);
        ASSERT_EQ(o.result.last_modified, root_file_mtime("small.txt"));
        outcome_done(&o);

        fetch(url, &(HttpOptions) { .output_fd = -EBADF, .if_modified_since = root_file_mtime("small.txt") },
              &o);
        ASSERT_EQ(o.error, 0);
        ASSERT_TRUE(o.result.not_modified);
        ASSERT_EQ(o.result.size, 0);
        outcome_done(&o);

        /* A missing file is "not found", as a 404 is over HTTP: a Go module proxy tree answers
         * for modules it does not have that way. */
        snprintf(url, sizeof(url), "file://%s/missing", root);
        fetch(url, NULL, &o);
        ASSERT_ERROR(o.error, ENOENT);
        ASSERT_TRUE(o.reason);
        ASSERT_NOT_NULL(strstr(o.reason, url));
        outcome_done(&o);

        /* Only http, https and file. */
        fetch("ftp://127.0.0.1/", NULL, &o);
        ASSERT_ERROR(o.error, EPROTO);
        outcome_done(&o);

        /* A file:// URL in the family of an http(s) origin (an artifact a remote channel names) is
         * refused before anything is read, and the other way round. */
        snprintf(url, sizeof(url), "file://%s/small.txt", root);
        fetch(url, &(HttpOptions) { .output_fd = -EBADF, .origin = base }, &o);
        ASSERT_ERROR(o.error, EPROTO);
        ASSERT_NULL(o.result.body);
        outcome_done(&o);

        snprintf(url, sizeof(url), "file://%s/", root);
        fetch_path("/small.txt", &(HttpOptions) { .output_fd = -EBADF, .origin = url }, &o);
        ASSERT_ERROR(o.error, EPROTO);
        outcome_done(&o);
}

static int on_cancel_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        http_request_cancel(userdata);
        return 0;
}

/* A server that answers and then stalls is given up on once the request's own timeout passes, well
 * before the low-speed limit would (the HTTP health check relies on it). */
static void test_timeout(void) {
        Outcome o = {};
        usec_t start;

        printf("%s\n", __func__);

        start = now_monotonic();
        fetch_path("/slow", &(HttpOptions) { .output_fd = -EBADF, .timeout = 200 * USEC_PER_MSEC }, &o);
        ASSERT_ERROR(o.error, ETIMEDOUT);
        ASSERT_TRUE(o.reason);
        ASSERT_LT(now_monotonic() - start, 900 * USEC_PER_MSEC);
        outcome_done(&o);

        /* A timeout the request ends within changes nothing. */
        fetch_path("/slow", &(HttpOptions) { .output_fd = -EBADF, .timeout = 30 * USEC_PER_SEC }, &o);
        assert_body(&o, "slow start||slow end\n", 21);
        outcome_done(&o);
}

static void test_cancel(void) {
        _cleanup_(sd_event_source_unrefp) sd_event_source *timer = NULL;
        HttpRequest *req;
        char url[256];
        Outcome o = {};
        usec_t start;

        printf("%s\n", __func__);

        /* Cancelled while the server stalls. */
        start = now_monotonic();
        snprintf(url, sizeof(url), "%s/slow", base);
        ASSERT_OK_ZERO(http_get(client, url, NULL, on_done, &o, &req));
        ASSERT_EQ(http_client_active(client), 1);
        ASSERT_OK(sd_event_add_time_relative(event, &timer, CLOCK_MONOTONIC, 100 * USEC_PER_MSEC, 0,
                                          on_cancel_timer, req));
        run_until_done(&o, 1);
        ASSERT_ERROR(o.error, ECANCELED);
        ASSERT_TRUE(o.reason);
        ASSERT_LT(now_monotonic() - start, 900 * USEC_PER_MSEC);
        ASSERT_EQ(http_client_active(client), 0);
        outcome_done(&o);

        /* Cancelled before it even started; a second cancel is harmless. */
        snprintf(url, sizeof(url), "%s/small.txt", base);
        ASSERT_OK_ZERO(http_get(client, url, NULL, on_done, &o, &req));
        http_request_cancel(req);
        http_request_cancel(req);
        ASSERT_FALSE(o.done); /* done comes from the loop, not from inside cancel */
        run_until_done(&o, 1);
        ASSERT_ERROR(o.error, ECANCELED);
        ASSERT_EQ(http_client_active(client), 0);
        outcome_done(&o);
}

/* Cancelled while a worker hashes the body behind the writer: it ends at once, the worker with it
 * (no thread left behind, nothing leaked under ASan). */
static void test_cancel_while_hashing(void) {
        _cleanup_close_ int fd = memfd_create("test-http-cancel", MFD_CLOEXEC);
        Outcome o = { .cancel_at = 1 };
        struct stat st;

        printf("%s\n", __func__);

        /* 20 MiB at 10 MiB/s: cancelled at the first progress report, long before the end. */
        fetch_path("/big.bin?rate=10", &(HttpOptions) { .output_fd = fd }, &o);
        ASSERT_ERROR(o.error, ECANCELED);
        ASSERT_TRUE(o.reason);
        ASSERT_NOT_NULL(strstr(o.reason, "/big.bin"));
        ASSERT_GE(o.max_workers, 1);
        ASSERT_OK_ZERO_ERRNO(fstat(fd, &st));
        ASSERT_LT(st.st_size, BIG_SIZE);
        assert_no_workers();
        outcome_done(&o);

        /* Cancelled once the whole body is in, while the worker may still hash its tail: a small
         * body arrives in one piece, so the first progress report sees all of it. */
        o = (Outcome) { .cancel_at = strlen(small) };
        fetch_path("/small.txt", &(HttpOptions) { .output_fd = fd }, &o);
        ASSERT_ERROR(o.error, ECANCELED);
        assert_no_workers();
        outcome_done(&o);
}

static void test_concurrent(void) {
        Outcome o[N_CONCURRENT] = {};
        char *content[N_CONCURRENT];
        size_t size[N_CONCURRENT];

        printf("%s\n", __func__);

        for (size_t i = 0; i < N_CONCURRENT; i++) {
                char name[32], url[256];

                size[i] = i * 4099 + 1;
                content[i] = test_make_content(size[i], i + 100);
                snprintf(name, sizeof(name), "file-%zu", i);
                write_root_file(name, content[i], size[i]);
                snprintf(url, sizeof(url), "%s/%s", base, name);
                ASSERT_OK_ZERO(http_get(client, url, NULL, on_done, &o[i], NULL));
        }
        ASSERT_EQ(http_client_active(client), N_CONCURRENT);

        run_until_done(o, N_CONCURRENT);
        ASSERT_EQ(http_client_active(client), 0);

        for (size_t i = 0; i < N_CONCURRENT; i++) {
                assert_body(&o[i], content[i], size[i]);
                ASSERT_EQ(o[i].result.status, 200);
                outcome_done(&o[i]);
                free(content[i]);
        }
}

static usec_t cpu_time(void) {
        struct rusage ru;

        ASSERT_OK_ZERO_ERRNO(getrusage(RUSAGE_SELF, &ru));
        return (usec_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * USEC_PER_SEC +
               (usec_t) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static void test_idle_while_stalled(void) {
        usec_t start, cpu;
        Outcome o = {};

        printf("%s\n", __func__);

        /* The server stalls for a second in the middle of the body: the loop must sleep through it. */
        start = now_monotonic();
        cpu = cpu_time();
        fetch_path("/slow", NULL, &o);
        cpu = cpu_time() - cpu;
        printf("  %.3f s for /slow, %.3f s of CPU\n", (double) (now_monotonic() - start) / USEC_PER_SEC,
               (double) cpu / USEC_PER_SEC);
        ASSERT_GE(now_monotonic() - start, 900 * USEC_PER_MSEC);
        ASSERT_LT(cpu, 200 * USEC_PER_MSEC);
        assert_body(&o, "slow start||slow end\n", 21);
        outcome_done(&o);
}

static void test_free_while_running(void) {
        HttpClient *c = NULL;
        int fd[2];
        Outcome o[2] = {};
        char url[256];

        printf("%s\n", __func__);

        /* Freeing the client cancels without calling back (and leaks nothing, under ASAN). */
        ASSERT_OK_ZERO(http_client_new(event, &c));
        snprintf(url, sizeof(url), "%s/slow", base);
        ASSERT_OK_ZERO(http_get(c, url, NULL, on_done, &o[0], NULL));
        ASSERT_OK_ZERO(http_get(c, url, NULL, on_done, &o[1], NULL));
        for (unsigned i = 0; i < 20; i++)
                ASSERT_OK(sd_event_run(event, 10 * USEC_PER_MSEC));
        ASSERT_EQ(http_client_active(c), 2);
        c = http_client_free(c);
        ASSERT_FALSE(o[0].done);
        ASSERT_FALSE(o[1].done);
        for (unsigned i = 0; i < 5; i++)
                ASSERT_OK(sd_event_run(event, 10 * USEC_PER_MSEC));

        /* Also with workers hashing big bodies into readable files. */
        ASSERT_OK_ZERO(http_client_new(event, &c));
        snprintf(url, sizeof(url), "%s/big.bin?rate=10", base);
        for (unsigned i = 0; i < 2; i++) {
                fd[i] = memfd_create("test-http-free", MFD_CLOEXEC);
                ASSERT_GE(fd[i], 0);
                ASSERT_OK_ZERO(http_get(c, url, &(HttpOptions) { .output_fd = fd[i], .progress = on_progress }, on_done,
                                &o[i], NULL));
        }
        while (o[0].n_progress == 0 || o[1].n_progress == 0)
                ASSERT_OK(sd_event_run(event, USEC_PER_SEC));
        ASSERT_EQ(count_workers(), 2);
        c = http_client_free(c);
        assert_no_workers();
        ASSERT_FALSE(o[0].done);
        ASSERT_FALSE(o[1].done);
        for (unsigned i = 0; i < 5; i++)
                ASSERT_OK(sd_event_run(event, 10 * USEC_PER_MSEC));
        for (unsigned i = 0; i < 2; i++)
                close(fd[i]);
}

static void start_server(const char *script) {
        char line[32] = {};
        int pipefd[2], status;
        size_t n = 0;

        ASSERT_OK_ZERO_ERRNO(pipe2(pipefd, O_CLOEXEC));
        server_pid = fork();
        ASSERT_GE(server_pid, 0);
        if (server_pid == 0) {
                /* Should this test crash, the server must not outlive it (meson waits for its stdout). */
                if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || dup2(pipefd[1], STDOUT_FILENO) < 0)
                        _exit(EXIT_FAILURE);
                execlp("python3", "python3", script, root, (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);

        /* The first line is the port; nothing at all means the server did not start. The pipe stays
         * open until the whole line is read, else the server's write of the rest would fail. */
        while (n < sizeof(line) - 1 && !strchr(line, '\n')) {
                ssize_t k = read(pipefd[0], line + n, sizeof(line) - 1 - n);
                if (k <= 0)
                        break;
                n += (size_t) k;
        }
        close(pipefd[0]);
        if (!strchr(line, '\n')) {
                ASSERT_EQ(waitpid(server_pid, &status, 0), server_pid);
                if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
                        test_skip("python3 not found, for the test server");
                TEST_FAIL("test server did not start");
        }
        snprintf(base, sizeof(base), "http://127.0.0.1:%i", atoi(line));
}

static void stop_server(void) {
        ASSERT_OK_ZERO_ERRNO(kill(server_pid, SIGTERM));
        ASSERT_EQ(waitpid(server_pid, NULL, 0), server_pid);
}

static void remove_root(void) {
        char cmd[sizeof(root) + 16];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        ASSERT_OK_ZERO(system(cmd));
}

int main(int argc, char *argv[]) {
        ASSERT_EQ(argc, 2);
        ASSERT_NOT_NULL(mkdtemp(root));

        write_root_file("small.txt", small, strlen(small));
        big = test_make_content(BIG_SIZE, 1);
        write_root_file("big.bin", big, BIG_SIZE);
        write_root_file("empty.bin", "", 0);

        start_server(argv[1]);
        ASSERT_OK(sd_event_new(&event));
        ASSERT_OK_ZERO(http_client_new(event, &client));

        test_memory_small();
        test_fd_big();
        test_fd_readable_big();
        test_fd_readable_empty();
        test_max_size_exact();
        test_max_size_from_length();
        test_max_size_streaming();
        test_http_errors_are_results();
        test_error_body_not_in_file();
        test_s3_signed_follows_no_redirect();
        test_etag();
        test_poisoned_validators();
        test_if_modified_since();
        test_redirects();
        test_connection_refused();
        test_file_url();
        test_timeout();
        test_cancel();
        test_cancel_while_hashing();
        test_concurrent();
        test_idle_while_stalled();
        test_free_while_running();

        client = http_client_free(client);
        event = sd_event_unref(event);
        stop_server();
        remove_root();
        free(big);
        return 0;
}
