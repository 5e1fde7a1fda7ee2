#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# GopherWatch DNS for Go apps (GoDNS=, GoDNSSEC=), in a real systemd, against a real DNS server
# (godns-server.py, python3-dnslib) that the guest's /etc/resolv.conf names, a module proxy over HTTP
# whose requests are counted, and the fake gobuild service of test-gosource.sh. An answer naming the
# running version spares the proxy's version list; one naming a newer version is confirmed by the
# proxy; one the proxy does not confirm, a stale, malformed, missing or unvalidated one, or no DNS
# server at all leaves the proxy to answer alone, and the check still succeeds; GoDNS= empty asks
# no DNS server at all.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gofake.sh"

gofake_skip_unless_possible
[ -f /usr/lib/python3/dist-packages/dnslib/server.py ] || { echo "SKIP: dnslib is missing (Debian: python3-dnslib)"; exit 77; }

work=$(mktemp -d /tmp/upkeep-godns.XXXXXX)
# The builds hold a script that stays up (their trials pass); which build runs is test-gosource's.
printf '#!/bin/sh\nexec sleep infinity\n' >"$work/app.sh"
gofake_build "$work" "$work/app.sh" honest
mkdir -p "$work/goproxy/example.com/hello/@v" "$work/goproxy/golang.org/toolchain/@v" "$work/godns"
printf 'v0.0.1-go1.21.5.linux-amd64\n' >"$work/goproxy/golang.org/toolchain/@v/list"
cp "$(dirname "$0")/godns-server.py" "$work/godns/"
# check.sh NAME, in the guest: checks hello and prints its exit status, how many DNS queries for NAME
# and how many requests of the module's version list it made, then what upkeepd logged meanwhile.
# One call into the guest for all of it keeps each phase short.
cat >"$work/godns/check.sh" <<'SH'
counts() {
        echo "$(journalctl -u godns-server -o cat --no-pager | grep -c "^query $1 TXT")" \
             "$(journalctl -u goproxy-server -o cat --no-pager | grep -c '"GET /example.com/hello/@v/list HTTP/1.1" 200')"
}
cursor=$(journalctl -u upkeepd -n 0 --show-cursor --no-pager | sed -n 's/^-- cursor: //p')
set -- "$1" $(counts "$1")
upkeepctl --no-ask-password check hello >/dev/null 2>&1
rc=$?
# The servers' logs reach the journal a moment after their answers.
sleep 0.3
set -- "$@" $(counts "$1")
echo "$rc $(($4 - $2)) $(($5 - $3))"
journalctl -u upkeepd --after-cursor="$cursor" -o cat --no-pager
SH
echo '{}' >"$work/godns/answers.json"

upkeep_boot godns
upkeep_remove_on_exit "$work"

harness_copy_in "$UPKEEP_GUEST" "$work/gobuild/honest" /srv/gobuild
harness_copy_in "$UPKEEP_GUEST" "$work/goproxy" /srv/goproxy
harness_copy_in "$UPKEEP_GUEST" "$work/godns" /srv/godns
guest systemd-run --quiet --unit=gobuild-server /usr/bin/python3 -m http.server --bind 127.0.0.1 \
        --directory /srv/gobuild 8090
guest systemd-run --quiet --unit=goproxy-server /usr/bin/python3 -m http.server --bind 127.0.0.1 \
        --directory /srv/goproxy 8091
# The guest's resolver is the test's DNS server (the guest's network has only lo).
guest sh -c 'rm -f /etc/resolv.conf && echo "nameserver 127.0.0.1" >/etc/resolv.conf'
dns_start() {
        guest systemd-run --quiet --unit=godns-server /usr/bin/python3 /srv/godns/godns-server.py 127.0.0.1 53 \
                /srv/godns/answers.json
        for _ in $(seq 50); do
                guest journalctl -u godns-server -o cat --no-pager | grep -q '^listening' && return
                sleep 0.1
        done
        fail "the DNS server did not start"
}
dns_start

