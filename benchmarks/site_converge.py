#!/usr/bin/env python3
"""The whole platform's rollout on the local sandbox: first converge, no-op re-run, check mode.

A script that prints figures (never asserts). It runs what `make demo` runs, against
inventories/local:

  1. `playbooks/sandbox.yml` (the sandbox hosts; with --fresh they are removed first, so the
     first converge is from bare Debian 13 hosts, images already in the sandbox registry);
  2. `site.yml`, timed: the first converge (or, without --fresh on a converged sandbox, a
     re-run, and the output says so);
  3. `site.yml` again, timed: the no-op re-run, with its changed count per host and its
     ratio to the first converge;
  4. `site.yml --check`, timed, with its changed count per host;
  5. the ten slowest tasks of the no-op re-run (the profile_tasks callback's recap).

Logs of every run: .cache/bench/site_converge/.
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / ".cache" / "bench" / "site_converge"
ENV = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
BIN = Path(sys.executable).parent


def run(name, *args):
    LOGS.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    out = subprocess.run([str(BIN / "ansible-playbook"), "-i", "inventories/local", *args], cwd=ROOT, env=ENV,
                         capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    (LOGS / f"{name}.log").write_text(out.stdout + out.stderr)
    changed = dict(re.findall(r"(?m)^(\S+)\s+: ok=\d+\s+changed=(\d+)", out.stdout))
    status = "ok" if out.returncode == 0 else f"FAILED (rc {out.returncode}, see {LOGS / (name + '.log')})"
    print(f"{name:<22} {seconds:7.1f} s  changed={changed}  {status}", flush=True)
    return seconds, out


def slowest(output, count=10):
    # profile_tasks' recap lines: "role : task ------ 12.34s"
    rows = re.findall(r"(?m)^(.+?) -+ (\d+\.\d+)s$", output)
    return sorted(((float(s), t.strip()) for t, s in rows), reverse=True)[:count]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", action="store_true", help="remove the sandbox hosts first (a first converge)")
    args = parser.parse_args()
    if args.fresh:
        run("sandbox-absent", "playbooks/sandbox.yml", "-e", "sandbox_state=absent")
    run("sandbox", "playbooks/sandbox.yml")
    first, _ = run("first converge" if args.fresh else "converge (not fresh)", "site.yml")
    noop, out = run("no-op re-run", "site.yml")
    run("check mode", "site.yml", "--check")
    print(f"no-op / first converge: {noop / first:.2f}")
    print("slowest tasks of the no-op re-run:")
    for seconds, task in slowest(out.stdout):
        print(f"  {seconds:6.2f} s  {task}")


if __name__ == "__main__":
    main()
