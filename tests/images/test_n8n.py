"""insightpulse/n8n keeps the interface of the official n8nio/n8n:2.41.1 image as the n8n role uses it.

The user, environment and entrypoint; `n8n` given as arguments; the modules the role and n8n's
start rely on (bcryptjs, isolated-vm's prebuilt binding, nothing compiled); then, against a real
PostgreSQL (insightpulse/postgres) on a private network: readiness with DB_TYPE=postgresdb and the
secrets given as *_FILE variables, the owner provisioned from the environment (bcrypt hash),
a webhook workflow imported, published and answering after a restart, a credential decrypting
with the same key, and n8n refusing to start with another key.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import Containers, docker, image, wait_for

IMAGE = image("n8n")
APP = "/usr/local/lib/node_modules/n8n"
PG_PASSWORD = "n8n-pw"  # noqa: S105 - a test database's password
OWNER = "owner@example.test"
OWNER_PASSWORD = "Owner-Passw0rd"  # noqa: S105 - test data
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
WORKFLOW = Path(__file__).resolve().parents[2] / "roles" / "n8n" / "files" / "workflows" / "ocr_job_processed.json"


def run(*args: str, entrypoint: str | None = None) -> str:
    opts = ["--entrypoint", entrypoint] if entrypoint is not None else []
    return docker("run", "--rm", *opts, IMAGE, *args, timeout=180).stdout


def test_user_environment_and_entrypoint():
    info = json.loads(docker("image", "inspect", IMAGE).stdout)[0]["Config"]
    env = dict(item.split("=", 1) for item in info["Env"])
    assert info["User"] == "node"
    assert info["WorkingDir"] == "/home/node"
    assert info["Entrypoint"] == ["tini", "--", "/docker-entrypoint.sh"]
    assert "5678/tcp" in info["ExposedPorts"]
    assert env["NODE_ENV"] == "production"
    ids = run("sh", "-c", "id -u; id -g; stat -c '%u %U' /home/node/.n8n", entrypoint="")
    assert ids.split() == ["1000", "1000", "1000", "node"]


def test_arguments_run_n8n():
    assert run("--version").strip() == "2.41.1"


def test_commands_and_modules():
    out = run("sh", "-c", "for c in n8n node npm tini; do command -v $c; done; node --version", entrypoint="")
    paths = out.split()
    assert paths[:4] == ["/usr/local/bin/n8n", "/usr/local/bin/node", "/usr/local/bin/npm", "/usr/bin/tini"]
    assert paths[4].startswith("v24.")
    # bcryptjs (the role hashes the owner's password with it) and isolated-vm (n8n's expression
    # engine), whose prebuilt binding for Node 24 loads without any install script.
    script = (
        f"const r = (m) => require(require.resolve(m, {{paths: ['{APP}']}}));"
        "const ivm = r('isolated-vm'); const iso = new ivm.Isolate();"
        "console.log(iso.compileScriptSync('6 * 7').runSync(iso.createContextSync()));"
        "console.log(r('bcryptjs').compareSync('x', r('bcryptjs').hashSync('x', 4)));"
    )
    assert run("-e", script, entrypoint="node").split() == ["42", "true"]


def _request(url: str, method: str = "GET", body: object = None, headers: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - a test container
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with DIRECT.open(request, timeout=30) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    pool = Containers()
    try:
        pg = pool.postgres("n8n", PG_PASSWORD, "n8n")
        owner_hash = docker(
            "run",
            "--rm",
            "-i",
            "--entrypoint",
            "node",
            IMAGE,
            "-e",
            f"const b = require(require.resolve('bcryptjs', {{paths: ['{APP}']}}));"
            "process.stdout.write(b.hashSync(require('fs').readFileSync(0, 'utf8'), 10))",
            input=OWNER_PASSWORD,
        ).stdout
        secrets = Path(tmp_path_factory.mktemp("n8n-secrets"))
        secrets.chmod(0o755)
        key = uuid.uuid4().hex + uuid.uuid4().hex
        for name, value in {"key": key, "pg": PG_PASSWORD, "hash": owner_hash}.items():
            (secrets / name).write_text(value + "\n")
            (secrets / name).chmod(0o644)
        workflows = Path(tmp_path_factory.mktemp("n8n-workflows"))
        workflows.chmod(0o755)
        (workflows / WORKFLOW.name).write_text(WORKFLOW.read_text())
        (workflows / WORKFLOW.name).chmod(0o644)
        env = {
            "DB_TYPE": "postgresdb",
            "DB_POSTGRESDB_HOST": pg,
            "DB_POSTGRESDB_DATABASE": "n8n",
            "DB_POSTGRESDB_USER": "n8n",
            "DB_POSTGRESDB_PASSWORD_FILE": "/run/secrets/n8n/pg",
            "N8N_ENCRYPTION_KEY_FILE": "/run/secrets/n8n/key",
            "N8N_INSTANCE_OWNER_MANAGED_BY_ENV": "true",
            "N8N_INSTANCE_OWNER_EMAIL": OWNER,
            "N8N_INSTANCE_OWNER_FIRST_NAME": "Test",
            "N8N_INSTANCE_OWNER_LAST_NAME": "Owner",
            "N8N_INSTANCE_OWNER_PASSWORD_HASH_FILE": "/run/secrets/n8n/hash",
            "N8N_DIAGNOSTICS_ENABLED": "false",
            "N8N_SECURE_COOKIE": "false",
            "GENERIC_TIMEZONE": "Asia/Manila",
        }
        mounts = (
            "--volume", f"{pool.network}-data:/home/node/.n8n",
            "--volume", f"{secrets}:/run/secrets/n8n:ro",
            "--volume", f"{workflows}:/workflows:ro",
        )  # fmt: skip
        n8n = pool.run(IMAGE, env=env, options=mounts)
        url = f"http://{pool.ip(n8n)}:5678"

        def ready():
            return _request(url + "/healthz/readiness")[0] == 200

        wait_for(ready, timeout=180, interval=2, what="/healthz/readiness")
        yield pool, n8n, url, ready, env, mounts, key
    finally:
        pool.close()
        docker("volume", "rm", "-f", f"{pool.network}-data", check=False)


def test_readiness_against_postgres(stack):
    _, _, url, *_ = stack
    status, body, _ = _request(url + "/healthz/readiness")
    assert status == 200 and json.loads(body) == {"status": "ok"}


def test_owner_from_the_environment_logs_in(stack):
    _, _, url, *_ = stack
    status, body, headers = _request(
        url + "/rest/login", "POST", {"emailOrLdapLoginId": OWNER, "password": OWNER_PASSWORD}
    )
    assert status == 200, body
    assert json.loads(body)["data"]["role"] == "global:owner"
    status, body, _ = _request(
        url + "/rest/owner/setup",
        "POST",
        {"email": "x@example.test", "firstName": "X", "lastName": "Y", "password": "Visitor-Claims-1234"},
    )
    assert status == 400 and "already setup" in body


def test_imported_published_workflow_answers_its_webhook(stack):
    pool, n8n, url, ready, *_ = stack
    imported = pool.exec(n8n, "n8n", "import:workflow", f"--input=/workflows/{WORKFLOW.name}", check=False)
    assert "Successfully imported 1 workflow" in imported.stdout + imported.stderr, imported.stderr[-2000:]
    published = pool.exec(n8n, "n8n", "publish:workflow", "--id=ocrJobProcessed1", check=False)
    assert published.returncode == 0, published.stderr[-2000:]
    docker("restart", n8n)
    wait_for(ready, timeout=180, interval=2, what="readiness after the restart")

    def answer():
        status, body, _ = _request(
            url + "/webhook/ocr-job-processed",
            "POST",
            {"job_id": "j1", "status": "done", "fields": {"amount": {"confidence": 0.5}}},
        )
        return json.loads(body) if status == 200 else None

    result = wait_for(answer, timeout=60, interval=2, what="the webhook answering")
    assert result["job_id"] == "j1"
    assert result["low_confidence_fields"] == ["amount"]
    assert result["needs_review"] is True


def test_credential_decrypts_and_another_key_is_refused(stack):
    pool, n8n, _, _, env, mounts, _ = stack
    data = {"name": "X", "value": "v1"}
    credential = [{"id": "imgTestCred00001", "name": "c", "type": "httpHeaderAuth", "data": data}]
    pool.exec(n8n, "sh", "-c", "cat > /tmp/c.json", input=json.dumps(credential))
    pool.exec(n8n, "n8n", "import:credentials", "--input=/tmp/c.json")
    pool.exec(n8n, "n8n", "export:credentials", "--id=imgTestCred00001", "--decrypted", "--output=/tmp/out.json")
    exported = json.loads(pool.exec(n8n, "cat", "/tmp/out.json").stdout)
    assert exported[0]["data"] == data
    # Another key on the same data folder: n8n refuses to start.
    other = dict(env, N8N_ENCRYPTION_KEY="another-key-" + uuid.uuid4().hex)
    other.pop("N8N_ENCRYPTION_KEY_FILE")
    args = ["run", "--rm", "--network", pool.network]
    for name, value in other.items():
        args += ["-e", f"{name}={value}"]
    result = docker(*args, *mounts, IMAGE, "export:credentials", "--all", check=False, timeout=180)
    assert result.returncode != 0
    assert "Mismatching encryption keys" in result.stdout + result.stderr
