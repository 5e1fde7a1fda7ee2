#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# upkeep-condition against hand-written state directories: what "due" lets through, and what "trial"
# counts and rolls back, checked in state.json and the links as the next start would see them.
# Usage: test-condition.sh UPKEEP-CONDITION
set -u

prog=$1
fail=0

command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read state.json"; exit 77; }

root=$(mktemp -d /tmp/test-condition.XXXXXX)
trap 'rm -rf "$root"' EXIT
export UPKEEP_STATE_DIR=$root
# App configs under $root/config/{etc,run,usr/lib}/upkeep/apps; windows count in UTC here.
export UPKEEP_CONFIG_ROOT=$root/config
export TZ=UTC
# The rollback's journal entry has nowhere to go in a test; sd_journal_send() fails quietly.

ts() {  # ts DATE-SPEC: an RFC 3339 timestamp as state.json has them
        date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ
}

# config NAME DIR [UPDATE-LINES]: NAME.app in $UPKEEP_CONFIG_ROOT/DIR/upkeep/apps (DIR: etc, run, usr/lib).
config() {
        mkdir -p "$UPKEEP_CONFIG_ROOT/$2/upkeep/apps"
        printf '[App]\nSource=https://example.com/releases/\nExec=bin/app\n\n[Update]\n%s\n' "${3:-}" \
                >"$UPKEEP_CONFIG_ROOT/$2/upkeep/apps/$1.app"
}

# app NAME CURRENT [PREVIOUS]: an app directory with versions 1.0.0 and 1.1.0 staged and the links,
# and its config in /etc (any time).
app() {
        local dir=$root/apps/$1
        mkdir -p "$dir/versions/1.0.0" "$dir/versions/1.1.0"
        [ -n "$2" ] && ln -s "versions/$2" "$dir/current"
        [ -n "${3:-}" ] && ln -s "versions/$3" "$dir/previous"
        config "$1" etc
        return 0
}

state() {  # state NAME JSON
        printf '%s\n' "$2" >"$root/apps/$1/state.json"
}

. "$(dirname "$0")/check-command.sh"

# run DESCRIPTION EXPECTED-EXIT [STDERR-PATTERN] -- ARGS...
run() {
        check_command "$1" "$2" stderr "$3" -- "$prog" "${@:5}"
}

# check DESCRIPTION NAME PYTHON-EXPRESSION: s is the app's state.json, parsed.
check() {
        if python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
                "$root/apps/$2/state.json" "$3"; then
                echo "ok: $1"
        else
                echo "FAIL: $1: not true of $(cat "$root/apps/$2/state.json"): $3"
                fail=1
        fi
}

check_link() {  # check_link DESCRIPTION NAME LINK TARGET
        local got
        got=$(readlink "$root/apps/$2/$3")
        if [ "$got" = "$4" ]; then
                echo "ok: $1"
        else
                echo "FAIL: $1: $3 -> '$got', expected '$4'"
                fail=1
        fi
}

past=$(ts '-1 hour')
future=$(ts '+1 hour')

# --- due ---

# due_case DESCRIPTION EXPECTED-EXIT STDERR-PATTERN NAME STATE-JSON: an app NAME running 1.0.0 with that
# state.json, and what "due NAME" says of it.
due_case() {
        app "$4" 1.0.0
        state "$4" "$5"
        run "due: $1" "$2" "$3" -- due "$4"
}

due_case "nothing pending" 1 "nothing pending" nothing '{"current_version": "1.0.0"}'

app nostate 1.0.0
run "due: no state.json" 1 "nothing pending" -- due nostate

run "due: unknown app" 1 "" -- due nosuchapp

due_case "due in the past" 0 "" duepast \
        "{\"current_version\": \"1.0.0\", \"pending_version\": \"1.1.0\", \"due_at\": \"$past\"}"

due_case "due in the future" 1 "due at $future" duefuture \
        "{\"current_version\": \"1.0.0\", \"pending_version\": \"1.1.0\", \"due_at\": \"$future\"}"

