"""health_report: one table of the platform's services from health probes."""

import json

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.insightpulse.platform.plugins.filter.health import (
    PLACEHOLDER_MARKER,
    FilterModule,
    health_report,
)

ODOO_VERSION = json.dumps({"jsonrpc": "2.0", "id": None, "result": {"server_version": "18.0", "protocol_version": 1}})


def probe(name, status, seconds=0.05, body="", version_body=""):
    return {
        "name": name,
        "url": f"https://{name}.example.org/health",
        "status": status,
        "seconds": seconds,
        "body": body,
        "version_body": version_body,
    }


def test_states_versions_and_milliseconds():
    report = health_report(
        [
            probe("odoo", 200, 0.0123, '{"status": "pass"}', ODOO_VERSION),
            probe("superset", 503, body=f"<!-- {PLACEHOLDER_MARKER} -->"),
            probe("n8n", 503, body="Service Unavailable"),
            probe("mcp", 0),
            probe("ocr", 401),
        ],
        ["odoo", "ocr"],
    )
    states = {row["name"]: row["state"] for row in report["rows"]}
    assert states == {
        "odoo": "up",
        "superset": "unavailable (503 page)",
        "n8n": "down (HTTP 503)",
        "mcp": "no answer",
        "ocr": "down (HTTP 401)",
    }
    odoo = report["rows"][0]
    assert odoo["ms"] == 12 and odoo["version"] == "18.0" and odoo["required"] is True
    assert report["down"] == ["ocr"]
    assert report["problems"] == ["ocr: https://ocr.example.org/health answered down (HTTP 401)"]
    assert report["ok"] is False


def test_all_required_up_is_ok_even_with_undeployed_optional_services():
    report = health_report([probe("odoo", 200), probe("superset", 503, body=PLACEHOLDER_MARKER)], ["odoo"])
    assert report["ok"] is True and report["down"] == [] and report["problems"] == []


def test_table_is_aligned_with_a_header():
    table = health_report([probe("odoo", 200, 0.5, version_body=ODOO_VERSION), probe("ocr", 0, 0)], ["odoo"])["table"]
    assert table[0].split() == ["service", "url", "state", "ms", "version", "required"]
    assert table[1].split() == ["odoo", "https://odoo.example.org/health", "up", "500", "18.0", "yes"]
    assert table[2].split() == ["ocr", "https://ocr.example.org/health", "no", "answer", "0", "-", "no"]
    # columns line up: every row's URL starts where the header's does
    assert len({row.index("https://") for row in table[1:]}) == 1 and table[0].index("url") == table[1].index("https")


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", json.dumps({"result": {"server_version": 18}})])
def test_no_version_when_the_answer_has_none(text):
    assert health_report([probe("odoo", 200, version_body=text)])["rows"][0]["version"] == ""


def test_top_level_version_key():
    assert health_report([probe("n8n", 200, version_body='{"version": "2.41.1"}')])["rows"][0]["version"] == "2.41.1"


def test_required_service_without_probe_fails_naming_it():
    with pytest.raises(AnsibleFilterError, match="not probed: mcp"):
        health_report([probe("odoo", 200)], ["odoo", "mcp"])


def test_malformed_probe_fails():
    with pytest.raises(AnsibleFilterError, match="malformed probe"):
        health_report([{"url": "https://x"}])
    with pytest.raises(AnsibleFilterError, match="list of probes"):
        health_report({"name": "odoo"})


def test_filter_is_registered():
    assert FilterModule().filters()["health_report"] is health_report
