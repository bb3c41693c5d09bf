"""Verify the backup scenario after converge, the idempotence run and side_effect.yml
(known partners and attachments written, backed up, Odoo's database and volume destroyed,
restored, the drill run): the restored data is what was written, row counts and checksums
identical; the drill passed and left nothing behind; the bucket really holds an encrypted
restic repository; status.json and the request spool keep the operations contract; a
restore without confirmation and a placeholder key are refused before any change."""

# The SQL below is built from the test's own constants, never from input.
# ruff: noqa: S608

import json
import os
import shlex
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import testinfra
from testinfra.utils.ansible_runner import AnsibleRunner

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
RUNNER = AnsibleRunner(INVENTORY)
ERP_NAME = RUNNER.get_hosts("erp")[0]
S3_NAME = RUNNER.get_hosts("s3")[0]
ROOT = Path(__file__).resolve().parents[3]
SCENARIO = Path(__file__).resolve().parents[1]
STATUS = "/var/lib/insightpulse/backup/status.json"
OPS = "/var/lib/insightpulse/ops"
NOTES = "/var/lib/molecule-backup"
VOLUME = "/var/lib/docker/volumes/odoo_data/_data"
BUCKET = "ipp-backups"  # backup_test_bucket of the scenario
PREFIX = f"insightpulse/{ERP_NAME}"  # backup_s3_prefix's default
S3_SECRET = "molecule-Ux7rQ2kP9sLm4Vn8Zt3Wy6Hb1Jd5Gc0Fe"  # noqa: S105 - backup_s3_secret_access_key of the scenario
UNITS = [
    "insightpulse-backup.service",
    "insightpulse-backup.timer",
    "insightpulse-restore-drill.service",
    "insightpulse-restore-drill.timer",
    "insightpulse-ops.path",
    "insightpulse-ops.service",
]

testinfra_hosts = [ERP_NAME]


def _host(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


@pytest.fixture(scope="module")
def erp():
    return _host(ERP_NAME)


@pytest.fixture(scope="module")
def s3():
    return _host(S3_NAME)


@pytest.fixture(scope="module")
def before(erp):
    return json.loads(erp.file(f"{NOTES}/before.json").content_string)


def status(erp):
    return json.loads(erp.file(STATUS).content_string)


def sql(erp, query):
    out = erp.check_output(f"/opt/insightpulse/odoo/bin/db-tool psql -X -A -t -c {shlex.quote(query)}")
    return out.strip()


def rpc(erp, model, method, args, kwargs=None):
    password = erp.file("/etc/insightpulse/secrets/odoo_admin_password").content_string.strip()
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
        "curl -sS --max-time 30 -H 'Content-Type: application/json' -d %s http://127.0.0.1:8069/jsonrpc",
        json.dumps(payload),
    )
    answer = json.loads(out)
    assert "error" not in answer, answer.get("error")
    return answer["result"]


def s3_keys(s3):
    script = (
        "import boto3, json\n"
        "s3 = boto3.client('s3', endpoint_url='http://127.0.0.1:5000', aws_access_key_id='x',"
        " aws_secret_access_key='x', region_name='us-east-1')\n"
        f"pages = s3.get_paginator('list_objects_v2').paginate(Bucket='{BUCKET}')\n"
        "print(json.dumps([o['Key'] for p in pages for o in p.get('Contents', [])]))\n"
    )
    return json.loads(s3.check_output(f"/opt/moto/bin/python -c {shlex.quote(script)}"))


# --- the restore is proven ---------------------------------------------------------------------


def test_restored_row_counts_are_identical(erp, before):
    counts = json.loads(
        sql(
            erp,
            "select json_build_object('res_partner', (select count(*) from res_partner),"
            " 'ir_attachment', (select count(*) from ir_attachment),"
            " 'res_users', (select count(*) from res_users),"
            " 'ir_model_fields', (select count(*) from ir_model_fields),"
            " 'canaries', (select count(*) from res_partner where name like 'ipp-backup-canary-%'))",
        )
    )
    assert counts == before["counts"]
    assert counts["canaries"] == 25


def test_restored_filestore_checksums_are_identical(erp, before):
    # The stored files, as side_effect.yml listed them: filestore/<db>/checklist/ holds
    # Odoo's garbage-collection markers, which its auto-vacuum cron removes on its own time.
    after = erp.check_output(
        f"cd {VOLUME} && find filestore -type f -not -path 'filestore/*/checklist/*' -print0"
        " | sort -z | xargs -0 sha256sum"
    ).splitlines()
    assert after == before["filestore"]
    assert len(after) >= 3


