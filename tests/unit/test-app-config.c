/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app-config.h"
#include "fault.h"
#include "macro.h"
#include "strv.h"
#include "test-util.h"
#include "tests.h"

static char tmpdir[] = "/tmp/test-app-config-XXXXXX";

/* Writes tmpdir/dir/name (creating dir), returns the path. */
static char *write_config(const char *dir, const char *name, const char *content) {
        char *d, *path;
        FILE *f;

        ASSERT_GT(asprintf(&d, "%s/%s", tmpdir, dir), 0);
        ASSERT_TRUE(mkdir(d, 0755) == 0 || errno == EEXIST);
        ASSERT_GT(asprintf(&path, "%s/%s", d, name), 0);
        free(d);

        f = fopen(path, "we");
        ASSERT_NOT_NULL(f);
        ASSERT_OK_ERRNO(fputs(content, f));
        ASSERT_OK_ZERO_ERRNO(fclose(f));
        return path;
}

/* Writes the config as write_config() does and loads it, which must succeed. */
static AppConfig *load_config(const char *dir, const char *name, const char *content) {
        _cleanup_free_ char *path = write_config(dir, name, content);
        AppConfig *c = NULL;

        ASSERT_OK_ZERO(app_config_load(path, &c));
        return c;
}

static char *dir_path(const char *dir) {
        char *d;

        ASSERT_GT(asprintf(&d, "%s/%s", tmpdir, dir), 0);
        return d;
}

/* Runs app_config_load() with stderr captured, so tests can check what an operator would read. */
static int load_logged(const char *path, AppConfig **ret, char **ret_log) {
        char logpath[] = "/tmp/test-app-config-log-XXXXXX";
        _cleanup_close_ int log_fd = -EBADF, saved = -EBADF;
        char buf[4096];
        ssize_t n;
        int r;

        log_fd = mkostemp(logpath, O_CLOEXEC);
        ASSERT_GE(log_fd, 0);
        ASSERT_OK_ZERO_ERRNO(unlink(logpath));

        fflush(stderr);
        saved = dup(STDERR_FILENO);
        ASSERT_GE(saved, 0);
        ASSERT_EQ(dup2(log_fd, STDERR_FILENO), STDERR_FILENO);

        r = app_config_load(path, ret);

        fflush(stderr);
        ASSERT_EQ(dup2(saved, STDERR_FILENO), STDERR_FILENO);

        n = pread(log_fd, buf, sizeof buf - 1, 0);
        ASSERT_GE(n, 0);
        buf[n] = 0;
        fputs(buf, stderr);  /* still visible in the test log */

        *ret_log = strdup(buf);
        ASSERT_TRUE(*ret_log);
        return r;
}

/* The file is refused, and the error names the file, the line and (if given) the key. */
static void assert_refused(const char *content, unsigned line, const char *key) {
        _cleanup_free_ char *path = write_config("refused", "app.app", content), *log = NULL, *where = NULL;
        AppConfig *c = NULL;

        ASSERT_ERROR(load_logged(path, &c, &log), EINVAL);
        ASSERT_NULL(c);

        if (line > 0)
                ASSERT_GT(asprintf(&where, "%s:%u:", path, line), 0);
        else
                ASSERT_GT(asprintf(&where, "%s:", path), 0);
        if (!strstr(log, where) || (key && !strstr(log, key))) {
                TEST_FAIL("expected an error with \"%s\" and \"%s\", got: %s", where, strempty(key), log);
        }
}

#define MINIMAL "[App]\nSource=https://example.com/releases/\nExec=bin/app\n"

static void test_full(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;
        _cleanup_free_ char *path = NULL, *log = NULL;

        printf("%s\n", __func__);

        path = write_config("full", "example.app",
                            "# An example app\n"
                            "; with both kinds of comments\n"
                            "\n"
                            "[App]\n"
                            "Description=Example web service\n"
                            "Source=https://releases.example.com/example/\n"
                            "PublicKey=RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n"
                            "Exec=bin/example -listen 127.0.0.1:8080\n"
                            "\n"
                            "[Update]\n"
                            "Policy=minor\n"
                            "Window=Mon..Fri 09..17\n"
                            "Delay=72h\n"
                            "Jitter=30min\n"
                            "Keep=5\n"
                            "TrialSec=1min 30s\n"
                            "HealthCheck=http://127.0.0.1:8080/healthz\n"
                            "CommandsAsService=no\n"
                            "\n"
                            "[Service]\n"
                            "User=example\n"
                            "Environment=A=1\n"
                            "ProtectSystem=strict\n"
                            "\n"
                            "[Socket]\n"
                            "ListenStream=127.0.0.1:8080\n");

        ASSERT_OK_ZERO(load_logged(path, &c, &log));
        ASSERT_STREQ(log, "");  /* nothing to warn about */

        ASSERT_STREQ(c->name, "example");
        ASSERT_STREQ(c->path, path);
        ASSERT_STREQ(c->description, "Example web service");
        ASSERT_STREQ(c->source, "https://releases.example.com/example/");
        ASSERT_STREQ(c->public_key, "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3");
        ASSERT_STREQ(c->exec, "bin/example -listen 127.0.0.1:8080");
        ASSERT_EQ(c->policy, UPDATE_POLICY_MINOR);
        ASSERT_STREQ(c->window, "Mon..Fri 09..17");
        ASSERT_EQ(c->delay, 72 * USEC_PER_HOUR);
        ASSERT_EQ(c->jitter, 30 * USEC_PER_MINUTE);
        ASSERT_EQ(c->keep, 5);
        ASSERT_EQ(c->trial_sec, 90 * USEC_PER_SEC);
        ASSERT_STREQ(c->health_check, "http://127.0.0.1:8080/healthz");
        ASSERT_FALSE(c->commands_as_service);

        ASSERT_EQ(c->n_service_lines, 3);
        ASSERT_STREQ(c->service_lines[0].key, "User");
        ASSERT_STREQ(c->service_lines[0].value, "example");
        /* Only the first '=' splits: the value keeps its own. */
        ASSERT_STREQ(c->service_lines[1].key, "Environment");
        ASSERT_STREQ(c->service_lines[1].value, "A=1");
        ASSERT_STREQ(c->service_lines[2].key, "ProtectSystem");
        ASSERT_STREQ(c->service_lines[2].value, "strict");
        ASSERT_EQ(c->n_socket_lines, 1);
        ASSERT_STREQ(c->socket_lines[0].key, "ListenStream");
        ASSERT_STREQ(c->socket_lines[0].value, "127.0.0.1:8080");
}

