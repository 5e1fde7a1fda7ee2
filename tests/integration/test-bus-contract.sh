#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bus contract a GUI client builds on, seen by real clients of a real systemd's bus (busctl call,
# busctl monitor): Manager.LastCheck emits PropertiesChanged after CheckAll(); a job (an update
# downloading slowly) is listed by ListJobs(), upkeepctl list-jobs and GetJob() while it runs, announced
# by JobNew and ended by JobRemoved, after which GetJob() says NoSuchJob; Stage() returns a job and the
# version is pending once JobRemoved said "done"; Apply(t flags) switches as an operator (0) and as the
# update timer (SCHEDULED), which a pause refuses, and refuses unknown flags. While a large release is
# staged (on a worker thread) the daemon answers ListApps() and get-property within 2 s, and a stage
# canceled midway ends as canceled and leaves nothing in versions/.
# canceled while under way ends as canceled and leaves nothing in versions/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/publisher.sh"
publisher_setup

$tool archive "$www/example-1.0.0.tar.gz" good 1.0.0
$tool archive "$www/example-2.0.0.tar.gz" big 2.0.0
$tool archive "$pub/example-3.0.0.tar.gz" good 3.0.0
$tool archive "$pub/example-4.0.0.tar.gz" good 4.0.0
# 512 MiB that do not compress: a stage long enough to call the daemon during it, and to cancel. Made
# here, before the guest boots, so that the guest reads it from the host's /var/tmp (its /tmp is its
# own).
big=$(mktemp -d /var/tmp/upkeep-bus-contract.XXXXXX)
mkdir -p "$big/tree/bin"
printf '#!/bin/sh\nexec sleep infinity\n' > "$big/tree/bin/example"
chmod 755 "$big/tree/bin/example"
head -c $((512 * 1024 * 1024)) /dev/urandom > "$big/tree/data"
tar -C "$big/tree" -cf "$big/example-big.tar" bin data
rm -rf "$big/tree"

upkeep_boot bus-contract
trap 'rc=$?; harness_stop_all; rm -rf "$UPKEEP_DESTDIR" "$pub" "$big"; exit $rc' EXIT

# The channel server of test-faults.sh, which sends an artifact slowly when asked (?rate=MIB).
harness_copy_in "$UPKEEP_GUEST" "$(dirname "$0")/../unit/http-test-server.py" /usr/local/bin/upkeep-test-server
guest mkdir -p /srv/www/example /etc/upkeep/apps
guest systemd-run --quiet --unit=channel-server /usr/bin/python3 /usr/local/bin/upkeep-test-server /srv/www 8080 >/dev/null
for _ in $(seq 50); do guest curl -s -o /dev/null http://127.0.0.1:8080/ && break; sleep 0.1; done
harness_copy_in "$UPKEEP_GUEST" "$pub/example-3.0.0.tar.gz" /tmp/example-3.0.0.tar.gz
harness_copy_in "$UPKEEP_GUEST" "$pub/example-4.0.0.tar.gz" /tmp/example-4.0.0.tar.gz

example_app '
[Update]
Policy=major
TrialSec=1s'
guest systemctl daemon-reload

APP=/org/upkeep1/app/example
call() {  # call PATH INTERFACE METHOD [SIGNATURE ARGS...]
        guest busctl call org.upkeep1 "$@" 2>&1
}
prop() {
        guest busctl get-property org.upkeep1 "$APP" org.upkeep1.App "$1"
}
list_jobs() {
        call /org/upkeep1 org.upkeep1.Manager ListJobs
}
wait_job_gone() {  # wait_job_gone PATH: until ListJobs() no longer lists it (at most 60 s)
        local deadline=$((SECONDS + 60))
        while [ "$SECONDS" -lt "$deadline" ]; do
                list_jobs | grep -qF "\"$1\"" || return 0
                sleep 0.1
        done
        fail "timed out waiting for $1 to end"
}

