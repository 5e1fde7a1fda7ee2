#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# upkeep installed into a real systemd: the bus activates upkeepd, the journal shows it, systemd runs
# the generator on daemon-reload, and systemd-analyze accepts every unit upkeep installs.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

upkeep_boot smoke

expect_match "system state" "$(guest systemctl is-system-running)" '^(running|degraded)$'
expect_eq "upkeepd not running before the first call" "$(guest systemctl is-active upkeepd.service)" inactive

out=$(guest busctl introspect org.upkeep1 /org/upkeep1 2>&1)
expect_match "busctl introspect bus-activates upkeepd" "$out" '^org\.upkeep1\.Manager +interface'
expect_eq "upkeepd.service active after activation" "$(guest systemctl is-active upkeepd.service)" active
expect_eq "Version property" "$(guest busctl get-property org.upkeep1 /org/upkeep1 org.upkeep1.Manager Version)" \
        "s \"$(meson introspect --projectinfo "$UPKEEP_BUILD_ROOT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')\""
expect_match "journal shows upkeepd's start" "$(guest journalctl -u upkeepd.service -o cat --no-pager)" \
        'running, serving org\.upkeep1'

expect_match "upkeepctl --version" "$(guest upkeepctl --version)" '^upkeep [0-9]+\.[0-9]+\.[0-9]+$'

# systemd names each generator it runs, and how it ended, at debug level (logged by its executor
# helper, not PID 1 itself).
guest systemd-analyze log-level debug
guest systemctl daemon-reload
guest systemd-analyze log-level info
expect_match "daemon-reload runs upkeep-generator successfully" \
        "$(guest journalctl -b -o cat --no-pager | grep upkeep-generator)" 'upkeep-generator succeeded'

units=$(cd "$UPKEEP_DESTDIR" && find . -path '*/systemd/system/*' \( -name '*.service' -o -name '*.timer' -o -name '*.socket' \) -printf '/%P\n' | sort)
[ -n "$units" ] || fail "no units installed"
for u in $units; do
        # Template units are verified through an instance.
        case $u in
                *@.*) target=/tmp/$(basename "${u/@./@smoke.}"); guest cp "$u" "$target" ;;
                *) target=$u ;;
        esac
        if out=$(guest systemd-analyze verify --man=no "$target" 2>&1); then
                pass "systemd-analyze verify $u"
        else
                fail "systemd-analyze verify $u: $out"
        fi
done

upkeep_finish