static void test_defaults(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;

        printf("%s\n", __func__);

        c = load_config("defaults", "min.app", MINIMAL);

        ASSERT_STREQ(c->name, "min");
        ASSERT_NULL(c->description);
        ASSERT_NULL(c->public_key);
        ASSERT_EQ(c->policy, UPDATE_POLICY_PATCH);
        ASSERT_NULL(c->window);
        ASSERT_EQ(c->delay, 0);
        ASSERT_EQ(c->jitter, APP_CHECK_JITTER_DEFAULT);
        ASSERT_EQ(c->keep, APP_KEEP_DEFAULT);
        ASSERT_EQ(c->trial_sec, APP_TRIAL_SEC_DEFAULT);
        ASSERT_NULL(c->health_check);
        ASSERT_TRUE(c->commands_as_service);
        ASSERT_EQ(c->toolchain_policy, TOOLCHAIN_POLICY_FOLLOW);
        ASSERT_NULL(c->go_proxy);
        ASSERT_STREQ(app_config_go_proxy(c), APP_GO_PROXY_DEFAULT);
        ASSERT_NULL(c->go_build);
        ASSERT_STREQ(app_config_go_build(c), APP_GO_BUILD_DEFAULT);
        ASSERT_NULL(c->go_build_key);
        ASSERT_STREQ(app_config_go_dns(c), GOPHERWATCH_BASE_DEFAULT);
        ASSERT_FALSE(c->go_dnssec);
        ASSERT_FALSE(app_config_go_package(c));
        ASSERT_EQ(c->n_service_lines, 0);
        ASSERT_NULL(c->service_lines);
        ASSERT_EQ(c->n_socket_lines, 0);
        ASSERT_NULL(c->socket_lines);
}

static void test_sources(void) {
        static const char *const good[] = {
                "https://example.com/x/", "http://10.0.0.1:8080/channel/", "file:///srv/releases/",
                "file:///", "go:example.com/cmd/tool", "go:golang.org/toolchain",
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_(app_config_freep) AppConfig *c = NULL;
                _cleanup_free_ char *content = NULL;

                ASSERT_GT(asprintf(&content, "[App]\nSource=%s\nExec=app\n", good[i]), 0);
                c = load_config("sources", "s.app", content);
                ASSERT_STREQ(c->source, good[i]);
        }
}

static void test_go_source(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL, *d = NULL;

        printf("%s\n", __func__);

        c = load_config("go", "tool.app",
                        "[App]\n"
                        "Source=go:github.com/mjl-/moxtools\n"
                        "Exec=tool -listen localhost:8080\n"
                        "GoProxy=file:///srv/goproxy/\n"
                        "GoBuild=http://127.0.0.1:8000/\n"
                        "GoBuildKey=beta.gobuilds.org+3979319f+AReBl47t6tEkc8Hf0QGQyJxGX5Yg2RYTmZtRq6L7j2Ej\n"
                        "[Update]\n"
                        "ToolchainPolicy=manual\n");
        ASSERT_STREQ(app_config_go_package(c), "github.com/mjl-/moxtools");
        ASSERT_STREQ(app_config_go_proxy(c), "file:///srv/goproxy/");
        ASSERT_STREQ(app_config_go_build(c), "http://127.0.0.1:8000/");
        ASSERT_STREQ(c->go_build_key, "beta.gobuilds.org+3979319f+AReBl47t6tEkc8Hf0QGQyJxGX5Yg2RYTmZtRq6L7j2Ej");
        ASSERT_EQ(c->toolchain_policy, TOOLCHAIN_POLICY_MANUAL);

        /* Every toolchain policy by name; empty values give the defaults back. */
        for (ToolchainPolicy p = 0; p < _TOOLCHAIN_POLICY_MAX; p++) {
                _cleanup_(app_config_freep) AppConfig *e = NULL;
                _cleanup_free_ char *content = NULL;

                ASSERT_GT(asprintf(&content, "[App]\nSource=go:example.com/x\nExec=x\n[Update]\nToolchainPolicy=%s\n",
                                toolchain_policy_to_string(p)), 0);
                e = load_config("go", "p.app", content);
                ASSERT_EQ(e->toolchain_policy, p);
        }

        d = load_config("go", "reset.app",
                        "[App]\nSource=go:example.com/x\nExec=x\nGoProxy=file:///a/\nGoProxy=\nGoBuild=https://b/\nGoBuild=\n"
                        "GoBuildKey=a+01234567+AQ\nGoBuildKey=\n[Update]\nToolchainPolicy=minor\nToolchainPolicy=\n");
        ASSERT_STREQ(app_config_go_proxy(d), APP_GO_PROXY_DEFAULT);
        ASSERT_STREQ(app_config_go_build(d), APP_GO_BUILD_DEFAULT);
        ASSERT_NULL(d->go_build_key);
        ASSERT_EQ(d->toolchain_policy, TOOLCHAIN_POLICY_FOLLOW);
}

