#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Apps running as real units, in a real systemd: the generator's units run the app; the update timer
# is listed and fires only inside its window; its service applies a staged update, and is skipped
# when nothing is due; a crashing release is rolled back by the daemon; and a release that dies after
# the daemon was killed mid-trial is rolled back by upkeep-condition alone.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/publisher.sh"
publisher_setup

archives good:1.0.0 good:1.1.0 crash:1.2.0 crash-later:1.3.0 good:1.4.0

upkeep_boot running
publisher_serve

# The window: the hour after the current one (local time, as timers count), so its next event is
# predictable and not now.
hour=$((10#$(guest date +%H)))
window_hour=$(( (hour + 2) % 24 ))
example_app "$(printf '\n[Update]\nPolicy=minor\nTrialSec=%s\nWindow=%02d\nJitter=1s\nKeep=2\n' "${TRIAL:-4s}" "$window_hour")"
guest systemctl daemon-reload

serves() {  # what the app answers on its port, or "down"
        guest curl -s --max-time 2 http://127.0.0.1:8081/ || echo down
}
prop() {
        guest busctl get-property org.upkeep1 /org/upkeep1/app/example org.upkeep1.App "$1"
}

# --- the generated units ---------------------------------------------------------------------------
expect_match "the generator wrote the service's ExecStart" "$(guest systemctl cat upkeep@example.service)" \
        'ExecStart=/var/lib/upkeep/apps/example/current/bin/example --port 8081'
expect_match "the service is enabled for boot" "$(guest systemctl is-enabled upkeep@example.service)" 'enabled|generated'
guest systemctl start upkeep-update@example.timer
expect_match "systemctl list-timers shows the update timer" \
        "$(guest systemctl list-timers --no-pager --all)" 'upkeep-update@example\.timer +upkeep-update@example\.service'
next=$(guest systemctl show -P NextElapseUSecRealtime upkeep-update@example.timer)
expect_match "the timer's next event is in the window's hour ($window_hour)" "$next" \
        " $(printf '%02d' "$window_hour"):[0-9]{2}:[0-9]{2} "
guest systemctl start upkeep-update@example.service
expect_match "with nothing due, the update service is skipped, not failed" \
        "$(guest journalctl -u upkeep-update@example.service -o cat --no-pager)" "Skipped due to 'exec-condition'"
expect_eq "... and has not failed" "$(guest systemctl is-failed upkeep-update@example.service)" inactive

# --- install, then an update applied by the timer's service ---------------------------------------
publish 1 1.0.0=$www/example-1.0.0.tar.gz
guest upkeepctl --no-ask-password update example 1.0.0
expect_eq "the generated unit runs the app" "$(guest systemctl is-active upkeep@example.service)" active
expect_eq "... which serves 1.0.0" "$(serves)" 1.0.0

publish 2 1.0.0=$www/example-1.0.0.tar.gz 1.1.0=$www/example-1.1.0.tar.gz
guest upkeepctl --no-ask-password check example
expect_eq "check stages 1.1.0 as pending" "$(prop PendingVersion)" 's "1.1.0"'
expect_eq "outside the window, the update service is skipped" \
        "$(guest systemctl start upkeep-update@example.service; echo $?)" 0
expect_match "... saying so" "$(guest journalctl -u upkeep-update@example.service -o cat --no-pager)" \
        "Skipping update of example: outside its update window \\(Window=$(printf '%02d' "$window_hour")\\); the window opens next at "
expect_eq "... and 1.1.0 stays pending" "$(prop PendingVersion)" 's "1.1.0"'
expect_eq "... not applied" "$(serves)" 1.0.0

# Now the window holds this hour (and the next, should the clock turn meanwhile).
window_now=$(printf '%02d,%02d' "$((10#$(guest date +%H)))" $(( (10#$(guest date +%H) + 1) % 24 )))
guest sh -c "printf '[Update]\nWindow=$window_now\n' >> /etc/upkeep/apps/example.app"
guest systemctl daemon-reload
guest systemctl reload upkeepd.service
expect_eq "the daemon shows the new Window" "$(prop Window)" "s \"$window_now\""
expect_match "the timer's next event is within the hour" "$(guest systemctl show -P NextElapseUSecRealtime upkeep-update@example.timer)" \
        " ($(echo "$window_now" | tr ',' '|')):[0-5][0-9]:[0-9]{2} "
expect_eq "inside the window, the update service applies it (as the timer does)" \
        "$(guest systemctl start upkeep-update@example.service; echo $?)" 0
expect_eq "the app serves 1.1.0" "$(serves)" 1.1.0
expect_match "the history records a scheduled update" "$(guest upkeepctl history example --no-legend)" '1\.0\.0 +1\.1\.0 +scheduled'

# --- a release that crashes at once: the daemon rolls back -----------------------------------------
publish 3 1.0.0=$www/example-1.0.0.tar.gz 1.1.0=$www/example-1.1.0.tar.gz 1.2.0=$www/example-1.2.0.tar.gz
start=${EPOCHREALTIME/./}
out=$(guest upkeepctl --no-ask-password update example 1.2.0 2>&1); rc=$?
expect_eq "updating to a crashing release fails" "$rc" 1
expect_match "... saying it was rolled back" "$out" 'version 1\.2\.0 failed its trial .*rolled back to 1\.1\.0'
for _ in $(seq 20); do [ "$(serves)" = 1.1.0 ] && break; sleep 0.1; done
echo "old version serving again $(( (${EPOCHREALTIME/./} - start) / 1000 )) ms after the update began"
expect_eq "the old version serves again" "$(serves)" 1.1.0
expect_eq "automatic updates are paused" "$(prop Paused)" 'b true'
expect_match "... with the reason" "$(prop PauseReason)" '1\.2\.0 failed its trial'
out=$(guest upkeepctl status example)
expect_match "status shows 1.1.0 running" "$out" 'Current: 1\.1\.0'
if grep -q 'Previous:' <<<"$out"; then fail "status names a Previous to roll back to after the rollback: $out"
else pass "... and no Previous: there is nothing to roll back to"; fi
expect_match "the journal has the catalogued rollback" \
        "$(guest journalctl UPKEEP_APP=example MESSAGE_ID=61a9e5eb076d493e8bc0598acddb3a6a -o cat --no-pager)" 'rolled back to 1\.1\.0'
state_field() {  # state_field KEY: a field of state.json, as JSON
        guest python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))[sys.argv[2]]))' \
                /var/lib/upkeep/apps/example/state.json "$1"
}
expect_eq "1.2.0 is marked bad" "$(state_field bad_versions)" '["1.2.0"]'
guest upkeepctl --no-ask-password resume example

# --- the daemon dies mid-trial; the release dies after 2 s; upkeep-condition rolls back -------------
publish 4 1.1.0=$www/example-1.1.0.tar.gz 1.3.0=$www/example-1.3.0.tar.gz
guest sh -c 'printf "[Update]\nTrialSec=30s\n" >> /etc/upkeep/apps/example.app'
guest systemctl reload upkeepd.service
guest upkeepctl --no-ask-password --no-block update example 1.3.0 >/dev/null
for _ in $(seq 50); do [ "$(serves)" = 1.3.0 ] && break; sleep 0.1; done
expect_eq "1.3.0 runs, on trial" "$(serves)" 1.3.0
# systemd would start a killed upkeepd again at once (Restart=on-failure); here it stays dead. Masked
# too: the fault report of 1.3.0's crash would start it on the bus (upkeep-fault tells the daemon).
guest sh -c 'mkdir -p /run/systemd/system/upkeepd.service.d && printf "[Service]\nRestart=no\n" > /run/systemd/system/upkeepd.service.d/stay-dead.conf'
guest systemctl daemon-reload
guest systemctl mask --runtime --quiet upkeepd.service
guest systemctl kill -s KILL upkeepd.service
for _ in $(seq 50); do [ "$(serves)" = 1.1.0 ] && break; sleep 0.2; done
expect_eq "after 1.3.0 died, with no daemon, 1.1.0 serves again" "$(serves)" 1.1.0
expect_eq "upkeepd is not running" "$(guest systemctl is-active upkeepd.service)" failed
expect_match "upkeep-condition rolled back, in the journal" \
        "$(guest journalctl UPKEEP_APP=example MESSAGE_ID=61a9e5eb076d493e8bc0598acddb3a6a -o cat --no-pager)" \
        '1\.3\.0.*rolled back to 1\.1\.0|rolled back to 1\.1\.0.*1\.3\.0'
expect_eq "the current link points at 1.1.0" "$(guest readlink /var/lib/upkeep/apps/example/current)" versions/1.1.0
expect_eq "state.json: 1.3.0 marked bad" "$(state_field bad_versions)" '["1.2.0", "1.3.0"]'
expect_eq "... and paused" "$(state_field paused)" true
guest systemctl unmask --runtime --quiet upkeepd.service
guest rm -r /run/systemd/system/upkeepd.service.d
guest systemctl daemon-reload
expect_eq "the daemon, activated again, agrees" "$(prop CurrentVersion)" 's "1.1.0"'

# --- after a successful switch, Keep=2 staged versions remain, and always current and previous ------
guest upkeepctl --no-ask-password resume example
guest sh -c 'printf "[Update]\nTrialSec=2s\n" >> /etc/upkeep/apps/example.app'
guest systemctl reload upkeepd.service
publish 5 1.1.0=$www/example-1.1.0.tar.gz 1.4.0=$www/example-1.4.0.tar.gz
guest upkeepctl --no-ask-password update example 1.4.0
expect_eq "1.4.0 serves" "$(serves)" 1.4.0
expect_eq "old versions are pruned to Keep=2 plus the previous one" \
        "$(guest ls /var/lib/upkeep/apps/example/versions | tr '\n' ' ')" "1.1.0 1.3.0 1.4.0 "

upkeep_finish
