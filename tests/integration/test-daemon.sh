#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# upkeepd in a real systemd, driven only by busctl, systemctl and journalctl: apps from config files
# become bus objects with the right properties; a bad config is reported and skipped; changes emit
# PropertiesChanged and are kept on disk; polkit decides who may change what; the daemon exits when
# idle, comes back on the next call, survives kill -9 and a corrupt state file, and reloads.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

upkeep_boot daemon

APP=/org/upkeep1/app
prop() {  # prop APP PROPERTY
        guest busctl get-property org.upkeep1 "$APP/$1" org.upkeep1.App "$2"
}
call() {  # call PATH INTERFACE METHOD [SIGNATURE ARGS...]
        guest busctl call org.upkeep1 "$@" 2>&1
}
as_user() {  # as_user USER CMD...: run CMD with USER's uid, gid and groups
        local user=$1 gid; shift
        gid=$(guest id -g "$user")
        guest setpriv --reuid="$user" --regid="$gid" --init-groups "$@"
}
app_config() {  # app_config NAME CONTENT
        printf '%s\n' "$2" | guest sh -c "mkdir -p /etc/upkeep/apps && cat > /etc/upkeep/apps/$1.app"
}

app_config example '[App]
Description=Example web service
Source=https://releases.example.com/example/
Exec=bin/example --listen 127.0.0.1:8080

[Update]
Policy=minor
Delay=72h'
app_config second '[App]
Source=file:///srv/channels/second/
Exec=second'
app_config broken '[App]
Source=https://example.com/broken/
Exec=broken

[Update]
Policy=sometimes'

# node_exporter's textfile collector directory, as Debian's prometheus-node-exporter makes it.
guest mkdir -p /var/lib/prometheus/node-exporter

# --- apps appear as objects ---------------------------------------------------------------------
list=$(call /org/upkeep1 org.upkeep1.Manager ListApps)
expect_match "ListApps lists both good apps" "$list" '^a\(sssssto\) 2 "example" "idle" "" "" "" 0 "/org/upkeep1/app/example" "second" "idle" .*"/org/upkeep1/app/second"$'
expect_eq "GetApp" "$(call /org/upkeep1 org.upkeep1.Manager GetApp s example)" 'o "/org/upkeep1/app/example"'
expect_match "GetApp of an unknown app" "$(call /org/upkeep1 org.upkeep1.Manager GetApp s nope)" \
        "No app 'nope' is configured"
expect_match "busctl tree shows the app objects" "$(guest busctl tree --list org.upkeep1)" \
        '/org/upkeep1/app/example'
expect_eq "Description" "$(prop example Description)" 's "Example web service"'
expect_eq "Source" "$(prop example Source)" 's "https://releases.example.com/example/"'
expect_eq "Policy" "$(prop example Policy)" 's "minor"'
expect_eq "Unit" "$(prop example Unit)" 's "upkeep@example.service"'
expect_eq "State" "$(prop example State)" 's "idle"'
expect_eq "Paused" "$(prop example Paused)" 'b false'
expect_eq "Policy default" "$(prop second Policy)" 's "patch"'
expect_match "the bad config is reported with file, line and key" \
        "$(guest journalctl -u upkeepd.service -o cat --no-pager)" '/etc/upkeep/apps/broken\.app:6.*Policy'

# --- a change: PropertiesChanged, state on disk, the journal --------------------------------------
guest sh -c "busctl monitor --match \"type='signal',interface='org.freedesktop.DBus.Properties',path='$APP/example'\" >/tmp/monitor.txt 2>&1 & echo \$! >/tmp/monitor.pid"
sleep 0.5
expect_eq "Pause as root" "$(call "$APP/example" org.upkeep1.App Pause s 'maintenance week')" ""
sleep 0.5
guest sh -c 'kill $(cat /tmp/monitor.pid)'
monitor=$(guest cat /tmp/monitor.txt)
expect_match "busctl monitor sees PropertiesChanged" "$monitor" 'Member=PropertiesChanged'
expect_match "... naming Paused" "$monitor" 'STRING "Paused"'
expect_eq "Paused" "$(prop example Paused)" 'b true'
expect_eq "PauseReason" "$(prop example PauseReason)" 's "maintenance week"'
expect_match "state.json records the pause" "$(guest cat /var/lib/upkeep/apps/example/state.json)" '"paused": ?true'
# The metrics file follows within a second or so of the change.
metrics() { guest cat /var/lib/prometheus/node-exporter/upkeep.prom 2>/dev/null; }
for _ in $(seq 30); do
        metrics | grep -q '^upkeep_app_paused{app="example"} 1$' && break
        sleep 0.1
