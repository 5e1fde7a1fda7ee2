#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What a switch costs the clients of an app: in a real systemd guest, 8 threads GET the sample app
# (tests/integration/load-client.py) through steady state, an update (1.0.0 -> 1.1.0) and the
# rollback of a release that crashes at once (1.2.0), once for an app with [Socket] (systemd holds
# the listening socket) and once for the same app binding its port itself. Prints requests ok and
# failed, p99 and max latency in each phase, the p99 and max of a phase over the steady p99, and the
# time from the crashing version's first start (its error line in the journal) to the first request
# answered by the old version again. Needs root and a build in build/ (or $UPKEEP_BUILD_ROOT).
#   bench/bench-switch.sh [STEADY-SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
export UPKEEP_BUILD_ROOT=${UPKEEP_BUILD_ROOT:-$PWD/build}
steady=${1:-3}
. tests/integration/lib.sh
. tests/integration/publisher.sh
set +e  # lib.sh's helpers report failures themselves

publisher_setup
two_apps_setup

upkeep_boot bench-switch   # installs build/ with meson install --destdir, boots, cleans up at exit
work=$(mktemp -d /tmp/upkeep-bench-switch.XXXXXX)
upkeep_remove_on_exit "$work"
publisher_serve
two_apps_install

# load APP PORT PHASE [CMD...]: load through CMD (a second before, 1.5 s after) or for $steady s.
load() {
        local app=$1 port=$2 phase=$3 pid; shift 3
        guest rm -f /run/load-stop
        if [ $# -eq 0 ]; then
                guest upkeep-load-client --port "$port" --duration "$steady" --log "/run/load-$app-$phase.log" \
                        >"$work/$app-$phase.json"
        else
                guest upkeep-load-client --port "$port" --duration 60 --stop-file /run/load-stop --tail 1.5 \
                        --log "/run/load-$app-$phase.log" >"$work/$app-$phase.json" &
                pid=$!
                sleep 1
                guest "$@" >"$work/$app-$phase.out" 2>&1
                guest touch /run/load-stop
                wait "$pid"
        fi
        guest cat "/run/load-$app-$phase.log" >"$work/$app-$phase.log"
}

publish_both 1 1.0.0
guest upkeepctl --no-ask-password update example 1.0.0 >/dev/null
guest upkeepctl --no-ask-password update plain 1.0.0 >/dev/null
publish_both 2 1.0.0 1.1.0
publish_both 3 1.0.0 1.1.0 1.2.0
for app in example plain; do
        port=8081; [ "$app" = plain ] && port=8082
        guest curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$port/"   # warm
        load "$app" "$port" steady
        load "$app" "$port" update upkeepctl --no-ask-password update "$app" 1.1.0
        load "$app" "$port" rollback upkeepctl --no-ask-password update "$app" 1.2.0
        # The crashing version's first start: the line it writes to the journal as it dies.
        guest journalctl -u "upkeep@$app.service" -o short-unix --no-pager |
                grep -m1 '1\.2\.0: fatal' | cut -d' ' -f1 >"$work/$app-crash-start"
        # What systemd, upkeep-condition and upkeepd did around it, for the record.
        crash=$(cat "$work/$app-crash-start")
        [ -z "$crash" ] || guest journalctl -o short-unix --no-pager \
                "--since=@$(python3 -c "print(f'{$crash - 0.2:.6f}')")" \
                "--until=@$(python3 -c "print(f'{$crash + 1:.6f}')")" |
                grep -E "upkeep@$app|upkeep-condition|upkeepd|$app\[" >"$work/$app-journal.txt"
done

python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
def summary(app, phase):
    return json.load(open(f"{work}/{app}-{phase}.json"))
def recovery(app):
    # from the crash's journal line to the first request the old version answered after it
    try:
        crash = float(open(f"{work}/{app}-crash-start").read().strip())
    except ValueError:
        return None, None
    for line in open(f"{work}/{app}-rollback.log"):
        t0, t1, ms, kind, detail = line.rstrip("\n").split(" ", 4)
        if kind == "ok" and detail == "1.1.0" and float(t1) > crash:
            return crash, (float(t1) - crash) * 1000
    return crash, None
rows = []
print(f"{'':22} {'phase':9} {'ok':>6} {'failed':>6} {'refused':>7} {'reset':>5} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
      f"{'p99/steady':>10} {'max/steady':>10} {'gap ms':>7}")
for app, label in (("example", "with [Socket]"), ("plain", "without [Socket]")):
    base = summary(app, "steady")["p99_ms"] or float("nan")
    for phase in ("steady", "update", "rollback"):
        s = summary(app, phase)
        fmt = lambda v: "-" if v is None else f"{v:.1f}"
        print(f"{label:22} {phase:9} {s['ok']:>6} {s['failed']:>6} {s['refused']:>7} {s['reset']:>5} {fmt(s['p50_ms']):>7} "
              f"{fmt(s['p99_ms']):>7} {fmt(s['max_ms']):>7} "
              f"{(s['p99_ms'] or 0) / base:>9.1f}x {(s['max_ms'] or 0) / base:>9.1f}x {s['max_gap_ms']:>7.1f}")
print()
for app, label in (("example", "with [Socket]"), ("plain", "without [Socket]")):
    crash, ms = recovery(app)
    s = summary(app, "rollback")
    print(f"{label}: crashing 1.2.0 first started -> old 1.1.0 answering again: "
          + ("n/a" if ms is None else f"{ms:.0f} ms")
          + f" (longest time without an answer during the rollback: {s['max_gap_ms']:.0f} ms)")
print("\n(gap ms: longest time without a successful answer; p99/steady: the phase's p99 over the steady p99)")
EOF
echo
for app in example plain; do
        echo "journal around the crash of $app 1.2.0 (until 1 s after it):"
        sed 's/^/  /' "$work/$app-journal.txt"
done
