"""insightpulse/superset keeps the interface of the official apache/superset:6.1.0 image as the
superset role uses it.

The environment and user, the commands on PATH and the drivers inside; then, against a real
PostgreSQL (insightpulse/postgres) and Redis (insightpulse/redis) on a private network, with a
superset_config.py mounted at /app/pythonpath: `superset db upgrade`, the default command
serving /health and the login API on 8088, and a Celery worker answering `inspect ping`.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from conftest import Containers, docker, image, wait_for

IMAGE = image("superset")
PG_PASSWORD = "sup3rset"  # noqa: S105 - a test database's password


def run(*args: str) -> str:
    return docker("run", "--rm", IMAGE, *args).stdout


def test_user_and_environment():
    info = json.loads(docker("image", "inspect", IMAGE).stdout)[0]["Config"]
    env = dict(item.split("=", 1) for item in info["Env"])
    assert info["User"] == "superset"
    assert info["Cmd"] == ["/usr/bin/run-server.sh"]
    assert not info.get("Entrypoint")
    assert "8088/tcp" in info["ExposedPorts"]
    assert env["SUPERSET_HOME"] == "/app/superset_home"
    assert env["PYTHONPATH"] == "/app/pythonpath"
    assert env["FLASK_APP"] == "superset.app:create_app()"
    assert env["SUPERSET_PORT"] == "8088"
    assert env["PATH"].startswith("/app/.venv/bin:")
    assert run("id", "-u").strip() == "1000"
    assert run("id", "-g").strip() == "1000"


def test_commands_and_drivers():
    out = run("sh", "-c", "for c in superset gunicorn celery curl; do command -v $c; done")
    assert out.split() == [
        "/app/.venv/bin/superset",
        "/app/.venv/bin/gunicorn",
        "/app/.venv/bin/celery",
        "/usr/bin/curl",
    ]
    version = run("python", "-c", "import importlib.metadata as m; print(m.version('apache-superset'))")
    assert version.strip() == "6.1.0"
    run("python", "-c", "import psycopg2, gevent, redis, celery, rich, cachetools")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    pool = Containers()
    try:
        pg = pool.postgres("superset", PG_PASSWORD, "superset")
        redis = pool.run(image("redis"), name=f"{pool.network}-redis")
        config = Path(tmp_path_factory.mktemp("superset")) / "superset_config.py"
        config.write_text(
            f"SECRET_KEY = {secrets.token_urlsafe(48)!r}\n"
            f"SQLALCHEMY_DATABASE_URI = 'postgresql+psycopg2://superset:{PG_PASSWORD}@{pg}:5432/superset'\n"
            "class CeleryConfig:\n"
            f"    broker_url = 'redis://{redis}:6379/1'\n"
            f"    result_backend = 'redis://{redis}:6379/1'\n"
            "CELERY_CONFIG = CeleryConfig\n"
        )
        config.chmod(0o644)
        mount = ("--volume", f"{config}:/app/pythonpath/superset_config.py:ro")
        upgrade = docker(
            "run",
            "--rm",
            "--network",
            pool.network,
            *mount,
            IMAGE,
            "superset",
            "db",
            "upgrade",
            check=False,
            timeout=300,
        )
        assert upgrade.returncode == 0, upgrade.stderr[-2000:]
        admin = docker(
            "run",
            "--rm",
            "--network",
            pool.network,
            *mount,
            IMAGE,
            "superset",
            "fab",
            "create-admin",
            "--username",
            "admin",
            "--firstname",
            "A",
            "--lastname",
            "B",
            "--email",
            "a@example.test",
            "--password",
            "admin-pw",
            check=False,
            timeout=300,
        )
        assert admin.returncode == 0, admin.stderr[-2000:]
        web = pool.run(IMAGE, options=mount)
        worker = pool.run(
            IMAGE, "celery", "--app=superset.tasks.celery_app:app", "worker", "--concurrency=1", options=mount
        )
        yield pool, web, worker
    finally:
        pool.close()


def test_default_command_serves_health_and_login(stack):
    pool, web, _ = stack

    def health():
        return pool.exec(web, "curl", "-sf", "http://127.0.0.1:8088/health", check=False).stdout.strip() == "OK"

    wait_for(health, timeout=180, interval=2, what="/health answering OK")
    body = json.dumps({"username": "admin", "password": "admin-pw", "provider": "db"})
    out = pool.exec(
        web,
        "curl",
        "-sf",
        "-H",
        "Content-Type: application/json",
        "-d",
        body,
        "http://127.0.0.1:8088/api/v1/security/login",
    ).stdout
    assert json.loads(out)["access_token"]
    assert "gunicorn" in pool.exec(web, "cat", "/proc/1/cmdline").stdout


def test_celery_worker_answers_ping(stack):
    pool, _, worker = stack

    def ping():
        result = pool.exec(
            worker, "celery", "--app=superset.tasks.celery_app:app", "inspect", "ping", "--timeout=5", check=False
        )
        return "pong" in result.stdout

    wait_for(ping, timeout=120, interval=3, what="celery worker answering ping")
