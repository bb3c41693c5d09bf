"""Tests of the Odoo TEST DOUBLE's own CLI and catalog, with real OCA addons.

The protocol itself is covered by tests/contract (which also runs against a
real Odoo 18). Needs the same PostgreSQL as tests/contract (PG* variables,
defaults 127.0.0.1:5432 odoo/odoo) and PyPI access through pip for the OCA
wheels (cached under .cache/oca-addons).
"""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fetch_oca_addons import fetch  # noqa: E402


@pytest.fixture(scope="module")
def pg():
    psycopg2 = pytest.importorskip("psycopg2", reason="psycopg2 is in requirements.txt")
    params = {"host": os.environ.get("PGHOST", "127.0.0.1"), "port": os.environ.get("PGPORT", "5432"),
              "user": os.environ.get("PGUSER", "odoo"), "password": os.environ.get("PGPASSWORD", "odoo")}
    try:
        psycopg2.connect(dbname="postgres", connect_timeout=5, **params).close()
    except psycopg2.Error as e:
        pytest.fail(f"No PostgreSQL for the Odoo test double: {e}", pytrace=False)
    return params


@pytest.fixture
def addons(tmp_path):
    target = tmp_path / "addons"
    shutil.copytree(fetch(), target)
    return target


@pytest.fixture
def double(pg, addons, tmp_path):
    import psycopg2

    db = "double_" + secrets.token_hex(4)
    conf = tmp_path / "odoo.conf"
    conf.write_text("[options]\n" f"addons_path = {addons}\n" f"db_host = {pg['host']}\ndb_port = {pg['port']}\n"
                    f"db_user = {pg['user']}\ndb_password = {pg['password']}\n")

    def run(*args, check=True):
        return subprocess.run([sys.executable, str(HERE / "odoo"), "-c", str(conf), *args], capture_output=True,
                              text=True, timeout=120, check=check)

    def states():
        with psycopg2.connect(dbname=db, **pg) as cnx, cnx.cursor() as cr:
            cr.execute("SELECT name, state, latest_version FROM ir_module_module")
            return {name: (state, version) for name, state, version in cr.fetchall()}

    run.db, run.states, run.addons = db, states, addons
    yield run
    cnx = psycopg2.connect(dbname="postgres", **pg)
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{db}"')
    cnx.close()


def test_oca_queue_job_installs_its_real_dependencies(double):
    double("-d", double.db, "-i", "queue_job", "--without-demo", "all", "--stop-after-init")
    got = double.states()
    for name in ("queue_job", "mail", "base_sparse_field", "web", "base"):
        assert got[name][0] == "installed", name
    assert got["queue_job"][1].startswith("18.0.")
    assert got["web_responsive"][0] == "uninstalled"


def test_upgrade_after_manifest_version_bump(double):
    double("-d", double.db, "-i", "web_responsive", "--stop-after-init")
    before = double.states()["web_responsive"][1]
    manifest = double.addons / "web_responsive" / "__manifest__.py"
    text = manifest.read_text()
    version = re.search(r'"version": "([^"]+)"', text).group(1)
    bumped = version.rsplit(".", 1)[0] + "." + str(int(version.rsplit(".", 1)[1]) + 1)
    manifest.write_text(text.replace(f'"version": "{version}"', f'"version": "{bumped}"'))
    assert double.states()["web_responsive"][1] == before  # nothing changes until -u
    double("-d", double.db, "-u", "web_responsive", "--stop-after-init")
    assert double.states()["web_responsive"] == ("installed", bumped)


def test_unknown_module_is_ignored_with_a_warning_like_odoo(double):
    result = double("-d", double.db, "-i", "no_such_module_xyz", "--stop-after-init")
    assert "invalid module names, ignored: no_such_module_xyz" in result.stderr
    assert double.states()["base"][0] == "installed"


def test_refuses_the_postgres_role_like_odoo(double):
    result = double("-d", double.db, "--db_user", "postgres", "--stop-after-init", check=False)
    assert result.returncode == 1
    assert "security risk" in result.stderr
