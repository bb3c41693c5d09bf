#!/usr/bin/env python3
"""Odoo deploys on the Molecule scenario `odoo`: converge times, and failed requests during a blue/green switch
versus a naive `docker compose down && docker compose up -d`.

A script that prints figures (never asserts). Recorded figures and the exact commands: benchmarks/README.md.

  1. Converge of the whole stack (postgres + nginx + odoo roles): `molecule create/prepare/converge -s odoo`,
     converge timed. Existing hosts are reused (the figure is then NOT from a fresh host, and says so);
     --fresh runs `molecule destroy` and `molecule reset` first. Then a second `molecule converge -s odoo`
     (the no-op re-run), timed.
  2. A probe inside the ERP host requests https://erp.insightpulse.test/web/health through Nginx
     (127.0.0.1:443, SNI and Host erp.insightpulse.test, certificate not verified, a new connection each
     time), one request at a time, every 50 ms, while the cases below run. Nginx limits Odoo to 100
     requests a minute per client address (nginx_odoo_rate, then 429), so each request comes from a
     loopback source address of its own (127.x.y.z), like one request of many users (--one-address: all
     from 127.0.0.1, to see the limiter answer 429). The cases:
       a. benchmarks/odoo_switch.yml runs the odoo role with another log_level (config-only change: the
          role's blue/green path), against Molecule's inventory of the scenario;
       b. `docker compose down && docker compose up -d` of the odoo project on the host (what operators did
          by hand), until /web/health answers through Nginx again, plus --tail seconds.
     Per case: requests, failures (not 200, or no answer), the longest run of failures in ms (from the
     first failed request of the run to the next request that succeeded).

The hosts are left running (`molecule destroy -s odoo` removes them). Logs of every command:
.cache/bench/odoo_deploy/.
"""

import argparse
import collections
import configparser
import json
import os
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "odoo"
HOST = "ipp-odoo-erp"
NAME = "erp.insightpulse.test"
PROJECT_DIR = "/opt/insightpulse/odoo"
LOGS = ROOT / ".cache" / "bench" / "odoo_deploy"

# Runs inside the ERP host (its python3). Prints one JSON line per request; stops at EOF on stdin.
PROBE = r"""
import http.client, json, socket, ssl, sys, threading, time
name, addr, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
interval, limit, timeout = float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
spread, count = sys.argv[8] == "1", 0
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

class Conn(http.client.HTTPSConnection):
    source = "127.0.0.1"
    def connect(self):
        sock = socket.create_connection((addr, port), self.timeout, source_address=(self.source, 0))
        self.sock = ctx.wrap_socket(sock, server_hostname=name)

stop = threading.Event()
def watch():
    sys.stdin.read()
    stop.set()
threading.Thread(target=watch, daemon=True).start()
t0 = time.monotonic()
due = t0
while not stop.is_set() and time.monotonic() - t0 < limit:
    start = time.monotonic()
    code, err = 0, ""
    try:
        conn = Conn(name, port, timeout=timeout)
        if spread:  # a loopback source address of its own per request: one client each for limit_req
            conn.source = "127.%d.%d.%d" % (1 + count // 65024 % 254, count // 254 % 256, 1 + count % 254)
        count += 1
        conn.request("GET", path, headers={"Connection": "close"})
        resp = conn.getresponse()
        resp.read()
        code = resp.status
        conn.close()
    except Exception as exc:
        err = type(exc).__name__
    end = time.monotonic()
    print(json.dumps({"t": start - t0, "ms": (end - start) * 1000, "code": code, "err": err}), flush=True)
    due += interval
    if due > time.monotonic():
        stop.wait(due - time.monotonic())
    else:
        due = time.monotonic()
"""


def log_path(label):
    LOGS.mkdir(parents=True, exist_ok=True)
    return LOGS / f"{label}.log"


def env_with_venv(**extra):
    env = dict(os.environ, **extra)
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    return env


def run(label, argv, env=None, check=True):
    """Run argv from the repository root, output to a log; return (seconds, output)."""
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, env=env or env_with_venv(), capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    out = proc.stdout + proc.stderr
    log_path(label).write_text(f"$ {' '.join(argv)}\n(rc={proc.returncode}, {elapsed:.1f} s)\n{out}")
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}), see {log_path(label)}:\n{out[-3000:]}")
    return elapsed, out


def host_running(name):
    proc = subprocess.run(["docker", "inspect", "--format", "{{.State.Running}}", name],
                          capture_output=True, text=True, check=False)
    return proc.stdout.strip() == "true"


def host_read(path):
    proc = subprocess.run(["docker", "exec", HOST, "cat", path], capture_output=True, text=True, check=False)
    return proc.stdout if proc.returncode == 0 else ""


