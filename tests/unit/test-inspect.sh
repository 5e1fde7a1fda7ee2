#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# upkeepctl inspect against Go's own reader: for Go programs Debian ships (age, restic, the go tool)
# and small ones cross-built here for 32-bit, big-endian and other architectures, with dependencies,
# a replacement, VCS stamps and quoted build settings, `upkeepctl inspect --json` must say everything
# `go version -m` says. Bad files must fail with exit 1 and a message naming the file and the problem.
# Usage: test-inspect.sh UPKEEPCTL. Exit 77 (skipped) when there is no go tool to compare with.
set -u -o pipefail

ctl=$1
fail=0
compared=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# upkeepctl's JSON printed the way `go version -m` prints a binary (without its "FILE: " prefix), Go's
# quoting of keys and values included; lines are compared without trailing blanks, and without the
# empty line go prints after a replacement.
json_as_go_version() {
        python3 -c '
import json, sys

def quote(s, key):
    special = "= \t\r\n\"`" if key else " \t\r\n\"`"
    if not (key and s == "") and not any(c in special for c in s):
        return s
    return "\"" + "".join({"\\": "\\\\", "\"": "\\\"", "\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(c, c)
                          for c in s) + "\""

def module(word, m):
    line = "\t%s\t%s\t%s" % (word, m["path"], m["version"])
    if m["replace"] is None:
        line += "\t" + (m["sum"] or "")
    print(line)
    if m["replace"] is not None:
        module("=>", m["replace"])

d = json.load(sys.stdin)
print(d["goVersion"])
if d["path"] is not None:
    print("\tpath\t" + d["path"])
if d["main"] is not None:
    module("mod", d["main"])
for m in d["deps"]:
    module("dep", m)
for s in d["settings"]:
    print("\tbuild\t%s=%s" % (quote(s["key"], True), quote(s["value"], False)))
' | sed -e 's/[[:space:]]*$//' -e '/^$/d'
}

# Both sides must succeed and say something: with pipefail, a failing upkeepctl or go fails its
# pipeline, and two empty outputs are no agreement.
compare() {  # compare FILE
        local file=$1 ours theirs
        if ! ours=$("$ctl" inspect --json "$file" | json_as_go_version); then
                echo "FAIL: upkeepctl inspect --json $file failed"
                fail=1
                return
        fi
        if ! theirs=$(go version -m "$file" | sed -e "1s|^$file: ||" -e 's/[[:space:]]*$//' -e '/^$/d'); then
                echo "FAIL: go version -m $file failed"
                fail=1
                return
        fi
        if ! grep -q '^go' <<<"$theirs" || ! grep -q $'^\tpath\t' <<<"$theirs"; then
                echo "FAIL: go version -m $file printed no Go version or path: '$theirs'"
                fail=1
        elif [ "$ours" != "$theirs" ]; then
                echo "FAIL: upkeepctl inspect and go version -m disagree on $file:"
                diff <(echo "$theirs") <(echo "$ours")
                fail=1
        else
                echo "ok: $file: $(head -n 1 <<<"$ours"), $(grep -c . <<<"$ours") lines as go version -m"
                compared=$((compared + 1))
        fi
}

. "$(dirname "$0")/check-command.sh"

check() {  # check DESCRIPTION EXPECTED-EXIT STREAM GREP-PATTERN -- UPKEEPCTL-ARGS...
        check_command "$1" "$2" "$3" "$4" -- "$ctl" "${@:6}"
}

# ---- Errors, which need no go tool ----

printf '#!/bin/sh\necho hello\n' >"$tmp/script"
: >"$tmp/empty"
check "a C program"     1 stderr "^upkeepctl: /bin/true: an ELF file without Go build info: not a Go program\.$" -- inspect /bin/true
check "a shell script"  1 stderr "^upkeepctl: $tmp/script: not an ELF file" -- inspect "$tmp/script"
check "an empty file"   1 stderr "^upkeepctl: $tmp/empty: not an ELF file: the file is empty" -- inspect "$tmp/empty"
check "a directory"     1 stderr "$tmp is a directory" -- inspect "$tmp"
check "a missing file"  1 stderr "Failed to open $tmp/none: No such file or directory" -- inspect "$tmp/none"
check "no file"         2 stderr "Too few arguments for 'inspect'" -- inspect
check "two files"       2 stderr "Too many arguments for 'inspect'" -- inspect /bin/true /bin/true

# The go tool itself, wherever this Go is installed (Debian: /usr/lib/go-1.19/bin/go).
gotool=
if goroot=$(go env GOROOT 2>/dev/null) && [ -n "$goroot" ]; then
        gotool=$goroot/bin/go
fi
if [ -n "$gotool" ] && [ -e "$gotool" ]; then
        head -c 10000000 "$gotool" >"$tmp/go-truncated"
        check "a truncated Go program" 1 stderr \
                "^upkeepctl: $tmp/go-truncated: cannot read its Go build info: .*the file is truncated" \
                -- inspect "$tmp/go-truncated"
        check "a Go program, as text" 0 stdout "^ +Package: cmd/go$" -- inspect "$gotool"
        check "a Go program, from a pipe" 0 stdout '"path":"cmd/go"' -- inspect --json=short <(cat "$gotool")
fi

if ! command -v go >/dev/null; then
        echo "skipped: no go tool to compare with"
        [ $fail -eq 0 ] && exit 77
        exit $fail
fi

# ---- Go programs no one here wrote ----

for f in /usr/bin/age /usr/bin/restic "$gotool"; do
        if [ -e "$f" ]; then
                compare "$f"
        else
                echo "skipped: $f is not installed"
        fi
done

# ---- Go programs built here, for architectures this machine does not run ----

# Offline and self-contained: no proxy, no module cache but a local directory replacement.
export GOPROXY=off GOSUMDB=off GOFLAGS=-mod=mod GOENV=off GOWORK=off GOTOOLCHAIN=local \
        GOPATH="$tmp/gopath" GOCACHE="${UPKEEP_GO_CACHE:-$tmp/gocache}"

mkdir -p "$tmp/hello"
cat >"$tmp/hello/go.mod" <<'END'
module example.com/hello

go 1.19
END
cat >"$tmp/hello/main.go" <<'END'
package main

func main() { println("hello") }
END
# A commit, so Go stamps the VCS settings.
if command -v git >/dev/null; then
        git -C "$tmp/hello" init -q &&
        git -C "$tmp/hello" add . &&
        git -C "$tmp/hello" -c user.name=t -c user.email=t@localhost commit -q -m hello || {
                echo "FAIL: git commit"
                fail=1
        }
fi

built=()
for arch in 386 arm64 s390x mips; do
        if (cd "$tmp/hello" && CGO_ENABLED=0 GOARCH=$arch go build -o "$tmp/hello-$arch" .); then
                built+=("$tmp/hello-$arch")
        else
                echo "FAIL: go build for $arch"
                fail=1
        fi
done

# A dependency replaced by a directory, and build settings that need quotes.
mod=/usr/share/gocode/src/golang.org/x/mod
if [ -d "$mod/semver" ]; then
        mkdir -p "$tmp/dep"
        cat >"$tmp/dep/go.mod" <<END
module example.com/dep

go 1.19

require golang.org/x/mod v0.7.0

replace golang.org/x/mod => $mod
END
        cat >"$tmp/dep/main.go" <<'END'
package main

import "golang.org/x/mod/semver"

func main() { println(semver.Canonical("v1.2")) }
END
        if (cd "$tmp/dep" && go build -tags 'netgo osusergo' -ldflags='-s -w -X "main.x=a b"' -o "$tmp/dep-amd64" .); then
                built+=("$tmp/dep-amd64")
        else
                echo "FAIL: go build with a replaced dependency"
                fail=1
        fi
else
        echo "skipped: $mod is not installed (golang-golang-x-mod-dev)"
fi

for f in "${built[@]}"; do
        compare "$f"
done

if [ -e "$tmp/hello-s390x" ]; then
        check "a big-endian program, as text" 0 stdout "^ +Platform: linux/s390x$" -- inspect "$tmp/hello-s390x"
        check "a 32-bit program, as text" 0 stdout "^ +Module: example.com/hello \(devel\)$" -- inspect "$tmp/hello-386"
fi

if [ $fail -eq 0 ] && [ $compared -eq 0 ]; then
        echo "skipped: no Go program to compare"
        exit 77
fi
exit $fail
