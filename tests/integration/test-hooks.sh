#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Commands an app's config has upkeep run, as transient units of a real systemd: install hooks run
# before each switch, in order, with the switch in their environment (a relative program found in the
# new release); a failing hook leaves the old version running with LastError, a catalogued journal
# entry and a failed job; the same failure in a scheduled update (the update timer's service) backs
# off: FailedAttempts 1, BackoffUntil an hour on, the service skipped until then, and an operator's
# apply resets it; a HealthCheck= command that passes keeps the new version, one that fails rolls it
# back and pauses the app; under DynamicUser= hooks and checks run as the service's user, with its state
# directory.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/publisher.sh"
publisher_setup

archives hooked:1.0.0 hooked:1.1.0 unhealthy:1.2.0 hooked:1.3.0

upkeep_boot hooks
publisher_serve

# A second hook, outside the release: refuses while /srv/gate-closed exists.
guest sh -c 'mkdir -p /usr/local/bin && cat > /usr/local/bin/gate && chmod 755 /usr/local/bin/gate' <<'END'
#!/bin/sh
echo "gate $UPKEEP_NEW_VERSION" >> /srv/hook-log
if [ -e /srv/gate-closed ]; then
        echo "gate: closed for $UPKEEP_NEW_VERSION" >&2
        exit 7
fi
END
example_app '
[Update]
Policy=minor
TrialSec=1s
InstallHook=bin/hook /srv/hook-log
InstallHook=/usr/local/bin/gate
HealthCheck=bin/check'
guest systemctl daemon-reload

serves() {
        guest curl -s --max-time 2 http://127.0.0.1:8081/ || echo down
}
prop() {
        guest busctl get-property org.upkeep1 /org/upkeep1/app/example org.upkeep1.App "$1"
}
hook_log() {  # what the hooks wrote, for the switch to version $1
        guest sed -n "/^hook args=\/srv\/hook-log\$/,/^gate /p" /srv/hook-log | awk -v v="$1" '
                /^hook args=/ { block = "" } { block = block $0 "\n" } /^gate / { if ($2 == v) printf "%s", block }'
}
expect_hook_saw() {  # expect_hook_saw WHAT LOG LINE...: each LINE, exactly, is a line of the hook's log
        local what=$1 log=$2 line; shift 2
        for line in "$@"; do
                if grep -qxF -- "$line" <<<"$log"; then pass "$what: $line"; else fail "$what: no line '$line' in: $log"; fi
        done
}
journal_of() {  # journal_of UNIT-GLOB: what the transient units said
        guest journalctl -u "$1" -o cat --no-pager
}
versions_root=/var/lib/upkeep/apps/example/versions

# --- first install: hooks see no old version ------------------------------------------------------
publish 1 1.0.0=$www/example-1.0.0.tar.gz
out=$(guest upkeepctl --no-ask-password update example 1.0.0 2>&1); rc=$?
expect_eq "the first install succeeds" "$rc" 0
expect_eq "1.0.0 serves" "$(serves)" 1.0.0
log=$(hook_log 1.0.0)
# It ran inside the new release, and saw no old version.
expect_hook_saw "the first install's hook" "$log" "cwd=$versions_root/1.0.0" UPKEEP_APP=example \
        UPKEEP_NEW_VERSION=1.0.0 "UPKEEP_NEW_ROOT=$versions_root/1.0.0" UPKEEP_OLD_VERSION= UPKEEP_OLD_ROOT=

# --- an update: both hooks in order, then a passing health check keeps the version ----------------
publish 2 1.0.0=$www/example-1.0.0.tar.gz 1.1.0=$www/example-1.1.0.tar.gz
out=$(guest upkeepctl --no-ask-password update example 1.1.0 2>&1); rc=$?
expect_eq "the update to 1.1.0 succeeds" "$rc" 0
expect_eq "1.1.0 serves" "$(serves)" 1.1.0
log=$(hook_log 1.1.0)
expect_hook_saw "the update's hook" "$log" UPKEEP_OLD_VERSION=1.0.0 UPKEEP_NEW_VERSION=1.1.0 \
        "UPKEEP_OLD_ROOT=$versions_root/1.0.0" "UPKEEP_NEW_ROOT=$versions_root/1.1.0" UPKEEP_UNIT=upkeep@example.service
