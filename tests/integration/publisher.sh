#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A release publisher for integration tests: minisign keys, archives and a signed channel for the app
# "example", kept with upkeep-publish as a publisher would and served from /srv/www/example/ in the
# guest by a plain python3 http.server on 127.0.0.1:8080. Sourced after lib.sh:
#
#   publisher_setup                 keys (key, other) and the work directory $pub, $www
#   archives [--app NAME] KIND:VERSION...   release archives of the sample app (release-tool.py)
#   publisher_serve                 start the web server in the guest (after upkeep_boot)
#   publish SERIAL [--key other] [--expires ISO] [--app NAME] VERSION=FILE[,opts]...
#   example_app [EXTRA-LINES]       write /etc/upkeep/apps/example.app in the guest
#
# Socket activation against an app that binds its own port, for tests/integration/test-zero-downtime.sh
# and bench/bench-switch.sh:
#   two_apps_setup                  after publisher_setup: releases 1.0.0 and 1.1.0 (good) and 1.2.0
#                                   (crashing) of "example" and of "plain" ($plain_www)
#   two_apps_install                after publisher_serve: both apps' configs, the load client, and
#                                   example's socket started; example has [Socket] on 127.0.0.1:8081,
#                                   plain binds 127.0.0.1:8082 itself; both have a 2 s trial
#   publish_both SERIAL VERSION...  channels of both apps with those releases
#
# publish makes the channel list exactly these releases (upkeep-publish add, rollout, withdraw) and
# refreshes it to serial 100 * SERIAL: every edit upkeep-publish makes bumps the serial, and the room
# keeps SERIAL's order. opts: type=tar|zip|binary, rollout=N, query=Q (the artifact's path ends in ?Q,
# e.g. rate=2 for tests/unit/http-test-server.py). What upkeep-publish refuses to write is written by
# release-tool.py instead, as an attacker or a broken publisher would: a wrong size= or sha256=, a
# url= of the test's choosing, an --expires time (in the past), a SERIAL not above the last one
# published (a replay). published_serial SERIAL prints the serial publish SERIAL wrote.

tool="python3 $(dirname "${BASH_SOURCE[0]}")/release-tool.py"
upkeep_publish="${UPKEEP_BUILD_ROOT:?}/src/publish/upkeep-publish"

publisher_setup() {
        pub=$(mktemp -d /tmp/upkeep-publisher.XXXXXX)
        www=$pub/www/example
        mkdir -p "$www"
        minisign -G -W -p "$pub/key.pub" -s "$pub/key.sec" >/dev/null
        minisign -G -W -p "$pub/other.pub" -s "$pub/other.sec" >/dev/null
        key=$(tail -n 1 "$pub/key.pub")
        upkeep_remove_on_exit "$pub"
}

# Archives of the sample app, in $www (example) or $pub/www/NAME (--app NAME): NAME-VERSION.tar.gz
# built as KIND (good, crash, crash-later, ...: see release-tool.py).
archives() {
        local app=example dir=$www kv
        if [ "${1:-}" = --app ]; then
                app=$2 dir=$pub/www/$2
                shift 2
                mkdir -p "$dir"
        fi
        for kv in "$@"; do
                if [ "$app" = example ]; then
                        $tool archive "$dir/$app-${kv#*:}.tar.gz" "${kv%%:*}" "${kv#*:}"
                else
                        $tool archive "$dir/$app-${kv#*:}.tar.gz" "${kv%%:*}" "${kv#*:}" --app "$app"
                fi
        done
}

publisher_serve() {
        harness_run "$UPKEEP_GUEST" mkdir -p /srv/www/example /etc/upkeep/apps
        harness_run "$UPKEEP_GUEST" systemd-run --quiet --unit=channel-server /usr/bin/python3 -m http.server \
                --bind 127.0.0.1 --directory /srv/www 8080
}

# The serial "publish SERIAL" writes.
published_serial() {
        echo $(($1 * 100))
}

# The channel directory upkeep-publish keeps for what $www serves, per app.
publisher_channel() {
        echo "$pub/channel-$(basename "$www")-$1"
}

