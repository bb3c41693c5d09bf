"""Helpers for the image interface tests: containers on this machine's Docker.

Each test runs the image the sandbox built (``insightpulse/<name>:<tag>``, see
images/images.yml) the way a role or the official image's documentation would,
and checks the interface the roles rely on. Containers and networks a test
starts are removed when it ends, whatever the outcome.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CATALOG = yaml.safe_load((ROOT / "images" / "images.yml").read_text())


def image(name: str) -> str:
    """Local name of a sandbox image, as scripts/images.py tags it."""
    return f"insightpulse/{name}:{CATALOG[name]['tag']}"


def docker(
    *args: str, check: bool = True, timeout: float = 120, input: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check, timeout=timeout, input=input)


def wait_for(predicate: Callable[[], object], timeout: float = 60, interval: float = 0.5, what: str = "condition"):
    """Poll predicate until it returns something truthy; fail naming `what`."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last_error})")


class Containers:
    """Start containers on a private network; everything is removed at teardown."""

    def __init__(self) -> None:
        self.network = f"ipp-imgtest-{uuid.uuid4().hex[:8]}"
        docker("network", "create", self.network)
        self.started: list[str] = []

    def run(
        self,
        image_name: str,
        *args: str,
        name: str | None = None,
        env: dict[str, str] | None = None,
        options: tuple[str, ...] = (),
    ) -> str:
        """`docker run -d` on the test network; returns the container name."""
        name = name or f"ipp-imgtest-{uuid.uuid4().hex[:8]}"
        cmd = ["run", "-d", "--name", name, "--network", self.network]
        for key, value in (env or {}).items():
            cmd += ["-e", f"{key}={value}"]
        cmd += [*options, image_name, *args]
        docker(*cmd)
        self.started.append(name)
        return name

    def exec(
        self, container: str, *cmd: str, user: str | None = None, check: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess:
        opts = ["-i"] if input is not None else []
        if user:
            opts += ["-u", user]
        return docker("exec", *opts, container, *cmd, check=check, input=input)

    def postgres(self, user: str, password: str, database: str) -> str:
        """The sandbox's PostgreSQL image beside the image under test, answering over TCP
        before this returns; returns its container name, its host name on the network."""
        name = self.run(
            image("postgres"),
            name=f"{self.network}-pg",
            env={"POSTGRES_USER": user, "POSTGRES_PASSWORD": password, "POSTGRES_DB": database},
        )
        wait_for(
            lambda: self.exec(name, "pg_isready", "-q", "-h", "127.0.0.1", check=False).returncode == 0,
            timeout=60,
            what="postgres",
        )
        return name

    def ip(self, container: str) -> str:
        info = json.loads(docker("inspect", container).stdout)[0]
        return info["NetworkSettings"]["Networks"][self.network]["IPAddress"]

    def logs(self, container: str) -> str:
        result = docker("logs", container, check=False)
        return result.stdout + result.stderr

    def inspect(self, container: str) -> dict:
        return json.loads(docker("inspect", container).stdout)[0]

    def close(self) -> None:
        for name in reversed(self.started):
            docker("rm", "-f", "-v", name, check=False)
        docker("network", "rm", self.network, check=False)


@pytest.fixture
def containers() -> Iterator[Containers]:
    pool = Containers()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(scope="session", autouse=True)
def _docker_answers() -> None:
    if docker("info", check=False).returncode != 0:
        pytest.fail("no Docker daemon answers: run scripts/sandbox.sh first")