def live_deploy():
    text = host_read(f"{PROJECT_DIR}/deployed.json")
    return json.loads(text) if text else {}


def live_log_level(slot):
    match = re.search(r"(?m)^log_level\s*=\s*(\S+)", host_read(f"{PROJECT_DIR}/{slot}/odoo.conf"))
    return match.group(1) if match else None


def recap(output, host=HOST):
    """changed=N of host in the last PLAY RECAP, and the odoo role's deploy mode(s)."""
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)  # Molecule colours Ansible's output and frames its lines
    changed = re.findall(rf"(?m)^\W*{re.escape(host)}\s*:.*?changed=(\d+)", output)
    modes = re.findall(r"Odoo deploy: (\w+)", output)
    return (int(changed[-1]) if changed else None), modes


def molecule_inventory():
    """The inventory Molecule wrote for the scenario (its ephemeral directory for this checkout)."""
    if os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY"):
        candidates = [Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])]
    else:
        candidates = sorted((Path.home() / ".ansible" / "tmp").glob(f"molecule.*.{SCENARIO}"))
        candidates += sorted((Path.home() / ".cache" / "molecule" / ROOT.name).glob(SCENARIO))
    for directory in candidates:
        cfg = configparser.ConfigParser(interpolation=None)
        cfg.read(directory / "ansible.cfg")
        collections_path = cfg.get("defaults", "collections_path", fallback="")
        if (directory / "inventory").is_dir() and str(ROOT / "collections") in collections_path.split(":"):
            return directory / "inventory"
    raise RuntimeError(f"no Molecule inventory of scenario {SCENARIO} for {ROOT} among {candidates}")


