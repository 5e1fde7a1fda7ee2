#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The publisher's side end to end: channels kept with upkeep-publish (init, add of a tar and of a
# binary, refresh, rollout, withdraw, prune), served, and installed by upkeepd in a real systemd;
# "upkeep-publish check" says what upkeepd does, on a good channel, an expired one and a tampered
# artifact; and the push trigger upkeep-notify: 202 and a check, 401, 404, 429, and a user that polkit
# lets start checks and nothing else.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/publisher.sh"
publisher_setup

up=("$UPKEEP_BUILD_ROOT/src/publish/upkeep-publish" --secret-key="$pub/key.sec" --key="$pub/key.pub")
tool_www=$pub/www/tool
mkdir -p "$tool_www"
for v in 1.0.0 1.1.0 1.2.0 1.3.0 1.4.0; do
        $tool archive "$pub/example-$v.tar.gz" good $v
done
$tool program "$pub/tool-1.0.0" 1.0.0

upkeep_boot publish
trap 'rc=$?; harness_stop_all; rm -rf "$UPKEEP_DESTDIR" "$pub"; exit $rc' EXIT
publisher_serve
harness_copy_in "$UPKEEP_GUEST" "$pub/key.pub" /tmp/key.pub
example_app $'\n[Update]\nPolicy=minor'
printf '[App]\nSource=http://127.0.0.1:8080/tool/\nPublicKey=%s\nExec=tool --port 8082\n' "$key" |
        guest sh -c 'cat > /etc/upkeep/apps/tool.app'
guest systemctl daemon-reload

APP=/org/upkeep1/app/example
prop() {
        guest busctl get-property org.upkeep1 "${2:-$APP}" org.upkeep1.App "$1"
}
upload() {  # upload DIR NAME: what the web server serves as /NAME/
        harness_copy_in "$UPKEEP_GUEST" "$1" /srv/www/
}
serves() {  # serves PORT: the version the app answers with
        guest curl -s --max-time 5 "http://127.0.0.1:$1/"
}
# A switch waits for the trial before it (TrialSec=, 5 s by default) to end.
wait_trial_over() {
        for _ in $(seq 100); do
                [ "$(prop State)" != 's "trial"' ] && return
                sleep 0.2
        done
}
# check_both WHAT: upkeep-publish check of the served channel (in the guest, over HTTP, as a client
# would fetch it) and upkeepctl check; prints "EXIT ERROR" of each.
check_both() {
        local json pub_rc ctl_rc ctl_out
        json=$(guest upkeep-publish check http://127.0.0.1:8080/example/ --key=/tmp/key.pub --app=example --json)
        pub_rc=$?
        ctl_out=$(guest upkeepctl --no-ask-password check example 2>&1)
        ctl_rc=$?
        local pub_error ctl_error
        pub_error=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); e=d["error"] or next((a["error"] for r in d["releases"] for a in r["artifacts"] if a["error"]), ""); print(e)' "$json")
        ctl_error=$(grep -oE 'org\.upkeep1\.Error\.[A-Za-z]+' <<<"$ctl_out" | tail -n 1)
        echo "$pub_rc ${pub_error:--} / $ctl_rc ${ctl_error:--}"
}

# --- init, add a tar, install it ------------------------------------------------------------------
out=$("${up[@]}" init "$www" --app=example); rc=$?
expect_eq "init exits 0" "$rc" 0
expect_match "... and says so" "$out" 'example, serial 1, expires .* signed\.$'
"${up[@]}" add "$www" 1.0.0 "$pub/example-1.0.0.tar.gz" --notes="First." >/dev/null
expect_eq "add puts the artifact below VERSION/PLATFORM/" \
        "$(ls "$www/1.0.0/linux-amd64/")" example-1.0.0.tar.gz
expect_eq "... and lists it with its size and sum" \
        "$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["releases"][0]["artifacts"][0]; print(a["type"], a["size"], a["sha256"])' "$www/channel.json")" \
        "tar $(stat -c %s "$pub/example-1.0.0.tar.gz") $(sha256sum <"$pub/example-1.0.0.tar.gz" | cut -d' ' -f1)"
