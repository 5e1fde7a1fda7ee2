#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault injection, in a real systemd: upkeepd is killed with SIGKILL at each step of an update (during
# the download, after staging, while an install hook runs, right after `current` was swapped while the
# unit restarts, mid-trial with a good and with a crashing version), and the whole guest is killed
# mid-trial and booted again with the same /var/lib/upkeep. After each fault: `current` names a
# complete version (every file of its archive, the same), the app serves that version, state.json
# loads, partial/ is never taken for a release, the daemon comes back (systemd starts it again) and
# agrees, and the next update completes. Prints a table: step, `current` after, time until the app served.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/publisher.sh"
publisher_setup

archives good:1.0.0 big:2.0.0 good:3.0.0 good:4.0.0 good:5.5.0 good:6.0.0 crash-later:7.0.0 good:8.0.0 good:10.0.0
$tool archive "$www/example-5.0.0.tar.gz" slow-start 5.0.0 --delay 3
$tool archive "$www/example-9.0.0.tar.gz" slow-start 9.0.0 --delay 2

# What must survive the guest: the state, the app's config (the generator reads it at boot) and the
# channel. The rest of the guest is thrown away at each boot.
keep=$(mktemp -d /var/tmp/upkeep-faults.XXXXXX)
mkdir -m 755 "$keep/state" "$keep/etc" "$keep/srv"
export HARNESS_BIND="$keep/state:/var/lib/upkeep $keep/etc:/etc/upkeep $keep/srv:/srv/www"

upkeep_boot faults
upkeep_remove_on_exit "$keep"

app_dir=/var/lib/upkeep/apps/example
here=$(dirname "$0")

# The channel server: tests/unit/http-test-server.py, which can send an artifact slowly (?rate=MIB).
serve_channel() {
        harness_copy_in "$UPKEEP_GUEST" "$here/../unit/http-test-server.py" /usr/local/bin/upkeep-test-server
        harness_copy_in "$UPKEEP_GUEST" "$here/check-current.py" /usr/local/bin/upkeep-check-current
        guest mkdir -p /srv/www/example /etc/upkeep/apps
        guest systemd-run --quiet --unit=channel-server /usr/bin/python3 /usr/local/bin/upkeep-test-server /srv/www 8080 >/dev/null
        for _ in $(seq 50); do guest curl -s -o /dev/null http://127.0.0.1:8080/ && break; sleep 0.1; done
}
serve_channel

# An install hook that waits while /run/hook-wait exists (kept in /etc/upkeep, so it survives a boot).
printf '#!/bin/sh\necho "hook $UPKEEP_NEW_VERSION" >> /run/hook-log\nwhile [ -e /run/hook-wait ]; do sleep 0.1; done\n' |
        guest sh -c 'cat > /etc/upkeep/slow-hook && chmod 755 /etc/upkeep/slow-hook'
faults_app() {  # faults_app TRIALSEC: the app's config, with the install hook above
        example_app "
[Update]
Policy=major
TrialSec=$1
InstallHook=/etc/upkeep/slow-hook"
}
faults_app 3s
guest systemctl daemon-reload

serves() {
        guest curl -s --max-time 2 http://127.0.0.1:8081/ || echo down
}
prop() {
        guest busctl get-property org.upkeep1 /org/upkeep1/app/example org.upkeep1.App "$1"
}
state_field() {  # state_field KEY: a field of state.json, as JSON (null when absent)
        guest python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get(sys.argv[2])))' \
                "$app_dir/state.json" "$1"
}
update() {  # update VERSION: upkeepctl update, waiting for the job; prints its exit status
        guest upkeepctl --no-ask-password --quiet update example "$1" >/dev/null; echo $?
}
update_no_block() {
        guest upkeepctl --no-ask-password --no-block update example "$1" >/dev/null
}
wait_for() {  # wait_for WHAT CMD...: up to 20 s until CMD succeeds
        local what=$1 deadline=$((SECONDS + 20)); shift
        while [ "$SECONDS" -lt "$deadline" ]; do "$@" && return 0; sleep 0.1; done
        fail "timed out waiting: $what"
        return 1
}
guest_has_download_open() {
        guest sh -c 'ls -l /proc/$(systemctl show -P MainPID upkeepd.service)/fd 2>/dev/null | grep -q "/partial/"'
}
guest_serves() { [ "$(serves)" = "$1" ]; }
hook_runs() {  # (a oneshot unit is "activating" while its program runs)
        [ -n "$(guest systemctl list-units --no-legend --state=activating,active 'upkeep-hook-example-*')" ]
}
trial_over() { [ "$(state_field trial_version)" = null ]; }
# trial_started VERSION: upkeep-condition counted the first start of VERSION's trial. The trials here
# last 3 s: a fault meant to strike mid-trial strikes right after this, not after some slower sign of
# life that a loaded machine could delay past the trial's end.
trial_started() { [ "$(state_field trial_version)/$(state_field trial_starts)" = "\"$1\"/1" ]; }

