#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A release channel in a private S3 bucket, in a real systemd, against a local S3-compatible server
# that checks each request's AWS Signature Version 4 with botocore's own signer
# (s3-test-server.py): an app with Source=s3://… installs and updates from the bucket with its
# credentials from a root-only file, and from a systemd credential of upkeepd.service; missing
# credentials, a file others may read, a wrong secret and a wrong access key are refused with clear
# errors while the running version keeps running; a redirect gets no signed request; and the secret
# is nowhere on the bus, in the journal, in state.json or in a command line.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/publisher.sh"

/usr/bin/python3 -c 'import botocore.auth' 2>/dev/null || { echo "SKIP: python3-botocore is not installed"; exit 77; }

publisher_setup
archives good:1.0.0 good:1.1.0 good:1.2.0 good:1.3.0

upkeep_boot s3
publisher_serve

# Secrets of the test's own: nothing in them can appear anywhere by chance.
secret="upkeepS3secret$(openssl rand -hex 12)/x+y"
wrong_secret="upkeepS3wrong$(openssl rand -hex 12)"
token="upkeepS3token$(openssl rand -hex 16)"
access_key=AKIDUPKEEPTEST01
creds() {  # creds ACCESS-KEY SECRET: a credentials file's contents
        printf '# S3 credentials of example\nAccessKeyId=%s\nSecretAccessKey=%s\nSessionToken=%s\n' "$1" "$2" "$token"
}
# put_creds PATH MODE CONTENT: a file in the guest, written as root with that mode.
put_creds() {
        printf '%s' "$3" | guest sh -c "umask 077; mkdir -p \"\$(dirname $1)\"; cat > $1; chmod $2 $1"
}

# The server: bucket "releases" whose "apps/" is the publisher's tree (/srv/www); credentials from a
# file, never its command line (which the journal shows).
harness_copy_in "$UPKEEP_GUEST" "$(dirname "$0")/s3-test-server.py" /usr/local/bin/s3-test-server
put_creds /etc/s3-test-server.creds 0600 "$(creds "$access_key" "$secret")"
guest mkdir -p /srv/s3/releases
guest ln -s /srv/www /srv/s3/releases/apps
guest systemd-run --quiet --unit=s3-server /usr/bin/python3 /usr/local/bin/s3-test-server --root /srv/s3 \
        --bind 127.0.0.1 --port 9000 --region eu-test-1 --credentials /etc/s3-test-server.creds
# A bystander a redirect might point at: it must never see a request.
guest systemd-run --quiet --unit=bystander /usr/bin/python3 -m http.server --bind 127.0.0.1 --directory /srv/www 9001

printf '[App]\nSource=s3://releases/apps/example/\nS3Endpoint=http://127.0.0.1:9000\nS3Region=eu-test-1\nPublicKey=%s\nExec=bin/example --port 8081\n[Update]\nPolicy=minor\nTrialSec=2s\n' \
        "$key" | guest sh -c 'cat > /etc/upkeep/apps/example.app'
guest systemctl daemon-reload

APP=/org/upkeep1/app/example
prop() {
        guest busctl get-property org.upkeep1 "$APP" org.upkeep1.App "$1"
}
serves() {
        guest curl -s --max-time 2 http://127.0.0.1:8081/ || echo down
}
check() {  # runs "upkeepctl check example"; prints its exit code, its output in /tmp/upkeep-check.$$
        guest upkeepctl --no-ask-password check example >/tmp/upkeep-check.$$ 2>&1
        echo $?
}
upkeep_remove_on_exit /tmp/upkeep-check.$$
server_log() {
        guest journalctl -u s3-server -o cat --no-pager
}

publish 1 1.0.0=$www/example-1.0.0.tar.gz

# --- no credentials yet, then a file others could read ---------------------------------------------
expect_eq "without credentials, check fails (exit 1)" "$(check)" 1
expect_match "... LastError says where they are looked for" "$(prop LastError)" \
        'no S3 credentials for s3://releases/apps/example/: neither /etc/upkeep/credentials/example\.s3 nor the credential upkeep\.s3\.example of upkeepd\.service exists'
put_creds /etc/upkeep/credentials/example.s3 0644 "$(creds "$access_key" "$secret")"
expect_eq "credentials readable by others are refused (exit 1)" "$(check)" 1
expect_match "... naming the file and its mode" "$(prop LastError)" \
        'refusing the S3 credentials file /etc/upkeep/credentials/example\.s3: it is owned by UID 0 with mode 0644, but must be owned by root and accessible to nobody else'
expect_eq "... and no request reached the bucket" "$(server_log | grep -c 'GET ')" 0

# --- install and update from the bucket --------------------------------------------------------------
guest chmod 0600 /etc/upkeep/credentials/example.s3
out=$(guest upkeepctl --no-ask-password update example 1.0.0 2>&1); rc=$?
expect_eq "with root-only credentials, update to 1.0.0 succeeds" "$rc" 0
[ "$rc" = 0 ] || echo "$out"
expect_eq "... it runs" "$(guest systemctl is-active upkeep@example.service)" active
expect_eq "... and serves 1.0.0" "$(serves)" 1.0.0
expect_match "every request was signed and verified (200s)" "$(server_log)" \
        'GET /releases/apps/example/1\.0\.0/linux-[a-z0-9]+/example-1\.0\.0\.tar\.gz 200'
expect_eq "... none refused" "$(server_log | grep -c ' 40[0-9]')" 0

before=$(server_log | grep -c 'channel.json 304')
expect_eq "checking the unchanged channel succeeds" "$(check)" 0
sleep 0.3
expect_eq "... and costs one signed 304 (If-None-Match)" "$(( $(server_log | grep -c 'channel.json 304') - before ))" 1