static void test_s3_source(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL, *d = NULL;

        printf("%s\n", __func__);

        c = load_config("s3", "hello.app",
                        "[App]\n"
                        "Source=s3://releases-bkt/apps/hello/\n"
                        "Exec=bin/hello\n"
                        "S3Endpoint=http://127.0.0.1:9000\n"
                        "S3Region=garage\n"
                        "S3CredentialsFile=/etc/upkeep/credentials/shared.s3\n");
        ASSERT_STREQ(c->source, "s3://releases-bkt/apps/hello/");
        ASSERT_STREQ(c->s3_endpoint, "http://127.0.0.1:9000");
        ASSERT_STREQ(app_config_s3_region(c), "garage");
        ASSERT_STREQ(c->s3_credentials_file, "/etc/upkeep/credentials/shared.s3");

        d = load_config("s3", "defaults.app",
                        "[App]\nSource=s3://bkt\nExec=x\nS3Region=eu-west-1\nS3Region=\nS3Endpoint=https://m\nS3Endpoint=\n");
        ASSERT_NULL(d->s3_endpoint);
        ASSERT_STREQ(app_config_s3_region(d), S3_REGION_DEFAULT);
        ASSERT_NULL(d->s3_credentials_file);

        assert_refused("[App]\nSource=s3://Bad_Bucket/x/\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=s3://bkt/../x/\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=s3://bkt/x/\nExec=app\nS3Endpoint=https://key:secret@minio\n", 4, "S3Endpoint");
        assert_refused("[App]\nSource=s3://bkt/x/\nExec=app\nS3Endpoint=file:///srv\n", 4, "S3Endpoint");
        assert_refused("[App]\nSource=s3://bkt/x/\nExec=app\nS3Region=eu west\n", 4, "S3Region");
        assert_refused("[App]\nSource=s3://bkt/x/\nExec=app\nS3CredentialsFile=creds.s3\n", 4, "S3CredentialsFile");
}

/* GoDNS=: a domain, or empty for no lookup at all (not the default); GoDNSSEC= a boolean. */
static void test_go_dns(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL, *d = NULL, *e = NULL;

        printf("%s\n", __func__);

        c = load_config("godns", "a.app", "[App]\nSource=go:example.com/x\nExec=x\nGoDNS=gw.example.\nGoDNSSEC=yes\n");
        ASSERT_STREQ(app_config_go_dns(c), "gw.example.");
        ASSERT_TRUE(c->go_dnssec);

        d = load_config("godns", "b.app", "[App]\nSource=go:example.com/x\nExec=x\nGoDNS=gw.example\nGoDNS=\nGoDNSSEC=yes\nGoDNSSEC=\n");
        ASSERT_NULL(app_config_go_dns(d));
        ASSERT_FALSE(d->go_dnssec);

        e = load_config("godns", "c.app", "[App]\nSource=go:example.com/x\nExec=x\nGoDNS=\nGoDNS=l.gopherwatch.org\n");
        ASSERT_STREQ(app_config_go_dns(e), "l.gopherwatch.org");

        assert_refused("[App]\nSource=go:example.com/x\nExec=x\nGoDNS=a..b\n", 4, "GoDNS");
        assert_refused("[App]\nSource=go:example.com/x\nExec=x\nGoDNS=gw.example/x\n", 4, "GoDNS");
        assert_refused("[App]\nSource=go:example.com/x\nExec=x\nGoDNSSEC=sometimes\n", 4, "GoDNSSEC");
}

static void test_whitespace_and_comments(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;

        printf("%s\n", __func__);

        c = load_config("ws", "ws.app",
                        "\n   \n\t# indented comment\n"
                        "  [App]  \n"
                        "  Source  =   file:///srv/ws/  \r\n"
                        "Exec=\tbin/ws --flag  \n"
                        "Description = has # no inline comments\n"
                        "  ; another comment\n"
                        "[Update]\n"
                        "Keep = 2\n");
        ASSERT_STREQ(c->source, "file:///srv/ws/");
        ASSERT_STREQ(c->exec, "bin/ws --flag");
        ASSERT_STREQ(c->description, "has # no inline comments");
        ASSERT_EQ(c->keep, 2);
}

static void test_comment_after_value_explained(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;
        _cleanup_free_ char *path = NULL, *log = NULL;

        printf("%s\n", __func__);

        path = write_config("comment", "comment.app",
                            "[App]\nSource=https://a/   # channel URL\nExec=app\n");
        ASSERT_ERROR(load_logged(path, &c, &log), EINVAL);
        ASSERT_NOT_NULL(strstr(log, ":2: Invalid Source="));
        ASSERT_NOT_NULL(strstr(log, "comment only at the beginning of a line"));
}

static void test_quoted_exec_and_service_lines(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;

        printf("%s\n", __func__);

        c = load_config("quoted", "quoted.app",
                        "[App]\nSource=https://a/\nExec=\"bin/my app\" --x\n"
                        "[Service]\nExecCondition=/bin/true\nExecStartPre=/bin/true\n");
        ASSERT_STREQ(c->exec, "\"bin/my app\" --x");
        ASSERT_EQ(c->n_service_lines, 2);
        ASSERT_STREQ(c->service_lines[0].key, "ExecCondition");
}

