#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# upkeep's Cockpit page, in a real browser against real parts: a systemd guest with Cockpit
# (cockpit-ws through cockpit.socket), polkitd, sudo and upkeepd; headless Chromium driven by
# chromedriver (cockpit-browser.py) inside the guest logs in through Cockpit's login page. An
# administrator updates an app from the page and sees a crashing release rolled back; an ordinary
# user sees everything and is refused by polkit; then the page with no apps, with upkeepd failing
# and without upkeep. Screenshots are kept as test artifacts in
# $UPKEEP_BUILD_ROOT/test-artifacts/cockpit/.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/publisher.sh"

for p in /usr/bin/chromium /usr/bin/chromedriver /usr/lib/systemd/system/cockpit.socket /usr/bin/sudo; do
        [ -e "$p" ] || { echo "SKIP: $p is not installed (tools/install-deps.sh installs it)"; exit 77; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || { echo "SKIP: python3-selenium is not installed"; exit 77; }

publisher_setup
$tool archive "$www/example-1.0.0.tar.gz" good 1.0.0
$tool archive "$www/example-1.1.0.tar.gz" good 1.1.0
$tool archive "$www/example-1.2.0.tar.gz" crash-later 1.2.0
$tool archive "$www/example-1.3.0.tar.gz" big 1.3.0

# Screenshots: a host directory the guest writes into.
artifacts=$UPKEEP_BUILD_ROOT/test-artifacts/cockpit
rm -rf "$artifacts"
mkdir -p "$artifacts"
HARNESS_BIND="$artifacts:/var/tmp/upkeep-artifacts" upkeep_boot cockpit
trap 'rc=$?; harness_stop_all; rm -rf "$UPKEEP_DESTDIR" "$pub"; exit $rc' EXIT
# The channel server: tests/unit/http-test-server.py, which sends an artifact slowly when asked
# (?rate=MIB), so a download runs long enough to be watched and canceled.
guest mkdir -p /srv/www/example /etc/upkeep/apps
harness_copy_in "$UPKEEP_GUEST" "$(dirname "$0")/../unit/http-test-server.py" /usr/local/bin/upkeep-test-server
guest systemd-run --quiet --unit=channel-server /usr/bin/python3 /usr/local/bin/upkeep-test-server /srv/www 8080 >/dev/null
for _ in $(seq 50); do guest curl -s -o /dev/null http://127.0.0.1:8080/ && break; sleep 0.1; done

# --- the machine: an app, a broken app config, Cockpit, an administrator and an ordinary user ------
example_app "$(printf '\nDescription=Example, a small HTTP service\nFlavor=vanilla\n[Update]\nPolicy=minor\nTrialSec=5s\n')"
printf '[App]\nDescription=A config with a mistake\nExec=bin/broken\nPolicy=sometimes\n' |
        guest sh -c 'cat > /etc/upkeep/apps/broken.app'
guest systemctl daemon-reload
guest journalctl --update-catalog
publish 1 1.0.0=$www/example-1.0.0.tar.gz
guest upkeepctl --no-ask-password update example 1.0.0 >/dev/null
expect_eq "example runs 1.0.0" "$(guest curl -s --max-time 2 http://127.0.0.1:8081/)" 1.0.0
publish 2 1.0.0=$www/example-1.0.0.tar.gz 1.1.0=$www/example-1.1.0.tar.gz

# The next releases, signed and ready; the browser test publishes them when it is time: 1.2.0
# crashes 2 s after it starts, 1.3.0 is 8 MiB sent at 1 MiB/s. Written by hand (upkeep-publish does
# not pace artifacts), with a serial above what publish 2 wrote.
$tool channel "$pub/next.json" --app example --serial "$(published_serial 3)" --release "1.0.0=$www/example-1.0.0.tar.gz" \
        --release "1.1.0=$www/example-1.1.0.tar.gz" --release "1.2.0=$www/example-1.2.0.tar.gz" \
        --release "1.3.0=$www/example-1.3.0.tar.gz,query=rate=1"
minisign -S -s "$pub/key.sec" -m "$pub/next.json" -t "example channel, serial $(published_serial 3)" >/dev/null
harness_copy_in "$UPKEEP_GUEST" "$pub/next.json" /srv/next/channel.json
harness_copy_in "$UPKEEP_GUEST" "$pub/next.json.minisig" /srv/next/channel.json.minisig
harness_copy_in "$UPKEEP_GUEST" "$www/example-1.2.0.tar.gz" /srv/next/example-1.2.0.tar.gz
harness_copy_in "$UPKEEP_GUEST" "$www/example-1.3.0.tar.gz" /srv/next/example-1.3.0.tar.gz

# sudo (Cockpit's way to administrative access) wants to resolve the host's name.
guest sh -c 'echo "127.0.1.1 $(hostname)" >> /etc/hosts'
guest useradd --create-home --groups sudo opadmin
guest useradd --create-home viewer
printf 'opadmin:upkeep-admin-1\nviewer:upkeep-view-1\n' | guest chpasswd
guest systemctl start cockpit.socket
expect_eq "Cockpit answers on port 9090" \
        "$(guest curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9090/cockpit/login)" 401

harness_copy_in "$UPKEEP_GUEST" "$(dirname "$0")/cockpit-browser.py" /run/cockpit-browser.py
browse() {  # browse ROLE ARGS…: the browser session, as root in the guest; its checks count here
        local out rc
        out=$(guest env HOME=/root timeout 300 python3 /run/cockpit-browser.py "$@" 2>&1); rc=$?
        echo "$out" | grep -v -E '^(ok|FAIL): '
        while IFS= read -r line; do
                case $line in
                        "ok: "*) pass "browser: ${line#ok: }" ;;
                        "FAIL: "*) fail "browser: ${line#FAIL: }" ;;
                esac
        done <<<"$out"
        [ "$rc" -eq 0 ] || [ "$UPKEEP_TEST_FAILURES" -gt 0 ] || fail "the $1 browser session exited $rc"
}

# --- the administrator ----------------------------------------------------------------------------
start=${EPOCHREALTIME/./}
browse admin opadmin upkeep-admin-1 /var/tmp/upkeep-artifacts \
        'cp /srv/next/* /srv/www/example/'
echo "admin session: $(( (${EPOCHREALTIME/./} - start) / 1000 )) ms"
prop() {
        guest busctl get-property org.upkeep1 /org/upkeep1/app/example org.upkeep1.App "$1"
}
expect_eq "upkeepd agrees: 1.3.0 runs" "$(prop CurrentVersion)" 's "1.3.0"'
expect_match "the history has the page's updates and the rollback" \
        "$(guest upkeepctl history example --no-legend | tr -s ' ' | cut -d' ' -f5- | tr '\n' ',')" \
        '^- 1\.0\.0 manual,1\.0\.0 1\.1\.0 manual,1\.1\.0 1\.2\.0 manual,1\.2\.0 1\.1\.0 rollback,1\.1\.0 1\.3\.0 manual,$'

# --- the ordinary user ------------------------------------------------------------------------------
start=${EPOCHREALTIME/./}
# ... then, with the apps gone, upkeepd masked and its bus activation removed, the empty and broken
# states (the browser session runs those commands as root in the guest, at its pace).
browse user viewer upkeep-view-1 /var/tmp/upkeep-artifacts states
echo "user session: $(( (${EPOCHREALTIME/./} - start) / 1000 )) ms"

for s in overview.png detail.png refused.png empty.png; do
        if [ -s "$artifacts/$s" ]; then pass "screenshot $s saved"; else fail "screenshot $s missing"; fi
done
echo "screenshots: $artifacts"
upkeep_finish
