"""A throw-away real Odoo 18.0 Community stack on this machine's Docker.

It runs the images the sandbox builds (images/images.yml: ``insightpulse/odoo:18.0``
and ``insightpulse/postgres:17``, made by ``scripts/images.py build``, which
``scripts/sandbox.sh`` and so ``make test`` run first) the way the official
images are run:

* a private Docker network;
* PostgreSQL 17 with ``POSTGRES_USER=odoo``, a random ``POSTGRES_PASSWORD``
  and ``POSTGRES_DB=postgres``;
* an ``odoo.conf`` mounted over ``/etc/odoo/odoo.conf`` (``$ODOO_RC``) with
  ``db_host``/``db_user``/``db_password`` and a random ``admin_passwd`` (the
  master password of the database manager);
* ``odoo -d <db> -i base --without-demo=all --stop-after-init`` in a one-off
  container, then the server (``--workers=0 --max-cron-threads=0``) on the same
  ``/var/lib/odoo`` volume, port 8069 published on a free port of 127.0.0.1;
  ready when ``/web/health`` answers.

:func:`odoo_stack` is a context manager yielding the connection facts; on the
way out (error, ``KeyboardInterrupt`` and SIGTERM included) it removes the
containers, the volume and the network. Every object carries the label
``insightpulse.test=contract``, so leftovers of a run killed outright (SIGKILL)
can be found with ``docker ps -a --filter label=insightpulse.test=contract``.

Used by tests/contract/conftest.py and benchmarks/odoo_module_noop.py; it needs
nothing but the ``docker`` CLI and the standard library.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shlex
import signal
import subprocess
import tempfile
import threading
import time
import types
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABEL = "insightpulse.test=contract"
DB_USER = "odoo"
ADMIN_LOGIN, ADMIN_PASSWORD = "admin", "admin"  # what `-i base` gives a new database


class StackError(RuntimeError):
    """The stack could not be started; the message says why and what to do."""


def image(name: str) -> str:
    """Local name of a sandbox image, as scripts/images.py tags it (images/images.yml)."""
    tags = {}
    current = None
    # images.yml is a flat two-level mapping; read it without PyYAML so callers need only the stdlib.
    for line in (ROOT / "images" / "images.yml").read_text().splitlines():
        if line and not line[0].isspace() and not line.startswith("#") and line.endswith(":"):
            current = line[:-1]
        elif current and line.strip().startswith("tag:"):
            tags[current] = line.split(":", 1)[1].strip().strip("\"'")
    return f"insightpulse/{name}:{tags[name]}"


def docker(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(["docker", *args], capture_output=True, text=True, check=False, timeout=timeout)
    except FileNotFoundError as err:
        raise StackError("no docker CLI on PATH: run scripts/sandbox.sh first (or set ODOO_URL)") from err
    if check and result.returncode != 0:
        raise StackError(f"docker {' '.join(args[:2])} failed ({result.returncode}): {result.stderr.strip()}")
    return result


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, so the stack is still removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Stack:
    def __init__(self, db: str, extra_addons: Path | None) -> None:
        self.id = secrets.token_hex(4)
        self.prefix = f"ipp-contract-{self.id}"
        self.network = self.prefix
        self.volume = f"{self.prefix}-data"
        self.pg = f"{self.prefix}-db"
        self.init = f"{self.prefix}-init"
        self.server = f"{self.prefix}-odoo"
        self.db = db
        self.extra_addons = extra_addons
        # hex: the entrypoint passes it on as `--db_password VALUE`, and argparse (wait-for-psql.py, as in the
        # official image) takes a value starting with "-" for an option, as token_urlsafe may produce
        self.pg_password = secrets.token_hex(16)
        self.master = "contract-master-" + secrets.token_hex(8)
        self.containers: list[str] = []
        self.made_network = self.made_volume = False

    # ------------------------------------------------------------------ lifecycle
    def start(self, conf_dir: Path, timeout: float) -> types.SimpleNamespace:
        odoo_image, pg_image = image("odoo"), image("postgres")
        if docker("info", check=False, timeout=60).returncode != 0:
            raise StackError("no Docker daemon answers: run scripts/sandbox.sh first (or set ODOO_URL)")
        for name in (odoo_image, pg_image):
            if docker("image", "inspect", name, check=False).returncode != 0:
                raise StackError(f"image {name} is missing: build it with scripts/images.py build (or make sandbox)")
        started = time.monotonic()
        docker("network", "create", "--label", LABEL, self.network)
        self.made_network = True
        docker("volume", "create", "--label", LABEL, self.volume)
        self.made_volume = True
        self._run(
            self.pg,
            pg_image,
            env={"POSTGRES_USER": DB_USER, "POSTGRES_PASSWORD": self.pg_password, "POSTGRES_DB": "postgres"},
        )
        conf = conf_dir / "odoo.conf"
        conf.write_text(
            "[options]\n"
            "addons_path = /mnt/extra-addons\n"
            "data_dir = /var/lib/odoo\n"
            f"admin_passwd = {self.master}\n"
            f"db_host = {self.pg}\n"
            "db_port = 5432\n"
            f"db_user = {DB_USER}\n"
            f"db_password = {self.pg_password}\n"
            "list_db = True\n"
        )
        conf.chmod(0o644)  # read by odoo (uid 100) in the container
        mounts = ["-v", f"{conf}:/etc/odoo/odoo.conf:ro", "-v", f"{self.volume}:/var/lib/odoo"]
        if self.extra_addons is not None:
            mounts += ["-v", f"{self.extra_addons}:/mnt/extra-addons:ro"]
        # Odoo's entrypoint waits for PostgreSQL (still initialising) before running odoo.
        env = {"ODOO_DB_WAIT_TIMEOUT": "120"}
        self._run(
            self.init,
            odoo_image,
            "odoo",
            "-d",
            self.db,
            "-i",
            "base",
            "--without-demo=all",
            "--stop-after-init",
            env=env,
            options=mounts,
        )
        code = docker("wait", self.init, timeout=timeout).stdout.strip()
        if code != "0":
            raise StackError(f"odoo -d {self.db} -i base exited {code}:\n{self.logs(self.init)}")
        self._run(
            self.server,
            odoo_image,
            "odoo",
            "--workers=0",
            "--max-cron-threads=0",
            env=env,
            options=[*mounts, "-p", "127.0.0.1::8069"],
        )
        port = docker("port", self.server, "8069/tcp").stdout.split()[0].rsplit(":", 1)[1]
        url = f"http://127.0.0.1:{port}"
        self._wait_health(url, deadline=time.monotonic() + 120)
        return types.SimpleNamespace(
            url=url,
            db=self.db,
            user=ADMIN_LOGIN,
            password=ADMIN_PASSWORD,
            master=self.master,
            # the method=cli route of odoo_module, as a deployment runs it (docker compose exec ...):
            # psql in the database container (trusted on its socket), odoo in the server container
            psql_command=f"docker exec -i {self.pg} psql -U {DB_USER}",
            odoo_command=f"docker exec {self.server} odoo",
            containers={"db": self.pg, "odoo": self.server},
            startup_seconds=time.monotonic() - started,
        )

    def _run(self, name, image_name, *args, env=None, options=()):
        cmd = ["run", "-d", "--name", name, "--label", LABEL, "--network", self.network]
        for key, value in (env or {}).items():
            cmd += ["-e", f"{key}={value}"]
        self.containers.append(name)  # before `docker run`: an interrupted run may still have created it
        docker(*cmd, *options, image_name, *args)

    def _wait_health(self, url: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            state = json.loads(docker("inspect", "--format", "{{json .State}}", self.server).stdout)
            if not state["Running"]:
                raise StackError(f"the Odoo server exited ({state['ExitCode']}):\n{self.logs(self.server)}")
            try:
                with urllib.request.urlopen(url + "/web/health", timeout=5) as resp:  # noqa: S310 - local http
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise StackError(f"Odoo did not answer {url}/web/health in time:\n{self.logs(self.server)}")

    def logs(self, container: str, lines: int = 60) -> str:
        result = docker("logs", "--tail", str(lines), container, check=False)
        return (result.stdout + result.stderr).strip()

    def remove(self) -> None:
        for name in reversed(self.containers):
            docker("rm", "-f", "-v", name, check=False, timeout=60)
        if self.made_volume:
            docker("volume", "rm", "-f", self.volume, check=False, timeout=60)
        if self.made_network:
            docker("network", "rm", self.network, check=False, timeout=60)


@contextlib.contextmanager
def odoo_stack(
    db: str = "contract", extra_addons: Path | None = None, init_timeout: float = 900
) -> Iterator[types.SimpleNamespace]:
    """Start the stack; yield (url, db, user, password, master, psql_command, odoo_command, ...).

    ``extra_addons``: a host directory mounted read-only as /mnt/extra-addons (OCA addons, say).
    """
    stack = _Stack(db, extra_addons)
    with _sigterm_as_interrupt(), tempfile.TemporaryDirectory(prefix="odoo-contract-") as tmp:
        try:
            yield stack.start(Path(tmp), init_timeout)
        finally:
            # a second Ctrl-C while removing would leave objects behind: finish the removal first
            with _deferred_interrupts():
                stack.remove()


@contextlib.contextmanager
def _deferred_interrupts() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in saved:
        signal.signal(sig, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        if received:
            raise KeyboardInterrupt(f"signal {received[0]} during cleanup")


if __name__ == "__main__":  # manual use: start a stack, print how to reach it, wait for Ctrl-C
    with odoo_stack() as facts:
        print(
            f"ODOO_URL={facts.url} ODOO_DB={facts.db} ODOO_MASTER_PASSWORD={facts.master} "
            f"ODOO_PSQL_COMMAND={shlex.quote(facts.psql_command)}  (started in {facts.startup_seconds:.0f}s)"
        )
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