static void test_last_value_wins_and_empty_resets(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;

        printf("%s\n", __func__);

        c = load_config("twice", "twice.app",
                        "[App]\n"
                        "Source=https://a.example/\n"
                        "Exec=bin/a\n"
                        "Description=first\n"
                        "[Update]\n"
                        "Policy=major\n"
                        "Keep=7\n"
                        "Delay=1h\n"
                        "Window=Sat 01..02\n"
                        "[App]\n"                           /* sections may come back */
                        "Source=https://b.example/\n"
                        "Description=\n"
                        "[Update]\n"
                        "Policy=manual\n"
                        "Keep=\n"
                        "Delay=\n"
                        "Window=\n");
        ASSERT_STREQ(c->source, "https://b.example/");
        ASSERT_NULL(c->description);
        ASSERT_EQ(c->policy, UPDATE_POLICY_MANUAL);
        ASSERT_EQ(c->keep, APP_KEEP_DEFAULT);
        ASSERT_EQ(c->delay, 0);
        ASSERT_NULL(c->window);
}

static void test_service_lines_in_order(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;
        static const char *const expected[][2] = {
                { "Environment", "A=1" },
                { "ExecStartPre", "" },
                { "Environment", "B=2" },
                { "ExecStartPre", "/bin/true" },
                { "Environment", "A=3" },
        };

        printf("%s\n", __func__);

        c = load_config("service", "svc.app",
                        MINIMAL
                        "[Service]\n"
                        "Environment=A=1\n"
                        "ExecStartPre=\n"
                        "# comment between\n"
                        "Environment = B=2\n"
                        "[Socket]\n"
                        "ListenStream=80\n"
                        "[Service]\n"
                        "ExecStartPre=/bin/true\n"
                        "Environment=A=3\n"
                        "[Socket]\n"
                        "ListenStream=443\n"
                        "FreeBind=yes\n");

        ASSERT_EQ(c->n_service_lines, ELEMENTSOF(expected));
        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                ASSERT_STREQ(c->service_lines[i].key, expected[i][0]);
                ASSERT_STREQ(c->service_lines[i].value, expected[i][1]);
        }

        ASSERT_EQ(c->n_socket_lines, 3);
        ASSERT_STREQ(c->socket_lines[0].value, "80");
        ASSERT_STREQ(c->socket_lines[1].value, "443");
        ASSERT_STREQ(c->socket_lines[2].key, "FreeBind");
}

static void test_unknown_key_and_section_warn(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;
        _cleanup_free_ char *path = NULL, *log = NULL, *key_at = NULL, *section_at = NULL;

        printf("%s\n", __func__);

        path = write_config("unknown", "unk.app",
                            MINIMAL                          /* lines 1-3 */
                            "Colour=blue\n"                  /* line 4 */
                            "[Update]\n"
                            "policy=major\n"                 /* line 6: keys are case-sensitive */
                            "[Install]\n"                    /* line 7 */
                            "WantedBy=multi-user.target\n"
                            "Policy=bogus\n"                 /* in an unknown section: not parsed */
                            "[Update]\n"
                            "Keep=4\n");

        ASSERT_OK_ZERO(load_logged(path, &c, &log));
        ASSERT_EQ(c->policy, UPDATE_POLICY_PATCH);
        ASSERT_EQ(c->keep, 4);

        ASSERT_GT(asprintf(&key_at, "%s:4:", path), 0);
        ASSERT_NOT_NULL(strstr(log, key_at));
        ASSERT_NOT_NULL(strstr(log, "Colour"));
        free(key_at);
        ASSERT_GT(asprintf(&key_at, "%s:6:", path), 0);
        ASSERT_NOT_NULL(strstr(log, key_at));
        ASSERT_NOT_NULL(strstr(log, "policy"));
        ASSERT_GT(asprintf(&section_at, "%s:7:", path), 0);
        ASSERT_NOT_NULL(strstr(log, section_at));
        ASSERT_NOT_NULL(strstr(log, "Install"));
        /* The lines of an unknown section are skipped quietly after the one warning. */
        ASSERT_NULL(strstr(log, "WantedBy"));
        ASSERT_NULL(strstr(log, "bogus"));
}

