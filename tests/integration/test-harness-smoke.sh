#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Smoke test of the integration-test harness (harness.sh) itself: boots
# guests with no software under test installed and checks that everything
# upkeep's integration tests rely on works inside them (systemd, journal,
# system bus, polkit, transient units, running commands, copying files in),
# that two guests can run at the same time, and that stopping a guest leaves
# nothing behind on the host (cgroups, mounts, processes, state).
#
# Run as root:  bash tests/integration/test-harness-smoke.sh
# Exit status: 0 pass, 1 fail, 77 skip (the machine cannot run guests).

set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
# shellcheck source=harness.sh source-path=SCRIPTDIR
. "$here/harness.sh"

# Always clean up, whatever happens; print the console logs on failure.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'harness_stop_all $?' EXIT

t_start=$EPOCHREALTIME

ms_since() {
    echo $(( (${EPOCHREALTIME/./} - ${1/./}) / 1000 ))
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

check() {
    echo "--- $*"
}

ok() {
    echo "    ok${1:+: $1}"
}

if ! harness_require; then
    echo "SKIP: this machine cannot run harness guests"
    exit 77
fi

# Unique per run, so that this test can run next to other tests.
a="smoke-a-$$"
b="smoke-b-$$"
cg2=$(_harness_cgroup2_root)
statedir=${HARNESS_STATE:-/run/upkeep-harness}

# What the host looks like before, to compare after.
host_mounts_before=$(wc -l </proc/self/mountinfo)
host_hostname_before=$(hostname)
host_machine_id=$(cat /etc/machine-id 2>/dev/null || echo none)
host_sysctl_before=$(cat /proc/sys/kernel/hostname /proc/sys/kernel/printk)

# ---------------------------------------------------------------------------
check "boot guest $a (no DESTDIR)"
t=$EPOCHREALTIME
harness_boot "$a" || fail "booting $a"
boot_ms=$(ms_since "$t")
ok "booted in ${boot_ms} ms"

check "systemctl is-system-running says running or degraded"
state=$(harness_run "$a" systemctl is-system-running </dev/null || true)
case "$state" in
    running | degraded) ok "$state" ;;
    *) fail "is-system-running says '$state'" ;;
esac

check "guest has its own hostname and machine ID"
[ "$(harness_run "$a" hostname </dev/null)" = "$a" ] || fail "hostname is not $a"
mid_a=$(harness_run "$a" cat /etc/machine-id </dev/null)
[[ $mid_a =~ ^[0-9a-f]{32}$ ]] || fail "bad machine-id '$mid_a'"
[ "$mid_a" != "$host_machine_id" ] || fail "guest shares the host's machine ID"
ok "$a, $mid_a"

check "exit status, stdout and stdin pass through harness_run"
rc=0
harness_run "$a" sh -c 'exit 7' </dev/null || rc=$?
[ "$rc" = 7 ] || fail "exit status 7 came back as $rc"
out=$(echo "through stdin" | harness_run "$a" cat)
[ "$out" = "through stdin" ] || fail "stdin/stdout: got '$out'"
out=$(harness_run "$a" sh -c 'echo to-stderr >&2' 2>&1 >/dev/null </dev/null)
[ "$out" = "to-stderr" ] || fail "stderr: got '$out'"
# shellcheck disable=SC2016 # expanded in the guest
out=$(harness_run "$a" sh -c 'echo "$PWD $TERM $SYSTEMD_PAGER $LANG"' </dev/null)
[ "$out" = "/ dumb cat C.UTF-8" ] || fail "environment/cwd: got '$out'"
ok

check "journal: a line written with systemd-cat can be read back"
token="harness-smoke-$$-$RANDOM"
echo "$token" | harness_run "$a" systemd-cat -t harness-smoke
found=""
for _ in $(seq 50); do
    if harness_run "$a" journalctl -q -t harness-smoke -o cat </dev/null | grep -qx "$token"; then
        found=1
        break
    fi
    sleep 0.1
done
[ -n "$found" ] || fail "journal does not show '$token'"
ok "$token"

check "system bus: org.freedesktop.DBus GetId"
out=$(harness_run "$a" busctl call org.freedesktop.DBus / org.freedesktop.DBus GetId </dev/null) ||
    fail "busctl call GetId"
