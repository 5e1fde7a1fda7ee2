/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "gopherwatch.h"
#include "macro.h"
#include "tests.h"

static void test_module_name(void) {
        static const struct {
                const char *base, *module, *name;
        } cases[] = {
                { "l.gopherwatch.org",  "github.com/mjl-/moxtools",
                  "moxtools.mjl_2d._.github.com.v0.l.gopherwatch.org." },
                { "l.gopherwatch.org.", "github.com/mjl-/mox",
                  "mox.mjl_2d._.github.com.v0.l.gopherwatch.org." },
                { "l.gopherwatch.org",  "golang.org/x/mod",
                  "mod.x._.golang.org.v0.l.gopherwatch.org." },
                { "l.gopherwatch.org",  "github.com/BurntSushi/toml",
                  "toml._42urnt_53ushi._.github.com.v0.l.gopherwatch.org." },
                { "l.gopherwatch.org",  "example.com/a.b/c_d/e~f",
                  "e_7ef.c_5fd.a_2eb._.example.com.v0.l.gopherwatch.org." },
                { "l.gopherwatch.org",  "example.com/-x-/y-z",
                  "y-z._2dx_2d._.example.com.v0.l.gopherwatch.org." },
                { "l.gopherwatch.org",  "example.com/mod/v2",
                  "v2.mod._.example.com.v0.l.gopherwatch.org." },
                { "gw.example",         "example.com/-",
                  "_2d._.example.com.v0.gw.example." },
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *name = NULL;

                ASSERT_OK_ZERO(gopherwatch_module_name(cases[i].base, cases[i].module, &name));
                if (!streq(name, cases[i].name))
                        fprintf(stderr, "  %s: got %s, want %s\n", cases[i].module, name, cases[i].name);
                ASSERT_STREQ(name, cases[i].name);
        }
}

static void test_module_name_invalid(void) {
        char long_elem[80], module[100];
        char *untouched = NULL;

        printf("%s\n", __func__);

        ASSERT_ERROR(gopherwatch_module_name("l.gopherwatch.org", "example.com", &untouched), EINVAL);  /* no '/' */
        ASSERT_ERROR(gopherwatch_module_name("l.gopherwatch.org", "Example.com/x", &untouched), EINVAL);
        ASSERT_ERROR(gopherwatch_module_name("l.gopherwatch.org", "example.com//x", &untouched), EINVAL);
        ASSERT_ERROR(gopherwatch_module_name("", "example.com/x", &untouched), EINVAL);
        ASSERT_ERROR(gopherwatch_module_name("..", "example.com/x", &untouched), EINVAL);
        ASSERT_ERROR(gopherwatch_module_name("a..b", "example.com/x", &untouched), EINVAL);
        ASSERT_ERROR(gopherwatch_module_name("a b", "example.com/x", &untouched), EINVAL);
        ASSERT_ERROR(gopherwatch_module_name(NULL, "example.com/x", &untouched), EINVAL);

        /* 22 upper-case letters make 66 bytes of label: too long for DNS. */
        memset(long_elem, 'A', 22);
        long_elem[22] = 0;
        snprintf(module, sizeof module, "example.com/%s", long_elem);
        ASSERT_ERROR(gopherwatch_module_name("l.gopherwatch.org", module, &untouched), EINVAL);
        long_elem[21] = 0;  /* 63 bytes: fine */
        snprintf(module, sizeof module, "example.com/%s", long_elem);
        ASSERT_OK_ZERO(gopherwatch_module_name("l.gopherwatch.org", module, &untouched));
        free(untouched);
}

static void test_toolchain_name(void) {
        _cleanup_free_ char *a = NULL, *b = NULL;
        char *untouched = NULL;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(gopherwatch_toolchain_name("l.gopherwatch.org", &a));
        ASSERT_STREQ(a, "toolchain.v0.l.gopherwatch.org.");
        ASSERT_OK_ZERO(gopherwatch_toolchain_name("l.gopherwatch.org.", &b));
        ASSERT_STREQ(b, "toolchain.v0.l.gopherwatch.org.");
        ASSERT_ERROR(gopherwatch_toolchain_name(".", &untouched), EINVAL);
        ASSERT_NULL(untouched);
}

static void test_versions(void) {
        static const char answer[] = "v=v0.0.15 t=65a1b2c3; v=v1.0.0-rc.1 t=0 ;x=y";
        GopherwatchVersion *v = NULL;
        size_t n = 0;

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(gopherwatch_versions_parse(answer, strlen(answer), &v, &n));
        ASSERT_EQ(n, 2);
        ASSERT_STREQ(v[0].version, "v0.0.15");
        ASSERT_EQ(v[0].found, 0x65a1b2c3ULL * USEC_PER_SEC);
        ASSERT_STREQ(v[1].version, "v1.0.0-rc.1");
        ASSERT_EQ(v[1].found, 0);
        ASSERT_STREQ(gopherwatch_versions_newest(v, n), "v1.0.0-rc.1");
        ASSERT_STREQ(gopherwatch_versions_newest(v, 1), "v0.0.15");
        ASSERT_NULL(gopherwatch_versions_newest(v, 0));
        gopherwatch_versions_free(v, n);
}

