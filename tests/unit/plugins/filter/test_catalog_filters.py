"""platform_services: the enabled services of the catalog, each with its host name."""

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleFilterError
from ansible_collections.insightpulse.platform.plugins.filter.catalog import FilterModule, platform_services

ROOT = Path(__file__).resolve().parents[4]
CATALOG = yaml.safe_load((ROOT / "roles" / "platform" / "defaults" / "main.yml").read_text())["platform_catalog"]


def test_enabled_entries_in_order_with_name_and_fqdn():
    services = platform_services(CATALOG, ["ocr", "odoo"], "insightpulse.test")
    assert [s["name"] for s in services] == ["ocr", "odoo"]
    assert [s["fqdn"] for s in services] == ["ocr.insightpulse.test", "erp.insightpulse.test"]
    assert services[1]["port"] == 8069 and services[1]["websocket_port"] == 8072
    assert services[0]["health"] == "/health"


def test_catalog_is_not_modified():
    before = {name: dict(entry) for name, entry in CATALOG.items()}
    platform_services(CATALOG, ["odoo"], "example.org")
    assert before == CATALOG


def test_repeated_names_appear_once():
    assert [s["name"] for s in platform_services(CATALOG, ["odoo", "odoo"], "x.org")] == ["odoo"]


def test_without_domain_fqdn_is_the_subdomain():
    assert platform_services(CATALOG, ["superset"])[0]["fqdn"] == "superset"


def test_unknown_service_fails_naming_it_and_the_catalog():
    with pytest.raises(AnsibleFilterError) as err:
        platform_services(CATALOG, ["odoo", "grafana"], "x.org")
    assert "grafana" in str(err.value)
    assert "mcp, n8n, ocr, odoo, superset" in str(err.value)


@pytest.mark.parametrize("enabled", ["odoo", {"odoo": True}, None])
def test_enabled_must_be_a_list(enabled):
    with pytest.raises(AnsibleFilterError, match="must be a list"):
        platform_services(CATALOG, enabled, "x.org")


def test_entry_without_subdomain_fails():
    with pytest.raises(AnsibleFilterError, match="broken has no subdomain"):
        platform_services({"broken": {"port": 1}}, ["broken"], "x.org")


def test_every_catalog_entry_has_subdomain_port_and_health():
    for name, entry in CATALOG.items():
        assert {"subdomain", "port", "health"} <= set(entry), name
        assert entry["health"].startswith("/"), name
    subdomains = [entry["subdomain"] for entry in CATALOG.values()]
    assert len(subdomains) == len(set(subdomains))


def test_registered_under_its_name():
    assert FilterModule().filters()["platform_services"] is platform_services