static void test_invalid_values(void) {
        printf("%s\n", __func__);

        assert_refused(MINIMAL "[Update]\nPolicy=sometimes\n", 5, "Policy");
        assert_refused(MINIMAL "[Update]\nPolicy=Patch\n", 5, "Policy");
        assert_refused(MINIMAL "[Update]\nDelay=3 fortnights\n", 5, "Delay");
        assert_refused(MINIMAL "[Update]\nDelay=-1h\n", 5, "Delay");
        assert_refused(MINIMAL "[Update]\nJitter=soon\n", 5, "Jitter");
        assert_refused(MINIMAL "[Update]\nTrialSec=5x\n", 5, "TrialSec");
        assert_refused(MINIMAL "[Update]\nCommandsAsService=maybe\n", 5, "CommandsAsService");
        assert_refused(MINIMAL "[Update]\nKeep=1\n", 5, "Keep");
        assert_refused(MINIMAL "[Update]\nKeep=0\n", 5, "Keep");
        assert_refused(MINIMAL "[Update]\nKeep=-3\n", 5, "Keep");
        assert_refused(MINIMAL "[Update]\nKeep=three\n", 5, "Keep");
        assert_refused(MINIMAL "[Update]\nKeep=3x\n", 5, "Keep");
        assert_refused(MINIMAL "[Update]\nKeep=99999999999999999999\n", 5, "Keep");
        assert_refused(MINIMAL "[Update]\nWindow=Mon..Fri; rm -rf /\n", 5, "Window");
        assert_refused(MINIMAL "[Update]\nWindow=Mon..Fri 09..17 'x'\n", 5, "Window");
        assert_refused("[App]\nSource=ftp://example.com/\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=example.com/releases\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=https://\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=go:\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=go:fmt\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=go:example.com//x\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=go:example.com/x@v1.0.0\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=go:Example.com/x\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=go:https://example.com/x\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=go:example.com/x\nExec=app\nGoProxy=proxy.golang.org\n", 4, "GoProxy");
        assert_refused("[App]\nSource=go:example.com/x\nExec=app\nGoProxy=ftp://x/\n", 4, "GoProxy");
        assert_refused("[App]\nSource=go:example.com/x\nExec=app\nGoBuild=gobuilds.org\n", 4, "GoBuild");
        assert_refused("[App]\nSource=go:example.com/x\nExec=app\nGoBuildKey=nokey\n", 4, "GoBuildKey");
        assert_refused("[App]\nSource=go:example.com/x\nExec=app\nGoBuildKey=name+123+AQ\n", 4, "GoBuildKey");
        assert_refused("[App]\nSource=go:example.com/x\nExec=app\nGoBuildKey=+01234567+AQ\n", 4, "GoBuildKey");
        assert_refused("[App]\nSource=go:example.com/x\nExec=app\nGoBuildKey=a+01234567+\n", 4, "GoBuildKey");
        assert_refused("[App]\nSource=go:example.com/x\nExec=app\nGoBuildKey=a b+01234567+AQ\n", 4, "GoBuildKey");
        assert_refused(MINIMAL "[Update]\nToolchainPolicy=latest\n", 5, "ToolchainPolicy");
        assert_refused(MINIMAL "[Update]\nToolchainPolicy=Follow\n", 5, "ToolchainPolicy");
        assert_refused("[App]\nSource=file://relative/\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=https://a b/\nExec=app\n", 2, "Source");
        assert_refused("[App]\nSource=https://a/\nExec=/usr/bin/app\n", 3, "Exec");
        assert_refused("[App]\nSource=https://a/\nExec=../../bin/sh -c x\n", 3, "Exec");
        assert_refused("[App]\nSource=https://a/\nExec=bin/../../x\n", 3, "Exec");
        /* A quoted program is checked as well as a bare one. */
        assert_refused("[App]\nSource=https://a/\nExec=\"../x\" --flag\n", 3, "Exec");
        assert_refused("[App]\nSource=https://a/\nExec='/usr/bin/app'\n", 3, "Exec");
        assert_refused("[App]\nSource=https://a/\nExec=\"bin/a b/../../../x\"\n", 3, "Exec");
        assert_refused("[App]\nSource=https://a/\nExec=\"bin/app\n", 3, "Exec");
        assert_refused("[App]\nSource=https://a/\nExec=\"\" x\n", 3, "Exec");
        /* What would undo the generated ExecStart= or the trial check. */
        assert_refused(MINIMAL "[Service]\nExecStart=/bin/sh\n", 5, "ExecStart");
        assert_refused(MINIMAL "[Service]\nUser=app\nExecCondition=\n", 6, "ExecCondition");
        assert_refused("[App]\nSource=https://a/\nExec=app\nPublicKey=not a key\n", 4, "PublicKey");
        assert_refused("[App]\nSource=https://a/\nExec=app\nPublicKey=relative/key.pub\n", 4, "PublicKey");
        assert_refused(MINIMAL "[Update]\nInstallHook=bin/migrate \"unterminated\n", 5, "InstallHook");
        assert_refused(MINIMAL "[Update]\nInstallHook=../../bin/sh -c x\n", 5, "InstallHook");
        assert_refused(MINIMAL "[Update]\nInstallHook=bin/x trailing\\\n", 5, "InstallHook");
        assert_refused(MINIMAL "[Update]\nHealthCheck=https://127.0.0.1/healthz\n", 5, "HealthCheck");
        assert_refused(MINIMAL "[Update]\nHealthCheck=bin/../../check\n", 5, "HealthCheck");
        assert_refused(MINIMAL "[Update]\nHealthCheck='bin/check\n", 5, "HealthCheck");
        assert_refused(MINIMAL "[Update]\nHealthCheck=http://127.0.0.1/a b\n", 5, "HealthCheck");
}

static void test_install_hooks(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL, *d = NULL;
        _cleanup_free_ char *path = NULL, *log = NULL;

        printf("%s\n", __func__);

        path = write_config("hooks", "hooks.app",
                            MINIMAL
                            "[Update]\n"
                            "InstallHook=/usr/bin/forgotten\n"
                            "InstallHook=\n"
                            "InstallHook=bin/migrate --from \"$UPKEEP_OLD_VERSION\"\n"
                            "InstallHook=/usr/local/bin/warm-cache\n");
        ASSERT_OK_ZERO(load_logged(path, &c, &log));
        ASSERT_STREQ(log, "");
        /* In order, as written; the empty value dropped the ones before it. */
        ASSERT_EQ(strv_length(c->install_hooks), 2);
        ASSERT_STREQ(c->install_hooks[0], "bin/migrate --from \"$UPKEEP_OLD_VERSION\"");
        ASSERT_STREQ(c->install_hooks[1], "/usr/local/bin/warm-cache");

        path = mfree(path);
        d = load_config("hooks", "none.app", MINIMAL);
        ASSERT_NULL(d->install_hooks);
}

