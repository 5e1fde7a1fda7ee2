#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared prelude of upkeep's integration tests: installs the build tree into a DESTDIR exactly as a
# package would, boots a real systemd guest with it (harness.sh), and gives tests small assertion
# helpers. Sourced by test-*.sh, which meson runs with UPKEEP_BUILD_ROOT set.
#
#   . "$(dirname "$0")/lib.sh"
#   upkeep_boot NAME            # skip (exit 77) when the machine cannot boot guests
#   upkeep_remove_on_exit PATH  # removed however the test ends, with the guest and the DESTDIR
#   guest systemctl is-active upkeepd.service
#   expect_eq "what" "$actual" "$expected"

. "$(dirname "${BASH_SOURCE[0]}")/harness.sh"

: "${UPKEEP_BUILD_ROOT:?UPKEEP_BUILD_ROOT must name the meson build directory}"

UPKEEP_TEST_FAILURES=0
UPKEEP_GUEST=
UPKEEP_REMOVE_ON_EXIT=()

# Work directories of the test (publisher.sh's, the test's own), removed with the DESTDIR at exit.
upkeep_remove_on_exit() {
        UPKEEP_REMOVE_ON_EXIT+=("$@")
}

# Installs the build into a fresh DESTDIR, boots guest NAME with it, and arranges for the guest to be
# stopped (and the DESTDIR and what upkeep_remove_on_exit names removed) however the test ends.
upkeep_boot() {
        local name=$1-$$
        harness_require || exit 77

        UPKEEP_DESTDIR=$(mktemp -d /tmp/upkeep-destdir.XXXXXX)
        trap 'rc=$?; harness_stop_all; rm -rf "$UPKEEP_DESTDIR" "${UPKEEP_REMOVE_ON_EXIT[@]}"; exit $rc' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM

        meson install -C "$UPKEEP_BUILD_ROOT" --destdir "$UPKEEP_DESTDIR" --no-rebuild --quiet >/dev/null ||
                { echo "FAIL: meson install into $UPKEEP_DESTDIR"; exit 1; }

        local start=${EPOCHREALTIME/./}
        harness_boot "$name" "$UPKEEP_DESTDIR" || { echo "FAIL: guest did not boot"; exit 1; }
        echo "guest $name booted in $(( (${EPOCHREALTIME/./} - start) / 1000 )) ms"
        UPKEEP_GUEST=$name
}

guest() {
        harness_run "$UPKEEP_GUEST" "$@"
}

pass() {
        echo "ok: $*"
}

# A case the host's kernel cannot give a guest whatever is installed (the guests share it: a cgroup
# controller bound elsewhere, a kernel.core_pattern): tools/test.sh lists it in the verdict. A case
# that misses a package or a program is a skip ("skipped: "), which fails CI.
unsupported() {
        echo "unsupported: $*"
}

fail() {
        echo "FAIL: $*"
        UPKEEP_TEST_FAILURES=$((UPKEEP_TEST_FAILURES + 1))
}

expect_eq() {  # expect_eq WHAT ACTUAL EXPECTED
        if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi
}

expect_match() {  # expect_match WHAT ACTUAL EXTENDED-REGEX
        if grep -qE -- "$3" <<<"$2"; then pass "$1"; else fail "$1: '$2' does not match /$3/"; fi
}

# Ends the test: prints the console tail when something failed, and exits with the verdict.
upkeep_finish() {
        if [ "$UPKEEP_TEST_FAILURES" -gt 0 ]; then
                echo "--- guest console (tail) ---"
                harness_console "$UPKEEP_GUEST" | tail -n 40
                echo "$UPKEEP_TEST_FAILURES check(s) failed"
                exit 1
        fi
        exit 0
}
