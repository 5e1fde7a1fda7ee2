/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* upkeep-notify: the push trigger. Run by upkeep-notify@.service for one connection accepted by
 * upkeep-notify.socket (Accept=yes: the connection is stdin and stdout), it reads one HTTP request,
 * "POST /notify/APP" with "Authorization: Bearer SECRET", answers at once, and then asks upkeepd over
 * the system bus to check APP, as an unprivileged user that polkit allows nothing but checks.
 *
 * The answers say nothing beyond their status: 202 (a check is started), 400 (not a request this
 * endpoint understands), 401 (wrong or missing secret), 404 (no such app, or no secret for it), 405,
 * 429 (the app was notified less than --interval ago), 500. The secret of APP is the file
 * /etc/upkeep/notify/APP.secret, readable by root and the upkeep-notify user only (or APP.secret in
 * $CREDENTIALS_DIRECTORY, for an operator who hands them over as credentials), compared in constant
 * time. */
#include <fcntl.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "app-config.h"
#include "bus-names.h"
#include "cli.h"
#include "fileio.h"
#include "log.h"
#include "macro.h"
#include "sha256.h"
#include "time-util.h"

#define REQUEST_MAX 8192U                       /* request line and headers */
#define BODY_MAX 65536U                         /* read and dropped, so that closing resets nothing */
#define REQUEST_TIMEOUT (5 * USEC_PER_SEC)
#define SECRET_MIN 16U
#define SECRET_MAX 4096U
#define NOTIFY_SECRET_DIR SYSCONFDIR "/upkeep/notify"

static usec_t arg_interval = 10 * USEC_PER_SEC;

static int help(void) {
        printf("%s [OPTIONS...]\n\n"
               "Answer one HTTP request on stdin/stdout: POST /notify/APP with\n"
               "\"Authorization: Bearer SECRET\" starts a check of APP by upkeepd.\n"
               "Run by upkeep-notify@.service for each connection of upkeep-notify.socket.\n\n"
               "Options:\n"
               "  -h --help          Show this help\n"
               "     --version       Show package version\n"
               "     --interval=SPAN At most one check of an app per SPAN (default 10s)\n\n"
               "The secret of APP is read from %s/APP.secret (or from APP.secret in\n"
               "$CREDENTIALS_DIRECTORY when set); the time of each app's last check is kept in\n"
               "$RUNTIME_DIRECTORY.\n\n"
               "Exit status: 0 a request was answered (whatever its status), 1 failure,\n"
               "2 invalid command line.\n"
               "See the upkeep-notify(8) man page for details.\n",
               program_invocation_short_name, NOTIFY_SECRET_DIR);
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_INTERVAL = _CLI_ARG_MAX,
        };
        static const struct option options[] = {
                CLI_COMMON_OPTIONS,
                { "interval", required_argument, NULL, ARG_INTERVAL },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_INTERVAL:
                        if (parse_timespan(optarg, &arg_interval) < 0) {
                                log_error("Invalid --interval=: %s", optarg);
                                return -EINVAL;
                        }
                        break;
                default:
                        return cli_common_option(c, help);
                }

        if (optind < argc) {
                log_error("%s takes no arguments.", program_invocation_short_name);
                return -EINVAL;
        }
        return 1;
}

/* Reads into buf until it holds the end of the headers, the buffer is full, or the deadline passes.
 * Returns the bytes read, or -ETIMEDOUT, -EMSGSIZE, -ECONNRESET. */