[[ $out =~ ^s\ \"[0-9a-f]{32}\"$ ]] || fail "GetId returned '$out'"
ok "$out"

check "polkit: bus-activated org.freedesktop.PolicyKit1 answers"
harness_run "$a" busctl introspect org.freedesktop.PolicyKit1 \
    /org/freedesktop/PolicyKit1/Authority </dev/null |
    grep -q '^org.freedesktop.PolicyKit1.Authority' ||
    fail "polkit Authority interface not found"
ok

check "transient unit: systemd-run --wait true / false"
harness_run "$a" systemd-run --wait --quiet true </dev/null || fail "systemd-run --wait true"
if harness_run "$a" systemd-run --wait --quiet false </dev/null 2>/dev/null; then
    fail "systemd-run --wait false succeeded"
fi
ok

check "harness_copy_in: file and directory"
tmp=$(mktemp -d)
printf 'polkit.addRule(function(action, subject) { });\n' >"$tmp/50-smoke.rules"
mkdir -p "$tmp/tree/sub"
echo leaf >"$tmp/tree/sub/leaf"
harness_copy_in "$a" "$tmp/50-smoke.rules" /etc/polkit-1/rules.d/
harness_copy_in "$a" "$tmp/tree" /usr/lib/harness-smoke
rm -rf "$tmp"
harness_run "$a" cmp -s /etc/polkit-1/rules.d/50-smoke.rules - \
    <<<'polkit.addRule(function(action, subject) { });' || fail "copied file differs"
[ "$(harness_run "$a" cat /lib/harness-smoke/sub/leaf </dev/null)" = leaf ] ||
    fail "copied directory content not found (via /lib -> usr/lib)"
[ "$(harness_run "$a" readlink /lib </dev/null)" = usr/lib ] ||
    fail "/lib is no longer a symlink to usr/lib"
ok

check "the guest cannot change the host's kernel settings or clock"
if harness_run "$a" sh -c 'echo 1 >/proc/sys/kernel/printk' </dev/null 2>/dev/null; then
    fail "/proc/sys is writable in the guest"
fi
if harness_run "$a" date -s @0 </dev/null >/dev/null 2>&1; then
    fail "the guest could set the clock"
fi
ok

# ---------------------------------------------------------------------------
check "boot a second guest $b (empty DESTDIR) while $a runs"
empty=$(mktemp -d)
t=$EPOCHREALTIME
harness_boot "$b" "$empty" || fail "booting $b"
boot_b_ms=$(ms_since "$t")
rmdir "$empty"
ok "booted in ${boot_b_ms} ms"

check "both guests answer, each as itself"
[ "$(harness_run "$a" hostname </dev/null)" = "$a" ] || fail "$a does not answer"
[ "$(harness_run "$b" hostname </dev/null)" = "$b" ] || fail "$b does not answer"
mid_b=$(harness_run "$b" cat /etc/machine-id </dev/null)
[ "$mid_a" != "$mid_b" ] || fail "both guests have machine ID $mid_a"
harness_run "$b" systemd-run --wait --quiet true </dev/null || fail "systemd-run in $b"
# Files written in one guest are not visible in the other (own overlays).
harness_run "$a" sh -c 'echo a >/etc/harness-smoke-marker' </dev/null
if harness_run "$b" test -e /etc/harness-smoke-marker </dev/null; then
    fail "$b sees a file written in $a"
fi
[ ! -e /etc/harness-smoke-marker ] || fail "a file written in the guest appeared on the host"
ok

# ---------------------------------------------------------------------------
# Stop both and check nothing is left on the host.
check_gone() {
    local name=$1 pid1=$2 p
    [ ! -e "$cg2/upkeep-harness.$name" ] || fail "cgroup $cg2/upkeep-harness.$name left"
    [ ! -e "$statedir/$name" ] || fail "state dir $statedir/$name left"
    if grep -q "$statedir/$name" /proc/self/mountinfo; then
        fail "mounts of $name left in /proc/self/mountinfo"
    fi
    # The guest's PID 1 must be gone (a zombie waiting for the host's init
    # to reap it would be "Z"; systemd never is one, its parent is gone).
    if [ -d "/proc/$pid1" ] && [ "$(cat "/proc/$pid1/comm" 2>/dev/null)" = systemd ]; then
        fail "guest PID 1 ($pid1) still running"
    fi
    # No process may still be in one of the instance's cgroups.  Zombies
    # don't count: `script` runs detached, so when it exits it is the host
    # init's to reap, and not every init does that at once (a zombie still
    # shows the cgroup it died in).
    for p in /proc/[0-9]*; do
        if grep -qs "upkeep-harness\.$name" "$p/cgroup" &&
            [ "$(sed -n 's/^.*) \(.\).*$/\1/p' "$p/stat" 2>/dev/null)" != Z ]; then
            fail "process ${p#/proc/} of $name still alive: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
        fi
    done
}

pid_a=$(cat "$statedir/$a/pid")
pid_b=$(cat "$statedir/$b/pid")

check "stop $a (while $b keeps running)"
t=$EPOCHREALTIME
harness_stop "$a" || fail "harness_stop $a"
stop_ms=$(ms_since "$t")
check_gone "$a" "$pid_a"
[ "$(harness_run "$b" hostname </dev/null)" = "$b" ] || fail "$b died with $a"
ok "stopped in ${stop_ms} ms, nothing left"

check "stop $b, then stop it again (idempotent)"
harness_stop "$b" || fail "harness_stop $b"
harness_stop "$b" || fail "second harness_stop $b"
check_gone "$b" "$pid_b"
ok

check "the host is unchanged"
[ "$(wc -l </proc/self/mountinfo)" = "$host_mounts_before" ] ||
    fail "host mount table changed"
[ "$(hostname)" = "$host_hostname_before" ] || fail "host hostname changed"
[ "$(cat /proc/sys/kernel/hostname /proc/sys/kernel/printk)" = "$host_sysctl_before" ] ||
    fail "host sysctls changed"
ok

echo "PASS: boot ${boot_ms} ms (second guest ${boot_b_ms} ms), stop ${stop_ms} ms, whole test $(ms_since "$t_start") ms"