expect_eq "no temporary file is left" "$(ls -A "$www" | grep -c '\.new$\|^\.#')" 0
"${up[@]}" check "$www" --app=example >/dev/null
expect_eq "check of the directory exits 0" "$?" 0
upload "$www"
expect_eq "upkeep-publish check and upkeepd agree on a good channel" "$(check_both)" "0 - / 0 -"
guest upkeepctl --no-ask-password update example >/dev/null
expect_eq "upkeepd installs what upkeep-publish published" "$(serves 8081)" 1.0.0

out=$("${up[@]}" add "$www" 1.0.0 "$pub/example-1.1.0.tar.gz" 2>&1); rc=$?
expect_eq "adding a published version with other bytes exits 3" "$rc" 3
expect_match "... saying why" "$out" 'published already with another linux-amd64 artifact'
out=$("${up[@]}" add "$www" 1.0.0 "$pub/example-1.0.0.tar.gz" 2>&1); rc=$?
expect_eq "adding it again with the same bytes exits 0" "$rc" 0
expect_match "... and changes nothing" "$out" 'nothing changed'

# --- a binary artifact, for another app ---------------------------------------------------------------
"${up[@]}" init "$tool_www" --app=tool >/dev/null
"${up[@]}" add "$tool_www" 1.0.0 "$pub/tool-1.0.0" >/dev/null
expect_eq "a script is published as a binary artifact" \
        "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["releases"][0]["artifacts"][0]["type"])' "$tool_www/channel.json")" binary
upload "$tool_www"
guest upkeepctl --no-ask-password update tool >/dev/null
expect_eq "upkeepd installs the binary" "$(serves 8082)" 1.0.0

# --- refresh, a newer release, rollout, withdraw, prune ----------------------------------------------
serial() {
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["serial"])' "$www/channel.json"
}
before=$(serial)
"${up[@]}" refresh "$www" --expires=2d >/dev/null
expect_eq "refresh bumps the serial" "$(serial)" $((before + 1))
out=$("${up[@]}" check "$www" --app=example 2>&1); rc=$?
expect_eq "a channel expiring in 2 days checks fine" "$rc" 0
expect_match "... with a warning" "$out" 'Warning: the channel expires in 1d 23h'
"${up[@]}" refresh "$www" >/dev/null
upload "$www"
expect_eq "a refreshed channel is accepted" "$(check_both)" "0 - / 0 -"

"${up[@]}" add "$www" 1.1.0 "$pub/example-1.1.0.tar.gz" --rollout=1 >/dev/null
"${up[@]}" rollout "$www" 1.1.0 100 >/dev/null
expect_eq "rollout changes the release's percentage" \
        "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["releases"][0]["rollout"])' "$www/channel.json")" 100
upload "$www"
wait_trial_over
guest upkeepctl --no-ask-password update example >/dev/null
expect_eq "upkeepd installs 1.1.0" "$(serves 8081)" 1.1.0

"${up[@]}" withdraw "$www" 1.1.0 >/dev/null
upload "$www"
expect_eq "a channel with a release withdrawn is accepted" "$(check_both)" "0 - / 0 -"
expect_eq "... and the machine keeps running 1.1.0" "$(serves 8081)" 1.1.0
out=$("${up[@]}" add "$www" 1.1.0 "$pub/example-1.2.0.tar.gz" 2>&1); rc=$?
expect_eq "a withdrawn version cannot come back with other bytes (exit 3)" "$rc" 3
out=$("${up[@]}" withdraw "$www" 9.9.9 2>&1); rc=$?
expect_eq "withdrawing a version the channel lacks exits 4" "$rc" 4