static ssize_t read_headers(int fd, char *buf, size_t size, usec_t deadline, size_t *ret_header_end) {
        size_t n = 0;

        for (;;) {
                char *end;
                usec_t now = now_monotonic();
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t k;

                if (now >= deadline)
                        return -ETIMEDOUT;
                if (n == size)
                        return -EMSGSIZE;
                k = poll(&p, 1, (int) ((deadline - now + 999) / 1000));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -ETIMEDOUT;

                k = read(fd, buf + n, size - n);
                if (k < 0) {
                        if (IN_SET(errno, EINTR, EAGAIN))
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -ECONNRESET;
                n += (size_t) k;

                end = memmem(buf, n, "\r\n\r\n", 4);
                if (end) {
                        *ret_header_end = (size_t) (end - buf) + 4;
                        return (ssize_t) n;
                }
        }
}

/* Drops up to want more bytes of body, within the deadline. */
static void drain(int fd, size_t want, usec_t deadline) {
        char buf[4096];

        while (want > 0) {
                usec_t now = now_monotonic();
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t k;

                if (now >= deadline || poll(&p, 1, (int) ((deadline - now + 999) / 1000)) <= 0)
                        return;
                k = read(fd, buf, MIN(want, sizeof buf));
                if (k <= 0)
                        return;
                want -= (size_t) k;
        }
}

static void respond(int fd, int status) {
        const char *reason;
        char buf[256];
        int n;

        switch (status) {
        case 202: reason = "Accepted"; break;
        case 400: reason = "Bad Request"; break;
        case 401: reason = "Unauthorized"; break;
        case 404: reason = "Not Found"; break;
        case 405: reason = "Method Not Allowed"; break;
        case 429: reason = "Too Many Requests"; break;
        default:  reason = "Internal Server Error"; status = 500; break;
        }

        /* The status line says it all: no body that could tell an attacker more. */
        n = snprintf(buf, sizeof buf,
                     "HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n%s%s\r\n",
                     status, reason,
                     status == 401 ? "WWW-Authenticate: Bearer\r\n" : "",
                     status == 405 ? "Allow: POST\r\n" : "");
        (void) loop_write(fd, buf, (size_t) n);
}

/* The value of header name (case-insensitive), without surrounding blanks, or NULL. The headers are
 * lines from headers to end, each ended by two NULs (where their CRLF was). A header given twice
 * counts as malformed: *ret_twice is set. */
static char *find_header(char *headers, const char *end, const char *name, bool *ret_twice) {
        size_t n = strlen(name);
        char *found = NULL;

        for (char *line = headers; line < end; line += strlen(line) + 2) {
                char *v, *e;

                if (strncasecmp(line, name, n) != 0 || line[n] != ':')
                        continue;
                if (found)
                        *ret_twice = true;

                v = line + n + 1;
                v += strspn(v, " \t");
                e = v + strlen(v);
                while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
                        *--e = 0;
                found = v;
        }
        return found;
}

/* The secret of app: -ENOENT when there is none, or none usable. */
static int load_secret(const char *app, char **ret, size_t *ret_size) {
        _cleanup_free_ char *path = NULL, *s = NULL;
        const char *dir = getenv("CREDENTIALS_DIRECTORY");
        size_t n;
        int r;

        if (asprintf(&path, "%s/%s.secret", isempty(dir) ? NOTIFY_SECRET_DIR : dir, app) < 0)
                return -ENOMEM;

        r = read_file_at(AT_FDCWD, path, SECRET_MAX, &s, &n);
        if (r == -EFBIG)
                log_warning("The notify secret of %s is longer than %u bytes; refusing to use it.", app, SECRET_MAX);
        if (r < 0)
                return r == -EFBIG ? -ENOENT : r;

        /* A trailing newline, as "echo SECRET >file" leaves, is not part of it. */
        while (n > 0 && IN_SET(s[n - 1], '\n', '\r', ' ', '\t'))
                s[--n] = 0;
        if (n < SECRET_MIN) {
                log_warning("The notify secret of %s is shorter than %u bytes; refusing to use it.", app, SECRET_MIN);
                return -ENOENT;
        }

        *ret = TAKE_PTR(s);
        *ret_size = n;
        return 0;
}

/* Constant time whatever the inputs: the digests, of equal length, are compared with CRYPTO_memcmp, so
 * neither the secret's content nor its length shows in the time taken. */
static bool secret_matches(const char *given, const char *secret, size_t secret_size) {
        uint8_t a[SHA256_SIZE], b[SHA256_SIZE];

        if (sha256_iovec(&(struct iovec) { (void *) given, strlen(given) }, 1, a) < 0 ||
            sha256_iovec(&(struct iovec) { (void *) secret, secret_size }, 1, b) < 0)
                return false;
        return CRYPTO_memcmp(a, b, SHA256_SIZE) == 0;
}

/* At most one check of an app per arg_interval, across the processes of all connections: a file per
 * app in the runtime directory, whose mtime is the last accepted notification, under flock(). Returns
 * 1 when this notification may go ahead, 0 when it comes too soon. */
static int rate_limit(const char *app) {
        _cleanup_close_ int dir_fd = -EBADF, fd = -EBADF;
        const char *dir = getenv("RUNTIME_DIRECTORY");
        struct timespec ts;
        struct stat st;
        usec_t now = now_realtime(), last;

        if (isempty(dir))
                return log_error_errno(ENOENT, "RUNTIME_DIRECTORY is not set; refusing to run unlimited."), -ENOENT;

        dir_fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
        if (dir_fd < 0)
                return -errno;
        fd = openat(dir_fd, app, O_RDWR|O_CREAT|O_CLOEXEC|O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0)
                return -errno;

        last = (usec_t) st.st_mtim.tv_sec * USEC_PER_SEC + (usec_t) st.st_mtim.tv_nsec / 1000;
        /* A new file has the mtime of now; its size 0 says no notification was accepted yet. */
        if (st.st_size > 0 && now >= last && now - last < arg_interval)
                return 0;

        ts = (struct timespec) { .tv_sec = (time_t) (now / USEC_PER_SEC), .tv_nsec = (long) (now % USEC_PER_SEC) * 1000 };
        if (st.st_size == 0 && loop_write(fd, "1", 1) < 0)
                return -EIO;
        if (futimens(fd, (const struct timespec[2]) { ts, ts }) < 0)
                return -errno;
        return 1;
}

/* App.Check() on upkeepd, after the client has its answer: this process serves no one else, so it
 * may wait for the job's path, which upkeepd returns at once, to log what became of it. */
static int start_check(const char *app) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *path = NULL;
        const char *job;
        int r;

        r = sd_bus_path_encode(UPKEEP_APP_PATH_PREFIX, app, &path);
        if (r < 0)
                return log_oom();

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");

        r = sd_bus_call_method(bus, UPKEEP_BUS_NAME, path, UPKEEP_APP_INTERFACE, "Check", &error, &reply, NULL);
        if (r < 0)
                return log_error_errno(r, "Check of %s refused: %s", app, error.message ?: strerror(-r));

        r = sd_bus_message_read(reply, "o", &job);
        if (r < 0)
                return log_error_errno(r, "Unexpected reply to Check of %s: %m", app);

        log_info("Notified: check of %s started as %s.", app, job);
        return 0;
}

