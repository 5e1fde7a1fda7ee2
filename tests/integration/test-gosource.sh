#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Go apps (Source=go:) end to end, in a real systemd, without the internet: a Go module proxy tree
# (served as file:/// and over HTTP) lists the module's versions and the Go toolchains, and a fake
# gobuild service, written by tests/gobuild-fake with Go's own sumdb packages, serves signed tree
# heads, tiles and builds. A build is found through the proxy, verified through the log, staged,
# switched to and trialled like any release; a new toolchain alone rebuilds under
# ToolchainPolicy=follow and not under manual; each lie the service or the proxy can tell is refused
# with its own error while the running version stays; and "upkeepctl init" starts a Go app in one
# command.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gofake.sh"

gofake_skip_unless_possible
work=$(mktemp -d /tmp/upkeep-gosource.XXXXXX)
gb=$work/gobuild
gofake_build_program "$work"
gofake_build "$work" "$work/app" honest wrong-key bad-signature other-build bad-binary fork garbage-tiles
key=$GOFAKE_KEY

proxy=$work/goproxy
mkdir -p "$proxy/example.com/hello/@v" "$proxy/example.com/other/@v" "$proxy/golang.org/toolchain/@v"
printf 'v1.1.0\n' >"$proxy/example.com/other/@v/list"

upkeep_boot gosource
upkeep_remove_on_exit "$work"

harness_copy_in "$UPKEEP_GUEST" "$gb" /srv/gobuild
guest ln -sfn honest /srv/gobuild/current
guest systemd-run --quiet --unit=gobuild-server /usr/bin/python3 -m http.server --bind 127.0.0.1 \
        --directory /srv/gobuild/current 8090
guest systemd-run --quiet --unit=goproxy-server /usr/bin/python3 -m http.server --bind 127.0.0.1 \
        --directory /srv/goproxy 8091

# proxy_lists HELLO-VERSIONS TOOLCHAINS: what the proxy lists for example.com/hello and for
# golang.org/toolchain (each toolchain for linux-amd64, and for arm64 too, as the real list has).
proxy_lists() {
        local v t
        : >"$proxy/example.com/hello/@v/list"
        for v in $1; do echo "$v" >>"$proxy/example.com/hello/@v/list"; done
        : >"$proxy/golang.org/toolchain/@v/list"
        for t in $2; do
                printf 'v0.0.1-%s.linux-amd64\nv0.0.1-%s.linux-arm64\n' "$t" "$t" >>"$proxy/golang.org/toolchain/@v/list"
        done
        harness_copy_in "$UPKEEP_GUEST" "$proxy" /srv/goproxy
}
gobuild_serves() {  # gobuild_serves TREE: which service tree the gobuild server answers from
        guest ln -sfn "$1" /srv/gobuild/current
}

APP=/org/upkeep1/app/hello
prop() {
        guest busctl get-property org.upkeep1 "$APP" org.upkeep1.App "$1"
}
serves() {  # what the app answers on its port, or "down"
        guest curl -s --max-time 2 "http://127.0.0.1:${1:-8082}/" || echo down
}
state_field() {  # state_field KEY [APP]: a field of the app's state.json, as JSON
        guest python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get(sys.argv[2])))' \
                "/var/lib/upkeep/apps/${2:-hello}/state.json" "$1"
}
# set_toolchain_policy POLICY: edits hello.app and has upkeepd read it again.
set_toolchain_policy() {
        guest sed -i "s/^ToolchainPolicy=.*/ToolchainPolicy=$1/" /etc/upkeep/apps/hello.app
        guest busctl call org.upkeep1 /org/upkeep1 org.upkeep1.Manager Reload
}

guest mkdir -p /etc/upkeep/apps
guest sh -c 'cat > /etc/upkeep/apps/hello.app' <<EOF
[App]
Source=go:example.com/hello
Exec=hello 8082
GoProxy=file:///srv/goproxy/
GoBuild=http://127.0.0.1:8090/
GoBuildKey=$key

