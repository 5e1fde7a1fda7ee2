#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""HTTP load for upkeep's zero-downtime test and benchmark (python3 standard library only).

  load-client.py [--host H] [--port P] [--threads N] [--duration T] [--timeout S]
                 [--stop-file PATH [--tail S]] [--log FILE]

N threads GET / in a loop, a new connection each time, for T seconds (or, with --stop-file, until
PATH exists and then --tail seconds more, at most T). Each request has a timeout of S seconds.
Prints a JSON summary: counts of successes and of failures by kind (refused, reset, timeout,
other), latency percentiles of the successful requests in ms, the versions the app answered in the
order they were seen, when each first and last answered, and the longest time without a successful
answer. --log writes one line per request: start and end (epoch seconds), latency ms, outcome.
"""
import argparse
import http.client
import json
import os
import socket
import threading
import time


def classify(e):
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    if isinstance(e, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError,
                      http.client.RemoteDisconnected, http.client.IncompleteRead)):
        return "reset"
    if isinstance(e, (socket.timeout, TimeoutError)):
        return "timeout"
    return "other"


def worker(args, stop, out):
    while not stop.is_set():
        t0 = time.time()
        outcome = None
        try:
            conn = http.client.HTTPConnection(args.host, args.port, timeout=args.timeout)
            try:
                conn.request("GET", "/")
                r = conn.getresponse()
                body = r.read()
            finally:
                conn.close()
            outcome = ("ok", body.decode(errors="replace").strip()) if r.status == 200 else ("other", f"HTTP {r.status}")
        except Exception as e:  # noqa: BLE001 - every failure is counted, by kind
            outcome = (classify(e), f"{type(e).__name__}: {e}")
        t1 = time.time()
        out.append((t0, t1, outcome[0], outcome[1]))
        if outcome[0] != "ok":
            time.sleep(0.01)  # a refused connect returns at once: do not spin


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return round(sorted_values[k], 1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--stop-file")
    p.add_argument("--tail", type=float, default=1.0)
    p.add_argument("--log")
    args = p.parse_args()

    stop = threading.Event()
    results = [[] for _ in range(args.threads)]
    threads = [threading.Thread(target=worker, args=(args, stop, results[i]), daemon=True)
               for i in range(args.threads)]
    begin = time.time()
    for t in threads:
        t.start()
    deadline = begin + args.duration
    while time.time() < deadline:
        if args.stop_file and os.path.exists(args.stop_file):
            deadline = min(deadline, time.time() + args.tail)
            args.stop_file = None
        time.sleep(0.02)
    stop.set()
    for t in threads:
        t.join(args.timeout + 5)
    end = time.time()

    reqs = sorted((r for rs in results for r in rs), key=lambda r: r[1])
    counts = {"ok": 0, "refused": 0, "reset": 0, "timeout": 0, "other": 0}
    errors = {}
    lat = []
    versions = []       # [version, first answer, last answer], in order of answers
    gap, gap_at, last_ok = 0.0, None, begin
    for t0, t1, kind, detail in reqs:
        counts[kind] += 1
        if kind != "ok":
            errors.setdefault(kind, detail)
            continue
        lat.append((t1 - t0) * 1000)
        if not versions or versions[-1][0] != detail:
            versions.append([detail, t1, t1])
        versions[-1][2] = t1
        if t1 - last_ok > gap:
            gap, gap_at = t1 - last_ok, last_ok
        last_ok = t1
    lat.sort()
    summary = {
        "requests": len(reqs),
        **counts,
        "failed": len(reqs) - counts["ok"],
        "p50_ms": percentile(lat, 50),
        "p99_ms": percentile(lat, 99),
        "max_ms": round(lat[-1], 1) if lat else None,
        "versions": [v[0] for v in versions],
        "version_spans": [{"version": v, "first": round(a, 3), "last": round(b, 3)} for v, a, b in versions],
        "max_gap_ms": round(gap * 1000, 1),
        "max_gap_at": round(gap_at, 3) if gap_at else None,
        "begin": round(begin, 3),
        "end": round(end, 3),
        "seconds": round(end - begin, 2),
        "first_errors": errors,
    }
    if args.log:
        with open(args.log, "w") as f:
            for t0, t1, kind, detail in reqs:
                f.write(f"{t0:.6f} {t1:.6f} {(t1 - t0) * 1000:.1f} {kind} {detail}\n")
    print(json.dumps(summary))


main()
