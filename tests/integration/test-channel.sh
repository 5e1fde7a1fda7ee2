#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Release channels end to end, in a real systemd with a local HTTP server and channels signed by the
# real minisign tool: a good release is discovered, downloaded, verified and staged; an unchanged
# channel costs a 304; and every tampering is refused with its own clear error while what is staged
# stays as it was.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/publisher.sh"
publisher_setup

archives good:1.0.0 good:1.1.0
for kind in dotdot absolute symlink-escape hardlink-escape device setuid bomb; do
        $tool archive "$www/example-$kind.tar.gz" "$kind"
done

upkeep_boot channel

publisher_serve
example_app $'\n[Update]\nPolicy=minor'

APP=/org/upkeep1/app/example
prop() {
        guest busctl get-property org.upkeep1 "$APP" org.upkeep1.App "$1"
}
versions() {
        guest sh -c 'ls /var/lib/upkeep/apps/example/versions 2>/dev/null | tr "\n" " "'
}
# check: run "upkeepctl check example"; prints its exit code.
check() {
        guest upkeepctl --no-ask-password check example >/tmp/upkeep-check.$$ 2>&1
        echo $?
}

# --- a good release ------------------------------------------------------------------------------
publish 1 1.0.0=$www/example-1.0.0.tar.gz
expect_eq "upkeepctl check succeeds" "$(check)" 0
expect_eq "AvailableVersion" "$(prop AvailableVersion)" 's "1.0.0"'
expect_eq "PendingVersion: staged automatically" "$(prop PendingVersion)" 's "1.0.0"'
expect_eq "versions/ holds it" "$(versions)" "1.0.0 "
expect_eq "the staged tree is complete" "$(guest cat /var/lib/upkeep/apps/example/versions/1.0.0/bin/current-version)" 1.0.0
expect_match "... and read-only" "$(guest stat -c %A /var/lib/upkeep/apps/example/versions/1.0.0/bin/example)" '^-r-xr-xr-x$'
expect_match "the journal tells of it" "$(guest journalctl UPKEEP_APP=example -o cat --no-pager)" 'example 1.0.0 staged'
expect_eq "partial/ is empty" "$(guest ls -A /var/lib/upkeep/apps/example/partial)" ""

not_modified_count() {
        guest journalctl -u channel-server -o cat --no-pager | grep -c ' 304 '
}
before=$(not_modified_count)
expect_eq "checking an unchanged channel succeeds" "$(check)" 0
# The server's log line reaches the journal on its own time: wait for it, briefly.
for _ in $(seq 20); do
        after=$(not_modified_count)
        [ "$after" -gt "$before" ] && break
        sleep 0.1
done
sleep 0.3
expect_eq "... and costs one 304" "$(( $(not_modified_count) - before ))" 1

publish 2 1.0.0=$www/example-1.0.0.tar.gz 1.1.0=$www/example-1.1.0.tar.gz
expect_eq "a newer release is found" "$(check)" 0
expect_eq "... AvailableVersion 1.1.0" "$(prop AvailableVersion)" 's "1.1.0"'
expect_eq "... staged" "$(versions)" "1.0.0 1.1.0 "

