#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# gobuild downloads verified through the transparency log, against service trees written by Go's own
# sumdb packages (tests/gobuild-fake): honest logs of several sizes, and each lie a service could tell.
# The trees are also served by python3 -m http.server, to show they are what a client fetches.
# Usage: test-gobuild-fake.sh GOBUILD-CHECK GENERATOR-SOURCE-DIR
set -u

check=$1
src=$2
fail=0

command -v go >/dev/null || { echo "SKIP: no Go toolchain (Debian: golang-go)"; exit 77; }
[ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/note ] ||
        { echo "SKIP: golang.org/x/mod is missing (Debian: golang-golang-x-mod-dev)"; exit 77; }

tmp=$(mktemp -d /tmp/test-gobuild-fake.XXXXXX)
server_pid=
cleanup() {
        [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
        rm -rf "$tmp"
}
trap cleanup EXIT

# Offline, from Debian's packaged sources only.
(cd "$src" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$tmp/gocache" GOFLAGS= \
        go build -o "$tmp/gobuild-fake" .) || { echo "FAIL: building the generator"; exit 1; }

gen() {  # gen NAME [FLAGS...]: a service tree in $tmp/NAME
        local name=$1
        shift
        "$tmp/gobuild-fake" -dir "$tmp/$name" "$@" >"$tmp/$name.key" || { echo "FAIL: generating $name"; exit 1; }
}

# expect DESCRIPTION PATTERN CHECK-ARGS...: the checker's one line of output matches PATTERN.
expect() {
        local what=$1 pattern=$2 out
        shift 2
        out=$("$check" "$@" 2>&1)
        if [[ "$out" =~ $pattern ]]; then
                echo "ok: $what: $out"
        else
                echo "FAIL: $what: expected /$pattern/, got: $out"
                fail=1
        fi
}

gen honest
gen big -records 66000
gen other-seed -seed other
for lie in wrong-key bad-signature other-build bad-binary fork garbage-tiles; do
        gen "$lie" -tamper "$lie"
done

# The key printed is the one in the tree, and it is a verifier key for the log's name.
[ "$(cat "$tmp/honest.key")" = "$(cat "$tmp/honest/verifier-key")" ] || { echo "FAIL: printed key differs"; fail=1; }
[[ "$(cat "$tmp/honest.key")" =~ ^gobuild\.test\+[0-9a-f]{8}\+ ]] || { echo "FAIL: key $(cat "$tmp/honest.key")"; fail=1; }

H=$tmp/honest
hello() {  # hello VERSION GOVERSION [GOARCH]: the build spec of example.com/hello
        echo example.com/hello "$1" / linux "${3:-amd64}" "$2"
}

# Every build, without and with a pinned older head; a pinned head newer than the served one (the
# served head is then proved to be its prefix, and the record to be in the pinned tree).
while read -r id module version dir goos goarch goversion; do
        expect "lookup $module $version $goos-$goarch $goversion" "^ok id=$id tree=520 " \
                "$H" lookup "$module" "$version" "$dir" "$goos" "$goarch" "$goversion"
done <"$H/test/builds"
for pinned in 1 4 256 257 513 520; do
        expect "hello v1.1.0 go1.22.0 after pinning $pinned" "^ok id=256 tree=520 " \
                "$H" lookup $(hello v1.1.0 go1.22.0) "$H/test/heads/$pinned"
done
# A lookup answered with an older head (a lagging mirror): fine when it is a prefix of the pinned one.
lookup=$tmp/big/tlog/lookup/example.com/hello@v1.0.0/linux-amd64-go1.22.0/index.html
{ head -n 3 "$lookup"; cat "$tmp/big/test/heads/513"; } >"$tmp/older" && mv "$tmp/older" "$lookup"
expect "a served head older than the pinned one" "^ok id=3 tree=66000 " \
        "$tmp/big" lookup $(hello v1.0.0 go1.22.0) "$tmp/big/test/heads/66000"
expect "a build the service does not have" "^refused: lookup not found \(ENOENT\)" \
        "$H" lookup $(hello v1.2.0 go1.22.0)

# Inclusion at every published size (full and partial tiles at levels 0 and 1): every record up to
# 302, every third one (and the last) beyond; a sample in a log with level-2 tiles.
for size in $(ls "$H/test/heads" | sort -n); do
        if [ "$size" -le 302 ]; then
                expect "inclusion of all records in a tree of $size" "^ok $size records in a tree of $size$" \
                        "$H" inclusion "$H/test/heads/$size"
        else
                expect "inclusion of every third record in a tree of $size" "^ok [0-9]+ records in a tree of $size$" \
                        "$H" inclusion "$H/test/heads/$size" 3
        fi
done
for size in 65535 65536 65537 66000; do
        expect "inclusion of sampled records in a tree of $size" "^ok [0-9]+ records in a tree of $size$" \
                "$tmp/big" inclusion "$tmp/big/test/heads/$size" 331
done

# Consistency of every published size with every larger one.
heads=$(ls "$H/test/heads" | sort -n | sed "s|^|$H/test/heads/|")
expect "every published head is a prefix of every later one" "^ok 91 pairs, 1 is a prefix of 520$" \
        "$H" consistency $heads
expect "consistency across level-2 tiles" "^ok 1 pairs, 513 is a prefix of 66000$" \
        "$tmp/big" consistency "$tmp/big/test/heads/513" "$tmp/big/test/heads/66000"

# The lies.
expect "notes signed by another key of the same name" "^refused: tree head note \(ENOKEY\)" \
        "$tmp/wrong-key" lookup $(hello v1.1.0 go1.22.0)
expect "notes with a corrupted signature" "^refused: tree head note \(EKEYREJECTED\)" \
        "$tmp/bad-signature" lookup $(hello v1.1.0 go1.22.0)
expect "another key of the same name pinned" "^refused: tree head note \(ENOKEY\)" \
        --key "$(cat "$tmp/other-seed.key")" "$H" lookup $(hello v1.1.0 go1.22.0)
expect "another service's key pinned" "^refused: tree head note \(ENOKEY\)" \
        --key "beta.gobuilds.org+3979319f+AReBl47t6/Zl24/pmarcKhJtsfAU2c1F5Wtu4hrOgOQQ" "$H" lookup $(hello v1.1.0 go1.22.0)
expect "the record of another platform" "^refused: record is for another build" \
        "$tmp/other-build" lookup $(hello v1.1.0 go1.22.0)
expect "the record of another module" "^refused: record is for another build" \
        "$tmp/other-build" lookup $(hello v1.0.0 go1.22.0)
expect "a binary whose hash differs from the record" "^refused: binary does not match the logged sum" \
        "$tmp/bad-binary" lookup $(hello v1.1.0 go1.21.5)
for pinned in 201 256 302 513; do
        expect "a forked log after pinning $pinned, past the fork" "^refused: fork: .* \(EKEYREJECTED\)" \
                "$tmp/fork" lookup $(hello v1.1.0 go1.22.0) "$H/test/heads/$pinned"
done
expect "a forked log of the pinned size" "^refused: fork: .* \(EKEYREJECTED\)" \
        "$tmp/fork" lookup $(hello v1.1.0 go1.22.0) "$H/test/heads/520"
expect "a forked log shorter than the pinned one, without tiles to prove it a prefix" \
        "^refused: fetching tiles \(ENOENT\)" \
        "$tmp/fork" lookup $(hello v1.1.0 go1.22.0) "$tmp/big/test/heads/66000"
expect "a forked log when the pinned head is before the fork" "^ok id=256 tree=520 " \
        "$tmp/fork" lookup $(hello v1.1.0 go1.22.0) "$H/test/heads/7"
expect "a forked tree of the same size" "^520 -> 520: refused: consistency \(EKEYREJECTED\)" \
        "$tmp/fork" consistency "$H/test/heads/520" "$tmp/fork/test/heads/520"
expect "garbage tiles, nothing pinned" "^refused: record not in the log \(EKEYREJECTED\)" \
        "$tmp/garbage-tiles" lookup $(hello v1.1.0 go1.22.0)
for pinned in 256 400; do
        expect "garbage tiles, $pinned pinned" "^refused: fork: .* \(EKEYREJECTED\)" \
                "$tmp/garbage-tiles" lookup $(hello v1.1.0 go1.22.0) "$H/test/heads/$pinned"
done
# A wrong hash beside the record's path (the record's own hash intact): the proof fails.
printf '\377' | dd of="$H/tlog/tile/8/0/002.p/8" bs=1 seek=40 conv=notrunc status=none
expect "a tile with one wrong hash on the proof's path" "^refused: record not in the log \(EKEYREJECTED\)" \
        "$H" lookup $(hello v1.1.0 go1.22.0)
truncate -s 100 "$H/tlog/tile/8/0/002.p/8"
expect "a tile of the wrong length" "^refused: fetching tiles \(EBADMSG\)" \
        "$H" lookup $(hello v1.1.0 go1.22.0)

# Served over HTTP as a gobuild service is: the lookup URL ends in a slash, the download is the .gz.
if command -v python3 >/dev/null && command -v curl >/dev/null; then
        python3 -u -m http.server --bind 127.0.0.1 --directory "$H" 0 >"$tmp/http.log" 2>&1 &
        server_pid=$!
        port=
        for _ in $(seq 100); do
                port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$tmp/http.log" | head -n1)
                [ -n "$port" ] && break
                sleep 0.1
        done
        base=http://127.0.0.1:$port
        key=example.com/hello@v1.1.0/linux-amd64-go1.22.0/
        sum=$(sed -n 2p "$H/tlog/lookup/${key}index.html" | cut -d' ' -f8)
        if curl -fsS "$base/tlog/lookup/$key" | cmp -s - "$H/tlog/lookup/${key}index.html" &&
           curl -fsS "$base/tlog/latest" | cmp -s - "$H/tlog/latest" &&
           curl -fsS "$base/tlog/tile/8/1/000.p/2" | cmp -s - "$H/tlog/tile/8/1/000.p/2" &&
           curl -fsS "$base/${key}$sum/hello-v1.1.0-go1.22.0.gz" | gunzip | grep -q '^#gobuild-fake example.com/hello@v1.1.0 go1.22.0 linux-amd64$'; then
                echo "ok: served over HTTP at the paths gobuild uses"
        else
                echo "FAIL: serving the tree over HTTP"
                fail=1
        fi
fi

exit $fail