[Update]
Policy=minor
ToolchainPolicy=follow
TrialSec=2s
EOF
guest systemctl daemon-reload

# --- discovered, verified through the log, staged, switched and trialled ----------------------------
proxy_lists "v1.0.0" "go1.21.5"
out=$(guest upkeepctl --no-ask-password update hello 2>&1); rc=$?
expect_eq "upkeepctl update installs the newest build" "$rc" 0
[ "$rc" = 0 ] || echo "$out"
expect_eq "CurrentVersion is the module version + the Go version" "$(prop CurrentVersion)" 's "v1.0.0+go1.21.5"'
expect_eq "the unit runs it" "$(guest systemctl is-active upkeep@hello.service)" active
expect_eq "... and it is the build asked for" "$(serves)" "example.com/hello@v1.0.0 go1.21.5 linux-amd64"
expect_match "the staged binary is read-only" \
        "$(guest stat -c %A /var/lib/upkeep/apps/hello/versions/v1.0.0+go1.21.5/hello)" '^-r-xr-xr-x$'
expect_eq "the verified tree head is kept: its size" "$(state_field tlog_size)" 520
expect_match "... and its root" "$(state_field tlog_root)" '^"[A-Za-z0-9+/]{43}="$'
expect_eq "... and the key it was verified with" "$(state_field gobuild_key)" "\"$key\""
expect_match "full tiles are cached" "$(guest find /var/lib/upkeep/apps/hello/tiles -type f)" 'tiles/tile/8/0/000$'
expect_match "the journal tells of the staging and the switch" \
        "$(guest journalctl UPKEEP_APP=hello -o cat --no-pager)" 'hello v1\.0\.0\+go1\.21\.5 staged'

# --- a new toolchain alone: rebuilt under follow, not under manual ---------------------------------
proxy_lists "v1.0.0" "go1.21.5 go1.21.6"
set_toolchain_policy manual
expect_eq "ToolchainPolicy=manual: a check succeeds" \
        "$(guest upkeepctl --no-ask-password check hello >/dev/null 2>&1; echo $?)" 0
expect_eq "... and stages nothing" "$(prop PendingVersion)" 's ""'
expect_eq "... nor sees a newer build" "$(prop AvailableVersion)" 's "v1.0.0+go1.21.5"'

set_toolchain_policy follow
expect_eq "ToolchainPolicy=follow: a check succeeds" \
        "$(guest upkeepctl --no-ask-password check hello >/dev/null 2>&1; echo $?)" 0
expect_eq "... and stages a rebuild of v1.0.0 with go1.21.6" "$(prop PendingVersion)" 's "v1.0.0+go1.21.6"'
expect_eq "... which is what is available" "$(prop AvailableVersion)" 's "v1.0.0+go1.21.6"'
expect_eq "State: the rebuild is newer than what runs" "$(prop State)" 's "scheduled"'
expect_eq "upkeepctl apply switches to it" "$(guest upkeepctl --no-ask-password apply hello >/dev/null 2>&1; echo $?)" 0
expect_eq "... and the rebuild runs" "$(serves)" "example.com/hello@v1.0.0 go1.21.6 linux-amd64"

# Two builds of one module version are two versions: the rebuild can be rolled back, and a rebuild
# that was rolled back is not made again.
expect_eq "rollback from the rebuild succeeds" "$(guest upkeepctl --no-ask-password rollback hello >/dev/null 2>&1; echo $?)" 0
expect_eq "... back to the go1.21.5 build" "$(prop CurrentVersion)" 's "v1.0.0+go1.21.5"'
for _ in $(seq 20); do [ "$(serves)" = "example.com/hello@v1.0.0 go1.21.5 linux-amd64" ] && break; sleep 0.1; done
expect_eq "... which serves again" "$(serves)" "example.com/hello@v1.0.0 go1.21.5 linux-amd64"
guest upkeepctl --no-ask-password resume hello
guest upkeepctl --no-ask-password check hello >/dev/null 2>&1
expect_eq "the rolled-back rebuild is not staged again" "$(prop PendingVersion)" 's ""'

