#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What an attacker on the network or a corrupted disk tries, in a real systemd: a man in the middle
# of an http:// source poisons the channel's validators (an ETag with a bare CR, a Last-Modified in
# the year 20000); state.json is corrupted and an older, still valid, signed channel replayed; the
# accepted serial must be on disk before the release it brings is downloaded; a channel served over
# http names a local file as its artifact; a polkit rule that lets a user manage an app's updates
# lets them neither run a program nor stage a file, and what they were authorized to apply is what is
# applied.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/publisher.sh"
publisher_setup

$tool archive "$www/example-1.0.0.tar.gz" good 1.0.0
$tool archive "$www/example-1.1.0.tar.gz" big 1.1.0

upkeep_boot hardening
trap 'rc=$?; harness_stop_all; rm -rf "$UPKEEP_DESTDIR" "$pub"; exit $rc' EXIT
here=$(dirname "$0")
app_dir=/var/lib/upkeep/apps/example

# serve [POISON]: the channel server (tests/unit/http-test-server.py) on 127.0.0.1:8080, every
# file's validators poisoned with POISON (etag or date) if given.
harness_copy_in "$UPKEEP_GUEST" "$here/../unit/http-test-server.py" /usr/local/bin/upkeep-test-server
serve() {
        guest systemctl stop channel-server.service 2>/dev/null
        guest systemctl reset-failed channel-server.service 2>/dev/null
        guest mkdir -p /srv/www/example /etc/upkeep/apps
        guest systemd-run --quiet --unit=channel-server ${1:+--setenv=HTTP_TEST_SERVER_POISON=$1} \
                /usr/bin/python3 /usr/local/bin/upkeep-test-server /srv/www 8080 >/dev/null
        for _ in $(seq 50); do guest curl -s -o /dev/null http://127.0.0.1:8080/ && break; sleep 0.1; done
}
prop() {
        guest busctl get-property org.upkeep1 /org/upkeep1/app/example org.upkeep1.App "$1"
}
state_field() {  # state_field KEY: a field of state.json, as JSON (null when absent)
        guest python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get(sys.argv[2])))' \
                "$app_dir/state.json" "$1"
}
check() {  # check: upkeepctl check, waiting for the job; prints its exit status
        guest upkeepctl --no-ask-password --quiet check example >/dev/null 2>&1; echo $?
}
update() {
        guest upkeepctl --no-ask-password --quiet update example "$1" >/dev/null 2>&1; echo $?
}
wait_for() {  # wait_for WHAT CMD...: up to 20 s until CMD succeeds
        local what=$1 deadline=$((SECONDS + 20)); shift
        while [ "$SECONDS" -lt "$deadline" ]; do "$@" && return 0; sleep 0.1; done
        fail "timed out waiting: $what"
        return 1
}

serve
example_app '
[Update]
Policy=major'
guest systemctl daemon-reload

# An older channel, validly signed and unexpired, that an attacker keeps for a replay.
publish 3 1.0.0=$www/example-1.0.0.tar.gz
cp "$www/channel.json" "$pub/replay.json"
cp "$www/channel.json.minisig" "$pub/replay.json.minisig"

# --- 1. poisoned validators ---------------------------------------------------------------------------
publish 5 1.0.0=$www/example-1.0.0.tar.gz
serve etag
expect_eq "1. a check through an ETag with a bare CR succeeds" "$(check)" 0
expect_eq "1. ... and the ETag is not kept" "$(state_field channel_etag)" null
expect_eq "1. ... so the next check starts and succeeds too" "$(check)" 0
expect_eq "1. ... with no error left" "$(prop LastError)" 's ""'
serve date
publish 6 1.0.0=$www/example-1.0.0.tar.gz
expect_eq "1. a check through a Last-Modified in the year 20000 succeeds" "$(check)" 0
expect_eq "1. ... the date is not kept" "$(state_field channel_last_modified)" null
expect_eq "1. ... and the serial is saved (state.json could be written)" "$(state_field channel_serial)" "$(published_serial 6)"
expect_eq "1. ... and the next check succeeds too" "$(check)" 0
# A poisoned ETag an older upkeep stored is not sent: the request goes out unconditionally.
guest python3 -c 'import json, sys; p = sys.argv[1]; s = json.load(open(p)); s["channel_etag"] = "\"a\rb\""; json.dump(s, open(p, "w"))' \
        "$app_dir/state.json"
