#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault reports, in a real systemd: an app that crashes (SIGSEGV), exits with status 3, stops feeding
# its watchdog and, where the guest has the cgroup memory controller, outgrows its MemoryMax=, while upkeepd is not running (and
# for the first fault cannot even be started). Each fault is restarted by the template's Restart=,
# and gives a report seen by `upkeepctl faults --json` with the unit's result, the run's journal
# lines and the FaultFiles= (never through a symlink); FaultKeep= keeps the newest; the counter
# survives that in upkeep_app_faults_total{app,version}; each fault has its catalogued journal entry;
# `upkeepctl status` says the version keeps faulting after its trial.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/publisher.sh"
publisher_setup

archives faulty:1.0.0 crash:2.0.0

upkeep_boot fault-reports
publisher_serve
guest mkdir -p /var/lib/prometheus/node-exporter

example_app "FaultKeep=2
FaultFiles=*.log sub/*.txt

[Update]
TrialSec=1s

[Service]
StateDirectory=example-data
LogsDirectory=example-logs
MemoryMax=64M
MemorySwapMax=0
WatchdogSec=2s"
guest systemctl daemon-reload

publish 1 1.0.0=$www/example-1.0.0.tar.gz
expect_eq "1.0.0 is installed" "$(guest upkeepctl --no-ask-password --quiet update example 1.0.0 >/dev/null; echo $?)" 0
expect_eq "... and runs" "$(guest systemctl is-active upkeep@example.service)" active

# Files for FaultFiles=: one in a subdirectory, one it must not match, and a link it must not follow.
guest sh -c 'mkdir -p /var/lib/example-data/sub && echo "sub text" > /var/lib/example-data/sub/a.txt &&
        echo "not matched" > /var/lib/example-data/other.dat &&
        ln -s /etc/shadow /var/lib/example-data/shadow.log'

faults_json() { guest upkeepctl faults example --json; }
reports_on_disk() { guest sh -c 'ls /var/lib/upkeep/apps/example/faults/ 2>/dev/null | grep -Ec "^[0-9-]{22}\.json$"'; }
restarts() { guest systemctl show -P NRestarts upkeep@example.service; }
wait_for() {  # wait_for WHAT CMD...: up to 20 s until CMD succeeds
        local what=$1 deadline=$((SECONDS + 20)); shift
        while [ "$SECONDS" -lt "$deadline" ]; do "$@" && return 0; sleep 0.2; done
        fail "timed out waiting: $what"
        return 1
}
stop_daemon() {
        guest systemctl stop upkeepd.service
        expect_eq "upkeepd is not running before the fault" "$(guest systemctl is-active upkeepd.service)" inactive
}
# fault MODE: makes the app fault, and waits for the next report on disk and the restart.
fault() {
        local before_reports before_restarts
        before_restarts=$(restarts)
        before_total=$(guest sh -c 'cat /var/lib/upkeep/apps/example/faults/counts.json 2>/dev/null' |
                python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])' 2>/dev/null || echo 0)
        guest sh -c "echo $1 > /run/upkeep-test-fault"
        wait_for "the report of '$1'" total_is $((before_total + 1))
        wait_for "the restart after '$1'" restarted_since "$before_restarts"
}
total_is() {
        [ "$(guest sh -c 'cat /var/lib/upkeep/apps/example/faults/counts.json 2>/dev/null' |
                python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])' 2>/dev/null)" = "$1" ]
}
restarted_since() {
        [ "$(restarts)" -gt "$1" ] && [ "$(guest systemctl is-active upkeep@example.service)" = active ]
}
newest() {  # newest FIELD-EXPR: a field of the newest report, from upkeepctl faults --json
        local id
        id=$(faults_json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')
        guest upkeepctl faults example "$id" --json | python3 -c "import json,sys; r = json.load(sys.stdin); print($1)"
}

# --- a crash, with upkeepd stopped and unable to start --------------------------------------------
stop_daemon
guest systemctl mask --runtime --quiet upkeepd.service
fault segv
expect_eq "upkeepd did not run for the crash's report" "$(guest systemctl is-active upkeepd.service)" inactive
guest systemctl unmask --runtime --quiet upkeepd.service
expect_eq "the app was restarted by Restart=" "$(guest systemctl is-active upkeep@example.service)" active
expect_match "the crash's report: the result" "$(newest 'r["result"]')" '^(signal|core-dump)$'
expect_eq "... the signal" "$(newest 'r["exit_status"]')" SEGV
expect_eq "... the version" "$(newest 'r["version"]')" 1.0.0
expect_eq "... after its trial" "$(newest 'r["trial"]')" False
expect_match "... the invocation's journal lines" "$(newest '"\n".join(r["journal"])')" 'example 1\.0\.0: told to fault: segv'
expect_match "... systemd's own lines about the run" "$(newest '"\n".join(r["journal"])')" "Main process exited"
expect_eq "... the invocation ID" "$(newest 'r["invocation_id"]')" \
        "$(guest journalctl -u upkeep@example.service -o export --no-pager -g 'told to fault: segv' |
                sed -n 's/^_SYSTEMD_INVOCATION_ID=//p' | tail -n 1)"
expect_eq "... FaultFiles= found the files it names, and no link" "$(newest '" ".join(f["path"] for f in r["files"])')" \
        "/var/lib/example-data/last.log /var/lib/example-data/sub/a.txt /var/log/example-logs/app.log"
expect_eq "... with their content" "$(newest '[f["content"] for f in r["files"]][2].strip()')" "example 1.0.0 fault segv"
if guest test -e /lib/systemd/systemd-coredump && guest sysctl -n kernel.core_pattern | grep -q systemd-coredump; then
        expect_match "... systemd-coredump's fields" "$(newest 'r["coredump"]["COREDUMP_SIGNAL_NAME"]')" SIGSEGV
else
        unsupported "systemd-coredump's fields: the guests share the host's kernel.core_pattern ($(guest sysctl -n kernel.core_pattern)), which does not hand cores to systemd-coredump"
fi

# --- a non-zero exit ------------------------------------------------------------------------------
stop_daemon
fault exit
expect_eq "the exit's report: the result" "$(newest 'r["result"]')" exit-code
expect_eq "... the status" "$(newest 'r["exit_status"]')" 3
expect_eq "... described" "$(newest 'r["description"]')" "exited with status 3"
# A figure for the log: from the end of the run (systemd's line) to the recorder's entry, which the
# restart waits for.
stamp() {  # stamp MATCH...: the time of the first journal entry matching, in µs
        guest journalctl -o export --no-pager "$@" | sed -n 's/^__REALTIME_TIMESTAMP=//p' | head -n 1
}
ended=$(stamp INVOCATION_ID="$(newest 'r["invocation_id"]')" -g 'Main process exited')
recorded=$(stamp UPKEEP_FAULT="$(newest 'r["id"]')")
echo "figure: the report was recorded $(( (recorded - ended) / 1000 )) ms after the run ended (the restart waits for it)"

# --- a watchdog timeout -------------------------------------------------------------------------
stop_daemon
fault hang
expect_eq "the watchdog's report: the result" "$(newest 'r["result"]')" watchdog
expect_eq "... described" "$(newest 'r["description"]')" "missed its watchdog (WatchdogSec=) and was killed"

# --- out of memory --------------------------------------------------------------------------------
if guest grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
        stop_daemon
        fault oom
        expect_eq "the OOM kill's report: the result" "$(newest 'r["result"]')" oom-kill
        expect_match "... described" "$(newest 'r["description"]')" "OOM killer"
else
        # The harness's guests share the host kernel; on a host whose memory controller is on cgroup v1
        # (hybrid), the guest's cgroup2 has none, and MemoryMax= is not enforced.
        unsupported "a real OOM kill by MemoryMax=: the host's memory controller is on cgroup v1, so the guest's cgroup2 has none ($(guest cat /sys/fs/cgroup/cgroup.controllers)) and MemoryMax= is not enforced; the recorder is given what systemd hands it after one instead"
        # What systemd hands ExecStopPost= after an OOM kill, given to the recorder as it runs there.
        stop_daemon
        guest systemd-run --quiet --wait --property=Type=oneshot \
                --setenv=SERVICE_RESULT=oom-kill --setenv=EXIT_CODE=killed --setenv=EXIT_STATUS=KILL \
                /usr/libexec/upkeep/upkeep-fault record example
        expect_eq "an OOM kill's report (as systemd reports one): the result" "$(newest 'r["result"]')" oom-kill
        expect_match "... described" "$(newest 'r["description"]')" "OOM killer"
fi

# --- retention, the counter, the journal, status --------------------------------------------------
expect_eq "FaultKeep=2 keeps two reports" "$(reports_on_disk)" 2
expect_eq "... and lists two" "$(faults_json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2
expect_match "the listing, as text" "$(guest upkeepctl faults example)" 'missed its watchdog'
expect_match "a report, as text: the app's escape sequences shown, not sent to the terminal" \
        "$(guest upkeepctl faults example "$(faults_json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')")" \
        'example 1\.0\.0: \\x1b\[31mred'
guest systemctl start upkeepd.service
expect_match "the metric counts all four" "$(sleep 1.5; guest cat /var/lib/prometheus/node-exporter/upkeep.prom)" \
        'upkeep_app_faults_total\{app="example",version="1\.0\.0"\} 4'
expect_match "... and the last fault's time" "$(guest cat /var/lib/prometheus/node-exporter/upkeep.prom)" \
        'upkeep_app_last_fault_timestamp_seconds\{app="example"\} [1-9]'
expect_eq "one catalogued journal entry per fault" \
        "$(guest journalctl MESSAGE_ID=062e44bba4d94e0b98a7babeba3b7082 UPKEEP_APP=example -o cat --no-pager | wc -l)" 4
guest journalctl --update-catalog
expect_match "... explained by the catalog" \
        "$(guest journalctl -x MESSAGE_ID=062e44bba4d94e0b98a7babeba3b7082 --no-pager -n 1)" 'upkeepctl faults example'
expect_match "upkeepctl status says 1.0.0 keeps faulting" "$(guest upkeepctl status example)" \
        'Faults: 4 since 1\.0\.0 started, last '
expect_eq "a report is not for every user (polkit: org.upkeep1.read-faults)" \
        "$(guest setpriv --reuid=nobody --regid=nogroup --clear-groups upkeepctl --no-ask-password faults example \
                "$(faults_json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])')" >/dev/null 2>&1; echo $?)" 5
expect_eq "... but its list is" \
        "$(guest setpriv --reuid=nobody --regid=nogroup --clear-groups upkeepctl faults example >/dev/null 2>&1; echo $?)" 0
expect_eq "an ID that is not one is refused" \
        "$(guest upkeepctl faults example ../state >/dev/null 2>&1; echo $?)" 2
expect_eq "... and by the daemon" "$(guest busctl call org.upkeep1 /org/upkeep1/app/example org.upkeep1.App GetFault s ../state 2>&1)" \
        "Call failed: '../state' is not a fault report ID (expected YYYYMMDD-HHMMSS-UUUUUU)."

# --- with upkeepd running: the change is announced on the bus --------------------------------------
guest sh -c "stdbuf -oL busctl monitor --match \"type='signal',path='/org/upkeep1/app/example',member='PropertiesChanged'\" >/tmp/monitor.txt 2>&1 & echo \$! >/tmp/monitor.pid"
sleep 0.5
fault exit
sleep 0.5
guest sh -c 'kill -INT $(cat /tmp/monitor.pid)'
expect_match "a fault while upkeepd runs: PropertiesChanged names Faults" "$(guest cat /tmp/monitor.txt)" '"Faults"'
expect_eq "... which says 5" "$(guest busctl get-property org.upkeep1 /org/upkeep1/app/example org.upkeep1.App Faults)" "t 5"
expect_eq "anyone may say a fault was recorded, which announces nothing new" \
        "$(guest setpriv --reuid=nobody --regid=nogroup --clear-groups busctl call org.upkeep1 /org/upkeep1 \
                org.upkeep1.Manager FaultRecorded ss example 20261205-000000-000000 2>&1;
           guest busctl get-property org.upkeep1 /org/upkeep1/app/example org.upkeep1.App Faults)" "t 5"

# --- a version that fails its trial: upkeepd rolls it back as the unit goes down, while the recorder
# runs; the report names the version that ran, on trial ------------------------------------------
publish 2 1.0.0=$www/example-1.0.0.tar.gz 2.0.0=$www/example-2.0.0.tar.gz
expect_eq "2.0.0 crashes and is rolled back" \
        "$(guest upkeepctl --no-ask-password --quiet update example 2.0.0 >/dev/null 2>&1; echo $?)" 1
expect_eq "... 1.0.0 runs again" "$(guest busctl get-property org.upkeep1 /org/upkeep1/app/example org.upkeep1.App CurrentVersion)" 's "1.0.0"'
newest_is() { [ "$(newest 'r["version"]')" = "$1" ]; }
wait_for "the report of 2.0.0" newest_is 2.0.0
expect_eq "the report of the crash on trial: the version that ran" "$(newest 'r["version"]')" 2.0.0
expect_eq "... on trial" "$(newest 'r["trial"]')" True
expect_match "... its journal" "$(newest '"\n".join(r["journal"])')" 'example 2\.0\.0: fatal: cannot parse config'


upkeep_finish
