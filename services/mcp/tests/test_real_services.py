"""odoo_search_read against a real Odoo 18 (started from the sandbox images as tests/contract does)
and ocr_receipt against the real OCR service (services/ocr in its own virtualenv, real engine),
through the SDK's own client. platform_health asks them through a small TLS front."""

from __future__ import annotations

import base64
import json
import os
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
import xmlrpc.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anyio
import pytest

from .conftest import READ_TOKEN, free_port
from .mcp_client import connect, error_text, payload

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "contract"))
from odoo_stack import odoo_stack  # noqa: E402 - tests/contract/odoo_stack.py

RECEIPT = ROOT / "molecule" / "ocr" / "files" / "receipt-1000.jpg"
OCR_DIR = ROOT / "services" / "ocr"
READER_PASSWORD = "reader-" + "p" * 24
PLACEHOLDER = "<!-- insightpulse-nginx: service unavailable -->"


@pytest.fixture(scope="module")
def odoo():
    with odoo_stack(db="mcp") as facts:
        admin = xmlrpc.client.ServerProxy(f"{facts.url}/xmlrpc/2/object", allow_none=True)
        common = xmlrpc.client.ServerProxy(f"{facts.url}/xmlrpc/2/common", allow_none=True)
        uid = common.authenticate(facts.db, facts.user, facts.password, {})
        group = admin.execute_kw(facts.db, uid, facts.password, "ir.model.data", "check_object_reference",
                                 ["base", "group_user"])[1]  # fmt: skip
        admin.execute_kw(facts.db, uid, facts.password, "res.users", "create",
                         [{"login": "mcp_reader", "name": "MCP reader", "password": READER_PASSWORD,
                           "groups_id": [(6, 0, [group])]}])  # fmt: skip
        admin.execute_kw(facts.db, uid, facts.password, "res.partner", "create", [{"name": "Acme Receipts Inc."}])
        facts.admin_uid = uid
        yield facts


