#!/usr/bin/env python3
"""odoo_module no-op check of 30 installed modules vs one `odoo -i <same 30> --stop-after-init`.

A script that prints figures (never asserts). Recorded figures (real Odoo 18 and the double) and the exact
commands: benchmarks/README.md.

A deploy script that installs modules from the command line re-runs `odoo -i ... --stop-after-init` on
every deploy; odoo_module confirms "already installed" instead. Measured, on the same 30 modules, all
already installed:

  1. odoo_module in-process: the module's own main() (AnsibleModule argument parsing, wait for
     /web/health, authenticate, read the catalog, plan, exit_json), method=rpc; and method=cli
     (catalog read from PostgreSQL through psql) when --psql-command is given or the double is used.
  2. odoo_module through `ansible-playbook` (one task, connection local), whole process wall time,
     next to the same playbook running `ansible.builtin.ping` (the fixed cost of ansible-playbook itself).
  3. `<odoo command> -d DB -i <30 modules> --stop-after-init` (wall time of the process).

Target: the no-op check at most 1/10 of the CLI run. Each figure is the median of --repeat runs.

Server (default: the Odoo TEST DOUBLE, started on 127.0.0.1 by tests/contract/conftest.py's own code,
against PostgreSQL from PGHOST/PGPORT/PGUSER/PGPASSWORD, with real OCA queue_job/web_responsive):

  --url / ODOO_URL, --db / ODOO_DB, --login / ODOO_USER, --password / ODOO_PASSWORD,
  --odoo-command / ODOO_COMMAND (e.g. "/srv/odoo/venv/bin/python /srv/odoo/odoo-bin -c /etc/odoo/odoo.conf"),
  --psql-command / ODOO_PSQL_COMMAND (optional, e.g. "psql -h 127.0.0.1 -U odoo"; PGPASSWORD from the env).

The modules are installed first when some are missing (through odoo_module, not timed), so the
server must have them on its addons path (queue_job and web_responsive are OCA addons).
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = [
    "base", "web", "base_setup", "bus", "web_tour", "base_import", "html_editor", "web_editor", "mail",
    "base_sparse_field", "queue_job", "web_responsive", "auth_signup", "iap", "iap_mail", "phone_validation",
    "sms", "snailmail", "portal", "digest", "resource", "rating", "http_routing", "uom", "analytic", "product",
    "account", "hr", "hr_expense", "project",
]  # 30 modules present both in real Odoo 18 CE (+ OCA) and in the double's catalog


def _collection_importable():
    # collections/ansible_collections/insightpulse/platform is a symlink to this checkout (see ansible.cfg)
    sys.path.insert(0, str(ROOT / "collections"))


def run_module_inprocess(params):
    """Run odoo_module.main() in this process; return (seconds, result dict)."""
    from ansible.module_utils import basic
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.insightpulse.platform.plugins.modules import odoo_module

    class Done(Exception):
        def __init__(self, result):
            super().__init__()
            self.result = result

    def exit_json(self, **kw):
        raise Done(kw)

    def fail_json(self, msg, **kw):
        kw.update(msg=msg, failed=True)
        raise Done(kw)

    saved = basic.AnsibleModule.exit_json, basic.AnsibleModule.fail_json
    basic.AnsibleModule.exit_json, basic.AnsibleModule.fail_json = exit_json, fail_json
    try:
        with patch_module_args(dict(params, _ansible_check_mode=False, _ansible_diff=False)):
            start = time.perf_counter()
            try:
                odoo_module.main()
            except Done as done:
                return time.perf_counter() - start, done.result
            raise RuntimeError("odoo_module neither exited nor failed")
    finally:
        basic.AnsibleModule.exit_json, basic.AnsibleModule.fail_json = saved


def run_playbook(task, env):
    """Wall time of `ansible-playbook` running one task on localhost."""
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False, "tasks": [task]}]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        json.dump(play, handle)  # JSON is YAML
    playbook = Path(sys.executable).with_name("ansible-playbook")
    cmd = [str(playbook) if playbook.exists() else "ansible-playbook", handle.name]
    env = dict(env, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    try:
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
    finally:
        os.unlink(handle.name)
    if proc.returncode != 0 or "changed=0" not in proc.stdout:
        raise RuntimeError("ansible-playbook did not report a no-op:\n" + proc.stdout[-2000:] + proc.stderr[-2000:])
    return elapsed


def run_cli(odoo_command, db, modules, env):
    argv = shlex.split(odoo_command) + ["-d", db, "-i", ",".join(modules), "--stop-after-init"]
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"odoo -i failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-2000:]}")
    return elapsed, argv


def median(fn, repeat):
    return statistics.median(fn() for _ in range(repeat))


def bench(target, modules, repeat):
    base = {"url": target["url"], "database": target["db"], "login": target["login"],
            "password": target["password"], "name": modules}
    secs, res = run_module_inprocess(base)  # install what is missing (not timed)
    if res.get("failed"):
        raise RuntimeError("odoo_module could not install the modules: {}".format(res["msg"]))
    if res.get("changed"):
        print("installed first (not timed): {}".format(", ".join(res["installed"])))
    check, res = run_module_inprocess(base)
    if res.get("changed") or res.get("failed"):
        raise RuntimeError(f"second odoo_module run is not a no-op: {res}")
    missing = [m for m, state in res["states"].items() if state != "installed"]
    if missing:
        raise RuntimeError(f"not installed: {missing}")

    os.environ.update(target.get("env", {}))  # PGPASSWORD for psql run by the in-process module
    figures = {}
    figures["odoo_module rpc, in-process"] = median(lambda: run_module_inprocess(base)[0], repeat)
    if target.get("psql_command"):
        cli_params = dict(base, method="cli", odoo_command=target["odoo_command"],
                          psql_command=target["psql_command"])
        result = run_module_inprocess(cli_params)[1]
        if result.get("changed") or result.get("failed"):
            raise RuntimeError(f"odoo_module method=cli is not a no-op: {result}")
        figures["odoo_module cli (psql), in-process"] = median(lambda: run_module_inprocess(cli_params)[0], repeat)
    env = dict(os.environ, **target.get("env", {}))
    task = {"insightpulse.platform.odoo_module": base}
    figures["odoo_module rpc, ansible-playbook (whole process)"] = median(lambda: run_playbook(task, env), repeat)
    figures["  same play with a ping task (ansible-playbook's own cost)"] = median(
        lambda: run_playbook({"ansible.builtin.ping": {}}, env), repeat)
    cli_runs = [run_cli(target["odoo_command"], target["db"], modules, env) for _ in range(max(1, repeat // 2))]
    cli = statistics.median(run[0] for run in cli_runs)
    figures["odoo -i <30 modules> --stop-after-init"] = cli

    print("target: {}  database {}  ({})".format(target["url"], target["db"], target["label"]))
    print(f"modules ({len(modules)}): {','.join(modules)}")
    print("CLI: {}".format(" ".join(shlex.quote(a) for a in cli_runs[0][1])))
    print(f"median of {repeat} run(s); odoo -i: {len(cli_runs)} run(s)")
    for label, value in figures.items():
        plain = label.startswith(("odoo -i", "  "))
        ratio = "" if plain else f"   {value / cli:.3f} of the CLI run"
        print(f"  {label:<58} {value:8.3f} s{ratio}")
    best = figures["odoo_module rpc, in-process"] / cli
    whole = figures["odoo_module rpc, ansible-playbook (whole process)"] / cli
    verdict = {True: "met", False: "MISSED"}
    print(f"target <= 0.100 of the CLI run: in-process {best:.3f} ({verdict[best <= 0.1]}), "
          f"ansible-playbook {whole:.3f} ({verdict[whole <= 0.1]})")


def double_target():
    """Start the Odoo TEST DOUBLE with tests/contract/conftest.py's own code; yields a target dict."""
    sys.path.insert(0, str(ROOT / "tests" / "contract"))
    import conftest  # tests/contract/conftest.py: _pg, _start_double (fetches OCA addons, drops its db after)

    gen = conftest._start_double()
    odoo = next(gen)
    from fetch_oca_addons import DEFAULT_DIR  # tests/odoo_double, put on sys.path by _start_double
    pg = conftest._pg()
    oca = str(DEFAULT_DIR) if (DEFAULT_DIR / "queue_job").is_dir() else ""
    double = [sys.executable, str(conftest.DOUBLE / "odoo"), "--db_host", pg["host"], "--db_port", pg["port"],
              "--db_user", pg["user"], "--db_password", pg["password"]] + (["--addons-path", oca] if oca else [])
    target = {
        "label": "Odoo TEST DOUBLE, tests/odoo_double",
        "url": odoo.url, "db": odoo.db, "login": odoo.user, "password": odoo.password,
        "odoo_command": " ".join(shlex.quote(a) for a in double),
        "psql_command": "psql -h {} -p {} -U {}".format(pg["host"], pg["port"], pg["user"]),
        "env": {"PGPASSWORD": pg["password"]},
    }
    return target, gen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument("--url", default=env("ODOO_URL"))
    parser.add_argument("--db", default=env("ODOO_DB"))
    parser.add_argument("--login", default=env("ODOO_USER", "admin"))
    parser.add_argument("--password", default=env("ODOO_PASSWORD", "admin"))
    parser.add_argument("--odoo-command", default=env("ODOO_COMMAND"))
    parser.add_argument("--psql-command", default=env("ODOO_PSQL_COMMAND"))
    parser.add_argument("--modules", default=",".join(MODULES), help="comma-separated (default: 30 modules)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _collection_importable()
    modules = [m for m in args.modules.split(",") if m]
    if args.url:
        if not (args.db and args.odoo_command):
            parser.error("--url needs --db and --odoo-command (or ODOO_DB / ODOO_COMMAND)")
        target = {"label": "given server", "url": args.url, "db": args.db, "login": args.login,
                  "password": args.password, "odoo_command": args.odoo_command, "psql_command": args.psql_command}
        bench(target, modules, args.repeat)
        return
    target, gen = double_target()
    try:
        bench(target, modules, args.repeat)
    finally:
        gen.close()  # stops the double, drops its database


if __name__ == "__main__":
    main()
