/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "macro.h"
#include "tests.h"
#include "version.h"

static int sign(int x) {
        return (x > 0) - (x < 0);
}

static void assert_order(const char *a, const char *b, int expected) {
        int c = sign(version_compare(a, b)), back = sign(version_compare(b, a));

        if (c != expected || back != -expected) {
                TEST_FAIL("version_compare(\"%s\", \"%s\") = %d / reversed %d, expected %d",
                        strempty(a), strempty(b), c, back, expected);
        }
}

static void assert_invalid(const char *s) {
        Version v = { .major = 42, .prerelease = (char *) "untouched" };

        if (version_is_valid(s)) {
                TEST_FAIL("\"%s\" accepted as a version", strempty(s));
        }
        ASSERT_LT(version_parse(s, &v), 0);
        ASSERT_EQ(v.major, 42);
        ASSERT_STREQ(v.prerelease, "untouched");
}

static void test_parse_plain(void) {
        _cleanup_(version_done) Version v = {};

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(version_parse("1.2.3", &v));
        ASSERT_EQ(v.major, 1);
        ASSERT_EQ(v.minor, 2);
        ASSERT_EQ(v.patch, 3);
        ASSERT_NULL(v.prerelease);
        ASSERT_NULL(v.build);
}

static void test_parse_full(void) {
        _cleanup_(version_done) Version v = {};

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(version_parse("v10.20.30-rc.1+build.5", &v));
        ASSERT_EQ(v.major, 10);
        ASSERT_EQ(v.minor, 20);
        ASSERT_EQ(v.patch, 30);
        ASSERT_STREQ(v.prerelease, "rc.1");
        ASSERT_STREQ(v.build, "build.5");

        version_done(&v);
        ASSERT_NULL(v.prerelease);
        ASSERT_NULL(v.build);
        version_done(&v);  /* twice is fine */

        ASSERT_OK_ZERO(version_parse("0.0.0+20130313144700", &v));
        ASSERT_EQ(v.major, 0);
        ASSERT_EQ(v.minor, 0);
        ASSERT_EQ(v.patch, 0);
        ASSERT_NULL(v.prerelease);
        ASSERT_STREQ(v.build, "20130313144700");
}

static void test_parse_limits(void) {
        _cleanup_(version_done) Version v = {};

        printf("%s\n", __func__);

        ASSERT_OK_ZERO(version_parse("18446744073709551615.0.18446744073709551615", &v));
        ASSERT_EQ_U(v.major, UINT64_MAX);
        ASSERT_EQ(v.minor, 0);
        ASSERT_EQ_U(v.patch, UINT64_MAX);

        /* One more than UINT64_MAX, in each position. */
        assert_invalid("18446744073709551616.0.0");
        assert_invalid("0.18446744073709551616.0");
        assert_invalid("0.0.18446744073709551616");
        assert_invalid("99999999999999999999999.0.0");
}

static void test_valid(void) {
        static const char *const valid[] = {
                "0.0.0", "1.2.3", "v1.2.3", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7",
                "1.0.0-x.7.z.92", "1.0.0-x-y-z.--", "1.0.0-alpha+001", "1.0.0+20130313144700",
                "1.0.0-beta+exp.sha.5114f85", "1.0.0+21AF26D3----117B344092BD", "1.0.0-0",
                "1.0.0-0a", "1.0.0-00a", "1.0.0+01", "1.0.0-rc.1+build.01",
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(valid); i++) {
                if (!version_is_valid(valid[i])) {
                        TEST_FAIL("\"%s\" refused", valid[i]);
                }
        }
}

static void test_invalid(void) {
        printf("%s\n", __func__);

        assert_invalid(NULL);
        assert_invalid("");
        assert_invalid("1");
        assert_invalid("1.2");
        assert_invalid("1.2.3.4");
        assert_invalid("01.2.3");
        assert_invalid("1.02.3");
        assert_invalid("1.2.03");
        assert_invalid("1.2.3-");
        assert_invalid("1.2.3+");
        assert_invalid("1.2.3-a..b");
        assert_invalid("1.2.3-a.");
        assert_invalid("1.2.3-.a");
        assert_invalid("1.2.3+a..b");
        assert_invalid("1.2.3-01");            /* numeric pre-release identifier with leading zero */
        assert_invalid("1.2.3-rc.01");
        assert_invalid("1.2.3+build+more");
        assert_invalid("1.2.3-rc_1");
        assert_invalid("v");
        assert_invalid("vv1.2.3");
        assert_invalid("V1.2.3");
        assert_invalid("1.2.x");
        assert_invalid(" 1.2.3");
        assert_invalid("1.2.3 ");
        assert_invalid("1.2.3\n");
        assert_invalid("1.2.3foo");
        assert_invalid("1.2.3/../x");
        assert_invalid("-1.2.3");
        assert_invalid("+1.2.3");
        assert_invalid("1..3");
        assert_invalid(".1.2.3");
        assert_invalid("1.2.3.");
        assert_invalid("1.-2.3");
        assert_invalid("1.2.3-ü");
}

static void test_semver_precedence_chain(void) {
        /* The example from semver.org §11, each strictly before the next. */
        static const char *const chain[] = {
                "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
        };

        printf("%s\n", __func__);

        for (size_t i = 0; i < ELEMENTSOF(chain); i++)
                for (size_t j = 0; j < ELEMENTSOF(chain); j++)
                        assert_order(chain[i], chain[j], i < j ? -1 : i > j ? 1 : 0);
}