# The script the guest runs for a fault of the daemon: SIGKILL upkeepd (at once, or as soon as
# `current` names $2), then wait until the app answers with the version `current` names (and that is
# $1, if given). Prints the milliseconds from the kill until then; after 90 s, "timeout". Only curl
# and readlink while waiting: nothing here calls the daemon (systemd starts it again by itself,
# Restart=on-failure).
kill_and_wait='
        current() { v=$(readlink /var/lib/upkeep/apps/example/current); echo "${v#versions/}"; }
        if [ -n "$2" ]; then
                until [ "$(current)" = "$2" ]; do sleep 0.005; done
        fi
        systemctl kill -s KILL upkeepd.service || exit 1
        t0=$(date +%s%N)
        while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 90000 ]; do
                v=$(current)
                if [ -z "$1" ] || [ "$v" = "$1" ]; then
                        if [ "$(curl -s --max-time 1 http://127.0.0.1:8081/)" = "$v" ]; then
                                echo $(( ($(date +%s%N) - t0) / 1000000 ))
                                exit 0
                        fi
                fi
                sleep 0.02
        done
        echo timeout
        exit 1'
kill_daemon() {  # kill_daemon [EXPECT-VERSION [WHEN-CURRENT]]
        guest sh -c "$kill_and_wait" sh "${1:-}" "${2:-}"
}

# What must hold after every fault; adds a row to the table. after_fault STEP MS EXPECTED-CURRENT, where
# MS is the time from the fault until the app served again ("-" after an update, not a fault).
back_within_ms=60000
rows=()
after_fault() {
        local step=$1 ms=$2 expected=$3 cur
        if [ "$ms" != - ]; then
                if [[ "$ms" =~ ^[0-9]+$ ]] && [ "$ms" -le "$back_within_ms" ]; then
                        pass "$step: the app served again within $((back_within_ms / 1000)) s ($ms ms)"
                else
                        fail "$step: the app served again within $((back_within_ms / 1000)) s: took '$ms' ms"
                fi
        fi
        cur=$(guest upkeep-check-current "$app_dir" /srv/www/example 2>&1)
        expect_eq "$step: current names a complete version, and state.json loads" "$cur" "$expected"
        expect_eq "$step: the app serves it" "$(serves)" "$expected"
        expect_eq "$step: partial/ holds nothing" "$(guest ls -A "$app_dir/partial" 2>/dev/null)" ""
        expect_eq "$step: upkeepd, back again, agrees" "$(prop CurrentVersion)" "s \"$expected\""
        rows+=("$(printf '%-44s %-9s %6s ms' "$step" "$cur" "$ms")")
}

serial=0

# --- the first install ------------------------------------------------------------------------------
publish $((++serial)) 1.0.0=$www/example-1.0.0.tar.gz
expect_eq "1.0.0 installs" "$(update 1.0.0)" 0
expect_eq "1.0.0 serves" "$(serves)" 1.0.0

# --- a. during the download --------------------------------------------------------------------------
# 8 MiB at 1 MiB/s: the daemon is killed a second into an eight-second download (long enough that
# on a loaded machine the kill still lands before the download ends and staging begins).
publish $((++serial)) 1.0.0=$www/example-1.0.0.tar.gz 2.0.0=$www/example-2.0.0.tar.gz,query=rate=1
update_no_block 2.0.0
wait_for "the download of 2.0.0 to begin" guest_has_download_open
sleep 1
expect_eq "a. still downloading when killed" "$(guest_has_download_open && echo yes)" yes
ms=$(kill_daemon 1.0.0)
after_fault "a. kill -9 during the download" "$ms" 1.0.0
expect_eq "a. nothing of 2.0.0 was staged" "$(guest ls -A "$app_dir/versions")" 1.0.0
# A download's leftovers are never taken for a release, even one that looks like one.
guest sh -c "mkdir -p $app_dir/partial/2.0.0/bin && printf '#!/bin/sh\necho fake\n' > $app_dir/partial/2.0.0/bin/example && chmod 755 $app_dir/partial/2.0.0/bin/example"
expect_eq "a. then the update to 2.0.0 completes" "$(update 2.0.0)" 0
after_fault "a. ... and after the update" - 2.0.0

