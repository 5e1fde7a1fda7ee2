#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# upkeep integration-test harness
# ===============================
#
# Boots a real systemd (the host's /lib/systemd/systemd) as PID 1 of a fresh
# set of namespaces, so that integration tests can exercise upkeep the way it
# runs on a real machine: started by systemd, talking to the system bus,
# asking polkit, logging to the journal.  The guest's root file system is an
# overlay of the host's / with a throw-away upper layer on a tmpfs; a
# `meson install --destdir` tree can be copied on top of it so that the guest
# sees upkeep exactly where a package would install it.  Every write the guest
# makes lands on the tmpfs and vanishes when the guest is stopped.
#
# This is a test harness, not a security boundary: the guest shares the host
# kernel, runs as real root and sees the host's file system read-only-ish
# (through the overlay).  What it must not do is change the host: so the
# guest gets a private mount namespace, a read-only /proc/sys and /sys, no
# real devices, and a capability bounding set without the capabilities that
# reach the clock, kernel modules, raw I/O, reboot and the kernel log.
#
# Use as a library (the usual way, from a test script):
#
#     . "$(dirname "$0")/harness.sh"
#     trap 'exit 130' INT; trap 'exit 143' TERM
#     trap 'harness_stop_all $?' EXIT     # always clean up, also on failure
#     harness_require || exit 77          # skip if the machine can't do it
#     harness_boot mytest "$DESTDIR"      # DESTDIR is optional
#     harness_run mytest systemctl start upkeep.service
#     harness_run mytest busctl call ... </dev/null
#     harness_copy_in mytest ./50-test.rules /etc/polkit-1/rules.d/
#     harness_console mytest              # print the console log
#     harness_stop mytest                 # or let the EXIT trap do it
#
# or as a command:  harness.sh boot NAME [DESTDIR] | run NAME CMD... |
#                   copy-in NAME SRC DST | console NAME | kill NAME |
#                   stop NAME | require
#
# Functions (all return non-zero with a message on stderr on failure; the
# library never changes the caller's shell options, so it works both with and
# without `set -euo pipefail` in the caller).  NAME is the instance name and
# the guest's hostname: letters, digits and '-', at most 63 characters; add
# $$ to make it unique if the same test may run twice at once.  Call
# harness_boot from the test's own shell, not in $(...) or a subshell, or
# harness_stop_all will not know about the instance.
#
#   harness_require            can this machine run guests? (root, namespaces,
#                              writable cgroup2, overlayfs).  Prints why not.
#   harness_boot NAME [DESTDIR]
#                              boot guest NAME, copying DESTDIR into its root;
#                              returns when the guest's systemd reports
#                              "running" or "degraded" (timeout
#                              HARNESS_BOOT_TIMEOUT, default 60 s).  On
#                              failure prints the console log tail and stops
#                              the half-booted guest again.
#   harness_run NAME CMD [ARG...]
#                              run CMD inside the guest (all namespaces, guest
#                              root, cwd /, clean environment); stdin, stdout,
#                              stderr and the exit code are passed through.
#   harness_copy_in NAME SRC DST
#                              copy host file/dir SRC to DST in the guest.
#                              DST is the full target path; if DST ends in
#                              "/" SRC is put into that directory under its
#                              own name.  A directory SRC is merged into DST.
#   harness_console NAME       print the guest's console log.
#   harness_kill NAME          SIGKILL the guest's PID 1 (the kernel then kills
#                              every process of its pid namespace), as a power
#                              cut would stop it, and wait until all are gone.
#                              No unit is stopped and nothing is flushed by
#                              the guest.  harness_stop NAME then removes what
#                              is left; harness_boot NAME again boots it anew
#                              (keep state across boots with HARNESS_BIND).
#   harness_stop NAME          power the guest off (SIGKILL after
#                              HARNESS_STOP_TIMEOUT, default 15 s) and remove
#                              its cgroups and state dir.  Idempotent; safe in
#                              an EXIT trap, also after a half-failed boot.
#   harness_stop_all [STATUS]  harness_stop every guest booted by this shell;
#                              if STATUS (the script's exit status, for use
#                              in an EXIT trap: trap 'harness_stop_all $?'
#                              EXIT) says failure, print the tail of each
#                              console log first.
#
# Environment knobs:
#   HARNESS_STATE      where per-instance state lives (/run/upkeep-harness);
#                      NAME/ holds pid (host pid of the guest's PID 1),
#                      console.log, and the mount points fs/ (tmpfs for the
#                      overlay's upper layer) and root/ (the guest's root),
#                      which are mounted in the guest's mount namespace only
#   HARNESS_LOG_DIR    if set, harness_stop saves NAME.console.log there
#   HARNESS_MASK       extra unit names/globs to mask in the guest
#   HARNESS_BIND       host directories bind-mounted into the guest at boot,
#                      "HOSTDIR:GUESTDIR ..." (absolute paths, no spaces or
#                      colons in them).  What the guest writes there is kept
#                      on the host, so a guest booted again with the same
#                      HARNESS_BIND finds it: the way to keep a guest's state
#                      (e.g. /var/lib/upkeep) across a harness_kill and boot.
#   HARNESS_BOOT_TIMEOUT, HARNESS_STOP_TIMEOUT   seconds
#
# Known limits: there are no seats, so polkit `allow_active` cannot be
# exercised (put a rules file into /etc/polkit-1/rules.d instead); cgroup
# controllers are usually not available to the guest, so MemoryMax= and
# friends are accepted but not enforced; timers need AccuracySec=1ms to fire
# promptly; the network namespace has only lo; units the host's admin
# enabled in /etc/systemd/system are enabled in the guest too, unless
# masked (see _HARNESS_MASK_DEFAULT, HARNESS_MASK).  Commands started by
# harness_run are not children of the guest's PID 1 (their parent pid is 0
# inside).  `script` runs detached, so when a guest is gone its zombie is
# the host init's to reap.
#
# How a guest is built (see _harness_stage_* below):
#
#   host shell ── script (pty = guest /dev/console, writes console.log)
#     │           cgroup <cgroup2>/upkeep-harness.NAME
#     └─ unshare --mount --pid --uts --ipc --net --fork     ("supervisor")
#          └─ PID 1: moves itself to .../upkeep-harness.NAME/payload,
#             unshare --cgroup, mounts tmpfs + overlay + /proc, /sys, /dev,
#             /run, /tmp, pivot_root, exec /lib/systemd/systemd
#
# The supervisor and the guest must be in different cgroups: systemd moves
# every process of its root cgroup into init.scope at start and fails
# ("Couldn't move remaining userspace processes") on processes it cannot see.