due_case "staged, not scheduled" 1 "not scheduled" unscheduled \
        '{"current_version": "1.0.0", "pending_version": "1.1.0"}'

due_case "paused" 1 "paused: maintenance" paused \
        "{\"current_version\": \"1.0.0\", \"pending_version\": \"1.1.0\", \"due_at\": \"$past\",
          \"paused\": true, \"pause_reason\": \"maintenance\"}"

due_case "backing off" 1 "backing off until $future" backoff \
        "{\"current_version\": \"1.0.0\", \"pending_version\": \"1.1.0\", \"due_at\": \"$past\",
          \"backoff_failures\": 2, \"backoff_until\": \"$future\"}"

due_case "backoff over" 0 "" backoffover \
        "{\"current_version\": \"1.0.0\", \"pending_version\": \"1.1.0\", \"due_at\": \"$past\",
          \"backoff_failures\": 2, \"backoff_until\": \"$past\"}"

# The window: hours are counted in local time (UTC here). Two hours on, and the next hour too, are
# outside and inside whatever hour the clock turns to during the test.
hour=$((10#$(date +%H)))
outside=$(printf '%02d' $(( (hour + 2) % 24 )))
inside=$(printf '%02d,%02d' "$hour" $(( (hour + 1) % 24 )))
due="{\"current_version\": \"1.0.0\", \"pending_version\": \"1.1.0\", \"due_at\": \"$past\"}"
# due_app NAME [UPDATE-LINES]: an app at 1.0.0 with 1.1.0 due since $past, its config in /etc.
due_app() {
        app "$1" 1.0.0
        config "$1" etc "${2:-}"
        state "$1" "$due"
}

due_app outside "Window=$outside"
run "due: outside the window" 1 "outside its update window \(Window=$outside\); the window opens next at $(date -u +%Y-%m-%d)T$outside:00:00Z|next at .*T$outside:00:00Z" -- due outside

due_app inside "Window=$inside"
run "due: inside the window" 0 "" -- due inside

due_app weekday "Window=$(date -d tomorrow +%a)..$(date -d '+5 days' +%a)"
run "due: outside the window's weekdays" 1 "outside its update window" -- due weekday

app precedence 1.0.0
rm "$UPKEEP_CONFIG_ROOT/etc/upkeep/apps/precedence.app"
config precedence usr/lib "Window=$inside"
config precedence run "Window=$outside"
state precedence "$due"
run "due: the config in /run wins over /usr/lib" 1 "outside its update window" -- due precedence
config precedence etc "Window=$inside"
run "due: the config in /etc wins over /run" 0 "" -- due precedence

app noconfig 1.0.0
rm "$UPKEEP_CONFIG_ROOT/etc/upkeep/apps/noconfig.app"
state noconfig "$due"
run "due: no config" 1 "has no config \(noconfig\.app\) in $UPKEEP_CONFIG_ROOT/etc/upkeep/apps" -- due noconfig

app masked 1.0.0
config masked usr/lib
ln -sf /dev/null "$UPKEEP_CONFIG_ROOT/etc/upkeep/apps/masked.app"
state masked "$due"
run "due: config masked" 1 "has no config" -- due masked

due_app badconfig "Window=Mon..Fri 9..25"
run "due: invalid window" 1 "invalid Window= 'Mon\.\.Fri 9\.\.25' in .*/etc/upkeep/apps/badconfig\.app: invalid hour" -- due badconfig

app brokenconfig 1.0.0
printf '[App]\nExec=bin/app\n' >"$UPKEEP_CONFIG_ROOT/etc/upkeep/apps/brokenconfig.app"
state brokenconfig "$due"
run "due: config that does not load" 1 "failed to load .*/etc/upkeep/apps/brokenconfig\.app" -- due brokenconfig

app ontrial 1.1.0 1.0.0
state ontrial "{\"current_version\": \"1.1.0\", \"previous_version\": \"1.0.0\", \"pending_version\": \"1.2.0\",
                \"due_at\": \"$past\", \"trial_version\": \"1.1.0\", \"trial_started_at\": \"$past\"}"
run "due: a trial is running" 1 "a trial is running" -- due ontrial

due_case "corrupt state" 1 "" duecorrupt '{"current_version": '

# --- trial ---

app idle 1.0.0
state idle '{"current_version": "1.0.0", "trial_starts": 0}'
before=$(cat "$root/apps/idle/state.json")
run "trial: no trial" 0 "" -- trial idle
if [ "$(cat "$root/apps/idle/state.json")" = "$before" ]; then
        echo "ok: trial: no trial leaves state.json as it was"
else
        echo "FAIL: trial: no trial changed state.json: $(cat "$root/apps/idle/state.json")"
        fail=1
fi

app trialapp 1.1.0 1.0.0
state trialapp "{\"current_version\": \"1.1.0\", \"previous_version\": \"1.0.0\",
                 \"trial_version\": \"1.1.0\", \"trial_started_at\": \"$past\",
                 \"history\": [{\"time\": \"$past\", \"from\": \"1.0.0\", \"to\": \"1.1.0\", \"how\": \"scheduled\"}]}"
run "trial: first start during a trial" 0 "" -- trial trialapp
check "trial: first start is counted" trialapp 's["trial_starts"] == 1 and s["trial_version"] == "1.1.0"'
check_link "trial: first start keeps the new version" trialapp current versions/1.1.0

run "trial: second start during a trial" 0 "" -- trial trialapp
check_link "trial: rolled back: current" trialapp current versions/1.0.0
check_link "trial: rolled back: previous unchanged" trialapp previous versions/1.0.0
check "trial: rolled back: current_version" trialapp 's["current_version"] == "1.0.0"'
check "trial: rolled back: marked bad" trialapp 's["bad_versions"] == ["1.1.0"]'
check "trial: rolled back: paused with a reason" trialapp \
        's["paused"] is True and "1.1.0 failed its trial" in s["pause_reason"]'
check "trial: rolled back: trial cleared" trialapp '"trial_version" not in s and s.get("trial_starts", 0) == 0'
check "trial: rolled back: history" trialapp \
        'len(s["history"]) == 2 and s["history"][-1]["how"] == "rollback" and s["history"][-1]["from"] == "1.1.0" and s["history"][-1]["to"] == "1.0.0"'
if compgen -G "$root/apps/trialapp/.#*" >/dev/null; then
        echo "FAIL: trial: temporary files left: $(ls -A "$root/apps/trialapp")"
        fail=1
fi

run "trial: start after the rollback" 0 "" -- trial trialapp
check_link "trial: start after the rollback keeps the old version" trialapp current versions/1.0.0
check "trial: start after the rollback: marked bad once" trialapp 's["bad_versions"] == ["1.1.0"] and len(s["history"]) == 2'

app gone 1.1.0 1.0.0
rm -r "$root/apps/gone/versions/1.0.0"
state gone "{\"current_version\": \"1.1.0\", \"previous_version\": \"1.0.0\",
             \"trial_version\": \"1.1.0\", \"trial_started_at\": \"$past\", \"trial_starts\": 1}"
run "trial: previous version gone: start anyway" 0 "Failed to roll gone back" -- trial gone
check_link "trial: previous version gone: link unchanged" gone current versions/1.1.0

app nocurrent ""
state nocurrent '{}'
run "trial: no current link" 1 "installed" -- trial nocurrent
run "trial: no app directory" 1 "installed" -- trial nosuchapp

app nostatetrial 1.0.0
run "trial: no state.json" 0 "" -- trial nostatetrial

app corrupt 1.0.0
state corrupt '{"current_version": "1.0.0", "trial_starts": "many"}'
run "trial: corrupt state.json" 0 "corrupt" -- trial corrupt

# --- command line ---

run "invalid name" 2 "Invalid app name" -- trial 'a/../b'
run "invalid name (due)" 2 "Invalid app name" -- due ''
run "missing name" 2 "" -- trial
run "extra argument" 2 "" -- due nothing extra
run "unknown command" 2 "Unknown command" -- frobnicate nothing

exit $fail
