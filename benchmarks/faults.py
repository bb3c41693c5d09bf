#!/usr/bin/env python3
"""Crashes under load: the live Odoo container, then the PostgreSQL container, killed the way a crash looks
while simulated users work; time until the platform answers again through the front, the users' requests
that failed meanwhile, and whether a row written just before each kill is still there.

A script that prints figures (never asserts). Recorded figures and the exact commands: benchmarks/README.md.
Runs from benchmarks/.venv with Locust, like load.py (whose users, target and figures it reuses).

  - Load: load.py's users (--users, default 12; signing in, reading partners and expenses, 1-3 s think time)
    through Nginx at https://erp.insightpulse.test (the ERP host's sandbox address), no abusive client.
  - Probe: from the ERP host's other address (another client address for Nginx's per-address limits), every
    --interval s, GET /web/health (Odoo answers) and a signed-in search_count of res.partner over JSON-RPC
    (Odoo answers with data from PostgreSQL). A probe fails on any answer but 200 (for the read: or a
    JSON-RPC error), or no answer within 5 s.
  - After --warmup s, for Odoo and then PostgreSQL: a res.partner with a unique name is created over JSON-RPC,
    then the container's main process gets SIGKILL from inside the ERP host (`kill -9` of `docker inspect -f
    {{.State.Pid}}`), so Docker sees a crash and its restart policy applies (`docker kill` would count as a
    manual stop). The live Odoo slot is found among the ERP host's containers (odoo-odoo-blue-1 or -green-1).
    The script waits until Docker has restarted the container and both probes answer again (3 in a row), then
    --settle s more, and reads the row back.
    A container that is not running again after --timeout s did NOT come back by itself: that is printed as
    a FINDING, and the script starts it (`docker start`, inside the ERP host) so the demo is usable again
    (--no-restore: leave it down and stop).

Printed per case: seconds until Docker had restarted the container, until /web/health answered 200 again and
until the signed-in read answered again (all from the kill); the users' requests that failed from the kill
until both probes were back, and during the settle time after; whether the row is there. The rows are
deleted at the end (--keep-rows: kept).
"""

import argparse
import collections
import json
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime

import load  # first: re-runs this script in benchmarks/.venv and imports Locust (gevent's monkey-patching)

gevent = load.gevent

ODOO_CONTAINER = re.compile(r"^odoo-odoo-(blue|green)-1$")
POSTGRES_CONTAINER = "postgres-postgres-1"


# --- the ERP host's containers --------------------------------------------------------------------------------

def containers():
    return load.host_exec("docker", "ps", "--format", "{{.Names}}").split()


def live_odoo():
    names = [name for name in containers() if ODOO_CONTAINER.match(name)]
    if len(names) > 1:  # a blue/green deploy in flight: the slot in deployed.json is the live one
        slot = json.loads(load.host_exec("cat", f"{load.ODOO_DIR}/deployed.json"))["slot"]
        names = [name for name in names if name == f"odoo-odoo-{slot}-1"]
    if not names:
        raise SystemExit(f"no running Odoo slot on {load.HOST} (docker ps: {containers()})")
    return names[0]


def state(name):
    """(running, started at, restart count) of a container of the ERP host."""
    out = load.host_exec("docker", "inspect", "-f", "{{.State.Running}} {{.State.StartedAt}} {{.RestartCount}}",
                         name, check=False).split()
    return (out[0] == "true", out[1], int(out[2])) if len(out) == 3 else (False, "", -1)


def crash(name):
    """SIGKILL of the container's main process, from inside the ERP host."""
    load.host_exec("sh", "-c", f"kill -9 $(docker inspect -f '{{{{.State.Pid}}}}' {name})")


# --- JSON-RPC outside Locust (the probe, the rows) ---------------------------------------------------------

class Client:
    """A signed-in JSON-RPC session to Odoo through the front, at one of the ERP host's addresses."""

    def __init__(self, target, address, timeout=10):
        self.target, self.url, self.timeout = target, target.url(address), timeout
        self.session = load.plain_session()

    def post(self, path, params):
        resp = self.session.post(self.url + path, json=load.rpc_payload(params), timeout=self.timeout)
        if resp.status_code != 200:
            raise RuntimeError(f"HTTP {resp.status_code}")
        body = resp.json()
        error = load.rpc_error(body)
        if error:
            raise RuntimeError(error)
        return body.get("result")

    def sign_in(self):
        self.session.cookies.clear()
        self.post("/web/session/authenticate",
                  {"db": self.target.db, "login": load.LOGIN, "password": self.target.password})

    def call(self, model, method, *args, **kwargs):
        try:
            return self.post(f"/web/dataset/call_kw/{model}/{method}", load.call_kw(model, method, args, **kwargs))
        except RuntimeError as exc:
            if not str(exc).startswith("SessionExpired"):
                raise
            self.sign_in()  # only when Odoo says the session is gone, never in a loop during an outage
            return self.post(f"/web/dataset/call_kw/{model}/{method}", load.call_kw(model, method, args, **kwargs))


