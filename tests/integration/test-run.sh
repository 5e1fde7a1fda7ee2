#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "upkeepctl run" in a real systemd: a program runs under management without a config, as the
# transient unit upkeep-run-NAME.service (visible to systemctl and upkeepctl list, guarded by
# upkeep-condition like upkeep@.service, never shadowed by a generated unit); with --source it is
# updated from a signed channel and rolled back like any app, through that same unit; once its unit is
# gone, upkeepd forgets it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/publisher.sh"
publisher_setup

$tool program "$pub/hello" local
$tool program "$pub/example-local" local
$tool program "$www/example-1.0.0" 1.0.0

upkeep_boot run
publisher_serve
guest mkdir -p /opt/progs
guest sh -c 'cat > /opt/progs/hello && chmod 755 /opt/progs/hello' < "$pub/hello"
guest sh -c 'cat > /opt/progs/example-local && chmod 755 /opt/progs/example-local' < "$pub/example-local"

serves() {  # serves PORT: what answers there, or "down"
        guest curl -s --max-time 2 "http://127.0.0.1:$1/" || echo down
}
prop() {  # prop APP PROPERTY
        guest busctl get-property org.upkeep1 "/org/upkeep1/app/$1" org.upkeep1.App "$2"
}
ctl() {
        guest upkeepctl --no-ask-password "$@" 2>&1
}

