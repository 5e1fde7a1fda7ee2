#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Zero downtime: an app with a [Socket] section keeps its listening socket in systemd's hands, so an
# update (1.0.0 -> 1.1.0) and the rollback of a release that crashes at once (1.2.0) fail no
# request of a client hammering the app all along: connections queue on the socket while the unit
# restarts and are answered by whichever version comes up. As a contrast (reported, not asserted),
# the same app binding its port itself ("plain", without [Socket]) refuses connections meanwhile.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/publisher.sh"
publisher_setup

two_apps_setup

upkeep_boot zero-downtime
publisher_serve
two_apps_install
expect_eq "the generated socket listens" "$(guest systemctl is-active upkeep@example.socket)" active

out=$(mktemp -d /tmp/upkeep-zero-downtime.XXXXXX)
upkeep_remove_on_exit "$out"

# under_load APP PORT PHASE CMD...: runs the load client against PORT while CMD runs in the guest
# (plus a second of steady load before it and after it); the summary goes to $out/APP-PHASE.json,
# CMD's output and status to $out/APP-PHASE.out.
under_load() {
        local app=$1 port=$2 phase=$3 pid rc; shift 3
        guest rm -f /run/load-stop
        guest upkeep-load-client --port "$port" --threads 8 --timeout 10 --duration 30 \
                --stop-file /run/load-stop --tail 1.5 >"$out/$app-$phase.json" &
        pid=$!
        sleep 1
        guest "$@" >"$out/$app-$phase.out" 2>&1; rc=$?
        echo "rc=$rc" >>"$out/$app-$phase.out"
        guest touch /run/load-stop
        wait "$pid"
}
field() {  # field FILE KEY: a field of a summary, as JSON
        python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get(sys.argv[2])))' "$1" "$2"
}

publish_both 1 1.0.0
for app in example plain; do
        guest upkeepctl --no-ask-password update "$app" 1.0.0 >/dev/null
done
expect_eq "the socket-activated app serves 1.0.0" "$(guest curl -s --max-time 5 http://127.0.0.1:8081/)" 1.0.0
expect_eq "the plain app serves 1.0.0" "$(guest curl -s --max-time 5 http://127.0.0.1:8082/)" 1.0.0
expect_match "the socket-activated app got its socket from systemd" \
        "$(guest systemctl show -P Triggers upkeep@example.socket)" 'upkeep@example\.service'

publish_both 2 1.0.0 1.1.0
publish_both 3 1.0.0 1.1.0 1.2.0
for app in example plain; do
        port=8081; [ "$app" = plain ] && port=8082
        under_load "$app" "$port" update upkeepctl --no-ask-password update "$app" 1.1.0
        under_load "$app" "$port" rollback upkeepctl --no-ask-password update "$app" 1.2.0
done

for n in example-update example-rollback plain-update plain-rollback; do
        echo "summary $n: $(cat "$out/$n.json")"
        echo "  upkeepctl: $(tr '\n' ' ' <"$out/$n.out")"
done

# --- with [Socket]: nothing fails --------------------------------------------------------------------
expect_match "the update to 1.1.0 succeeded" "$(cat "$out/example-update.out")" 'rc=0'
expect_eq "no request failed during the update" "$(field "$out/example-update.json" failed)" 0
expect_eq "... and the versions went 1.0.0 -> 1.1.0" "$(field "$out/example-update.json" versions)" '["1.0.0", "1.1.0"]'
expect_match "the update to the crashing 1.2.0 was rolled back" "$(cat "$out/example-rollback.out")" \
        'failed its trial .*rolled back to 1\.1\.0'
expect_eq "no request failed during the rollback" "$(field "$out/example-rollback.json" failed)" 0
expect_eq "... and only 1.1.0 answered" "$(field "$out/example-rollback.json" versions)" '["1.1.0"]'
expect_match "requests were answered during both" \
        "$(field "$out/example-update.json" ok) $(field "$out/example-rollback.json" ok)" '^[1-9][0-9]* [1-9][0-9]*$'
expect_eq "1.1.0 serves afterwards" "$(guest curl -s --max-time 5 http://127.0.0.1:8081/)" 1.1.0
expect_eq "the socket stayed up" "$(guest systemctl is-active upkeep@example.socket)" active

# --- without [Socket]: reported only -----------------------------------------------------------------
for phase in update rollback; do
        echo "contrast, without [Socket], $phase: $(field "$out/plain-$phase.json" failed) of" \
                "$(field "$out/plain-$phase.json" requests) requests failed" \
                "(refused $(field "$out/plain-$phase.json" refused), reset $(field "$out/plain-$phase.json" reset));" \
                "with [Socket]: $(field "$out/example-$phase.json" failed) of $(field "$out/example-$phase.json" requests)"
done
expect_eq "the plain app serves 1.1.0 afterwards" "$(guest curl -s --max-time 5 http://127.0.0.1:8082/)" 1.1.0

upkeep_finish
