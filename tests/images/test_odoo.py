"""insightpulse/odoo keeps the interface of the official odoo:18.0 image.

One stack serves most checks: an Odoo container that initialises `testdb`
(`-i base`) is started before its PostgreSQL exists, so its entrypoint has to
wait; a second run installs a tiny addon from /mnt/extra-addons with
`--log-level=warn`; then a server on the same volumes answers HTTP. The
config-file, password-file and give-up checks run their own short containers.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from conftest import Containers, docker, image, wait_for

IMAGE = image("odoo")
PG_IMAGE = image("postgres")
# Starts with "-" and holds a space: generated passwords may do either, and the
# entrypoint must pass it as one value that no option parser mistakes for a flag.
DB_USER, DB_PASSWORD, DB = "odoo", "-s3cret pw", "testdb"
ODOO_UID, ODOO_GID = 100, 101
PROBE = "ipp_image_probe"
ADMIN_LOGIN, ADMIN_PASSWORD = "admin", "admin"  # what -i base gives a new database

MANIFEST = {
    "name": "Image probe",
    "version": "18.0.1.0.0",
    "depends": ["base"],
    "data": ["data/params.xml"],
    "license": "LGPL-3",
    "installable": True,
}
PARAMS_XML = """<?xml version="1.0" encoding="utf-8"?>
<odoo>
    <record id="probe_param" model="ir.config_parameter">
        <field name="key">ipp.image_probe</field>
        <field name="value">loaded from /mnt/extra-addons</field>
    </record>
