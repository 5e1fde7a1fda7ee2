/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "go-module.h"
#include "macro.h"
#include "strv.h"
#include "tests.h"

static void assert_strv(char **got, const char *const *want) {
        size_t i = 0;

        for (; want[i]; i++) {
                if (!got[i] || !streq(got[i], want[i]))
                        fprintf(stderr, "  entry %zu: got %s, want %s\n", i, strempty(got[i]), want[i]);
                ASSERT_TRUE(got[i]);
                ASSERT_STREQ(got[i], want[i]);
        }
        ASSERT_FALSE(got[i]);
}

static void test_module_path_valid(void) {
        static const char *const good[] = {
                "github.com/mjl-/moxtools",
                "example.com",
                "example.com/mod",
                "golang.org/toolchain",
                "github.com/BurntSushi/toml",
                "example.com/a_b~c/d-e.f",
                "example.com/mod/v2",
                "example.com/mod/v10",
                "example.com/mod/v2/sub",
                "example.com/version",      /* starts with 'v', is no major version */
                "example.com/v1x",
                "gopkg.in/yaml.v2",
                "gopkg.in/check.v1",
                "xn--bcher-kva.example/x",
        };
        static const char *const bad[] = {
                "",
                "example",                  /* no dot in the host */
                "/example.com/x",
                "example.com/",
                "example.com//x",
                "-example.com/x",
                "Example.com/x",            /* upper case host */
                "exa_mple.com/x",
                "example.com/./x",
                "example.com/../x",
                "example.com/.hidden",
                "example.com/trailing.",
                "example.com/...",
                "example.com/a b",
                "example.com/a+b",          /* '+' only in package paths */
                "example.com/a@v1",
                "example.com/a\\b",
                "example.com/a%20b",
                "example.com/\xc3\xa9",
                "example.com/mod/v1",       /* v1 is the unsuffixed path */
                "example.com/mod/v0",
                "example.com/mod/v02",
                "example.com/mod/v2.1",
                "example.com/con",          /* reserved on Windows */
                "example.com/AUX.txt",
                "example.com/lpt1",
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                if (!go_module_path_is_valid(good[i]))
                        fprintf(stderr, "  should be valid: %s\n", good[i]);
                ASSERT_TRUE(go_module_path_is_valid(good[i]));
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                if (go_module_path_is_valid(bad[i]))
                        fprintf(stderr, "  should be invalid: %s\n", bad[i]);
                ASSERT_FALSE(go_module_path_is_valid(bad[i]));
        }
        ASSERT_FALSE(go_module_path_is_valid(NULL));
}

static void test_module_path_too_long(void) {
        char path[GO_PATH_MAX + 2];

        printf("%s\n", __func__);

        memset(path, 'a', sizeof path);
        memcpy(path, "example.com/", strlen("example.com/"));
        path[GO_PATH_MAX] = 0;
        ASSERT_TRUE(go_module_path_is_valid(path));
        path[GO_PATH_MAX] = 'a';
        path[GO_PATH_MAX + 1] = 0;
        ASSERT_FALSE(go_module_path_is_valid(path));
}

static void test_package_path_valid(void) {
        printf("%s\n", __func__);

        ASSERT_TRUE(go_package_path_is_valid("example.com/mod/cmd/tool"));
        ASSERT_TRUE(go_package_path_is_valid("example.com/api/v1"));       /* a package dir, not a major version */
        ASSERT_TRUE(go_package_path_is_valid("example.com/mod/.internal"));
        ASSERT_TRUE(go_package_path_is_valid("example.com/mod/c++"));
        ASSERT_TRUE(go_package_path_is_valid("github.com/mjl-/moxtools"));
        ASSERT_FALSE(go_package_path_is_valid("example.com/mod/"));
        ASSERT_FALSE(go_package_path_is_valid("fmt"));                     /* the standard library */
        ASSERT_FALSE(go_package_path_is_valid("example.com/mod@v1.0.0"));
        ASSERT_FALSE(go_package_path_is_valid("example.com/a b"));
        ASSERT_FALSE(go_package_path_is_valid(".example.com/x"));
        ASSERT_FALSE(go_package_path_is_valid(NULL));
}

