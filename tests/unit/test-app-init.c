/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app-config.h"
#include "app-init.h"
#include "fileio.h"
#include "macro.h"
#include "test-util.h"
#include "tests.h"

static char tmpdir[] = "/tmp/test-app-init-XXXXXX";

/* Writes text as tmpdir/NAME.app and loads it as upkeep would. */
static AppConfig *load(const char *name, const char *text) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = open(tmpdir, O_DIRECTORY|O_CLOEXEC);
        AppConfig *c = NULL;

        ASSERT_GE(fd, 0);
        ASSERT_GT(asprintf(&path, "%s/%s.app", tmpdir, name), 0);
        ASSERT_OK_ZERO(write_file_atomic_at(fd, path + strlen(tmpdir) + 1, text, strlen(text), 0644));
        ASSERT_OK_ZERO(app_config_load(path, &c));
        return c;
}

/* A string and what a function makes of it. */
typedef struct StringCase {
        const char *in, *out;
} StringCase;

/* Calls f on each case's in and checks it gives out, naming the case when it does not. */
static void assert_string_cases(int (*f)(const char *, char **), const StringCase *cases, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *out = NULL;

                ASSERT_OK_ZERO(f(cases[i].in, &out));
                if (!streq(out, cases[i].out))
                        fprintf(stderr, "  %s: got %s, want %s\n", cases[i].in, out, cases[i].out);
                ASSERT_STREQ(out, cases[i].out);
        }
}

static void test_name(void) {
        /* A Go package and the app's name it suggests. */
        static const StringCase cases[] = {
                { "github.com/mjl-/moxtools",       "moxtools" },
                { "example.com/mod/cmd/tool",       "tool" },
                { "example.com/mod/v2",             "mod" },          /* a major version suffix */
                { "example.com/mod/v2/cmd/x",       "x" },
                { "example.com/v2",                 "example.com" },
                { "example.com",                    "example.com" },
                { "example.com/c++",                "c--" },
                { "example.com/a~b",                "a-b" },
                { "example.com/.hidden",            "hidden" },
                { "example.com/-dash",              "dash" },
                { "example.com/Tool_1.2",           "Tool_1.2" },
                { "example.com/version",            "version" },      /* not a major version */
        };

        printf("%s\n", __func__);

        assert_string_cases(app_init_name, cases, ELEMENTSOF(cases));
}

static void test_name_invalid(void) {
        char *untouched = NULL;

        printf("%s\n", __func__);

        ASSERT_ERROR(app_init_name("fmt", &untouched), EINVAL);
        ASSERT_ERROR(app_init_name("example.com/", &untouched), EINVAL);
        ASSERT_ERROR(app_init_name("example.com/~~", &untouched), EINVAL);
        ASSERT_ERROR(app_init_name(NULL, &untouched), EINVAL);
        ASSERT_NULL(untouched);
}

static void test_quote(void) {
        /* An argument and how it is written on an Exec= line. */
        static const StringCase cases[] = {
                { "serve",                 "serve" },
                { "-listen=127.0.0.1:8080", "-listen=127.0.0.1:8080" },
                { "/etc/app/config.json",  "/etc/app/config.json" },
                { "hello world",           "\"hello world\"" },
                { "say \"hi\"",            "\"say \\\"hi\\\"\"" },
                { "back\\slash",           "\"back\\\\slash\"" },
                { "100%",                  "100%%" },
                { "$HOME",                 "$$HOME" },
                { "a b%$",                 "\"a b%%$$\"" },
                { "",                      "\"\"" },
                { "it's",                  "\"it's\"" },
        };

        printf("%s\n", __func__);

        assert_string_cases(app_init_quote_arg, cases, ELEMENTSOF(cases));

        char *untouched = NULL;
        ASSERT_ERROR(app_init_quote_arg("line\nbreak", &untouched), EINVAL);
        ASSERT_ERROR(app_init_quote_arg("tab\there", &untouched), EINVAL);
        ASSERT_NULL(untouched);
}

/* Formats init as "upkeepctl init" writes it and reads the result back as upkeep would; the text too
 * when ret_text is not NULL. */
static AppConfig *format_and_load(const AppInit *init, char **ret_text) {
        _cleanup_free_ char *text = NULL;
        AppConfig *c;

        ASSERT_OK_ZERO(app_init_format(init, &text));
        c = load(init->name, text);
        if (ret_text)
                *ret_text = TAKE_PTR(text);
        return c;
}