</odoo>
"""


@dataclass
class Stack:
    pool: Containers
    pg: str
    init: str
    probe: str
    server: str
    addons: Path

    def psql(self, query: str, db: str = DB) -> str:
        """A query as the Odoo role, in the PostgreSQL container (local socket)."""
        result = self.pool.exec(
            self.pg, "psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1", "-U", DB_USER, "-d", db, "-c", query, check=False
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def odoo_env(self, **extra: str) -> dict[str, str]:
        return {"HOST": self.pg, "USER": DB_USER, "PASSWORD": DB_PASSWORD, **extra}


def write_probe_addon(root: Path) -> Path:
    addon = root / PROBE
    (addon / "data").mkdir(parents=True)
    (addon / "__init__.py").write_text("")
    (addon / "__manifest__.py").write_text(repr(MANIFEST) + "\n")
    (addon / "data" / "params.xml").write_text(PARAMS_XML)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


def state(pool: Containers, container: str) -> dict:
    return pool.inspect(container)["State"]


def started_at(pool: Containers, container: str) -> float:
    """StartedAt as seconds (Docker trims the nanoseconds' trailing zeros)."""
    stamp = state(pool, container)["StartedAt"].rstrip("Z")
    whole, _, fraction = stamp.partition(".")
    return datetime.fromisoformat(whole).timestamp() + float(f"0.{fraction or 0}")


def wait_exit(pool: Containers, container: str, timeout: float) -> int:
    """Exit code of a detached container once it stops."""
    status = wait_for(
        lambda: (s := state(pool, container))["Status"] == "exited" and s,
        timeout=timeout,
        interval=1,
        what=f"{container} to finish",
    )
    return status["ExitCode"]


def http_get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - plain http to a test container
        return response.status, response.read().decode()


def authenticate(ip: str) -> dict:
    """JSON-RPC login (admin/admin on a fresh database): Odoo saves the session."""
    body = json.dumps(
        {"jsonrpc": "2.0", "params": {"db": DB, "login": ADMIN_LOGIN, "password": ADMIN_PASSWORD}}
    ).encode()
    request = urllib.request.Request(
        f"http://{ip}:8069/web/session/authenticate", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - plain http to a test container
        return json.loads(response.read())


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    pool = Containers()
    try:
        addons = write_probe_addon(tmp_path_factory.mktemp("extra-addons"))
        pg = f"ipp-imgtest-pg-{uuid.uuid4().hex[:8]}"
        env = {"HOST": pg, "USER": DB_USER, "PASSWORD": DB_PASSWORD}
        # Odoo first: its database host does not even resolve yet.
        init = pool.run(
            IMAGE,
            "odoo",
            "-d",
            DB,
            "-i",
            "base",
            "--stop-after-init",
            "--without-demo=all",
            env=env,
            options=("-v", f"{addons}:/mnt/extra-addons:ro"),
        )
        pool.run(
            PG_IMAGE,
            name=pg,
            env={"POSTGRES_USER": DB_USER, "POSTGRES_PASSWORD": DB_PASSWORD, "POSTGRES_DB": "postgres"},
        )
        init_exit = wait_exit(pool, init, timeout=150)
        assert init_exit == 0, f"odoo -i base exited {init_exit}:\n{pool.logs(init)[-3000:]}"
        shared = ("--volumes-from", init)
        probe = pool.run(
            IMAGE, "odoo", "-d", DB, "-i", PROBE, "--stop-after-init", "--log-level=warn", env=env, options=shared
        )
        probe_exit = wait_exit(pool, probe, timeout=90)
        assert probe_exit == 0, f"odoo -i {PROBE} exited {probe_exit}:\n{pool.logs(probe)[-3000:]}"
        server = pool.run(
            IMAGE, "odoo", f"--db-filter=^{DB}$", "--workers=0", "--max-cron-threads=0", env=env, options=shared
        )
        ip = pool.ip(server)
        wait_for(
            lambda: http_get(f"http://{ip}:8069/web/health")[0] == 200, timeout=60, what="odoo answering /web/health"
        )
        yield Stack(pool, pg, init, probe, server, addons)
    finally:
        pool.close()


def test_odoo_waits_for_postgres_then_creates_the_database(stack: Stack) -> None:
    odoo_started = started_at(stack.pool, stack.init)
    pg_started = started_at(stack.pool, stack.pg)
    assert odoo_started < pg_started, "the init container must start before PostgreSQL for this check to mean anything"
    assert stack.psql(f"SELECT datname FROM pg_database WHERE datname = '{DB}'", db="postgres") == DB  # noqa: S608
    assert stack.psql("SELECT state FROM ir_module_module WHERE name = 'base'") == "installed"
    assert stack.psql("SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND demo") == "0"


def test_server_answers_health_and_login(stack: Stack) -> None:
    ip = stack.pool.ip(stack.server)
    status, body = http_get(f"http://{ip}:8069/web/health")
    assert status == 200 and json.loads(body) == {"status": "pass"}
    status, body = http_get(f"http://{ip}:8069/web/login")
    assert status == 200
    assert 'name="login"' in body and 'name="password"' in body


def test_image_metadata_matches_the_official_interface() -> None:
    config = json.loads(docker("image", "inspect", IMAGE).stdout)[0]["Config"]
    assert config["User"] == "odoo"
    assert "ODOO_RC=/etc/odoo/odoo.conf" in config["Env"]
    assert set(config["ExposedPorts"]) == {"8069/tcp", "8071/tcp", "8072/tcp"}
    assert set(config["Volumes"]) == {"/var/lib/odoo", "/mnt/extra-addons"}
    assert config["Entrypoint"] == ["/entrypoint.sh"] and config["Cmd"] == ["odoo"]


def test_server_runs_as_odoo_with_the_official_ids(stack: Stack) -> None:
    status = stack.pool.exec(stack.server, "cat", "/proc/1/status").stdout
    uids = re.search(r"^Uid:\s+(.*)$", status, re.M).group(1).split()
    gids = re.search(r"^Gid:\s+(.*)$", status, re.M).group(1).split()
    assert set(uids) == {str(ODOO_UID)} and set(gids) == {str(ODOO_GID)}
    # PID 1 is Odoo itself (the entrypoint execs it), so `docker stop` reaches it.
    cmdline = stack.pool.exec(stack.server, "cat", "/proc/1/cmdline").stdout.split("\0")
    assert cmdline[:2] == ["python3", "/usr/bin/odoo"], cmdline
    passwd = stack.pool.exec(stack.server, "getent", "passwd", "odoo").stdout.split(":")
    assert passwd[2:4] == [str(ODOO_UID), str(ODOO_GID)] and passwd[5] == "/var/lib/odoo"


def test_data_dir_is_the_var_lib_odoo_volume(stack: Stack) -> None:
    ip = stack.pool.ip(stack.server)
    reply = authenticate(ip)
    assert reply.get("result", {}).get("uid") == 2, reply  # a logged-in session is saved in data_dir
    mounts = {m["Destination"]: m for m in stack.pool.inspect(stack.server)["Mounts"]}
    assert mounts["/var/lib/odoo"]["Type"] == "volume"
    listing = stack.pool.exec(
        stack.server, "find", "/var/lib/odoo/filestore", "/var/lib/odoo/sessions", "-type", "f", "-printf", "%u:%g %p\n"
    ).stdout.splitlines()
    assert any(f"/var/lib/odoo/filestore/{DB}/" in line for line in listing), listing[:5]
    assert any("/var/lib/odoo/sessions/" in line for line in listing), listing[:5]
    assert all(line.startswith("odoo:odoo ") for line in listing), listing[:5]


def test_extra_addons_volume_is_on_the_addons_path(stack: Stack) -> None:
    assert stack.psql(f"SELECT state FROM ir_module_module WHERE name = '{PROBE}'") == "installed"  # noqa: S608
    assert stack.psql("SELECT value FROM ir_config_parameter WHERE key = 'ipp.image_probe'") == (
        "loaded from /mnt/extra-addons"
    )
    line = next(x for x in stack.pool.logs(stack.server).splitlines() if "addons paths:" in x)
    assert "'/mnt/extra-addons'" in line and "'/usr/lib/python3/dist-packages/odoo/addons'" in line


def test_options_after_the_command_pass_through(stack: Stack) -> None:
    init_log, probe_log = stack.pool.logs(stack.init), stack.pool.logs(stack.probe)
    assert " INFO " in init_log, "the default log level logs INFO lines"
    assert " INFO " not in probe_log, f"--log-level=warn ignored:\n{probe_log[:2000]}"
    # They come before the entrypoint's database options, as upstream.
    cmdline = stack.pool.exec(stack.server, "cat", "/proc/1/cmdline").stdout.split("\0")
    assert cmdline[2:5] == [f"--db-filter=^{DB}$", "--workers=0", "--max-cron-threads=0"], cmdline
    assert cmdline[5:7] == [f"--db_host={stack.pg}", "--db_port=5432"], cmdline


def test_the_database_password_is_not_on_the_command_line(stack: Stack) -> None:
    """Every user of the host can read a container process's command line (`ps`); the password
    reaches Odoo as PGPASSWORD, in the environment only the odoo user can read."""
    cmdline = stack.pool.exec(stack.server, "cat", "/proc/1/cmdline").stdout
    assert DB_PASSWORD not in cmdline and "--db_password" not in cmdline, cmdline.split("\0")
    environ = stack.pool.exec(stack.server, "cat", "/proc/1/environ").stdout.split("\0")
    assert f"PGPASSWORD={DB_PASSWORD}" in environ
    # and Odoo connects with it: the server answers a login (its database is reached)
    assert authenticate(stack.pool.ip(stack.server)).get("result", {}).get("uid") == 2


def test_database_settings_in_the_config_file_win_over_the_env(stack: Stack, tmp_path: Path) -> None:
    conf = tmp_path / "odoo.conf"
    conf.write_text(f"[options]\ndata_dir = /var/lib/odoo\ndb_host = {stack.pg}\ndb_password: {DB_PASSWORD}\n")
    conf.chmod(0o644)
    env = stack.odoo_env(
        HOST="nowhere.invalid", PASSWORD="wrong", ODOO_DB_WAIT_TIMEOUT="5", ODOO_RC="/etc/odoo/custom.conf"
    )
    run = stack.pool.run(
        IMAGE, "odoo", "-d", DB, "--stop-after-init", env=env, options=("-v", f"{conf}:/etc/odoo/custom.conf:ro")
    )
    assert wait_exit(stack.pool, run, timeout=90) == 0, stack.pool.logs(run)[-3000:]
    assert f"database: {DB_USER}@{stack.pg}:5432" in stack.pool.logs(run)


def test_password_file_replaces_the_password_env(stack: Stack, tmp_path: Path) -> None:
    secret = tmp_path / "db_password"
    secret.write_text(DB_PASSWORD)
    secret.chmod(0o644)
    env = stack.odoo_env(PASSWORD="wrong", PASSWORD_FILE="/run/secrets/db_password", ODOO_DB_WAIT_TIMEOUT="5")
    run = stack.pool.run(
        IMAGE,
        "odoo",
        "-d",
        DB,
        "--stop-after-init",
        "--log-level=warn",
        env=env,
        options=("-v", f"{secret}:/run/secrets/db_password:ro"),
    )
    assert wait_exit(stack.pool, run, timeout=90) == 0, stack.pool.logs(run)[-3000:]


def test_other_commands_run_as_given_without_a_database() -> None:
    started = time.monotonic()
    result = docker("run", "--rm", "--network", "none", IMAGE, "bash", "-c", "id -u; echo $ODOO_RC", timeout=30)
    assert result.stdout.split() == [str(ODOO_UID), "/etc/odoo/odoo.conf"]
    assert time.monotonic() - started < 20, "a plain command must not wait for PostgreSQL"


def test_scaffold_needs_no_database() -> None:
    result = docker(
        "run", "--rm", "--network", "none", IMAGE, "odoo", "scaffold", "demo_module", "/tmp", check=False, timeout=30
    )
    assert result.returncode == 0, result.stderr


def test_gives_up_clearly_when_no_database_answers(stack: Stack) -> None:
    # PORT comes from the env: nothing listens on 5433, so every attempt is refused.
    env = stack.odoo_env(PORT="5433", ODOO_DB_WAIT_TIMEOUT="3")
    started = time.monotonic()
    run = stack.pool.run(IMAGE, "odoo", "-d", DB, env=env)
    exit_code = wait_exit(stack.pool, run, timeout=30)
    elapsed = time.monotonic() - started
    log = stack.pool.logs(run)
    assert exit_code != 0, log
    assert f"at {stack.pg}:5433 within 3s" in log and "refused" in log, log
    assert "Odoo version" not in log, "odoo must not start without its database"
    assert elapsed < 20, f"gave up after {elapsed:.0f}s, the timeout is 3s"
