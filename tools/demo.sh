#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo: upkeep keeping a small HTTP app up to date under a real systemd (booted in namespaces by
# the test harness, so nothing here touches the host). A publisher keeps a channel with upkeep-publish,
# serves it from a local web server and tells the machine through its notify endpoint; 1.0.0 is
# installed, 1.1.0 is found at the push, staged and applied by the update timer's service, and a
# broken 1.2.0 is applied, leaves a fault report and is rolled back on its own. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh
if [ -d build ]; then meson setup --reconfigure build >/dev/null; else meson setup build >/dev/null; fi
ninja -C build >/dev/null

. tests/integration/harness.sh
harness_require || { echo "This machine cannot boot a systemd guest (see above)." >&2; exit 1; }

work=$(mktemp -d /tmp/upkeep-demo.XXXXXX)
trap 'harness_stop_all; rm -rf "$work"' EXIT
meson install -C build --destdir "$work/root" --quiet >/dev/null

bold=$(tput bold 2>/dev/null || true) plain=$(tput sgr0 2>/dev/null || true)
say() {
        printf '\n%s== %s%s\n' "$bold" "$*" "$plain"
}
guest=upkeep-demo-$$
step() {
        printf '\n%s# %s%s\n' "$bold" "$*" "$plain"
        harness_run "$guest" "$@" || true
}

# --- the publisher's side: a key, releases, a channel kept and signed by upkeep-publish ------------
tool="python3 tests/integration/release-tool.py"
publish_tool=build/src/publish/upkeep-publish
www=$work/www/hello
mkdir -p "$www"
minisign -G -W -p "$work/minisign.pub" -s "$work/minisign.key" >/dev/null
"$publish_tool" init "$work/channel" --app hello --secret-key "$work/minisign.key" >/dev/null
publish() {  # publish VERSION: add it to the channel (signed by upkeep-publish), check it, upload it
        "$publish_tool" add "$work/channel" "$1" "$work/hello-$1.tar.gz" --secret-key "$work/minisign.key" \
                --key "$work/minisign.pub"
        "$publish_tool" check "$work/channel" --key "$work/minisign.pub" --app hello >/dev/null
        # Upload: artifacts and signature first, channel.json last.
        cp -r "$work/channel"/. "$www"/
        harness_copy_in "$guest" "$www" /srv/www/
}
notify() {  # notify: the publisher's CI tells the machine, then waits until its check has staged VERSION
        printf '\n%s# curl -X POST -H "Authorization: Bearer …" http://127.0.0.1:8093/notify/hello%s\n' \
                "$bold" "$plain"
        harness_run "$guest" curl -sS --max-time 10 -o /dev/null -w 'HTTP %{http_code}\n' -X POST \
                -H "Authorization: Bearer $notify_secret" http://127.0.0.1:8093/notify/hello
        local _
        for _ in $(seq 100); do
                harness_run "$guest" upkeepctl list --json |
                        python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)[0].get("pendingVersion") != sys.argv[1])' "$1" &&
                        return 0
                sleep 0.2
        done
        echo "The check the notify started did not stage $1 within 20 s." >&2
}
$tool archive "$work/hello-1.0.0.tar.gz" good 1.0.0 --app hello
$tool archive "$work/hello-1.1.0.tar.gz" good 1.1.0 --app hello
$tool archive "$work/hello-1.2.0.tar.gz" crash 1.2.0 --app hello

say "Booting systemd with upkeep installed"
harness_boot "$guest" "$work/root"
harness_run "$guest" mkdir -p /srv/www /etc/upkeep/apps
harness_run "$guest" systemd-run --quiet --unit=release-server /usr/bin/python3 -m http.server \
        --bind 127.0.0.1 --directory /srv/www 8080

say "The operator declares the app and turns on the push trigger for it"
cat >"$work/hello.app" <<EOF
[App]
Description=Hello, a small HTTP service
Source=http://127.0.0.1:8080/hello/
PublicKey=$(tail -n 1 "$work/minisign.pub")
Exec=bin/hello --port 8081

[Update]
Policy=minor
TrialSec=3s
EOF
harness_copy_in "$guest" "$work/hello.app" /etc/upkeep/apps/hello.app
step cat /etc/upkeep/apps/hello.app
step systemctl daemon-reload
step systemctl cat upkeep@hello.service
# The generator enables the app's units for the next boot; now, start its update timer by hand.
step systemctl start upkeep-update@hello.timer
# upkeep-notify.socket is off by default: the operator says where it listens and gives the app a secret
# that the publisher's CI sends along (upkeep-notify(8)).
notify_secret=$(openssl rand -hex 32)
harness_run "$guest" sh -c "umask 027 && echo $notify_secret >/etc/upkeep/notify/hello.secret &&
        chgrp upkeep-notify /etc/upkeep/notify/hello.secret"
harness_run "$guest" mkdir -p /etc/systemd/system/upkeep-notify.socket.d
harness_run "$guest" sh -c 'printf "[Socket]\nListenStream=127.0.0.1:8093\n" \
        >/etc/systemd/system/upkeep-notify.socket.d/listen.conf'
harness_run "$guest" systemctl daemon-reload
step systemctl start upkeep-notify.socket
step systemctl status --no-pager --lines=0 upkeep-notify.socket

say "1.0.0 is published and installed"
publish 1.0.0
step upkeepctl update hello 1.0.0
step curl -s http://127.0.0.1:8081/

say "1.1.0 is published and the machine notified; its check finds and stages it; the update timer applies it"
publish 1.1.0
notify 1.1.0
step journalctl --no-pager -o cat -t upkeep-notify
step upkeepctl list
step systemctl list-timers --all --no-pager upkeep-update@hello.timer
step systemctl start upkeep-update@hello.service
step curl -s http://127.0.0.1:8081/

say "A broken 1.2.0 is published and applied: it does not come up, and upkeep rolls back"
publish 1.2.0
step upkeepctl check hello
step systemctl start upkeep-update@hello.service
step curl -s http://127.0.0.1:8081/
step upkeepctl status hello
step upkeepctl history hello
step upkeepctl faults hello
step journalctl --no-pager -o short-monotonic UPKEEP_APP=hello

say "Demo done; stopping the guest."
