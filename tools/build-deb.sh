#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds upkeep's Debian package (debian/) with dpkg-buildpackage from a copy of the source tree,
# so that the tree is not littered, and prints the path of the .deb.
#
#   tools/build-deb.sh [--version VERSION] [--nocheck] [OUTDIR]
#
# OUTDIR defaults to build-deb/ in the tree; the .deb (and its -dbgsym), the source package
# (3.0 (native): .dsc and .tar.xz), .buildinfo, .changes and the build's log (.build) land there.
# --version builds VERSION instead of what debian/changelog and meson.build say (both are set in
# the copy, with a changelog entry for it): a newer build to upgrade to, as the integration test
# test-deb does. --nocheck skips the unit tests in the build (DEB_BUILD_OPTIONS=nocheck).
# Needs the build dependencies (tools/install-deps.sh), not root.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)

version= out=$src/build-deb nocheck=
while [ $# -gt 0 ]; do
        case $1 in
                --version) version=$2; shift 2 ;;
                --nocheck) nocheck=1; shift ;;
                -*) echo "usage: $0 [--version VERSION] [--nocheck] [OUTDIR]" >&2; exit 2 ;;
                *) out=$1; shift ;;
        esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d /tmp/upkeep-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/upkeep"

# The tree as it is, edits included, without what git ignores (build directories).
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
        (cd "$src" && git ls-files -z --cached --others --exclude-standard |
                xargs -0 sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh |
                tar --null -T - -cf -) | tar -C "$work/upkeep" -xf -
else
        tar -C "$src" --exclude='./build*' -cf - . | tar -C "$work/upkeep" -xf -
fi

if [ -n "$version" ]; then
        sed -i "0,/version : '[^']*'/s//version : '$version'/" "$work/upkeep/meson.build"
        { printf 'upkeep (%s) unstable; urgency=medium\n\n  * Built by tools/build-deb.sh --version %s.\n\n' "$version" "$version"
          printf ' -- %s  %s\n\n' "$(sed -n 's/^ -- \(.*>\)  .*/\1/p;T;q' "$work/upkeep/debian/changelog")" "$(date -R)"
          cat "$work/upkeep/debian/changelog"; } >"$work/upkeep/debian/changelog.new"
        mv "$work/upkeep/debian/changelog.new" "$work/upkeep/debian/changelog"
fi

opts="parallel=$(nproc)${nocheck:+ nocheck}"
log=$work/build.log
if ! (cd "$work/upkeep" && DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage -us -uc) >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "tools/build-deb.sh: dpkg-buildpackage failed" >&2
        exit 1
fi

deb=$(cd "$work" && ls upkeep_*.deb)
cp "$work"/upkeep[-_]* "$out/"
cp "$log" "$out/${deb%.deb}.build"
echo "$out/$deb"
