#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A test-only stand-in for ssh(1), put first in $PATH as "ssh" by test-fleet.sh: upkeepctl -H HOST
# (sd_bus_open_system_remote()) runs "ssh -xT -- HOST systemd-stdio-bridge", and this runs that command
# in the harness guest HOST stands for instead, with stdin and stdout passed through, so upkeepctl talks
# to the guest's real system bus. $UPKEEP_FLEET_GUESTS maps hosts to guests: "HOST=GUEST ...", where
# GUEST may also be
#   @meet:N:GUEST GUEST, once N such hosts have all been asked for: each waits (30 s at most, then
#                 fails as ssh does) until N have arrived in $UPKEEP_FLEET_MEET, which proves that the
#                 N were asked side by side (asked one after another, the first would wait alone)
#   @hang         a host that takes the connection and never answers
# Any other host fails as ssh fails for a host it cannot resolve: a message and exit status 255.
set -u

while [ $# -gt 0 ]; do
        case $1 in
                --) shift; break ;;
                -*) shift ;;
                *) break ;;
        esac
done
host=${1:?no host}
shift

for map in ${UPKEEP_FLEET_GUESTS:-}; do
        [ "${map%%=*}" = "$host" ] || continue
        guest=${map#*=}
        case $guest in
                @hang)
                        # Reads what comes and says nothing; ends when upkeepctl closes the connection.
                        # (Blocking first: sd-bus made its end of the socket non-blocking.)
                        exec python3 -c 'import os
os.set_blocking(0, True)
while os.read(0, 4096):
    pass' ;;
                @meet:*)
                        guest=${guest#@meet:}
                        n=${guest%%:*} guest=${guest#*:}
                        touch "${UPKEEP_FLEET_MEET:?}/$host"
                        for _ in $(seq 300); do
                                [ "$(find "$UPKEEP_FLEET_MEET" -type f | wc -l)" -ge "$n" ] && break
                                sleep 0.1
                        done
                        if [ "$(find "$UPKEEP_FLEET_MEET" -type f | wc -l)" -lt "$n" ]; then
                                echo "ssh: connect to host $host: $n hosts were not asked at once" >&2
                                exit 255
                        fi ;;
        esac
        . "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/harness.sh"
        harness_run "$guest" "$@"
        exit $?
done

echo "ssh: Could not resolve hostname $host: Name or service not known" >&2
exit 255
