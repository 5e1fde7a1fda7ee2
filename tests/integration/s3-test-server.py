#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small S3-compatible server for upkeep's tests that checks AWS Signature Version 4 for real.

Serves GET and HEAD of objects from a directory (ROOT/BUCKET/KEY), path-style
(http://HOST:PORT/BUCKET/KEY), as MinIO or Ceph RGW do behind a custom endpoint. Every request must
carry an Authorization header that botocore's own signer (botocore.auth.S3SigV4Auth) computes to the
same signature from the request as received and the secret the server knows; anything else is
answered as S3 answers it, with an XML error body: 403 SignatureDoesNotMatch, InvalidAccessKeyId,
AccessDenied (unsigned), RequestTimeTooSkewed, InvalidToken; 400 AuthorizationHeaderMalformed (wrong
region), XAmzContentSHA256Mismatch, MissingSecurityHeader. Objects get an ETag (the MD5 of their
bytes, as S3 gives a single-part object), Last-Modified, If-None-Match (304) and single Range
requests (206).

A file KEY.redirect holds a URL: KEY is answered 307 to it, as a hostile or misconfigured server
might, so tests can see whether a client follows it with its credentials.

Credentials come from a file in upkeep's own format (AccessKeyId=, SecretAccessKey=, SessionToken=),
never from the command line, where the journal would show them:

    s3-test-server.py --root DIR --port 9000 --region eu-test-1 --credentials FILE

Each request is logged to stderr as "METHOD PATH STATUS [CODE]", without any header.
"""

import argparse
import datetime
import email.utils
import hashlib
import hmac
import http.server
import os
import re
import sys
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/s3/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$")
MAX_SKEW = datetime.timedelta(minutes=15)


def read_credentials(path):
    creds = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _, value = line.partition("=")
            creds[key.strip()] = value.strip()
    return creds["AccessKeyId"], creds["SecretAccessKey"], creds.get("SessionToken")


class S3Error(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "upkeep-s3-test"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log(self, status, code=""):
        sys.stderr.write(f"{self.command} {self.path} {status} {code}\n".rstrip() + "\n")
        sys.stderr.flush()

    def send_error_xml(self, err):
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                f"<Error><Code>{err.code}</Code><Message>{err.message}</Message>"
                f"<Resource>{self.path}</Resource><RequestId>0</RequestId></Error>").encode()
        self.send_response(err.status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.log(err.status, err.code)

    def verify_signature(self):
        """Recomputes the request's SigV4 signature with botocore and compares it."""
        cfg = self.server.cfg
        auth = self.headers.get("Authorization")
        if not auth:
            raise S3Error(403, "AccessDenied", "Anonymous access is not allowed")
        m = AUTH_RE.match(auth)
        if not m:
            raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed")
        access_key, date, region, signed, signature = m.groups()
        if access_key != cfg.access_key:
            raise S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist")
        if region != cfg.region:
            raise S3Error(400, "AuthorizationHeaderMalformed", f"the region '{region}' is wrong; expecting '{cfg.region}'")

        amz_date = self.headers.get("x-amz-date", "")
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
        except ValueError:
            raise S3Error(403, "AccessDenied", "x-amz-date is missing or malformed")
        if amz_date[:8] != date:
            raise S3Error(403, "SignatureDoesNotMatch", "the credential scope's date is not x-amz-date's")
        if abs(datetime.datetime.utcnow() - when) > MAX_SKEW:
            raise S3Error(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large")

        content_sha = self.headers.get("x-amz-content-sha256")
        if content_sha is None:
            raise S3Error(400, "MissingSecurityHeader", "Your request was missing a required header: x-amz-content-sha256")
        if content_sha not in (EMPTY_SHA256, "UNSIGNED-PAYLOAD"):
            raise S3Error(400, "XAmzContentSHA256Mismatch", "The provided x-amz-content-sha256 header does not match")

        token = self.headers.get("x-amz-security-token")
        if (token or None) != cfg.session_token or (token is not None and not hmac.compare_digest(token, cfg.session_token)):
            raise S3Error(403, "InvalidToken", "The provided token is malformed or otherwise invalid")

        names = signed.split(";")
        if "host" not in names or "x-amz-date" not in names or "x-amz-content-sha256" not in names:
            raise S3Error(403, "AccessDenied", "host, x-amz-date and x-amz-content-sha256 must be signed")
        for h in self.headers.keys():
            if h.lower().startswith("x-amz-") and h.lower() not in names:
                raise S3Error(403, "AccessDenied", f"header {h.lower()} is not signed")
        headers = {}
        for name in names:
            values = self.headers.get_all(name)
            if values is None:
                raise S3Error(403, "SignatureDoesNotMatch", f"signed header {name} is missing")
            headers[name] = ",".join(values)

        # The request as botocore would have signed it: the path exactly as sent (S3 does not
        # normalize it), the query, and only the headers the client signed.
        request = botocore.awsrequest.AWSRequest(method=self.command, url=f"http://{headers['host']}{self.path}",
                                                 headers=headers)
        request.context["timestamp"] = amz_date
        signer = botocore.auth.S3SigV4Auth(
            botocore.credentials.Credentials(cfg.access_key, cfg.secret, cfg.session_token), "s3", cfg.region)
        if signer.signed_headers(signer.headers_to_sign(request)) != signed:
            raise S3Error(403, "SignatureDoesNotMatch", "the signed headers cannot be reproduced")
        canonical = signer.canonical_request(request)
        expected = signer.signature(signer.string_to_sign(request, canonical), request)
        if not hmac.compare_digest(expected, signature):
            raise S3Error(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided. "
                          "Check your key and signing method.")

    def object_path(self):
        path = urllib.parse.urlsplit(self.path).path
        parts = [urllib.parse.unquote(p) for p in path.split("/")[1:]]
        if len(parts) < 2 or not parts[0] or any(p in ("", ".", "..") for p in parts[1:]) or \
           any("/" in p or "\0" in p for p in parts):
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.")
        bucket = os.path.join(self.server.cfg.root, parts[0])
        if not os.path.isdir(bucket):
            raise S3Error(404, "NoSuchBucket", "The specified bucket does not exist")
        return os.path.join(bucket, *parts[1:])

    def serve(self):
        try:
            self.verify_signature()
            path = self.object_path()
            if os.path.isfile(path + ".redirect"):
                with open(path + ".redirect", encoding="utf-8") as f:
                    location = f.read().strip()
                self.send_response(307)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.log(307)
                return
            if not os.path.isfile(path):
                raise S3Error(404, "NoSuchKey", "The specified key does not exist.")
            with open(path, "rb") as f:
                data = f.read()
        except S3Error as e:
            self.send_error_xml(e)
            return

        etag = '"' + hashlib.md5(data).hexdigest() + '"'
        modified = email.utils.formatdate(os.stat(path).st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            self.log(304)
            return

        status, start, end = 200, 0, len(data)
        m = re.match(r"^bytes=(\d+)-(\d*)$", self.headers.get("Range", ""))
        if m:
            start = int(m.group(1))
            end = min(int(m.group(2)) + 1, len(data)) if m.group(2) else len(data)
            if start >= len(data) or start >= end:
                self.send_error_xml(S3Error(416, "InvalidRange", "The requested range is not satisfiable"))
                return
            status = 206
        self.send_response(status)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(data)}")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data[start:end])
        self.log(status)

    def do_GET(self):
        self.serve()

    def do_HEAD(self):
        self.serve()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--root", required=True, help="directory of buckets (ROOT/BUCKET/KEY)")
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--port", type=int, default=9000)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--credentials", required=True, help="file with AccessKeyId=, SecretAccessKey=[, SessionToken=]")
    args = p.parse_args()

    args.access_key, args.secret, args.session_token = read_credentials(args.credentials)
    server = http.server.ThreadingHTTPServer((args.bind, args.port), Handler)
    server.cfg = args
    server.serve_forever()


if __name__ == "__main__":
    main()
