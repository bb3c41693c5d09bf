"""The backup role's host tool (roles/backup/files/insightpulse-backup.py) without restic,
PostgreSQL or systemd: the manifest's checksums and exclusions, the drill's comparisons,
status.json updates, and the request spool of the operations contract (which unit each
action starts, what is refused and never executed, where every file goes)."""

import importlib.util
import json
import os
import subprocess
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[3] / "roles/backup/files/insightpulse-backup.py"
_spec = importlib.util.spec_from_file_location("insightpulse_backup", TOOL)
tool = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tool)

UNITS = {"backup_now": "insightpulse-backup.service", "restore_drill": "insightpulse-restore-drill.service"}


@pytest.fixture
def spool(tmp_path, monkeypatch):
    requests, done = tmp_path / "requests", tmp_path / "done"
    requests.mkdir()
    done.mkdir()
    config = {
        "status_file": str(tmp_path / "status.json"),
        "ops": {"requests_dir": str(requests), "done_dir": str(done), "units": UNITS},
    }
    started = []

    def fake_run(argv, **kwargs):
        assert argv[:3] == ["systemctl", "start", "--no-block"], argv
        started.append(argv[3])
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(tool.subprocess, "run", fake_run)
    return tool.Backup(config), requests, done, started


def request(directory, action, rid, **overrides):
    body = {"action": action, "id": rid, "requested_by": "mcp", "requested_at": "2026-01-01T00:00:00+00:00"}
    body.update(overrides)
    path = directory / f"{action}.{rid}.json"
    path.write_text(json.dumps(body))
    return path


def test_known_actions_start_their_unit_and_move_to_done(spool):
    backup, requests, done, started = spool
    request(requests, "backup_now", "r1")
    request(requests, "restore_drill", "r2")
    backup.ops(settle_seconds=0)
    assert started == ["insightpulse-backup.service", "insightpulse-restore-drill.service"]
    assert list(requests.iterdir()) == []
    first = json.loads((done / "backup_now.r1.json").read_text())
    assert first["result"]["ok"] is True
    assert first["result"]["unit"] == "insightpulse-backup.service"
    assert first["requested_by"] == "mcp"
    assert oct((done / "backup_now.r1.json").stat().st_mode & 0o777) == "0o644"


@pytest.mark.parametrize(
    ("name", "body", "error"),
    [
        ("rm_rf.r3.json", {"action": "rm_rf", "id": "r3"}, "unknown action"),
        ("backup_now.r4.json", {"action": "restore_drill", "id": "r4"}, "differs from its name"),
        ("backup_now.r5.json", {"action": "backup_now", "id": "other"}, "id in the file differs"),
        ("backup_now.r6.json", ["backup_now"], "not a JSON object"),
        ("nonsense", {"action": "backup_now", "id": "x"}, "file name is not"),
    ],
)
def test_bad_requests_are_refused_never_executed(spool, name, body, error):
    backup, requests, done, started = spool
    (requests / name).write_text(json.dumps(body))
    backup.ops(settle_seconds=0)
    assert started == []
    assert list(requests.iterdir()) == []
    (moved,) = list(done.iterdir())
    result = json.loads(moved.read_text())["result"]
    assert result["ok"] is False
    assert error in result["error"]


def test_a_link_is_never_followed(spool, tmp_path):
    backup, requests, done, started = spool
    target = tmp_path / "secret"
    target.write_text(json.dumps({"action": "backup_now", "id": "r7"}))
    os.symlink(target, requests / "backup_now.r7.json")
    backup.ops(settle_seconds=0)
    assert started == []
    assert target.exists()
    result = json.loads((done / "backup_now.r7.json").read_text())["result"]
    assert result["ok"] is False


def test_a_file_being_written_waits_for_its_rename(spool):
    backup, requests, done, started = spool
    (requests / ".backup_now.r8.json.tmp").write_text("{")
    backup.ops(settle_seconds=0)
    # Past the settle time an unfinished file is refused, so the spool empties.
    assert started == []
    assert list(requests.iterdir()) == []
    assert len(list(done.iterdir())) == 1


def test_checksums_skip_excluded_paths_and_compare(tmp_path):
    root = tmp_path / "vol"
    (root / "filestore/ab").mkdir(parents=True)
    (root / "sessions").mkdir()
    (root / "filestore/ab/abcdef").write_bytes(b"attachment bytes")
    (root / "sessions/s1").write_text("session")
    os.symlink("filestore/ab/abcdef", root / "link")
    files = tool.file_checksums(str(root), ["sessions"])
    assert set(files) == {str(root / "filestore/ab/abcdef"), str(root / "link")}
    assert files[str(root / "link")] == {"link": "filestore/ab/abcdef"}

    restored = tmp_path / "restored"
    copy = restored / str(root / "filestore/ab").lstrip("/")
    copy.mkdir(parents=True)
    (copy / "abcdef").write_bytes(b"attachment bytes")
    os.symlink("filestore/ab/abcdef", restored / str(root / "link").lstrip("/"))
    assert tool.compare_files(files, str(restored)) == (2, [])

    (copy / "abcdef").write_bytes(b"changed")
    checked, problems = tool.compare_files(files, str(restored))
    assert problems == [{"path": str(root / "filestore/ab/abcdef"), "problem": "checksum differs"}]


def test_count_comparison_names_each_difference():
    assert tool.compare_counts({"public.a": 1}, {"public.a": 1}) == []
    assert tool.compare_counts({"public.a": 1, "public.b": 2}, {"public.a": 3}) == [
        {"table": "public.a", "backed_up": 1, "restored": 3},
        {"table": "public.b", "backed_up": 2, "restored": None},
    ]


def test_status_keeps_other_keys_and_is_world_readable(tmp_path):
    backup = tool.Backup({"status_file": str(tmp_path / "status.json")})
    backup.update_status(last_backup={"ok": True})
    backup.update_status(last_drill={"ok": False})
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["last_backup"] == {"ok": True}
    assert status["last_drill"] == {"ok": False}
    assert "updated" in status
    assert oct((tmp_path / "status.json").stat().st_mode & 0o777) == "0o644"


def test_env_file_values_keep_their_characters(tmp_path):
    env = tmp_path / "restic.env"
    env.write_text("# comment\nAWS_SECRET_ACCESS_KEY=ab/c+d=e\nRESTIC_REPOSITORY=s3:https://x/b/p\n")
    assert tool.read_env_file(str(env)) == {
        "AWS_SECRET_ACCESS_KEY": "ab/c+d=e",
        "RESTIC_REPOSITORY": "s3:https://x/b/p",
    }


def test_restore_needs_yes(tmp_path, capsys):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"status_file": str(tmp_path / "s.json"), "lock_file": str(tmp_path / "lock")}))
    assert tool.main(["--config", str(config), "restore"]) == 1
    assert "--yes" in capsys.readouterr().err