# Refuse to run with a shell that is not bash (we rely on arrays, BASHPID).
if [ -z "${BASH_VERSION:-}" ]; then
    echo "harness.sh: needs bash" >&2
    # shellcheck disable=SC2317 # exit is reached when run, not sourced
    return 1 2>/dev/null || exit 1
fi

# Absolute path of this file: the boot stages run it again as a command.
_HARNESS_SELF=$(readlink -f -- "${BASH_SOURCE[0]}")

# Capabilities removed from every guest process, so nothing inside can set
# the host clock, load kernel modules, poke at raw I/O ports or memory,
# reboot the host, or read/clear the host's kernel log.
_HARNESS_DROP_CAPS=-sys_time,-sys_module,-sys_rawio,-sys_boot,-syslog,-wake_alarm

# Units masked in the guest.  Why:
#  - getty@, serial-getty@, console-getty, container-getty@: nobody logs in.
#    console-getty also vhangup()s /dev/console, i.e. script's pty.
#  - systemd-timesyncd: the guest must not try to set the (host) clock.
#  - systemd-udevd*, systemd-networkd*, systemd-resolved: no devices to
#    manage (sysfs is read-only), the network namespace only has lo.
#  - kmod-static-nodes: would create device nodes (loop-control, fuse...) in
#    the guest's /dev through systemd-tmpfiles-setup-dev.
#  - apt-daily*, e2scrub*, fstrim, man-db, logrotate, dpkg-db-backup timers:
#    periodic host maintenance, pure noise and load in a test.
#  - postgresql*: enabled on the development/CI image, unrelated to upkeep,
#    and takes seconds to start.
#  - sys-fs-fuse-connections.mount: fusectl in the guest could abort the
#    host's FUSE connections; dev-hugepages.mount: hugetlbfs, not needed.
_HARNESS_MASK_DEFAULT=(
    'getty@.service' 'serial-getty@.service' 'console-getty.service'
    'container-getty@.service'
    'systemd-timesyncd.service'
    'systemd-udevd*' 'systemd-udev-*'
    'systemd-networkd*' 'systemd-resolved.service'
    'kmod-static-nodes.service'
    'apt-daily*.timer' 'apt-daily*.service'
    'e2scrub*' 'fstrim.*' 'man-db.*' 'logrotate.*' 'dpkg-db-backup.*'
    'postgresql*.service'
    'sys-fs-fuse-connections.mount' 'dev-hugepages.mount'
)

# Instances booted by this shell, for harness_stop_all.
_HARNESS_INSTANCES=()

_harness_err() {
    echo "harness: $*" >&2
}

