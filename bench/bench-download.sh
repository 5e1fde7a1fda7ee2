#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# How much does upkeep's download path (libcurl multi on sd-event, SHA-256 while streaming, written to
# an fd) cost compared with curl(1), and with curl(1) followed by sha256sum(1)?
#
# Usage: bench/bench-download.sh [BENCH-DOWNLOAD-BINARY] [RUNS]
#   BENCH-DOWNLOAD-BINARY  default: build/bench/bench-download (needs subdir('bench') in meson.build)
# Environment: BENCH_DIR (default /var/tmp/upkeep-bench; the file and the downloads live there, on one
# disk), BENCH_SIZE_MIB (default 512), BENCH_RATE_MIB (pace the server at that many MiB/s, to stand for
# a real link; default: as fast as loopback goes).
#
# Serves a random file on 127.0.0.1 with tests/unit/http-test-server.py (sendfile(2): over loopback
# the client, not the server, is the bottleneck) and times, RUNS times each (default 5), interleaved:
#   (a) curl -s -o FILE URL   (b) curl -s -o FILE URL && sha256sum FILE   (c) bench-download URL FILE
# then prints the medians and the ratios (c)/(a) and (c)/(b). Before each run the previous output is
# removed and the disk synced, so no run pays for another's writeback.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
driver=$(realpath "${1:-$here/../build/bench/bench-download}")
runs=${2:-5}
dir=${BENCH_DIR:-/var/tmp/upkeep-bench}
size_mib=${BENCH_SIZE_MIB:-512}
rate=${BENCH_RATE_MIB:-}

[[ -x "$driver" ]] || { echo "No driver at $driver (build it: meson.build needs subdir('bench'))" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl(1) is needed" >&2; exit 1; }

mkdir -p "$dir/www"
blob="$dir/www/blob.bin"
out="$dir/out.bin"
if [[ ! -f "$blob" || $(stat -c %s "$blob") -ne $((size_mib * 1024 * 1024)) ]]; then
        echo "Creating a ${size_mib} MiB test file in $blob"
        head -c $((size_mib * 1024 * 1024)) /dev/urandom >"$blob"
fi
expected=$(sha256sum "$blob" | cut -d' ' -f1)

server_pid=
cleanup() {
        [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
        rm -f "$out"
}
trap cleanup EXIT

coproc SERVER { exec python3 "$here/../tests/unit/http-test-server.py" "$dir/www"; }
server_pid=$SERVER_PID
read -r port <&"${SERVER[0]}" # printed once it listens
url="http://127.0.0.1:$port/blob.bin${rate:+?rate=$rate}"

# Seconds taken by "$@", with a clean slate: no old output, nothing left to write back.
timed() {
        local start end
        rm -f "$out"
        sync
        start=$(date +%s.%N)
        "$@" >/dev/null
        end=$(date +%s.%N)
        echo "$end - $start" | bc
}

median() {
        sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

curl_only() { curl -sf -o "$out" "$url"; }
curl_sha() { curl -sf -o "$out" "$url" && sha256sum "$out"; }
upkeep() { "$driver" "$url" "$out"; }

cat "$blob" >/dev/null # into the page cache, so the server reads no disk
got=$(upkeep | cut -d' ' -f1) # a warm-up, and a check that it gets the right bytes
[[ "$got" == "$expected" ]] || { echo "bench-download got $got, expected $expected" >&2; exit 1; }

a=() b=() c=()
for i in $(seq "$runs"); do
        a+=("$(timed curl_only)")
        b+=("$(timed curl_sha)")
        c+=("$(timed upkeep)")
        echo "run $i: curl ${a[-1]} s, curl+sha256sum ${b[-1]} s, upkeep ${c[-1]} s"
done

ma=$(printf '%s\n' "${a[@]}" | median)
mb=$(printf '%s\n' "${b[@]}" | median)
mc=$(printf '%s\n' "${c[@]}" | median)
echo
echo "${size_mib} MiB over loopback${rate:+ paced at $rate MiB/s}, $runs runs each, medians:"
printf '  (a) curl -o               %6.3f s\n' "$ma"
printf '  (b) curl -o && sha256sum  %6.3f s\n' "$mb"
printf '  (c) upkeep http_get + sha %6.3f s\n' "$mc"
printf '  (c)/(a) = %.3f   (c)/(b) = %.3f\n' "$(echo "$mc / $ma" | bc -l)" "$(echo "$mc / $mb" | bc -l)"
