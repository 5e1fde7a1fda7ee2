#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs, from Debian 12's archive, everything upkeep needs to build, test and run its demo.
# Idempotent; needs root. Used by tools/test.sh and tools/demo.sh.
set -euo pipefail

packages=(
        # build
        gcc meson ninja-build pkg-config
        libsystemd-dev libcurl4-openssl-dev libssl-dev libjson-c-dev libarchive-dev zlib1g-dev
        libdbus-1-dev libpolkit-gobject-1-dev
        # fuzzing the parsers that see network bytes (libFuzzer)
        clang libclang-rt-14-dev
        # the real parts the integration tests boot: systemd as PID 1, the system bus, polkit, journald;
        # sudo, which Cockpit runs for administrative access
        systemd dbus polkitd util-linux procps iproute2 sudo
        # release tooling the tests use as publishers would; botocore's SigV4 signer checks upkeep's
        # requests in the S3 test server (tests/integration/s3-test-server.py)
        minisign python3 curl openssl python3-botocore
        # Go programs to read build info from, and Go's own reader to compare with; the go tool also
        # cross-builds small programs (a local module from golang-golang-x-mod-dev, stamped from git), and
        # fakes a gobuild service with Go's own transparency log packages (tests/gobuild-fake)
        golang-go golang-golang-x-mod-dev age restic git
        # a real DNS server whose answers (and their AD bit) a test sets, for GopherWatch lookups
        # (tests/integration/godns-server.py)
        python3-dnslib
        # the Debian package: tools/build-deb.sh, and lintian on it in tests/integration/test-deb.sh
        build-essential dpkg-dev debhelper lintian
        # promtool: lints upkeep.prom and tests the alerting rules (the server itself stays off)
        prometheus
        # the Cockpit page: Cockpit itself, node's test runner for the page's logic, and a real browser
        # driven through WebDriver for the browser test (tests/integration/test-cockpit.sh)
        cockpit-ws cockpit-bridge cockpit-system nodejs chromium chromium-driver python3-selenium
)

if [ "$(id -u)" -ne 0 ]; then
        echo "tools/install-deps.sh: must run as root (it installs Debian packages)." >&2
        exit 1
fi

missing=()
for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Only promtool is wanted from the prometheus package: its server must not start here, nor in the
# integration tests' guests, which boot with the host's enabled units.
if [ -e /etc/systemd/system/multi-user.target.wants/prometheus.service ]; then
        systemctl disable --quiet prometheus.service
fi
