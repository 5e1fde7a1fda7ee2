/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>

#include "macro.h"
#include "s3.h"
#include "tests.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

static int parse(const char *text, S3Credentials *c, char **reason) {
        return s3_credentials_parse(text, strlen(text), c, reason);
}

static void test_credentials_parse(void) {
        S3Credentials c = {};
        _cleanup_free_ char *reason = NULL;

        printf("%s\n", __func__);

        ASSERT_OK(parse("# upkeep S3 credentials\n"
                        "AccessKeyId=AKIDEXAMPLE\r\n"
                        "\n"
                        "  SecretAccessKey = " SECRET "  \n", &c, &reason));
        ASSERT_STREQ(c.access_key_id, "AKIDEXAMPLE");
        ASSERT_STREQ(c.secret_access_key, SECRET);
        ASSERT_NULL(c.session_token);
        s3_credentials_done(&c);
        ASSERT_NULL(c.secret_access_key);

        /* The last line without a newline; a session token. */
        ASSERT_OK(parse("SessionToken=FwoGZXIvYXdzE+/=\nAccessKeyId=A\nSecretAccessKey=s", &c, &reason));
        ASSERT_STREQ(c.session_token, "FwoGZXIvYXdzE+/=");
        ASSERT_STREQ(c.secret_access_key, "s");
        s3_credentials_done(&c);
}

/* Every refusal names the line and key, and never echoes a value: a misplaced secret stays unsaid. */
static void expect_refused(const char *text, const char *reason_part) {
        S3Credentials c = {};
        _cleanup_free_ char *reason = NULL;

        ASSERT_ERROR(parse(text, &c, &reason), EBADMSG);
        ASSERT_NOT_NULL(reason);
        printf("  refused: %s\n", reason);
        ASSERT_NOT_NULL(strstr(reason, reason_part));
        ASSERT_NULL(strstr(reason, SECRET));
        ASSERT_NULL(strstr(reason, "hunter2"));
        ASSERT_NULL(c.access_key_id);
}

static void test_credentials_refused(void) {
        printf("%s\n", __func__);

        expect_refused("", "AccessKeyId= is missing");
        expect_refused("AccessKeyId=A\n", "SecretAccessKey= is missing");
        expect_refused("AccessKeyId=A\n" SECRET "\n", "line 2 is not Key=value");
        expect_refused("AccessKeyId=A\nSecretAccessKey=" SECRET "\nSecretAccessKey=hunter2\n", "line 3 sets SecretAccessKey= a second time");
        expect_refused("AccessKeyId=A\nsecret=" SECRET "\n", "line 2 has an unknown key");
        expect_refused("AccessKeyId=A\nSecretAccessKey=\n", "line 2: SecretAccessKey= is empty");
        expect_refused("AccessKeyId=A\nSecretAccessKey=hunter2 " SECRET "\n", "line 2: SecretAccessKey=");
        expect_refused("AccessKeyId=A\nSecretAccessKey=hunter2\x7f\n", "not visible ASCII");
        expect_refused("AccessKeyId=A\nSessionToken=hunter2\x01\nSecretAccessKey=x\n", "line 2: SessionToken=");

        S3Credentials c = {};
        _cleanup_free_ char *reason = NULL;
        ASSERT_ERROR(s3_credentials_parse("AccessKeyId=A\0\nSecretAccessKey=x\n", 31, &c, &reason), EBADMSG);
        ASSERT_STREQ(reason, "it holds a NUL byte");
}

static void test_names(void) {
        printf("%s\n", __func__);

        ASSERT_TRUE(s3_bucket_is_valid("abc"));
        ASSERT_TRUE(s3_bucket_is_valid("releases.example.com"));
        ASSERT_TRUE(s3_bucket_is_valid("my-bucket-1"));
        ASSERT_FALSE(s3_bucket_is_valid("ab"));
        ASSERT_FALSE(s3_bucket_is_valid("Releases"));
        ASSERT_FALSE(s3_bucket_is_valid("-abc"));
        ASSERT_FALSE(s3_bucket_is_valid("abc."));
        ASSERT_FALSE(s3_bucket_is_valid("a..bc"));
        ASSERT_FALSE(s3_bucket_is_valid("a_bc"));
        ASSERT_FALSE(s3_bucket_is_valid("a@b.c"));

        ASSERT_TRUE(s3_region_is_valid("us-east-1"));
        ASSERT_TRUE(s3_region_is_valid("garage"));
        ASSERT_FALSE(s3_region_is_valid(""));
        ASSERT_FALSE(s3_region_is_valid("eu west"));
        ASSERT_FALSE(s3_region_is_valid("eu:west"));

        ASSERT_TRUE(s3_endpoint_is_valid("https://minio.example.com:9000"));
        ASSERT_TRUE(s3_endpoint_is_valid("http://127.0.0.1:9000/"));
        ASSERT_TRUE(s3_endpoint_is_valid("https://gw.example.com/s3"));
        ASSERT_FALSE(s3_endpoint_is_valid("https://"));
        ASSERT_FALSE(s3_endpoint_is_valid("ftp://minio"));
        ASSERT_FALSE(s3_endpoint_is_valid("file:///srv"));
        ASSERT_FALSE(s3_endpoint_is_valid("https://key:secret@minio.example.com"));
        ASSERT_FALSE(s3_endpoint_is_valid("https://minio.example.com/?x=1"));
        ASSERT_FALSE(s3_endpoint_is_valid("https://minio.example.com/#x"));
        ASSERT_FALSE(s3_endpoint_is_valid("https://minio example.com"));
}