class Probe:
    """The probe running in the ERP host; records (received at, record) per request."""

    def __init__(self, interval, spread=True, limit=1800.0, timeout=5.0):
        argv = ["docker", "exec", "-i", HOST, "python3", "-u", "-c", PROBE, NAME, "127.0.0.1", "443",
                "/web/health", str(interval), str(limit), str(timeout), "1" if spread else "0"]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.records = []
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                self.records.append((time.monotonic(), record))

    def wait_ok(self, after, timeout):
        """Wait for a 200 received after monotonic time `after`; return when it came (None: timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for received, record in self.records:
                    if received > after and record["code"] == 200:
                        return received
            if self.proc.poll() is not None:
                raise RuntimeError("the probe stopped")
            time.sleep(0.05)
        return None

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.reader.join(timeout=10)
        return [record for _, record in self.records]


def summarise(records):
    failures = [r for r in records if r["code"] != 200]
    longest, streak_start, last_fail = 0.0, None, None
    for record in records:
        if record["code"] != 200:
            streak_start = record["t"] if streak_start is None else streak_start
            last_fail = record
        elif streak_start is not None:
            longest = max(longest, record["t"] - streak_start)
            streak_start = None
    if streak_start is not None:  # still failing when the probe stopped
        longest = max(longest, last_fail["t"] + last_fail["ms"] / 1000 - streak_start)
    kinds = collections.Counter(r["err"] or str(r["code"]) for r in failures)
    return {"requests": len(records), "failures": len(failures), "longest_ms": longest * 1000,
            "kinds": ", ".join(f"{kind} x{n}" for kind, n in kinds.most_common()) or "-"}


def start_probe(interval, spread):
    probe = Probe(interval, spread)
    if probe.wait_ok(0, 60) is None:
        probe.stop()
        raise RuntimeError(f"https://{NAME}/web/health does not answer 200 through Nginx on {HOST}")
    return probe


def bench_converge(fresh):
    existed = host_running(HOST) and host_running("ipp-odoo-client")
    if fresh:
        run("molecule-destroy", ["molecule", "destroy", "-s", SCENARIO])
        run("molecule-reset", ["molecule", "reset", "-s", SCENARIO])
        existed = False
    run("molecule-create", ["molecule", "create", "-s", SCENARIO])
    run("molecule-prepare", ["molecule", "prepare", "-s", SCENARIO])
    first, out = run("molecule-converge-1", ["molecule", "converge", "-s", SCENARIO])
    first_changed, first_modes = recap(out)
    second, out = run("molecule-converge-2", ["molecule", "converge", "-s", SCENARIO])
    second_changed, second_modes = recap(out)
    label = "converge, existing hosts (NOT fresh)" if existed else "converge, fresh hosts"
    return [(label, first, first_changed, first_modes), ("converge again (no-op)", second, second_changed,
                                                         second_modes)]


def bench_switch(interval, tail, spread):
    before = live_deploy()
    if not before:
        raise RuntimeError(f"nothing deployed on {HOST} ({PROJECT_DIR}/deployed.json missing)")
    level = "info" if live_log_level(before["slot"]) == "warn" else "warn"
    inventory = molecule_inventory()
    env = env_with_venv(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
                        MOLECULE_SCENARIO_DIRECTORY=str(ROOT / "molecule" / SCENARIO))
    probe = start_probe(interval, spread)
    try:
        wall, out = run("odoo-switch", ["ansible-playbook", "-i", str(inventory), "benchmarks/odoo_switch.yml",
                                        "-e", f"odoo_bench_log_level={level}"], env=env)
        time.sleep(tail)
    finally:
        records = probe.stop()
    marks = dict(re.findall(r"bench-mark odoo-(start|end) ([0-9.]+)", out))
    mode = re.search(r"bench-mark odoo-end \S+ mode=(\w+)", out)
    after = live_deploy()
    return {"case": f"blue/green, {before['slot']} -> {after.get('slot')}", "wall": wall,
            "odoo_role": float(marks["end"]) - float(marks["start"]) if len(marks) == 2 else None,
            "mode": mode.group(1) if mode else "?", "log_level": level, "before": before["slot"],
            "after": after.get("slot"), **summarise(records)}


def bench_naive(interval, tail, spread, timeout=600):
    slot = live_deploy().get("slot")
    probe = start_probe(interval, spread)
    try:
        wall, _ = run("naive-restart", ["docker", "exec", HOST, "sh", "-c",
                                        f"cd {PROJECT_DIR} && docker compose down && docker compose up -d"])
        done = time.monotonic()
        back = probe.wait_ok(done, timeout)
        if back is None:
            raise RuntimeError(f"/web/health did not answer 200 within {timeout} s after docker compose up -d")
        time.sleep(tail)
    finally:
        records = probe.stop()
    return {"case": f"naive down && up -d ({slot})", "wall": wall, "healthy_after": back - done,
            **summarise(records)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true",
                        help="molecule destroy + reset first, so the converge figure is from fresh hosts")
    parser.add_argument("--skip-converge", action="store_true", help="only the two deploy cases")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between probe requests (0.05)")
    parser.add_argument("--tail", type=float, default=3.0, help="seconds the probe goes on after a deploy (3)")
    parser.add_argument("--one-address", action="store_true",
                        help="probe from 127.0.0.1 only (Nginx's limit_req for Odoo then answers most requests 429)")
    args = parser.parse_args()
    if args.fresh and args.skip_converge:
        parser.error("--fresh needs the converge")
    if not args.skip_converge:
        converges = bench_converge(args.fresh)
    elif not host_running(HOST):
        parser.error(f"{HOST} does not run: converge first (drop --skip-converge)")
    switch = bench_switch(args.interval, args.tail, not args.one_address)
    naive = bench_naive(args.interval, args.tail, not args.one_address)

    print(f"Odoo deploy benchmark, Molecule scenario {SCENARIO} ({HOST}), "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores")
    if not args.skip_converge:
        print(f"\n  {'run':<40} {'time':>9}  {'erp changed':>11}  odoo deploy")
        for label, secs, changed, modes in converges:
            print(f"  {label:<40} {secs:8.1f}s  {'?' if changed is None else changed:>11}  {','.join(modes) or '?'}")
    sources = "all from 127.0.0.1" if args.one_address else "each from its own 127.x.y.z"
    print(f"\n  probe: GET https://{NAME}/web/health through Nginx (127.0.0.1:443), "
          f"one request every {args.interval * 1000:.0f} ms, {sources}, inside {HOST}")
    print(f"  {'case':<36} {'time':>9} {'requests':>9} {'failed':>7} {'longest failure run':>20}")
    for case in (switch, naive):
        print(f"  {case['case']:<36} {case['wall']:8.1f}s {case['requests']:>9} {case['failures']:>7} "
              f"{case['longest_ms']:>17.0f} ms")
    role = f"{switch['odoo_role']:.1f} s" if switch["odoo_role"] is not None else "?"
    print(f"\n  blue/green: odoo role {role} of the playbook (the rest is facts + the postgres role), "
          f"deploy mode {switch['mode']}, log_level -> {switch['log_level']}, "
          f"live slot {switch['before']} -> {switch['after']}; failures: {switch['kinds']}")
    print(f"  naive: down && up -d took {naive['wall']:.1f} s, /web/health 200 again "
          f"{naive['healthy_after']:.1f} s after it returned; failures: {naive['kinds']}")
    print(f"  (time = wall time of the deploy command; the probe ran on {args.tail:.0f} s more. Logs: {LOGS})")


if __name__ == "__main__":
    main()