"${up[@]}" add "$www" 1.2.0 "$pub/example-1.2.0.tar.gz" >/dev/null
"${up[@]}" prune "$www" --keep=1 >/dev/null
expect_eq "prune keeps the newest release" \
        "$(python3 -c 'import json,sys; print(" ".join(r["version"] for r in json.load(open(sys.argv[1]))["releases"]))' "$www/channel.json")" 1.2.0
expect_eq "... and removes the files of the others, withdrawn ones too" "$(cd "$www" && ls -d 1.*)" 1.2.0
upload "$www"
guest rm -rf /srv/www/example/1.0.0 /srv/www/example/1.1.0
expect_eq "the pruned channel is accepted" "$(check_both)" "0 - / 0 -"
expect_eq "... and 1.2.0 staged" "$(prop PendingVersion)" 's "1.2.0"'

# --- check and upkeepd agree on what they refuse ------------------------------------------------------
"${up[@]}" refresh "$www" --expires=2s >/dev/null
upload "$www"
sleep 3
expect_eq "an expired channel: both refuse it alike" "$(check_both)" \
        "7 org.upkeep1.Error.ChannelExpired / 7 org.upkeep1.Error.ChannelExpired"

"${up[@]}" add "$www" 1.3.0 "$pub/example-1.3.0.tar.gz" >/dev/null
upload "$www"
# One byte changed on the server, the size kept: what a compromised mirror would serve.
guest python3 -c 'import sys; f=open(sys.argv[1], "r+b"); f.seek(100); b=f.read(1); f.seek(100); f.write(bytes([b[0] ^ 1]))' \
        /srv/www/example/1.3.0/linux-amd64/example-1.3.0.tar.gz
expect_eq "a tampered artifact: both refuse it alike" "$(check_both)" \
        "7 org.upkeep1.Error.HashMismatch / 7 org.upkeep1.Error.HashMismatch"