NAME=hello._.example.com.v0.gw.test.
# dns_answers JSON: what the DNS server answers from now on.
dns_answers() {
        guest sh -c 'cat >/srv/godns/answers.json' <<<"$1"
}
dns_queries() {  # how many queries for the app's name the DNS server has seen
        guest journalctl -u godns-server -o cat --no-pager | grep -c "^query $NAME TXT"
}
proxy_lists() {
        guest sh -c 'printf "%s\n" "$@" >/srv/goproxy/example.com/hello/@v/list' sh "$@"
}
prop() {
        guest busctl get-property org.upkeep1 /org/upkeep1/app/hello org.upkeep1.App "$1"
}
# set_key KEY VALUE: sets (or, with VALUE "-", removes) KEY= in hello.app and has upkeepd read it again.
set_key() {
        guest sed -i "/^$1=/d" /etc/upkeep/apps/hello.app
        [ "$2" = - ] || guest sed -i "s/^\\[App\\]\$/[App]\\n$1=$2/" /etc/upkeep/apps/hello.app
        guest busctl call org.upkeep1 /org/upkeep1 org.upkeep1.Manager Reload
}

# check: runs a check of hello; sets rc, queries and lists (the DNS queries and version list requests
# it made) and log (what upkeepd logged meanwhile).
check() {
        local out
        out=$(guest sh /srv/godns/check.sh "$NAME")
        read -r rc queries lists <<<"$(head -n 1 <<<"$out")"
        log=$(tail -n +2 <<<"$out")
}

guest mkdir -p /etc/upkeep/apps
guest sh -c 'cat > /etc/upkeep/apps/hello.app' <<APP
[App]
Source=go:example.com/hello
Exec=hello 8082
GoDNS=gw.test
GoProxy=http://127.0.0.1:8091/
GoBuild=http://127.0.0.1:8090/
GoBuildKey=$GOFAKE_KEY

[Update]
Policy=manual
ToolchainPolicy=manual
TrialSec=1s
APP
guest systemctl daemon-reload

# --- nothing runs yet: the proxy alone answers ------------------------------------------------------
proxy_lists v1.0.0
dns_answers "{\"$NAME\": {\"txt\": \"v=v1.0.0 t=65a1b2c3\"}}"
out=$(guest upkeepctl --no-ask-password update hello 2>&1); rc=$?
expect_eq "the first install succeeds" "$rc" 0
[ "$rc" = 0 ] || echo "$out"
expect_eq "... to v1.0.0+go1.21.5" "$(prop CurrentVersion)" 's "v1.0.0+go1.21.5"'
expect_eq "... without asking DNS: nothing runs whose version an answer could match" "$(dns_queries)" 0

# --- DNS names the running version: the proxy's version list is not asked for -----------------------
check
expect_eq "DNS names the running version: the check succeeds" "$rc" 0
expect_eq "... asking the DNS server once" "$queries" 1
expect_eq "... and not the proxy for the version list" "$lists" 0
expect_match "... saying so" "$log" 'GopherWatch DNS names v1\.0\.0, the running version, as the newest of example\.com/hello'
expect_eq "... nothing newer is available" "$(prop AvailableVersion)" 's "v1.0.0+go1.21.5"'

# --- DNS names a newer version the proxy lists: found, confirmed by the proxy ------------------------
proxy_lists v1.0.0 v1.1.0
dns_answers "{\"$NAME\": {\"txt\": \"v=v1.1.0 t=65a1b2c4; v=v1.1.0-rc.1 t=65a1b2c0\"}}"
check
expect_eq "DNS names v1.1.0, which the proxy lists: the check succeeds" "$rc" 0
expect_eq "... and finds v1.1.0" "$(prop AvailableVersion)" 's "v1.1.0+go1.21.5"'
expect_eq "... asking the proxy for the version list" "$lists" 1
expect_match "... which confirms what DNS named" "$log" 'the module proxy lists v1\.1\.0 of example\.com/hello, which GopherWatch DNS named'