def test_odoo_serves_the_restored_attachments_byte_for_byte(erp, before):
    import base64

    records = rpc(erp, "ir.attachment", "read", [before["attachment_ids"]], {"fields": ["name", "datas"]})
    assert len(records) == 3
    for record in records:
        number = int(record["name"].split("-")[-1].split(".")[0])
        expected = (f"ipp-backup attachment {number} line\n" * (2000 * number)).encode()
        assert base64.b64decode(record["datas"]) == expected


def test_odoo_is_healthy_after_the_restore(erp):
    assert erp.check_output("curl -fsS -o /dev/null -w '%{http_code}' http://127.0.0.1:8069/web/health") == "200"


# --- the drill ----------------------------------------------------------------------------------


def test_drill_reports_ok_with_counts_and_checksums(erp):
    drill = status(erp)["last_drill"]
    assert drill["ok"] is True, drill
    report = drill["report"]
    odoo = report["databases"]["odoo"]
    assert odoo["ok"] and odoo["differences"] == []
    assert odoo["rows_restored"] == odoo["rows_backed_up"] > 0
    assert odoo["tables"] > 100
    assert report["files"]["odoo_data"]["ok"]
    assert report["files"]["odoo_data"]["checked"] >= 3
    assert report["files"]["/etc/insightpulse/secrets"]["ok"]
    assert report["scratch_removed"] is True


def test_drill_leaves_no_scratch_database_or_folder(erp):
    assert erp.check_output("docker ps -aq --filter label=insightpulse.role=restore-drill") == ""
    assert erp.check_output("ls -A /var/lib/insightpulse/backup/work") == ""
    names = erp.check_output(
        "docker exec postgres-postgres-1 psql -U postgres -At -c 'select datname from pg_database'"
    ).split()
    assert sorted(names) == ["odoo", "postgres", "template0", "template1"]


# --- the bucket -------------------------------------------------------------------------------


def test_bucket_holds_a_restic_repository(s3):
    keys = s3_keys(s3)
    assert f"{PREFIX}/config" in keys
    for folder in ("keys", "data", "index", "snapshots"):
        assert any(k.startswith(f"{PREFIX}/{folder}/") for k in keys), folder


def test_bucket_holds_no_plaintext(s3):
    # Every object is encrypted on the host: the partners' names written by side_effect.yml
    # and the attachments' text appear nowhere in the bucket.
    script = (
        "import boto3\n"
        "s3 = boto3.client('s3', endpoint_url='http://127.0.0.1:5000', aws_access_key_id='x',"
        " aws_secret_access_key='x', region_name='us-east-1')\n"
        f"pages = s3.get_paginator('list_objects_v2').paginate(Bucket='{BUCKET}')\n"
        "hits = total = 0\n"
        "for page in pages:\n"
        "    for o in page.get('Contents', []):\n"
        f"        body = s3.get_object(Bucket='{BUCKET}', Key=o['Key'])['Body'].read()\n"
        "        total += len(body)\n"
        "        hits += (b'ipp-backup-canary' in body) + (b'ipp-backup attachment' in body)\n"
        "print(hits, total)\n"
    )
    hits, total = s3.check_output(f"/opt/moto/bin/python -c {shlex.quote(script)}").split()
    assert int(total) > 100_000
    assert int(hits) == 0


# --- the operations contract -------------------------------------------------------------------


def test_units_installed_and_timers_enabled(erp):
    for unit in UNITS:
        assert erp.file(f"/etc/systemd/system/{unit}").exists, unit
    for unit in ("insightpulse-backup.timer", "insightpulse-restore-drill.timer", "insightpulse-ops.path"):
        assert erp.service(unit).is_enabled, unit
        assert erp.service(unit).is_running, unit


def test_status_json_contract(erp):
    file = erp.file(STATUS)
    assert file.mode == 0o644
    data = status(erp)
    assert set(data) >= {"updated", "last_backup", "snapshots", "last_drill"}
    backup = data["last_backup"]
    assert {"started", "finished", "ok", "snapshot", "bytes_added", "error"} <= set(backup)
    assert backup["ok"] is True and backup["error"] == ""
    assert data["snapshots"]
    for snapshot in data["snapshots"]:
        assert {"id", "short_id", "time", "tags", "paths"} <= set(snapshot)
        assert "insightpulse" in snapshot["tags"]
    assert backup["snapshot"] in [s["short_id"] for s in data["snapshots"]]
    assert {"started", "finished", "ok", "report"} <= set(data["last_drill"])