static void test_core_order(void) {
        printf("%s\n", __func__);

        assert_order("1.0.0", "2.0.0", -1);
        assert_order("2.0.0", "2.1.0", -1);
        assert_order("2.1.0", "2.1.1", -1);
        assert_order("1.9.0", "1.10.0", -1);     /* numerically, not as strings */
        assert_order("1.0.9", "1.0.10", -1);
        assert_order("9.0.0", "10.0.0", -1);
        assert_order("1.99.99", "2.0.0", -1);
        assert_order("18446744073709551614.0.0", "18446744073709551615.0.0", -1);
        assert_order("1.0.0-rc.1", "1.0.1-alpha", -1);
}

static void test_leading_v_and_build(void) {
        printf("%s\n", __func__);

        assert_order("v1.2.3", "1.2.3", 0);
        assert_order("v1.2.3", "1.2.4", -1);
        assert_order("1.2.3+a", "1.2.3+b", 0);
        assert_order("1.2.3+zzz", "1.2.3", 0);
        assert_order("1.2.3-rc.1+a", "1.2.3-rc.1+b.c", 0);
        assert_order("v1.2.3-rc.1+x", "1.2.3-rc.1", 0);
        assert_order("1.2.3-rc.1+build", "1.2.3", -1);
        assert_order("1.0.0-alpha+build.1", "1.0.0-alpha.1", -1);
}

static void test_identifier_rules(void) {
        printf("%s\n", __func__);

        /* Numeric identifiers compare numerically and sort before alphanumeric ones. */
        assert_order("1.0.0-2", "1.0.0-10", -1);
        assert_order("1.0.0-10", "1.0.0-a", -1);
        assert_order("1.0.0-999", "1.0.0-0a", -1);
        assert_order("1.0.0-rc.2", "1.0.0-rc.10", -1);
        assert_order("1.0.0-rc.10", "1.0.0-rc.x", -1);
        /* Alphanumeric identifiers compare in ASCII order: '-' < digits < upper case < lower case. */
        assert_order("1.0.0-B", "1.0.0-a", -1);
        assert_order("1.0.0-a-b", "1.0.0-a1", -1);
        assert_order("1.0.0-alpha", "1.0.0-alphb", -1);
        assert_order("1.0.0-rc", "1.0.0-rc1", -1);  /* prefix first */
        /* Numeric identifiers of any length, beyond uint64_t. */
        assert_order("1.0.0-99999999999999999999999", "1.0.0-100000000000000000000000", -1);
        assert_order("1.0.0-99999999999999999999999", "1.0.0-99999999999999999999999", 0);
        /* More identifiers win when the shared ones are equal. */
        assert_order("1.0.0-a.b", "1.0.0-a.b.c", -1);
        assert_order("1.0.0-1.2", "1.0.0-1.2.0", -1);
}

static void test_invalid_sorts_first(void) {
        printf("%s\n", __func__);

        assert_order("garbage", "0.0.0", -1);
        assert_order("", "0.0.0-0", -1);
        assert_order(NULL, "1.0.0", -1);
        assert_order("99.0", "0.0.1", -1);
        assert_order("01.0.0", "0.0.0", -1);
        assert_order("garbage", "junk", 0);
}

static void test_downgrade(void) {
        printf("%s\n", __func__);

        ASSERT_TRUE(version_is_downgrade("1.2.3", "1.2.2"));
        ASSERT_TRUE(version_is_downgrade("1.2.3", "1.2.3-rc.1"));
        ASSERT_TRUE(version_is_downgrade("2.0.0", "1.99.99"));
        ASSERT_FALSE(version_is_downgrade("1.2.3", "1.2.3"));
        ASSERT_FALSE(version_is_downgrade("1.2.3", "v1.2.3+other"));
        ASSERT_FALSE(version_is_downgrade("1.2.3", "1.2.4"));
        ASSERT_FALSE(version_is_downgrade("1.2.3-rc.1", "1.2.3"));
        /* Garbage as a candidate is never an upgrade. */
        ASSERT_TRUE(version_is_downgrade("1.2.3", "garbage"));
        ASSERT_FALSE(version_is_downgrade(NULL, "1.0.0"));
}

static void test_equal(void) {
        printf("%s\n", __func__);

        ASSERT_TRUE(version_equal("1.2.3", "1.2.3"));
        ASSERT_TRUE(version_equal("v1.2.3", "1.2.3"));
        ASSERT_TRUE(version_equal("1.2.3-rc.1+b.7", "v1.2.3-rc.1+b.7"));
        ASSERT_TRUE(version_equal("v1.2.5+go1.21.9", "v1.2.5+go1.21.9"));
        ASSERT_FALSE(version_equal("v1.2.5+go1.21.9", "v1.2.5+go1.21.8"));   /* two builds of one release */
        ASSERT_FALSE(version_equal("1.2.3+a", "1.2.3"));
        ASSERT_FALSE(version_equal("1.2.3", "1.2.4"));
        ASSERT_FALSE(version_equal("1.2.3-rc.1", "1.2.3"));
        ASSERT_FALSE(version_equal("garbage", "garbage"));
        ASSERT_FALSE(version_equal(NULL, "1.2.3"));
}

int main(void) {
        test_parse_plain();
        test_parse_full();
        test_parse_limits();
        test_valid();
        test_invalid();
        test_semver_precedence_chain();
        test_core_order();
        test_leading_v_and_build();
        test_identifier_rules();
        test_invalid_sorts_first();
        test_downgrade();
        test_equal();
        return 0;
}
