/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hosts upkeepctl asks: the shape of a host, and the hosts file. */
#include <errno.h>

/* ctl-hosts.c belongs to upkeepctl, not to the shared library; tests/unit/meson.build builds it into
 * this test. */
#include "ctl-hosts.h"
#include "macro.h"
#include "strv.h"
#include "tests.h"

static void test_host_is_valid(void) {
        ASSERT_TRUE(host_is_valid("web1"));
        ASSERT_TRUE(host_is_valid("root@web1.example.com"));
        ASSERT_TRUE(host_is_valid("admin@10.0.0.7:container"));
        ASSERT_TRUE(host_is_valid("[fe80::1]"));

        ASSERT_FALSE(host_is_valid(NULL));
        ASSERT_FALSE(host_is_valid(""));
        /* ssh would take it for an option (sd-bus puts "--" before the host; this says why it fails). */
        ASSERT_FALSE(host_is_valid("-oProxyCommand=sh"));
        ASSERT_FALSE(host_is_valid("two words"));
        ASSERT_FALSE(host_is_valid("tab\there"));
        ASSERT_FALSE(host_is_valid("bell\a"));
        ASSERT_FALSE(host_is_valid("del\x7f"));
}

static void assert_hosts(char **l, const char *const *expected) {
        size_t n = 0;

        for (; expected[n]; n++) {
                ASSERT_NOT_NULL(l);
                ASSERT_STREQ(l[n], expected[n]);
        }
        ASSERT_EQ_U(strv_length(l), n);
}

static void test_hosts_add_drops_repeats(void) {
        _cleanup_(strv_freep) char **l = NULL;

        ASSERT_OK_ZERO(hosts_add(&l, "a"));
        ASSERT_OK_ZERO(hosts_add(&l, "b"));
        ASSERT_OK_ZERO(hosts_add(&l, "a"));
        assert_hosts(l, (const char *const[]) { "a", "b", NULL });
}

static void test_hosts_parse(void) {
        _cleanup_(strv_freep) char **l = NULL;
        unsigned line = 0;

        ASSERT_OK_ZERO(hosts_add(&l, "first"));
        ASSERT_OK_ZERO(hosts_parse("# the web servers\n"
                                   "web1\n"
                                   "  root@web2.example.com  \t\n"
                                   "\n"
                                   "db:postgres   # a container on db\n"
                                   "first\n"          /* given with -H before: asked once */
                                   "web1\r\n"         /* a file written on Windows */
                                   "   \n"
                                   "last",            /* no newline at the end */
                                   &l, &line));
        assert_hosts(l, (const char *const[]) {
                        "first", "web1", "root@web2.example.com", "db:postgres", "last", NULL });
}

static void test_hosts_parse_empty(void) {
        _cleanup_(strv_freep) char **l = NULL;

        ASSERT_OK_ZERO(hosts_parse("", &l, NULL));
        ASSERT_NULL(l);
        ASSERT_OK_ZERO(hosts_parse("# nothing yet\n\n", &l, NULL));
        ASSERT_NULL(l);
}

static void test_hosts_parse_refuses(void) {
        static const struct {
                const char *text;
                unsigned line;
        } bad[] = {
                { "web1 web2\n", 1 },                 /* two on one line */
                { "web1\n\n# c\n-oProxyCommand=x\n", 4 },
                { "ok\nweb\x01\n", 2 },
                { "a\nb\nc d # comment\n", 3 },
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_(strv_freep) char **l = NULL;
                unsigned line = 0;

                ASSERT_OK_ZERO(hosts_add(&l, "before"));
                ASSERT_ERROR(hosts_parse(bad[i].text, &l, &line), EINVAL);
                ASSERT_EQ_U(line, bad[i].line);
                /* Nothing of a bad file is taken. */
                assert_hosts(l, (const char *const[]) { "before", NULL });
        }
}

int main(void) {
        test_host_is_valid();
        test_hosts_add_drops_repeats();
        test_hosts_parse();
        test_hosts_parse_empty();
        test_hosts_parse_refuses();
        return test_done();
}