expect_eq "the hooks ran in the order given" "$(guest grep -E '^(hook args|gate 1\.1\.0)' /srv/hook-log | tail -n 2)" \
        "$(printf 'hook args=/srv/hook-log\ngate 1.1.0')"
expect_match "the hooks ran as transient units" "$(journal_of 'upkeep-hook-example-*')" 'upkeep-hook-example-[0-9]+\.service|Install hook of example 1\.1\.0'
expect_match "the health check command ran, saw the new version serving and the unit" \
        "$(journal_of 'upkeep-health-example-*')" '^healthy: 1\.1\.0 \(upkeep@example\.service\)$'
expect_eq "1.1.0 was kept" "$(prop CurrentVersion)" 's "1.1.0"'
expect_eq "... and no error is left" "$(prop LastError)" 's ""'
expect_match "the hook units are gone once they ended" \
        "$(guest systemctl list-units --all --no-legend 'upkeep-hook-*' 'upkeep-health-*'; echo end)" '^end$'

# --- a failing hook: nothing is switched -----------------------------------------------------------
guest touch /srv/gate-closed
publish 3 1.1.0=$www/example-1.1.0.tar.gz 1.3.0=$www/example-1.3.0.tar.gz
out=$(guest upkeepctl --no-ask-password update example 1.3.0 2>&1); rc=$?
expect_eq "the update fails" "$rc" 1
expect_match "... naming the hook and how it failed" "$out" \
        "install hook 2 of 2, '/usr/local/bin/gate', exited with status 7"
expect_eq "the first hook did run for 1.3.0" "$(guest grep -c '^UPKEEP_NEW_VERSION=1\.3\.0$' /srv/hook-log)" 1
expect_eq "the old version still serves" "$(serves)" 1.1.0
expect_eq "... and is current" "$(prop CurrentVersion)" 's "1.1.0"'
expect_eq "the current link was not touched" "$(guest readlink /var/lib/upkeep/apps/example/current)" versions/1.1.0
expect_eq "no trial began: 1.3.0 stays pending" "$(prop State)" 's "scheduled"'
expect_match "LastError names the hook and how it failed" "$(prop LastError | tr -d '\\')" \
        "install hook 2 of 2, '/usr/local/bin/gate', exited with status 7 \(upkeep-hook-example-[0-9]+\.service\); nothing was switched"
guest journalctl --update-catalog
expect_match "the journal has the catalogued entry" \
        "$(guest journalctl -x UPKEEP_APP=example MESSAGE_ID=043171f293084ddfb732802a14cb82d5 --no-pager)" \
        'An install hook of example failed; 1\.3\.0 was not installed'
# journalctl -x prints a field the entry lacks by its bare name, "updated from UPKEEP_OLD_VERSION".
expect_eq "journalctl -x explains every entry with its own fields (none missing on a first install)" \
        "$(guest journalctl -x UPKEEP_APP=example --no-pager | grep '^░░' | grep -oE 'UPKEEP_[A-Z_]+' | sort -u)" ""
expect_match "what the hook said is in the journal" "$(journal_of 'upkeep-hook-example-*')" 'gate: closed for 1\.3\.0'
expect_eq "the app is not paused by a failed hook" "$(prop Paused)" 'b false'
expect_eq "an operator's failed update does not count towards the back-off" "$(prop FailedAttempts)" 'u 0'

