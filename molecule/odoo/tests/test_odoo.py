"""Verify the Odoo side of the stack scenario on the `erp` host, after converge, the
idempotence run and side_effect.yml's faults: what is deployed and where, odoo.conf, the
database and its modules, the OCR system parameters, the secrets, and what the faults left
(the live slot, the rows written before them, the pre-upgrade dump)."""

# The SQL below is built from the test's own constants, never from input.
# ruff: noqa: S608

import json
import os
import shlex

import pytest
import testinfra
from testinfra.utils.ansible_runner import AnsibleRunner

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
ERP_NAME = AnsibleRunner(INVENTORY).get_hosts("erp")[0]
PROJECT = "/opt/insightpulse/odoo"
SECRETS = "/etc/insightpulse/secrets"
FAULTS = "/var/lib/molecule-faults"
OCR_TOKEN = "molecule-ocr-token-Zq81vT3kP0"  # noqa: S105 - odoo_ocr_token of the scenario (a test value)
PORTS = {"blue": (8069, 8072), "green": (8169, 8172)}

testinfra_hosts = [ERP_NAME]


@pytest.fixture(scope="module")
def erp():
    return testinfra.get_host(f"ansible://{ERP_NAME}?ansible_inventory={INVENTORY}")


@pytest.fixture(scope="module")
def deployed(erp):
    return json.loads(erp.file(f"{PROJECT}/deployed.json").content_string)


def fault(erp, name):
    return json.loads(erp.file(f"{FAULTS}/{name}.json").content_string)


def sql(erp, query):
    """One query as Odoo's database owner through the role's own bin/db-tool."""
    out = erp.check_output(f"{PROJECT}/bin/db-tool psql -X -A -t -c {shlex.quote(query)}")
    return out.strip()


def rpc(erp, slot, model, method, args, kwargs=None):
    password = erp.file(f"{SECRETS}/odoo_admin_password").content_string.strip()
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["odoo", 2, password, model, method, args, kwargs or {}],
        },
    }
    out = erp.check_output(
        f"curl -sS --max-time 30 -H 'Content-Type: application/json' -d %s http://127.0.0.1:{PORTS[slot][0]}/jsonrpc",
        json.dumps(payload),
    )
    answer = json.loads(out)
    assert "error" not in answer, answer.get("error")
    return answer["result"]


def test_one_slot_runs_and_it_is_the_recorded_one(erp, deployed):
    running = erp.check_output(f"cd {PROJECT} && docker compose ps --status running --services").split()
    assert running == [f"odoo-{deployed['slot']}"]
    health = erp.check_output(f"curl -sS http://127.0.0.1:{PORTS[deployed['slot']][0]}/web/health")
    assert json.loads(health) == {"status": "pass"}


def test_ports_are_published_on_loopback_only(erp, deployed):
    http, websocket = PORTS[deployed["slot"]]
    listening = erp.check_output("ss -Hltn").split("\n")
    for port in (http, websocket):
        binds = [line.split()[3] for line in listening if line.split()[3].endswith(f":{port}")]
        assert binds == [f"127.0.0.1:{port}"], binds
    assert not [line for line in listening if line.split()[3].endswith(":5432")]


def test_image_has_the_addons_baked_in_and_is_named_by_content(erp, deployed):
    assert deployed["image"].startswith("insightpulse/odoo-addons:")
    assert deployed["addons"]["queue_job"] == "18.0.1.6.1"
    assert len(deployed["addons"]["ipp_canary"]) == 16
    label = erp.check_output(
        "docker image inspect -f '{{index .Config.Labels \"io.insightpulse.context-sha256\"}}' %s", deployed["image"]
    )
    assert len(label) == 64


def test_odoo_conf(erp, deployed):
    conf = erp.file(f"{PROJECT}/{deployed['slot']}/odoo.conf")
    assert conf.user == "root" and conf.group in ("101", "systemd-journal") or conf.gid == 101
    assert conf.mode == 0o640
    text = conf.content_string
    for line in (
        "list_db = False",
        "proxy_mode = True",
        "dbfilter = ^odoo$",
        "gevent_port = 8072",
        "workers = 2",
        "max_cron_threads = 1",
        "server_wide_modules = base,web,queue_job",
        "channels = root:2,root.ocr:1",
        "addons_path = /opt/odoo/custom/0,/mnt/extra-addons",
    ):
        assert line in text.splitlines(), line
    master = erp.file(f"{SECRETS}/odoo_master_password").content_string.strip()
    admin_passwd = [line for line in text.splitlines() if line.startswith("admin_passwd = ")][0]
    assert admin_passwd.startswith("admin_passwd = $pbkdf2-sha512$")
    assert master not in text


