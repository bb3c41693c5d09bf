"""Fixtures for the Odoo contract suite.

With ``ODOO_URL`` set, the suite runs against that server (a real Odoo 18 or
the test double) using:

  ODOO_URL              e.g. http://127.0.0.1:8069
  ODOO_DB               an existing database with base installed
  ODOO_USER             login of an administrator (default: admin)
  ODOO_PASSWORD         its password (default: admin)
  ODOO_MASTER_PASSWORD  the server's admin_passwd (default: admin)

Without ``ODOO_URL`` the fixture starts the Odoo TEST DOUBLE
(tests/odoo_double) on 127.0.0.1 against a local PostgreSQL found through the
libpq variables PGHOST (default 127.0.0.1), PGPORT (5432), PGUSER (odoo) and
PGPASSWORD (odoo); the role needs LOGIN CREATEDB and must not be ``postgres``
(Odoo refuses it). If no PostgreSQL answers, the suite fails; it never skips.
"""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import types
import urllib.request
import xmlrpc.client
from pathlib import Path

import pytest

DOUBLE = Path(__file__).resolve().parents[1] / "odoo_double"


def _pg():
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", "odoo"),
        "password": os.environ.get("PGPASSWORD", "odoo"),
    }


def _check_postgres(pg):
    try:
        import psycopg2
    except ImportError:
        pytest.fail("psycopg2 is required to run the Odoo test double (pip install -r requirements.txt)")
    try:
        psycopg2.connect(dbname="postgres", connect_timeout=5, **pg).close()
    except psycopg2.Error as e:
        pytest.fail(
            f"No PostgreSQL answers for the Odoo test double at {pg['host']}:{pg['port']} as {pg['user']!r}: {e}\n"
            "Start PostgreSQL and create the role, e.g.\n"
            "  sudo -u postgres psql -c \"CREATE ROLE odoo LOGIN CREATEDB PASSWORD 'odoo'\"\n"
            "or point PGHOST/PGPORT/PGUSER/PGPASSWORD at one (or set ODOO_URL to test a running Odoo).",
            pytrace=False,
        )


def _free_port():
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the Odoo test double exited with {proc.returncode}", pytrace=False)
        try:
            with urllib.request.urlopen(url + "/web/health", timeout=2) as resp:  # noqa: S310 - local http
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the Odoo test double did not answer on {url} within {timeout}s", pytrace=False)


@pytest.fixture(scope="session")
def odoo():
    """Connection facts for the Odoo under test (namespace: url, db, user, password, master)."""
    if os.environ.get("ODOO_URL"):
        if not os.environ.get("ODOO_DB"):
            pytest.fail("ODOO_URL is set but ODOO_DB is not", pytrace=False)
        yield types.SimpleNamespace(
            url=os.environ["ODOO_URL"].rstrip("/"), db=os.environ["ODOO_DB"],
            user=os.environ.get("ODOO_USER", "admin"), password=os.environ.get("ODOO_PASSWORD", "admin"),
            master=os.environ.get("ODOO_MASTER_PASSWORD", "admin"), double=False)
        return
    yield from _start_double()


def _start_double():
    pg = _pg()
    _check_postgres(pg)
    sys.path.insert(0, str(DOUBLE))
    from fetch_oca_addons import fetch  # tests/odoo_double/fetch_oca_addons.py

    try:
        oca = str(fetch())
    except (subprocess.CalledProcessError, OSError) as e:  # the contract needs only core fixtures
        print(f"warning: OCA addons not fetched ({e}); the double runs with its core fixtures only")
        oca = ""
    port = _free_port()
    master = "contract-master-" + secrets.token_hex(4)
    db = "contract_" + secrets.token_hex(4)
    with tempfile.TemporaryDirectory(prefix="odoo-double-") as tmp:
        conf = Path(tmp) / "odoo.conf"
        conf.write_text(
            "[options]\n"
            f"addons_path = {oca}\n"
            f"admin_passwd = {master}\n"
            f"db_host = {pg['host']}\ndb_port = {pg['port']}\ndb_user = {pg['user']}\ndb_password = {pg['password']}\n"
            f"data_dir = {tmp}/data\nhttp_interface = 127.0.0.1\nhttp_port = {port}\nlist_db = True\n"
        )
        cmd = [sys.executable, str(DOUBLE / "odoo"), "-c", str(conf)]
        subprocess.run([*cmd, "-d", db, "-i", "base", "--without-demo", "all", "--stop-after-init"], check=True,
                       timeout=120)
        log = open(Path(tmp) / "odoo.log", "w")  # noqa: SIM115 - kept open for the server's lifetime
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_http(url, proc)
            yield types.SimpleNamespace(url=url, db=db, user="admin", password="admin", master=master, double=True)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
            _drop_test_databases(pg, db)


def _drop_test_databases(pg, db):
    import psycopg2

    cnx = psycopg2.connect(dbname="postgres", **pg)
    cnx.autocommit = True
    with cnx.cursor() as cr:
        cr.execute("SELECT datname FROM pg_database WHERE datname = %s OR datname LIKE %s", (db, db + "\\_%"))
        for (name,) in cr.fetchall():
            cr.execute(f'DROP DATABASE IF EXISTS "{name}"')
    cnx.close()


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