publish 2 1.0.0=$www/example-1.0.0.tar.gz 1.1.0=$www/example-1.1.0.tar.gz
expect_eq "a new release in the bucket is found" "$(check)" 0
expect_eq "... and staged" "$(prop PendingVersion)" 's "1.1.0"'
guest upkeepctl --no-ask-password apply example >/dev/null 2>&1
expect_eq "applied, 1.1.0 runs" "$(prop CurrentVersion)" 's "1.1.0"'
expect_eq "... and serves" "$(serves)" 1.1.0

# --- a wrong secret, a wrong access key: refused, clearly; what runs keeps running ------------------
publish 3 1.0.0=$www/example-1.0.0.tar.gz 1.1.0=$www/example-1.1.0.tar.gz 1.2.0=$www/example-1.2.0.tar.gz
put_creds /etc/upkeep/credentials/example.s3 0600 "$(creds "$access_key" "$wrong_secret")"
expect_eq "with a wrong secret, check fails (exit 1)" "$(check)" 1
sig_error="S3 refused the request signature for s3://releases/apps/example/channel\\.json: SignatureDoesNotMatch — check the app's S3 credentials"
expect_match "... upkeepctl says why" "$(cat /tmp/upkeep-check.$$)" "$sig_error"
# busctl shows the dash and the apostrophe escaped.
expect_match "... LastError says why" "$(prop LastError)" \
        "S3 refused the request signature for s3://releases/apps/example/channel\\.json: SignatureDoesNotMatch .{1,12} check the app.{1,2}s S3 credentials"
expect_match "... upkeepctl status shows it" "$(guest upkeepctl status example 2>&1)" "$sig_error"
expect_match "... the journal has it" "$(guest journalctl UPKEEP_APP=example -o cat --no-pager)" "check of example failed: $sig_error"
expect_match "... the server refused the signature" "$(server_log)" 'channel\.json 403 SignatureDoesNotMatch'
expect_eq "... nothing new is staged" "$(prop PendingVersion)" 's ""'
expect_eq "... 1.1.0 still runs" "$(prop CurrentVersion)" 's "1.1.0"'
expect_eq "... and serves" "$(serves)" 1.1.0

put_creds /etc/upkeep/credentials/example.s3 0600 "$(creds AKIDNOSUCHKEY0001 "$secret")"
expect_eq "with an unknown access key, check fails (exit 1)" "$(check)" 1
expect_match "... naming S3's InvalidAccessKeyId" "$(prop LastError)" \
        'S3 refused the request signature for s3://releases/apps/example/channel\.json: InvalidAccessKeyId .{1,12} check the app'

put_creds /etc/upkeep/credentials/example.s3 0600 "$(printf 'AccessKeyId=%s\n%s\n' "$access_key" "$secret")"
expect_eq "a malformed credentials file fails the check (exit 1)" "$(check)" 1
expect_match "... naming the line, not its content" "$(prop LastError)" \
        'the S3 credentials file /etc/upkeep/credentials/example\.s3 is malformed: line 2 is not Key=value"$'

# --- the credentials as a systemd credential of upkeepd.service (LoadCredential=) ---------------------
guest rm /etc/upkeep/credentials/example.s3
put_creds /etc/credstore/upkeep.s3.example 0600 "$(creds "$access_key" "$secret")"
guest mkdir -p /etc/systemd/system/upkeepd.service.d
printf '[Service]\nLoadCredential=upkeep.s3.example:/etc/credstore/upkeep.s3.example\n' |
        guest sh -c 'cat > /etc/systemd/system/upkeepd.service.d/50-s3.conf'
guest systemctl daemon-reload
guest systemctl stop upkeepd.service
expect_eq "with LoadCredential= on upkeepd.service, check succeeds" "$(check)" 0
expect_eq "... and stages 1.2.0" "$(prop PendingVersion)" 's "1.2.0"'

# --- a redirect from the bucket: not followed, so the signature goes nowhere else --------------------
publish 4 1.1.0=$www/example-1.1.0.tar.gz 1.2.0=$www/example-1.2.0.tar.gz 1.3.0=$www/example-1.3.0.tar.gz
artifact=$(guest sh -c 'cd /srv/www/example && ls 1.3.0/*/example-1.3.0.tar.gz')
echo "http://127.0.0.1:9001/example/$artifact" | guest sh -c "cat > /srv/www/example/$artifact.redirect"
expect_eq "an artifact redirected elsewhere fails the check (exit 1)" "$(check)" 1
expect_match "... as S3's answer" "$(prop LastError)" "S3 answered HTTP 307 for s3://releases/apps/example/$artifact\"\$"
expect_eq "... the other host got no request" "$(guest journalctl -u bystander -o cat --no-pager | grep -c 'GET ')" 0
expect_eq "... 1.1.0 still runs" "$(prop CurrentVersion)" 's "1.1.0"'

# --- the secret is nowhere it must not be ----------------------------------------------------------
pid=$(guest systemctl show -P MainPID upkeepd.service)
where="$(guest journalctl -o verbose --no-pager)
$(guest busctl introspect org.upkeep1 "$APP")
$(guest busctl call org.upkeep1 "$APP" org.freedesktop.DBus.Properties GetAll s org.upkeep1.App)
$(guest upkeepctl status example 2>&1)
$(guest cat /var/lib/upkeep/apps/example/state.json)
$(guest ps -eo args)
$(guest sh -c "tr '\\0' '\\n' </proc/$pid/environ")"
expect_match "(the search sees the app's state)" "$where" 'S3 answered HTTP 307'
for s in "$secret" "$wrong_secret" "$token"; do
        expect_eq "the secret ${s:0:16}… is not in the journal, on the bus, in state.json, argv or environment" \
                "$(grep -cF -- "$s" <<<"$where")" 0
done

upkeep_finish
