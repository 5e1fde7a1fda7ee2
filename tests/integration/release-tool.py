#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What a publisher does, for upkeep's tests and demo: build release archives (good ones, and the
malicious ones upkeep must refuse) and write channel.json. Signing is left to the real minisign tool.

  release-tool.py archive OUT KIND [VERSION]
      KIND: good (bin/APP serves VERSION over HTTP), faulty (faults on request: see faulty_script), crash (bin/APP exits 1 at once), crash-later (serves, exits
      after 2 s), slow-start (good, but sleeps --delay seconds, default 1, before serving), big (good, plus 8 MiB
      of random data in share/blob, for a download that takes a while), hooked (good, plus bin/hook and a bin/check
      that passes), unhealthy (serves, but its bin/check fails), dotdot, absolute, symlink-escape, hardlink-escape, device,
      fifo, setuid, bomb (200 MiB of zeros, gzip'd)
  release-tool.py program OUT [VERSION]
      A single executable (what a "binary" artifact holds): the app of "good" archives.
  release-tool.py channel OUT --app APP --serial N [--expires ISO] [--release RELEASE]...
      RELEASE: VERSION=FILE[,type=tar|zip|binary][,size=N][,sha256=HEX][,rollout=N][,query=Q][,url=URL]
      query=Q: the artifact's path ends in ?Q, e.g. rate=2 for tests/unit/http-test-server.py to send it at
      2 MiB/s; url=URL: the artifact's path is URL (a full URL, as a hostile channel might name)
"""
import argparse
import datetime
import hashlib
import io
import json
import os
import sys
import tarfile


def add(tar, name, data=b"", mode=0o644, kind=tarfile.REGTYPE, linkname="", devmajor=0, devminor=0):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.mtime = 1700000000
    info.linkname = linkname
    info.devmajor, info.devminor = devmajor, devminor
    if kind == tarfile.REGTYPE:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    else:
        tar.addfile(info)


def app_script(version, before_serve=""):
    # A tiny HTTP app: answers its version, so a test can see which version runs. Socket-activated
    # when systemd passes a listening socket (LISTEN_FDS, fd 3); otherwise it binds --port itself.
    # On SIGTERM it stops accepting and answers the requests it has accepted before it exits, as an
    # app must for a restart without failed requests: what is still queued on a socket systemd
    # holds is answered by the next version. before_serve is code run just before serving.
    return f"""#!/usr/bin/env python3
import http.server, os, signal, socket, sys, threading, time
VERSION = "{version}"
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (VERSION + "\\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() waits for the requests being answered
    request_queue_size = 128  # listen() backlog when binding --port (socketserver's 5 drops SYNs)
port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 8081
if os.environ.get("LISTEN_FDS") and os.environ.get("LISTEN_PID") == str(os.getpid()):
    server = Server(("127.0.0.1", port), H, bind_and_activate=False)
    server.socket.close()
    server.socket = socket.socket(fileno=3)  # SD_LISTEN_FDS_START
else:
    server = Server(("127.0.0.1", port), H)
signal.signal(signal.SIGTERM, lambda *a: threading.Thread(target=server.shutdown).start())
{before_serve}
server.serve_forever(poll_interval=0.1)
server.server_close()
""".encode()


def faulty_script(app, version):
    # Runs until told to fault: each time /run/upkeep-test-fault appears it takes (removes) it and
    # does what it says: "segv" (killed by SIGSEGV), "exit" (exits 3), "oom" (allocates until the
    # unit's MemoryMax= stops it), "hang" (stops sending WATCHDOG=1). So the start after a fault
    # (Restart=) runs on. It logs to its StateDirectory= and LogsDirectory= for FaultFiles=.
    return f"""#!/usr/bin/env python3
import os, signal, socket, sys, time
NAME = "{app} {version}"
def notify(message):
    address = os.environ.get("NOTIFY_SOCKET")
    if address:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.connect("\\0" + address[1:] if address[0] == "@" else address)
            s.send(message.encode())
print(NAME, "up", flush=True)
with open(os.path.join(os.environ["STATE_DIRECTORY"], "last.log"), "w") as f:
    f.write(NAME + " state\\n")
while True:
    notify("WATCHDOG=1")
    try:
        with open("/run/upkeep-test-fault") as f:
            mode = f.read().strip()
        os.unlink("/run/upkeep-test-fault")
    except FileNotFoundError:
        time.sleep(0.1)
        continue
    print(NAME + ": told to fault:", mode, flush=True)
    print(NAME + ": \\033[31mred", flush=True)  # an escape sequence, for upkeepctl to defuse
    with open(os.path.join(os.environ["LOGS_DIRECTORY"], "app.log"), "a") as f:
        f.write(NAME + " fault " + mode + "\\n")
    time.sleep(0.2)
    if mode == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif mode == "exit":
        sys.exit(3)
    elif mode == "oom":
        hog = []
        while True:
            hog.append(bytearray(16 << 20))
    elif mode == "hang":
        while True:
            time.sleep(1)
""".encode()


def hook_script():
    # An install hook: appends what it was told to the file named by $1 (one NAME=VALUE a line).
    return b"""#!/bin/sh
{
    echo "hook args=$*"
    echo "cwd=$(pwd)"
    env | grep '^UPKEEP_' | sort
} >> "$1"
"""


def check_script(version, healthy):
    # A health check: asks the app which version it serves, as a monitoring probe would.
    verdict = "0 if body == VERSION else 1" if healthy else "3"
    return f"""#!/usr/bin/env python3
import os, sys, urllib.request
VERSION = "{version}"
body = urllib.request.urlopen("http://127.0.0.1:8081/", timeout=5).read().decode().strip()
status = {verdict}
print(("healthy" if status == 0 else "unhealthy") + f": {{body}} ({{os.environ.get('UPKEEP_UNIT')}})")
sys.exit(status)
""".encode()


def archive(out, kind, version, app, delay=1.0):
    with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        add(tar, "bin", kind=tarfile.DIRTYPE, mode=0o755)
        if kind == "crash-later":
            # Comes up and serves, then dies after two seconds: only a trial longer than that sees it.
            script = app_script(version, "threading.Timer(2, lambda: os._exit(1)).start()")
            add(tar, f"bin/{app}", script, mode=0o755)
            return
        if kind == "slow-start":
            # A good release that takes a second to come up: makes a restart's window visible.
            add(tar, f"bin/{app}", app_script(version, f"time.sleep({delay})"), mode=0o755)
            return
        if kind == "faulty":
            add(tar, f"bin/{app}", faulty_script(app, version), mode=0o755)
            return
        if kind == "crash":
            # A release that does not come up: it dies at once, as a broken build would.
            add(tar, f"bin/{app}", f"#!/bin/sh\necho '{app} {version}: fatal: cannot parse config' >&2\nexit 1\n".encode(), mode=0o755)
            return
        add(tar, f"bin/{app}", app_script(version), mode=0o755)
        if kind == "hooked":
            add(tar, "bin/hook", hook_script(), mode=0o755)
            add(tar, "bin/check", check_script(version, True), mode=0o755)
        elif kind == "unhealthy":
            add(tar, "bin/hook", hook_script(), mode=0o755)
            add(tar, "bin/check", check_script(version, False), mode=0o755)
        elif kind in ("good", "big"):
            add(tar, "share", kind=tarfile.DIRTYPE, mode=0o755)
            add(tar, "share/VERSION", (version + "\n").encode())
            add(tar, "bin/current-version", kind=tarfile.SYMTYPE, linkname="../share/VERSION")
            if kind == "big":
                add(tar, "share/blob", os.urandom(8 << 20))
        elif kind == "dotdot":
            add(tar, "bin/../../evil", b"escaped\n")
        elif kind == "absolute":
            add(tar, "/etc/upkeep-evil", b"escaped\n")
        elif kind == "symlink-escape":
            add(tar, "passwd", kind=tarfile.SYMTYPE, linkname="../../../../etc/passwd")
        elif kind == "hardlink-escape":
            add(tar, "shadow", kind=tarfile.LNKTYPE, linkname="/etc/shadow")
        elif kind == "device":
            add(tar, "mem", kind=tarfile.CHRTYPE, mode=0o600, devmajor=1, devminor=1)
        elif kind == "fifo":
            add(tar, "pipe", kind=tarfile.FIFOTYPE)
        elif kind == "setuid":
            add(tar, "bin/su-shell", b"#!/bin/sh\nexec /bin/sh\n", mode=0o4755)
        elif kind == "bomb":
            info = tarfile.TarInfo("zeros")
            info.size = 200 << 20
            info.mtime = 1700000000

            class Zeros(io.RawIOBase):
                left = info.size

                def readinto(self, b):
                    n = min(len(b), self.left)
                    b[:n] = bytes(n)
                    self.left -= n
                    return n

            tar.addfile(info, Zeros())
        else:
            sys.exit(f"unknown archive kind {kind}")


def channel(out, app, serial, expires, releases):
    entries = []
    for spec in releases:
        version, _, rest = spec.partition("=")
        path, *opts = rest.split(",")
        opts = dict(o.split("=", 1) for o in opts)
        data = open(path, "rb").read()
        entries.append({
            "version": version,
            "published": "2026-11-20T10:00:00Z",
            "notes": f"Release {version}.",
            "rollout": int(opts.get("rollout", 100)),
            "artifacts": [{
                "platform": "linux-amd64",
                "type": opts.get("type", "tar"),
                "path": opts.get("url", os.path.basename(path) + (f"?{opts['query']}" if "query" in opts else "")),
                "size": int(opts.get("size", len(data))),
                "sha256": opts.get("sha256", hashlib.sha256(data).hexdigest()),
            }],
        })
    doc = {"app": app, "serial": serial, "expires": expires, "releases": entries}
    with open(out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("archive")
    a.add_argument("out")
    a.add_argument("kind")
    a.add_argument("version", nargs="?", default="1.0.0")
    a.add_argument("--app", default="example")
    a.add_argument("--delay", type=float, default=1.0)
    b = sub.add_parser("program")
    b.add_argument("out")
    b.add_argument("version", nargs="?", default="1.0.0")
    c = sub.add_parser("channel")
    c.add_argument("out")
    c.add_argument("--app", required=True)
    c.add_argument("--serial", type=int, required=True)
    in_a_year = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365)
    c.add_argument("--expires", default=in_a_year.strftime("%Y-%m-%dT%H:%M:%SZ"))
    c.add_argument("--release", dest="releases", action="append", default=[])
    args = p.parse_args()
    if args.cmd == "archive":
        archive(args.out, args.kind, args.version, args.app, args.delay)
    elif args.cmd == "program":
        with open(args.out, "wb") as f:
            f.write(app_script(args.version))
        os.chmod(args.out, 0o755)
    else:
        channel(args.out, args.app, args.serial, args.expires, args.releases)


main()