# --- the command line: what follows the program is the program's --------------------------------
out=$(ctl run --source=http://127.0.0.1:8080/x/ /opt/progs/hello); rc=$?
expect_eq "--source without --public-key is a usage error" "$rc" 2
expect_match "... saying so" "$out" 'needs --public-key'
out=$(ctl run no-such-program-here); rc=$?
expect_eq "a program not in \$PATH is a usage error" "$rc" 2
out=$(ctl list --name=x); rc=$?
expect_eq "--name= belongs to run only" "$rc" 2

# --- a program run under management ---------------------------------------------------------------
out=$(ctl run --name hello /opt/progs/hello --port 8082); rc=$?
expect_eq "upkeepctl run succeeds" "$rc" 0
expect_match "... and names the unit and the version" "$out" \
        '^Running as unit: upkeep-run-hello\.service \(app hello, version 0\.0\.0-local-[0-9a-f]{12}\)$'
expect_eq "the program serves, with the arguments after it (--port 8082)" "$(serves 8082)" local
expect_eq "systemctl sees the unit active" "$(guest systemctl is-active upkeep-run-hello.service)" active
expect_match "systemctl status shows it" "$(guest systemctl status --no-pager upkeep-run-hello.service)" \
        'upkeep-run-hello\.service - hello \(upkeep app, upkeepctl run\)'
expect_match "... it is transient" "$(guest systemctl show -P Transient upkeep-run-hello.service)" '^yes$'
expect_match "it runs the current version from the state directory" \
        "$(guest systemctl show -P ExecStart upkeep-run-hello.service)" 'path=/var/lib/upkeep/apps/hello/current/hello ; argv\[\]=/var/lib/upkeep/apps/hello/current/hello --port 8082 '
expect_match "... guarded by upkeep-condition before every start" \
        "$(guest systemctl show -P ExecCondition upkeep-run-hello.service)" \
        'path=/usr/libexec/upkeep/upkeep-condition ; argv\[\]=/usr/libexec/upkeep/upkeep-condition trial hello ; ignore_errors=no'
expect_eq "... as root, without sandboxing, so with full privileges (what \"+\" would give)" \
        "$(guest systemctl show -P User -P ProtectSystem upkeep-run-hello.service | tr '\n' ' ')" " no "
expect_eq "... and restarted on failure" "$(guest systemctl show -P Restart upkeep-run-hello.service)" on-failure
expect_match "... and followed by the fault recorder, its failure ignored" \
        "$(guest systemctl show -P ExecStopPost upkeep-run-hello.service)" \
        'path=/usr/libexec/upkeep/upkeep-fault ; argv\[\]=/usr/libexec/upkeep/upkeep-fault record hello ; ignore_errors=yes '
expect_match "upkeepctl list shows the app" "$(ctl list --no-legend)" '^hello +0\.0\.0-local-[0-9a-f]{12} '
expect_eq "App.Unit names the transient unit" "$(prop hello Unit)" 's "upkeep-run-hello.service"'
expect_eq "the staged program is the one given" \
        "$(guest sha256sum /var/lib/upkeep/apps/hello/current/hello | cut -d' ' -f1)" "$(sha256sum "$pub/hello" | cut -d' ' -f1)"
expect_match "the journal says it started" "$(guest journalctl UPKEEP_APP=hello -o cat --no-pager)" \
        'hello 0\.0\.0-local-[0-9a-f]{12} started as upkeep-run-hello\.service \(upkeepctl run\)'
guest systemctl daemon-reload
expect_eq "no unit is generated for it" "$(guest sh -c 'ls /run/systemd/generator | grep -c hello')" 0
expect_eq "... and after daemon-reload its unit still runs" "$(guest systemctl is-active upkeep-run-hello.service)" active
out=$(ctl run --name hello /opt/progs/hello --port 8082); rc=$?
expect_eq "running it again while its unit runs is refused as busy" "$rc" 6
expect_match "... saying why" "$out" 'upkeep-run-hello\.service exists already'
out=$(ctl update hello); rc=$?
expect_match "without --source there is nothing to update from" "$out" 'no release channel'

# --- a run app that fails gets a fault report, and is restarted (after the daemon-reload above: systemd
# 252 wrote ExecStartEx= into the transient unit, which the reload then refused, and no restart came)
guest systemctl kill -s KILL upkeep-run-hello.service
fault_of_hello() {  # the version and result of hello's newest fault report, or nothing
        ctl faults hello --json | python3 -c 'import json, sys
f = json.load(sys.stdin)
print(f[-1]["version"], f[-1]["result"]) if f else None' 2>/dev/null
}
for _ in $(seq 50); do [ -n "$(fault_of_hello)" ] && break; sleep 0.2; done
expect_match "a killed run app has a fault report: its version, killed by a signal" "$(fault_of_hello)" \
        '^0\.0\.0-local-[0-9a-f]{12} signal$'
expect_eq "... naming the run's unit" \
        "$(ctl faults hello "$(ctl faults hello --json | python3 -c 'import json, sys; print(json.load(sys.stdin)[-1]["id"])')" \
                --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["unit"])')" upkeep-run-hello.service
for _ in $(seq 50); do [ "$(serves 8082)" = local ] && break; sleep 0.1; done
expect_eq "... and is restarted" "$(serves 8082)" local

# --- with --source: updated and rolled back through its channel, in the same unit -----------------
out=$(ctl run --name example --source http://127.0.0.1:8080/example/ --public-key "$key" \
        /opt/progs/example-local --port 8081); rc=$?
expect_eq "upkeepctl run --source succeeds" "$rc" 0
expect_eq "the local program serves" "$(serves 8081)" local
local_version=$(prop example CurrentVersion)
publish 1 1.0.0=$www/example-1.0.0,type=binary
out=$(ctl update example); rc=$?
expect_eq "upkeepctl update takes the channel's release" "$rc" 0
expect_eq "1.0.0 serves" "$(serves 8081)" 1.0.0
expect_eq "... in the same transient unit" "$(guest systemctl is-active upkeep-run-example.service)" active
expect_eq "the app runs 1.0.0" "$(prop example CurrentVersion)" 's "1.0.0"'
expect_match "the unit was restarted for it" \
        "$(guest journalctl -u upkeep-run-example.service -o cat --no-pager)" 'Stopp(ing|ed) .*upkeep-run-example'
out=$(ctl rollback example); rc=$?
expect_eq "upkeepctl rollback goes back" "$rc" 0
for _ in $(seq 20); do [ "$(serves 8081)" = local ] && break; sleep 0.1; done
expect_eq "the local program serves again" "$(serves 8081)" local
expect_eq "... as current" "$(prop example CurrentVersion)" "$local_version"

# --- once its unit is gone, the app is forgotten ----------------------------------------------------
guest systemctl stop upkeep-run-hello.service
guest systemctl reload upkeepd.service
for _ in $(seq 20); do ctl list --no-legend | grep -q '^hello ' || break; sleep 0.1; done
expect_eq "a stopped app is no longer listed" "$(ctl list --no-legend | grep -c '^hello ')" 0
expect_eq "... nor recorded" "$(guest ls /run/upkeep/transient)" example.app
expect_eq "... while the other one is" "$(ctl list --no-legend | grep -c '^example ')" 1

upkeep_finish