# --- answers that are no use: the proxy answers alone, and the check succeeds ------------------------
# dns_ignored WHAT ANSWERS LOG-PATTERN: with the DNS server answering ANSWERS (or "down"), a check
# succeeds, asks the proxy for the version list, finds v1.1.0 (what the proxy lists), and logs why the
# DNS answer was not used (unless LOG-PATTERN is empty: everyday failures are logged at debug only).
dns_ignored() {
        local what=$1 answers=$2 pattern=$3
        if [ "$answers" = down ]; then guest systemctl stop godns-server; else dns_answers "$answers"; fi
        check
        expect_eq "$what: the check succeeds" "$rc" 0
        expect_eq "... asking the proxy for the version list" "$lists" 1
        expect_eq "... which has its way" "$(prop AvailableVersion)" 's "v1.1.0+go1.21.5"'
        [ -z "$pattern" ] || expect_match "... saying why" "$log" "$pattern"
}
dns_ignored "DNS names v9.0.0, which the proxy does not list" "{\"$NAME\": {\"txt\": \"v=v9.0.0 t=65a1b2c4\"}}" \
        'GopherWatch DNS named v9\.0\.0 of example\.com/hello, which the module proxy does not list: ignoring'
dns_ignored "DNS names a version older than the running one" "{\"$NAME\": {\"txt\": \"v=v0.9.0 t=65a1b2c4\"}}" \
        'names v0\.9\.0 as the newest of example\.com/hello, older than the running v1\.0\.0: ignoring'
dns_ignored "a malformed TXT answer" "{\"$NAME\": {\"txt\": \"v=v1.0.0 t=nothex\"}}" 'not a list of versions'
dns_ignored "a TXT answer longer than 4096 bytes" \
        "{\"$NAME\": {\"txt\": \"v=v1.0.0 t=1$(printf ' x%.0s=0123456789' $(seq 400))\"}}" 'the answer is too long'
dns_ignored "SERVFAIL" "{\"$NAME\": {\"rcode\": \"SERVFAIL\"}}" ''
dns_ignored "NXDOMAIN" '{}' ''
expect_eq "... the DNS server was asked each time" "$queries" 1
start=$SECONDS
dns_ignored "a DNS server that does not answer" "{\"$NAME\": {\"drop\": true}}" ''
expect_match "... the lookup gave up in time (2 s per try, 2 tries)" "$((SECONDS - start))" '^([0-9]|1[0-4])$'
echo "(the check with an unanswered lookup took $((SECONDS - start)) s)"
dns_ignored "no DNS server at all" down ''

# --- GoDNSSEC=yes: only an answer with the resolver's AD bit counts --------------------------------
dns_start
set_key GoDNSSEC yes
dns_ignored "GoDNSSEC=yes, an answer without the AD bit" "{\"$NAME\": {\"txt\": \"v=v1.1.0 t=1\", \"ad\": false}}" \
        'did not validate the answer \(no AD bit\), and GoDNSSEC=yes'
dns_answers "{\"$NAME\": {\"txt\": \"v=v1.1.0 t=1\", \"ad\": true}}"
check
expect_eq "GoDNSSEC=yes, an answer with the AD bit: the check succeeds" "$rc" 0
expect_match "... and uses it" "$log" 'the module proxy lists v1\.1\.0 of example\.com/hello, which GopherWatch DNS named'
proxy_lists v1.0.0
dns_answers "{\"$NAME\": {\"txt\": \"v=v1.0.0 t=1\", \"ad\": true}}"
check
expect_eq "... one naming the running version spares the version list" "$lists" 0

# --- GoDNS= empty: no DNS query at all -----------------------------------------------------------------
set_key GoDNSSEC -
set_key GoDNS ''
check
expect_eq "GoDNS= empty: the check succeeds" "$rc" 0
expect_eq "... asking no DNS server" "$queries" 0
expect_eq "... and the proxy for the version list" "$lists" 1

upkeep_finish
