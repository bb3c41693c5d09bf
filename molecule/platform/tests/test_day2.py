"""Day-2 operations on the converged platform: a secret rotation (playbooks/rotate-secrets.yml)
that hands every consumer the new values in one run, and a rollback of Odoo to its previous
image (playbooks/rollback.yml).

Rotation: the routine set (Odoo's master and admin passwords, every database role's password,
the OCR token, the MCP tokens and the MCP coordinator's Odoo password, Superset's admin
password) changes, the run ends with every health gate green, the old OCR and MCP tokens get
401 while the new ones are served, Odoo still reads its database and a receipt still goes
from an expense to the OCR service and back, Superset logs in with its new admin password and
reads the ERP through the read-only role, and a re-run of site.yml changes nothing.

Rollback: the current Odoo image is tagged a second time in the sandbox registry and deployed
(blue/green to the other slot), then rolled back: the previous image serves again, healthy.
A compose service (ocr, mcp, nginx) returns to the images its images.json records as
previous: refused when there are none, pinned until the next deploy otherwise.
That is also the image the inventory asks for, so the platform is left converged for the
tests that follow (test_platform.py checks a --check re-run changes nothing).

Figures (durations) go to .cache/results/day2.json."""

import base64
import json
import os
import re
import time

import pytest
from conftest import DOMAIN, ansible_playbook, https, receipt
from test_superset import Superset
from test_superset import _sql as superset_sql

RESULTS = os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], ".cache", "results", "day2.json")
SECRETS = "/etc/insightpulse/secrets"
OCR_TOKEN = "/etc/ocr/token"  # noqa: S105 - ocr_token_file, a path
MCP_TOKENS = ("agent", "operator")
STATE = "/opt/insightpulse/odoo/deployed.json"
# The secret files the routine rotation replaces, on the ERP host.
ERP_SECRETS = [
    f"{SECRETS}/odoo_admin_password",
    f"{SECRETS}/odoo_master_password",
    f"{SECRETS}/postgres_odoo_password",
    f"{SECRETS}/postgres_superset_password",
    f"{SECRETS}/postgres_n8n_password",
    f"{SECRETS}/postgres_analytics_ro_password",
    f"{SECRETS}/superset_admin_password",
    f"{SECRETS}/n8n_owner_password",
    "/etc/mcp/odoo_password",
    *(f"/etc/mcp/tokens/{name}" for name in MCP_TOKENS),
]
# Rotated only by name, with their migration: the routine run keeps them.
KEPT = [f"{SECRETS}/superset_secret_key", f"{SECRETS}/n8n_encryption_key"]
MCP_INIT = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "day2-test", "version": "1"}}})


def figures(**values):
    data = {}
    if os.path.exists(RESULTS):
        with open(RESULTS) as handle:
            data = json.load(handle)
    data.update(values)
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as handle:
        json.dump(data, handle, indent=1)


def recap_changed(output):
    """host -> changed= of the PLAY RECAP."""
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\S+)\s*:\s*ok=\d+\s+changed=(\d+)", output, re.M)}


def read(node, path):
    return node.file(path).content_string.strip()


def timed_playbook(*args, timeout=1800):
    start = time.monotonic()
    run = ansible_playbook(*args, timeout=timeout)
    return run, round(time.monotonic() - start, 1)


def ocr_status(address, token):
    """POST /ocr through the front with a bearer token and no image: 401 for a token the
    service does not hold, a complaint about the missing image otherwise."""
    return https(address, f"ocr.{DOMAIN}", "/ocr", "-X", "POST", "-H", f"Authorization: Bearer {token}")[0]


def mcp_status(address, token):
    """MCP initialize through the front with a bearer token -> HTTP status."""
    return https(address, f"mcp.{DOMAIN}", "/mcp", "-X", "POST", "-H", f"Authorization: Bearer {token}",
                 "-H", "Content-Type: application/json", "-H", "Accept: application/json, text/event-stream",
                 "-d", MCP_INIT)[0]


# --- Refused before any change ------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "says"),
    [
        ('["ocr_token", "odoo_pasword"]', "odoo_pasword"),
        ('["n8n_encryption_key"]', "n8n role has no migration for its encryption key"),
    ],
)
def test_a_bad_rotation_request_fails_before_any_change(erp, ocr, names, says):
    before = read(ocr, OCR_TOKEN), read(erp, f"{SECRETS}/odoo_admin_password")
    run = ansible_playbook("playbooks/rotate-secrets.yml", "-e", f'{{"platform_rotate_secrets": {names}}}', timeout=600)
    assert run.returncode != 0
    assert says in " ".join(run.stdout.split())
    assert "PLAY [Database" not in run.stdout
    assert (read(ocr, OCR_TOKEN), read(erp, f"{SECRETS}/odoo_admin_password")) == before