# A real client watching: busctl monitor, as JSON, of the signals on /org/upkeep1 (the Manager's
# PropertiesChanged, JobNew, JobRemoved).
monitor_start() {
        guest sh -c "stdbuf -oL busctl --json=short monitor --match \"type='signal',path='/org/upkeep1'\" >/tmp/monitor.json 2>/tmp/monitor.err & echo \$! >/tmp/monitor.pid"
        sleep 0.5
}
monitor_stop() {  # prints what the monitor saw: one line per signal, "MEMBER ARGS..."
        sleep 0.3
        guest sh -c 'kill -INT $(cat /tmp/monitor.pid); sleep 0.3'
        guest cat /tmp/monitor.json | python3 -c '
import json, sys
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("type") != "signal":
        continue
    data = m.get("payload", {}).get("data", [])
    if m.get("member") == "PropertiesChanged":
        print("PropertiesChanged", data[0], " ".join(sorted(data[1])))
    else:
        print(m.get("member"), " ".join(str(x) for x in data))
'
}

serial=0

# --- Manager.LastCheck emits PropertiesChanged after CheckAll() ------------------------------------
publish $((++serial)) 1.0.0=$www/example-1.0.0.tar.gz
expect_eq "LastCheck is 0 before any check" "$(guest busctl get-property org.upkeep1 /org/upkeep1 org.upkeep1.Manager LastCheck)" "t 0"
monitor_start
out=$(call /org/upkeep1 org.upkeep1.Manager CheckAll)
expect_match "CheckAll() starts a job" "$out" '^ao 1 "/org/upkeep1/job/[0-9]+"$'
wait_job_gone "$(sed -E 's/.*"(.*)"$/\1/' <<<"$out")"
seen=$(monitor_stop)
expect_match "busctl monitor sees PropertiesChanged of Manager.LastCheck" "$seen" '^PropertiesChanged org\.upkeep1\.Manager LastCheck$'
expect_match "... and JobRemoved of the check" "$seen" '^JobRemoved [0-9]+ /org/upkeep1/job/[0-9]+ done  $'
expect_match "LastCheck is set" "$(guest busctl get-property org.upkeep1 /org/upkeep1 org.upkeep1.Manager LastCheck)" '^t [1-9][0-9]+$'
expect_eq "... to the app's" "$(guest busctl get-property org.upkeep1 /org/upkeep1 org.upkeep1.Manager LastCheck)" "$(prop LastCheck)"

expect_eq "1.0.0 installs" "$(guest upkeepctl --no-ask-password --quiet update example 1.0.0 >/dev/null 2>&1; echo $?)" 0