# Writes, signs and "uploads" channel.json.
publish() {
        local serial=$1 signer=key app=example expires= raw=0 specs=() chan spec v f opts o current
        shift
        while [ $# -gt 0 ]; do
                case $1 in
                        --key) signer=$2; shift 2 ;;
                        --app) app=$2; shift 2 ;;
                        --expires) expires=$2; raw=1; shift 2 ;;
                        *) specs+=("$1"); [[ $1 == *,size=* || $1 == *,sha256=* || $1 == *,url=* ]] && raw=1; shift ;;
                esac
        done
        serial=$(published_serial "$serial")
        chan=$(publisher_channel "$app")
        current=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["serial"])' \
                "$chan/channel.json" 2>/dev/null || echo 0)
        [ "$serial" -gt "$current" ] || raw=1

        if [ $raw = 1 ]; then
                local args=(--app "$app" --serial "$serial")
                [ -n "$expires" ] && args+=(--expires "$expires")
                for spec in "${specs[@]}"; do args+=(--release "$spec"); done
                $tool channel "$www/channel.json" "${args[@]}"
                minisign -S -s "$pub/$signer.sec" -m "$www/channel.json" -t "example channel, serial $serial" >/dev/null
                harness_copy_in "$UPKEEP_GUEST" "$www" /srv/www/
                return
        fi

        local up=("$upkeep_publish" --secret-key="$pub/$signer.sec")
        [ -e "$chan/channel.json" ] || "${up[@]}" init "$chan" --app "$app" >/dev/null || return 1
        # Withdraw what is not listed any more, then add what is.
        for v in $(python3 -c 'import json,sys; print(" ".join(r["version"] for r in json.load(open(sys.argv[1]))["releases"]))' \
                        "$chan/channel.json"); do
                [[ " ${specs[*]} " == *" $v="* ]] || "${up[@]}" withdraw "$chan" "$v" >/dev/null || return 1
        done
        for spec in "${specs[@]}"; do
                v=${spec%%=*}; f=${spec#*=}; opts=(); local rollout=
                IFS=, read -r f o <<<"$f"
                for o in ${o//,/ }; do
                        case $o in
                                type=*) opts+=(--type="${o#type=}") ;;
                                rollout=*) rollout=${o#rollout=}; opts+=(--rollout="$rollout") ;;
                                query=*) opts+=(--url="$(basename "$f")?${o#query=}") ;;
                        esac
                done
                "${up[@]}" add "$chan" "$v" "$f" "${opts[@]}" >/dev/null || return 1
                [ -z "$rollout" ] || "${up[@]}" rollout "$chan" "$v" "$rollout" >/dev/null || return 1
        done
        "${up[@]}" refresh "$chan" --serial="$serial" --key="$pub/$signer.pub" >/dev/null || return 1

        # The upload (a copy the guest sees only once it is complete).
        cp -r "$chan"/. "$www"/
        harness_copy_in "$UPKEEP_GUEST" "$www" /srv/www/
}

example_app() {
        printf '[App]\nSource=http://127.0.0.1:8080/example/\nPublicKey=%s\nExec=bin/example --port 8081\n%s\n' \
                "$key" "${1:-}" | harness_run "$UPKEEP_GUEST" sh -c 'cat > /etc/upkeep/apps/example.app'
}

two_apps_setup() {
        archives good:1.0.0 good:1.1.0 crash:1.2.0
        archives --app plain good:1.0.0 good:1.1.0 crash:1.2.0
        plain_www=$pub/www/plain
}

two_apps_install() {
        harness_copy_in "$UPKEEP_GUEST" "$(dirname "${BASH_SOURCE[0]}")/load-client.py" /usr/local/bin/upkeep-load-client
        printf '[App]\nSource=http://127.0.0.1:8080/example/\nPublicKey=%s\nExec=bin/example\n\n[Update]\nTrialSec=2s\n\n[Socket]\nListenStream=127.0.0.1:8081\n' \
                "$key" | harness_run "$UPKEEP_GUEST" sh -c 'cat > /etc/upkeep/apps/example.app'
        printf '[App]\nSource=http://127.0.0.1:8080/plain/\nPublicKey=%s\nExec=bin/plain --port 8082\n\n[Update]\nTrialSec=2s\n' \
                "$key" | harness_run "$UPKEEP_GUEST" sh -c 'cat > /etc/upkeep/apps/plain.app'
        harness_run "$UPKEEP_GUEST" systemctl daemon-reload
        harness_run "$UPKEEP_GUEST" systemctl reload upkeepd.service 2>/dev/null || true
        harness_run "$UPKEEP_GUEST" systemctl start upkeep@example.socket
}

publish_both() {
        local serial=$1 v ex=() pl=(); shift
        for v in "$@"; do
                ex+=("$v=$www/example-$v.tar.gz")
                pl+=("$v=$plain_www/plain-$v.tar.gz")
        done
        publish "$serial" "${ex[@]}"
        www=$plain_www publish "$serial" --app plain "${pl[@]}"
}