# --- every lie is refused, and what runs stays ------------------------------------------------------
proxy_lists "v1.0.0 v1.1.0" "go1.21.5 go1.21.6 go1.22.0"
running="example.com/hello@v1.0.0 go1.21.5 linux-amd64"
# refused WHAT TREE ERROR PATTERN: update hello against service tree TREE; it must fail with exit
# status 7 (refused) and the named error, say why in LastError, and leave the running build alone.
refused() {
        local what=$1 tree=$2 error=$3 pattern=$4 out rc
        gobuild_serves "$tree"
        out=$(guest upkeepctl --no-ask-password update hello 2>&1); rc=$?
        expect_eq "$what is refused (exit status 7)" "$rc" 7
        expect_match "... as org.upkeep1.Error.$error" "$out" "\\(org\\.upkeep1\\.Error\\.$error\\)\$"
        expect_match "... LastError says why" "$(prop LastError)" "$pattern"
        expect_eq "... the running build stays" "$(prop CurrentVersion)" 's "v1.0.0+go1.21.5"'
        expect_eq "... and serves" "$(serves)" "$running"
        expect_eq "... and nothing was staged" \
                "$(guest sh -c 'test -e /var/lib/upkeep/apps/hello/versions/v1.1.0+go1.22.0 && echo staged || echo none')" none
}
refused "a tree head signed by another key" wrong-key WrongKey 'not signed by the key'
refused "a tree head with a bad signature" bad-signature SignatureInvalid 'does not verify'
refused "the record of another platform's build" other-build RecordMismatch \
        'record of example\.com/hello@v1\.1\.0 for linux-arm64 with go1\.22\.0, not of the build asked for'
refused "a binary that is not the one the log records" bad-binary HashMismatch 'has sum .*, the log records'
refused "tiles that prove nothing" garbage-tiles ProofInvalid 'not proven to be in the build log'
refused "a forked log" fork LogForked 'build log forked'
expect_eq "the fork is counted" "$(state_field tlog_forks)" 1
expect_match "... and journalled as such (catalogued)" \
        "$(guest journalctl UPKEEP_APP=hello MESSAGE_ID=526904178dc7443090bf701b2e59e06f -o cat --no-pager)" \
        'the build log of http://127\.0\.0\.1:8090/ forked'
expect_eq "... at priority crit" \
        "$(guest journalctl UPKEEP_APP=hello MESSAGE_ID=526904178dc7443090bf701b2e59e06f -o json --no-pager |
           python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["PRIORITY"])')" 2
expect_match "refusals are journalled as verification failures" \
        "$(guest journalctl UPKEEP_APP=hello MESSAGE_ID=650f3ce66f54405fac791bc5ab3e7e7d -o cat --no-pager | wc -l)" '^[6-9]$'

gobuild_serves honest
printf 'v1.0.0\n<html>not found</html>\n' >"$proxy/example.com/hello/@v/list"
harness_copy_in "$UPKEEP_GUEST" "$proxy" /srv/goproxy
out=$(guest upkeepctl --no-ask-password update hello 2>&1); rc=$?
expect_eq "a proxy listing garbage is refused (exit status 7)" "$rc" 7
expect_match "... as org.upkeep1.Error.ProxyMalformed" "$out" '\(org\.upkeep1\.Error\.ProxyMalformed\)$'
expect_match "... LastError says why" "$(prop LastError)" 'version list of example\.com/hello holds something that is not a version'
expect_eq "... and the running build stays" "$(serves)" "$running"