def test_database_and_modules(erp):
    states = dict(
        line.split("|")
        for line in sql(
            erp, "SELECT name, state FROM ir_module_module WHERE name IN ('base', 'queue_job', 'ipp_canary')"
        ).splitlines()
    )
    assert states == {"base": "installed", "queue_job": "installed", "ipp_canary": "installed"}
    # Community only: no Enterprise module installed.
    assert sql(erp, "SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND to_buy") == "0"


def test_admin_password_is_the_kept_secret(erp, deployed):
    uid = rpc(erp, deployed["slot"], "res.users", "search", [[["login", "=", "admin"]]])
    assert uid == [2]


def test_ocr_system_parameters(erp):
    rows = dict(
        line.split("|", 1)
        for line in sql(erp, "SELECT key, value FROM ir_config_parameter WHERE key LIKE 'ocr.%'").splitlines()
    )
    assert rows == {
        "ocr.api.url": "http://ocr.internal:8001/ocr",
        "ocr.api.secret": OCR_TOKEN,
        "ocr.confidence.threshold": "0.60",
        "ocr.processing.timeout": "30",
    }


def test_secrets_are_files_only_root_reads(erp):
    for name in ("odoo_admin_password", "odoo_master_password"):
        secret = erp.file(f"{SECRETS}/{name}")
        assert secret.user == "root" and secret.mode == 0o600
        assert len(secret.content_string.strip()) >= 24
    env = erp.file(f"{PROJECT}/db.env")
    assert env.mode == 0o600 and "PGPASSWORD=" in env.content_string


def test_no_secret_in_the_compose_file(erp):
    compose = erp.file(f"{PROJECT}/compose.yml").content_string
    for name in ("odoo_admin_password", "odoo_master_password", "postgres_odoo_password"):
        assert erp.file(f"{SECRETS}/{name}").content_string.strip() not in compose


def test_broken_image_was_rolled_back_without_touching_the_live_slot(erp):
    outcome = fault(erp, "broken-image")
    assert outcome["msg"].startswith("Odoo deploy rolled back:"), outcome["msg"]
    assert "did not pass the health gate" in outcome["msg"]
    assert f"Slot {outcome['slot_before']} with " in outcome["msg"]
    assert "database was not touched" in outcome["msg"]


def test_config_change_switched_slots(erp, deployed):
    outcome = fault(erp, "switch")
    assert outcome["mode"] == "switch"
    assert outcome["to"] != outcome["slot_before"]
    # The broken upgrade after it was rolled back: the switched-to slot is still live.
    assert deployed["slot"] == outcome["to"]


def test_broken_upgrade_restored_the_dump_and_the_previous_slot(erp, deployed):
    outcome = fault(erp, "broken-upgrade")
    assert outcome["mode"] == "upgrade"
    assert outcome["msg"].startswith("Odoo upgrade rolled back:"), outcome["msg"]
    assert "updating ipp_canary" in outcome["msg"]
    dump = outcome["msg"].split("restored from ")[1].split(" ")[0]
    assert erp.file(dump).exists and erp.file(dump).size > 0
    assert deployed["slot"] == outcome["from"]
    # canary_v1 still installed, its record untouched by v2's data
    assert sql(erp, "SELECT latest_version FROM ir_module_module WHERE name = 'ipp_canary'") == "18.0.1.0.0"
    assert sql(erp, "SELECT count(*) FROM res_partner WHERE name = 'IPP canary v1'") == "1"
    assert sql(erp, "SELECT count(*) FROM res_partner WHERE name = 'IPP canary v2'") == "0"


def test_row_written_before_the_faults_survived(erp, deployed):
    assert sql(erp, "SELECT count(*) FROM res_partner WHERE name = 'molecule-before-faults'") == "1"
    found = rpc(erp, deployed["slot"], "res.partner", "search_count", [[["name", "=", "molecule-before-faults"]]])
    assert found == 1
