#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# upkeep as Debian installs it: the .deb of tools/build-deb.sh, installed with apt-get into a fresh
# systemd guest (no meson install), does what the smoke test checks with nothing started at install;
# an app is installed from a channel; and while a new version of it is on trial, a newer upkeep .deb
# is installed over the old one. The upkeepd that started the trial is not restarted and completes
# it; once it exits (idle), the next activation runs the new upkeepd. This is how upkeep updates
# itself.
#
# The two packages (the tree's version, and the same tree as VERSION+test1) are built, and checked
# with lintian, once for a given source tree and kept under the build directory (test-deb/).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/publisher.sh"

src=$(cd "$(dirname "$0")/../.." && pwd)
harness_require || exit 77
for prog in dpkg-buildpackage dh lintian; do
        command -v "$prog" >/dev/null || { echo "skipped: $prog not found (tools/install-deps.sh installs it)"; exit 77; }
done
start=${EPOCHREALTIME/./}
elapsed() { echo "$(( (${EPOCHREALTIME/./} - start) / 1000000 )) s"; }

# --- the packages -------------------------------------------------------------------------------
old_version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
new_version=$old_version+test1
# (This script is left out of the key: what it installs does not depend on it.)
key=$(cd "$src" && git ls-files -z --cached --others --exclude-standard 2>/dev/null |
        grep -zv '^tests/integration/test-deb\.sh$' | xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-16)
cache=$UPKEEP_BUILD_ROOT/test-deb/$key
if [ ! -e "$cache/done" ]; then
        rm -rf "$UPKEEP_BUILD_ROOT/test-deb"
        mkdir -p "$cache"
        "$src/tools/build-deb.sh" --nocheck "$cache/old" >/dev/null || { echo "FAIL: building the package"; exit 1; }
        "$src/tools/build-deb.sh" --nocheck --version "$new_version" "$cache/new" >/dev/null ||
                { echo "FAIL: building the newer package"; exit 1; }
        # Errors fail; warnings are overridden with the reason (debian/source/lintian-overrides).
        lintian --allow-root --fail-on error "$cache"/old/upkeep_"${old_version}"_*.changes >"$cache/lintian.out" 2>&1
        echo $? >"$cache/lintian.rc"
        touch "$cache/done"
        echo "packages built and checked in $(elapsed)"
fi
old_deb=$(echo "$cache"/old/upkeep_"${old_version}"_*.deb)
new_deb=$(echo "$cache"/new/upkeep_"${new_version}"_*.deb)
[ -f "$old_deb" ] && [ -f "$new_deb" ] || { echo "FAIL: no packages in $cache"; exit 1; }

cat "$cache/lintian.out"
expect_eq "lintian finds no errors in the source and binary packages" "$(cat "$cache/lintian.rc")" 0

# --- a guest with nothing of upkeep -------------------------------------------------------------
publisher_setup
$tool archive "$www/example-1.0.0.tar.gz" good 1.0.0
$tool archive "$www/example-1.1.0.tar.gz" good 1.1.0

name=deb-$$
trap 'rc=$?; harness_stop_all; rm -rf "$pub"; exit $rc' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
harness_boot "$name" || { echo "FAIL: guest did not boot"; exit 1; }
UPKEEP_GUEST=$name
expect_eq "upkeep is not installed in the guest" "$(guest sh -c 'command -v upkeepctl || echo none')" none
# The host's policy-rc.d (it is a container image) forbids starting services from maintainer
# scripts; a real machine has none.
guest rm -f /usr/sbin/policy-rc.d
guest mkdir -p /var/tmp/debs
harness_copy_in "$name" "$old_deb" /var/tmp/debs/
harness_copy_in "$name" "$new_deb" /var/tmp/debs/