static void test_faults(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL, *d = NULL, *e = NULL;
        _cleanup_free_ char *path = NULL, *log = NULL;

        printf("%s\n", __func__);

        d = load_config("faults", "default.app", MINIMAL);
        ASSERT_EQ(d->fault_keep, FAULT_KEEP_DEFAULT);
        ASSERT_NULL(d->fault_files);

        c = load_config("faults", "set.app",
                        "[App]\nSource=https://example.com/x/\nPublicKey=RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n"
                        "Exec=bin/x\nFaultKeep=0\nFaultFiles=forgotten\nFaultFiles=\nFaultFiles=*.log crash/*.txt\n");
        ASSERT_EQ(c->fault_keep, 0U);
        ASSERT_EQ(strv_length(c->fault_files), 2U);
        ASSERT_STREQ(c->fault_files[0], "*.log");
        ASSERT_STREQ(c->fault_files[1], "crash/*.txt");

        /* Patterns that would leave the app's directories, and an empty ExecStopPost=. */
        static const char *const bad[] = {
                "[App]\nFaultFiles=../../etc/shadow\n",
                "[App]\nFaultFiles=/etc/shadow\n",
                "[App]\nFaultKeep=101\n",
                "[App]\nFaultKeep=-1\n",
                "[Service]\nExecStopPost=\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_free_ char *text = NULL;

                path = mfree(path);
                log = mfree(log);
                e = app_config_free(e);
                ASSERT_GT(asprintf(&text, "%s%s", MINIMAL, bad[i]), 0);
                path = write_config("faults", "bad.app", text);
                ASSERT_ERROR(load_logged(path, &e, &log), EINVAL);
                ASSERT_NOT_NULL(strstr(log, "refusing") ?: strstr(log, "Invalid"));
        }
}

static void test_transient_record(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL, *d = NULL, *e = NULL;
        _cleanup_free_ char *local = NULL, *channel = NULL;

        printf("%s\n", __func__);

        /* What upkeepd records for "upkeepctl run" without --source: no Source=. */
        local = write_config("transient", "hello.app",
                             "[App]\nDescription=hello, run by upkeepctl\nExec=hello --port 8082\n"
                             "[Update]\nPolicy=manual\n");
        ASSERT_OK_ZERO(app_config_load_transient(local, &c));
        ASSERT_TRUE(c->transient);
        ASSERT_NULL(c->source);
        ASSERT_STREQ(c->exec, "hello --port 8082");
        ASSERT_EQ(c->policy, UPDATE_POLICY_MANUAL);

        /* A config must have one, and is not transient. */
        ASSERT_ERROR(app_config_load(local, &d), EINVAL);

        e = load_config("transient", "web.app", MINIMAL);
        ASSERT_FALSE(e->transient);
}

/* A string and whether a validity check takes it. */
typedef struct ValidityCase {
        const char *s;
        bool valid;
} ValidityCase;

static void assert_validity(bool (*is_valid)(const char *), const ValidityCase *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (is_valid(cases[i].s) != cases[i].valid)
                        fprintf(stderr, "  '%s': expected %s\n",
                                cases[i].s ?: "(null)", cases[i].valid ? "valid" : "invalid");
                ASSERT_EQ(is_valid(cases[i].s), cases[i].valid);
        }
}

static void test_source_and_key_validity(void) {
        static const ValidityCase sources[] = {
                { "https://example.com/x/",  true },
                { "file:///",                true },
                { "",                        false },
                { NULL,                      false },
                { "https://",                false },
                { "ftp://example.com/",      false },
                { "https://a b/",            false },
        };
        static const ValidityCase keys[] = {
                { "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3",  true },
                { "/etc/upkeep/keys/web.pub",                                  true },
                { "",                                                          false },
                { "relative/key.pub",                                          false },
                { "not a key",                                                 false },
        };

        printf("%s\n", __func__);

        assert_validity(app_source_is_valid, sources, ELEMENTSOF(sources));
        assert_validity(app_public_key_is_valid, keys, ELEMENTSOF(keys));
}

static void test_health_check_kinds(void) {
        static const char *const good[] = {
                "http://127.0.0.1:8080/healthz", "bin/check --quick", "/usr/bin/curl -sf http://127.0.0.1/",
                "'bin/my check' $UPKEEP_UNIT",
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                _cleanup_(app_config_freep) AppConfig *c = NULL;
                _cleanup_free_ char *content = NULL;

                ASSERT_GT(asprintf(&content, MINIMAL "[Update]\nHealthCheck=%s\n", good[i]), 0);
                c = load_config("health", "h.app", content);
                ASSERT_STREQ(c->health_check, good[i]);
                ASSERT_EQ(app_health_check_is_url(c->health_check), (i == 0));
        }
}

static void test_structure_errors(void) {
        printf("%s\n", __func__);

        assert_refused("[App]\nSource=https://a/\n", 0, "Exec");
        assert_refused("[App]\nExec=app\n", 0, "Source");
        assert_refused("[App]\nSource=https://a/\nExec=\n", 0, "Exec");   /* emptied again */
        assert_refused("", 0, "Source");
        assert_refused("[App]\nSource=https://a/\nExec=app\nthis line has no equals sign\n", 4, NULL);
        assert_refused("Source=https://a/\n[App]\nExec=app\n", 1, "Source");   /* before any section */
        assert_refused("[App]\nSource=https://a/\nExec=app\n=value\n", 4, NULL);
        assert_refused("[App\nSource=https://a/\nExec=app\n", 1, NULL);
        assert_refused("[]\nSource=https://a/\nExec=app\n", 1, NULL);
}

