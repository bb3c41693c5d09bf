#!/usr/bin/env python3
"""Concurrent users on the demo's Odoo through the Nginx front over HTTPS (Locust, headless), and an abusive
client guessing passwords on the sign-in path beside them.

A script that prints figures (never asserts). Recorded figures and the exact commands: benchmarks/README.md.

Locust 2.47.0 runs from benchmarks/.venv (ignored by git): on first use the script creates it, installs Locust
there and re-runs itself with that interpreter, so the project's .venv stays lean. Locust is driven through
its library API (one local runner in this process); the figures are computed here from every request
Locust reports, not from Locust's rounded percentiles.

Target: the demo's ERP host, container ipp-sandbox-erp, reached from this machine at its address on the
sandbox network (`docker inspect`), port 443, with SNI and Host erp.insightpulse.test (the sandbox's
self-signed certificate is not verified). The database name comes from the live slot's odoo.conf, the
admin password from /etc/insightpulse/secrets/odoo_admin_password on the host (read, never printed).

  - Users (--users, default 12: the odoo_sizing filter's 6 users per worker times the demo's 2 workers):
    each signs in as admin over JSON-RPC (/web/session/authenticate), then loops with 1-3 s of think time
    over search_read of res.partner (weight 4) and hr.expense (3), read of one partner (2), and signing in
    again (1: a new session, so the sign-in path keeps being used during the abuse). A user whose session
    Odoo no longer knows (SessionExpired) signs in again at once, as a person sent to the sign-in page would.
  - The abusive client (--abuse-clients Locust users, default 4 concurrent connections, from the second half
    of the run; --no-abuse: none) posts /web/session/authenticate as admin with wrong passwords, --abuse-rate
    attempts a second in all (20), each connection waiting for its answer before the next. It connects to
    the ERP host's address on another Docker network (ipp-images), so Nginx sees another client address
    (this machine's bridge address on that network) than the users': Nginx's limits are per client address
    (sign-in paths: nginx_odoo_rate 100r/m, burst 20, then 429). All users share one address, like an office
    behind one NAT address.

Printed: per request kind of the users, requests, errors, p50/p95/max latency; the users' requests, errors and
latency during the first sign-ins (until every user had its first answer), then before and during the abuse;
the abusive client's attempts, how many Nginx limited (429/503) and how many reached Odoo (and what Odoo
answered: a wrong password, or its own login cooldown for that address).
"""

import os
import subprocess
import sys
from pathlib import Path

VENV = Path(__file__).resolve().parent / ".venv"
LOCUST = "2.47.0"


def in_bench_venv():
    """Re-run this script with benchmarks/.venv's Python, creating it with Locust first when needed."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} (benchmark-only virtualenv)", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = f"import locust, sys; sys.exit(locust.__version__ != {LOCUST!r})"
    if subprocess.run([str(python), "-c", probe], capture_output=True, check=False).returncode != 0:
        print(f"installing locust=={LOCUST} into {VENV}", file=sys.stderr, flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        f"locust=={LOCUST}"], check=True)
    os.execv(str(python), [str(python), os.path.abspath(sys.argv[0]), *sys.argv[1:]])  # noqa: S606


in_bench_venv()

# Locust runs on gevent: the standard library is monkey-patched before anything imports ssl (Locust would
# patch it on import, too late for requests and urllib3). Everything below runs on greenlets.
from gevent import monkey  # noqa: E402

monkey.patch_all()

import argparse  # noqa: E402
import collections  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
import urllib3  # noqa: E402
from locust import HttpUser, between, constant_throughput, events, task  # noqa: E402
from locust.clients import LocustHttpAdapter  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.log import setup_logging  # noqa: E402

HOST = "ipp-sandbox-erp"
NAME = "erp.insightpulse.test"
USERS_NETWORK = "ipp-sandbox"
ADMIN_PASSWORD_FILE = "/etc/insightpulse/secrets/odoo_admin_password"  # noqa: S105 (a path)
ODOO_DIR = "/opt/insightpulse/odoo"
LOGIN = "admin"

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # the sandbox's self-signed certificate


# --- the target -------------------------------------------------------------------------------------------

def host_exec(*argv, check=True):
    """Run a command in the ERP host; its stdout."""
    proc = subprocess.run(["docker", "exec", HOST, *argv], capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError(f"docker exec {HOST} {' '.join(argv)}: {proc.stderr.strip() or proc.returncode}")
    return proc.stdout


class Target:
    """Where and how to reach the demo's Odoo: addresses, database, admin password (never printed)."""

    def __init__(self, address=None, abuse_address=None):
        proc = subprocess.run(["docker", "inspect", "-f", "{{json .NetworkSettings.Networks}}", HOST],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"{HOST} is not there ({proc.stderr.strip()}): run `make demo` first")
        networks = {name: net["IPAddress"] for name, net in json.loads(proc.stdout).items() if net["IPAddress"]}
        others = [addr for name, addr in sorted(networks.items()) if name != USERS_NETWORK]
        self.address = address or networks.get(USERS_NETWORK) or next(iter(networks.values()))
        self.abuse_address = abuse_address or next((a for a in others if a != self.address), self.address)
        self.db = "odoo"
        deployed = host_exec("cat", f"{ODOO_DIR}/deployed.json", check=False)
        if deployed:
            conf = host_exec("cat", f"{ODOO_DIR}/{json.loads(deployed)['slot']}/odoo.conf", check=False)
            match = re.search(r"(?m)^db_name\s*=\s*(\S+)", conf)
            self.db = match.group(1) if match else self.db
        self.password = host_exec("cat", ADMIN_PASSWORD_FILE).strip()

    def url(self, address=None):
        return f"https://{address or self.address}"

    def source(self, address):
        """This machine's address towards `address` (what Nginx sees as the client)."""
        proc = subprocess.run(["ip", "-o", "route", "get", address], capture_output=True, text=True, check=False)
        match = re.search(r"\bsrc (\S+)", proc.stdout)
        return match.group(1) if match else "?"