# The cgroup2 hierarchy: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified
# on hybrid ones (like the Debian 12 build machine, cgroup v1 + v2 side by side).
_harness_cgroup2_root() {
    local d
    for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
        if [ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

# NAME becomes the guest's hostname and part of paths and cgroup names.
_harness_check_name() {
    if [[ ! ${1:-} =~ ^[A-Za-z0-9][A-Za-z0-9-]{0,62}$ ]]; then
        _harness_err "invalid instance name '${1:-}' (use letters, digits, '-'; max 63 chars)"
        return 1
    fi
}

_harness_statedir() {
    echo "${HARNESS_STATE:-/run/upkeep-harness}/$1"
}

# Print the cgroup dir of instance NAME (it need not exist).
_harness_cgroup() {
    local root
    root=$(_harness_cgroup2_root) || return 1
    echo "$root/upkeep-harness.$1"
}

# Print the host pid of the guest's PID 1 if it is alive, fail otherwise.
# The pid is only trusted if the process still sits in the instance's
# cgroup, so a recycled pid can never make us signal an unrelated process.
_harness_pid1() {
    local name=$1 state pid cg line
    state=$(_harness_statedir "$name")
    pid=$(cat "$state/pid" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    line=$(grep '^0::' "/proc/$pid/cgroup" 2>/dev/null) || return 1
    cg=$(_harness_cgroup "$name") || return 1
    # /proc/PID/cgroup shows the path relative to our cgroup namespace root,
    # which is the hierarchy root on the host.
    case "${line#0::}" in
        "/${cg##*/}/payload" | "/${cg##*/}/payload/"*) echo "$pid" ;;
        *) return 1 ;;
    esac
}

# Is the cgroup subtree CG free of processes?
_harness_cgroup_empty() {
    local cg=$1
    [ -d "$cg" ] || return 0
    grep -qx 'populated 0' "$cg/cgroup.events" 2>/dev/null
}

harness_require() {
    # Independent of the caller's shell options (restored on return).
    local -
    set +e -o pipefail
    local cg2 probe
    if [ "$(id -u)" != 0 ]; then
        echo "harness: needs root" >&2
        return 1
    fi
    local tool
    for tool in unshare nsenter script setpriv pivot_root mount tar; do
        if ! command -v "$tool" >/dev/null; then
            echo "harness: '$tool' not found" >&2
            return 1
        fi
    done
    if [ ! -x /lib/systemd/systemd ]; then
        echo "harness: /lib/systemd/systemd not found" >&2
        return 1
    fi
    if ! cg2=$(_harness_cgroup2_root); then
        echo "harness: no cgroup2 hierarchy mounted at /sys/fs/cgroup or /sys/fs/cgroup/unified" >&2
        return 1
    fi
    probe="$cg2/upkeep-harness-probe.$$"
    if ! mkdir "$probe" 2>/dev/null; then
        echo "harness: cannot create a cgroup under $cg2 (read-only cgroupfs?)" >&2
        return 1
    fi
    rmdir "$probe"
    # (Not loaded yet is fine: mounting one loads the module.)
    if ! grep -qw overlay /proc/filesystems && ! modinfo overlay >/dev/null 2>&1; then
        echo "harness: kernel has no overlayfs" >&2
        return 1
    fi
    if ! unshare --mount --pid --fork --uts --ipc --net --cgroup true 2>/dev/null; then
        echo "harness: cannot create namespaces (unshare failed; inside an unprivileged container?)" >&2
        return 1
    fi
    return 0
}

harness_boot() {
    # Independent of the caller's shell options (restored on return).
    local -
    set +e -o pipefail
    local name=${1:-} destdir=${2:-}
    _harness_check_name "$name" || return 1
    if [ -n "$destdir" ] && [ ! -d "$destdir" ]; then
        _harness_err "$name: DESTDIR '$destdir' is not a directory"
        return 1
    fi
    [ -z "$destdir" ] || destdir=$(readlink -f -- "$destdir")
    local bind binds=()
    for bind in ${HARNESS_BIND:-}; do
        if [[ ! $bind =~ ^/[^:]*:/[^:]*$ ]] || [ ! -d "${bind%%:*}" ]; then
            _harness_err "$name: HARNESS_BIND entry '$bind' is not HOSTDIR:GUESTDIR with an existing absolute HOSTDIR"
            return 1
        fi
        binds+=("$(readlink -f -- "${bind%%:*}"):${bind#*:}")
    done

    local state cg
    state=$(_harness_statedir "$name")
    cg=$(_harness_cgroup "$name") || {
        _harness_err "$name: no cgroup2 hierarchy found"
        return 1
    }
    if [ -e "$state" ] || [ -e "$cg" ]; then
        _harness_err "$name: instance exists already ($state or $cg); stale? run: harness_stop $name"
        return 1
    fi
    # (Retried: a harness_stop of another instance may just be removing
    # the then empty parent directory.)
    local i
    for ((i = 0; i < 3; i++)); do
        mkdir -p "$state/fs" "$state/root" 2>/dev/null && break
    done
    if [ ! -d "$state/root" ]; then
        _harness_err "$name: cannot create state dir $state"
        return 1
    fi
    # From here on, a failure must undo what is there: register first.
    _HARNESS_INSTANCES+=("$name")
    if ! mkdir "$cg" "$cg/payload"; then
        _harness_err "$name: cannot create cgroups $cg and $cg/payload"
        harness_stop "$name"
        return 1
    fi
    : >"$state/console.log"

    local t0=$EPOCHREALTIME
    # `script` gives the guest a pty to use as /dev/console and records it.
    # It runs detached (own session, stdin /dev/null: util-linux 2.38 `script`
    # keeps running after stdin EOF while the child is alive) so that it
    # survives the caller and never touches the caller's terminal.  The
    # subshell moves itself into the instance cgroup first, so everything it
    # starts can be found and killed through that cgroup.  The environment is
    # reset so that nothing of the caller's leaks into the guest.
    # LIBMOUNT_UTAB: mount(8) would otherwise record the guest's mounts in
    # the host's /run/mount/utab.
    if ! (
        echo "$BASHPID" >"$cg/cgroup.procs" || exit 1
        exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin SHELL=/bin/bash \
            LANG=C.UTF-8 LIBMOUNT_UTAB="$state/utab" \
            setsid -f script -qfec "$(printf '%q ' /bin/bash "$_HARNESS_SELF" _stage-outer \
                "$name" "$state" "$cg" "$destdir" "${binds[*]}")" "$state/console.log" \
            </dev/null >/dev/null 2>&1
    ); then
        _harness_err "$name: cannot start the guest (moving into cgroup $cg or starting script failed)"
        harness_stop "$name"
        return 1
    fi

    # Wait until PID 1 is systemd, then until it says the boot is done.
    local timeout=${HARNESS_BOOT_TIMEOUT:-60} deadline pid="" st="" why
    why="timed out after ${timeout}s"
    deadline=$((SECONDS + timeout))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if [ -z "$pid" ]; then
            if pid=$(_harness_pid1 "$name") &&
                [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = systemd ]; then
                :
            else
                pid=""
            fi
        fi
        if [ -n "$pid" ]; then
            st=$(harness_run "$name" systemctl is-system-running </dev/null 2>/dev/null)
            case "$st" in
                # (No "offline" here: systemctl says that, too, while
                # systemd has not yet created /run/systemd/system.)
                running | degraded) break ;;
                maintenance | stopping)
                    why="guest systemd is '$st'"
                    break ;;
            esac
        fi
        # The guest died (e.g. a mount failed): no point in waiting.
        if _harness_cgroup_empty "$cg"; then
            why="guest exited during boot"
            break
        fi
        sleep 0.1
    done
    case "$st" in
        running | degraded)
            local ms
            ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
            echo "harness: $name: booted ($st) in ${ms} ms" >&2
            # For the test log: what made it degraded.
            if [ "$st" = degraded ]; then
                harness_run "$name" systemctl --failed --no-legend </dev/null >&2
            fi
            return 0 ;;
    esac
    _harness_err "$name: boot failed: $why (systemd state: ${st:-not reachable}); console log tail:"
    tail -n 40 "$state/console.log" >&2
    harness_stop "$name"
    return 1
}