# --- the same failure in a scheduled update: back-off -----------------------------------------------
update_unit_journal() {
        guest journalctl -u upkeep-update@example.service -o cat --no-pager
}
skips() {
        update_unit_journal | grep -c "Skipped due to 'exec-condition'"
}
guest sh -c "busctl monitor --match \"type='signal',interface='org.freedesktop.DBus.Properties',path='/org/upkeep1/app/example'\" >/tmp/monitor.txt 2>&1 & echo \$! >/tmp/monitor.pid"
sleep 0.5
failed_at=$(guest date +%s)
guest systemctl start upkeep-update@example.service; rc=$?
expect_match "the update timer's service fails with the hook (exit $rc)" "$rc" '^[1-9][0-9]*$'
expect_match "... which ran for the scheduled update" "$(update_unit_journal)" "install hook 2 of 2, '/usr/local/bin/gate', exited with status 7"
expect_eq "the old version still serves" "$(serves)" 1.1.0
expect_eq "... and is current" "$(prop CurrentVersion)" 's "1.1.0"'
expect_eq "FailedAttempts is 1" "$(prop FailedAttempts)" 'u 1'
until=$(prop BackoffUntil); until=${until#t }
delta=$(( until / 1000000 - failed_at ))
expect_eq "BackoffUntil is an hour after the failure (${delta}s)" \
        "$([ "$delta" -ge 3595 ] && [ "$delta" -le 3660 ] && echo yes)" yes
expect_eq "state.json holds the back-off" \
        "$(guest python3 -c 'import json; s = json.load(open("/var/lib/upkeep/apps/example/state.json")); print(s["backoff_failures"], s["backoff_until"] > s.get("due_at", ""))')" \
        "1 True"
guest sh -c 'kill $(cat /tmp/monitor.pid)'
monitor=$(guest cat /tmp/monitor.txt)
expect_match "PropertiesChanged names FailedAttempts" "$monitor" 'STRING "FailedAttempts"'
expect_match "... and BackoffUntil" "$monitor" 'STRING "BackoffUntil"'
guest journalctl --update-catalog
expect_match "the journal has the catalogued back-off entry" \
        "$(guest journalctl -x UPKEEP_APP=example MESSAGE_ID=37ea8a3c72ab4c3685377806d9cf1915 --no-pager)" \
        'A scheduled update of example failed; the update timer backs off'
expect_match "... saying when the timer tries again" \
        "$(guest journalctl UPKEEP_APP=example MESSAGE_ID=37ea8a3c72ab4c3685377806d9cf1915 -o cat --no-pager)" \
        'Scheduled update of example to 1\.3\.0 failed \(1 in a row\); the update timer tries again not before .* \(in 1h\)'
status=$(guest upkeepctl status example)
expect_match "upkeepctl status shows the count" "$status" 'Failed: 1 scheduled update in a row'
expect_match "... the back-off" "$status" 'Backing off: .*; in (59min|1h)'
expect_match "... and the next possible attempt" "$status" 'Next attempt: not before .*; in (59min|1h).* \(inside the window\)'
json=$(guest upkeepctl --json=short status example)
expect_eq "upkeepctl --json status has them too" \
        "$(python3 -c 'import json, sys; a = json.loads(sys.argv[1])[0]; print(a["failedAttempts"], a["backoffUntil"] == a["nextAttempt"] != None, a["window"])' "$json")" \
        "1 True None"

n=$(skips)
guest systemctl start upkeep-update@example.service; rc=$?
expect_eq "started again, the update service is skipped, not failed" "$rc" 0
expect_eq "... by its condition" "$(skips)" $((n + 1))
expect_match "... which says it backs off" "$(update_unit_journal)" 'Skipping update of example: backing off until '
expect_eq "... and the unit is not failed" "$(guest systemctl is-failed upkeep-update@example.service)" inactive
expect_eq "the hooks did not run again" "$(guest grep -c '^UPKEEP_NEW_VERSION=1\.3\.0$' /srv/hook-log)" 2
out=$(guest upkeepctl --no-ask-password apply --scheduled example 2>&1); rc=$?
expect_eq "upkeepd refuses a scheduled apply while backing off (exit 6)" "$rc" 6
expect_match "... saying why" "$out" 'backing off after 1 failed scheduled update\(s\), until '
expect_eq "FailedAttempts is still 1" "$(prop FailedAttempts)" 'u 1'

# --- an operator's apply resets it ------------------------------------------------------------------
guest rm /srv/gate-closed
out=$(guest upkeepctl --no-ask-password apply example 2>&1); rc=$?
expect_eq "an operator's apply succeeds while the timer backs off" "$rc" 0
expect_eq "1.3.0 serves" "$(serves)" 1.3.0
expect_eq "FailedAttempts is reset" "$(prop FailedAttempts)" 'u 0'
expect_eq "BackoffUntil is reset" "$(prop BackoffUntil)" 't 0'
expect_match "the history records a manual update" "$(guest upkeepctl history example --no-legend | tail -n 1)" '1\.1\.0 +1\.3\.0 +manual'
expect_eq "upkeepctl status shows no failure count nor back-off" \
        "$(guest upkeepctl status example | grep -c -E 'Failed:|Backing off:')" 0

# --- a failing health check command: rolled back and paused ---------------------------------------
publish 4 1.3.0=$www/example-1.3.0.tar.gz 1.2.0=$www/example-1.2.0.tar.gz
out=$(guest upkeepctl --no-ask-password update example 1.2.0 2>&1); rc=$?
expect_eq "the update to the unhealthy 1.2.0 fails" "$rc" 1
expect_match "... its health check failed" "$out" "health check 'bin/check' exited with status 3"
expect_match "... and it was rolled back" "$out" 'rolled back to 1\.3\.0'
for _ in $(seq 20); do [ "$(serves)" = 1.3.0 ] && break; sleep 0.1; done
expect_eq "1.3.0 serves again" "$(serves)" 1.3.0
expect_eq "automatic updates are paused" "$(prop Paused)" 'b true'
expect_match "... with the reason" "$(prop PauseReason | tr -d '\\')" "1\.2\.0 failed its trial \(health check 'bin/check' exited with status 3"
expect_match "the check said why, in the journal" "$(journal_of 'upkeep-health-example-*')" '^unhealthy: 1\.2\.0 \(upkeep@example\.service\)$'
expect_eq "1.2.0 is marked bad" "$(guest python3 -c 'import json; print(json.load(open("/var/lib/upkeep/apps/example/state.json"))["bad_versions"])')" "['1.2.0']"

# --- under DynamicUser=, the commands run as the service, with its state directory ------------------
example_app '
[Update]
Policy=minor
TrialSec=1s
InstallHook=/bin/sh -c '"'"'id -u > "$STATE_DIRECTORY/hook-uid"'"'"'
HealthCheck=/bin/sh -c '"'"'id -u > "$STATE_DIRECTORY/check-uid"'"'"'

[Service]
DynamicUser=yes
StateDirectory=example-data'
guest systemctl daemon-reload
guest systemctl reload upkeepd.service 2>/dev/null
guest systemctl restart upkeep@example.service
guest upkeepctl --no-ask-password resume example >/dev/null
publish 5 1.3.0=$www/example-1.3.0.tar.gz 1.1.0=$www/example-1.1.0.tar.gz
out=$(guest upkeepctl --no-ask-password update example 1.1.0 2>&1); rc=$?
expect_eq "the update of a DynamicUser= app with a hook and a check command succeeds" "$rc" 0
service_uid=$(guest sh -c 'stat -c %u /proc/$(systemctl show -P MainPID upkeep@example.service)')
expect_match "the service runs as a dynamic user ($service_uid)" "$service_uid" '^[1-9][0-9]*$'
expect_eq "the install hook ran as the service's user" "$(guest cat /var/lib/example-data/hook-uid)" "$service_uid"
expect_eq "the health check ran as the service's user" "$(guest cat /var/lib/example-data/check-uid)" "$service_uid"

upkeep_finish