out=$(guest upkeep-publish check http://127.0.0.1:8080/example/ --key=/tmp/key.pub --app=example 2>&1)
expect_match "... and check says which" "$out" '1\.3\.0 +linux-amd64 +tar +REFUSED \(org\.upkeep1\.Error\.HashMismatch\)'
expect_eq "a channel for another app: both refuse it alike" \
        "$(guest upkeep-publish check http://127.0.0.1:8080/example/ --key=/tmp/key.pub --app=tool >/dev/null 2>&1; echo $?)" 7
upload "$www"

# --- the refresh timer, on the server: re-signs the channel it serves ------------------------------
guest install -d -m 0700 /etc/upkeep/publish
harness_copy_in "$UPKEEP_GUEST" "$pub/key.sec" /etc/upkeep/publish/srv-www-example.key
gserial() {
        guest python3 -c 'import json; print(json.load(open("/srv/www/example/channel.json"))["serial"])'
}
before=$(gserial)
guest chmod 0600 /etc/upkeep/publish/srv-www-example.key
guest systemctl start upkeep-publish-refresh@srv-www-example.service
expect_eq "upkeep-publish-refresh@srv-www-example.service succeeds" \
        "$(guest systemctl show -P Result upkeep-publish-refresh@srv-www-example.service)" success
expect_eq "upkeep-publish-refresh@srv-www-example.service re-signs /srv/www/example" "$(gserial)" $((before + 1))
expect_eq "... and the channel it wrote is accepted" "$(check_both)" "0 - / 0 -"
guest systemctl enable --now upkeep-publish-refresh@srv-www-example.timer >/dev/null 2>&1
expect_match "its timer fires daily" \
        "$(guest systemctl list-timers --all --no-pager upkeep-publish-refresh@srv-www-example.timer)" \
        'upkeep-publish-refresh@srv-www-example\.timer +upkeep-publish-refresh@srv-www-example\.service'
"${up[@]}" refresh "$www" --serial=$(( $(gserial) + 1 )) >/dev/null   # the publisher's copy, ahead again

# --- the push trigger ---------------------------------------------------------------------------------
secret=$(openssl rand -hex 32)
expect_eq "the secrets' directory is root's and upkeep-notify's only" \
        "$(guest stat -c '%U:%G %a' /etc/upkeep/notify)" "root:upkeep-notify 750"
guest sh -c "echo $secret > /etc/upkeep/notify/example.secret && chgrp upkeep-notify /etc/upkeep/notify/example.secret &&
        chmod 0640 /etc/upkeep/notify/example.secret"
guest mkdir -p /etc/systemd/system/upkeep-notify.socket.d
guest sh -c 'printf "[Socket]\nListenStream=127.0.0.1:8093\n" > /etc/systemd/system/upkeep-notify.socket.d/listen.conf'
guest systemctl daemon-reload
guest systemctl start upkeep-notify.socket
expect_eq "upkeep-notify.socket listens where the operator said" "$(guest systemctl is-active upkeep-notify.socket)" active

notify() {  # notify APP [SECRET]: the HTTP status
        guest curl -s -o /dev/null --max-time 10 -w '%{http_code}' -X POST ${2:+-H "Authorization: Bearer $2"} \
                "http://127.0.0.1:8093/notify/$1"
}
"${up[@]}" add "$www" 1.4.0 "$pub/example-1.4.0.tar.gz" >/dev/null
upload "$www"
last=$(prop LastCheck)
expect_eq "POST with the right secret answers 202" "$(notify example "$secret")" 202
expect_eq "again at once: 429" "$(notify example "$secret")" 429
for _ in $(seq 50); do
        [ "$(prop AvailableVersion)" = 's "1.4.0"' ] && break
        sleep 0.2
done
expect_eq "... and a check finds 1.4.0" "$(prop AvailableVersion)" 's "1.4.0"'
expect_match "... LastCheck moved" "$(prop LastCheck)" '^t [0-9]+$'
[ "$(prop LastCheck)" != "$last" ] && pass "... LastCheck changed" || fail "LastCheck did not change"
expect_match "... journalled by upkeep-notify" \
        "$(guest journalctl -t upkeep-notify -o cat --no-pager)" 'Notified: check of example started as /org/upkeep1/job/'
expect_eq "a wrong secret: 401" "$(notify example "${secret}x")" 401
expect_eq "no secret: 401" "$(notify example)" 401
expect_eq "an unknown app: 404" "$(notify nosuchapp "$secret")" 404
expect_eq "an app without a secret: 404" "$(notify tool "$secret")" 404
expect_eq "GET: 405" "$(guest curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:8093/notify/example")" 405
sleep 10
expect_eq "after the interval, 202 again" "$(notify example "$secret")" 202

# The user the trigger runs as: polkit lets it start checks, and nothing else.
as_notify() {
        guest systemd-run --quiet --wait --pipe -p User=upkeep-notify "$@"
}
out=$(as_notify busctl call org.upkeep1 /org/upkeep1/app/tool org.upkeep1.App Check 2>&1); rc=$?
expect_eq "the upkeep-notify user may call Check" "$rc" 0
out=$(as_notify busctl call org.upkeep1 /org/upkeep1/app/example org.upkeep1.App Pause s test 2>&1); rc=$?
expect_match "... but not Pause" "$rc $out" '^[1-9][0-9]* .*(denied|authentication required).* org\.upkeep1\.manage'
expect_eq "... which changed nothing" "$(prop Paused)" "b false"
out=$(as_notify busctl call org.upkeep1 /org/upkeep1/app/example org.upkeep1.App Update s "" 2>&1); rc=$?
expect_match "... nor Update" "$rc $out" '^[1-9][0-9]* .*(denied|authentication required).* org\.upkeep1\.update'
expect_eq "a connection's unit runs as upkeep-notify, without capabilities, in a private network namespace" \
        "$(guest systemctl show -p CapabilityBoundingSet -p PrivateNetwork -p User upkeep-notify@x.service | sort | tr '\n' ' ')" \
        "CapabilityBoundingSet= PrivateNetwork=yes User=upkeep-notify "

upkeep_finish
