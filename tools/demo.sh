#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo: builds upkeep, installs it into a real systemd booted in namespaces (the test harness),
# and shows it there as an operator would see it. Needs root. Everything it does inside the guest
# vanishes when it ends.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

if [ -d build ]; then meson setup --reconfigure build >/dev/null; else meson setup build >/dev/null; fi
ninja -C build >/dev/null

. tests/integration/harness.sh
harness_require || { echo "This machine cannot boot a systemd guest (see above)." >&2; exit 1; }

destdir=$(mktemp -d /tmp/upkeep-demo.XXXXXX)
trap 'harness_stop_all; rm -rf "$destdir"' EXIT
meson install -C build --destdir "$destdir" --quiet >/dev/null

guest=upkeep-demo-$$
echo "== Booting systemd with upkeep installed"
harness_boot "$guest" "$destdir"

step() {
        printf '\n$ %s\n' "$*"
        harness_run "$guest" "$@"
}

step systemctl is-system-running
step upkeepctl --version
step busctl introspect org.upkeep1 /org/upkeep1
step busctl get-property org.upkeep1 /org/upkeep1 org.upkeep1.Manager Version
step systemctl status --no-pager --lines=5 upkeepd.service
step journalctl -u upkeepd.service --no-pager -o short-monotonic

echo
echo "== Demo done; stopping the guest."
