#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# How long upkeep-generator takes for many apps: it runs at every boot and daemon-reload, before
# anything else can start, so it must stay fast (goal: under 100 ms for 1,000 apps). Writes N app
# configs (default 1000; a third with [Socket], most with a Window=) into a scratch root and times
# "upkeep-generator --root=ROOT OUT" into a fresh OUT each run: with hyperfine if installed, else
# RUNS (default 20) timed runs. Prints the median in milliseconds.
# OUT is on tmpfs (/dev/shm), as systemd's /run/systemd/generator is: on a disk, creating thousands
# of small files measures the disk, not the generator.
#   bench/bench-generator.sh [N [RUNS]]
#   GENERATOR=path overrides build/src/generator/upkeep-generator; OUTBASE=dir overrides /dev/shm.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-1000}
runs=${2:-20}
gen=$(realpath "${GENERATOR:-build/src/generator/upkeep-generator}")
[ -x "$gen" ] || { echo "No generator at $gen; build first (ninja -C build)." >&2; exit 1; }

outbase=${OUTBASE:-/dev/shm}
[ -d "$outbase" ] && [ -w "$outbase" ] || outbase=/tmp
work=$(mktemp -d /tmp/upkeep-bench-generator.XXXXXX)
outdir=$(mktemp -d "$outbase/upkeep-bench-generator-out.XXXXXX")
trap 'rm -rf "$work" "$outdir"' EXIT

windows=("" "Mon..Fri 09..17" "Sat,Sun 00..06" "22..23,00..04" "Tue,Thu 13")
mkdir -p "$work/root/etc/upkeep/apps" "$work/root/usr/lib/upkeep/apps"
for ((i = 0; i < n; i++)); do
        # Mostly in /etc, some vendor-provided, like a real machine.
        dir=$work/root/etc/upkeep/apps
        ((i % 10 == 9)) && dir=$work/root/usr/lib/upkeep/apps
        {
                printf '[App]\nDescription=Benchmark app %d\n' "$i"
                printf 'Source=https://releases.example.com/app%d/\n' "$i"
                printf 'PublicKey=RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n'
                printf 'Exec=bin/app%d --listen 127.0.0.1:%d\n\n' "$i" $((10000 + i))
                printf '[Update]\nPolicy=minor\nWindow=%s\nJitter=20min\n\n' "${windows[i % ${#windows[@]}]}"
                printf '[Service]\nDynamicUser=yes\nProtectSystem=strict\nEnvironment=APP=%d\nEnvironment=MODE=bench\n' "$i"
                if ((i % 3 == 0)); then
                        printf '\n[Socket]\nListenStream=127.0.0.1:%d\n' $((10000 + i))
                fi
        } >"$dir/app$i.app"
done

# Each run writes into an empty directory, as systemd gives it.
run_once() {
        rm -rf "$outdir/out" && mkdir "$outdir/out"
        "$gen" --root="$work/root" "$outdir/out"
}

run_once
echo "$n apps -> $(find "$outdir/out" -type f | wc -l) files, $(find "$outdir/out" -type l | wc -l) symlinks in $outbase"

if command -v hyperfine >/dev/null; then
        hyperfine --warmup 3 --runs "$runs" --export-json "$work/h.json" \
                --prepare "rm -rf '$outdir/out' && mkdir '$outdir/out'" \
                "'$gen' --root='$work/root' '$outdir/out'" >&2
        python3 -c 'import json,sys; print("median: %.1f ms" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$work/h.json"
        exit 0
fi

times=()
for ((r = 0; r < runs; r++)); do
        rm -rf "$outdir/out" && mkdir "$outdir/out"
        t0=$(date +%s%N)
        "$gen" --root="$work/root" "$outdir/out"
        t1=$(date +%s%N)
        times+=($(((t1 - t0) / 1000)))
done

# Median of the runs in microseconds, printed in milliseconds.
mapfile -t sorted < <(printf '%s\n' "${times[@]}" | sort -n)
if ((runs % 2)); then
        median=${sorted[runs / 2]}
else
        median=$(((sorted[runs / 2 - 1] + sorted[runs / 2]) / 2))
fi
printf 'runs: %d, min %d.%03d ms, max %d.%03d ms\n' "$runs" \
        $((sorted[0] / 1000)) $((sorted[0] % 1000)) $((sorted[runs - 1] / 1000)) $((sorted[runs - 1] % 1000))
printf 'median: %d.%01d ms (goal: < 100 ms for 1000 apps)\n' $((median / 1000)) $((median % 1000 / 100))