static void test_escape(void) {
        static const struct {
                const char *path, *escaped;
        } cases[] = {
                { "github.com/mjl-/moxtools",    "github.com/mjl-/moxtools"     },
                { "github.com/BurntSushi/toml",  "github.com/!burnt!sushi/toml" },
                { "example.com/ABC",             "example.com/!a!b!c"           },
                { "golang.org/toolchain",        "golang.org/toolchain"         },
                { "example.com/a_b~c",           "example.com/a_b~c"            },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *e = NULL;

                ASSERT_OK_ZERO(go_module_escape(cases[i].path, &e));
                ASSERT_STREQ(e, cases[i].escaped);
        }
}

static void test_escape_refuses_invalid(void) {
        char *e = (char *) "untouched";

        printf("%s\n", __func__);

        ASSERT_ERROR(go_module_escape("example.com/a!b", &e), EINVAL);   /* '!' would be ambiguous */
        ASSERT_ERROR(go_module_escape("Example.com/x", &e), EINVAL);
        ASSERT_ERROR(go_module_escape("example.com/../x", &e), EINVAL);
        ASSERT_ERROR(go_module_escape("", &e), EINVAL);
        ASSERT_ERROR(go_module_escape(NULL, &e), EINVAL);
        ASSERT_STREQ(e, "untouched");
}

static void test_root_candidates(void) {
        _cleanup_(strv_freep) char **a = NULL, **b = NULL, **c = NULL;
        char **untouched = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(go_module_root_candidates("example.com/mod/cmd/tool", &a));
        assert_strv(a, (const char *const[]) {
                "example.com/mod/cmd/tool", "example.com/mod/cmd", "example.com/mod", "example.com", NULL });

        /* "/v1" cannot end a module path, and an element with '+' cannot be in one. */
        ASSERT_OK_ZERO(go_module_root_candidates("example.com/api/v1", &b));
        assert_strv(b, (const char *const[]) { "example.com/api", "example.com", NULL });

        ASSERT_OK_ZERO(go_module_root_candidates("example.com/x/c++", &c));
        assert_strv(c, (const char *const[]) { "example.com/x", "example.com", NULL });

        ASSERT_ERROR(go_module_root_candidates("example.com//x", &untouched), EINVAL);
        ASSERT_NULL(untouched);
}

static void test_roots_prefer(void) {
        _cleanup_(strv_freep) char **l = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(go_module_root_candidates("example.com/mod/cmd/tool", &l));
        ASSERT_TRUE(go_module_roots_prefer(l, "example.com/mod"));
        assert_strv(l, (const char *const[]) {
                "example.com/mod", "example.com/mod/cmd/tool", "example.com/mod/cmd", "example.com", NULL });
        ASSERT_TRUE(go_module_roots_prefer(l, "example.com/mod"));     /* already first */
        ASSERT_STREQ(l[0], "example.com/mod");
        ASSERT_STREQ(l[1], "example.com/mod/cmd/tool");
        ASSERT_TRUE(go_module_roots_prefer(l, "example.com"));
        assert_strv(l, (const char *const[]) {
                "example.com", "example.com/mod", "example.com/mod/cmd/tool", "example.com/mod/cmd", NULL });

        /* Not a prefix of the package: the order stays. */
        ASSERT_FALSE(go_module_roots_prefer(l, "example.com/other"));
        ASSERT_FALSE(go_module_roots_prefer(l, "example.com/mo"));
        ASSERT_FALSE(go_module_roots_prefer(l, NULL));
        ASSERT_STREQ(l[0], "example.com");
}

static void test_module_version_valid(void) {
        printf("%s\n", __func__);

        ASSERT_TRUE(go_module_version_is_valid("v1.2.3"));
        ASSERT_TRUE(go_module_version_is_valid("v0.0.0-20230101120000-abcdef123456"));
        ASSERT_TRUE(go_module_version_is_valid("v2.0.0+incompatible"));
        ASSERT_TRUE(go_module_version_is_valid("v1.0.0-rc.1"));
        ASSERT_FALSE(go_module_version_is_valid("1.2.3"));        /* Go writes the "v" */
        ASSERT_FALSE(go_module_version_is_valid("v1.2"));         /* not canonical */
        ASSERT_FALSE(go_module_version_is_valid("v1.2.3+build"));
        ASSERT_FALSE(go_module_version_is_valid("v1.2.3+incompatible.x"));
        ASSERT_FALSE(go_module_version_is_valid("v01.2.3"));
        ASSERT_FALSE(go_module_version_is_valid(""));
        ASSERT_FALSE(go_module_version_is_valid(NULL));
}