# --- a running job: ListJobs(), list-jobs, GetJob(), JobNew ----------------------------------------
# 8 MiB at 0.5 MiB/s: the update's job runs for some sixteen seconds, time enough for a loaded
# machine to make the calls below while it does.
publish $((++serial)) 1.0.0=$www/example-1.0.0.tar.gz 2.0.0=$www/example-2.0.0.tar.gz,query=rate=0.5
monitor_start
job=$(guest upkeepctl --no-ask-password --no-block update example 2.0.0)
expect_match "update --no-block prints the job" "$job" '^/org/upkeep1/job/[0-9]+$'
id=${job##*/}
expect_eq "ListJobs() lists it while it runs: id, app, type, progress, job and app paths" \
        "$(list_jobs | sed -E 's/^(a\(ussuoo\) 1 [0-9]+ "example" "update") [0-9]+ /\1 P /')" \
        "a(ussuoo) 1 $id \"example\" \"update\" P \"$job\" \"$APP\""
expect_eq "GetJob() finds it" "$(call /org/upkeep1 org.upkeep1.Manager GetJob u "$id")" "o \"$job\""
expect_eq "the job's App" "$(guest busctl get-property org.upkeep1 "$job" org.upkeep1.Job App)" 's "example"'
out=$(guest upkeepctl list-jobs)
expect_eq "upkeepctl list-jobs shows it, as systemctl list-jobs: header, row, footer" \
        "$(sed -n 1p <<<"$out" | tr -s ' ')|$(sed -n 2p <<<"$out" | tr -s ' ' | sed -E 's/ [0-9]+%$/ P%/')|$(sed -n '3,$p' <<<"$out" | tr '\n' '/')" \
        "JOB APP TYPE PROGRESS|$id example update P%|/1 job listed./"
json=$(guest upkeepctl list-jobs --json=short)
expect_eq "... and as JSON" "$(python3 -c 'import json, sys; j = json.load(sys.stdin)[0]; print(j["id"], j["app"], j["type"], j["job"], j["appPath"], type(j["progress"]).__name__)' <<<"$json")" \
        "$id example update $job $APP int"
wait_job_gone "$job"
seen=$(monitor_stop)
sed 's/^/  busctl monitor: /' <<<"$seen"
expect_match "busctl monitor saw JobNew(id, job, app)" "$seen" "^JobNew $id $job example$"
expect_match "... and then JobRemoved" "$seen" "^JobRemoved $id $job done  $"
# (busctl monitor's output, read after it was interrupted, may repeat a signal: counted once.)
expect_eq "... in that order" "$(grep -E "^Job(New|Removed) $id " <<<"$seen" | awk '!seen[$0]++' | cut -d' ' -f1 | tr '\n' ' ')" \
        "JobNew JobRemoved "
expect_eq "2.0.0 runs" "$(prop CurrentVersion)" 's "2.0.0"'
expect_match "GetJob() of an ended job says NoSuchJob" "$(call /org/upkeep1 org.upkeep1.Manager GetJob u "$id")" \
        "Job $id does not exist"
expect_eq "ListJobs() is empty" "$(list_jobs)" "a(ussuoo) 0"
expect_eq "upkeepctl list-jobs says so" "$(guest upkeepctl list-jobs)" "No jobs running."
expect_eq "... and JSON an empty array" "$(guest upkeepctl list-jobs --json=short)" "[]"

# --- Stage() returns a job; the version is pending after JobRemoved -------------------------------
monitor_start
# busctl cannot pass a descriptor: upkeepctl --no-block prints what Stage() returned.
job=$(guest upkeepctl --no-ask-password --no-block stage example /tmp/example-3.0.0.tar.gz 3.0.0 2>&1)
expect_match "Stage() returns a job" "$job" '^/org/upkeep1/job/[0-9]+$'

wait_job_gone "$job"
seen=$(monitor_stop)
expect_match "... announced by JobNew" "$seen" "^JobNew ${job##*/} $job example$"
expect_match "... and ended by JobRemoved, done" "$seen" "^JobRemoved ${job##*/} $job done  $"
expect_eq "... 3.0.0 is then pending" "$(prop PendingVersion)" 's "3.0.0"'
expect_eq "... and unpacked" "$(guest cat /var/lib/upkeep/apps/example/versions/3.0.0/share/VERSION)" 3.0.0
expect_match "... journalled as staged" \
        "$(guest journalctl UPKEEP_APP=example UPKEEP_VERSION=3.0.0 MESSAGE_ID=5ed54014084547669ceb2b684d1bda7b -o cat --no-pager)" \
        'staged from a local file'

# --- Apply(t flags) -------------------------------------------------------------------------------
out=$(call "$APP" org.upkeep1.App Apply t 2)
expect_match "Apply() refuses unknown flags" "$out" 'Unknown flags 0x2'
out=$(call "$APP" org.upkeep1.App Apply t 0)
expect_match "Apply(0) returns a job" "$out" '^o "/org/upkeep1/job/[0-9]+"$'
wait_job_gone "$(sed -E 's/^o "(.*)"$/\1/' <<<"$out")"
expect_eq "... 3.0.0 runs" "$(prop CurrentVersion)" 's "3.0.0"'
expect_match "... recorded as an operator's switch" "$(prop History)" '"2\.0\.0" "3\.0\.0" "manual"$'

expect_eq "upkeepctl stage waits for its job" \
        "$(guest upkeepctl --no-ask-password --quiet stage example /tmp/example-4.0.0.tar.gz 4.0.0 >/dev/null 2>&1; echo $?)/$(prop PendingVersion)" \
        '0/s "4.0.0"'
call "$APP" org.upkeep1.App Pause s 'not now' >/dev/null
out=$(call "$APP" org.upkeep1.App Apply t 1)
expect_match "Apply(SCHEDULED) is refused while paused" "$out" 'Automatic updates of example are paused: not now'
out=$(call "$APP" org.upkeep1.App Apply t 0)
expect_match "... Apply(0) is not" "$out" '^o "/org/upkeep1/job/[0-9]+"$'
wait_job_gone "$(sed -E 's/^o "(.*)"$/\1/' <<<"$out")"
expect_eq "... 4.0.0 runs" "$(prop CurrentVersion)" 's "4.0.0"'
wait_job_gone "$(guest upkeepctl --no-ask-password --no-block stage example /tmp/example-3.0.0.tar.gz 3.1.0)"
call "$APP" org.upkeep1.App Resume >/dev/null
out=$(call "$APP" org.upkeep1.App Apply t 1)
expect_match "Apply(SCHEDULED) once resumed returns a job" "$out" '^o "/org/upkeep1/job/[0-9]+"$'
wait_job_gone "$(sed -E 's/^o "(.*)"$/\1/' <<<"$out")"
expect_eq "... 3.1.0 runs" "$(prop CurrentVersion)" 's "3.1.0"'
expect_match "... recorded as a scheduled switch" "$(prop History)" '"4\.0\.0" "3\.1\.0" "scheduled"$'

# --- The bus is answered while a large release is staged; a canceled stage leaves nothing ---------
# In one guest shell, so that no round trip through the harness lets the stage end unobserved: calls
# ListApps() and a get-property (2 s allowed each) for as long as ListJobs() lists the stage's job,
# and prints how many rounds it made and the slowest in ms.
out=$(guest sh -c 'job=$(upkeepctl --no-ask-password --no-block stage example '"$big"'/example-big.tar 5.0.0) || exit 1
        n=0 slowest=0
        while busctl call org.upkeep1 /org/upkeep1 org.upkeep1.Manager ListJobs | grep -qF "\"$job\""; do
                t0=$(date +%s%N)
                busctl --timeout=2 call org.upkeep1 /org/upkeep1 org.upkeep1.Manager ListApps >/dev/null || exit 1
                busctl --timeout=2 get-property org.upkeep1 /org/upkeep1/app/example org.upkeep1.App PendingVersion >/dev/null || exit 1
                ms=$(( ($(date +%s%N) - t0) / 1000000 ))
                [ "$ms" -gt "$slowest" ] && slowest=$ms
                n=$((n + 1))
        done
        echo "$n $slowest"' 2>&1)
echo "# rounds of calls during the stage of 512 MiB, slowest in ms: $out"
expect_match "ListApps() and get-property answer within 2 s while 512 MiB are staged" "$out" '^[1-9][0-9]* [0-9]+$'
expect_eq "... and the stage completes" "$(prop PendingVersion)" 's "5.0.0"'

monitor_start
job=$(guest sh -c 'job=$(upkeepctl --no-ask-password --no-block stage example '"$big"'/example-big.tar 5.1.0) &&
        busctl call org.upkeep1 "$job" org.upkeep1.Job Cancel && echo "$job"' 2>&1)
expect_match "Cancel() of a stage under way is accepted" "$job" '^/org/upkeep1/job/[0-9]+$'
wait_job_gone "$job"
seen=$(monitor_stop)
expect_match "... which ends as canceled" "$seen" "^JobRemoved ${job##*/} $job canceled  $"
expect_eq "... leaving neither 5.1.0 nor a temporary directory in versions/" \
        "$(guest ls -A /var/lib/upkeep/apps/example/versions | grep -c -e '^5\.1\.0$' -e '^\.tmp-')" 0
expect_eq "... and 5.0.0 still pending" "$(prop PendingVersion)" 's "5.0.0"'

upkeep_finish