static void test_format_defaults(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;
        _cleanup_free_ char *text = NULL;

        printf("%s\n", __func__);

        /* What upkeep reads back is what was asked for, with the defaults. */
        c = format_and_load(&(AppInit) {
                        .package = "github.com/mjl-/moxtools",
                        .name = "moxtools",
                        .policy = _UPDATE_POLICY_INVALID,
                        .toolchain_policy = _TOOLCHAIN_POLICY_INVALID,
                }, &text);
        ASSERT_STREQ(c->source, "go:github.com/mjl-/moxtools");
        ASSERT_STREQ(c->exec, "moxtools");
        ASSERT_EQ(c->policy, UPDATE_POLICY_PATCH);
        ASSERT_EQ(c->toolchain_policy, TOOLCHAIN_POLICY_FOLLOW);
        ASSERT_NULL(c->go_proxy);
        ASSERT_NULL(c->go_build);
        ASSERT_NULL(c->go_build_key);
        ASSERT_EQ(c->n_service_lines, 2);
        ASSERT_STREQ(c->service_lines[0].key, "DynamicUser");
        ASSERT_STREQ(c->service_lines[0].value, "yes");
        ASSERT_STREQ(c->service_lines[1].key, "StateDirectory");
        ASSERT_STREQ(c->service_lines[1].value, "upkeep-app-moxtools");
        ASSERT_NOT_NULL(strstr(text, "# Written by \"upkeepctl init go:github.com/mjl-/moxtools\""));
}

static void test_format_everything(void) {
        _cleanup_(app_config_freep) AppConfig *c = NULL;

        printf("%s\n", __func__);

        c = format_and_load(&(AppInit) {
                        .package = "example.com/mod/cmd/tool",
                        .name = "tool",
                        .exec_args = (char *const[]) { (char *) "-listen", (char *) "127.0.0.1:8080",
                                                       (char *) "a b", (char *) "50%", NULL },
                        .policy = UPDATE_POLICY_MINOR,
                        .toolchain_policy = TOOLCHAIN_POLICY_SUPPORTED,
                        .go_proxy = "file:///srv/goproxy/",
                        .go_build = "http://127.0.0.1:8090/",
                        .go_build_key = "gobuild.test+01234567+AQ",
                }, NULL);
        ASSERT_STREQ(c->source, "go:example.com/mod/cmd/tool");
        ASSERT_STREQ(c->exec, "tool -listen 127.0.0.1:8080 \"a b\" 50%%");
        ASSERT_EQ(c->policy, UPDATE_POLICY_MINOR);
        ASSERT_EQ(c->toolchain_policy, TOOLCHAIN_POLICY_SUPPORTED);
        ASSERT_STREQ(c->go_proxy, "file:///srv/goproxy/");
        ASSERT_STREQ(c->go_build, "http://127.0.0.1:8090/");
        ASSERT_STREQ(c->go_build_key, "gobuild.test+01234567+AQ");
}

static void test_format_invalid(void) {
        char *untouched = NULL;

        printf("%s\n", __func__);

        ASSERT_ERROR(app_init_format(&(AppInit) { .package = "fmt", .name = "fmt", .policy = -1, .toolchain_policy = -1 },
                               &untouched), EINVAL);
        ASSERT_ERROR(app_init_format(&(AppInit) { .package = "example.com/x", .name = "bad name", .policy = -1,
                                            .toolchain_policy = -1 }, &untouched), EINVAL);
        ASSERT_ERROR(app_init_format(&(AppInit) { .package = "example.com/x", .name = "x", .policy = -1,
                                            .toolchain_policy = -1, .go_proxy = "file:///a\n[Service]" },
                               &untouched), EINVAL);
        ASSERT_ERROR(app_init_format(&(AppInit) { .package = "example.com/x", .name = "x", .policy = -1,
                                            .toolchain_policy = -1, .go_build_key = "" }, &untouched), EINVAL);
        ASSERT_ERROR(app_init_format(&(AppInit) { .package = "example.com/x", .name = "x", .policy = -1,
                                            .toolchain_policy = -1,
                                            .exec_args = (char *const[]) { (char *) "a\nb", NULL } },
                               &untouched), EINVAL);
        ASSERT_NULL(untouched);
}

int main(void) {
        ASSERT_NOT_NULL(mkdtemp(tmpdir));

        test_name();
        test_name_invalid();
        test_quote();
        test_format_defaults();
        test_format_everything();
        test_format_invalid();

        test_tmpdir_remove(tmpdir);
        return 0;
}
