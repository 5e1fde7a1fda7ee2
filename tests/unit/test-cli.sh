#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every program answers --help and --version with exit 0, and rejects an unknown option or a missing
# command with exit 2 (usage) and a message naming the problem.
# Usage: test-cli.sh PROGRAM EXPECTED-VERSION
set -u

prog=$1
version=$2
name=$(basename "$prog")
fail=0

check() {  # check DESCRIPTION EXPECTED-EXIT GREP-PATTERN STREAM -- ARGS...
        local what=$1 want=$2 pattern=$3 stream=$4 rc out err
        shift 5
        out=$("$prog" "$@" 2>/tmp/test-cli.$$.err </dev/null); rc=$?
        err=$(cat /tmp/test-cli.$$.err); rm -f /tmp/test-cli.$$.err
        local text=$out
        [ "$stream" = stderr ] && text=$err
        if [ "$rc" -ne "$want" ]; then
                echo "FAIL: $name $what: exit $rc, expected $want (stdout: '$out', stderr: '$err')"
                fail=1
        elif ! grep -qE -- "$pattern" <<<"$text"; then
                echo "FAIL: $name $what: $stream does not match /$pattern/: '$text'"
                fail=1
        else
                echo "ok: $name $what"
        fi
}

check "--help"          0 "^$name .*OPTIONS" stdout -- --help
check "-h"              0 "^$name .*OPTIONS" stdout -- -h
check "--version"       0 "^upkeep $version\$" stdout -- --version
check "unknown option"  2 "(unrecognized|invalid) option.*--no-such-option" stderr -- --no-such-option

exit $fail