done
expect_match "metrics for node_exporter show the pause" "$(metrics)" '^upkeep_app_paused\{app="example"\} 1$'
expect_match "... and every app" "$(metrics)" '^upkeep_app_info\{app="second",current="",previous="",available="",pending=""\} 1$'
expect_eq "... written atomically, no temporary file left" "$(guest ls -A /var/lib/prometheus/node-exporter)" "upkeep.prom"
expect_match "journalctl UPKEEP_APP=example tells of it" \
        "$(guest journalctl UPKEEP_APP=example -o cat --no-pager)" 'Automatic updates of example paused: maintenance week'
expect_match "... with its catalogued MESSAGE_ID" \
        "$(guest journalctl UPKEEP_APP=example MESSAGE_ID=217f6c92433349ca85314033faa1ff77 -o cat --no-pager)" 'paused'

# A package's trigger indexes installed catalogs; the harness installs files only, so do it here.
guest journalctl --update-catalog
expect_match "journalctl -x explains the entry from upkeep's catalog" \
        "$(guest journalctl -x UPKEEP_APP=example MESSAGE_ID=217f6c92433349ca85314033faa1ff77 --no-pager)" \
        'Subject: Automatic updates of example were paused'

expect_match "Pin refuses an invalid version" "$(call "$APP/example" org.upkeep1.App Pin s 1.2)" \
        "'1.2' is not a valid version"
expect_eq "Pin" "$(call "$APP/example" org.upkeep1.App Pin s 1.4.2)" ""
expect_eq "PinnedVersion" "$(prop example PinnedVersion)" 's "1.4.2"'
expect_match "Update starts a job" "$(call "$APP/example" org.upkeep1.App Update s '')" '^o "/org/upkeep1/job/[0-9]+"$'
expect_match "Rollback without an earlier version says so" "$(call "$APP/example" org.upkeep1.App Rollback)" \
        'example has no earlier version to go back to'

# --- polkit: reading is open, changing needs authorization -----------------------------------------
guest groupadd upkeep-operators
guest useradd --no-create-home --groups upkeep-operators upkeep-op
guest sh -c 'cat > /etc/polkit-1/rules.d/50-upkeep-test.rules' <<'RULES'
polkit.addRule(function(action, subject) {
        if (action.id == "org.upkeep1.manage" && action.lookup("app") == "example" &&
            subject.isInGroup("upkeep-operators"))
                return polkit.Result.YES;
});
RULES
expect_eq "nobody can read properties" "$(as_user nobody busctl get-property org.upkeep1 "$APP/example" org.upkeep1.App PauseReason)" \
        's "maintenance week"'
out=$(as_user nobody busctl call --allow-interactive-authorization=no org.upkeep1 "$APP/example" org.upkeep1.App Resume 2>&1)
expect_match "nobody is refused Resume" "$out" 'Interactive authentication required for org\.upkeep1\.manage|Access denied'
expect_eq "... and nothing changed" "$(prop example Paused)" 'b true'
out=$(as_user nobody busctl call --allow-interactive-authorization=no org.upkeep1 "$APP/example" org.upkeep1.App Update s '' 2>&1)
expect_match "nobody gets an error for Update" "$out" 'not supported|Access denied|authentication required'
out=$(as_user upkeep-op busctl call org.upkeep1 "$APP/example" org.upkeep1.App Resume 2>&1)
expect_eq "a polkit rule lets the operators group Resume example" "$out" ""
expect_eq "... and example is resumed" "$(prop example Paused)" 'b false'
out=$(as_user upkeep-op busctl call --allow-interactive-authorization=no org.upkeep1 "$APP/second" org.upkeep1.App Pause s x 2>&1)
expect_match "... but the rule matches on the app: second is refused" "$out" 'authentication required|Access denied'
expect_eq "... and second is not paused" "$(prop second Paused)" 'b false'

