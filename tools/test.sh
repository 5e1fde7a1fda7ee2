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

# Each fuzzer runs for a bounded time from its seed corpus; a crash fails the run.
echo "== Fuzzing every parser of untrusted bytes (${UPKEEP_FUZZ_SECONDS:=15}s each)"
tools/fuzz.sh --seconds "$UPKEEP_FUZZ_SECONDS"

echo "== Build, unit and integration tests"
setup build
meson test -C build --print-errorlogs "$@"