class SniAdapter(LocustHttpAdapter):
    """HTTPS to an address, with the platform's name as SNI (the Host header is set on the session)."""

    def __init__(self, server_hostname):
        self.server_hostname = server_hostname
        super().__init__(pool_manager=None)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["server_hostname"] = self.server_hostname
        super().init_poolmanager(*args, **kwargs)


def pin(session):
    """Make a requests/Locust session talk to NAME at an address: SNI, Host, no certificate check, and none
    of the environment's proxies or CA bundles (REQUESTS_CA_BUNDLE would turn verification back on)."""
    session.mount("https://", SniAdapter(NAME))
    session.headers["Host"] = NAME
    session.verify = False
    session.trust_env = False
    return session


def plain_session():
    """A requests session outside Locust (probes, the writer of fault rows)."""
    return pin(requests.Session())


_ids = itertools.count(1)


def rpc_payload(params):
    return {"jsonrpc": "2.0", "method": "call", "params": params, "id": next(_ids)}


def rpc_error(body):
    """Odoo's JSON-RPC error as a short text ('' when the call succeeded)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not error:
        return ""
    data = error.get("data") or {}
    name = (data.get("name") or error.get("message") or "error").rsplit(".", 1)[-1]
    message = (data.get("message") or "").strip().splitlines()
    return f"{name}: {message[0][:80]}" if message else name


def call_kw(model, method, args=(), **kwargs):
    return {"model": model, "method": method, "args": list(args), "kwargs": kwargs}


# --- the simulated users ------------------------------------------------------------------------------------

RECORDS = []  # (start time.time(), role, kind, ms, error text or "", user number)


@events.request.add_listener
def _record(request_type, name, response_time, exception, context, start_time=None, **_):
    RECORDS.append((start_time or time.time(), context.get("role", "?"), name, response_time,
                    str(exception) if exception else "", context.get("user")))


class OdooUser(HttpUser):
    abstract = True
    role = "user"
    address = None  # set by configure()
    db = password = None

    def context(self):
        return {"role": self.role, "user": id(self)}

    def on_start(self):
        self.client.base_url = f"https://{self.address}"
        pin(self.client)

    def rpc(self, kind, path, params):
        """POST a JSON-RPC call; Locust records it as failed for a non-200 answer or a JSON-RPC error."""
        with self.client.post(path, json=rpc_payload(params), name=kind, catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}" if resp.status_code else f"no answer ({resp.error!r:.80})")
                return None
            try:
                body = resp.json()
            except ValueError:
                resp.failure("HTTP 200, not JSON")
                return None
            error = rpc_error(body)
            if error:
                resp.failure(error)
                if error.startswith("SessionExpired") and kind != "sign in":
                    self.session_lost()
                return None
            resp.success()
            return body.get("result")

    def session_lost(self):
        """Odoo no longer knows the session (the web client would show the sign-in page)."""


class Reader(OdooUser):
    """Signs in, then reads partners and expenses with 1-3 s of think time."""

    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        self.partner_ids = []
        self.sign_in()

    def sign_in(self):
        self.client.cookies.clear()
        self.rpc("sign in", "/web/session/authenticate",
                 {"db": self.db, "login": LOGIN, "password": self.password})

    def session_lost(self):
        self.sign_in()  # as a person would, once; the failed request stays counted

    @task(4)
    def partners(self):
        result = self.rpc("search_read res.partner", "/web/dataset/call_kw/res.partner/search_read",
                          call_kw("res.partner", "search_read", domain=[],
                                  fields=["name", "email", "phone", "city", "country_id"], limit=80,
                                  order="name"))
        if result:
            self.partner_ids = [row["id"] for row in result]

    @task(3)
    def expenses(self):
        self.rpc("search_read hr.expense", "/web/dataset/call_kw/hr.expense/search_read",
                 call_kw("hr.expense", "search_read", domain=[],
                         fields=["name", "date", "total_amount", "state", "employee_id"], limit=80,
                         order="date desc"))

    @task(2)
    def partner(self):
        if self.partner_ids:
            partner_id = random.choice(self.partner_ids)  # noqa: S311 (a load pattern, not a secret)
            self.rpc("read res.partner", "/web/dataset/call_kw/res.partner/read",
                     call_kw("res.partner", "read", [partner_id], fields=["name", "email", "street", "vat"]))

    @task(1)
    def again(self):
        self.sign_in()


class Abuser(OdooUser):
    """Guesses admin's password on /web/session/authenticate, from its own client address."""

    role = "abuser"
    fixed_count = 4
    wait_time = constant_throughput(5)
    starts_at = 0.0  # time.time() when the guessing starts (set by configure())

    def on_start(self):
        super().on_start()
        self.guesses = itertools.count(1)
        gevent.sleep(max(0.0, self.starts_at - time.time()))

    @task
    def guess(self):
        self.client.cookies.clear()
        params = {"db": self.db, "login": LOGIN, "password": f"guess-{next(self.guesses)}"}
        with self.client.post("/web/session/authenticate", json=rpc_payload(params), name="wrong password",
                              catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}" if resp.status_code else f"no answer ({resp.error!r:.80})")
                return
            try:
                error = rpc_error(resp.json())
            except ValueError:
                error = "HTTP 200, not JSON"
            resp.failure(error or "SIGNED IN")  # every guess "fails"; the text says how


