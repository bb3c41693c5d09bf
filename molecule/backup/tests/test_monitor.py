"""Verify the monitor on the backup scenario's ERP host (after test_backup.py): with everything
up and a fresh backup and drill no check fails; Odoo stopped opens one incident, posted once to
the webhook however often the checks run; Odoo back closes it with one more post."""

import json
import os
import shlex

import pytest
import testinfra
from testinfra.utils.ansible_runner import AnsibleRunner

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
RUNNER = AnsibleRunner(INVENTORY)
ERP_NAME = RUNNER.get_hosts("erp")[0]
S3_NAME = RUNNER.get_hosts("s3")[0]
POSTS = "/var/lib/webhook/posts.jsonl"  # the receiver on the s3 host (prepare.yml)
TOKEN = "insightpulse-Kq3Zr8"  # noqa: S105 - the webhook URL's path in the scenario (a test value)
ODOO = "/opt/insightpulse/odoo"

testinfra_hosts = [ERP_NAME]


def _host(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


@pytest.fixture(scope="module")
def erp():
    return _host(ERP_NAME)


@pytest.fixture(scope="module")
def s3():
    return _host(S3_NAME)


def check(erp):
    erp.check_output("systemctl start insightpulse-monitor.service")
    return json.loads(erp.file("/var/lib/insightpulse/monitor/state.json").content_string)


def posts(s3):
    if not s3.file(POSTS).exists:
        return []
    return [json.loads(line) for line in s3.file(POSTS).content_string.splitlines()]


def test_monitor_units(erp):
    assert erp.service("insightpulse-monitor.timer").is_enabled
    assert erp.file("/etc/insightpulse/monitor/config.json").mode == 0o600


def test_incident_posted_once_and_resolved_once(erp, s3):
    state = check(erp)
    assert state["failing"] == [], state["results"]
    assert set(state["results"]) == {"http:odoo", "disk:/", "backup:age", "backup:drill"}
    before = len(posts(s3))

    erp.check_output(f"docker compose --project-directory {shlex.quote(ODOO)} stop")
    try:
        for _ in range(3):
            state = check(erp)
            assert state["failing"] == ["http:odoo"]
        new = posts(s3)[before:]
        assert len(new) == 1
        assert new[0]["event"] == "incident"
        assert new[0]["new"] == ["http:odoo"]
        assert new[0]["host"] == ERP_NAME
    finally:
        erp.check_output(f"docker compose --project-directory {shlex.quote(ODOO)} up -d --wait --wait-timeout 300")

    state = check(erp)
    assert state["failing"] == []
    check(erp)
    new = posts(s3)[before:]
    assert [p["event"] for p in new] == ["incident", "resolved"]


def test_webhook_url_is_printed_nowhere(erp):
    journal = erp.check_output("journalctl -q --no-pager -u insightpulse-monitor")
    assert TOKEN not in journal