static int serve(int in_fd, int out_fd) {
        _cleanup_free_ char *buf = NULL, *secret = NULL, *config = NULL;
        char *method, *target, *version, *headers, *auth, *app, *length;
        size_t header_end = 0, secret_size = 0, body = 0;
        usec_t deadline = now_monotonic() + REQUEST_TIMEOUT;
        ssize_t n;
        int r;

        buf = malloc(REQUEST_MAX + 1);
        if (!buf)
                return respond(out_fd, 500), log_oom();

        n = read_headers(in_fd, buf, REQUEST_MAX, deadline, &header_end);
        if (n < 0) {
                if (n != -ECONNRESET)
                        respond(out_fd, 400);
                return log_info_errno((int) n, "Request not read: %m"), 0;
        }
        buf[header_end - 2] = 0;  /* the headers end with their last CRLF */

        /* "METHOD SP TARGET SP HTTP/1.x CRLF" and nothing else. */
        method = buf;
        headers = strstr(buf, "\r\n");
        if (!headers)
                return respond(out_fd, 400), 0;
        *headers = 0;
        headers += 2;
        target = strchr(method, ' ');
        version = target ? strchr(target + 1, ' ') : NULL;
        if (!version)
                return respond(out_fd, 400), 0;
        *target++ = 0;
        *version++ = 0;
        if (!IN_SET_STR(version, "HTTP/1.0", "HTTP/1.1") || str_has_control_chars(target))
                return respond(out_fd, 400), 0;

        if (strncmp(target, "/notify/", 8) != 0)
                return respond(out_fd, 404), 0;
        app = target + 8;
        if (!app_name_is_valid(app))
                return respond(out_fd, 404), 0;
        if (!streq(method, "POST"))
                return respond(out_fd, 405), 0;

        /* Every CRLF becomes two NULs: each header line a string of its own. */
        char *headers_end = buf + header_end - 2;
        for (char *p = headers; (p = memmem(p, (size_t) (headers_end - p), "\r\n", 2)); p += 2)
                p[0] = p[1] = 0;
        bool twice = false;
        auth = find_header(headers, headers_end, "Authorization", &twice);
        length = find_header(headers, headers_end, "Content-Length", &twice);
        if (twice)
                return respond(out_fd, 400), 0;
        if (length) {
                char *end;
                unsigned long long v;

                errno = 0;
                v = strtoull(length, &end, 10);
                if (errno != 0 || end == length || *end || length[0] == '-' || v > BODY_MAX)
                        return respond(out_fd, 400), 0;
                body = (size_t) v;
                body -= MIN(body, (size_t) n - header_end);
        }

        r = app_config_find(APP_CONFIG_DIRS, app, &config);
        if (r == -ENOENT)
                return respond(out_fd, 404), 0;
        if (r >= 0)
                r = load_secret(app, &secret, &secret_size);
        if (r == -ENOENT)
                return respond(out_fd, 404), 0;
        if (r < 0) {
                respond(out_fd, 500);
                return log_error_errno(r, "Failed to look up the notify secret of %s: %m", app);
        }

        if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 || !secret_matches(auth + 7 + strspn(auth + 7, " "), secret, secret_size)) {
                log_notice("Refused a notification of %s: wrong or missing secret.", app);
                return respond(out_fd, 401), 0;
        }

        r = rate_limit(app);
        if (r < 0) {
                respond(out_fd, 500);
                return log_error_errno(r, "Failed to rate-limit notifications of %s: %m", app);
        }
        if (r == 0) {
                log_info("Notification of %s within %s of the last one: answered 429.", app,
                         format_timespan((char[64]) {}, 64, arg_interval));
                return respond(out_fd, 429), 0;
        }

        drain(in_fd, body, deadline);
        respond(out_fd, 202);
        /* The client has its answer and its connection closed before the bus is touched. */
        (void) shutdown(out_fd, SHUT_RDWR);
        (void) close(out_fd);
        if (in_fd != out_fd)
                (void) close(in_fd);

        return start_check(app);
}

int main(int argc, char *argv[]) {
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;

        r = serve(STDIN_FILENO, STDOUT_FILENO);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
