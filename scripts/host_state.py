#!/usr/bin/env python3
"""Prove that the sandbox left this machine as it found it.

Sandbox hosts are containers that share this machine's kernel. Whatever a
container is allowed to change in the kernel's global state (the wall clock,
the kernel's time zone, loaded modules, sysctls that are not per namespace)
changes it for the whole machine: a host that set the Asia/Manila time zone
once moved this machine's clock back eight hours. The capability list in
playbooks/vars/sandbox_container.yml is the fix; this is the guard:

    scripts/host_state.py snapshot BEFORE.json   # before the scenarios run
    scripts/host_state.py compare BEFORE.json    # after: exit 1 on any change

What is compared:
- the wall clock against the boot-time clock (CLOCK_REALTIME - CLOCK_BOOTTIME
  moves only when someone sets the time; NTP slewing stays far below the
  tolerance),
- the kernel's time zone (gettimeofday's struct timezone, what a container's
  settimeofday() sets) and /etc/localtime,
- the loaded kernel modules (/proc/modules, where the kernel has modules),
- every readable sysctl under /proc/sys except counters that move by
  themselves and per-interface keys of network devices that Docker creates and
  removes as containers come and go (VOLATILE below).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import re
import sys
import time
from pathlib import Path

CLOCK_TOLERANCE_S = 5.0

# Sysctls that change on an idle machine, or per network device that Docker
# adds and removes with every container and network.
VOLATILE = re.compile(
    r"^(?:"
    r"fs/(?:dentry-state|file-nr|inode-nr|inode-state|aio-nr|dquot-nr|quota/.*)"
    r"|kernel/(?:random/.*|ns_last_pid|pty/nr|sched_domain/.*)"
    r"|net/netfilter/nf_conntrack_count"
    r"|net/ipv[46]/(?:conf|neigh)/(?!all/|default/|lo/)[^/]+/.*"
    r"|net/ipv6/route/gc_.*"
    r")$"
)


class _Timeval(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long)]


class _Timezone(ctypes.Structure):
    _fields_ = [("tz_minuteswest", ctypes.c_int), ("tz_dsttime", ctypes.c_int)]


def kernel_timezone() -> dict[str, int] | None:
    """The kernel's time zone (sys_tz), as settimeofday() last set it."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    tv, tz = _Timeval(), _Timezone()
    if libc.gettimeofday(ctypes.byref(tv), ctypes.byref(tz)) != 0:
        return None
    return {"minuteswest": tz.tz_minuteswest, "dsttime": tz.tz_dsttime}


def clock_offset() -> float:
    """Seconds between the wall clock and the clock that counts since boot."""
    return time.clock_gettime(time.CLOCK_REALTIME) - time.clock_gettime(time.CLOCK_BOOTTIME)


def read_sysctls(root: Path = Path("/proc/sys")) -> dict[str, str]:
    values: dict[str, str] = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath, name)
            key = path.relative_to(root).as_posix()
            if VOLATILE.match(key):
                continue
            try:
                values[key] = " ".join(path.read_text().split())
            except OSError:  # write-only (vm/drop_caches) or refused
                continue
    return values


def read_modules(path: Path = Path("/proc/modules")) -> list[str] | None:
    """Loaded module names; None on a kernel built without module support."""
    try:
        return sorted(line.split()[0] for line in path.read_text().splitlines() if line.strip())
    except FileNotFoundError:
        return None


def snapshot() -> dict:
    localtime = Path("/etc/localtime")
    return {
        "taken_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "clock_offset": clock_offset(),
        "kernel_timezone": kernel_timezone(),
        "localtime": os.path.realpath(localtime) if localtime.exists() else None,
        "modules": read_modules(),
        "sysctls": read_sysctls(),
    }


def differences(before: dict, after: dict, tolerance: float = CLOCK_TOLERANCE_S) -> list[str]:
    """What changed between two snapshots, one readable line each."""
    found = []
    jump = after["clock_offset"] - before["clock_offset"]
    if abs(jump) > tolerance:
        found.append(f"wall clock moved by {jump:+.0f} s ({jump / 3600:+.2f} h) against the boot clock")
    for key in ("kernel_timezone", "localtime"):
        if before[key] != after[key]:
            found.append(f"{key}: {before[key]} -> {after[key]}")
    if before["modules"] is not None or after["modules"] is not None:
        was, now = set(before["modules"] or []), set(after["modules"] or [])
        found += [f"kernel module loaded: {m}" for m in sorted(now - was)]
        found += [f"kernel module unloaded: {m}" for m in sorted(was - now)]
    was, now = before["sysctls"], after["sysctls"]
    for key in sorted(set(was) | set(now)):
        if VOLATILE.match(key):
            continue
        if was.get(key) != now.get(key):
            found.append(f"sysctl {key.replace('/', '.')}: {was.get(key, '(absent)')} -> {now.get(key, '(absent)')}")
    return found


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("snapshot", "compare"):
        print(__doc__.split("\n\n")[2], file=sys.stderr)
        return 2
    path = Path(argv[1])
    if argv[0] == "snapshot":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(snapshot(), indent=1))
        return 0
    before = json.loads(path.read_text())
    changes = differences(before, snapshot())
    if not changes:
        print(f"host state: unchanged since {before['taken_at']} (clock, time zone, modules, sysctls)")
        return 0
    print(f"host state: this machine changed since {before['taken_at']}:", file=sys.stderr)
    for line in changes:
        print(f"  {line}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