out=$(guest env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        "/var/tmp/debs/${old_deb##*/}" 2>&1); rc=$?
expect_eq "apt-get install ./upkeep_${old_version}_*.deb succeeds, offline" "$rc" 0
[ "$rc" = 0 ] || echo "$out"
expect_eq "dpkg has upkeep $old_version" "$(guest dpkg-query -W -f='${Version}' upkeep)" "$old_version"
echo "installed at $(elapsed)"

# --- what the maintainer scripts and triggers did ------------------------------------------------
expect_eq "upkeepd.service is not started by the install" "$(guest systemctl is-active upkeepd.service)" inactive
expect_eq "upkeep-check.timer is enabled" "$(guest systemctl is-enabled upkeep-check.timer)" enabled
expect_eq "... and started" "$(guest systemctl is-active upkeep-check.timer)" active
expect_match "systemd's catalog trigger ran journalctl --update-catalog" \
        "$(guest journalctl --list-catalog 2>/dev/null)" "^$(sed -n 's/^-- //p;T;q' "$src/catalog/upkeep.catalog")"

# --- the smoke test ------------------------------------------------------------------------------
expect_match "system state" "$(guest systemctl is-system-running)" '^(running|degraded)$'
out=$(guest busctl introspect org.upkeep1 /org/upkeep1 2>&1)
expect_match "busctl introspect bus-activates upkeepd (dbus reloaded by its trigger)" "$out" \
        '^org\.upkeep1\.Manager +interface'
expect_eq "upkeepd.service active after activation" "$(guest systemctl is-active upkeepd.service)" active
expect_eq "Version property" "$(guest busctl get-property org.upkeep1 /org/upkeep1 org.upkeep1.Manager Version)" \
        "s \"$old_version\""
expect_eq "upkeepctl --version" "$(guest upkeepctl --version)" "upkeep $old_version"
expect_match "the rules file is where the docs say" "$(guest ls /usr/share/upkeep/prometheus/)" '^upkeep\.rules\.yml$'
# node_exporter's textfile directory, so that upkeepd writes its metrics (upkeepd(8)).
guest mkdir -p /var/lib/prometheus/node-exporter
# An idle upkeepd exits after 3 s here instead of 30 s, so the test need not wait long for it.
guest sh -c 'mkdir -p /etc/systemd/system/upkeepd.service.d &&
        printf "[Service]\nExecStart=\nExecStart=/usr/libexec/upkeep/upkeepd --idle-timeout=3s\n" \
                >/etc/systemd/system/upkeepd.service.d/idle.conf'

# --- an app from a channel -----------------------------------------------------------------------
publisher_serve
example_app "$(printf '\n[Update]\nPolicy=minor\nTrialSec=2s\n')"
guest systemctl daemon-reload
expect_match "the generator wrote the app's unit" "$(guest systemctl cat upkeep@example.service 2>&1)" \
        'ExecStart=/var/lib/upkeep/apps/example/current/bin/example --port 8081'