static void test_version_list(void) {
        static const char body[] =
                "v0.2.0\n"
                "v0.10.0\n"
                "v0.9.1\n"
                "v1.0.0-rc.1\n"
                "v0.2.0\n"            /* repeated */
                "\n"
                "  v1.0.0\r\n"        /* blanks and CRLF tolerated */
                "v2.0.0+incompatible\n";
        _cleanup_(strv_freep) char **l = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(go_version_list_parse(body, strlen(body), &l));
        assert_strv(l, (const char *const[]) {
                "v2.0.0+incompatible", "v1.0.0", "v1.0.0-rc.1", "v0.10.0", "v0.9.1", "v0.2.0", NULL });
}

static void test_version_list_empty(void) {
        _cleanup_(strv_freep) char **a = NULL, **b = NULL;

        printf("%s\n", __func__);

        /* A module with only pseudo-versions lists nothing. */
        ASSERT_OK_ZERO(go_version_list_parse("", 0, &a));
        ASSERT_NOT_NULL(a);
        ASSERT_FALSE(a[0]);
        ASSERT_OK_ZERO(go_version_list_parse("\n\n", 2, &b));
        ASSERT_NOT_NULL(b);
        ASSERT_FALSE(b[0]);
}

static void test_version_list_no_final_newline(void) {
        _cleanup_(strv_freep) char **l = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(go_version_list_parse("v1.0.0\nv1.0.1", 13, &l));
        assert_strv(l, (const char *const[]) { "v1.0.1", "v1.0.0", NULL });
}

static void test_version_list_garbage(void) {
        static const char *const bodies[] = {
                "v1.0.0\n<html>not found</html>\n",
                "v1.0.0\nv1.0\n",
                "1.0.0\n",
                "v1.0.0 2023-01-01\n",
                "v1.0.0+build\n",
                "latest\n",
        };
        char **untouched = NULL;

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(bodies); i++)
                ASSERT_ERROR(go_version_list_parse(bodies[i], strlen(bodies[i]), &untouched), EBADMSG);

        ASSERT_ERROR(go_version_list_parse("v1.0.0\n\0v1.0.1\n", 16, &untouched), EBADMSG);
        ASSERT_NULL(untouched);
}

static void test_version_list_too_large(void) {
        _cleanup_free_ char *body = NULL;
        char **untouched = NULL;

        printf("%s\n", __func__);

        body = malloc(GO_LIST_MAX_SIZE + 1);
        ASSERT_NOT_NULL(body);
        /* Refused for its size alone, however harmless the content. */
        memset(body, '\n', GO_LIST_MAX_SIZE + 1);
        ASSERT_ERROR(go_version_list_parse(body, GO_LIST_MAX_SIZE + 1, &untouched), EFBIG);
        ASSERT_NULL(untouched);
}

static void test_toolchain_list(void) {
        static const char body[] =
                "v0.0.1-go1.21.0.linux-amd64\n"
                "v0.0.1-go1.21.0.linux-arm64\n"
                "v0.0.1-go1.21.3.linux-amd64\n"
                "v0.0.1-go1.21rc2.linux-amd64\n"
                "v0.0.1-go1.21.10.linux-amd64\n"
                "v0.0.1-go1.22.0.linux-amd64\n"
                "v0.0.1-go1.22.0.windows-amd64\n"
                "v0.0.1-go1.22.1.darwin-amd64\n"
                "v0.0.1-go1.20.14.linux-amd64\n"
                "v0.0.1-go1.21.3.linux-amd64\n"       /* repeated */
                "v0.0.1-go1.21.3.linux-amd64p32\n";   /* another platform that shares a prefix */
        _cleanup_(strv_freep) char **amd64 = NULL, **arm64 = NULL, **riscv = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(go_toolchain_list_parse(body, strlen(body), "linux-amd64", &amd64));
        assert_strv(amd64, (const char *const[]) {
                "go1.22.0", "go1.21.10", "go1.21.3", "go1.21.0", "go1.21rc2", "go1.20.14", NULL });

        ASSERT_OK_ZERO(go_toolchain_list_parse(body, strlen(body), "linux-arm64", &arm64));
        assert_strv(arm64, (const char *const[]) { "go1.21.0", NULL });

        ASSERT_OK_ZERO(go_toolchain_list_parse(body, strlen(body), "linux-riscv64", &riscv));
        ASSERT_NOT_NULL(riscv);
        ASSERT_FALSE(riscv[0]);
}