guest systemctl kill -s KILL upkeepd.service
serve
expect_eq "1. a poisoned ETag in state.json blocks no check" "$(check)" 0

# --- 2. a corrupt state.json, then a replay ----------------------------------------------------------
expect_eq "2. 1.0.0 installs" "$(update 1.0.0)" 0
guest upkeepctl --no-ask-password pin example 1.0.0
expect_eq "2. a check after the pin" "$(check)" 0   # state.json.old now holds the pin
guest sh -c "printf '{\"channel_ser' > $app_dir/state.json"
guest systemctl kill -s KILL upkeepd.service
daemon_active() { [ "$(guest systemctl is-active upkeepd.service)" = active ]; }
wait_for "upkeepd to come back" daemon_active
expect_match "2. LastError says state.json was corrupt" "$(prop LastError)" 'state\.json is corrupt'
expect_eq "2. the app is paused until an operator looks" "$(prop Paused)" "b true"
expect_match "2. ... saying why" "$(prop PauseReason)" 'state\.json was unusable'
expect_eq "2. the pin survived (from state.json.old)" "$(prop PinnedVersion)" 's "1.0.0"'
expect_eq "2. the floor survived (the kept channel's serial)" "$(state_field channel_serial)" "$(published_serial 6)"
expect_match "2. the rebuild is journalled, catalogued" \
        "$(guest journalctl MESSAGE_ID=c9717381ebc2410dbe8fb38fa3d1051a -o cat --no-pager)" 'rebuilt from its last good copy'
cp "$pub/replay.json" "$www/channel.json"
cp "$pub/replay.json.minisig" "$www/channel.json.minisig"
harness_copy_in "$UPKEEP_GUEST" "$www" /srv/www/
out=$(guest upkeepctl --no-ask-password check example 2>&1); rc=$?
expect_eq "2. the replayed older channel is refused (exit 7)" "$rc" 7
expect_match "2. ... as a replay" "$out" 'ChannelReplayed'
guest upkeepctl --no-ask-password resume example >/dev/null
guest upkeepctl --no-ask-password unpin example >/dev/null

# --- 3. the accepted serial is saved before the release it brings is downloaded ------------------------
publish 7 1.0.0=$www/example-1.0.0.tar.gz 1.1.0=$www/example-1.1.0.tar.gz,query=rate=1
guest upkeepctl --no-ask-password --no-block update example 1.1.0 >/dev/null
downloading() {
        guest sh -c 'ls -l /proc/$(systemctl show -P MainPID upkeepd.service)/fd 2>/dev/null | grep -q "/partial/"'
}
wait_for "the download of 1.1.0 to begin" downloading
expect_eq "3. serial 7 is on disk while 1.1.0 downloads" "$(state_field channel_serial)" "$(published_serial 7)"
runs() { [ "$(prop CurrentVersion)" = "s \"$1\"" ]; }
wait_for "1.1.0 to be installed" runs 1.1.0
trial_over() { [ "$(state_field trial_version)" = null ]; }
wait_for "1.1.0's trial to end" trial_over

# --- 4. a channel served over http names a local file -------------------------------------------------
secret_size=$(guest stat -c %s /etc/machine-id)
secret_sum=$(guest sha256sum /etc/machine-id | cut -d' ' -f1)
publish 8 1.1.0=$www/example-1.1.0.tar.gz \
        "2.0.0=$www/example-1.0.0.tar.gz,url=file:///etc/machine-id,size=$secret_size,sha256=$secret_sum,type=binary"
out=$(guest upkeepctl --no-ask-password update example 2.0.0 2>&1); rc=$?
expect_eq "4. a file:// artifact of an http channel is refused (exit 7)" "$rc" 7
expect_match "4. ... as unsafe, outside the channel's scheme" "$out" 'UnsafeRelease|outside the scheme'
expect_eq "4. ... and nothing of it was staged" "$(guest ls -A $app_dir/versions)" "$(printf '1.0.0\n1.1.0')"
last_error=$(prop LastError)
expect_match "4. LastError names the refusal" "$last_error" 'outside the scheme'
if grep -q -e "$secret_sum" -e " $secret_size " <<<"$last_error"; then
        fail "4. LastError tells something of the file: $last_error"
