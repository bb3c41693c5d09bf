"""Verify the postgres scenario: the container-mode server on `db` (healthy, not published,
roles/databases/privileges, memory settings) and the external mode against the SSL-only
managed stand-in on `managed` (applied from `app`); passwords never in a play's output."""

# The SQL below is built from the test's own constant names, never from input.
# ruff: noqa: S608

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest
import testinfra
from testinfra.utils.ansible_runner import AnsibleRunner

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
SCENARIO = Path(__file__).resolve().parents[1]
RUNNER = AnsibleRunner(INVENTORY)
DB_NAME = RUNNER.get_hosts("db")[0]
MANAGED_NAME = RUNNER.get_hosts("managed")[0]
APP_NAME = RUNNER.get_hosts("app")[0]
CONTAINER = "postgres-postgres-1"
SECRETS = "/etc/insightpulse/secrets"
APPS = ("odoo", "n8n", "superset")
RO = "analytics_ro"

testinfra_hosts = [DB_NAME]


def _get(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


@pytest.fixture(scope="module")
def db():
    return _get(DB_NAME)


@pytest.fixture(scope="module")
def managed():
    return _get(MANAGED_NAME)


@pytest.fixture(scope="module")
def app():
    return _get(APP_NAME)


def secret(host, name):
    return host.file(f"{SECRETS}/{name}").content_string.strip()


def sql_super(db, query, database="postgres"):
    """As the superuser over the container's socket (trust inside the container)."""
    cmd = db.run(f"docker exec {CONTAINER} psql -U postgres -d {database} -v ON_ERROR_STOP=1 -Atc {shlex.quote(query)}")
    assert cmd.rc == 0, cmd.stderr
    return cmd.stdout.strip()


def sql_as(db, user, password, query, database):
    """As an application role over TCP with its password (through the environment, not the command line)."""
    return db.run(
        f"docker exec -e PGPASSWORD={shlex.quote(password)} {CONTAINER} "
        f"psql -h 127.0.0.1 -U {user} -d {database} -v ON_ERROR_STOP=1 -Atc {shlex.quote(query)}"
    )


def managed_sql(managed, query, database="postgres"):
    cmd = managed.run(
        f"runuser -u postgres -- psql -p 25060 -d {database} -v ON_ERROR_STOP=1 -Atc {shlex.quote(query)}"
    )
    assert cmd.rc == 0, cmd.stderr
    return cmd.stdout.strip()


SSL_IN_USE = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"


def managed_login(managed, user, password, database, sslmode, query=SSL_IN_USE):
    conninfo = f"host={MANAGED_NAME} port=25060 user={user} dbname={database} sslmode={sslmode}"
    return managed.run(f"PGPASSWORD={shlex.quote(password)} psql {shlex.quote(conninfo)} -Atc {shlex.quote(query)}")


# --- container mode -------------------------------------------------------------------------


def test_server_healthy(db):
    state = json.loads(db.check_output(f"docker inspect {CONTAINER}"))[0]
    assert state["State"]["Health"]["Status"] == "healthy"
    assert "insightpulse" in state["NetworkSettings"]["Networks"]
    assert any(m["Type"] == "volume" and m["Destination"] == "/var/lib/postgresql/data" for m in state["Mounts"])


def test_not_published(db):
    assert ":5432 " not in db.check_output("ss -Htln") + " "
    assert db.check_output(f"docker port {CONTAINER}") == ""
    state = json.loads(db.check_output(f"docker inspect {CONTAINER}"))[0]
    assert not state["HostConfig"]["PortBindings"]


def test_reachable_as_postgres_on_the_shared_network(db):
    image = json.loads(db.check_output(f"docker inspect {CONTAINER}"))[0]["Config"]["Image"]
    cmd = db.run(f"docker run --rm --network insightpulse {image} pg_isready -h postgres -p 5432")
    assert cmd.rc == 0, cmd.stdout + cmd.stderr


def test_memory_settings(db):
    mem = int(db.ansible("setup", "filter=ansible_memtotal_mb")["ansible_facts"]["ansible_memtotal_mb"])
    m = int(mem * 0.1)  # postgres_memory_fraction of the scenario
    shared_buffers = min(max(m // 4, 32), 8192)
    max_connections = min(max(m // 16, 100), 400)
    work_mem_kb = min(max((m - shared_buffers) * 1024 // (max_connections * 3), 4096), 262144)
    expected = {
        "shared_buffers": shared_buffers * 1024 // 8,  # in 8kB pages
        "effective_cache_size": max(m * 3 // 4, 128) * 1024 // 8,
        "maintenance_work_mem": min(max(m // 16, 32), 2048) * 1024,  # kB
        "work_mem": work_mem_kb,
        "max_connections": max_connections,
    }
    names = ", ".join(f"'{n}'" for n in expected)
    rows = sql_super(db, f"SELECT name, setting FROM pg_settings WHERE name IN ({names})")
    assert dict(line.split("|") for line in rows.splitlines()) == {k: str(v) for k, v in expected.items()}
    assert sql_super(db, "SHOW shared_buffers") == f"{shared_buffers}MB"


def test_password_files(db):
    for name in ("postgres", *APPS, RO):
        f = db.file(f"{SECRETS}/postgres_{name}_password" if name != "postgres" else f"{SECRETS}/postgres_password")
        assert (f.mode, f.user, f.group) == (0o600, "root", "root"), f.path
        assert len(f.content_string.strip()) >= 32
    env = db.file("/opt/insightpulse/postgres/service.env")
    assert env.mode == 0o600
    assert "POSTGRES_PASSWORD=" + secret(db, "postgres_password") in env.content_string
    assert secret(db, "postgres_password") not in db.file("/opt/insightpulse/postgres/compose.yml").content_string


def check_objects(run_sql):
    """Roles and databases, the same on both servers."""
    for app in APPS:
        assert run_sql(f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{app}'") == app
        attrs = run_sql(
            f"SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = '{app}'"
        )
        assert attrs == "t|f|f|f", app
    assert run_sql(f"SELECT rolcanlogin, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = '{RO}'") == "t|f|f"
    config = run_sql(
        f"SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
        f"WHERE r.rolname = '{RO}'"
    )
    assert "default_transaction_read_only=on" in config
    # CONNECT: not for PUBLIC, for the read-only role on odoo only.
    assert run_sql("SELECT has_database_privilege('n8n', 'odoo', 'CONNECT')") == "f"
    assert run_sql(f"SELECT has_database_privilege('{RO}', 'odoo', 'CONNECT')") == "t"
    assert run_sql(f"SELECT has_database_privilege('{RO}', 'n8n', 'CONNECT')") == "f"
    assert run_sql("SELECT has_database_privilege('odoo', 'odoo', 'CONNECT')") == "t"


def test_roles_and_databases(db):
    check_objects(lambda q: sql_super(db, q))


def test_app_role_cannot_create_roles(db):
    cmd = sql_as(db, "odoo", secret(db, "postgres_odoo_password"), "CREATE ROLE intruder", "odoo")
    assert cmd.rc != 0
    assert "permission denied" in cmd.stderr
    cmd = sql_as(db, "odoo", secret(db, "postgres_odoo_password"), "CREATE DATABASE intruder", "odoo")
    assert cmd.rc != 0


def test_readonly_role(db):
    odoo = secret(db, "postgres_odoo_password")
    ro = secret(db, f"postgres_{RO}_password")
    # A table created by the owner after the grants.
    cmd = sql_as(
        db,
        "odoo",
        odoo,
        "DROP TABLE IF EXISTS ro_probe; CREATE TABLE ro_probe (id int); INSERT INTO ro_probe VALUES (42)",
        "odoo",
    )
    assert cmd.rc == 0, cmd.stderr
    cmd = sql_as(db, RO, ro, "SELECT id FROM ro_probe", "odoo")
    assert (cmd.rc, cmd.stdout.strip()) == (0, "42"), cmd.stderr
    assert sql_as(db, RO, ro, "SHOW default_transaction_read_only", "odoo").stdout.strip() == "on"
    cmd = sql_as(db, RO, ro, "INSERT INTO ro_probe VALUES (1)", "odoo")
    assert cmd.rc != 0 and "read-only transaction" in cmd.stderr
    # Even in a read-write transaction: no INSERT privilege.
    cmd = sql_as(db, RO, ro, "BEGIN READ WRITE; INSERT INTO ro_probe VALUES (1); COMMIT", "odoo")
    assert cmd.rc != 0 and "permission denied" in cmd.stderr
    assert sql_as(db, RO, ro, "SELECT 1", "n8n").rc != 0


def test_app_roles_log_in_with_their_password_files(db):
    for app in APPS:
        cmd = sql_as(db, app, secret(db, f"postgres_{app}_password"), "SELECT current_user", app)
        assert (cmd.rc, cmd.stdout.strip()) == (0, app), cmd.stderr


# --- external mode --------------------------------------------------------------------------


def test_external_roles_and_databases(managed):
    check_objects(lambda q: managed_sql(managed, q))


def test_external_readonly_default_privileges(managed, app):
    cmd = managed_login(
        managed,
        "odoo",
        secret(app, "postgres_odoo_password"),
        "odoo",
        "require",
        "DROP TABLE IF EXISTS ro_probe; CREATE TABLE ro_probe (id int); INSERT INTO ro_probe VALUES (7)",
    )
    assert cmd.rc == 0, cmd.stderr
    ro = secret(app, f"postgres_{RO}_password")
    cmd = managed_login(managed, RO, ro, "odoo", "require", "SELECT id FROM ro_probe")
    assert (cmd.rc, cmd.stdout.strip()) == (0, "7"), cmd.stderr
    cmd = managed_login(managed, RO, ro, "odoo", "require", "INSERT INTO ro_probe VALUES (1)")
    assert cmd.rc != 0


def test_external_ssl_only(managed, app):
    password = secret(app, "postgres_odoo_password")
    cmd = managed_login(managed, "odoo", password, "odoo", "disable")
    assert cmd.rc != 0
    assert "no encryption" in cmd.stderr or "rejects connection" in cmd.stderr, cmd.stderr
    cmd = managed_login(managed, "odoo", password, "odoo", "require")
    assert (cmd.rc, cmd.stdout.strip()) == (0, "t"), cmd.stderr


def test_external_password_files(app):
    for name in (*APPS, RO):
        f = app.file(f"{SECRETS}/postgres_{name}_password")
        assert (f.mode, f.user) == (0o600, "root")


# --- no secret in a verbose run -------------------------------------------------------------


def test_converge_again_verbose_no_secret_no_change(db, app):
    """converge.yml again at -vvv: nothing changes and no password appears in its output."""
    proc = subprocess.run(
        ["ansible-playbook", "-vvv", "-i", INVENTORY, str(SCENARIO / "converge.yml")],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=SCENARIO,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert "the output has been hidden" in output
    for host, names in (
        (db, ["postgres_password", *(f"postgres_{n}_password" for n in (*APPS, RO))]),
        (app, [f"postgres_{n}_password" for n in (*APPS, RO)]),
    ):
        for name in names:
            value = secret(host, name)
            assert value not in output, name
    assert "molecule-doadmin-4tQ9zX" not in output
    for line in output.splitlines():
        if line.startswith(("ipp-postgres-db ", "ipp-postgres-app ")) and "changed=" in line:
            assert "changed=0" in line, line