static void test_names(void) {
        static const ValidityCase names[] = {
                { "example",             true },
                { "a",                   true },
                { "web_1.prod:eu-west",  true },
                { "0day",                true },
                { NULL,                  false },
                { "",                    false },
                { ".hidden",             false },
                { "-flag",               false },
                { "with space",          false },
                { "slash/name",          false },
                { "back\\slash",         false },
                { "at@sign",             false },
                { "ünïcode",             false },
        };
        _cleanup_(app_config_freep) AppConfig *c = NULL;
        _cleanup_free_ char *p1 = NULL, *p2 = NULL, *p3 = NULL;

        printf("%s\n", __func__);

        assert_validity(app_name_is_valid, names, ELEMENTSOF(names));

        char long_name[202];
        memset(long_name, 'x', sizeof long_name);
        long_name[200] = 0;
        ASSERT_TRUE(app_name_is_valid(long_name));
        long_name[200] = 'x';
        long_name[201] = 0;
        ASSERT_FALSE(app_name_is_valid(long_name));

        p1 = write_config("names", "bad name.app", MINIMAL);
        ASSERT_ERROR(app_config_load(p1, &c), EINVAL);
        p2 = write_config("names", "noext", MINIMAL);
        ASSERT_ERROR(app_config_load(p2, &c), EINVAL);
        p3 = write_config("names", ".app", MINIMAL);
        ASSERT_ERROR(app_config_load(p3, &c), EINVAL);
        ASSERT_NULL(c);

        c = load_config("names", "a.b.app", MINIMAL);
        ASSERT_STREQ(c->name, "a.b");
}

static void test_missing_file(void) {
        _cleanup_free_ char *path = NULL;
        AppConfig *c = NULL;

        printf("%s\n", __func__);

        ASSERT_GT(asprintf(&path, "%s/nowhere/x.app", tmpdir), 0);
        ASSERT_ERROR(app_config_load(path, &c), ENOENT);
        ASSERT_NULL(c);
}

static void test_enumerate(void) {
        _cleanup_free_ char *etc = dir_path("enum-etc"), *run = dir_path("enum-run"),
                *usr = dir_path("enum-usr"), *missing = dir_path("enum-missing");
        _cleanup_(strv_freep) char **paths = NULL;
        const char *dirs[] = { etc, missing, run, usr, NULL };
        char *p, *sub;

        printf("%s\n", __func__);

        free(write_config("enum-etc", "zeta.app", MINIMAL));
        free(write_config("enum-etc", "shared.app", MINIMAL));
        free(write_config("enum-etc", "bad name.app", MINIMAL));     /* invalid NAME: skipped */
        free(write_config("enum-etc", ".hidden.app", MINIMAL));      /* hidden: skipped */
        free(write_config("enum-etc", "README", "not an app\n"));    /* other files: ignored */
        free(write_config("enum-etc", "x.app.bak", MINIMAL));
        free(write_config("enum-run", "shared.app", MINIMAL));      /* shadowed by etc */
        free(write_config("enum-run", "alpha.app", MINIMAL));
        free(write_config("enum-usr", "shared.app", MINIMAL));
        free(write_config("enum-usr", "mid.app", MINIMAL));

        /* A directory named like an app is not one. */
        ASSERT_GT(asprintf(&sub, "%s/dir.app", usr), 0);
        ASSERT_OK_ZERO_ERRNO(mkdir(sub, 0755));
        free(sub);

        /* A symlink to an app file counts, as for units. */
        ASSERT_GT(asprintf(&p, "%s/mid.app", usr), 0);
        ASSERT_GT(asprintf(&sub, "%s/linked.app", run), 0);
        ASSERT_OK_ZERO_ERRNO(symlink(p, sub));
        free(p);
        free(sub);

        ASSERT_EQ(app_config_enumerate(dirs, &paths), 5);
        ASSERT_EQ(strv_length(paths), 5);

        /* Sorted by NAME, whichever directory each came from. */
        ASSERT_GT(asprintf(&p, "%s/alpha.app", run), 0);
        ASSERT_STREQ(paths[0], p);
        free(p);
        ASSERT_GT(asprintf(&p, "%s/linked.app", run), 0);
        ASSERT_STREQ(paths[1], p);
        free(p);
        ASSERT_GT(asprintf(&p, "%s/mid.app", usr), 0);
        ASSERT_STREQ(paths[2], p);
        free(p);
        ASSERT_GT(asprintf(&p, "%s/shared.app", etc), 0);
        ASSERT_STREQ(paths[3], p);   /* first dir wins */
        free(p);
        ASSERT_GT(asprintf(&p, "%s/zeta.app", etc), 0);
        ASSERT_STREQ(paths[4], p);
        free(p);
        ASSERT_FALSE(paths[5]);
}