static void test_versions_bad(void) {
        static const char *const answers[] = {
                "",                          /* nothing at all is no answer */
                "v=v1.0.0 t=1;",             /* an empty record */
                "v=v1.0.0  t=1",             /* an empty field */
                "v=v1.0.0 t",                /* not key=value */
                "v=v1.0.0 t=",               /* an empty value */
                "v=v1.0.0 t=1 v=v1.0.1",     /* a key twice */
                "v=v1.0.0 t=xyz",            /* t not hex */
                "v=v1.0.0 t=11111111111111111", /* t too large */
                "v=1.0.0 t=1",               /* not a module version */
                "v=v1.0 t=1",
                "=x v=v1.0.0 t=1",
        };
        GopherwatchVersion *v = (GopherwatchVersion *) 0x1;
        size_t n = 7;

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(answers); i++) {
                if (gopherwatch_versions_parse(answers[i], strlen(answers[i]), &v, &n) != -EBADMSG)
                        fprintf(stderr, "  accepted: %s\n", answers[i]);
                ASSERT_ERROR(gopherwatch_versions_parse(answers[i], strlen(answers[i]), &v, &n), EBADMSG);
        }
        ASSERT_ERROR(gopherwatch_versions_parse("v=v1.0.0 t=1\0", 13, &v, &n), EBADMSG);
        ASSERT_EQ(v, (GopherwatchVersion *) 0x1);
        ASSERT_EQ(n, 7);
}

static void test_versions_too_large(void) {
        _cleanup_free_ char *big = malloc(GOPHERWATCH_ANSWER_MAX + 1);
        GopherwatchVersion *v = NULL;
        size_t n = 0;

        printf("%s\n", __func__);

        ASSERT_NOT_NULL(big);
        memset(big, ' ', GOPHERWATCH_ANSWER_MAX + 1);
        ASSERT_ERROR(gopherwatch_versions_parse(big, GOPHERWATCH_ANSWER_MAX + 1, &v, &n), EFBIG);
}

static void test_toolchains(void) {
        static const char answer[] =
                "v=go1.22.1 t=65e0a000 k=cur; v=go1.21.8 t=65e0a000 k=prev; v=go1.23rc1 t=66000000 k=next; "
                "v=go1.22.0 t=1 k=cur";
        _cleanup_(gopherwatch_toolchains_done) GopherwatchToolchains t = {}, u = {};

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(gopherwatch_toolchains_parse(answer, strlen(answer), &t));
        ASSERT_STREQ(t.kinds[GOPHERWATCH_TOOLCHAIN_CUR].version, "go1.22.1");   /* the first cur */
        ASSERT_EQ(t.kinds[GOPHERWATCH_TOOLCHAIN_CUR].found, 0x65e0a000ULL * USEC_PER_SEC);
        ASSERT_STREQ(t.kinds[GOPHERWATCH_TOOLCHAIN_PREV].version, "go1.21.8");
        ASSERT_STREQ(t.kinds[GOPHERWATCH_TOOLCHAIN_NEXT].version, "go1.23rc1");

        /* Only some kinds. */
        ASSERT_OK_ZERO(gopherwatch_toolchains_parse("v=go1.22.1 t=1 k=cur", 20, &u));
        ASSERT_STREQ(u.kinds[GOPHERWATCH_TOOLCHAIN_CUR].version, "go1.22.1");
        ASSERT_FALSE(u.kinds[GOPHERWATCH_TOOLCHAIN_PREV].version);
        ASSERT_FALSE(u.kinds[GOPHERWATCH_TOOLCHAIN_NEXT].version);
}

static void test_toolchains_bad(void) {
        static const char *const answers[] = {
                "v=go1.22.1 t=1",                 /* no kind: no toolchain at all */
                "v=go1.22.1 t=1 k=latest",
                "v=1.22.1 t=1 k=cur",             /* not a Go version */
                "v=go1.22.1 t=z k=cur",
                "v=go1.22.1 t=1 k=cur k=prev",
                "",
        };
        GopherwatchToolchains t = {};

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(answers); i++)
                ASSERT_ERROR(gopherwatch_toolchains_parse(answers[i], strlen(answers[i]), &t), EBADMSG);
        for (size_t i = 0; i < _GOPHERWATCH_TOOLCHAIN_MAX; i++)
                ASSERT_FALSE(t.kinds[i].version);
}

int main(void) {
        test_module_name();
        test_module_name_invalid();
        test_toolchain_name();
        test_versions();
        test_versions_bad();
        test_versions_too_large();
        test_toolchains();
        test_toolchains_bad();
        return 0;
}