def short(exc):
    text = str(exc) or type(exc).__name__
    return type(exc).__name__ if isinstance(exc, OSError | ValueError) and "HTTP" not in text else text[:60]


class Probe:
    """Every `interval` s: GET /web/health and a signed-in search_count of res.partner; records
    (start time, kind, error text or "")."""

    KINDS = ("health", "read")

    def __init__(self, target, interval):
        self.client = Client(target, target.abuse_address, timeout=5)
        for _ in range(60):  # Odoo's login cooldown for this address may still run from load.py's abuser
            try:
                self.client.sign_in()
                break
            except RuntimeError as exc:
                print(f"  probe: cannot sign in yet ({short(exc)}), retrying", file=sys.stderr, flush=True)
                gevent.sleep(5)
        self.interval, self.results = interval, []
        self.greenlet = gevent.spawn(self._loop)

    def _loop(self):
        while True:
            due = time.time() + self.interval
            for kind in self.KINDS:
                start, error = time.time(), ""
                try:
                    if kind == "health":
                        resp = self.client.session.get(self.client.url + "/web/health", timeout=5)
                        error = "" if resp.status_code == 200 else f"HTTP {resp.status_code}"
                    else:
                        self.client.call("res.partner", "search_count", [])
                except Exception as exc:  # noqa: BLE001 (every failure is a figure)
                    error = short(exc)
                self.results.append((start, kind, error))
            gevent.sleep(max(0.0, due - time.time()))

    def back(self, kind, since, streak=3):
        """Start of the first request of `streak` successes in a row after the last failure since `since`:
        (time, failures since); (None, failures) while not back."""
        rows = [r for r in self.results if r[1] == kind and r[0] >= since]
        failures = sum(1 for r in rows if r[2])
        last_fail = max((i for i, r in enumerate(rows) if r[2]), default=-1)
        tail = rows[last_fail + 1:]
        if len(tail) < streak:
            return None, failures
        return (since if last_fail < 0 else tail[0][0]), failures

    def stop(self):
        self.greenlet.kill()


# --- the cases ----------------------------------------------------------------------------------------------

def run_case(label, name, probe, writer, args):
    stamp = uuid.uuid4().hex[:8]
    row_name = f"ipp-fault-{label.lower()}-{stamp}"
    before = state(name)
    row_id = writer.call("res.partner", "create", {"name": row_name, "comment": "benchmarks/faults.py"})
    written = time.time()
    crash(name)
    killed = time.time()
    print(f"  {label}: row {row_name} (id {row_id}) written, {name} killed {killed - written:.2f} s later",
          file=sys.stderr, flush=True)
    case = {"label": label, "name": name, "row": row_name, "row_id": row_id, "killed": killed,
            "gap": killed - written, "finding": "", "restored": None}
    docker_back = None
    deadline = killed + args.timeout
    while True:
        now = time.time()
        if docker_back is None:
            running, started, restarts = state(name)
            if running and started != before[1]:
                docker_back = now
                case["restarts"] = restarts - before[2]
        backs = {kind: probe.back(kind, killed) for kind in Probe.KINDS}
        if docker_back and all(back for back, _ in backs.values()) and now - killed > 5:
            break
        if now > deadline:
            if docker_back is None and case["restored"] is None:
                running, started, restarts = state(name)
                case["finding"] = (f"FINDING: {name} did not come back by itself within {args.timeout:.0f} s "
                                   f"(running={running}, restart count {restarts}, was {before[2]})")
                print(f"  {case['finding']}", file=sys.stderr, flush=True)
                if args.no_restore:
                    break
                load.host_exec("docker", "start", name, check=False)
                case["restored"] = time.time()
                deadline = time.time() + args.timeout
                continue
            case["finding"] = case["finding"] or f"not back within {args.timeout:.0f} s"
            break
        gevent.sleep(0.25)
    case["docker_back"] = docker_back
    for kind in Probe.KINDS:
        case[kind], case[f"{kind}_failures"] = probe.back(kind, killed)
    recovered = max([t for t in (case["health"], case["read"]) if t] or [time.time()])
    case["recovered"] = recovered
    gevent.sleep(args.settle)
    case["settled"] = time.time()
    case["row_after"] = find_row(writer, row_name)
    return case


def find_row(writer, row_name, tries=5):
    for _ in range(tries):
        try:
            rows = writer.call("res.partner", "search_read", [("name", "=", row_name)], fields=["id"])
            return [row["id"] for row in rows]
        except Exception as exc:  # noqa: BLE001
            error = short(exc)
            gevent.sleep(2)
    return f"could not read ({error})"


def failures_between(records, start, end):
    """The users' requests that ended at or after `start` and started before `end`: (all, failed)."""
    rows = [r for r in records if r[1] == "user" and r[0] + r[3] / 1000 >= start and r[0] < end]
    return rows, [r for r in rows if r[4]]


