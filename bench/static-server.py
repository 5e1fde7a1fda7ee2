#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A static file server for upkeep's benchmarks: python's http.server (logging each request as it
does), with a listen backlog fit for many clients; the stdlib default of 5 refuses connections under
load.

  static-server.py DIRECTORY PORT
"""
import functools
import http.server
import sys


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 1024


handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
Server(("127.0.0.1", int(sys.argv[2])), handler).serve_forever()