static void test_url_split(void) {
        _cleanup_free_ char *bucket = NULL, *key = NULL;

        printf("%s\n", __func__);

        ASSERT_OK(s3_url_split("s3://bkt/apps/hello/", &bucket, &key));
        ASSERT_STREQ(bucket, "bkt");
        ASSERT_STREQ(key, "apps/hello/");
        bucket = mfree(bucket);
        key = mfree(key);
        ASSERT_OK(s3_url_split("s3://bkt", &bucket, &key));
        ASSERT_STREQ(bucket, "bkt");
        ASSERT_STREQ(key, "");

        ASSERT_TRUE(s3_url_is_valid("s3://bkt/"));
        ASSERT_TRUE(s3_url_is_valid("s3://bkt/a/b"));
        ASSERT_FALSE(s3_url_is_valid("s3://"));
        ASSERT_FALSE(s3_url_is_valid("s3:///x"));
        ASSERT_FALSE(s3_url_is_valid("s3://BKT/x"));
        ASSERT_FALSE(s3_url_is_valid("s3://user:pw@bkt/x"));
        ASSERT_FALSE(s3_url_is_valid("s3://bkt/a/../b"));
        ASSERT_FALSE(s3_url_is_valid("s3://bkt/./b"));
        ASSERT_FALSE(s3_url_is_valid("s3://bkt/a b"));
        ASSERT_FALSE(s3_url_is_valid("s3://bkt/a\nb"));
        ASSERT_FALSE(s3_url_is_valid("https://bkt/a"));
        ASSERT_FALSE(s3_url_is_valid(NULL));
}

static void test_url_resolve(void) {
        char *url;

        printf("%s\n", __func__);

        ASSERT_OK(s3_url_resolve("s3://bkt/apps/hello/", "channel.json", &url));
        ASSERT_STREQ(url, "s3://bkt/apps/hello/channel.json");
        free(url);
        ASSERT_OK(s3_url_resolve("s3://bkt/apps/hello", "1.0.0/linux-amd64/hello.tar.gz", &url));
        ASSERT_STREQ(url, "s3://bkt/apps/hello/1.0.0/linux-amd64/hello.tar.gz");
        free(url);
        ASSERT_OK(s3_url_resolve("s3://bkt", "channel.json", &url));
        ASSERT_STREQ(url, "s3://bkt/channel.json");
        free(url);
        ASSERT_OK(s3_url_resolve("s3://bkt/", "channel.json", &url));
        ASSERT_STREQ(url, "s3://bkt/channel.json");
        free(url);
        ASSERT_OK(s3_url_resolve("s3://bkt/apps/", "s3://other-bkt/x.tar", &url));
        ASSERT_STREQ(url, "s3://other-bkt/x.tar");
        free(url);

        ASSERT_ERROR(s3_url_resolve("s3://bkt/apps/", "../secret", &url), EINVAL);
        ASSERT_ERROR(s3_url_resolve("s3://bkt/apps/", "a/./b", &url), EINVAL);
        ASSERT_ERROR(s3_url_resolve("s3://bkt/apps/", "dir/", &url), EINVAL);
        ASSERT_ERROR(s3_url_resolve("s3://bkt/apps/", "", &url), EINVAL);
        ASSERT_ERROR(s3_url_resolve("s3://bkt/apps/", "https://elsewhere/x", &url), EINVAL);
        ASSERT_ERROR(s3_url_resolve("s3://bkt/apps/", "s3://bkt/", &url), EINVAL);
}

