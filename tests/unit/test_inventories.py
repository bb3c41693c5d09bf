"""The shipped inventories: each parses, has the groups the playbooks target, holds only
what differs from the collection's defaults, and a run with an example vault file's
placeholders is refused by the preflight's check before any host is touched."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ENV = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
INVENTORIES = ["local", "staging", "prod"]


def ansible(*args):
    command = [str(BIN / args[0]), *args[1:]]
    return subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)


def inventory(name):
    out = ansible("ansible-inventory", "-i", f"inventories/{name}", "--list")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("name", INVENTORIES)
def test_every_inventory_has_the_groups_the_playbooks_target(name):
    data = inventory(name)
    for group in ("erp", "ocr"):
        assert data[group]["hosts"], f"{name}: group {group} is empty"


@pytest.mark.parametrize("name", INVENTORIES)
def test_inventories_do_not_copy_the_catalog(name):
    # The catalog and everything derived from it are the collection's (roles/platform).
    text = "".join(p.read_text() for p in (ROOT / "inventories" / name).rglob("*.yml"))
    for derived in ("platform_catalog:", "platform_services:", "platform_certificates:"):
        assert derived not in text, f"{name} redefines {derived}"


def test_staging_is_production_shaped_on_one_host_with_the_acme_staging_server():
    data = inventory("staging")
    assert data["erp"]["hosts"] == data["ocr"]["hosts"]
    host = data["erp"]["hosts"][0]
    hostvars = data["_meta"]["hostvars"][host]
    assert hostvars["certbot_acme_server"] == "staging"
    prod = inventory("prod")
    prod_erp = prod["_meta"]["hostvars"][prod["erp"]["hosts"][0]]
    assert hostvars["odoo_oca_addons"] == prod_erp["odoo_oca_addons"]


@pytest.mark.parametrize("name", ["prod", "staging"])
def test_the_example_vault_is_refused_by_name(name):
    example = ROOT / "inventories" / name / "group_vars" / "all" / "vault.yml.example"
    out = ansible(
        "ansible",
        "all",
        "-i",
        f"inventories/{name}",
        "-c",
        "local",
        "-e",
        f"@{example}",
        "-m",
        "ansible.builtin.assert",
        "-a",
        "that=\"query('insightpulse.platform.placeholder_secrets') | length == 0\" "
        "fail_msg=\"{{ query('insightpulse.platform.placeholder_secrets') | join(',') }}\"",
    )
    assert out.returncode != 0, out.stdout
    assert "vault_mailgun_smtp_password" in out.stdout
    # A group_vars value that points at the vault variable is caught too.
    assert "odoo_smtp_password" in out.stdout
    assert "change-me" not in out.stdout, "values must never be printed"


def test_a_filled_vault_passes():
    out = ansible(
        "ansible",
        "erp",
        "-i",
        "inventories/prod",
        "-c",
        "local",
        "-e",
        "vault_mailgun_smtp_password=Qk4-mail-9sd vault_postgres_admin_password=Pz8-db-2kq",
        "-m",
        "ansible.builtin.assert",
        "-a",
        "that=\"query('insightpulse.platform.placeholder_secrets') | length == 0\"",
    )
    assert out.returncode == 0, out.stdout + out.stderr
