"""insightpulse/postgres keeps the interface of the official postgres:17 image.

One server (user/password/database from the env, `-c max_connections=42`) and
a client container of the same image on a private network serve most checks;
the init-script, restart and trust checks start their own servers.
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Containers, docker, image, wait_for

IMAGE = image("postgres")
USER, PASSWORD, DB = "app", "s3cret pw", "appdb"
ENV = {"POSTGRES_USER": USER, "POSTGRES_PASSWORD": PASSWORD, "POSTGRES_DB": DB}


@dataclass
class Pg:
    pool: Containers
    server: str
    client: str

    def psql(self, query: str, password: str | None = PASSWORD, host: str | None = None, user: str = USER):
        """psql over TCP from the client container; returns the CompletedProcess."""
        env = [f"PGPASSWORD={password}"] if password is not None else []
        cmd = ["env", *env, "psql", "-w", "-X", "-tA", "-v", "ON_ERROR_STOP=1"]
        cmd += ["-h", host or self.server, "-U", user, "-d", DB if user == USER else user, "-c", query]
        return self.pool.exec(self.client, *cmd, check=False)

    def value(self, query: str) -> str:
        result = self.psql(query)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()


def tcp_ready(pool: Containers, container: str, host: str = "127.0.0.1") -> bool:
    """pg_isready over TCP: false during first-boot init (socket-only server)."""
    return pool.exec(container, "pg_isready", "-q", "-h", host, check=False).returncode == 0


@pytest.fixture(scope="module")
def pg() -> Iterator[Pg]:
    pool = Containers()
    try:
        server = pool.run(IMAGE, "-c", "max_connections=42", env=ENV)
        client = pool.run(IMAGE, "sleep", "infinity")
        wait_for(lambda: tcp_ready(pool, client, server), timeout=60, what="postgres answering over TCP")
        yield Pg(pool, server, client)
    finally:
        pool.close()


@pytest.fixture
def volume() -> Iterator[str]:
    name = f"ipp-imgtest-pgdata-{uuid.uuid4().hex[:8]}"
    try:
        yield name
    finally:  # the containers fixture may still hold it: remove its users first
        users = docker("ps", "-aq", "--filter", f"volume={name}", check=False).stdout.split()
        if users:
            docker("rm", "-f", *users, check=False)
        docker("volume", "rm", "-f", name, check=False)


def test_image_declares_the_official_interface():
    config = json.loads(docker("image", "inspect", IMAGE).stdout)[0]["Config"]
    assert config["StopSignal"] == "SIGINT"
    assert "5432/tcp" in config["ExposedPorts"]
    assert "/var/lib/postgresql/data" in config["Volumes"]
    assert "PGDATA=/var/lib/postgresql/data" in config["Env"]
    assert config["Cmd"] == ["postgres"]


def test_first_boot_creates_user_and_database(pg: Pg):
    assert pg.value("SELECT current_user, current_database(), rolsuper FROM pg_roles WHERE rolname = current_user") == (
        f"{USER}|{DB}|t"
    )
    # UTF8 in the official image's default locale: dumps move between the two.
    assert (
        pg.value("SELECT pg_encoding_to_char(encoding), datcollate FROM pg_database WHERE datname = current_database()")
        == "UTF8|en_US.utf8"
    )
    # POSTGRES_USER replaces the superuser: no role called postgres.
    assert pg.value("SELECT count(*) FROM pg_roles WHERE rolname = 'postgres'") == "0"


def test_tcp_password_auth_is_scram(pg: Pg):
    assert pg.value("SHOW password_encryption") == "scram-sha-256"
    assert pg.value("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = current_user") == "t"
    assert pg.value("SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host' AND address = 'all'") == (
        "scram-sha-256"
    )
    wrong = pg.psql("SELECT 1", password="not the password")
    assert wrong.returncode != 0
    assert f'password authentication failed for user "{USER}"' in wrong.stderr
    missing = pg.psql("SELECT 1", password=None)
    assert missing.returncode != 0
    assert "no password supplied" in missing.stderr


def test_arguments_pass_through_to_postgres_as_pid1_uid_999(pg: Pg):
    assert pg.value("SHOW max_connections") == "42"
    cmdline = pg.pool.exec(pg.server, "cat", "/proc/1/cmdline").stdout
    assert cmdline.split("\0")[:3] == ["postgres", "-c", "max_connections=42"]
    status = dict(line.split(":", 1) for line in pg.pool.exec(pg.server, "cat", "/proc/1/status").stdout.splitlines())
    assert status["Uid"].split() == ["999"] * 4
    assert status["Gid"].split() == ["999"] * 4


def test_client_tools_on_path(pg: Pg):
    ready = pg.pool.exec(pg.server, "pg_isready", check=False)
    assert ready.returncode == 0
    assert "accepting connections" in ready.stdout
    assert pg.value("CREATE TABLE IF NOT EXISTS dumped (id int); SELECT 1").splitlines()[-1] == "1"
    pg_dump = ["pg_dump", "-Fc", "-h", pg.server, "-U", USER, "-f", "/tmp/app.dump", DB]
    dump = pg.pool.exec(pg.client, "env", f"PGPASSWORD={PASSWORD}", *pg_dump, check=False)
    assert dump.returncode == 0, dump.stderr
    listing = pg.pool.exec(pg.client, "pg_restore", "--list", "/tmp/app.dump").stdout
    assert "TABLE public dumped" in listing


def test_other_commands_run_as_given():
    result = docker("run", "--rm", IMAGE, "bash", "-c", 'id -u; echo "$PGDATA"; psql --version')
    uid, pgdata, version = result.stdout.splitlines()
    assert (uid, pgdata) == ("0", "/var/lib/postgresql/data")
    assert version.startswith("psql (PostgreSQL) 17.")


def test_refuses_to_initialise_without_password():
    result = docker("run", "--rm", "-e", f"POSTGRES_USER={USER}", IMAGE, check=False, timeout=60)
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr
    assert "The files belonging to this database system" not in result.stdout  # refused before initdb


def test_trust_initialises_without_password(pg: Pg):
    server = pg.pool.run(IMAGE, env={"POSTGRES_HOST_AUTH_METHOD": "trust"})
    wait_for(lambda: tcp_ready(pg.pool, pg.client, server), timeout=60, what="trust server answering over TCP")
    result = pg.psql("SELECT current_user", password=None, host=server, user="postgres")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "postgres"


def write_init_files(directory: Path) -> None:
    directory.chmod(0o755)  # pytest's tmp dirs are 0700; the scripts run as uid 999
    insert = (
        'psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "INSERT INTO init_runs VALUES (\'{}\')"\n'
    )
    (directory / "10-schema.sql").write_text(
        "CREATE TABLE init_runs (kind text);\nINSERT INTO init_runs VALUES ('sql');\n"
    )
    (directory / "20-run.sh").write_text("#!/bin/bash\nset -e\n" + insert.format("sh"))
    (directory / "20-run.sh").chmod(0o755)
    (directory / "25-sourced.sh").write_text(insert.format("sourced"))  # not executable: sourced
    (directory / "30-data.sql.gz").write_bytes(gzip.compress(b"INSERT INTO init_runs VALUES ('gz');\n"))
    (directory / "40-notes.txt").write_text("DROP TABLE init_runs;\n")  # neither .sh nor .sql: ignored


def test_init_scripts_run_once_and_data_persists(containers: Containers, volume: str, tmp_path: Path):
    write_init_files(tmp_path)
    mounts = ("-v", f"{volume}:/var/lib/postgresql/data", "-v", f"{tmp_path}:/docker-entrypoint-initdb.d:ro")

    def runs(container: str) -> list[str]:
        query = "SELECT kind FROM init_runs ORDER BY kind"
        return containers.exec(container, "psql", "-XtA", "-U", USER, "-d", DB, "-c", query).stdout.split()

    first = containers.run(IMAGE, env=ENV, options=mounts)
    wait_for(lambda: tcp_ready(containers, first), timeout=60, what="first server answering over TCP")
    assert runs(first) == ["gz", "sh", "sourced", "sql"]
    assert "ignoring /docker-entrypoint-initdb.d/40-notes.txt" in containers.logs(first)

    # SIGINT (the image's STOPSIGNAL) reaches postgres as PID 1: fast shutdown, exit 0.
    docker("stop", "-t", "30", first)
    assert containers.inspect(first)["State"]["ExitCode"] == 0
    assert "received fast shutdown request" in containers.logs(first)

    # Same volume, no password any more: initialised data starts as it is.
    second = containers.run(IMAGE, options=mounts)
    wait_for(lambda: tcp_ready(containers, second), timeout=60, what="second server answering over TCP")
    assert runs(second) == ["gz", "sh", "sourced", "sql"]
    logs = containers.logs(second)
    assert "docker-entrypoint-initdb.d" not in logs
    assert "initialising" not in logs
    # The stored password still guards TCP (own network address: loopback is trust).
    psql = ["psql", "-w", "-XtA", "-h", containers.ip(second), "-U", USER, "-d", DB, "-c", "SELECT 1"]
    login = containers.exec(second, "env", f"PGPASSWORD={PASSWORD}", *psql, check=False)
    assert login.stdout.strip() == "1", login.stderr
    wrong = containers.exec(second, "env", "PGPASSWORD=wrong", *psql, check=False)
    assert "password authentication failed" in wrong.stderr
