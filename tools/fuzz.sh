#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs upkeep's libFuzzer targets (tests/fuzz/) from their seed corpora, each for a bounded time, and
# reports how many inputs each executed. A crash fails the run and leaves the input in build-fuzz/.
#
#   tools/fuzz.sh                         every target for an hour
#   tools/fuzz.sh --seconds 20            every target for 20 s
#   tools/fuzz.sh --seconds 15 --jobs 2   two targets at a time (what tools/test.sh runs, one per core)
#   tools/fuzz.sh --update-corpus state   one target; inputs that add coverage are merged into
#                                         tests/fuzz/corpus/state/, to be committed
# Needs clang and libclang-rt-14-dev (tools/install-deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=3600
jobs=1
update=false
targets=()
while [ $# -gt 0 ]; do
        case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --seconds=*) seconds=${1#*=}; shift ;;
        --jobs) jobs=$2; shift 2 ;;
        --jobs=*) jobs=${1#*=}; shift ;;
        --update-corpus) update=true; shift ;;
        -h|--help) sed -n '3,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "tools/fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
        esac
done
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
        echo "tools/fuzz.sh: --seconds takes a positive whole number, not '$seconds'" >&2
        exit 2
fi
if ! [[ "$jobs" =~ ^[1-9][0-9]*$ ]]; then
        echo "tools/fuzz.sh: --jobs takes a positive whole number, not '$jobs'" >&2
        exit 2
fi
if [ ${#targets[@]} -eq 0 ]; then
        for d in tests/fuzz/corpus/*/; do
                targets+=("$(basename "$d")")
        done
fi

if [ -d build-fuzz ]; then
        CC=clang meson setup --reconfigure build-fuzz -Dwerror=true -Db_lundef=false >/dev/null
else
        CC=clang meson setup build-fuzz -Dwerror=true -Db_lundef=false >/dev/null
fi

for f in "${targets[@]}"; do
        if [ ! -f "tests/fuzz/fuzz-$f.c" ]; then
                echo "tools/fuzz.sh: no target tests/fuzz/fuzz-$f.c" >&2
                exit 2
        fi
done
ninja -C build-fuzz $(printf 'tests/fuzz/fuzz-%s ' "${targets[@]}") >/dev/null

# fuzz TARGET: runs one target for $seconds; a crash fails it.
fuzz() {
        local f=$1 corpus log runs rate
        # libFuzzer adds what it finds to the first corpus directory: a copy, not the repository's.
        corpus=$(mktemp -d)
        log=$(mktemp)
        cp -r "tests/fuzz/corpus/$f/." "$corpus/"
        # -close_fd_mask=2: the parsers' own error messages are not worth the time; libFuzzer's
        # report of a crash still goes to the log.
        if ! (cd build-fuzz && "./tests/fuzz/fuzz-$f" -max_total_time="$seconds" -close_fd_mask=2 \
                -print_final_stats=1 "$corpus" >"$log" 2>&1); then
                tail -n 60 "$log"
                echo "FAIL: fuzz-$f crashed; the input is in build-fuzz/ (run build-fuzz/tests/fuzz/fuzz-$f FILE to see why)"
                return 1
        fi
        runs=$(awk '/^stat::number_of_executed_units/ {print $2}' "$log")
        rate=$(awk '/^stat::average_exec_per_sec/ {print $2}' "$log")
        echo "fuzz-$f: $runs inputs in ${seconds}s ($rate/s), no crash"
        if $update; then
                (cd build-fuzz && "./tests/fuzz/fuzz-$f" -merge=1 -close_fd_mask=2 \
                        "../tests/fuzz/corpus/$f" "$corpus" >/dev/null 2>&1)
                echo "fuzz-$f: corpus now $(ls "tests/fuzz/corpus/$f" | wc -l) inputs"
        fi
        rm -rf "$corpus" "$log"
}

# Up to $jobs targets at a time; the first crash fails the run once the others running have ended.
failed=0 running=0
for f in "${targets[@]}"; do
        if [ "$running" -ge "$jobs" ]; then
                wait -n || failed=1
                running=$((running - 1))
        fi
        fuzz "$f" &
        running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
        wait -n || failed=1
        running=$((running - 1))
done
exit "$failed"