# --- b. after staging, before the switch -------------------------------------------------------------
publish $((++serial)) 1.0.0=$www/example-1.0.0.tar.gz 3.0.0=$www/example-3.0.0.tar.gz
guest upkeepctl --no-ask-password --quiet check example
expect_eq "b. check staged 3.0.0" "$(state_field pending_version)" '"3.0.0"'
ms=$(kill_daemon 2.0.0)
after_fault "b. kill -9 after stage" "$ms" 2.0.0
expect_eq "b. 3.0.0 is still pending" "$(prop PendingVersion)" 's "3.0.0"'
expect_eq "b. then apply completes" "$(guest upkeepctl --no-ask-password --quiet apply example >/dev/null; echo $?)" 0
expect_eq "b. ... 3.0.0 serves" "$(serves)" 3.0.0

# --- c. mid-switch: while an install hook runs -------------------------------------------------------
publish $((++serial)) 3.0.0=$www/example-3.0.0.tar.gz 4.0.0=$www/example-4.0.0.tar.gz
guest touch /run/hook-wait
update_no_block 4.0.0
wait_for "the install hook of 4.0.0 to run" hook_runs
ms=$(kill_daemon 3.0.0)
after_fault "c. kill -9 while an install hook runs" "$ms" 3.0.0
expect_eq "c. no trial began" "$(state_field trial_version)" null
expect_eq "c. 4.0.0 is still pending" "$(prop PendingVersion)" 's "4.0.0"'
guest rm /run/hook-wait
expect_eq "c. then apply completes" "$(guest upkeepctl --no-ask-password --quiet apply example >/dev/null; echo $?)" 0
expect_eq "c. ... 4.0.0 serves" "$(serves)" 4.0.0

# --- c. mid-switch: `current` swapped, the unit restarting (5.0.0 takes 3 s to listen) --------------
publish $((++serial)) 4.0.0=$www/example-4.0.0.tar.gz 5.0.0=$www/example-5.0.0.tar.gz
update_no_block 5.0.0
ms=$(kill_daemon 5.0.0 5.0.0)
after_fault "c. kill -9 right after current was swapped" "$ms" 5.0.0
wait_for "the daemon to end the trial of 5.0.0" trial_over
expect_eq "c. 5.0.0 was kept" "$(prop CurrentVersion)/$(state_field paused)" 's "5.0.0"/false'

# --- c. mid-switch: killed between the swap of `current` and the unit's restart -----------------------
# Too short a window to hit from outside, so after a real kill the state is made what such a kill
# leaves: what the daemon's switch writes (links, then state.json), and no restart.
publish $((++serial)) 5.0.0=$www/example-5.0.0.tar.gz 5.5.0=$www/example-5.5.0.tar.gz
guest upkeepctl --no-ask-password --quiet check example
guest systemctl stop upkeepd.service  # stopped, not killed: systemd would start a killed one again
guest python3 -c '
import json, os, sys, time
d = sys.argv[1]
def link(name, version):
    os.symlink("versions/" + version, d + "/.#" + name)
    os.replace(d + "/.#" + name, d + "/" + name)
