"""Make the collection importable as ansible_collections.insightpulse.platform.

A private temp tree (``<tmp>/ansible_collections/insightpulse/platform`` -> this
checkout) is put first on sys.path, so the tests depend neither on an installed
collection nor on the repository's collections/ symlink.
"""

import atexit
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_TMP = tempfile.mkdtemp(prefix="insightpulse-unit-")
atexit.register(shutil.rmtree, _TMP, True)
_NS = Path(_TMP, "ansible_collections", "insightpulse")
_NS.mkdir(parents=True)
os.symlink(ROOT, _NS / "platform")
sys.path.insert(0, _TMP)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ansible.module_utils import basic  # noqa: E402
from ansible.module_utils.testing import patch_module_args  # noqa: E402
from ansible_collections.insightpulse.platform.plugins.module_utils import odoo_rpc  # noqa: E402
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_rpc import OdooClient  # noqa: E402
from fake_odoo import FakeOdoo, FakeOdooServer  # noqa: E402


class ModuleExit(Exception):
    def __init__(self, result, failed, no_log_values=()):
        super().__init__(result.get("msg", ""))
        self.result = result
        self.failed = failed
        self.no_log_values = set(no_log_values)


def _exit_json(self, **kwargs):
    kwargs.setdefault("changed", False)
    raise ModuleExit(kwargs, False, self.no_log_values)


def _fail_json(self, msg, **kwargs):
    kwargs["msg"] = msg
    kwargs["failed"] = True
    raise ModuleExit(kwargs, True, self.no_log_values)


@pytest.fixture(autouse=True)
def uid_cache_path(tmp_path, monkeypatch):
    """The Odoo clients' user-id cache (odoo_rpc.UidCache) of each test: a file of its own, never
    the home directory's."""
    path = tmp_path / "odoo-uids.json"
    monkeypatch.setattr(odoo_rpc.UidCache, "default_path", str(path))
    return path


@pytest.fixture
def odoo():
    return FakeOdoo()


@pytest.fixture
def odoo_server(odoo):
    with FakeOdooServer(odoo) as server:
        yield server


@pytest.fixture
def client_for():
    """client_for(server, **kw) -> OdooClient of the fake server's 'production' database, as its admin."""

    def make(server, **kw):
        kw.setdefault("database", "production")
        kw.setdefault("password", "admin-pw")
        kw.setdefault("timeout", 5)
        kw.setdefault("wait_timeout", 0)
        return OdooClient(server.url, **kw)

    return make


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module_main, args, check_mode=False, diff=False, run_command=None) -> ModuleExit."""
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail_json)

    def run(main, args, check_mode=False, diff=False, run_command=None):
        args = dict(args)
        args["_ansible_check_mode"] = check_mode
        args["_ansible_diff"] = diff
        if run_command is not None:
            monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, argv, **kw: run_command(argv))
        with patch_module_args(args):
            try:
                main()
            except ModuleExit as exc:
                json.dumps(exc.result, default=str)  # results must serialise
                return exc
        raise AssertionError("module neither exited nor failed")

    return run
