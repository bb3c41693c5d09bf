"""Fixtures for the Odoo contract suite.

With ``ODOO_URL`` set, the suite runs against that server (any Odoo 18) using:

  ODOO_URL              e.g. http://127.0.0.1:8069
  ODOO_DB               an existing database with base installed
  ODOO_USER             login of an administrator (default: admin)
  ODOO_PASSWORD         its password (default: admin)
  ODOO_MASTER_PASSWORD  the server's admin_passwd (default: admin)
  ODOO_PSQL_COMMAND     optional: a psql invocation reaching ODOO_DB's PostgreSQL,
                        e.g. "docker exec -i db psql -U odoo"; the tests of
                        odoo_module's method=cli route skip without it

Without ``ODOO_URL`` it starts a real Odoo 18.0 Community with PostgreSQL 17
from the sandbox images (insightpulse/odoo:18.0, insightpulse/postgres:17;
see odoo_stack.py for how) and removes it when the session ends, whatever the
outcome. No Docker daemon or a missing image fails the suite; it never skips.
"""

import json
import os
import sys
import types
import xmlrpc.client
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# the collection, importable as ansible_collections.insightpulse.platform (collections/ holds that symlink)
sys.path.insert(0, str(HERE.parents[1] / "collections"))

from ansible_collections.insightpulse.platform.plugins.module_utils import odoo_rpc  # noqa: E402
from odoo_stack import StackError, odoo_stack  # noqa: E402 - tests/contract/odoo_stack.py


@pytest.fixture(autouse=True)
def uid_cache_path(tmp_path, monkeypatch):
    """The modules' user-id cache (odoo_rpc.UidCache) in the test's own directory, not in the
    home directory of the machine running the suite."""
    path = tmp_path / "odoo-uids.json"
    monkeypatch.setattr(odoo_rpc.UidCache, "default_path", str(path))
    return path


@pytest.fixture(scope="session")
def odoo(request):
    """Connection facts for the Odoo under test.

    A namespace: url, db, user, password, master (the master password) and
    psql_command (odoo_module's method=cli route to the database, or None).
    """
    if os.environ.get("ODOO_URL"):
        if not os.environ.get("ODOO_DB"):
            pytest.fail("ODOO_URL is set but ODOO_DB is not", pytrace=False)
        yield types.SimpleNamespace(
            url=os.environ["ODOO_URL"].rstrip("/"),
            db=os.environ["ODOO_DB"],
            user=os.environ.get("ODOO_USER", "admin"),
            password=os.environ.get("ODOO_PASSWORD", "admin"),
            master=os.environ.get("ODOO_MASTER_PASSWORD", "admin"),
            psql_command=os.environ.get("ODOO_PSQL_COMMAND") or None,
        )
        return
    try:
        with odoo_stack() as facts:
            _say(request, f"real Odoo 18.0 at {facts.url} ({facts.db}) started in {facts.startup_seconds:.0f}s")
            yield facts
    except StackError as err:
        pytest.fail(f"cannot run the real Odoo 18 stack: {err}", pytrace=False)


def _say(request, line):
    """One line on the terminal even while pytest captures output."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n[contract] {line}", flush=True)


class Rpc:
    def __init__(self, odoo):
        self.odoo = odoo
        self.common = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/common", allow_none=True)
        self.models = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/object", allow_none=True)
        self.dbs = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/db", allow_none=True)
        self.uid = self.common.authenticate(odoo.db, odoo.user, odoo.password, {})
        assert self.uid, f"cannot authenticate {odoo.user!r} on {odoo.db!r} at {odoo.url}"

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.odoo.db, self.uid, self.odoo.password, model, method, list(args), kwargs)


@pytest.fixture(scope="session")
def rpc(odoo):
    return Rpc(odoo)


@pytest.fixture
def run_odoo_module(monkeypatch):
    """run_odoo_module(params, check_mode=False) -> the result dict of odoo_module's main(), in-process."""
    from ansible.module_utils import basic
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.insightpulse.platform.plugins.modules import odoo_module

    class Done(Exception):
        pass

    def exit_json(self, **result):
        raise Done(result)

    def fail_json(self, msg, **result):
        raise Done(dict(result, msg=msg, failed=True))

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)

    def run(params, check_mode=False):
        with patch_module_args(dict(params, _ansible_check_mode=check_mode, _ansible_diff=False)):
            try:
                odoo_module.main()
            except Done as done:
                result = done.args[0]
                json.dumps(result)  # what Ansible would serialise
                return result
        raise AssertionError("odoo_module neither exited nor failed")

    return run
