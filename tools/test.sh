#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds upkeep and runs every test: unit tests (also under AddressSanitizer and UBSan, and built
# with NDEBUG) and the integration tests, which boot a real systemd in namespaces. This is the
# command README.md names and .ci/run calls. Needs root (namespaces, mounts, apt-get).
#
# A skipped test (exit 77: the machine lacks what it needs) passes for meson. Here every skip is
# counted and named at the end, and when CI=true (CI sets it) or UPKEEP_TEST_STRICT=1 any skip
# fails the run: there, a test that did not run is a test that did not pass. Cases skipped inside
# a test that otherwise ran print "skipped: ..." (tests/unit/tests.h) and count the same way.
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

strict=false
if [ "${CI:-}" = true ] || [ "${UPKEEP_TEST_STRICT:-0}" = 1 ]; then
        strict=true
fi
skipped=()
unsupported=()

# run_tests BUILDDIR [MESON-TEST-OPTIONS...]: meson test, then every skipped test and skipped case
# of this run (from meson's testlog.json, one JSON object per test) added to $skipped, and every case
# the host's kernel cannot give a guest ("unsupported: ", tests/integration/lib.sh) to $unsupported.
run_tests() {
        local dir=$1 rc=0 found line
        shift
        meson test -C "$dir" --print-errorlogs "$@" || rc=$?
        # A testlog that cannot be read fails the run: skips must not go uncounted.
        if ! found=$(python3 - "$dir" <<'EOF'
import json, sys
build = sys.argv[1]
for line in open(f"{build}/meson-logs/testlog.json"):
    t = json.loads(line)
    out = [l.strip() for l in (t.get("stdout") or "").splitlines()]
    if t["result"] == "SKIP":
        why = [l for l in out if l.lower().startswith(("skipped", "skip:"))]
        print(f"skipped\t{t['name']} in {build}" + (f" ({why[-1]})" if why else ""))
    elif t["result"] == "OK":
        for l in out:
            if l.startswith("skipped: "):
                print(f"skipped\t{t['name']} in {build}, a case: {l}")
            elif l.startswith("unsupported: "):
                print(f"unsupported\t{t['name']} in {build}: {l[len('unsupported: '):]}")
EOF
        ); then
                echo "FAIL: cannot read $dir/meson-logs/testlog.json to count the skipped tests"
                exit 1
        fi
        while IFS=$'\t' read -r kind line; do
                case $kind in
                skipped) skipped+=("$line") ;;
                unsupported) unsupported+=("$line") ;;
                esac
        done <<<"$found"
        return $rc
}

echo "== Build with AddressSanitizer and UBSan, unit tests"
setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        run_tests build-asan --suite unit

# The unit tests' assertions (tests/unit/tests.h) must not depend on NDEBUG: built with it, they
# still run and still fail (test-tests-h checks the latter).
echo "== Build with NDEBUG, unit tests"
setup build-ndebug -Db_ndebug=true
run_tests build-ndebug --suite unit

# Each fuzzer runs for a bounded time from its seed corpus; a crash fails the run.
echo "== Fuzzing every parser of untrusted bytes (${UPKEEP_FUZZ_SECONDS:=15}s each, one per core)"
tools/fuzz.sh --seconds "$UPKEEP_FUZZ_SECONDS" --jobs "$(nproc)"

echo "== Build, unit and integration tests"
setup build
rc=0
run_tests build "$@" || rc=$?

# Also after a failure: what did not run belongs to the verdict. A case this machine's kernel cannot
# run is listed, not failed: no package or setting of the run can bring it.
if [ ${#unsupported[@]} -gt 0 ]; then
        echo "== ${#unsupported[@]} cases this machine's kernel cannot run"
        printf 'unsupported: %s\n' "${unsupported[@]}"
fi
echo "== ${#skipped[@]} skipped"
for t in "${skipped[@]}"; do
        echo "skipped: $t"
done
if $strict && [ ${#skipped[@]} -gt 0 ]; then
        echo "FAIL: ${#skipped[@]} skipped, and a skip fails the run in CI (CI=true) and with UPKEEP_TEST_STRICT=1:"
        printf '  %s\n' "${skipped[@]}"
        exit 1
fi
exit $rc