else
        pass "4. LastError tells nothing of the file"
fi

# --- 5. polkit: running a program and staging a file are actions of their own ----------------------------
# A group trusted to manage example's updates and choose its versions, nothing more.
guest useradd --no-create-home upkeep-op
op_gid=$(guest id -g upkeep-op)
as_op() {  # as_op CMD...: run CMD as upkeep-op
        guest setpriv --reuid=upkeep-op --regid="$op_gid" --init-groups "$@"
}
guest sh -c 'cat > /etc/polkit-1/rules.d/50-upkeep-op.rules' <<'RULES'
polkit.addRule(function(action, subject) {
        if (subject.user != "upkeep-op")
                return polkit.Result.NOT_HANDLED;
        if (action.id == "org.upkeep1.update" && action.lookup("app") == "example") {
                /* Slow on purpose, as an admin typing a password would be: section 5's race. */
                polkit.spawn(["/bin/sleep", "4"]);
                return polkit.Result.YES;
        }
        if ((action.id == "org.upkeep1.manage" || action.id == "org.upkeep1.update-to-version") &&
            action.lookup("app") == "example")
                return polkit.Result.YES;
});
RULES
out=$(as_op upkeepctl --no-ask-password pause example 'op was here' 2>&1); rc=$?
expect_eq "5. the rule lets upkeep-op pause example" "$rc" 0
expect_eq "5. ... and example is paused" "$(prop Paused)" "b true"
as_op upkeepctl --no-ask-password resume example >/dev/null 2>&1
expect_eq "5. ... and resume it" "$(prop Paused)" "b false"
out=$(as_op upkeepctl --no-ask-password run --name=oprun /bin/sleep 300 2>&1); rc=$?
expect_eq "5. but Run is refused to upkeep-op (exit 5)" "$rc" 5
expect_match "5. ... as org.upkeep1.run" "$out" 'org\.upkeep1\.run'
expect_eq "5. ... and nothing ran" "$(guest systemctl is-active upkeep-run-oprun.service)" inactive
guest install -m 755 /bin/true /tmp/op-true
out=$(as_op upkeepctl --no-ask-password stage example /tmp/op-true 3.0.0 --type=binary 2>&1); rc=$?
expect_eq "5. Stage is refused to upkeep-op (exit 5)" "$rc" 5
expect_match "5. ... as org.upkeep1.stage" "$out" 'org\.upkeep1\.stage'
expect_eq "5. ... and nothing was staged" "$(prop PendingVersion)" 's ""'

# The version polkit was asked about is the version acted on: upkeep-op applies 2.0.0, and while the rule
# takes its time, root stages 2.0.1.
out=$(guest upkeepctl --no-ask-password stage example /tmp/op-true 2.0.0 --type=binary 2>&1); rc=$?
expect_eq "5. root stages 2.0.0" "$rc" 0
expect_eq "5. ... which is pending" "$(prop PendingVersion)" 's "2.0.0"'
as_op upkeepctl --no-ask-password apply example >"$pub/apply.out" 2>&1 &
apply_pid=$!
polkit_asking() { guest pgrep -fx '/bin/sleep 4' >/dev/null; }
wait_for "polkit to be asked about upkeep-op's apply" polkit_asking
out=$(guest upkeepctl --no-ask-password stage example /tmp/op-true 2.0.1 --type=binary 2>&1); rc=$?
expect_eq "5. root stages 2.0.1 while upkeep-op's Apply() waits for polkit" "$rc" 0
wait "$apply_pid"; rc=$?
expect_eq "5. the apply authorized for 2.0.0 fails (exit 6: try again)" "$rc" 6
expect_match "5. ... with VersionChanged, naming both" "$(cat "$pub/apply.out")" 'VersionChanged|was 2\.0\.0, it is now 2\.0\.1'
expect_eq "5. ... and nothing was switched" "$(prop CurrentVersion)" 's "1.1.0"'

upkeep_finish