def configure(target, users_address=None, abuse_address=None, abuse_rate=20.0, abuse_clients=4,
              abuse_starts_at=0.0):
    OdooUser.address = users_address or target.address
    OdooUser.db, OdooUser.password = target.db, target.password
    OdooUser.host = target.url()
    Abuser.address = abuse_address or target.abuse_address
    Abuser.fixed_count = abuse_clients
    Abuser.wait_time = constant_throughput(abuse_rate / abuse_clients)
    Abuser.starts_at = abuse_starts_at


def start_load(users, spawn_rate, abuse=False):
    """A local Locust runner with `users` readers (and the abusive client's connections); returns (env, runner).
    Locust starts the fixed-count class (the abuser, idle until its start time) first."""
    setup_logging("WARNING", None)
    classes = [Reader, Abuser] if abuse else [Reader]
    env = Environment(user_classes=classes, events=events)
    runner = env.create_local_runner()
    runner.start(users + (Abuser.fixed_count if abuse else 0), spawn_rate=spawn_rate)
    return env, runner


def stop_load(runner):
    runner.quit()
    runner.greenlet.join(timeout=30)


# --- figures ------------------------------------------------------------------------------------------------

def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    rank = math.ceil(p / 100 * len(sorted_values))  # nearest rank
    return sorted_values[max(0, min(len(sorted_values), rank) - 1)]


def table(records, title, order=None):
    """Rows per kind: requests, errors, p50, p95, max (ms)."""
    by_kind = collections.defaultdict(list)
    for record in records:
        by_kind[record[2]].append(record)
    kinds = order or sorted(by_kind)
    lines = [f"  {title:<28} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"]
    for kind in [k for k in kinds if k in by_kind] + ["all"]:
        rows = records if kind == "all" else by_kind[kind]
        times = sorted(r[3] for r in rows)
        errors = sum(1 for r in rows if r[4])
        lines.append(f"  {kind:<28} {len(rows):>9} {errors:>7} {percentile(times, 50):>8.0f} "
                     f"{percentile(times, 95):>8.0f} {max(times, default=float('nan')):>8.0f}")
    return lines


def error_kinds(records):
    kinds = collections.Counter(r[4] for r in records if r[4])
    return ", ".join(f"{kind} x{n}" for kind, n in kinds.most_common()) or "none"


