#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The interface XML shipped in dbus/ is what upkeepd actually serves: regenerate it with
#   upkeepd --bus-introspect=INTERFACE > dbus/INTERFACE.xml
# Usage: test-introspect.sh UPKEEPD XML-FILE...
set -u
upkeepd=$1; shift
fail=0
for xml in "$@"; do
        interface=$(basename "$xml" .xml)
        if diff -u "$xml" <("$upkeepd" --bus-introspect="$interface"); then
                echo "ok: $interface matches $xml"
        else
                echo "FAIL: $xml differs from 'upkeepd --bus-introspect=$interface' (diff above)"
                fail=1
        fi
done
exit $fail
