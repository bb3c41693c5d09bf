"""The n8n role's workflow tool (roles/n8n/files/n8n_workflows.py): which shipped workflow files n8n
lacks, holds another version of, has not published or has not registered, judged the way the role
runs it (a subprocess, the owner's login read from a file) against a fake n8n on the loopback that
checks the login, its Secure cookie and the browser-id binding like n8n does."""

import copy
import http.server
import importlib.util
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TOOL = ROOT / "roles/n8n/files/n8n_workflows.py"
SHIPPED = ROOT / "roles/n8n/files/workflows"
_spec = importlib.util.spec_from_file_location("n8n_workflows", TOOL)
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

EMAIL, PASSWORD = "admin@example.test", "s3cret-Passw0rd"  # noqa: S105 - test data


def shipped_workflow():
    return json.loads((SHIPPED / "ocr_job_processed.json").read_text())


def as_stored(workflow, published=True):
    """The workflow as n8n's GET /rest/workflows/:id answers it: extra keys on nodes and at the top."""
    stored = copy.deepcopy(workflow)
    for node in stored["nodes"]:
        node["extra"] = "n8n's own"
    stored["settings"] = dict(stored.get("settings", {}), callerPolicy="workflowsFromSameOwner")
    stored.update(versionId="v2", activeVersionId="v2" if published else None, active=published, checksum="x")
    return stored


class FakeN8n(http.server.BaseHTTPRequestHandler):
    workflows: dict = {}
    registered: set = set()
    browser_id = None
    logins = 0

    def _send(self, status, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/rest/login":
            return self._send(404)
        if body != {"emailOrLdapLoginId": EMAIL, "password": PASSWORD}:
            return self._send(401, {"message": "Wrong username or password."})
        FakeN8n.logins += 1
        FakeN8n.browser_id = self.headers.get("browser-id")
        return self._send(200, {"data": {"email": EMAIL}}, [("Set-Cookie", "n8n-auth=tok; Path=/; HttpOnly; Secure")])

    def do_GET(self):  # noqa: N802
        if "n8n-auth=tok" not in (self.headers.get("Cookie") or ""):
            return self._send(401, {"message": "Unauthorized"})
        if self.headers.get("browser-id") != FakeN8n.browser_id:
            return self._send(401, {"message": "Unauthorized"})
        workflow_id = self.path.rsplit("/", 1)[-1]
        if workflow_id not in FakeN8n.workflows:
            return self._send(404, {"message": "not found"})
        return self._send(200, {"data": FakeN8n.workflows[workflow_id]})

    def do_OPTIONS(self):  # noqa: N802
        path = self.path.removeprefix("/webhook/")
        method = self.headers.get("Access-Control-Request-Method")
        if self.headers.get("Origin") and (method, path) in FakeN8n.registered:
            return self._send(204, headers=[("Access-Control-Allow-Methods", f"OPTIONS, {method}")])
        return self._send(404, {"message": "webhook not registered"})

    def log_message(self, *args):
        pass


@pytest.fixture
def n8n(tmp_path):
    FakeN8n.workflows, FakeN8n.registered, FakeN8n.browser_id, FakeN8n.logins = {}, set(), None, 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeN8n)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api_env = tmp_path / "api.env"
    api_env.write_text(f"N8N_EMAIL={EMAIL}\nN8N_PASSWORD={PASSWORD}\n")
    api_env.chmod(0o600)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", api_env
    finally:
        server.shutdown()