static void test_toolchain_list_garbage(void) {
        static const char *const bodies[] = {
                "v0.0.1-go1.21.0.linux-amd64\nhello\n",
                "v0.0.1-go1.21.0.linux-amd64\nv0.0.1-go1.21.0.linux-amd64 extra\n",
                "v0.0.1-go1.21x.linux-amd64\n",           /* our platform, but no Go version */
                "v0.0.1-go1.21.01.linux-amd64\n",
                "v0.0.1-go.linux-amd64\n",
        };
        char **untouched = NULL;

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(bodies); i++)
                ASSERT_ERROR(go_toolchain_list_parse(bodies[i], strlen(bodies[i]), "linux-amd64", &untouched), EBADMSG);

        ASSERT_ERROR(go_toolchain_list_parse("", 0, "linux", &untouched), EINVAL);
        ASSERT_ERROR(go_toolchain_list_parse("", 0, "linux-AMD64", &untouched), EINVAL);
        ASSERT_ERROR(go_toolchain_list_parse("", 0, "linux-amd64.x", &untouched), EINVAL);
        ASSERT_ERROR(go_toolchain_list_parse("", 0, NULL, &untouched), EINVAL);
        ASSERT_NULL(untouched);
}

static void test_go_version_valid(void) {
        static const char *const good[] = {
                "go1", "go1.9", "go1.21", "go1.21.0", "go1.21.5", "go1.21rc1", "go1.9beta2",
                "go1.20alpha1", "go2.0.0", "go1.100.100",
        };
        static const char *const bad[] = {
                "", "go", "1.21.0", "go1.", "go1.21.", "go1.21.5rc1", "go1.21rc", "go1.21rc01",
                "go1.021", "go01.21", "go1.21.0.1", "go1.21-rc1", "go1.21gamma1", "go1.21 ", "Go1.21",
                "go1.21.0+x", "go1rc1", "go1234567890.1",
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                if (!go_version_is_valid(good[i]))
                        fprintf(stderr, "  should be valid: %s\n", good[i]);
                ASSERT_TRUE(go_version_is_valid(good[i]));
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                if (go_version_is_valid(bad[i]))
                        fprintf(stderr, "  should be invalid: %s\n", bad[i]);
                ASSERT_FALSE(go_version_is_valid(bad[i]));
        }
        ASSERT_FALSE(go_version_is_valid(NULL));
}

static void test_go_version_compare(void) {
        static const struct {
                const char *a, *b;
                int want;
        } cases[] = {
                { "go1.21",      "go1.21.0",   0 },   /* the release, either way it is written */
                { "go1.20",      "go1.20.0",   0 },
                { "go1",         "go1.0.0",    0 },
                { "go1.21rc1",   "go1.21.0",  -1 },
                { "go1.21rc1",   "go1.21",    -1 },
                { "go1.21rc2",   "go1.21rc1",  1 },
                { "go1.21rc1",   "go1.21beta1", 1 },
                { "go1.21beta1", "go1.21alpha2", 1 },
                { "go1.21rc1",   "go1.20.14",  1 },
                { "go1.9",       "go1.10",    -1 },
                { "go1.9.2",     "go1.10",    -1 },
                { "go1.22.0",    "go1.21.9",   1 },
                { "go1.21.10",   "go1.21.9",   1 },
                { "go1.21.5",    "go1.21.5",   0 },
                { "go2.0.0",     "go1.99.99",  1 },
                { "garbage",     "go1.0",     -1 },   /* invalid sorts first */
                { "go1.0",       "garbage",    1 },
                { "garbage",     NULL,         0 },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int c = go_version_compare(cases[i].a, cases[i].b);
                int sign = (c > 0) - (c < 0);

                if (sign != cases[i].want)
                        fprintf(stderr, "  %s vs %s: got %d, want %d\n", cases[i].a, cases[i].b, c, cases[i].want);
                ASSERT_EQ(sign, cases[i].want);
        }
}