def secs(value, origin, failures=1):
    if not failures:
        return "never down"
    return f"{value - origin:.1f} s" if value else "not back"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=12, help="simulated users (12, as load.py)")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started per second (2)")
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds of load before the first kill (30)")
    parser.add_argument("--settle", type=float, default=20.0, help="seconds of load after each recovery (20)")
    parser.add_argument("--timeout", type=float, default=180.0,
                        help="seconds a container has to come back by itself (180)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between probe rounds (0.5)")
    parser.add_argument("--only", choices=["odoo", "postgres"], help="one case only")
    parser.add_argument("--no-restore", action="store_true",
                        help="leave a container that did not come back down (default: docker start it)")
    parser.add_argument("--keep-rows", action="store_true", help="keep the rows written before the kills")
    args = parser.parse_args()

    target = load.Target()
    cases = [("Odoo", live_odoo()), ("PostgreSQL", POSTGRES_CONTAINER)]
    cases = [c for c in cases if not args.only or c[0].lower().startswith(args.only[:4])]
    load.configure(target)
    writer = Client(target, target.address)
    writer.sign_in()
    probe = Probe(target, args.interval)
    started = time.time()
    print(f"faults: {args.users} users against https://{load.NAME} ({load.HOST} {target.address}), "
          f"kills after {args.warmup:g} s: {', '.join(n for _, n in cases)}", file=sys.stderr, flush=True)
    _, runner = load.start_load(args.users, args.spawn_rate)
    results = []
    try:
        gevent.sleep(args.warmup)
        for label, name in cases:
            results.append(run_case(label, name, probe, writer, args))
            if results[-1]["finding"] and args.no_restore:
                break
    finally:
        load.stop_load(runner)
        probe.stop()
    if not args.keep_rows:
        ids = [c["row_id"] for c in results if c["row_id"]]
        try:
            writer.call("res.partner", "unlink", ids)
        except Exception as exc:  # noqa: BLE001
            print(f"  could not delete the rows {ids}: {short(exc)}", file=sys.stderr)

    users = [r for r in load.RECORDS if r[1] == "user"]
    warm = [r for r in users if r[0] < results[0]["killed"]] if results else users
    print(f"Fault benchmark, https://{load.NAME} through Nginx ({load.HOST}), "
          f"{datetime.fromtimestamp(started, UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores")
    print(f"  {args.users} users as in load.py from {target.source(target.address)}; probe every "
          f"{args.interval:g} s from {target.source(target.abuse_address)}: GET /web/health, signed-in "
          f"search_count res.partner")
    print("  crash: kill -9 of the container's main process inside the ERP host (Docker's restart policy applies)")
    print(f"  before the first kill ({args.warmup:g} s): {len(warm)} user requests, "
          f"{sum(1 for r in warm if r[4])} failed")
    print()
    print(f"  {'case':<34} {'docker up':>10} {'health 200':>11} {'read ok':>10} {'users failed':>13} "
          f"{'then':>9}  row written before the kill")
    for case in results:
        killed = case["killed"]
        outage, outage_failed = failures_between(load.RECORDS, killed, case["recovered"])
        settle, settle_failed = failures_between(load.RECORDS, case["recovered"], case["settled"])
        row = ("there" if case["row_after"] == [case["row_id"]] else
               f"MISSING ({case['row_after']})" if isinstance(case["row_after"], list) else case["row_after"])
        print(f"  {case['label'] + ' (' + case['name'] + ')':<34} {secs(case['docker_back'], killed):>10} "
              f"{secs(case['health'], killed, case['health_failures']):>11} "
              f"{secs(case['read'], killed, case['read_failures']):>10} "
              f"{len(outage_failed):>5} of {len(outage):<5} {len(settle_failed):>3} of {len(settle):<4} "
              f" {row} (id {case['row_id']}, {case['gap']:.2f} s before)")
        case["outage_errors"] = load.error_kinds(outage_failed)
        case["settle_errors"] = load.error_kinds(settle_failed)
        case["last_failure"] = max((r[0] + r[3] / 1000 - killed for r in outage_failed + settle_failed), default=None)
    print()
    for case in results:
        print(f"  {case['label']}: restarts by Docker {case.get('restarts', '?')}; probe failures: "
              f"health {case['health_failures']}, read {case['read_failures']}; users' errors until both probes "
              f"were back: {case['outage_errors']}; in the {args.settle:g} s after: {case['settle_errors']}"
              + (f"; the users' last failure ended {case['last_failure']:.1f} s after the kill"
                 if case["last_failure"] is not None else ""))
        if case["finding"]:
            print(f"  {case['finding']}" + (f"; started by hand (docker start) {case['restored'] - killed:.0f} s "
                                          "after the kill" if case["restored"] else "; left down (--no-restore)"))
    print("  (seconds from the kill: docker up = Docker had restarted the container; health 200 / read ok = the "
          "first of 3 good probes in a row)")
    counts = collections.Counter(r[2] for r in users)
    print(f"  users' requests over the whole run: {len(users)} ({', '.join(f'{k} {n}' for k, n in counts.items())})")


if __name__ == "__main__":
    main()
