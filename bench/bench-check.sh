#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# How checking many apps scales: N apps whose signed channels (minisign) sit on a local HTTP server,
# in a real systemd guest. Times "upkeepctl check" (CheckAll) the first time (200s: fetch, verify,
# accept) and the second (every channel unchanged: a 304 each), and reads upkeepd's peak RSS, for
# each N given (default: 100 1000), then prints how they grow. Needs root and a build in build/.
#   bench/bench-check.sh [N...]
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/integration/harness.sh
harness_require

counts=("${@:-100}")
[ $# -gt 0 ] || counts=(100 1000)
work=$(mktemp -d /tmp/upkeep-bench-check.XXXXXX)
trap 'harness_stop_all; rm -rf "$work"' EXIT

meson install -C build --destdir "$work/root" --quiet >/dev/null
minisign -G -W -p "$work/key.pub" -s "$work/key.sec" >/dev/null
key=$(tail -n 1 "$work/key.pub")
expires=$(date -u -d '+1 year' +%Y-%m-%dT%H:%M:%SZ)

# ms CMD...: run CMD in the guest, print its wall time in milliseconds.
ms() {
        local t0=${EPOCHREALTIME/./}
        harness_run "$guest" "$@" >/dev/null
        echo $(( (${EPOCHREALTIME/./} - t0) / 1000 ))
}

declare -A first second rss
for n in "${counts[@]}"; do
        rm -rf "$work/etc" "$work/www"
        mkdir -p "$work/etc/upkeep/apps" "$work/www"
        for i in $(seq -w 1 "$n"); do
                app=app$i
                mkdir -p "$work/www/$app"
                printf '{"app":"%s","serial":1,"expires":"%s","releases":[]}\n' "$app" "$expires" >"$work/www/$app/channel.json"
                minisign -S -s "$work/key.sec" -m "$work/www/$app/channel.json" >/dev/null
                printf '[App]\nSource=http://127.0.0.1:8080/%s/\nPublicKey=%s\nExec=bin/%s\n' "$app" "$key" "$app" \
                        >"$work/etc/upkeep/apps/$app.app"
        done

        guest=bench-check-$n-$$
        harness_boot "$guest" "$work/root" 2>/dev/null
        harness_copy_in "$guest" "$work/etc/upkeep" /etc/
        harness_copy_in "$guest" "$work/www" /srv/
        harness_copy_in "$guest" bench/static-server.py /srv/
        harness_run "$guest" systemd-run --quiet --unit=channels /usr/bin/python3 /srv/static-server.py /srv/www 8080
        sleep 0.5

        first[$n]=$(ms upkeepctl --no-ask-password -q check)
        second[$n]=$(ms upkeepctl --no-ask-password -q check)
        pid=$(harness_run "$guest" systemctl show -P MainPID upkeepd.service)
        rss[$n]=$(harness_run "$guest" awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
        not_modified=$(harness_run "$guest" journalctl -u channels -o cat --no-pager | grep -c '" 304 -' || true)
        harness_stop "$guest"
        printf 'apps=%-5s first check: %6s ms   unchanged (304s: %s): %6s ms   upkeepd peak RSS: %s KiB\n' \
                "$n" "${first[$n]}" "$not_modified" "${second[$n]}" "${rss[$n]}"
done

if [ ${#counts[@]} -ge 2 ]; then
        a=${counts[0]} b=${counts[-1]}
        awk -v a="$a" -v b="$b" -v ta="${second[$a]}" -v tb="${second[$b]}" -v ra="${rss[$a]}" -v rb="${rss[$b]}" \
                'BEGIN { printf "from %d to %d apps (x%.0f): unchanged-check time x%.2f, peak RSS x%.2f\n", a, b, b / a, tb / ta, rb / ra }'
fi
