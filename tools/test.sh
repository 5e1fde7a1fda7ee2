#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds upkeep and runs every test: unit tests (also under AddressSanitizer and UBSan) and the
# integration tests, which boot a real systemd in namespaces. This is the command README.md names
# and .ci/run calls. Needs root (namespaces, mounts, apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

# Warnings are errors here, as in CI.
setup() {  # setup BUILDDIR [MESON-OPTIONS...]
        local dir=$1; shift
        if [ -d "$dir" ]; then
                meson setup --reconfigure "$dir" -Dwerror=true "$@" >/dev/null
        else
                meson setup "$dir" -Dwerror=true "$@" >/dev/null
        fi
        ninja -C "$dir"
}

echo "== Build with AddressSanitizer and UBSan, unit tests"
setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        meson test -C build-asan --suite unit --print-errorlogs

# Each fuzzer runs for a bounded time from its seed corpus (copied: libFuzzer adds to the first
# corpus directory it is given); a crash fails the run and leaves the input in build-fuzz/.
echo "== Fuzzing the channel, minisig, archive, Go build info, gobuild and Go version list parsers (${UPKEEP_FUZZ_SECONDS:=20}s each)"
CC=clang setup build-fuzz -Db_lundef=false
for f in archive channel gobuild go-buildinfo go-list minisig; do
        ninja -C build-fuzz "tests/fuzz/fuzz-$f" >/dev/null
        corpus=$(mktemp -d)
        log=$(mktemp)
        cp -r "tests/fuzz/corpus/$f/." "$corpus/"
        if ! (cd build-fuzz && "./tests/fuzz/fuzz-$f" -max_total_time="$UPKEEP_FUZZ_SECONDS" \
                -print_final_stats=1 "$corpus" >"$log" 2>&1); then
                tail -n 60 "$log"
                echo "FAIL: fuzz-$f crashed; the input is in build-fuzz/"
                exit 1
        fi
        echo "fuzz-$f: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') inputs, no crash"
        rm -rf "$corpus" "$log"
done

echo "== Build, unit and integration tests"
setup build
meson test -C build --print-errorlogs "$@"