static void test_object_url(void) {
        char *url;

        printf("%s\n", __func__);

        /* AWS: virtual-hosted, or path-style for a bucket with a dot. */
        ASSERT_OK(s3_object_url(NULL, "eu-central-1", "s3://bkt/apps/hello/channel.json", &url));
        ASSERT_STREQ(url, "https://bkt.s3.eu-central-1.amazonaws.com/apps/hello/channel.json");
        free(url);
        ASSERT_OK(s3_object_url(NULL, S3_REGION_DEFAULT, "s3://releases.example.com/channel.json", &url));
        ASSERT_STREQ(url, "https://s3.us-east-1.amazonaws.com/releases.example.com/channel.json");
        free(url);

        /* An endpoint: path-style, with or without its trailing slash, its own path kept. */
        ASSERT_OK(s3_object_url("http://127.0.0.1:9000", "garage", "s3://bkt/p/channel.json", &url));
        ASSERT_STREQ(url, "http://127.0.0.1:9000/bkt/p/channel.json");
        free(url);
        ASSERT_OK(s3_object_url("https://gw.example.com/s3/", "us-east-1", "s3://bkt/channel.json", &url));
        ASSERT_STREQ(url, "https://gw.example.com/s3/bkt/channel.json");
        free(url);

        /* The key percent-encoded but for unreserved characters and '/'. */
        ASSERT_OK(s3_object_url("http://minio:9000", "us-east-1", "s3://bkt/1.0.0+build/a b?c=d%~_.tar", &url) == -EINVAL ? 0 : -1);
        ASSERT_OK(s3_object_url("http://minio:9000", "us-east-1", "s3://bkt/1.0.0+build/x?c=d%~_&é.tar", &url));
        ASSERT_STREQ(url, "http://minio:9000/bkt/1.0.0%2Bbuild/x%3Fc%3Dd%25~_%26%C3%A9.tar");
        free(url);

        ASSERT_ERROR(s3_object_url("https://u:p@minio", "us-east-1", "s3://bkt/x", &url), EINVAL);
        ASSERT_ERROR(s3_object_url(NULL, "bad region", "s3://bkt/x", &url), EINVAL);
        ASSERT_ERROR(s3_object_url(NULL, "us-east-1", "https://bkt/x", &url), EINVAL);
}

static void test_error_message(void) {
        static const char sig[] =
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>"
                "<Message>The request signature we calculated does not match</Message></Error>";
        const char *u = "s3://bkt/p/channel.json";
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL, *g = NULL;

        printf("%s\n", __func__);

        a = s3_error_message(u, 403, sig, strlen(sig));
        ASSERT_STREQ(a, "S3 refused the request signature for s3://bkt/p/channel.json: SignatureDoesNotMatch — "
                        "check the app's S3 credentials");
        b = s3_error_message(u, 403, "<Error><Code>InvalidAccessKeyId</Code></Error>", 46);
        ASSERT_NOT_NULL(strstr(b, "signature for s3://bkt/p/channel.json: InvalidAccessKeyId — check the app's S3 credentials"));
        c = s3_error_message(u, 404, "<Error><Code>NoSuchKey</Code></Error>", 37);
        ASSERT_STREQ(c, "S3 answered HTTP 404 for s3://bkt/p/channel.json: NoSuchKey");
        d = s3_error_message(u, 400, "<Code>AuthorizationHeaderMalformed</Code>", 41);
        ASSERT_NOT_NULL(strstr(d, "check the app's S3Region= and S3Endpoint="));

        /* A hostile body: no code, a code with markup or a newline, a NUL, a huge code. */
        e = s3_error_message(u, 403, "<Code>Evil\n- forged line</Code>", 31);
        ASSERT_STREQ(e, "S3 answered HTTP 403 for s3://bkt/p/channel.json — check the app's S3 credentials");
        f = s3_error_message(u, 500, "<Code>A\0B</Code>", 16);
        ASSERT_STREQ(f, "S3 answered HTTP 500 for s3://bkt/p/channel.json");
        char big[200];
        memset(big, 'A', sizeof(big));
        memcpy(big, "<Code>", 6);
        memcpy(big + sizeof(big) - 8, "</Code>", 8);
        g = s3_error_message(u, 502, big, strlen(big));
        ASSERT_STREQ(g, "S3 answered HTTP 502 for s3://bkt/p/channel.json");
}

int main(void) {
        test_credentials_parse();
        test_credentials_refused();
        test_names();
        test_url_split();
        test_url_resolve();
        test_object_url();
        test_error_message();
        return 0;
}
