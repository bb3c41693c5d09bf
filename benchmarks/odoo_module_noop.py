#!/usr/bin/env python3
"""odoo_module no-op check of 30 installed modules vs one `odoo -i <same 30> --stop-after-init`.

A script that prints figures (never asserts). Recorded figures and the exact commands: benchmarks/README.md.

A deploy script that installs modules from the command line re-runs `odoo -i ... --stop-after-init` on
every deploy; odoo_module confirms "already installed" instead. Measured, on the same 30 modules, all
already installed:

  1. odoo_module in-process: the module's own main() (AnsibleModule argument parsing, wait for
     /web/health, authenticate, read the catalog, plan, exit_json), method=rpc; and method=cli
     (catalog read from PostgreSQL through psql) when --psql-command is given or the stack is started here.
  2. odoo_module through `ansible-playbook` (one task, connection local), whole process wall time,
     next to the same playbook running `ansible.builtin.ping` (the fixed cost of ansible-playbook itself).
  3. `<odoo command> -d DB -i <30 modules> --stop-after-init` (wall time of the process).

Target: the no-op check at most 1/10 of the CLI run. Each figure is the median of --repeat runs.

Server (default: a real Odoo 18.0 CE started from the sandbox images by tests/contract/odoo_stack.py, the
contract suite's own code, with OCA queue_job/web_responsive from their PyPI wheels mounted as
/mnt/extra-addons; removed afterwards):

  --url / ODOO_URL, --db / ODOO_DB, --login / ODOO_USER, --password / ODOO_PASSWORD,
  --odoo-command / ODOO_COMMAND (e.g. "/srv/odoo/venv/bin/python /srv/odoo/odoo-bin -c /etc/odoo/odoo.conf"),
  --psql-command / ODOO_PSQL_COMMAND (optional, e.g. "psql -h 127.0.0.1 -U odoo"; PGPASSWORD from the env).

The modules are installed first when some are missing (through odoo_module, not timed), so the
server must have them on its addons path (queue_job and web_responsive are OCA addons).
"""

import argparse
import ast
import contextlib
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = [
    "base", "web", "base_setup", "bus", "web_tour", "base_import", "html_editor", "web_editor", "mail",
    "base_sparse_field", "queue_job", "web_responsive", "auth_signup", "iap", "iap_mail", "phone_validation",
    "sms", "snailmail", "portal", "digest", "resource", "rating", "http_routing", "uom", "analytic", "product",
    "account", "hr", "hr_expense", "project",
]  # 30 modules of Odoo 18 CE + OCA


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


# Pinned: later 18.0 releases of queue_job need Odoo code newer than the 18.0 source archive the sandbox
# image is built from (queue_job 18.0.4.x: `odoo.api.private`); these are the versions benchmarks/README.md records.
OCA_REQUIREMENTS = ["odoo-addon-queue_job==18.0.1.6.1", "odoo-addon-web_responsive==18.0.1.0.10"]
OCA_DIR = ROOT / ".cache" / "oca-addons"
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"


def fetch_oca_addons(target=OCA_DIR, requirements=OCA_REQUIREMENTS):
    """OCA addons from their PyPI wheels (`pip download --no-deps`), unpacked into ``target`` once."""
    pins = {r.split("==")[0].replace("odoo-addon-", ""): r.split("==")[1] for r in requirements}

    def version(name):
        manifest = target / name / "__manifest__.py"
        return ast.literal_eval(manifest.read_text()).get("version") if manifest.is_file() else None

    if all(version(name) == pin for name, pin in pins.items()):
        return target
    shutil.rmtree(target, ignore_errors=True)
    env = dict(os.environ)
    if "PIP_CERT" not in env and os.path.exists(HOST_CA):  # pip's certifi bundle does not know site CAs
        probe = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True,
                               check=False)
        if ".cert=" not in probe.stdout:
            env["PIP_CERT"] = HOST_CA
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
                        "-d", tmp, *requirements], check=True, env=env)
        for wheel in sorted(Path(tmp).glob("*.whl")):
            with zipfile.ZipFile(wheel) as zf:
                for member in zf.namelist():
                    rel = Path(member).relative_to("odoo/addons") if member.startswith("odoo/addons/") else None
                    if rel is None or member.endswith("/") or ".." in rel.parts:
                        continue
                    dest = target / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(zf.read(member))
    for path in [target, *target.rglob("*")]:  # read by odoo (uid 100) in the container
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


@contextlib.contextmanager
def stack_target():
    """A real Odoo 18.0 CE from the sandbox images (tests/contract/odoo_stack.py), OCA addons mounted."""
    sys.path.insert(0, str(ROOT / "tests" / "contract"))
    from odoo_stack import odoo_stack  # tests/contract/odoo_stack.py: removes the stack on the way out

    with odoo_stack(db="bench", extra_addons=fetch_oca_addons()) as odoo:
        yield {
            "label": "real Odoo 18.0 CE from the sandbox images, tests/contract/odoo_stack.py",
            "url": odoo.url, "db": odoo.db, "login": odoo.user, "password": odoo.password,
            "odoo_command": odoo.odoo_command, "psql_command": odoo.psql_command,
        }


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
    with stack_target() as target:
        bench(target, modules, args.repeat)


if __name__ == "__main__":
    main()
