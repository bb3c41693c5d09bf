#!/usr/bin/env python3
"""Memory of Superset's processes at rest: PSS of the web, worker, beat and Redis containers.

A script that prints figures (never asserts). `docker stats` shows 0 B on this machine (cgroup v1
without the memory controller), so the figure is the proportional set size (PSS, shared pages
divided among the processes sharing them) summed over each container's process tree, read from
/proc/<pid>/smaps_rollup on the host that runs the containers.

    benchmarks/superset_memory.py [--host ipp-platform-erp] [--project superset] [--samples 3]

--host: the sandbox host (a container on this machine's Docker, e.g. the molecule/platform
scenario's ipp-platform-erp, or the demo's ipp-sandbox-erp) that runs the compose project; ""
for this machine itself. Samples are taken --interval seconds apart; the median is printed.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

# Runs on the host of the containers: the PSS (kB) of each container's process tree.
PROBE = r"""
import json, os, subprocess, sys
project = sys.argv[1]
names = subprocess.run(["docker", "ps", "--filter", "label=com.docker.compose.project=" + project,
                        "--format", "{{.Names}}"], capture_output=True, text=True, check=True).stdout.split()
children = {}
for entry in os.listdir("/proc"):
    if entry.isdigit():
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
def tree(pid):
    out = [pid]
    for child in children.get(pid, []):
        out += tree(child)
    return out
def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return sum(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except OSError:
        return 0
result = {}
for name in names:
    pid = int(subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", name],
                             capture_output=True, text=True, check=True).stdout)
    pids = tree(pid)
    result[name] = {"pss_kb": sum(pss(p) for p in pids), "processes": len(pids)}
print(json.dumps(result))
"""


def sample(host: str, project: str) -> dict:
    cmd = ["python3", "-c", PROBE, project]
    if host:
        cmd = ["docker", "exec", host, *cmd]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="ipp-platform-erp")
    parser.add_argument("--project", default="superset")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--interval", type=float, default=5.0)
    args = parser.parse_args()
    samples = []
    for i in range(args.samples):
        if i:
            time.sleep(args.interval)
        samples.append(sample(args.host, args.project))
    if not samples[0]:
        print(f"no containers of the compose project {args.project!r} on {args.host or 'this machine'}")
        return 1
    print(f"Superset at rest, PSS per container (median of {args.samples} samples, {args.interval:g} s apart)")
    total = 0.0
    for name in sorted(samples[0]):
        mib = statistics.median(s.get(name, {}).get("pss_kb", 0) for s in samples) / 1024
        total += mib
        print(f"  {name:28s} {mib:8.1f} MiB   {samples[0][name]['processes']} processes")
    print(f"  {'total':28s} {total:8.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
