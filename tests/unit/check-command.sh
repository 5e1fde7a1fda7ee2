# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the shell tests that judge a command by its exit status and output.

# check_command DESCRIPTION EXPECTED-EXIT STREAM GREP-PATTERN -- COMMAND...: runs COMMAND with stdin
# from /dev/null; it passes when it exits with EXPECTED-EXIT and STREAM (stdout or stderr) matches the
# extended GREP-PATTERN. Says "ok: DESCRIPTION", or "FAIL: DESCRIPTION: ..." and sets fail=1.
check_command() {
        local what=$1 want=$2 stream=$3 pattern=$4 rc out err text errfile
        shift 5
        errfile=$(mktemp)
        out=$("$@" 2>"$errfile" </dev/null); rc=$?
        err=$(cat "$errfile"); rm -f "$errfile"
        text=$out
        [ "$stream" = stderr ] && text=$err
        if [ "$rc" -ne "$want" ]; then
                echo "FAIL: $what: exit $rc, expected $want (stdout: '$out', stderr: '$err')"
                fail=1
        elif ! grep -qE -- "$pattern" <<<"$text"; then
                echo "FAIL: $what: $stream does not match /$pattern/: '$text'"
                fail=1
        else
                echo "ok: $what"
        fi
}