# --- Rotation -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rotation(erp, ocr):
    old = {path: read(erp, path) for path in ERP_SECRETS + KEPT}
    old[OCR_TOKEN] = read(ocr, OCR_TOKEN)
    run, seconds = timed_playbook("playbooks/rotate-secrets.yml")
    new = {path: read(erp, path) for path in ERP_SECRETS + KEPT}
    new[OCR_TOKEN] = read(ocr, OCR_TOKEN)
    figures(rotation_seconds=seconds, rotation_rc=run.returncode)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    return {"old": old, "new": new, "run": run}


@pytest.fixture(scope="module")
def odoo_now(odoo, rotation):
    """The session's Odoo client, logged in again with the rotated admin password (the later
    test files share it)."""
    odoo.password = rotation["new"][f"{SECRETS}/odoo_admin_password"]
    odoo.uid = odoo.call("common", "login", odoo.database, "admin", odoo.password)
    assert odoo.uid
    return odoo


def test_rotation_ends_with_every_health_gate_green(rotation):
    out = rotation["run"].stdout
    assert "Every required service is up" in out
    assert "failed=0" in out and not re.search(r"failed=[1-9]", out)


def test_every_routine_secret_changed_and_the_explicit_ones_did_not(rotation):
    old, new = rotation["old"], rotation["new"]
    unchanged = [path for path in [*ERP_SECRETS, OCR_TOKEN] if old[path] == new[path]]
    assert not unchanged
    assert all(old[path] == new[path] for path in KEPT)


def test_no_secret_is_printed(rotation):
    output = rotation["run"].stdout + rotation["run"].stderr
    leaked = [path for side in ("old", "new") for path, value in rotation[side].items() if value in output]
    assert not leaked


def test_the_old_ocr_token_is_refused_and_the_new_one_served(rotation, erp_address):
    assert ocr_status(erp_address, rotation["old"][OCR_TOKEN]) == 401
    assert ocr_status(erp_address, rotation["new"][OCR_TOKEN]) not in (401, 0)


def test_the_old_mcp_tokens_are_refused_and_the_new_ones_served(rotation, erp_address):
    for name in MCP_TOKENS:
        path = f"/etc/mcp/tokens/{name}"
        assert mcp_status(erp_address, rotation["old"][path]) == 401, name
        assert mcp_status(erp_address, rotation["new"][path]) == 200, name


def test_odoo_reads_its_database_and_holds_the_new_ocr_token(rotation, odoo_now):
    assert odoo_now("res.users", "search_count", [("login", "=", "admin")]) == 1
    param = odoo_now("ir.config_parameter", "search_read", [("key", "=", "ocr.api.secret")], ["value"])
    assert param and param[0]["value"] == rotation["new"][OCR_TOKEN]


def test_a_receipt_still_goes_from_odoo_to_the_ocr_service_and_back(odoo_now):
    expected, jpeg = receipt(1000)
    employee = odoo_now("hr.employee", "search", [("user_id", "=", odoo_now.uid)], limit=1)
    employee = employee[0] if employee else odoo_now("hr.employee", "create", {"name": "Day2 Admin",
                                                                              "user_id": odoo_now.uid})
    expense = odoo_now("hr.expense", "create", {"name": "Receipt after rotation", "employee_id": employee})
    odoo_now("ir.attachment", "create", {"name": "receipt-1000.jpg", "datas": jpeg, "res_model": "hr.expense",
                                         "res_id": expense, "mimetype": "image/jpeg"})
    odoo_now("hr.expense", "action_ocr_process", [expense])
    deadline, row = time.monotonic() + 300, {}
    while time.monotonic() < deadline:
        row = odoo_now("hr.expense", "read", [expense], ["ocr_state", "total_amount_currency"])[0]
        if row["ocr_state"] != "queued":
            break
        time.sleep(2)
    assert row["ocr_state"] in ("done", "needs_review"), row
    assert row["total_amount_currency"] == pytest.approx(expected["total"])


def test_superset_logs_in_with_the_new_password_and_reads_the_erp(rotation, erp_address, tmp_path):
    path = f"{SECRETS}/superset_admin_password"
    body = json.dumps({"username": "admin", "password": rotation["old"][path], "provider": "db"})
    status, _ = https(erp_address, f"superset.{DOMAIN}", "/api/v1/security/login", "-X", "POST",
                      "-H", "Content-Type: application/json", "-d", body)
    assert status == 401
    api = Superset(erp_address, rotation["new"][path], tmp_path / "cookies")
    # The ERP connection (the read-only role, with its new password) answers a query.
    status, body = superset_sql(api, "SELECT count(*) AS n FROM res_users")
    assert status == 200, body
    assert json.loads(body)["data"][0]["n"] >= 1


def test_a_rerun_after_rotation_changes_nothing(rotation):
    run, seconds = timed_playbook("site.yml")
    figures(rerun_after_rotation_seconds=seconds)
    assert run.returncode == 0, run.stdout[-4000:]
    changed = recap_changed(run.stdout)
    assert changed and not any(changed.values()), changed


# --- Rollback -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def second_image(erp, rotation):
    """The image Odoo is built from, tagged a second time in the sandbox registry (pushed from
    the ERP host, which already has it): deploying it gives a second image to roll back from."""
    base, second = "ipp-registry:5000/odoo:18.0", "ipp-registry:5000/odoo:18.0-rollback-test"
    out = erp.run(f"docker tag {base} {second} && docker push --quiet {second}")
    assert out.rc == 0, out.stderr
    return second