static void test_go_version_release_and_minor(void) {
        printf("%s\n", __func__);

        ASSERT_TRUE(go_version_is_release("go1.21.0"));
        ASSERT_TRUE(go_version_is_release("go1.21"));
        ASSERT_TRUE(go_version_is_release("go1"));
        ASSERT_FALSE(go_version_is_release("go1.21rc1"));
        ASSERT_FALSE(go_version_is_release("go1.9beta2"));
        ASSERT_FALSE(go_version_is_release("nonsense"));

        ASSERT_TRUE(go_version_same_minor("go1.21rc1", "go1.21.5"));
        ASSERT_TRUE(go_version_same_minor("go1.21", "go1.21.5"));
        ASSERT_FALSE(go_version_same_minor("go1.21.5", "go1.22.0"));
        ASSERT_FALSE(go_version_same_minor("go1.21.5", "go2.21.5"));
        ASSERT_FALSE(go_version_same_minor("go1.21.5", "x"));
}

static void test_supported(void) {
        char *const known[] = {
                (char *) "go1.23rc1",   /* a release candidate does not make 1.23 supported yet */
                (char *) "go1.22.1", (char *) "go1.22.0",
                (char *) "go1.21.8", (char *) "go1.21.0",
                (char *) "go1.20.14",
                NULL,
        };
        char *const unsorted[] = {
                (char *) "go1.19.1", (char *) "go1.22.0", (char *) "garbage", (char *) "go1.20.3",
                (char *) "go1.21.2", (char *) "go1.18", NULL,
        };

        printf("%s\n", __func__);

        ASSERT_TRUE(go_version_supported("go1.22.1", known));
        ASSERT_TRUE(go_version_supported("go1.22.0", known));
        ASSERT_TRUE(go_version_supported("go1.21.8", known));
        ASSERT_TRUE(go_version_supported("go1.21.3", known));     /* the series is, even if not this patch */
        ASSERT_TRUE(go_version_supported("go1.21", known));
        ASSERT_FALSE(go_version_supported("go1.20.14", known));
        ASSERT_FALSE(go_version_supported("go1.23rc1", known));
        ASSERT_FALSE(go_version_supported("go1.22rc1", known));   /* pre-releases never are */
        ASSERT_FALSE(go_version_supported("go1.24.0", known));    /* not among the known */
        ASSERT_FALSE(go_version_supported("garbage", known));
        ASSERT_FALSE(go_version_supported(NULL, known));

        /* Order of the list does not matter. */
        ASSERT_TRUE(go_version_supported("go1.22.5", unsorted));
        ASSERT_TRUE(go_version_supported("go1.21.2", unsorted));
        ASSERT_FALSE(go_version_supported("go1.20.3", unsorted));

        /* With one known minor, only it is supported; with none, nothing. */
        ASSERT_TRUE(go_version_supported("go1.21.1", (char *const[]) { (char *) "go1.21.0", NULL }));
        ASSERT_FALSE(go_version_supported("go1.20.1", (char *const[]) { (char *) "go1.21.0", NULL }));
        ASSERT_FALSE(go_version_supported("go1.21.1", (char *const[]) { NULL }));
        ASSERT_FALSE(go_version_supported("go1.21.1", NULL));
}

static void test_build_version(void) {
        static const struct {
                const char *module, *go, *build;
        } cases[] = {
                { "v0.3.1",              "go1.21.5",  "v0.3.1+go1.21.5"                 },
                { "v1.0.0-rc.1",         "go1.22.0",  "v1.0.0-rc.1+go1.22.0"            },
                { "v2.0.0+incompatible", "go1.21.5",  "v2.0.0+incompatible.go1.21.5"    },
                { "v0.0.0-20230101120000-abcdef123456", "go1.21rc2",
                  "v0.0.0-20230101120000-abcdef123456+go1.21rc2" },
                { "v1.2.3",              "go1.20",    "v1.2.3+go1.20"                   },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *b = NULL, *m = NULL, *g = NULL;

                ASSERT_OK_ZERO(go_build_version_format(cases[i].module, cases[i].go, &b));
                ASSERT_STREQ(b, cases[i].build);
                ASSERT_OK_ZERO(go_build_version_parse(b, &m, &g));
                ASSERT_STREQ(m, cases[i].module);
                ASSERT_STREQ(g, cases[i].go);
        }
}

