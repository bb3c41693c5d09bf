"""The operate tools against the operations contract (request spool, done/, status.json), and the
certificates/disk tools against a status file written by the mcp role's own host_status.py
(run here on this machine with a real certificate made by openssl)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio

from .conftest import OPERATE_TOKEN, READ_TOKEN
from .mcp_client import connect, error_text, payload

ROOT = Path(__file__).resolve().parents[3]
HOST_STATUS = ROOT / "roles" / "mcp" / "files" / "host_status.py"


def ops_tree(tmp_path):
    ops = tmp_path / "ops"
    (ops / "requests").mkdir(parents=True)
    (ops / "done").mkdir()
    return ops


def call(url, token, name, args=None):
    async def go():
        async with connect(url + "/mcp", token) as client:
            return await client.call_tool(name, args or {})

    return anyio.run(go)


def test_backup_now_drops_a_request_file_of_the_contract(make_server, tmp_path):
    ops = ops_tree(tmp_path)
    url = make_server(ops_dir=str(ops), backup_status_file=str(tmp_path / "status.json"))
    out = payload(call(url, OPERATE_TOKEN, "backup_now"))
    files = list((ops / "requests").iterdir())
    assert len(files) == 1, files
    request = json.loads(files[0].read_text())
    assert files[0].name == f"backup_now.{request['id']}.json"
    assert set(request) == {"action", "id", "requested_by", "requested_at"}
    assert request["action"] == "backup_now" and request["requested_by"] == "operator"
    assert out["queued"] is True and out["request"] == request and out["result"] is None
    audit = [json.loads(x) for x in (tmp_path / "audit" / "audit.jsonl").read_text().splitlines()]
    assert audit[-1]["who"] == "operator" and audit[-1]["tool"] == "backup_now" and audit[-1]["ok"] is True
    assert request["id"] in audit[-1]["result"]


def test_restore_drill_waits_for_the_hosts_answer(make_server, tmp_path):
    ops = ops_tree(tmp_path)
    url = make_server(ops_dir=str(ops), backup_status_file=str(tmp_path / "status.json"))
    stop = threading.Event()

    def host():
        # Stands in for the backup role's insightpulse-ops.service: move each request to done/ with a result.
        while not stop.is_set():
            for path in (ops / "requests").glob("*.json"):
                body = json.loads(path.read_text())
                body["result"] = {"ok": True, "unit": "insightpulse-restore-drill.service", "started": True}
                (ops / "done" / path.name).write_text(json.dumps(body))
                path.unlink()
            time.sleep(0.2)

    thread = threading.Thread(target=host, daemon=True)
    thread.start()
    try:
        out = payload(call(url, OPERATE_TOKEN, "restore_drill", {"wait_seconds": 10}))
    finally:
        stop.set()
        thread.join()
    assert out["request"]["action"] == "restore_drill"
    assert out["result"]["result"]["unit"] == "insightpulse-restore-drill.service"


def test_backup_list_reads_status_json(make_server, tmp_path):
    ops = ops_tree(tmp_path)
    status = {
        "updated": "2026-01-02T03:04:05+00:00",
        "last_backup": {
            "started": "a",
            "finished": "b",
            "ok": True,
            "snapshot": "4f2a1b",
            "bytes_added": 10,
            "error": None,
        },
        "snapshots": [{"id": "4f2a1b" * 10, "short_id": "4f2a1b", "time": "t", "tags": ["odoo"], "paths": ["/x"]}],
        "last_drill": {"started": "c", "finished": "d", "ok": True, "report": {"tables": 3}},
    }
    (tmp_path / "status.json").write_text(json.dumps(status))
    (ops / "requests" / "backup_now.r1.json").write_text("{}")
    url = make_server(ops_dir=str(ops), backup_status_file=str(tmp_path / "status.json"))
    out = payload(call(url, OPERATE_TOKEN, "backup_list"))
    assert out["last_backup"]["snapshot"] == "4f2a1b" and out["snapshots"][0]["short_id"] == "4f2a1b"
    assert out["last_drill"]["ok"] is True and out["pending_requests"] == ["backup_now.r1.json"]
    assert out["note"] is None
    # without status.json yet (no backup ran): empty, and says so
    (tmp_path / "status.json").unlink()
    out = payload(call(url, OPERATE_TOKEN, "backup_list"))
    assert out["snapshots"] == [] and out["note"] == "no backup has run yet on this platform"


def test_certificates_and_disk_from_the_host_status_file(make_server, tmp_path):
    live = tmp_path / "live" / "example.test"
    live.mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=example.test",
         "-addext", "subjectAltName=DNS:example.test,DNS:mcp.example.test",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(live / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    status_dir = tmp_path / "host"
    status_dir.mkdir()
    subprocess.run(
        [sys.executable, str(HOST_STATUS), str(status_dir / "erp.json"), "--certs-dir", str(tmp_path / "live"),
         "--path", "/", "--path", str(tmp_path), "--host", "erp"],
        check=True,
    )  # fmt: skip
    written = json.loads((status_dir / "erp.json").read_text())
    assert "key" not in json.dumps(written).lower().replace("keys", "")
    url = make_server(host_status_dir=str(status_dir))
    certs = payload(call(url, READ_TOKEN, "certificates"))["certificates"]
    assert len(certs) == 1
    assert certs[0]["host"] == "erp" and certs[0]["name"] == "example.test"
    assert certs[0]["domains"] == ["example.test", "mcp.example.test"]
    assert 28 <= certs[0]["days_left"] <= 30
    disks = payload(call(url, READ_TOKEN, "disk"))["disks"]
    assert [d["path"] for d in disks] == ["/", str(tmp_path)]
    assert all(d["total_bytes"] > 0 and 0 <= d["free_percent"] <= 100 for d in disks)


def test_superset_not_deployed_is_a_clear_error(make_server):
    url = make_server()
    assert error_text(call(url, READ_TOKEN, "superset_dashboards")).endswith(
        "Superset is not deployed on this platform"
    )