# --- the honest service again: a module update, built with the newest toolchain ---------------------
proxy_lists "v1.0.0 v1.1.0" "go1.21.5 go1.21.6 go1.22.0"
out=$(guest upkeepctl --no-ask-password update hello 2>&1); rc=$?
expect_eq "with the honest service the update succeeds" "$rc" 0
[ "$rc" = 0 ] || echo "$out"
expect_eq "... to v1.1.0, built with go1.22.0 (follow)" "$(prop CurrentVersion)" 's "v1.1.0+go1.22.0"'
expect_eq "... which runs" "$(serves)" "example.com/hello@v1.1.0 go1.22.0 linux-amd64"
expect_eq "... and clears LastError" "$(prop LastError)" 's ""'
out=$(guest upkeepctl --no-ask-password update hello v9.9.9 2>&1); rc=$?
expect_eq "update to a version the proxy does not list exits 4" "$rc" 4
expect_match "... naming it" "$out" 'lists no version v9\.9\.9 of example\.com/hello'

# --- upkeepctl init: a Go app in one command --------------------------------------------------------
# example.com/other/cmd/other is a package below its module's root: the proxy knows only
# example.com/other, found by trying the longer paths first. No key is given: the one on the
# service's home page is pinned.
out=$(guest upkeepctl --no-ask-password init go:example.com/other/cmd/other --go-proxy=http://127.0.0.1:8091/ \
        --gobuild=http://127.0.0.1:8090/ -- 8083 2>&1); rc=$?
expect_eq "upkeepctl init succeeds" "$rc" 0
[ "$rc" = 0 ] || echo "$out"
expect_match "... saying what it wrote" "$out" 'Created /etc/upkeep/apps/other\.app for go:example\.com/other/cmd/other'
expect_match "... and what to do next" "$out" 'systemctl start upkeep-update@other\.timer'
expect_match "the app file names the package and the program's arguments" \
        "$(guest cat /etc/upkeep/apps/other.app)" '^Exec=other 8083$'
expect_eq "the generator made its unit, which runs" "$(guest systemctl is-active upkeep@other.service)" active
expect_eq "... the build of the package in its module" "$(serves 8083)" "example.com/other@v1.1.0 go1.22.0 linux-amd64"
expect_eq "... as a dynamic user" "$(guest systemctl show -P DynamicUser upkeep@other.service)" yes
expect_eq "... with a state directory of its own" "$(guest systemctl show -P StateDirectory upkeep@other.service)" upkeep-app-other
expect_eq "... which systemd made" "$(guest sh -c 'test -d /var/lib/upkeep-app-other && echo yes')" yes
expect_eq "the service's key was pinned on first use" "$(state_field gobuild_key other)" "\"$key\""

# The running build's Go build info names its module: a check asks the proxy about it first, not
# about each longer prefix of the package path (which the proxy answers with 404) again.
proxy_requests() {  # proxy_requests PATH STATUS: how often the proxy server answered PATH with STATUS
        guest journalctl -u goproxy-server -o cat --no-pager | grep -c "\"GET $1 HTTP/1.1\" $2"
}
lists_before=$(proxy_requests /example.com/other/@v/list 200)
misses_before=$(proxy_requests /example.com/other/cmd/other/@v/list 404)
expect_eq "a check of the new app succeeds" "$(guest upkeepctl --no-ask-password check other >/dev/null 2>&1; echo $?)" 0
for _ in $(seq 30); do
        [ "$(proxy_requests /example.com/other/@v/list 200)" -gt "$lists_before" ] && break
        sleep 0.1
done
expect_eq "... asking the proxy for the module's versions" \
        "$(( $(proxy_requests /example.com/other/@v/list 200) - lists_before ))" 1
expect_eq "... and not about the package path first" \
        "$(( $(proxy_requests /example.com/other/cmd/other/@v/list 404) - misses_before ))" 0
expect_eq "... which it did for the first install" "$misses_before" 1
out=$(guest upkeepctl --no-ask-password init go:example.com/other/cmd/other 2>&1); rc=$?
expect_eq "init again without --force fails" "$rc" 1
expect_match "... saying the file exists" "$out" 'other\.app exists already; --force replaces it'
out=$(guest upkeepctl init go:fmt 2>&1); rc=$?
expect_eq "init of something that is not a package path is a usage error" "$rc" 2

upkeep_finish
