"""n8n on the converged platform: readiness and the shipped "OCR job processed" workflow through
the Nginx front over HTTPS from this machine (it stands for a webhook caller outside), the
encryption key unchanged by the second converge and a credential stored after the first one still
decrypting, the owner provisioned without a browser (a fresh visitor cannot claim the instance), no
secret in the container's environment, and the role refusing a key that is not the one n8n was
created with while n8n keeps running. site.yml's check run (test_platform.py) covers the role's
check mode."""

import json
import shlex
import subprocess
import uuid
from pathlib import Path

import pytest
from conftest import DOMAIN, ansible_playbook

SCENARIO = Path(__file__).resolve().parents[1]

FQDN = f"n8n.{DOMAIN}"  # the catalog's subdomain for n8n
OWNER = f"admin@{DOMAIN}"  # n8n_owner_email's default
PROJECT = "/opt/insightpulse/n8n"
SECRETS = "/etc/insightpulse/secrets"
KEY_FILE = f"{SECRETS}/n8n_encryption_key"
CONTAINER = "n8n-n8n-1"
CREDENTIAL_ID = "ippTestCred00001"  # stored by converge.yml after the first converge
WORKFLOW_ID = "ocrJobProcessed1"  # roles/n8n/files/workflows/ocr_job_processed.json


class Front:
    """n8n.<domain> from this machine, through Nginx over HTTPS (curl, cookies kept in a jar)."""

    def __init__(self, address, jar):
        self.address, self.jar = address, str(jar)

    def request(self, method, path, body=None, headers=()):
        args = ["curl", "-sS", "-k", "--max-time", "60", "--resolve", f"{FQDN}:443:{self.address}", "-X", method]
        args += ["-b", self.jar, "-c", self.jar, "-w", "\n%{http_code}", "-H", "browser-id: molecule-tests"]
        for header in headers:
            args += ["-H", header]
        if body is not None:
            args += ["-H", "Content-Type: application/json", "-d", json.dumps(body)]
        out = subprocess.run([*args, f"https://{FQDN}{path}"], capture_output=True, text=True, check=True).stdout
        text, _, status = out.rpartition("\n")
        return int(status), text


@pytest.fixture
def front(erp_address, tmp_path):
    return Front(erp_address, tmp_path / "n8n.jar")


def _owner_password(erp):
    return erp.file(f"{SECRETS}/n8n_owner_password").content_string.strip()


def _kept_key(erp):
    return erp.file(KEY_FILE).content_string.strip()


def _volume_key(erp):
    mountpoint = erp.check_output("docker volume inspect --format '{{.Mountpoint}}' n8n_data")
    return json.loads(erp.file(f"{mountpoint}/config").content_string)["encryptionKey"]


# --- Front door ---------------------------------------------------------------------------


def test_readiness_through_nginx_over_https(front):
    status, body = front.request("GET", "/healthz/readiness")
    assert status == 200, body
    assert json.loads(body) == {"status": "ok"}


def test_webhook_runs_the_workflow_through_nginx_over_https(front):
    job = f"job-{uuid.uuid4().hex[:8]}"
    event = {
        "job_id": job,
        "expense_id": 42,
        "status": "done",
        "fields": {
            "vendor": {"value": "ACME TRADING", "confidence": 0.97},
            "amount": {"value": 1120.0, "confidence": 0.55},
            "date": {"value": "2026-03-14", "confidence": 0.91},
        },
    }
    status, body = front.request("POST", "/webhook/ocr-job-processed", event)
    assert status == 200, body
    answer = json.loads(body)
    # Derived from the request by the workflow's Code node: it ran.
    assert answer == {
        "received": True,
        "workflow": "OCR job processed",
        "job_id": job,
        "expense_id": 42,
        "status": "done",
        "needs_review": True,
        "low_confidence_fields": ["amount"],
        "field_count": 3,
    }
    confident = dict(event, fields={"amount": {"value": 10, "confidence": 0.99}})
    status, body = front.request("POST", "/webhook/ocr-job-processed", confident)
    assert status == 200, body
    assert json.loads(body)["needs_review"] is False


def test_unknown_webhook_is_not_found(front):
    status, _ = front.request("POST", "/webhook/no-such-hook", {})
    assert status == 404


# --- The shipped workflow -----------------------------------------------------------------


def _psql(erp, sql):
    return erp.check_output(
        f"docker exec postgres-postgres-1 psql -U postgres -d n8n -X -tA -c {shlex.quote(sql)}"
    ).strip()


def test_workflow_exists_once_and_its_current_version_is_published(erp):
    assert _psql(erp, "SELECT count(*) FROM workflow_entity WHERE name = 'OCR job processed'") == "1"
    row = _psql(erp, f"""SELECT "versionId" = "activeVersionId" FROM workflow_entity WHERE id = '{WORKFLOW_ID}'""")  # noqa: S608
    assert row == "t"
    # Imported once: the converge, not the idempotence run.
    history = f"""SELECT count(*) FROM workflow_history WHERE "workflowId" = '{WORKFLOW_ID}'"""  # noqa: S608
    assert _psql(erp, history) == "1"


# --- Encryption key -----------------------------------------------------------------------


def test_encryption_key_unchanged_after_the_second_converge(erp):
    assert erp.run("sha256sum --check --status /root/n8n-key-first-converge.sha256").rc == 0
    key_file = erp.file(KEY_FILE)
    assert key_file.user == "root" and key_file.mode == 0o600
    assert len(_kept_key(erp)) >= 32
    # n8n runs with the kept key: its data folder's config holds it.
    assert _volume_key(erp) == _kept_key(erp)