READ_ORDER = ["sign in", "search_read res.partner", "search_read hr.expense", "read res.partner"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=12, help="simulated users (12: 2 workers x 6 users each)")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started per second (2)")
    parser.add_argument("--minutes", type=float, default=3.0, help="duration of the run (3)")
    parser.add_argument("--abuse-rate", type=float, default=20.0, help="wrong-password attempts a second (20)")
    parser.add_argument("--abuse-clients", type=int, default=4,
                        help="concurrent connections of the abusive client, all from its one address (4)")
    parser.add_argument("--abuse-after", type=float, default=None,
                        help="minutes before the abusive client starts (default: half of --minutes)")
    parser.add_argument("--no-abuse", action="store_true", help="users only")
    parser.add_argument("--address", help=f"the users' address of {HOST} (default: on network {USERS_NETWORK})")
    parser.add_argument("--abuse-address", help=f"the abusive client's address of {HOST} (default: another network)")
    args = parser.parse_args()

    target = Target(args.address, args.abuse_address)
    started = time.time()
    abuse_after = args.minutes / 2 if args.abuse_after is None else args.abuse_after  # with --no-abuse: a split
    abuse_at = started + abuse_after * 60
    configure(target, abuse_rate=args.abuse_rate, abuse_clients=args.abuse_clients, abuse_starts_at=abuse_at)
    abuse = not args.no_abuse
    users_src, abuse_src = target.source(target.address), target.source(target.abuse_address)
    print(f"load: {args.users} users for {args.minutes:g} min against https://{NAME} "
          f"({HOST} {target.address}:443, from {users_src})"
          + (f"; abusive client from minute {abuse_after:g} ({target.abuse_address}, from {abuse_src})"
             if abuse else ""), file=sys.stderr, flush=True)
    env, runner = start_load(args.users, args.spawn_rate, abuse)
    gevent.sleep(args.minutes * 60)
    stop_load(runner)
    ended = time.time()

    users = [r for r in RECORDS if r[1] == "user"]
    abuser = [r for r in RECORDS if r[1] == "abuser"]
    print(f"Load benchmark, https://{NAME} through Nginx ({HOST}), "
          f"{datetime.fromtimestamp(started, UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores")
    print(f"  {args.users} users (spawn {args.spawn_rate:g}/s, think time 1-3 s), {(ended - started) / 60:.1f} min, "
          f"all from {users_src}; database {target.db}, signed in as {LOGIN}")
    print()
    print("\n".join(table(users, "users' requests", READ_ORDER)))
    print(f"  users' errors: {error_kinds(users)}")
    first = {}  # each user's first request (its first sign-in) ends its warm-up
    for record in sorted(users, key=lambda r: r[0]):
        first.setdefault(record[5], record[0] + record[3] / 1000)
    warmed = max(first.values(), default=started)
    phases = (("first sign-ins", started, warmed),
              ("before the abuse" if abuse else "until the split", warmed, abuse_at),
              ("during the abuse" if abuse else "after (no abuse)", abuse_at, ended))
    print()
    for label, start, end in phases:  # --no-abuse: the same split, a control for the latencies
        rows = [r for r in users if start <= r[0] < end]
        times = sorted(r[3] for r in rows)
        errors = sum(1 for r in rows if r[4])
        sign_ins = [r for r in rows if r[2] == "sign in"]
        print(f"  users {label:<17} {len(rows):>6} requests ({len(rows) / max(end - start, 1):.1f}/s), "
              f"{errors} errors, p50 {percentile(times, 50):.0f} ms, p95 {percentile(times, 95):.0f} ms; "
              f"sign-ins {len(sign_ins)}, failed {sum(1 for r in sign_ins if r[4])}")
    if abuse:
        outcomes = collections.Counter()
        for record in abuser:
            text = record[4]
            if text in ("HTTP 429", "HTTP 503"):
                outcomes[f"limited by Nginx ({text[5:]})"] += 1
            elif "Too many login failures" in text:
                outcomes["reached Odoo, refused by its login cooldown"] += 1
            elif text.startswith("AccessDenied"):
                outcomes["reached Odoo, wrong password (AccessDenied)"] += 1
            else:
                outcomes[text or "?"] += 1
        span = max(ended - abuse_at, 1)
        limited = sum(n for kind, n in outcomes.items() if kind.startswith("limited"))
        reached = sum(n for kind, n in outcomes.items() if kind.startswith("reached"))
        times = sorted(r[3] for r in abuser)
        print()
        print(f"  abusive client: {len(abuser)} wrong-password attempts in {span / 60:.1f} min "
              f"({len(abuser) / span:.1f}/s, asked {args.abuse_rate:g}/s over {args.abuse_clients} connections), "
              f"from {abuse_src}; "
              f"p50 {percentile(times, 50):.0f} ms, p95 {percentile(times, 95):.0f} ms")
        print(f"    limited by Nginx: {limited} ({100 * limited / max(len(abuser), 1):.0f}%); "
              f"reached Odoo: {reached} ({reached / span * 60:.0f}/min)")
        for kind, n in outcomes.most_common():
            print(f"    {kind:<50} {n:>6}")
    if getattr(runner, "cpu_warning_emitted", False):
        print("  note: Locust's own CPU went above 90% during the run (latencies include client-side delay)")


if __name__ == "__main__":
    main()