guest systemctl stop upkeepd.service   # it reads the new drop-in and the app at its next activation
publish 1 1.0.0="$www/example-1.0.0.tar.gz"
out=$(guest upkeepctl --no-ask-password update example 1.0.0 2>&1) || echo "$out"
serves() { guest curl -s --max-time 2 http://127.0.0.1:8081/ || echo down; }
expect_eq "the app serves 1.0.0" "$(serves)" 1.0.0

# --- a newer upkeep installed while the app is on trial ------------------------------------------
# A trial long enough to outlast apt-get on a loaded machine (it took 46 s at load average 16).
guest sh -c 'printf "[Update]\nTrialSec=60s\n" >> /etc/upkeep/apps/example.app'
guest busctl call org.upkeep1 /org/upkeep1 org.upkeep1.Manager Reload
publish 2 1.0.0="$www/example-1.0.0.tar.gz" 1.1.0="$www/example-1.1.0.tar.gz"
guest upkeepctl --no-ask-password --no-block update example 1.1.0 >/dev/null
for _ in $(seq 50); do [ "$(serves)" = 1.1.0 ] && break; sleep 0.2; done
expect_eq "1.1.0 serves" "$(serves)" 1.1.0
expect_match "... on trial" "$(guest upkeepctl status example)" 'State: trial'
pid=$(guest systemctl show -P MainPID upkeepd.service)

out=$(guest env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        "/var/tmp/debs/${new_deb##*/}" 2>&1); rc=$?
expect_eq "apt-get install of upkeep $new_version over $old_version succeeds" "$rc" 0
[ "$rc" = 0 ] || echo "$out"
echo "upgraded at $(elapsed)"
expect_eq "dpkg has upkeep $new_version" "$(guest dpkg-query -W -f='${Version}' upkeep)" "$new_version"
expect_eq "the upgrade did not restart upkeepd" "$(guest systemctl show -P MainPID upkeepd.service)" "$pid"
expect_match "the app is still on trial" "$(guest upkeepctl status example)" 'State: trial'

# The trial ends 60 s after the switch; the old daemon keeps 1.1.0 and then exits, idle.
for _ in $(seq 120); do
        [ "$(guest systemctl is-active upkeepd.service)" = inactive ] && break
        sleep 1
done
expect_eq "upkeepd exited when idle, after the trial" "$(guest systemctl is-active upkeepd.service)" inactive
expect_eq "... cleanly" "$(guest systemctl show -P Result upkeepd.service)" success
expect_match "the daemon that kept 1.1.0 was the one started before the upgrade" \
        "$(guest journalctl _PID="$pid" MESSAGE_ID=d6c71994fecd40dbafee8c5c905f476b UPKEEP_APP=example -o cat --no-pager)" \
        '1\.1\.0'
status=$(guest upkeepctl status example)
expect_match "upkeepctl status: the trial completed" "$status" 'State: idle'
expect_match "... 1.1.0 is current" "$status" 'Current: 1\.1\.0'
expect_eq "the app serves 1.1.0" "$(serves)" 1.1.0
expect_match "the history has the update, no rollback" "$(guest upkeepctl history example --no-legend)" \
        '1\.0\.0 +1\.1\.0 +manual'
expect_eq "the next activation runs the new upkeepd" \
        "$(guest busctl get-property org.upkeep1 /org/upkeep1 org.upkeep1.Manager Version)" "s \"$new_version\""
expect_eq "upkeepctl is the new one" "$(guest upkeepctl --version)" "upkeep $new_version"

# The metrics the alerts use, as the new upkeepd writes them once it has loaded the apps.
prom=/var/lib/prometheus/node-exporter/upkeep.prom
for _ in $(seq 50); do
        guest grep -q "upkeep_build_info{version=\"$new_version\"} 1" $prom 2>/dev/null && break
        sleep 0.2
done
metrics=$(guest cat $prom 2>&1)
expect_eq "upkeep.prom comes from the new upkeepd" "$(grep '^upkeep_build_info' <<<"$metrics")" \
        "upkeep_build_info{version=\"$new_version\"} 1"
expires=$(guest python3 -c 'import datetime, json
e = json.load(open("/srv/www/example/channel.json"))["expires"]
print(int(datetime.datetime.fromisoformat(e.replace("Z", "+00:00")).timestamp()))')
expect_eq "... with the accepted channel's expiry" "$(grep '^upkeep_app_channel_expires_timestamp_seconds' <<<"$metrics")" \
        "upkeep_app_channel_expires_timestamp_seconds{app=\"example\"} $expires"
expect_match "... and the app's versions" "$metrics" '^upkeep_app_info\{app="example",current="1\.1\.0",previous="1\.0\.0",'
if command -v promtool >/dev/null; then
        expect_eq "promtool check metrics has no remarks" "$(promtool check metrics <<<"$metrics" 2>&1)" ""
fi
echo "done in $(elapsed)"

upkeep_finish