def test_credential_stored_before_the_second_converge_still_decrypts(erp):
    out = f"/tmp/cred-{uuid.uuid4().hex}.json"  # noqa: S108 - inside the container
    try:
        result = erp.run(
            f"docker exec -u node {CONTAINER} n8n export:credentials --id={CREDENTIAL_ID} --decrypted --output={out}"
        )
        assert result.rc == 0, result.stdout + result.stderr
        exported = json.loads(erp.check_output(f"docker exec -u node {CONTAINER} cat {out}"))
    finally:
        erp.run(f"docker exec -u node {CONTAINER} rm -f {out}")
    credential = exported[0] if isinstance(exported, list) else exported
    assert credential["id"] == CREDENTIAL_ID
    assert credential["data"] == {"name": "X-Probe", "value": "probe-value-4f2a9c"}


def test_no_secret_in_the_container_environment(erp):
    env = json.loads(erp.check_output(f"docker inspect {CONTAINER}"))[0]["Config"]["Env"]
    names = {item.split("=", 1)[0] for item in env}
    assert "N8N_ENCRYPTION_KEY" not in names
    assert "DB_POSTGRESDB_PASSWORD" not in names
    assert "N8N_INSTANCE_OWNER_PASSWORD_HASH" not in names
    assert {"N8N_ENCRYPTION_KEY_FILE", "DB_POSTGRESDB_PASSWORD_FILE", "N8N_INSTANCE_OWNER_PASSWORD_HASH_FILE"} <= names
    joined = "\n".join(env)
    assert _kept_key(erp) not in joined
    assert "DB_TYPE=postgresdb" in env
    assert f"N8N_HOST={FQDN}" in env
    assert f"N8N_WEBHOOK_URL=https://{FQDN}/" in env
    assert "N8N_PROXY_HOPS=1" in env
    assert "GENERIC_TIMEZONE=Asia/Manila" in env


# --- Owner ----------------------------------------------------------------------------------


def test_owner_logs_in_through_nginx(front, erp):
    status, body = front.request("POST", "/rest/login", {"emailOrLdapLoginId": OWNER, "password": _owner_password(erp)})
    assert status == 200, body
    user = json.loads(body)["data"]
    assert user["email"] == OWNER
    assert user["role"] == "global:owner"
    assert user["isManagedByEnv"] is True
    status, body = front.request("GET", f"/rest/workflows/{WORKFLOW_ID}")
    assert status == 200, body
    assert json.loads(body)["data"]["name"] == "OCR job processed"


def test_wrong_owner_password_is_refused(front):
    status, _ = front.request("POST", "/rest/login", {"emailOrLdapLoginId": OWNER, "password": "Not-the-password-1"})
    assert status == 401


def test_fresh_visitor_cannot_claim_ownership(front, erp):
    status, body = front.request(
        "POST",
        "/rest/owner/setup",
        {"email": "visitor@example.test", "firstName": "A", "lastName": "Visitor", "password": "Visitor-Claims-1234"},
    )
    assert status == 400, body
    assert "already setup" in body
    # The owner is unchanged.
    assert _psql(erp, 'SELECT email FROM "user" WHERE "roleSlug" = \'global:owner\'') == OWNER


def test_owner_password_hash_kept_with_its_fingerprint(erp):
    kept = erp.file(f"{SECRETS}/n8n_owner_password_hash")
    assert kept.user == "root" and kept.mode == 0o600
    state = json.loads(kept.content_string)
    assert state["hash"].startswith("$2")
    copy = erp.file(f"{PROJECT}/secrets/owner_password_hash")
    assert copy.gid == 1000 and copy.mode == 0o640
    assert copy.content_string.strip() == state["hash"]


# --- The role refuses a key that is not the instance's --------------------------------------


def _run_role(*extra):
    return ansible_playbook(str(SCENARIO / "refuse-n8n.yml"), *extra, timeout=300)


def _container_state(erp):
    return erp.check_output(f"docker inspect --format '{{{{.Id}}}} {{{{.State.StartedAt}}}}' {CONTAINER}")


def test_role_refuses_a_kept_key_that_is_not_the_data_volumes(erp, front):
    kept = _kept_key(erp)
    before = _container_state(erp)
    watched = [f"{PROJECT}/compose.yml", f"{PROJECT}/secrets/encryption_key"]
    files_before = {path: erp.file(path).sha256sum for path in watched}
    other = uuid.uuid4().hex + uuid.uuid4().hex
    erp.run(f"printf '%s\\n' {other} > {KEY_FILE}")
    try:
        run = _run_role()
    finally:
        erp.run(f"printf '%s\\n' {shlex.quote(kept)} > {KEY_FILE}")
    assert run.returncode != 0, run.stdout[-3000:]
    said = " ".join(run.stdout.split())  # a long message may be wrapped
    assert "was created with another encryption key" in said
    assert "n8n was not touched" in said
    assert "changed=0" in run.stdout
    assert other not in run.stdout and kept not in run.stdout
    # n8n was not touched: same container, same start, still ready, still its key.
    assert _container_state(erp) == before
    assert {path: erp.file(path).sha256sum for path in watched} == files_before
    assert _volume_key(erp) == kept
    assert front.request("GET", "/healthz/readiness")[0] == 200


def test_role_refuses_a_given_key_that_differs_from_the_kept_one(erp):
    before = _container_state(erp)
    other = uuid.uuid4().hex + uuid.uuid4().hex
    run = _run_role("-e", f"n8n_encryption_key={other}")
    assert run.returncode != 0, run.stdout[-3000:]
    assert "differs from the key kept" in " ".join(run.stdout.split())
    assert "changed=0" in run.stdout
    assert other not in run.stdout
    assert _container_state(erp) == before