s = json.load(open(d + "/state.json"))
link("previous", s["current_version"])
s["previous_version"], s["current_version"] = s["current_version"], s.pop("pending_version")
s.pop("due_at", None)
s.update(trial_version=s["current_version"], trial_starts=0,
         trial_started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
link("current", s["current_version"])
json.dump(s, open(d + "/state.json.tmp", "w"))
os.replace(d + "/state.json.tmp", d + "/state.json")' "$app_dir"
start=${EPOCHREALTIME/./}
expect_eq "c. the daemon takes the trial over" "$(prop State)" 's "trial"'
wait_for "5.5.0 to serve" guest_serves 5.5.0
ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
after_fault "c. kill -9 between the swap and the restart" "$ms" 5.5.0
wait_for "the daemon to end the trial of 5.5.0" trial_over
expect_eq "c. 5.5.0 was kept" "$(prop CurrentVersion)/$(state_field paused)" 's "5.5.0"/false'
expect_match "c. the journal says it was restarted for its trial" \
        "$(guest journalctl -u upkeepd.service -o cat --no-pager)" 'example 5\.5\.0 was switched to but never started; restarting'

# --- d. mid-trial, a good version --------------------------------------------------------------------
publish $((++serial)) 5.5.0=$www/example-5.5.0.tar.gz 6.0.0=$www/example-6.0.0.tar.gz
update_no_block 6.0.0
wait_for "6.0.0's trial to start" trial_started 6.0.0
ms=$(kill_daemon 6.0.0)
# Before anyone calls it: an orphaned trial must not wait for the next upkeepctl command.
daemon_active() { [ "$(guest systemctl is-active upkeepd.service)" = active ]; }
wait_for "systemd to start upkeepd again, unasked" daemon_active
after_fault "d. kill -9 mid-trial, good version" "$ms" 6.0.0
wait_for "the daemon to end the trial of 6.0.0" trial_over
expect_eq "d. 6.0.0 was kept" "$(prop CurrentVersion)/$(state_field paused)" 's "6.0.0"/false'

# --- d. mid-trial, a version that crashes after 2 s: upkeep-condition rolls back on its own ----------
publish $((++serial)) 6.0.0=$www/example-6.0.0.tar.gz 7.0.0=$www/example-7.0.0.tar.gz
update_no_block 7.0.0
wait_for "7.0.0 to serve" guest_serves 7.0.0
ms=$(kill_daemon 6.0.0)
after_fault "d. kill -9 mid-trial, crashing version" "$ms" 6.0.0
expect_eq "d. 7.0.0 is marked bad" "$(state_field bad_versions)" '["7.0.0"]'
expect_eq "d. and the app paused" "$(state_field paused)" true
guest upkeepctl --no-ask-password resume example
publish $((++serial)) 6.0.0=$www/example-6.0.0.tar.gz 8.0.0=$www/example-8.0.0.tar.gz
expect_eq "d. then the update to 8.0.0 completes" "$(update 8.0.0)" 0
expect_eq "d. ... 8.0.0 serves" "$(serves)" 8.0.0

# --- e. the whole guest killed mid-trial, booted again with the same /var/lib/upkeep -----------------
# A trial of 60 s, and the guest killed as soon as it started, so that the kill lands inside it
# however loaded the machine (with 3 s, the trial could end before the kill, and 9.0.0 was rightly
# kept).
faults_app 60s
guest systemctl daemon-reload
guest systemctl reload upkeepd.service
publish $((++serial)) 8.0.0=$www/example-8.0.0.tar.gz 9.0.0=$www/example-9.0.0.tar.gz
update_no_block 9.0.0
wait_for "9.0.0's trial to start" trial_started 9.0.0
start=${EPOCHREALTIME/./}
harness_kill "$UPKEEP_GUEST" || fail "e. harness_kill"
harness_stop "$UPKEEP_GUEST"
harness_boot "$UPKEEP_GUEST" "$UPKEEP_DESTDIR" || { fail "e. the guest did not boot again"; upkeep_finish; }
# Until the version `current` names serves, for at most 90 s (after_fault wants it within 60 s).
while [ $(( (${EPOCHREALTIME/./} - start) / 1000 )) -lt 90000 ]; do
        v=$(guest readlink "$app_dir/current"); v=${v#versions/}
        [ -n "$v" ] && guest_serves "$v" && break
        sleep 0.05
done
ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
serve_channel
# The boot's start of the unit was the second of 9.0.0's trial: it failed its trial.
after_fault "e. guest killed mid-trial, booted again" "$ms" 8.0.0
expect_eq "e. 9.0.0 is marked bad" "$(state_field bad_versions)" '["7.0.0", "9.0.0"]'
guest upkeepctl --no-ask-password resume example
# Back to 3 s trials: the update below waits for its trial to end.
faults_app 3s
guest systemctl daemon-reload
guest systemctl reload upkeepd.service
publish $((++serial)) 8.0.0=$www/example-8.0.0.tar.gz 10.0.0=$www/example-10.0.0.tar.gz
expect_eq "e. then the update to 10.0.0 completes" "$(update 10.0.0)" 0
after_fault "e. ... and after the update" - 10.0.0

echo
printf '%-44s %-9s %9s\n' "fault" "current" "serving"
printf '%s\n' "${rows[@]}"
upkeep_finish
