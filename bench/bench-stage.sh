#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Whether upkeepd answers the bus while it stages a large release: in a real systemd guest, a client
# (bench/bus-latency.c) calls ListApps() and GetAll() of the app back to back while `upkeepctl
# stage` unpacks a tar of SIZE MiB (default 1024) of random bytes, and again with nothing to do.
# Prints the calls' median, p99 and longest wait in both phases, and how long the stage took.
# Needs root and a build in build/ (or $UPKEEP_BUILD_ROOT).
#   bench/bench-stage.sh [SIZE-MIB]
set -euo pipefail
cd "$(dirname "$0")/.."
export UPKEEP_BUILD_ROOT=${UPKEEP_BUILD_ROOT:-$PWD/build}
size=${1:-1024}
. tests/integration/lib.sh
set +e  # lib.sh's helpers report failures themselves

probe=$UPKEEP_BUILD_ROOT/bench/bus-latency
[ -x "$probe" ] || { echo "bench-stage: build $probe first (ninja -C $UPKEEP_BUILD_ROOT)"; exit 1; }

work=$(mktemp -d /var/tmp/upkeep-bench-stage.XXXXXX)
mkdir -p "$work/release/bin"
printf '#!/bin/sh\nexec sleep infinity\n' > "$work/release/bin/example"
chmod 755 "$work/release/bin/example"
head -c "$((size * 1024 * 1024))" /dev/urandom > "$work/release/data"
tar -C "$work/release" -cf "$work/example-2.0.0.tar" bin data

upkeep_boot bench-stage
trap 'rc=$?; harness_stop_all; rm -rf "$UPKEEP_DESTDIR" "$work"; exit $rc' EXIT
harness_copy_in "$UPKEEP_GUEST" "$probe" /usr/local/bin/upkeep-bus-latency
guest mkdir -p /etc/upkeep/apps
printf '[App]\nSource=file:///srv/none/\nPublicKey=RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\nExec=bin/example\n' |
        guest sh -c 'cat > /etc/upkeep/apps/example.app'
guest systemctl daemon-reload

# phase NAME [CMD...]: the probe runs while CMD does (or for 3 s); prints its JSON.
phase() {
        local name=$1; shift
        guest rm -f /run/bench-stop
        if [ $# -eq 0 ]; then
                guest upkeep-bus-latency example /run/bench-stop 3
                return
        fi
        guest upkeep-bus-latency example /run/bench-stop 600 >"$work/$name.json" &
        local pid=$!
        sleep 1
        local t0=${EPOCHREALTIME/./}
        "$@" || echo "bench-stage: '$*' failed" >&2
        echo "stage took $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms" >&2
        sleep 0.5
        guest touch /run/bench-stop
        wait "$pid"
        cat "$work/$name.json"
}

guest upkeepctl --no-ask-password status example >/dev/null 2>&1   # activates upkeepd
echo "idle:    $(phase idle)"
echo "staging: $(phase staging guest upkeepctl --no-ask-password stage example "$work/example-2.0.0.tar" 2.0.0)"