static void test_enumerate_masked(void) {
        _cleanup_free_ char *etc = dir_path("mask-etc"), *usr = dir_path("mask-usr"), *link = NULL, *want = NULL;
        _cleanup_(strv_freep) char **paths = NULL;
        const char *dirs[] = { etc, usr, NULL };

        printf("%s\n", __func__);

        /* Masked in /etc: the app from /usr/lib is gone. */
        free(write_config("mask-usr", "hidden.app", MINIMAL));
        ASSERT_TRUE(mkdir(etc, 0755) == 0 || errno == EEXIST);
        ASSERT_GT(asprintf(&link, "%s/hidden.app", etc), 0);
        ASSERT_OK_ZERO_ERRNO(symlink("/dev/null", link));
        link = mfree(link);

        /* A mask in a later directory does not hide an earlier app. */
        free(write_config("mask-etc", "shown.app", MINIMAL));
        ASSERT_GT(asprintf(&link, "%s/shown.app", usr), 0);
        ASSERT_OK_ZERO_ERRNO(symlink("/dev/null", link));

        ASSERT_EQ(app_config_enumerate(dirs, &paths), 1);
        ASSERT_GT(asprintf(&want, "%s/shown.app", etc), 0);
        ASSERT_STREQ(paths[0], want);
        ASSERT_FALSE(paths[1]);
}

static void test_find(void) {
        _cleanup_free_ char *etc = dir_path("find-etc"), *usr = dir_path("find-usr"), *link = NULL, *want = NULL;
        const char *dirs[] = { etc, usr, NULL };
        char *path = (char *) "untouched";

        printf("%s\n", __func__);

        free(write_config("find-usr", "both.app", MINIMAL));
        free(write_config("find-etc", "both.app", MINIMAL));
        free(write_config("find-usr", "only.app", MINIMAL));
        free(write_config("find-usr", "masked.app", MINIMAL));
        free(write_config("find-usr", "prefixed.app", MINIMAL));
        ASSERT_GT(asprintf(&link, "%s/masked.app", etc), 0);
        ASSERT_OK_ZERO_ERRNO(symlink("/dev/null", link));

        /* The first directory wins, as for all apps. */
        ASSERT_OK_ZERO(app_config_find(dirs, "both", &path));
        ASSERT_GT(asprintf(&want, "%s/both.app", etc), 0);
        ASSERT_STREQ(path, want);
        free(path);
        want = mfree(want);

        ASSERT_OK_ZERO(app_config_find(dirs, "only", &path));
        ASSERT_GT(asprintf(&want, "%s/only.app", usr), 0);
        ASSERT_STREQ(path, want);
        free(path);

        path = (char *) "untouched";
        ASSERT_ERROR(app_config_find(dirs, "masked", &path), ENOENT);
        ASSERT_ERROR(app_config_find(dirs, "prefix", &path), ENOENT);
        ASSERT_ERROR(app_config_find(dirs, "nosuchapp", &path), ENOENT);
        ASSERT_STREQ(path, "untouched");
}

static void test_enumerate_empty(void) {
        _cleanup_free_ char *missing = dir_path("none");
        _cleanup_(strv_freep) char **paths = NULL;
        const char *dirs[] = { missing, NULL };
        const char *no_dirs[] = { NULL };

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(app_config_enumerate(dirs, &paths));
        ASSERT_NOT_NULL(paths);
        ASSERT_FALSE(paths[0]);
        paths = strv_free(paths);

        ASSERT_OK_ZERO(app_config_enumerate(no_dirs, &paths));
        ASSERT_NOT_NULL(paths);
        ASSERT_FALSE(paths[0]);
}

static void test_load_all_skips_bad(void) {
        _cleanup_free_ char *a = dir_path("all-a"), *b = dir_path("all-b");
        const char *dirs[] = { a, b, NULL };
        AppConfig **configs = NULL;
        int n;

        printf("%s\n", __func__);

        free(write_config("all-a", "good1.app", MINIMAL));
        free(write_config("all-a", "broken.app", MINIMAL "[Update]\nKeep=1\n"));
        free(write_config("all-b", "good2.app", "[App]\nSource=go:example.com/x\nExec=x\n"));
        free(write_config("all-b", "noexec.app", "[App]\nSource=go:example.com/x\n"));
        /* The good copy of "broken" in the lower directory does not replace the bad one. */
        free(write_config("all-b", "broken.app", MINIMAL));

        n = app_config_load_all(dirs, &configs);
        ASSERT_EQ(n, 2);
        ASSERT_NOT_NULL(configs);
        ASSERT_STREQ(configs[0]->name, "good1");
        ASSERT_STREQ(configs[1]->name, "good2");
        ASSERT_STREQ(configs[1]->source, "go:example.com/x");
        app_config_free_many(configs, (size_t) n);
}

static void test_load_all_none(void) {
        _cleanup_free_ char *missing = dir_path("none-at-all");
        const char *dirs[] = { missing, NULL };
        AppConfig **configs = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(app_config_load_all(dirs, &configs));
        app_config_free_many(configs, 0);
        app_config_free_many(NULL, 0);
}

int main(void) {
        /* Messages go to stderr as plain text, which the tests read back. */
        (void) unsetenv("JOURNAL_STREAM");
        ASSERT_NOT_NULL(mkdtemp(tmpdir));

        test_full();
        test_defaults();
        test_sources();
        test_go_source();
        test_s3_source();
        test_go_dns();
        test_whitespace_and_comments();
        test_comment_after_value_explained();
        test_quoted_exec_and_service_lines();
        test_last_value_wins_and_empty_resets();
        test_service_lines_in_order();
        test_unknown_key_and_section_warn();
        test_invalid_values();
        test_install_hooks();
        test_faults();
        test_health_check_kinds();
        test_transient_record();
        test_source_and_key_validity();
        test_structure_errors();
        test_names();
        test_missing_file();
        test_enumerate();
        test_enumerate_masked();
        test_enumerate_empty();
        test_find();
        test_load_all_skips_bad();
        test_load_all_none();

        test_tmpdir_remove(tmpdir);
        return 0;
}