static void test_build_version_invalid(void) {
        char *untouched = NULL, *untouched2 = NULL;

        printf("%s\n", __func__);

        ASSERT_ERROR(go_build_version_format("1.2.3", "go1.21.5", &untouched), EINVAL);
        ASSERT_ERROR(go_build_version_format("v1.2.3+meta", "go1.21.5", &untouched), EINVAL);
        ASSERT_ERROR(go_build_version_format("v1.2.3", "1.21.5", &untouched), EINVAL);
        ASSERT_ERROR(go_build_version_format("v1.2.3", NULL, &untouched), EINVAL);

        ASSERT_ERROR(go_build_version_parse("v1.2.3", &untouched, &untouched2), EINVAL);
        ASSERT_ERROR(go_build_version_parse("v1.2.3+1.21.5", &untouched, &untouched2), EINVAL);
        ASSERT_ERROR(go_build_version_parse("v1.2.3+go1.21.5+go1.21.6", &untouched, &untouched2), EINVAL);
        ASSERT_ERROR(go_build_version_parse("v1.2.3+go1.21.5.x", &untouched, &untouched2), EINVAL);
        ASSERT_ERROR(go_build_version_parse("1.2.3+go1.21.5", &untouched, &untouched2), EINVAL);
        ASSERT_ERROR(go_build_version_parse("v2.0.0+incompatible", &untouched, &untouched2), EINVAL);
        ASSERT_ERROR(go_build_version_parse("+go1.21.5", &untouched, &untouched2), EINVAL);
        ASSERT_ERROR(go_build_version_parse(NULL, &untouched, &untouched2), EINVAL);
        ASSERT_NULL(untouched);
        ASSERT_NULL(untouched2);

        /* Either output may be left out. */
        ASSERT_OK_ZERO(go_build_version_parse("v1.2.3+go1.21.5", NULL, NULL));
}

static void test_build_version_compare(void) {
        static const struct {
                const char *a, *b;
                int want;
        } cases[] = {
                { "v1.2.5+go1.21.9",  "v1.2.5+go1.21.8",  1 },   /* a rebuild with a newer toolchain */
                { "v1.2.5+go1.21.8",  "v1.2.5+go1.21.9", -1 },
                { "v1.2.5+go1.22.0",  "v1.2.5+go1.21.9",  1 },
                { "v1.2.6+go1.20.1",  "v1.2.5+go1.22.0",  1 },   /* the module version first */
                { "v1.2.5+go1.21.9",  "v1.2.5+go1.21.9",  0 },
                { "v1.2.5+go1.21",    "v1.2.5+go1.21.0",  0 },
                { "v2.0.1+incompatible.go1.21.1", "v2.0.0+incompatible.go1.22.0", 1 },
                { "1.2.4",            "1.2.3",            1 },   /* not builds: semver order */
                { "1.2.3+a",          "1.2.3+b",          0 },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int c = go_build_version_compare(cases[i].a, cases[i].b);
                ASSERT_EQ(((c > 0) - (c < 0)), cases[i].want);
        }
}

int main(void) {
        test_module_path_valid();
        test_module_path_too_long();
        test_package_path_valid();
        test_escape();
        test_escape_refuses_invalid();
        test_root_candidates();
        test_roots_prefer();
        test_module_version_valid();
        test_version_list();
        test_version_list_empty();
        test_version_list_no_final_newline();
        test_version_list_garbage();
        test_version_list_too_large();
        test_toolchain_list();
        test_toolchain_list_garbage();
        test_go_version_valid();
        test_go_version_compare();
        test_go_version_release_and_minor();
        test_supported();
        test_build_version();
        test_build_version_invalid();
        test_build_version_compare();
        return 0;
}
