#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A real HTTP server for test-http and the download benchmark (stdlib only).

Usage: http-test-server.py DIR [PORT]
Listens on 127.0.0.1 on PORT, or on a free port, and prints that port as the first line on stdout. Serves
the files of DIR with ETag and Last-Modified, answering If-None-Match and If-Modified-Since with 304.
Special paths:
  /redirect/N/PATH   redirects N times, then to /PATH
  /slow              sends a few bytes, stalls for a second, then sends the rest
  /lie-size          sends no Content-Length and data without end, until the client hangs up
  /no-length/PATH    sends the file PATH without Content-Length, ending it by closing the connection
  /status/CODE       answers with that status and a short body
  /status/CODE/N     answers with that status and a body of N bytes
A file's URL may end in ?rate=MIB to pace it at that many MiB/s, standing in for a link slower than
loopback (bench-download.sh uses it), and in ?poison=etag or ?poison=date to send, as a man in the
middle could, an ETag with a bare CR in it or a Last-Modified in the year 20000; with the environment
variable HTTP_TEST_SERVER_POISON=etag or =date, every file is sent so.
"""

import email.utils
import http.server
import os
import sys
import time
import urllib.parse

SLOW_HEAD = b"slow start|"
SLOW_TAIL = b"|slow end\n"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "upkeep-test"

    def log_message(self, format, *args):
        pass

    def send_body(self, code, body, content_type="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        parts = path.strip("/").split("/")
        try:
            if parts[0] == "redirect" and len(parts) >= 3:
                n = int(parts[1])
                rest = "/".join(parts[2:])
                target = f"/redirect/{n - 1}/{rest}" if n > 1 else f"/{rest}"
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path == "/slow":
                self.send_response(200)
                self.send_header("Content-Length", str(len(SLOW_HEAD) + len(SLOW_TAIL)))
                self.end_headers()
                self.wfile.write(SLOW_HEAD)
                self.wfile.flush()
                time.sleep(1.0)
                self.wfile.write(SLOW_TAIL)
            elif path == "/lie-size":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                chunk = b"x" * 65536
                while True:
                    self.wfile.write(chunk)
            elif parts[0] == "no-length" and len(parts) >= 2:
                self.serve_file("/" + "/".join(parts[1:]), None, with_length=False)
            elif parts[0] == "status" and len(parts) == 2:
                code = int(parts[1])
                self.send_body(code, f"status {code}\n".encode())
            elif parts[0] == "status" and len(parts) == 3:
                self.send_body(int(parts[1]), b"e" * int(parts[2]))
            else:
                query = urllib.parse.parse_qs(url.query)
                rate = query.get("rate")
                poison = query.get("poison", [os.environ.get("HTTP_TEST_SERVER_POISON")])[0]
                self.serve_file(path, float(rate[0]) if rate else None, poison=poison)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def serve_file(self, path, rate_mib, with_length=True, poison=None):
        name = os.path.normpath(urllib.parse.unquote(path)).lstrip("/")
        full = os.path.join(self.server.root, name)
        if name.startswith("..") or not os.path.isfile(full):
            self.send_body(404, b"not found\n")
            return

        st = os.stat(full)
        etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
        last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        if poison == "etag":
            etag = f'"{st.st_mtime_ns:x}\r-{st.st_size:x}"'
        elif poison == "date":
            last_modified = "Sat, 01 Jan 20000 00:00:00 GMT"

        not_modified = False
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            not_modified = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        elif ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
                not_modified = int(st.st_mtime) <= since
            except (TypeError, ValueError):
                pass

        if not_modified:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return

        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if with_length:
            self.send_header("Content-Length", str(st.st_size))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.end_headers()
        with open(full, "rb") as f:
            # sendfile(2), so that the benchmark measures the client, not Python copying bytes.
            self.wfile.flush()
            if not rate_mib:
                self.connection.sendfile(f)
                return
            start, sent = time.monotonic(), 0
            while sent < st.st_size:
                sent += os.sendfile(self.connection.fileno(), f.fileno(), sent, 256 * 1024)
                ahead = sent / (rate_mib * 1024 * 1024) - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops SYNs when a test opens 50 connections at once.
    request_queue_size = 128


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: http-test-server.py DIR [PORT]")
    server = Server(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) == 3 else 0), Handler)
    server.root = os.path.abspath(sys.argv[1])
    sys.stdout.write(f"{server.server_address[1]}\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
