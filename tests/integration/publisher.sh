#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A release publisher for integration tests: minisign keys, archives and a signed channel.json for
# the app "example", served from /srv/www/example/ in the guest by a plain python3 http.server on
# 127.0.0.1:8080. Sourced after lib.sh:
#
#   publisher_setup                 keys (key, other) and the work directory $pub, $www
#   publisher_serve                 start the web server in the guest (after upkeep_boot)
#   publish SERIAL [--key other] [--expires ISO] [--app NAME] VERSION=FILE[,opts]...
#   example_app [EXTRA-LINES]       write /etc/upkeep/apps/example.app in the guest

tool="python3 $(dirname "${BASH_SOURCE[0]}")/release-tool.py"

publisher_setup() {
        pub=$(mktemp -d /tmp/upkeep-publisher.XXXXXX)
        www=$pub/www/example
        mkdir -p "$www"
        minisign -G -W -p "$pub/key.pub" -s "$pub/key.sec" >/dev/null
        minisign -G -W -p "$pub/other.pub" -s "$pub/other.sec" >/dev/null
        key=$(tail -n 1 "$pub/key.pub")
}

publisher_serve() {
        harness_run "$UPKEEP_GUEST" mkdir -p /srv/www/example /etc/upkeep/apps
        harness_run "$UPKEEP_GUEST" systemd-run --quiet --unit=channel-server /usr/bin/python3 -m http.server \
                --bind 127.0.0.1 --directory /srv/www 8080
}

# Writes, signs and "uploads" channel.json.
publish() {
        local serial=$1 signer=key args=(); shift
        while [ $# -gt 0 ]; do
                case $1 in
                        --key) signer=$2; shift 2 ;;
                        --app|--expires) args+=("$1" "$2"); shift 2 ;;
                        *) args+=(--release "$1"); shift ;;
                esac
        done
        [[ " ${args[*]} " == *" --app "* ]] || args+=(--app example)
        $tool channel "$www/channel.json" --serial "$serial" "${args[@]}"
        minisign -S -s "$pub/$signer.sec" -m "$www/channel.json" -t "example channel, serial $serial" >/dev/null
        harness_copy_in "$UPKEEP_GUEST" "$www" /srv/www/
}

example_app() {
        printf '[App]\nSource=http://127.0.0.1:8080/example/\nPublicKey=%s\nExec=bin/example --port 8081\n%s\n' \
                "$key" "${1:-}" | harness_run "$UPKEEP_GUEST" sh -c 'cat > /etc/upkeep/apps/example.app'
}
