"""The monitor role's host tool (roles/monitor/files/insightpulse-monitor.py): each check on
real inputs (a local HTTP server, the disk, a generated certificate, status.json) and the
webhook going out once when an incident opens and once when it closes, to a real HTTP
receiver on the loopback."""

import datetime
import http.server
import importlib.util
import json
import subprocess
import threading
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[3] / "roles/monitor/files/insightpulse-monitor.py"
_spec = importlib.util.spec_from_file_location("insightpulse_monitor", TOOL)
monitor = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(monitor)


class Receiver(http.server.BaseHTTPRequestHandler):
    posts = []
    health_status = 200

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.posts.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def do_GET(self):  # noqa: N802
        self.send_response(Receiver.health_status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Receiver.posts = []
    Receiver.health_status = 200
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def iso(hours_ago):
    return (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=hours_ago)).isoformat()


def restic_time(hours_ago):
    """A snapshot time as restic prints it (nanoseconds, Z)."""
    moment = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=hours_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".123456789Z"


def write_status(path, backup_hours=1, drill_hours=2, backup_ok=True, drill_ok=True):
    path.write_text(
        json.dumps(
            {
                "updated": iso(0),
                "last_backup": {
                    "ok": backup_ok,
                    "error": "" if backup_ok else "S3 refused the key",
                    "finished": iso(1),
                },
                "snapshots": [{"id": "a" * 64, "short_id": "aaaaaaaa", "time": restic_time(backup_hours)}],
                "last_drill": {"ok": drill_ok, "finished": iso(drill_hours), "error": "" if drill_ok else "differs"},
            }
        )
    )


@pytest.fixture
def config(tmp_path, server):
    status = tmp_path / "status.json"
    write_status(status)
    return {
        "host": "erp-1",
        "state_file": str(tmp_path / "state.json"),
        "webhook_url": server + "/hook",
        "http": [{"name": "odoo", "url": server + "/web/health"}],
        "disk": [{"path": str(tmp_path), "min_free_percent": 0}],
        "certs": [],
        "backup": {"status_file": str(status), "max_age_hours": 26, "drill": {"max_age_hours": 192}},
    }


def test_all_pass_posts_nothing(config):
    assert monitor.run(config) == 0
    assert Receiver.posts == []


def test_one_post_per_incident_and_one_when_it_closes(config):
    Receiver.health_status = 503
    assert monitor.run(config) == 1
    assert monitor.run(config) == 1
    assert monitor.run(config) == 1
    assert len(Receiver.posts) == 1
    incident = Receiver.posts[0]
    assert incident["event"] == "incident"
    assert incident["new"] == ["http:odoo"]
    assert "answered 503" in incident["text"]

    Receiver.health_status = 200
    assert monitor.run(config) == 0
    assert monitor.run(config) == 0
    assert [p["event"] for p in Receiver.posts] == ["incident", "resolved"]


def test_a_second_failure_during_an_incident_is_posted(config, tmp_path):
    Receiver.health_status = 503
    monitor.run(config)
    write_status(tmp_path / "status.json", backup_hours=50)
    monitor.run(config)
    assert [p["new"] for p in Receiver.posts] == [["http:odoo"], ["backup:age"]]


def test_an_unsent_alert_is_retried(config, server):
    Receiver.health_status = 503
    good = config["webhook_url"]
    config["webhook_url"] = "http://127.0.0.1:9/unreachable"
    monitor.run(config)
    assert Receiver.posts == []
    config["webhook_url"] = good
    monitor.run(config)
    assert len(Receiver.posts) == 1


@pytest.mark.parametrize(
    ("kwargs", "name", "fragment"),
    [
        ({"backup_hours": 30}, "backup:age", "h old"),
        ({"backup_ok": False}, "backup:age", "S3 refused the key"),
        ({"drill_ok": False}, "backup:drill", "failed"),
        ({"drill_hours": 300}, "backup:drill", "h ago"),
    ],
)
def test_backup_and_drill_checks(config, tmp_path, kwargs, name, fragment):
    write_status(tmp_path / "status.json", **kwargs)
    results = monitor.run_checks(config)
    assert results[name]["ok"] is False
    assert fragment in results[name]["detail"]


def test_missing_status_fails_the_backup_checks(config, tmp_path):
    (tmp_path / "status.json").unlink()
    results = monitor.run_checks(config)
    assert not results["backup:age"]["ok"]
    assert not results["backup:drill"]["ok"]


def test_disk_threshold(tmp_path):
    assert monitor.check_disk({"path": str(tmp_path), "min_free_percent": 0})[0] is True
    assert monitor.check_disk({"path": str(tmp_path), "min_free_percent": 100.1})[0] is False


@pytest.mark.parametrize(("days", "ok"), [(30, True), (5, False)])
def test_certificate_expiry(tmp_path, days, ok):
    cert = tmp_path / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(cert),
            "-days",
            str(days),
            "-subj",
            "/CN=erp.example.test",
        ],
        check=True,
        capture_output=True,
    )
    result, detail = monitor.check_cert({"path": str(cert), "min_days": 14})
    assert result is ok, detail