def test_no_secret_reaches_status_logs_or_settings(erp):
    password = erp.file("/etc/insightpulse/secrets/restic_password").content_string.strip()
    assert len(password) >= 32
    text = erp.file(STATUS).content_string
    journal = erp.check_output("journalctl -q --no-pager -u 'insightpulse-*'")
    config = erp.file("/etc/insightpulse/backup/config.json").content_string
    for secret in (password, S3_SECRET):
        assert secret not in text
        assert secret not in journal
        assert secret not in config
    assert erp.file("/etc/insightpulse/backup/restic.env").mode == 0o600
    assert erp.file("/etc/insightpulse/secrets/restic_password").mode == 0o600


def wait_for(predicate, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    raise AssertionError("timed out")


def drop_request(erp, action, rid):
    body = json.dumps({"action": action, "id": rid, "requested_by": "molecule", "requested_at": "2026-01-01T00:00:00Z"})
    # Written as the MCP coordinator's uid, renamed into place when complete.
    tmp, final = f"{OPS}/requests/.{rid}.tmp", f"{OPS}/requests/{action}.{rid}.json"
    script = f"printf %s {shlex.quote(body)} > {tmp} && mv {tmp} {final}"
    erp.check_output(f"setpriv --reuid 10002 --regid 10002 --clear-groups sh -c {shlex.quote(script)}")


def done(erp, action, rid):
    file = erp.file(f"{OPS}/done/{action}.{rid}.json")
    return json.loads(file.content_string) if file.exists else None


def test_spool_backup_now_runs_a_backup(erp):
    previous = status(erp)["last_backup"]["finished"]
    rid = uuid.uuid4().hex[:12]
    drop_request(erp, "backup_now", rid)
    handled = wait_for(lambda: done(erp, "backup_now", rid), 30)
    assert handled["result"]["ok"] is True
    assert handled["result"]["unit"] == "insightpulse-backup.service"
    assert handled["requested_by"] == "molecule"
    latest = wait_for(lambda: (s := status(erp)["last_backup"])["finished"] != previous and s, 240)
    assert latest["ok"] is True, latest
    assert erp.check_output(f"ls -A {OPS}/requests") == ""


def test_spool_refuses_unknown_actions(erp):
    started_before = erp.check_output("systemctl show -p InvocationID --value insightpulse-backup.service")
    rid = uuid.uuid4().hex[:12]
    drop_request(erp, "delete_everything", rid)
    handled = wait_for(lambda: done(erp, "delete_everything", rid), 30)
    assert handled["result"]["ok"] is False
    assert "unknown action" in handled["result"]["error"]
    assert handled["result"]["unit"] == ""
    assert erp.check_output("systemctl show -p InvocationID --value insightpulse-backup.service") == started_before


def test_spool_is_writable_by_the_mcp_uid_only(erp):
    requests = erp.file(f"{OPS}/requests")
    assert requests.uid == 10002
    assert requests.mode == 0o750
    assert erp.file(f"{OPS}/done").uid == 0


# --- refusals before any change ---------------------------------------------------------------


def run_playbook(playbook, *extra):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    return subprocess.run(
        ["ansible-playbook", "-i", INVENTORY, str(playbook), *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=600,
    )


def test_restore_without_confirmation_changes_nothing(erp):
    odoo_started = erp.check_output("docker inspect -f '{{.State.StartedAt}}' odoo-odoo-blue-1")
    result = run_playbook(ROOT / "playbooks/restore.yml")
    assert result.returncode != 0
    assert "restore_confirm=true" in result.stdout
    assert erp.check_output("docker inspect -f '{{.State.StartedAt}}' odoo-odoo-blue-1") == odoo_started


def test_placeholder_key_is_refused_before_any_change(erp):
    env_before = erp.file("/etc/insightpulse/backup/restic.env").sha256sum
    result = run_playbook(SCENARIO / "placeholder.yml")
    assert result.returncode != 0
    assert "none of them a placeholder" in result.stdout
    assert "changeme" not in result.stdout.replace("such as changeme", "")
    assert erp.file("/etc/insightpulse/backup/restic.env").sha256sum == env_before


def test_print_benchmark_figures(erp):
    """Times and sizes of the scenario's backup, restore and drill (printed, not asserted)."""
    bench = json.loads(erp.file(f"{NOTES}/bench.json").content_string)
    print("\nbackup benchmark:", json.dumps(bench, indent=2, sort_keys=True))
    assert bench["repository_bytes_in_bucket"] > 0