@pytest.fixture(scope="module")
def ocr(tmp_path_factory):
    python = OCR_DIR / ".venv" / "bin" / "python"
    if not python.exists():
        pytest.fail(f"{python} is missing: create services/ocr's virtualenv (see services/ocr/README.md)")
    token_dir = tmp_path_factory.mktemp("ocr")
    token = "ocr-token-" + "t" * 32
    (token_dir / "token").write_text(token)
    port = free_port()
    env = {**os.environ, "OCR_HOST": "127.0.0.1", "OCR_PORT": str(port), "OCR_TOKEN_FILE": str(token_dir / "token"),
           "PYTHONPATH": str(OCR_DIR)}  # fmt: skip
    proc = subprocess.Popen([str(python), "-m", "insightpulse_ocr"], env=env, cwd=OCR_DIR,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as resp:  # noqa: S310
                    if json.load(resp).get("status") == "healthy":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("the OCR service did not get healthy")
            time.sleep(0.5)
        yield url, token_dir / "token"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def reader_server(make_server, odoo, ocr, tmp_path):
    (tmp_path / "odoo_password").write_text(READER_PASSWORD)
    ocr_url, ocr_token = ocr
    return make_server(
        odoo_url=odoo.url,
        odoo_db=odoo.db,
        odoo_login="mcp_reader",
        odoo_password_file=str(tmp_path / "odoo_password"),
        odoo_models=["res.partner", "res.company", "ir.config_parameter"],
        odoo_max_limit=50,
        ocr_url=ocr_url,
        ocr_token_file=str(ocr_token),
    )


def call(url, name, args=None, token=READ_TOKEN):
    async def go():
        async with connect(url + "/mcp", token) as client:
            return await client.call_tool(name, args or {})

    return anyio.run(go)


def test_search_read_returns_records(reader_server):
    query = {"model": "res.partner", "domain": [["name", "ilike", "acme receipts"]], "fields": ["name"], "limit": 5}
    out = payload(call(reader_server, "odoo_search_read", query))
    assert out["count"] == 1 and out["records"][0]["name"] == "Acme Receipts Inc."
    assert set(out["records"][0]) == {"id", "name"}


def test_model_outside_the_allow_list_is_refused(reader_server):
    text = error_text(call(reader_server, "odoo_search_read", {"model": "res.users", "fields": ["login"]}))
    assert "'res.users' is not on this server's allow-list" in text


def test_limit_over_the_cap_is_refused(reader_server):
    text = error_text(call(reader_server, "odoo_search_read", {"model": "res.partner", "limit": 51}))
    assert "limit 51 is above this server's maximum of 50" in text


def test_odoo_access_rules_still_apply_to_an_allow_listed_model(reader_server):
    # ir.config_parameter is on this test's allow-list, but the low-privilege user may not read it.
    text = error_text(call(reader_server, "odoo_search_read", {"model": "ir.config_parameter", "fields": ["key"]}))
    assert "Odoo refused the query: You are not allowed to access" in text
    assert "Traceback" not in text and READER_PASSWORD not in text


def test_a_bad_field_is_a_one_line_error(reader_server):
    text = error_text(call(reader_server, "odoo_search_read", {"model": "res.partner", "domain": [["nope", "=", 1]]}))
    assert "Odoo refused the query" in text and "nope" in text and "Traceback" not in text


def test_the_reader_cannot_write(odoo):
    # What the server holds is the low-privilege user's password: writing with it fails in Odoo itself.
    common = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/common")
    models = xmlrpc.client.ServerProxy(f"{odoo.url}/xmlrpc/2/object", allow_none=True)
    uid = common.authenticate(odoo.db, "mcp_reader", READER_PASSWORD, {})
    assert uid
    with pytest.raises(xmlrpc.client.Fault, match="AccessError|not allowed"):
        models.execute_kw(odoo.db, uid, READER_PASSWORD, "res.company", "write", [[1], {"name": "pwned"}])


def test_odoo_down_is_a_clear_error(make_server, tmp_path):
    (tmp_path / "pw").write_text("x" * 20)
    url = make_server(
        odoo_url=f"http://127.0.0.1:{free_port()}",
        odoo_db="mcp",
        odoo_password_file=str(tmp_path / "pw"),
        odoo_models=["res.partner"],
    )
    assert "Odoo is not reachable (ConnectionRefusedError)" in error_text(
        call(url, "odoo_search_read", {"model": "res.partner"})
    )


def test_ocr_receipt_reads_the_fields_with_confidences(reader_server):
    image = base64.b64encode(RECEIPT.read_bytes()).decode()
    out = payload(call(reader_server, "ocr_receipt", {"image_base64": image}))
    assert out["engine"] == "rapidocr"
    for name in ("vendor", "date", "total", "tax", "currency"):
        assert set(out["fields"][name]) >= {"value", "confidence", "trusted"}, name
    assert out["fields"]["total"]["value"] is not None and 0 < out["fields"]["total"]["confidence"] <= 1


@pytest.mark.parametrize(
    ("image", "message"),
    [("", "image_base64 is empty"), ("not base64!!", "not valid base64"),
     (base64.b64encode(b"hello, not an image").decode(), "not an image")],
)  # fmt: skip
def test_ocr_bad_input(reader_server, image, message):
    assert message in error_text(call(reader_server, "ocr_receipt", {"image_base64": image}))


class _Front(BaseHTTPRequestHandler):
    """A stand-in for the Nginx front (TLS, routing by Host to the real services, the 503 page for a
    declared service that is not deployed); the real front is checked by the mcp Molecule scenario."""

    routes: dict[str, str] = {}

    def _forward(self, body=None):
        upstream = self.routes.get(self.headers["Host"])
        if upstream is None:
            self.send_response(503)
            self.end_headers()
            self.wfile.write(PLACEHOLDER.encode())
            return
        req = urllib.request.Request(upstream + self.path, data=body, headers={"Content-Type": "application/json"})  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
                status, data = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, data = err.code, err.read()
        self.send_response(status)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        self._forward()

    def do_POST(self):  # noqa: N802
        self._forward(self.rfile.read(int(self.headers.get("Content-Length", 0))))

    def log_message(self, *args):
        pass


@pytest.fixture
def front(tmp_path, odoo, ocr):
    keys = ["-keyout", str(tmp_path / "k.pem"), "-out", str(tmp_path / "c.pem")]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=front", *keys],
        check=True,
        capture_output=True,
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    _Front.routes = {"erp.example.test": odoo.url, "ocr.example.test": ocr[0]}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Front)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_platform_health_through_the_front(make_server, front):
    services = [
        {"name": "odoo", "fqdn": "erp.example.test", "health": "/web/health", "version": "/web/webclient/version_info"},
        {"name": "superset", "fqdn": "superset.example.test", "health": "/health"},
        {"name": "ocr", "fqdn": "ocr.example.test", "health": "/health"},
        {"name": "mcp", "fqdn": "mcp.example.test", "health": "/health"},
    ]
    url = make_server(services=services, required=["odoo", "ocr"], front_address=front)
    out = payload(call(url, "platform_health"))
    rows = {row["name"]: row for row in out["services"]}
    assert (
        rows["odoo"]["state"] == "up"
        and rows["odoo"]["ready"] == "ready"
        and rows["odoo"]["version"].startswith("18.0")
    )
    assert rows["ocr"]["state"] == "up" and rows["ocr"]["ready"] == "ready" and rows["ocr"]["latency_ms"] >= 0
    assert rows["superset"]["state"] == "unavailable (503 page)" and rows["superset"]["required"] is False
    assert out["ok"] is True and out["problems"] == []
    # The mcp row: the stand-in front answers a name it does not route with the 503 page.
    assert rows["mcp"]["state"] == "unavailable (503 page)"