# --- refusals: each one its own clear error; nothing new staged; the accepted serial stays -------
# refuse WHAT ERROR REASON-REGEX: check must fail with exit status 7 (refused), naming the D-Bus
# error that JobRemoved carried; LastError must match; versions/ must be unchanged.
refuse() {
        local what=$1 error=$2 pattern=$3 before_versions
        before_versions=$(versions)
        expect_eq "$what is refused (exit status 7)" "$(check)" 7
        expect_match "... as org.upkeep1.Error.$error" "$(cat /tmp/upkeep-check.$$)" "\\(org\\.upkeep1\\.Error\\.$error\\)\$"
        expect_match "... LastError says why" "$(prop LastError)" "$pattern"
        expect_eq "... and nothing new is staged" "$(versions)" "$before_versions"
}
publish 3 1.2.0=$www/example-1.1.0.tar.gz,sha256=$(printf '0%.0s' {1..64})
refuse "a tampered artifact (SHA-256 differs)" HashMismatch 'SHA-256 [0-9a-f]{64}, the channel says 0{64}'
publish 4 1.2.0=$www/example-1.1.0.tar.gz,size=100
refuse "an artifact larger than declared" SizeMismatch 'larger than the 100 bytes the channel declares'
publish 5 1.0.0=$www/example-1.0.0.tar.gz
sed -i 's/"serial": \([0-9]*\)/"serial": \11/' "$www/channel.json"   # a serial changed after signing
harness_copy_in "$UPKEEP_GUEST" "$www/channel.json" /srv/www/example/channel.json
refuse "a channel changed after signing" SignatureInvalid 'signature does not verify'
publish 7 --key other 1.0.0=$www/example-1.0.0.tar.gz
refuse "a channel signed by another key" WrongKey 'signed by key [0-9A-F]{1,16}, not the app.{1,2}s key'
publish 8 --expires 2020-01-01T00:00:00Z 1.0.0=$www/example-1.0.0.tar.gz
refuse "an expired channel" ChannelExpired 'expire'
publish 1 1.0.0=$www/example-1.0.0.tar.gz
refuse "a replayed older serial" ChannelReplayed 'serial'
publish 9 --app other 1.0.0=$www/example-1.0.0.tar.gz
refuse "a channel for another app" WrongApp 'other'
serial=10
for kind in dotdot absolute symlink-escape hardlink-escape device setuid bomb; do
        publish $serial 1.3.$serial=$www/example-$kind.tar.gz
        error=UnsafeRelease
        [ $kind = bomb ] && error=ReleaseTooLarge
        refuse "an archive with $kind" $error "release 1\\.3\\.$serial refused"
        serial=$((serial + 1))
done
expect_match "refusals are journalled as verification failures" \
        "$(guest journalctl UPKEEP_APP=example MESSAGE_ID=650f3ce66f54405fac791bc5ab3e7e7d -o cat --no-pager | wc -l)" '^(1[4-9]|[2-9][0-9])$'
expect_eq "nothing escaped the release directory" "$(guest find /var/lib/upkeep /etc -name '*evil*')" ""
expect_eq "the staged versions are intact" "$(guest cat /var/lib/upkeep/apps/example/versions/1.1.0/share/VERSION)" 1.1.0

# --- manual update of a chosen version, and errors on the bus --------------------------------------
publish 30 1.0.0=$www/example-1.0.0.tar.gz 1.1.0=$www/example-1.1.0.tar.gz
out=$(guest upkeepctl --no-ask-password update example 9.9.9 2>&1); rc=$?
expect_eq "update to a version not in the channel exits 4 (no such version)" "$rc" 4
expect_match "... naming it" "$out" '9\.9\.9 is not in the channel'
out=$(guest busctl call org.upkeep1 "$APP" org.upkeep1.App Update s 1.2 2>&1)
expect_match "Update with an invalid version is a named error" "$out" "'1\\.2' is not a valid version"


# --- upkeepctl verify: a file against its minisign signature, in the guest, without the daemon -----
keyid() {
        head -n 1 "$1" | grep -oE '[0-9A-F]{1,16}$'
}
cp "$www/example-1.1.0.tar.gz" "$pub/x"
minisign -S -s "$pub/key.sec" -m "$pub/x" -t "example 1.1.0, verified by hand" >/dev/null
minisign -S -s "$pub/other.sec" -m "$pub/x" -x "$pub/x.other.minisig" >/dev/null
cp "$pub/x" "$pub/x-tampered"; printf 'X' >>"$pub/x-tampered"
cp "$pub/x.minisig" "$pub/x-tampered.minisig"
for f in x x.minisig x.other.minisig x-tampered x-tampered.minisig key.pub; do
        harness_copy_in "$UPKEEP_GUEST" "$pub/$f" "/tmp/$f"
done
out=$(guest upkeepctl verify /tmp/x --key "$key" 2>&1); rc=$?
expect_eq "verify of a well-signed file exits 0" "$rc" 0
expect_match "... and says so, with the trusted comment" "$out" \
        "^/tmp/x: signature OK \\(key ID $(keyid "$pub/key.pub")\\), trusted comment: example 1\\.1\\.0, verified by hand$"
