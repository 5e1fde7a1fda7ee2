#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# How much does upkeep's download path (libcurl multi on sd-event writing to a file opened O_RDWR, as
# upkeepd's O_TMPFILE is, and SHA-256 on a worker thread that reads it back behind the writer) cost
# compared with curl(1), and with curl(1) followed by sha256sum(1)?
#
# Usage: bench/bench-download.sh [BENCH-DOWNLOAD-BINARY] [RUNS]
#   BENCH-DOWNLOAD-BINARY  default: build/bench/bench-download (needs subdir('bench') in meson.build)
# Environment: BENCH_DIR (default /var/tmp/upkeep-bench; the file and the downloads live there, on one
# disk), BENCH_SIZE_MIB (default 512), BENCH_RATE_MIB (pace the server at that many MiB/s, to stand for
# a real link; default: as fast as loopback goes).
#
# Serves a random file on 127.0.0.1 with tests/unit/http-test-server.py (sendfile(2): over loopback
# the client, not the server, is the bottleneck; it uses about 0.1 s of CPU per 512 MiB) and times,
# RUNS rounds (default 5), each of the three once, in a new random order every round:
#   (a) curl -s -o FILE URL   (b) curl -s -o FILE URL && sha256sum FILE   (c) bench-download URL FILE
# then prints the medians of wall and CPU time with the fastest and slowest run, the ratios (c)/(a)
# and (c)/(b) of the medians, and the median of each round's own (c)/(a) with how many rounds were
# within 1.15: on a shared machine the load changes from one minute to the next, and the runs of one
# round see much the same load. Before each run the previous output is removed and the disk synced,
# so no run pays for another's writeback.
# (c) keeps two threads busy (the loop and the hashing worker) where (a) keeps one, and the server
# needs a little of a core as well: with cores to spare, (c)/(a) follows the loop thread's CPU time
# against curl's; on an idle 2-vCPU machine the three threads get in each other's way; under other
# load the scheduler gives each runnable thread its share, which favours (c)'s two over (a)'s one.
# Both CPU ratios and the load average are printed, so a noisy run can be told from a slow one.
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
        [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && { wait "$server_pid" 2>/dev/null || true; } # it dies of SIGTERM
        rm -f "$out"
}
trap cleanup EXIT

coproc SERVER { exec python3 "$here/../tests/unit/http-test-server.py" "$dir/www"; }
server_pid=$SERVER_PID
read -r port <&"${SERVER[0]}" # printed once it listens
url="http://127.0.0.1:$port/blob.bin${rate:+?rate=$rate}"

# "WALL CPU": seconds taken by "$@" and the CPU seconds (user + system, all threads) it used, with a
# clean slate: no old output, nothing left to write back. Its stdout is kept in $dir/stdout.
timed() {
        local TIMEFORMAT='%3R %3U %3S' t
        rm -f "$out"
        sync
        t=$( { time "$@" >"$dir/stdout" 2>&3; } 3>&2 2>&1 )
        awk '{ printf "%s %.3f\n", $1, $2 + $3 }' <<<"$t"
}

# The median of column $1 of stdin.
median() {
        cut -d' ' -f"$1" | sort -g |
                awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# "min-max" of column $1 of stdin.
spread() {
        cut -d' ' -f"$1" | sort -g | awk 'NR == 1 { min = $1 } { max = $1 } END { printf "%.3f-%.3f", min, max }'
}

load() {
        cut -d' ' -f1-3 /proc/loadavg
}

curl_only() { curl -sf -o "$out" "$url"; }
curl_sha() { curl -sf -o "$out" "$url" && sha256sum "$out"; }
upkeep() { "$driver" "$url" "$out"; }

cat "$blob" >/dev/null # into the page cache, so the server reads no disk
got=$(upkeep | cut -d' ' -f1) # a warm-up, and a check that it gets the right bytes
[[ "$got" == "$expected" ]] || { echo "bench-download got $got, expected $expected" >&2; exit 1; }

load_before=$(load)
a=() b=() c=() ratios=()
for i in $(seq "$runs"); do
        # In a new order each round: a fixed one would always run (c) right after the same neighbour.
        for x in $(shuf -e a b c); do
                case $x in
                a) ra=$(timed curl_only) ;;
                b) rb=$(timed curl_sha) ;;
                # bench-download says how much CPU its loop thread used: a third column.
                c) rc="$(timed upkeep) $(sed -n 's/.*loop thread \([0-9.]*\) s CPU.*/\1/p' "$dir/stdout")" ;;
                esac
        done
        a+=("$ra") b+=("$rb") c+=("$rc")
        ratios+=("$(echo "${rc%% *} / ${ra%% *}" | bc -l)")
        printf 'run %s (wall, CPU s): curl %s, curl+sha256sum %s, upkeep %s (loop thread %s), (c)/(a) %.3f\n' \
               "$i" "$ra" "$rb" "${rc% *}" "${rc##* }" "${ratios[-1]}"
done
rm -f "$dir/stdout"

for x in a b c; do
        declare -n runs_of=$x
        declare "m$x=$(printf '%s\n' "${runs_of[@]}" | median 1)" "cpu$x=$(printf '%s\n' "${runs_of[@]}" | median 2)"
        declare "spread$x=$(printf '%s\n' "${runs_of[@]}" | spread 1)"
done
loopc=$(printf '%s\n' "${c[@]}" | median 3)
paired=$(printf '%s\n' "${ratios[@]}" | median 1)
pairedspread=$(printf '%s\n' "${ratios[@]}" | spread 1)
within=$(printf '%s\n' "${ratios[@]}" | awk '$1 <= 1.15' | wc -l)

echo
echo "${size_mib} MiB over loopback${rate:+ paced at $rate MiB/s}, $runs runs each, medians (fastest-slowest):"
printf '  (a) curl -o               %6.3f s (%s), CPU %.3f s\n' "$ma" "$spreada" "$cpua"
printf '  (b) curl -o && sha256sum  %6.3f s (%s), CPU %.3f s\n' "$mb" "$spreadb" "$cpub"
printf '  (c) upkeep http_get + sha %6.3f s (%s), CPU %.3f s, of it the loop thread %.3f s\n' \
       "$mc" "$spreadc" "$cpuc" "$loopc"
printf '  (c)/(a) = %.3f   (c)/(b) = %.3f\n' "$(echo "$mc / $ma" | bc -l)" "$(echo "$mc / $mb" | bc -l)"
printf '  (c)/(a) of each round: median %.3f (%s), within 1.15 in %s of %s rounds\n' \
       "$paired" "$pairedspread" "$within" "$runs"
printf '  CPU: (c)/(a) = %.3f, (c) loop thread/(a) = %.3f\n' "$(echo "$cpuc / $cpua" | bc -l)" \
       "$(echo "$loopc / $cpua" | bc -l)"
echo "  load average before: $load_before, after: $(load)"