# --- upkeepctl: tables, JSON, and exit codes scripts can rely on -----------------------------------
expect_match "upkeepctl list" "$(guest upkeepctl list)" '^APP +CURRENT +AVAILABLE +STATE +NEXT'
expect_match "... lists example" "$(guest upkeepctl list --no-legend)" '^example +- +- +idle'
json=$(guest upkeepctl list --json=short)
expect_eq "upkeepctl list --json" "$(python3 -c 'import json,sys; print(",".join(a["name"] + ":" + str(a["state"]) for a in json.load(sys.stdin)))' <<<"$json")" \
        "example:idle,second:idle"
expect_match "upkeepctl status example" "$(guest upkeepctl status example)" 'Example web service'
guest upkeepctl status nope >/dev/null 2>&1
expect_eq "an unknown app exits 4" "$?" 4
as_user nobody upkeepctl --no-ask-password pause second >/dev/null 2>&1
expect_eq "an unauthorized caller exits 5" "$?" 5
guest upkeepctl pin example >/dev/null 2>&1
expect_eq "a missing argument exits 2" "$?" 2
guest upkeepctl pin example 1.x >/dev/null 2>&1
expect_eq "an invalid version exits 2" "$?" 2

# --- kill -9, idle exit, corrupt state, reload ------------------------------------------------------
call "$APP/example" org.upkeep1.App Pause s 'before the crash' >/dev/null
guest systemctl kill -s KILL upkeepd.service
sleep 0.3
expect_eq "after kill -9 the next call brings it back, state intact" "$(prop example PauseReason)" 's "before the crash"'

guest sh -c 'mkdir -p /etc/systemd/system/upkeepd.service.d && printf "[Service]\nExecStart=\nExecStart=/usr/libexec/upkeep/upkeepd --idle-timeout=1s\n" > /etc/systemd/system/upkeepd.service.d/idle.conf'
guest systemctl daemon-reload
guest systemctl restart upkeepd.service
exited=no
for _ in $(seq 50); do
        if [ "$(guest systemctl is-active upkeepd.service)" = inactive ]; then exited=yes; break; fi
        sleep 0.2
done
expect_eq "upkeepd exits when idle" "$exited" yes
expect_match "... and says so" "$(guest journalctl -u upkeepd.service -o cat --no-pager)" 'Idle for 1s, exiting'
expect_eq "... and the next call brings it back, state intact" "$(prop example Paused)" 'b true'
guest rm /etc/systemd/system/upkeepd.service.d/idle.conf
guest systemctl daemon-reload

guest sh -c 'echo "{ not json" > /var/lib/upkeep/apps/second/state.json'
guest systemctl restart upkeepd.service
expect_match "a corrupt state file is reported as LastError" "$(prop second LastError)" 'corrupt'
expect_eq "... and the other app is unaffected" "$(prop example PauseReason)" 's "before the crash"'
expect_match "... and journalled with its MESSAGE_ID" \
        "$(guest journalctl UPKEEP_APP=second MESSAGE_ID=c9717381ebc2410dbe8fb38fa3d1051a -o cat --no-pager)" 'corrupt'

app_config third '[App]
Source=https://example.com/third/
Exec=third'
expect_eq "Reload()" "$(call /org/upkeep1 org.upkeep1.Manager Reload)" ""
expect_eq "... makes a new app appear" "$(prop third Name)" 's "third"'
guest rm /etc/upkeep/apps/third.app
app_config fourth '[App]
Source=https://example.com/fourth/
Exec=fourth'
guest systemctl reload upkeepd.service
sleep 0.5
list=$(call /org/upkeep1 org.upkeep1.Manager ListApps)
expect_match "systemctl reload (SIGHUP) adds the new app" "$list" '"fourth"'
if grep -q '"third"' <<<"$list"; then fail "... and drops the removed one: $list"; else pass "... and drops the removed one"; fi

# A thousand apps hold a thousand directories open, and checking them opens sockets on top: the
# soft descriptor limit of 1024 made checks fail with EMFILE until upkeepd raised it.
pid=$(guest systemctl show -P MainPID upkeepd.service)
limits=$(guest awk '/^Max open files/ { print $4, $5 }' "/proc/$pid/limits")
expect_match "upkeepd raised its soft file descriptor limit to the hard one" "$limits" '^([0-9]+) \1$'

echo "systemd-analyze security upkeepd.service:"
guest systemd-analyze security --no-pager upkeepd.service | tail -n 1

upkeep_finish