out=$(guest upkeepctl verify /tmp/x --key /tmp/key.pub 2>&1); rc=$?
expect_eq "verify takes a minisign.pub file as --key" "$rc" 0
out=$(guest upkeepctl verify /tmp/x-tampered --key "$key" 2>&1); rc=$?
expect_eq "verify of a tampered file exits 1" "$rc" 1
expect_match "... saying it does not verify" "$out" 'does not verify'
out=$(guest upkeepctl verify /tmp/x --signature=/tmp/x.other.minisig --key "$key" 2>&1); rc=$?
expect_eq "verify of a file signed by another key exits 1" "$rc" 1
expect_match "... naming both key IDs" "$out" \
        "signed by key $(keyid "$pub/other.pub"), not $(keyid "$pub/key.pub")"
out=$(guest upkeepctl verify /tmp/x 2>&1); rc=$?
expect_eq "verify without --key is a usage error" "$rc" 2
out=$(guest upkeepctl verify /tmp/x --signature=/tmp/key.pub --key "$key" 2>&1); rc=$?
expect_eq "verify with a malformed signature exits 1" "$rc" 1
expect_match "... saying so" "$out" 'is not a minisign signature'

# --- upkeepctl stage: a local file, handed to upkeepd as an open descriptor ----------------------
harness_copy_in "$UPKEEP_GUEST" "$www/example-1.1.0.tar.gz" /tmp/example-1.1.0.tar.gz
out=$(guest upkeepctl --no-ask-password stage example /tmp/example-1.1.0.tar.gz 1.4.0 2>&1); rc=$?
expect_eq "stage of a local archive exits 0" "$rc" 0
expect_eq "... versions/1.4.0 exists" "$(guest sh -c 'test -d /var/lib/upkeep/apps/example/versions/1.4.0 && echo yes')" yes
expect_eq "... unpacked" "$(guest cat /var/lib/upkeep/apps/example/versions/1.4.0/share/VERSION)" 1.1.0
expect_eq "... PendingVersion 1.4.0" "$(prop PendingVersion)" 's "1.4.0"'
expect_match "... journalled as staged" \
        "$(guest journalctl UPKEEP_APP=example UPKEEP_VERSION=1.4.0 MESSAGE_ID=5ed54014084547669ceb2b684d1bda7b -o cat --no-pager)" \
        'example 1\.4\.0 staged from a local file'
harness_copy_in "$UPKEEP_GUEST" "$www/example-dotdot.tar.gz" /tmp/example-dotdot.tar.gz
out=$(guest upkeepctl --no-ask-password stage example /tmp/example-dotdot.tar.gz 1.5.0 2>&1); rc=$?
expect_eq "stage of a malicious archive is refused (exit 7)" "$rc" 7
expect_match "... with the reason and its error" "$out" 'Archive refused: .*\.\..*org\.upkeep1\.Error\.UnsafeRelease'
expect_eq "... and nothing is staged" "$(guest sh -c 'test -e /var/lib/upkeep/apps/example/versions/1.5.0 || echo none')" none
expect_eq "... PendingVersion stays" "$(prop PendingVersion)" 's "1.4.0"'
out=$(guest upkeepctl stage example /tmp/example-1.1.0.tar.gz 1.6 2>&1); rc=$?
expect_eq "stage with an invalid version is a usage error" "$rc" 2
guest chmod 644 /tmp/example-1.1.0.tar.gz
out=$(guest setpriv --reuid=nobody --regid="$(guest id -g nobody)" --init-groups \
        upkeepctl --no-ask-password stage example /tmp/example-1.1.0.tar.gz 1.6.0 2>&1); rc=$?
expect_eq "stage by an unauthorized user exits 5" "$rc" 5
expect_eq "... and nothing is staged" "$(guest sh -c 'test -e /var/lib/upkeep/apps/example/versions/1.6.0 || echo none')" none

upkeep_finish
