#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What an app's `current` link names, checked against the release archive it came from (run in a
test guest, after a fault).

  check-current.py APP-DIR ARCHIVE-DIR

APP-DIR is /var/lib/upkeep/apps/NAME; the archive of version V is ARCHIVE-DIR/NAME-V.tar.gz. Prints the
version `current` names when its directory holds every entry of that archive, readable and the same
(file contents and executable bits, directories, link targets), nothing else, and state.json loads as
JSON with `current_version` agreeing; otherwise prints what is wrong on stderr and exits 1.
"""
import json
import os
import sys
import tarfile


def main():
    app_dir, archive_dir = sys.argv[1], sys.argv[2]
    name = os.path.basename(os.path.normpath(app_dir))
    problems = []

    target = os.readlink(os.path.join(app_dir, "current"))
    version = os.path.basename(target)
    if target != f"versions/{version}":
        sys.exit(f"current -> {target}: not a version directory")
    root = os.path.join(app_dir, target)

    seen = set()
    with tarfile.open(os.path.join(archive_dir, f"{name}-{version}.tar.gz")) as tar:
        for m in tar:
            path = os.path.join(root, m.name)
            seen.add(os.path.normpath(m.name))
            if m.isdir():
                if not os.path.isdir(path) or os.path.islink(path):
                    problems.append(f"{m.name}: directory missing")
            elif m.issym():
                if not os.path.islink(path) or os.readlink(path) != m.linkname:
                    problems.append(f"{m.name}: link missing or not -> {m.linkname}")
            elif m.isfile():
                try:
                    with open(path, "rb") as f:
                        data = f.read()
                except OSError as e:
                    problems.append(f"{m.name}: {e.strerror}")
                    continue
                if data != tar.extractfile(m).read():
                    problems.append(f"{m.name}: {len(data)} bytes, not the archive's {m.size}")
                if bool(os.stat(path).st_mode & 0o100) != bool(m.mode & 0o100):
                    problems.append(f"{m.name}: executable bit differs")

    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            rel = os.path.relpath(os.path.join(dirpath, n), root)
            if rel not in seen:
                problems.append(f"{rel}: not in the archive")

    try:
        with open(os.path.join(app_dir, "state.json")) as f:
            state = json.load(f)
        if state.get("current_version") != version:
            problems.append(f"state.json: current_version is {state.get('current_version')}, the link says {version}")
    except (OSError, ValueError) as e:
        problems.append(f"state.json does not load: {e}")

    if problems:
        sys.exit(f"{name} {version} is not complete: " + "; ".join(problems))
    print(version)


main()
