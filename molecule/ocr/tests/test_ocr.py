"""Verify the OCR scenario: the service on the OCR host, called from the Odoo host over the
private network; token file, 401s, rotation, and no token in a -vvv play's output."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
import testinfra
from testinfra.utils.ansible_runner import AnsibleRunner

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
SCENARIO = Path(__file__).resolve().parents[1]
RECEIPT = SCENARIO / "files" / "receipt-1000.jpg"  # seed 1000 of services/ocr/tests/receipts.py
RUNNER = AnsibleRunner(INVENTORY)
OCR_NAME = RUNNER.get_hosts("ocr")[0]
ODOO_NAME = RUNNER.get_hosts("odoo")[0]
TOKEN_FILE = "/etc/ocr/token"  # noqa: S105 - a path
UID = 10001

testinfra_hosts = [OCR_NAME]


def _get(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


@pytest.fixture(scope="module")
def ocr():
    return _get(OCR_NAME)


@pytest.fixture(scope="module")
def odoo():
    host = _get(ODOO_NAME)
    host.ansible("copy", f"src={RECEIPT} dest=/root/receipt.jpg mode=0644", check=False)
    return host


@pytest.fixture(scope="module")
def url(ocr):
    address = ocr.ansible("setup", "filter=ansible_default_ipv4")["ansible_facts"]["ansible_default_ipv4"]["address"]
    return f"http://{address}:8001"


def token(ocr):
    return ocr.file(TOKEN_FILE).content_string.strip()


def post(odoo, url, bearer=None):
    """POST the receipt as multipart field `file` from the Odoo host -> (status, body).
    The header goes through a 0600 file on the host, so the token is on no command line."""
    auth = ""
    if bearer is not None:
        odoo.ansible("copy", f"content='Authorization: Bearer {bearer}' dest=/root/.ocr-auth mode=0600", check=False)
        auth = "-H @/root/.ocr-auth"
    cmd = odoo.run(
        f"curl -sS -m 120 -o /root/ocr.json -w '%{{http_code}}' {auth} -F file=@/root/receipt.jpg {url}/ocr"
        " ; rm -f /root/.ocr-auth"
    )
    body = odoo.file("/root/ocr.json").content_string
    return int(cmd.stdout.strip() or 0), body


def test_container_healthy(ocr):
    # Docker's own HEALTHCHECK (first probe 30 s after start); the role gated on /health already.
    state = ""
    for _ in range(45):
        state = ocr.run("docker inspect --format '{{.State.Health.Status}}' ocr-ocr-1").stdout.strip()
        if state == "healthy":
            break
        time.sleep(2)
    assert state == "healthy"


def test_health_from_the_odoo_host(odoo, url):
    out = odoo.check_output(f"curl -sS -m 10 {url}/health")
    assert json.loads(out)["status"] == "healthy"


def test_published_on_the_private_address_only(ocr, url):
    address = url.split("//")[1].split(":")[0]
    listening = ocr.run("ss -Htln 'sport = :8001'").stdout
    assert f"{address}:8001" in listening
    assert "0.0.0.0:8001" not in listening and "*:8001" not in listening


def test_token_file(ocr):
    f = ocr.file(TOKEN_FILE)
    assert f.mode == 0o600
    assert (f.uid, f.gid) == (UID, UID)
    assert len(token(ocr)) >= 43
    d = ocr.file("/etc/ocr")
    assert d.mode == 0o750 and d.user == "root" and d.gid == UID


def test_runs_as_uid_10001_with_token_dir_read_only(ocr):
    assert ocr.check_output("docker exec ocr-ocr-1 id -u") == str(UID)
    mounts = json.loads(ocr.check_output("docker inspect --format '{{json .Mounts}}' ocr-ocr-1"))
    assert [(m["Source"], m["Destination"], m["RW"]) for m in mounts] == [("/etc/ocr", "/etc/ocr", False)]


def test_401_without_or_with_a_wrong_token(odoo, url):
    assert post(odoo, url)[0] == 401
    assert post(odoo, url, "x" * 43)[0] == 401


def test_multipart_receipt_with_the_token(ocr, odoo, url):
    status, body = post(odoo, url, token(ocr))
    assert status == 200, body
    fields = json.loads(body)["fields"]
    assert fields["total"]["value"] == pytest.approx(2559.78)
    assert fields["date"]["value"] == "2026-11-17"


def test_rotation_and_no_token_in_vvv_output(ocr, odoo, url):
    """rotate.yml at -vvv: role rotation (restart) then ocr_secret rotation (no restart);
    only the newest token works, and none of the three appears in the output."""
    before = token(ocr)
    proc = subprocess.run(
        ["ansible-playbook", "-vvv", "-i", INVENTORY, str(SCENARIO / "rotate.yml")],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=SCENARIO,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    after = token(ocr)
    assert after != before
    assert "statuses [401, 401, 415] (before, after the role, after ocr_secret)" in output
    assert "ocr_secret" in output and "the output has been hidden" in output  # really verbose, really censored
    for secret in (before, after):
        assert secret not in output
    assert post(odoo, url, before)[0] == 401
    assert post(odoo, url, after)[0] == 200
    f = ocr.file(TOKEN_FILE)
    assert (f.mode, f.uid) == (0o600, UID)