def state(erp):
    return json.loads(erp.file(STATE).content_string)


def test_rollback_refuses_a_database_restore_without_confirmation(erp):
    before = state(erp)
    run = ansible_playbook("playbooks/rollback.yml", "-e", "rollback_database=true", timeout=600)
    assert run.returncode != 0
    assert "add -e rollback_confirm=true" in " ".join(run.stdout.split())
    assert state(erp) == before


def test_rollback_returns_odoo_to_the_previous_image(erp, erp_address, second_image, odoo_now):
    first = state(erp)
    run, deploy_seconds = timed_playbook("playbooks/deploy-odoo.yml", "-e", f"odoo_image={second_image}")
    assert run.returncode == 0, run.stdout[-4000:]
    deployed = state(erp)
    assert deployed["image"] != first["image"]
    assert deployed["previous"]["image"] == first["image"]
    assert deployed["slot"] != first["slot"]

    run, seconds = timed_playbook("playbooks/rollback.yml")
    figures(second_image_deploy_seconds=deploy_seconds, rollback_seconds=seconds, rollback_rc=run.returncode)
    assert run.returncode == 0, run.stdout[-6000:]
    back = state(erp)
    assert back["image"] == first["image"]
    assert back["slot"] == first["slot"]
    assert back["previous"]["image"] == deployed["image"]
    assert "Every required service is up" in run.stdout
    # The live slot runs the previous image; the other one is gone.
    running = erp.check_output("docker ps --filter label=com.docker.compose.project=odoo --format '{{.Image}}'")
    assert running.split() == [first["image"]]
    assert https(erp_address, f"erp.{DOMAIN}", "/web/health")[0] == 200
    assert odoo_now("res.users", "search_count", [("login", "=", "admin")]) == 1


# --- Rollback of a compose service (ocr, mcp, nginx: compose_service's images.json) ----------

OCR_DIR = "/opt/insightpulse/ocr"  # ocr_project_dir
NGINX_DIR = "/opt/insightpulse/nginx"  # nginx_project_dir
PREVIOUS_OCR = "insightpulse/ocr:rollback-test"


def running_images(node, project):
    return node.check_output(
        f"docker ps --filter label=com.docker.compose.project={project} --format '{{{{.Names}}}} {{{{.Image}}}}'"
    ).splitlines()


def test_rollback_of_a_service_deployed_once_is_refused_and_changes_nothing(erp):
    # The Nginx front has run one image since the first converge: no previous one is recorded.
    assert json.loads(read(erp, f"{NGINX_DIR}/images.json"))["previous"] == {}
    before = (running_images(erp, "nginx"), erp.check_output(f"ls -l --time-style=full-iso {NGINX_DIR}"))
    run = ansible_playbook("playbooks/rollback.yml", "-e", "rollback_service=nginx", timeout=600)
    assert run.returncode != 0
    assert "nginx rollback: no previous images are recorded" in " ".join(run.stdout.split()), run.stdout[-3000:]
    assert (running_images(erp, "nginx"), erp.check_output(f"ls -l --time-style=full-iso {NGINX_DIR}")) == before


def write(node, path, data):
    node.check_output(f"echo {base64.b64encode(data).decode()} | base64 -d > {path}")


def test_rollback_of_a_compose_service_runs_its_previous_image_until_the_next_deploy(ocr):
    recorded = ocr.file(f"{OCR_DIR}/images.json").content
    current = json.loads(recorded)["current"]["ocr"]
    # A previous image, as a deploy of a newer one would have left it recorded: the
    # current image under a second name, so compose must recreate the container to run it.
    ocr.check_output(f"docker tag {current} {PREVIOUS_OCR}")
    write(ocr, f"{OCR_DIR}/images.json",
          json.dumps({"current": {"ocr": current}, "previous": {"ocr": PREVIOUS_OCR}}).encode())
    try:
        run = ansible_playbook("playbooks/rollback.yml", "-e", "rollback_service=ocr", timeout=600)
        assert run.returncode == 0, run.stdout[-4000:]
        assert "Every required service is up" in run.stdout
        assert running_images(ocr, "ocr") == [f"ocr-ocr-1 {PREVIOUS_OCR}"]
        assert f"image: {PREVIOUS_OCR}" in read(ocr, f"{OCR_DIR}/compose.override.yml")

        # The next deploy runs the inventory's image again and drops the pin.
        run = ansible_playbook("playbooks/deploy-ocr.yml", timeout=600)
        assert run.returncode == 0, run.stdout[-4000:]
        assert running_images(ocr, "ocr") == [f"ocr-ocr-1 {current}"]
        assert not ocr.file(f"{OCR_DIR}/compose.override.yml").exists
    finally:
        write(ocr, f"{OCR_DIR}/images.json", recorded)
        ocr.run(f"docker rmi {PREVIOUS_OCR}")