harness_run() {
    # Independent of the caller's shell options (restored on return).
    local -
    set +e -o pipefail
    local name=${1:-} pid cg run rc
    if [ $# -lt 2 ]; then
        _harness_err "usage: harness_run NAME CMD [ARG...]"
        return 2
    fi
    shift
    _harness_check_name "$name" || return 2
    if ! pid=$(_harness_pid1 "$name"); then
        _harness_err "$name: guest is not running"
        return 2
    fi
    cg=$(_harness_cgroup "$name") || return 2
    # The command must live inside the guest's cgroup tree: outside of it,
    # the guest would see its cgroup as "/.." (above the namespace root), and
    # the guest's tools could not place it (journald, sd_pid_get_unit()...).
    # It gets a cgroup of its own, payload/harness-run.*, which the guest
    # sees as /harness-run.*.  Not payload itself: that is the guest's root
    # cgroup, which systemd empties into init.scope at boot, and if the
    # guest enables cgroup controllers there, the kernel refuses processes
    # in it (no processes in inner cgroups).  Not a cgroup of one of
    # systemd's units (like init.scope): systemd would count the command as
    # part of that unit.
    run="$cg/payload/harness-run.$BASHPID.$RANDOM"
    if ! mkdir "$run"; then
        _harness_err "$name: cannot create cgroup $run"
        return 2
    fi
    rc=0
    (
        echo "$BASHPID" >"$run/cgroup.procs" || exit 2
        exec setpriv --bounding-set "$_HARNESS_DROP_CAPS" -- \
            nsenter --target "$pid" --mount --uts --ipc --net --pid --cgroup --root --wd -- \
            /usr/bin/env -i \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
            TERM=dumb LANG=C.UTF-8 SYSTEMD_PAGER=cat PAGER=cat SYSTEMD_COLORS=0 \
            "$@"
    ) || rc=$?
    # Fails (EBUSY) if the command left processes behind; harness_stop
    # removes it then.
    rmdir "$run" 2>/dev/null
    return "$rc"
}

harness_copy_in() {
    # Independent of the caller's shell options (restored on return).
    local -
    set +e -o pipefail
    local name=${1:-} src=${2:-} dst=${3:-}
    if [ $# -ne 3 ] || [ -z "$src" ] || [ -z "$dst" ]; then
        _harness_err "usage: harness_copy_in NAME SRC DST"
        return 2
    fi
    if [ ! -e "$src" ]; then
        _harness_err "$name: copy_in: '$src' does not exist"
        return 1
    fi
    src=$(readlink -f -- "$src")
    case "$dst" in
        /*) ;;
        *)
            _harness_err "$name: copy_in: destination '$dst' must be absolute"
            return 2 ;;
    esac
    case "$dst" in */) dst="$dst${src##*/}" ;; esac
    # Extract inside the guest, so that paths resolve in the guest's root and
    # the usr-merge symlinks (/lib -> usr/lib) are followed, not replaced.
    # shellcheck disable=SC2016 # $1, $2 are expanded by the guest's sh
    if [ -d "$src" ]; then
        tar -C "$src" --owner=0 --group=0 --numeric-owner -cf - . |
            harness_run "$name" sh -c 'mkdir -p "$1" && tar -C "$1" -xf - --keep-directory-symlink --no-overwrite-dir' sh "$dst"
    else
        local mode
        mode=$(stat -c %a "$src") || return 1
        harness_run "$name" sh -c 'mkdir -p "$(dirname "$1")" && cat >"$1" && chmod "$2" "$1"' sh "$dst" "$mode" <"$src"
    fi
    local rc=$?
    [ "$rc" = 0 ] || _harness_err "$name: copy_in $src -> $dst failed ($rc)"
    return "$rc"
}

harness_console() {
    # Independent of the caller's shell options (restored on return).
    local -
    set +e -o pipefail
    local name=${1:-} state
    _harness_check_name "$name" || return 1
    state=$(_harness_statedir "$name")
    if [ ! -f "$state/console.log" ]; then
        _harness_err "$name: no console log ($state/console.log)"
        return 1
    fi
    cat "$state/console.log"
}

harness_kill() {
    # Independent of the caller's shell options (restored on return).
    local -
    set +e -o pipefail
    local name=${1:-} pid cg i
    _harness_check_name "$name" || return 1
    if ! pid=$(_harness_pid1 "$name"); then
        _harness_err "$name: guest is not running"
        return 1
    fi
    cg=$(_harness_cgroup "$name") || return 1
    kill -KILL "$pid"
    # Processes of harness_run (in the guest's pid namespace, too) and the
    # guest's units all die with it; the supervisor and script follow.
    for ((i = 0; i < 100; i++)); do
        _harness_cgroup_empty "$cg/payload" && return 0
        sleep 0.1
    done
    _harness_err "$name: processes survive in $cg/payload after SIGKILL of PID 1"
    return 1
}

harness_stop() {
    # Independent of the caller's shell options (restored on return).
    local -
    set +e -o pipefail
    local name=${1:-} state cg pid i timeout rc=0
    _harness_check_name "$name" || return 1
    state=$(_harness_statedir "$name")
    cg=$(_harness_cgroup "$name") || cg=""

    # 1. Ask the guest to power off: SIGRTMIN+4 is systemd's "poweroff"
    # request (what a container manager sends), it stops all units
    # properly and then PID 1 exits.
    if pid=$(_harness_pid1 "$name"); then
        kill -s RTMIN+4 "$pid" 2>/dev/null
        timeout=${HARNESS_STOP_TIMEOUT:-15}
        for ((i = 0; i < timeout * 10; i++)); do
            _harness_cgroup_empty "$cg" && break
            sleep 0.1
        done
    fi

    # 2. Whatever is still alive in the instance's cgroups (guest,
    # supervisor, script, leftovers of a half-failed boot) gets SIGKILL.
    if [ -n "$cg" ] && [ -d "$cg" ]; then
        for ((i = 0; i < 50; i++)); do
            _harness_cgroup_empty "$cg" && break
            if [ -e "$cg/cgroup.kill" ]; then
                echo 1 >"$cg/cgroup.kill" 2>/dev/null
            else
                # Kernels before 5.14: kill process by process.
                local p
                while read -r p; do
                    kill -KILL "$p" 2>/dev/null
                done < <(find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null)
            fi
            sleep 0.1
        done
        if ! _harness_cgroup_empty "$cg"; then
            _harness_err "$name: processes survive in cgroup $cg"
            rc=1
        fi
        # 3. Remove the cgroup tree, leaves first (the guest's systemd leaves
        # its slices behind, and harness_run may have left its cgroups).
        local d
        while IFS= read -r d; do
            rmdir "$d" 2>/dev/null
        done < <(find "$cg" -depth -type d 2>/dev/null)
        if [ -d "$cg" ]; then
            _harness_err "$name: cannot remove cgroup $cg"
            rc=1
        fi
    fi

    # 4. Mounts.  All guest mounts live in the guest's private mount
    # namespace and disappear with its last process; nothing is mounted
    # in the host's namespace.  Should something be there anyway (a bug),
    # detach it rather than leave it behind, and never rm -rf into it.
    if [ -d "$state" ]; then
        local mp
        while IFS= read -r mp; do
            if ! umount -l "$mp" 2>/dev/null; then
                _harness_err "$name: cannot unmount $mp"
                rc=1
            fi
        done < <(awk -v s="$state" '$5 == s || index($5, s "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)

        if [ -n "${HARNESS_LOG_DIR:-}" ] && [ -s "$state/console.log" ]; then
            mkdir -p "$HARNESS_LOG_DIR" &&
                cp "$state/console.log" "$HARNESS_LOG_DIR/$name.console.log"
        fi
        if ! rm -rf --one-file-system -- "$state"; then
            _harness_err "$name: cannot remove state dir $state"
            rc=1
        fi
        # The parent too, once the last instance is gone.
        rmdir "${state%/*}" 2>/dev/null
    fi

    # Forget the instance.
    local kept=() n
    for n in "${_HARNESS_INSTANCES[@]}"; do
        [ "$n" = "$name" ] || kept+=("$n")
    done
    _HARNESS_INSTANCES=("${kept[@]}")
    return "$rc"
}

harness_stop_all() {
    # Independent of the caller's shell options (restored on return).
    local -
    set +e -o pipefail
    local n rc=0 status=${1:-0}
    for n in "${_HARNESS_INSTANCES[@]}"; do
        if [ "$status" != 0 ] && [ "$status" != 77 ]; then
            echo "=== harness: console log of $n (last 60 lines) ===" >&2
            tail -n 60 "$(_harness_statedir "$n")/console.log" >&2
        fi
        harness_stop "$n" || rc=1
    done
    return "$rc"
}

# ---------------------------------------------------------------------------
# Boot stages.  These run as separate `bash harness.sh _stage-...` processes
# with `set -euo pipefail`; their output goes to the console log.
# ---------------------------------------------------------------------------

_harness_stage_fail() {
    echo "harness: FATAL: $*" >&2
    exit 1
}

# Stage 1, inside `script`'s pty, in the host's namespaces and in the
# instance's cgroup.  This process (after the exec: unshare) stays outside
# and is the guest's "supervisor": it only waits for the guest's PID 1.
# --propagation private: nothing we mount propagates back to the host, even
# if the host's / is a shared mount (as it is under systemd).
# --kill-child: if the supervisor is killed, so is the guest.
_harness_stage_outer() {
    # Something in the guest may hang up /dev/console (a getty does
    # vhangup()); that must not kill the supervisor, and with it the guest.
    trap '' HUP
    exec unshare --mount --propagation private --uts --ipc --net \
        --pid --fork --kill-child -- \
        /bin/bash "$_HARNESS_SELF" _stage-pid1 "$@"
}

# Stage 2: PID 1 of the new PID namespace.  /proc is still the host's.
_harness_stage_pid1() {
    local cg=$3
    # Leave the supervisor's cgroup and make payload the root of the guest's
    # cgroup namespace: the guest's systemd then sees payload as "/" and
    # owns the whole subtree.  ("0" = this process, in any pid namespace.)
    echo 0 >"$cg/payload/cgroup.procs" ||
        _harness_stage_fail "cannot move into cgroup $cg/payload"
    exec unshare --cgroup -- /bin/bash "$_HARNESS_SELF" _stage-root "$@"
}

# Stage 3: still PID 1, now in its own cgroup namespace.  Build the root file
# system, pivot into it, exec systemd.
_harness_stage_root() {
    local name=$1 state=$2 destdir=$4 binds=${5:-}
    local fs="$state/fs" root="$state/root" console pid1 mid u

    console=$(tty) || _harness_stage_fail "stdin is not a tty (not started by script?)"
    # Our pid as seen by the host: /proc is still the host's, and
    # /proc/self/stat shows the pid in the pid namespace of that /proc.
    # (read is a builtin, so /proc/self is this very process.)
    read -r pid1 _ </proc/self/stat

    # Throw-away upper layer on a tmpfs; it only exists in this mount namespace.
    mount -t tmpfs -o mode=0755 "harness-$name" "$fs" ||
        _harness_stage_fail "mount tmpfs on $fs"
    mkdir "$fs/upper" "$fs/work"
    # The lower layer is the host's root file system only (not the mounts
    # below it, such as /proc or /home): the guest gets its own /proc, /sys,
    # /dev, /run and /tmp below, and sees nothing else that is mounted.
    mount -t overlay -o "lowerdir=/,upperdir=$fs/upper,workdir=$fs/work" \
        "harness-$name" "$root" ||
        _harness_stage_fail "mount overlay (lower /, upper $fs/upper) on $root"

    # Install the software under test.  Copy into the merged overlay, not
    # into the upper dir: the host is usr-merged (/lib -> usr/lib), and a
    # lib/ directory in the upper dir would hide that symlink.
    # --keep-directory-symlink follows those symlinks, --no-overwrite-dir
    # keeps the modes of existing directories, owner root as from a package.
    if [ -n "$destdir" ]; then
        echo "harness: installing $destdir into the guest"
        tar -C "$destdir" --owner=0 --group=0 --numeric-owner -cf - . |
            tar -C "$root" -xf - --keep-directory-symlink --no-overwrite-dir ||
            _harness_stage_fail "copying $destdir into the guest root"
        # New shared libraries: run ldconfig, as a package's trigger would.
        if [ -n "$(find "$destdir" -name 'lib*.so*' -print -quit)" ]; then
            chroot "$root" /sbin/ldconfig ||
                echo "harness: warning: ldconfig failed in the guest root" >&2
        fi
    fi

    # Host directories that outlive the guest (HARNESS_BIND), checked by
    # harness_boot.  Mounted on the merged root, so the guest sees them
    # at once; they are not below the overlay's upper layer.
    local bind
    for bind in $binds; do
        mkdir -p "$root${bind#*:}" &&
            mount --bind "${bind%%:*}" "$root${bind#*:}" ||
            _harness_stage_fail "bind-mounting ${bind%%:*} on ${bind#*:}"
    done

    # Guest configuration, in the overlay only.
    local etc="$root/etc"
    # A machine ID of its own (and for D-Bus' copy of it).
    mid=$(tr -d '-' </proc/sys/kernel/random/uuid)
    rm -f "$etc/machine-id"
    echo "$mid" >"$etc/machine-id"
    if [ -e "$root/var/lib/dbus/machine-id" ] || [ -L "$root/var/lib/dbus/machine-id" ]; then
        ln -sfn /etc/machine-id "$root/var/lib/dbus/machine-id"
    fi
    echo "$name" >"$etc/hostname"
    hostname "$name"
    # The host's fstab describes the host's disks; the guest mounts none.
    echo "# upkeep test harness guest: nothing to mount" >"$etc/fstab"
    mkdir -p "$etc/systemd/system.conf.d" "$etc/systemd/system"
    cat >"$etc/systemd/system.conf.d/50-upkeep-harness.conf" <<-'EOF'
	# upkeep test harness: a stuck unit must not block harness_stop for 90 s.
	[Manager]
	DefaultTimeoutStopSec=10s
	LogColor=no
	EOF
    # Masks are passed as systemd.mask= arguments to systemd (a container's
    # "kernel command line" is PID 1's argv; systemd-debug-generator turns
    # them into /dev/null symlinks in /run/systemd/generator.early).  That
    # is as good as symlinks in /etc, and much cheaper than one ln(1) each.
    local pat f masks=()
    # shellcheck disable=SC2086 # HARNESS_MASK is a list of globs
    for pat in "${_HARNESS_MASK_DEFAULT[@]}" ${HARNESS_MASK:-}; do
        for f in "$root"/lib/systemd/system/$pat "$etc"/systemd/system/$pat; do
            [ -e "$f" ] || [ -L "$f" ] || continue
            [ -d "$f" ] && continue
            masks+=("systemd.mask=${f##*/}")
        done
    done

    # /proc: a fresh one for the new pid namespace.  /proc/sys is made
    # read-only (a bind mount of itself, remounted ro): most of it is not
    # namespaced, so systemd-sysctl and friends inside would otherwise change
    # the host's kernel settings.  Same for /proc/sysrq-trigger.
    mount -t proc -o nosuid,nodev,noexec proc "$root/proc" ||
        _harness_stage_fail "mount proc on $root/proc"
    for f in sys sysrq-trigger; do
        [ -e "$root/proc/$f" ] || continue   # no CONFIG_MAGIC_SYSRQ
        if ! mount --bind "$root/proc/$f" "$root/proc/$f" ||
            ! mount -o remount,bind,ro "$root/proc/$f"; then
            _harness_stage_fail "making $root/proc/$f read-only"
        fi
    done
    # /sys read-only: no udev, no writes to host kernel/device settings.
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys" ||
        _harness_stage_fail "mount sysfs (ro) on $root/sys"
    # cgroup2, mounted from inside the cgroup namespace: its root is payload.
    mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup" ||
        _harness_stage_fail "mount cgroup2 on $root/sys/fs/cgroup"

    # /dev: a tmpfs with only the harmless character devices, no disks.
    local dev="$root/dev"
    mount -t tmpfs -o mode=0755,nosuid,size=4m "harness-dev" "$dev" ||
        _harness_stage_fail "mount tmpfs on $dev"
    mknod -m 666 "$dev/null" c 1 3
    mknod -m 666 "$dev/zero" c 1 5
    mknod -m 666 "$dev/full" c 1 7
    mknod -m 666 "$dev/random" c 1 8
    mknod -m 666 "$dev/urandom" c 1 9
    mknod -m 666 "$dev/tty" c 5 0
    mkdir -m 755 "$dev/pts"
    mkdir -m 1777 "$dev/shm"
    mkdir -m 755 "$dev/mqueue"
    # A devpts instance of its own, so the guest's ptys are not the host's.
    mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5,nosuid,noexec \
        devpts "$dev/pts" || _harness_stage_fail "mount devpts on $dev/pts"
    ln -s pts/ptmx "$dev/ptmx"
    mount -t tmpfs -o mode=1777,nosuid,nodev shm "$dev/shm" ||
        _harness_stage_fail "mount tmpfs on $dev/shm"
    mount -t mqueue -o nosuid,nodev,noexec mqueue "$dev/mqueue" ||
        _harness_stage_fail "mount mqueue on $dev/mqueue"
    # systemd wants a tty as /dev/console: script's pty.
    touch "$dev/console"
    mount --bind "$console" "$dev/console" ||
        _harness_stage_fail "bind $console on $dev/console"
    ln -s /proc/self/fd "$dev/fd"
    for u in 0:stdin 1:stdout 2:stderr; do
        ln -s "/proc/self/fd/${u%%:*}" "$dev/${u#*:}"
    done

    mount -t tmpfs -o mode=0755,nosuid,nodev harness-run "$root/run" ||
        _harness_stage_fail "mount tmpfs on $root/run"
    mount -t tmpfs -o mode=1777,nosuid,nodev harness-tmp "$root/tmp" ||
        _harness_stage_fail "mount tmpfs on $root/tmp"

    # Tell the host our pid once systemd is about to run.  The file is opened
    # now (afterwards the host's file system is gone) and written last.
    exec 3>"$state/pid"

    # Switch root: pivot_root(".", ".") stacks the old root on top of the
    # new one, and the lazy unmount then drops it (see pivot_root(2)).
    cd "$root" || _harness_stage_fail "cd $root"
    pivot_root . . || _harness_stage_fail "pivot_root into $root"
    umount -n -l . || _harness_stage_fail "detaching the old root"
    cd /
    # Shared within the guest, as systemd makes / on a real machine (it leaves that to the container
    # manager when it runs in one): a unit's credentials (LoadCredential=, SetCredential=) are mounted
    # in a child namespace and reach /run/credentials only through propagation. The host's mounts
    # stay out of reach: the namespace was made with --propagation private, so these are new peer
    # groups of the guest's own.
    mount --make-rshared / || _harness_stage_fail "making the guest's / shared"

    echo "$pid1" >&3
    exec 3>&-
    exec setpriv --bounding-set "$_HARNESS_DROP_CAPS" -- \
        env -i container="$name" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        /lib/systemd/systemd systemd.log_color=0 "${masks[@]}" \
        </dev/console >/dev/console 2>&1
}

# ---------------------------------------------------------------------------
# Command-line use.
# ---------------------------------------------------------------------------

_harness_main() {
    local cmd=${1:-}
    shift || true
    case "$cmd" in
        boot) harness_boot "$@" ;;
        run) harness_run "$@" ;;
        copy-in | copy_in) harness_copy_in "$@" ;;
        console) harness_console "$@" ;;
        kill) harness_kill "$@" ;;
        stop) harness_stop "$@" ;;
        require) harness_require ;;
        _stage-outer)
            set -euo pipefail
            _harness_stage_outer "$@" ;;
        _stage-pid1)
            set -euo pipefail
            _harness_stage_pid1 "$@" ;;
        _stage-root)
            set -euo pipefail
            _harness_stage_root "$@" ;;
        *)
            echo "usage: ${0##*/} boot NAME [DESTDIR] | run NAME CMD [ARG...] |" \
                "copy-in NAME SRC DST | console NAME | kill NAME | stop NAME | require" >&2
            return 2 ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    _harness_main "$@"
    exit $?
fi
