#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Golden tests of upkeep-generator. Each directory CASE/ here holds input/ (a root with
# etc/, run/ and usr/lib/upkeep/apps/*.app) and expected/ (the exact output tree, symlinks as
# symlinks), and optionally expected-log (strings that must each appear in the generator's
# messages; without it, the generator must say nothing). For each case the generator runs with
# --root=CASE/input, and its output is compared with expected/, file contents and symlink targets.
#
# Then the generated units, completed by the templates from units/, are checked with
# "systemd-analyze verify" in a scratch root holding stand-ins for the programs they run: this
# needs no running systemd. Skipped (with a note) when systemd-analyze is not installed.
#
# Usage: test-generator.sh GENERATOR SRCDIR [SYSTEM-UNIT-DIR]
# SYSTEM-UNIT-DIR is the unit directory the generator was built for; expected/ trees spell it
# /usr/lib/systemd/system so that they do not depend on the build machine.
set -u

gen=$1
src=$2
unitdir=${3:-/usr/lib/systemd/system}
canonical=/usr/lib/systemd/system
units=$src/../../units

work=$(mktemp -d /tmp/test-generator.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0

bad() {
        echo "FAIL: $*"
        fail=1
}

# verify_case NAME OUT: systemd-analyze verify every unit the generator made or completed in OUT.
verify_case() {
        local name=$1 out=$2 root=$work/verify-$name unit app exe
        local -a verify=()

        mkdir -p "$root/usr/libexec/upkeep" "$root/usr/bin" "$root/units"
        cp -a "$out" "$root/generated"
        for unit in upkeep@.service upkeep-update@.service upkeep-check.service; do
                sed -e 's|@libexecdir@|/usr/libexec/upkeep|g' -e 's|@bindir@|/usr/bin|g' \
                        "$units/$unit.in" >"$root/units/$unit"
        done
        cp "$units"/*.timer "$root/units/"
        # verify checks that each command exists and is executable, inside --root.
        for exe in usr/libexec/upkeep/upkeep-condition usr/bin/upkeepctl; do
                printf '#!/bin/sh\n' >"$root/$exe"
                chmod 755 "$root/$exe"
        done

        for unit in "$out"/upkeep@*.service.d; do
                [ -d "$unit" ] || continue
                unit=$(basename "$unit" .d)
                app=${unit#upkeep@}
                app=${app%.service}
                # The program of the current release: the ExecStart= path, unquoted.
                exe=$(sed -n 's/^ExecStart=//p' "$out/$unit.d/50-upkeep.conf")
                case $exe in
                        \"*) exe=${exe#\"}; exe=${exe%%\"*} ;;
                        \'*) exe=${exe#\'}; exe=${exe%%\'*} ;;
                        *)   exe=${exe%% *} ;;
                esac
                mkdir -p "$root$(dirname "$exe")"
                printf '#!/bin/sh\n' >"$root$exe"
                chmod 755 "$root$exe"
                verify+=("$unit" "upkeep-update@$app.timer" "upkeep-update@$app.service")
        done
        for unit in "$out"/upkeep@*.socket; do
                [ -f "$unit" ] && verify+=("$(basename "$unit")")
        done
        verify+=(upkeep-check.timer upkeep-check.service)

        # Only our units are checked (--recursive-errors=no): the scratch root has no others.
        local msg rc
        msg=$(cd / && SYSTEMD_UNIT_PATH=/generated:/units \
                systemd-analyze verify --root="$root" --man=no --recursive-errors=no "${verify[@]}" 2>&1)
        rc=$?
        if [ $rc -ne 0 ] || [ -n "$msg" ]; then
                bad "$name: systemd-analyze verify ${verify[*]}: exit $rc"
                echo "$msg"
        else
                echo "ok: $name: systemd-analyze verify ${verify[*]}"
        fi
}

have_verify=1
if ! command -v systemd-analyze >/dev/null; then
        have_verify=0
        echo "note: systemd-analyze not found, skipping the verify checks"
fi

ncases=0
for dir in "$src"/*/; do
        dir=${dir%/}
        name=$(basename "$dir")
        [ -d "$dir/input" ] || continue
        ncases=$((ncases + 1))
        out=$work/$name
        mkdir -p "$out"

        "$gen" --root="$dir/input" "$out" 2>"$work/$name.log"
        rc=$?
        if [ $rc -ne 0 ]; then
                bad "$name: exit $rc"
                cat "$work/$name.log"
                continue
        fi

        if [ -f "$dir/expected-log" ]; then
                while IFS= read -r want; do
                        [ -z "$want" ] && continue
                        grep -qF -- "$want" "$work/$name.log" || bad "$name: no message containing '$want'"
                done <"$dir/expected-log"
        elif [ -s "$work/$name.log" ]; then
                bad "$name: unexpected messages:"
                cat "$work/$name.log"
        fi

        # Links to the templates name the unit directory of the build; expected/ spells it canonically.
        if [ "$unitdir" != "$canonical" ]; then
                while IFS= read -r link; do
                        target=$(readlink "$link")
                        case $target in
                                "$unitdir"/*) ln -sfn "$canonical/${target#"$unitdir"/}" "$link" ;;
                        esac
                done < <(find "$out" -type l)
        fi

        modes=$(find "$out" -mindepth 1 \( -type f ! -perm 0644 \) -o \( -type d ! -perm 0755 \))
        [ -z "$modes" ] || bad "$name: wrong modes (files must be 0644, directories 0755): $modes"

        if diff -r --no-dereference "$dir/expected" "$out"; then
                echo "ok: $name: output matches expected/"
        else
                bad "$name: output differs from $dir/expected (diff above: < expected, > generated)"
        fi

        [ $have_verify -eq 1 ] && verify_case "$name" "$out"
done

if [ $ncases -eq 0 ]; then
        bad "no cases found in $src"
fi

exit $fail
