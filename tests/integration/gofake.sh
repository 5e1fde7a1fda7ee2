#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the Go app tests (test-gosource.sh, test-godns.sh) build on the host before they boot: the fake
# gobuild service (tests/gobuild-fake, written with Go's own sumdb packages), the Go program every one
# of its builds holds, and a service tree of signed tree heads, tiles and builds per variant. Sourced
# after lib.sh.
#
#   gofake_skip_unless_possible        # exit 77 without a Go toolchain, golang.org/x/mod or amd64
#   gofake_build_program WORK          # WORK/app: the Go program the builds hold (below)
#   gofake_build WORK BINARY TREE...   # WORK/gobuild/TREE for each TREE (honest, wrong-key, fork, ...), its
#                                      # builds BINARY with a line appended; sets GOFAKE_KEY to the honest
#                                      # log's verifier key

gofake_skip_unless_possible() {
        command -v go >/dev/null || { echo "SKIP: no Go toolchain (Debian: golang-go)"; exit 77; }
        [ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/note ] ||
                { echo "SKIP: golang.org/x/mod is missing (Debian: golang-golang-x-mod-dev)"; exit 77; }
        # The fake service builds for linux-amd64 (and one build for arm64): the guest must be amd64.
        [ "$(uname -m)" = x86_64 ] || { echo "SKIP: the fake gobuild builds are for linux-amd64"; exit 77; }
}

gofake_build_program() {
        local work=$1

        # The Go program the builds hold, built here offline: it answers, on the port it is given, the
        # line gobuild-fake appends to each binary ("example.com/hello@v1.0.0 go1.21.5 linux-amd64"), so
        # a test sees which build runs. Its build info names the package example.com/other/cmd/other of
        # module example.com/other, as a real build of that package would.
        mkdir -p "$work/other/cmd/other"
        printf 'module example.com/other\n\ngo 1.19\n' >"$work/other/go.mod"
        cat >"$work/other/cmd/other/main.go" <<'GO'
package main

import (
	"bytes"
	"net/http"
	"os"
)

func main() {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		panic(err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	build := append(bytes.TrimPrefix(lines[len(lines)-1], []byte("#gobuild-fake ")), '\n')
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write(build) })
	panic(http.ListenAndServe("127.0.0.1:"+os.Args[1], nil))
}
GO
        (cd "$work/other" && GOPROXY=off GOFLAGS=-mod=mod GOCACHE="$work/gocache" CGO_ENABLED=0 \
                go build -trimpath -ldflags="-s -w" -o "$work/app" ./cmd/other) ||
                { echo "FAIL: building the sample Go program"; exit 1; }
}

gofake_build() {
        local work=$1 binary=$2 src tree tamper
        shift 2
        src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

        (cd "$src/tests/gobuild-fake" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$work/gocache" GOFLAGS= \
                go build -o "$work/gobuild-fake" .) || { echo "FAIL: building tests/gobuild-fake"; exit 1; }

        for tree in "$@"; do
                tamper=$tree
                [ "$tree" = honest ] && tamper=
                "$work/gobuild-fake" -dir "$work/gobuild/$tree" -binary "$binary" -tamper "$tamper" >"$work/$tree.key" ||
                        { echo "FAIL: generating the $tree service"; exit 1; }
        done
        GOFAKE_KEY=$(cat "$work/honest.key")
        # gobuild's home page shows its key as "gobuild get -verifierkey KEY": a client with no key pins it.
        for tree in "$work/gobuild"/*/; do
                printf '<p>Fetch binaries with <code>gobuild get -verifierkey %s</code>.</p>\n' "$GOFAKE_KEY" >"$tree/index.html"
        done
}
