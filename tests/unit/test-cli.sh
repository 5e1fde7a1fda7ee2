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

. "$(dirname "$0")/check-command.sh"

check_command "$name --help"         0 stdout "^$name .*OPTIONS" -- "$prog" --help
check_command "$name -h"             0 stdout "^$name .*OPTIONS" -- "$prog" -h
check_command "$name --version"      0 stdout "^upkeep $version\$" -- "$prog" --version
check_command "$name unknown option" 2 stderr "(unrecognized|invalid) option.*--no-such-option" \
        -- "$prog" --no-such-option

exit $fail