def run_tool(url, api_env, *args, directory=SHIPPED):
    env = dict(os.environ, N8N_URL=url, N8N_API_ENV=str(api_env))
    return subprocess.run(
        [sys.executable, str(TOOL), *args, "--dir", str(directory), "--origin", "https://n8n.example.test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def status(url, api_env, **kwargs):
    result = run_tool(url, api_env, "status", **kwargs)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- Judged against the fake n8n --------------------------------------------------------------


def test_missing_workflow_is_imported_and_published(n8n):
    answer = status(*n8n)
    assert answer == {
        "changed": True,
        "import": ["ocr_job_processed.json"],
        "publish": ["ocrJobProcessed1"],
        "restart": True,
        "workflows": {"ocrJobProcessed1": "missing"},
    }
    assert FakeN8n.logins == 1


def test_same_published_and_registered_workflow_changes_nothing(n8n):
    FakeN8n.workflows["ocrJobProcessed1"] = as_stored(shipped_workflow())
    FakeN8n.registered.add(("POST", "ocr-job-processed"))
    answer = status(*n8n)
    assert answer["changed"] is False
    assert answer["workflows"] == {"ocrJobProcessed1": "same"}
    assert answer["import"] == answer["publish"] == []


def test_another_version_is_imported_again(n8n):
    stored = as_stored(shipped_workflow())
    stored["nodes"][1]["parameters"]["jsCode"] = "return [];"
    FakeN8n.workflows["ocrJobProcessed1"] = stored
    FakeN8n.registered.add(("POST", "ocr-job-processed"))
    answer = status(*n8n)
    assert answer["workflows"] == {"ocrJobProcessed1": "differs"}
    assert answer["import"] == ["ocr_job_processed.json"] and answer["publish"] == ["ocrJobProcessed1"]


def test_unpublished_version_is_published_not_imported(n8n):
    FakeN8n.workflows["ocrJobProcessed1"] = as_stored(shipped_workflow(), published=False)
    answer = status(*n8n)
    assert answer["workflows"] == {"ocrJobProcessed1": "unpublished"}
    assert answer["import"] == [] and answer["publish"] == ["ocrJobProcessed1"] and answer["restart"] is True


def test_published_but_unregistered_webhook_needs_a_restart_only(n8n):
    FakeN8n.workflows["ocrJobProcessed1"] = as_stored(shipped_workflow())
    answer = status(*n8n)
    assert answer["workflows"] == {"ocrJobProcessed1": "unregistered"}
    assert answer["import"] == [] and answer["publish"] == [] and answer["restart"] is True


def test_wrong_password_fails_naming_the_login(n8n, tmp_path):
    url, _ = n8n
    wrong = tmp_path / "wrong.env"
    wrong.write_text(f"N8N_EMAIL={EMAIL}\nN8N_PASSWORD=nope\n")
    result = run_tool(url, wrong, "status")
    assert result.returncode != 0
    assert "login was refused (HTTP 401)" in result.stderr
    assert PASSWORD not in result.stderr + result.stdout


def test_file_without_id_is_refused(n8n, tmp_path):
    workflow = shipped_workflow()
    del workflow["id"]
    (tmp_path / "no_id.json").write_text(json.dumps(workflow))
    result = run_tool(*n8n, "status", directory=tmp_path)
    assert result.returncode != 0
    assert "needs an id" in result.stderr


def test_wait_returns_once_webhooks_are_registered(n8n):
    FakeN8n.registered.add(("POST", "ocr-job-processed"))
    result = run_tool(*n8n, "wait")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"changed": False, "webhooks": {"POST ocr-job-processed": True}}


def test_wait_gives_up_naming_the_webhook(n8n):
    result = run_tool(*n8n, "wait", "--timeout", "1")
    assert result.returncode != 0
    assert "POST ocr-job-processed" in result.stderr


# --- Pure functions ---------------------------------------------------------------------------


def test_contains_allows_extra_keys_but_not_other_values():
    assert tool.contains({"a": 1, "b": {"c": [1, 2]}}, {"a": 1.0, "b": {"c": [1, 2], "d": 3}, "e": 4})
    assert not tool.contains({"a": 1}, {"a": 2})
    assert not tool.contains({"a": [1, 2]}, {"a": [1, 2, 3]})
    assert not tool.contains({"a": True}, {"a": 1})
    assert not tool.contains({"a": 1}, {})


def test_node_order_does_not_matter_but_a_missing_node_does():
    shipped = shipped_workflow()
    stored = as_stored(shipped)
    stored["nodes"].reverse()
    assert tool.state_of(shipped, stored) == "same"
    stored["nodes"].pop()
    assert tool.state_of(shipped, stored) == "differs"


def test_renamed_workflow_differs():
    shipped = shipped_workflow()
    stored = as_stored(shipped)
    stored["name"] = "Renamed in the editor"
    assert tool.state_of(shipped, stored) == "differs"


def test_webhooks_of_the_shipped_workflow():
    assert tool.webhooks(shipped_workflow()) == [("ocr-job-processed", "POST")]


def test_every_shipped_workflow_has_an_id_and_a_unique_webhook_path():
    loaded = tool.load(str(SHIPPED))
    assert loaded, "the role ships at least one workflow"
    ids = [workflow["id"] for _, workflow in loaded]
    paths = [hook for _, workflow in loaded for hook in tool.webhooks(workflow)]
    assert len(set(ids)) == len(ids)
    assert len(set(paths)) == len(paths)
