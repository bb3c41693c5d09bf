import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.insightpulse.platform.plugins.modules import ocr_secret
from secret_file_helpers import VALID, args, mode


@pytest.fixture
def token_path(tmp_path):
    return tmp_path / "etc-ocr" / "token"


def test_creates_token_and_directory(run_module, token_path):
    res = run_module(ocr_secret.main, args(token_path))
    r = res.result
    assert r["changed"] is True and r["created"] is True and r["rotated"] is False
    token = r["token"]
    assert len(token) == 43 and ocr_secret.TOKEN_RE.match(token)
    assert token_path.read_text() == token + "\n"
    assert mode(token_path) == 0o600
    assert mode(token_path.parent) == 0o750
    assert r["fingerprint"] == ocr_secret.fingerprint(token) and len(r["fingerprint"]) == 16
    assert token not in r["fingerprint"]
    assert [p.name for p in token_path.parent.iterdir()] == ["token"]  # no temporary file left


def test_existing_token_returned_unchanged(run_module, token_path):
    token_path.parent.mkdir()
    token_path.write_text(f"  {VALID}\n\n")
    token_path.chmod(0o600)
    res = run_module(ocr_secret.main, args(token_path))
    assert res.result["changed"] is False
    assert res.result["created"] is False
    assert res.result["token"] == VALID
    assert token_path.read_text() == f"  {VALID}\n\n"  # content untouched


def test_second_run_is_idempotent(run_module, token_path):
    first = run_module(ocr_secret.main, args(token_path)).result
    second = run_module(ocr_secret.main, args(token_path)).result
    assert second["changed"] is False
    assert second["token"] == first["token"]


def test_wrong_mode_is_fixed(run_module, token_path):
    token_path.parent.mkdir()
    token_path.write_text(VALID)
    token_path.chmod(0o644)
    res = run_module(ocr_secret.main, args(token_path))
    assert res.result["changed"] is True and res.result["created"] is False
    assert res.result["token"] == VALID
    assert mode(token_path) == 0o600


def test_rotate_replaces_token(run_module, token_path):
    old = run_module(ocr_secret.main, args(token_path)).result["token"]
    inode = os.stat(token_path).st_ino
    res = run_module(ocr_secret.main, args(token_path, rotate=True))
    assert res.result["changed"] is True and res.result["rotated"] is True
    new = res.result["token"]
    assert new != old and len(new) == 43
    assert token_path.read_text().strip() == new
    assert mode(token_path) == 0o600
    assert os.stat(token_path).st_ino != inode  # renamed over, never half-written


def test_check_mode_missing_file_writes_nothing(run_module, token_path):
    res = run_module(ocr_secret.main, args(token_path), check_mode=True)
    assert res.result["changed"] is True and res.result["created"] is True
    assert res.result["token"] is None and res.result["fingerprint"] is None
    assert not token_path.parent.exists()


def test_check_mode_rotate_returns_current_token(run_module, token_path):
    token_path.parent.mkdir()
    token_path.write_text(VALID + "\n")
    token_path.chmod(0o600)
    before = token_path.stat()
    res = run_module(ocr_secret.main, args(token_path, rotate=True), check_mode=True)
    assert res.result["changed"] is True and res.result["rotated"] is True
    assert res.result["token"] == VALID
    after = token_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_check_mode_wrong_mode_reports_change_only(run_module, token_path):
    token_path.parent.mkdir()
    token_path.write_text(VALID)
    token_path.chmod(0o640)
    res = run_module(ocr_secret.main, args(token_path), check_mode=True)
    assert res.result["changed"] is True
    assert mode(token_path) == 0o640


@pytest.mark.parametrize("content", ["", "\n", "   \n\t\n"])
def test_empty_file_gets_a_token(run_module, token_path, content):
    token_path.parent.mkdir()
    token_path.write_text(content)
    res = run_module(ocr_secret.main, args(token_path))
    assert res.result["changed"] is True and res.result["created"] is True
    assert len(res.result["token"]) == 43
    assert token_path.read_text().strip() == res.result["token"]


@pytest.mark.parametrize(
    "content, words",
    [
        ("short-token", "shorter than min_length=32"),
        ("A" * 40 + " B", "characters a Bearer token cannot carry"),
        ("A" * 40 + "\u00e9", "characters a Bearer token cannot carry"),
        ("A" * 40 + "\n" + "B" * 10, "characters a Bearer token cannot carry"),
    ],
)
def test_invalid_token_fails_clearly_and_is_kept(run_module, token_path, content, words):
    token_path.parent.mkdir()
    token_path.write_text(content)
    res = run_module(ocr_secret.main, args(token_path))
    assert res.failed
    assert words in res.result["msg"] and "rotate=true" in res.result["msg"]
    assert content not in json.dumps(res.result)  # the bad token is not echoed either
    assert token_path.read_text() == content


def test_invalid_token_replaced_with_rotate(run_module, token_path):
    token_path.parent.mkdir()
    token_path.write_text("short-token")
    res = run_module(ocr_secret.main, args(token_path, rotate=True))
    assert res.result["changed"] is True and res.result["rotated"] is True
    assert len(res.result["token"]) == 43


def test_min_length_is_configurable(run_module, token_path):
    token_path.parent.mkdir()
    token_path.write_text("short-token")
    token_path.chmod(0o600)
    res = run_module(ocr_secret.main, args(token_path, min_length=8))
    assert res.result["changed"] is False and res.result["token"] == "short-token"
    assert run_module(ocr_secret.main, args(token_path, min_length=0)).failed


def test_path_is_a_directory(run_module, tmp_path):
    res = run_module(ocr_secret.main, args(tmp_path))
    assert res.failed and "is a directory" in res.result["msg"]


def test_unreadable_parent_fails_clearly(run_module, tmp_path, monkeypatch):
    def boom(*a, **kw):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ocr_secret.tempfile, "mkstemp", boom)
    res = run_module(ocr_secret.main, args(tmp_path / "token"))
    assert res.failed and "Cannot manage the token file" in res.result["msg"]
    assert not (tmp_path / "token").exists()


def test_numeric_owner_and_group(run_module, token_path):
    res = run_module(ocr_secret.main, args(token_path, owner=str(os.getuid()), group=str(os.getgid())))
    st = token_path.stat()
    assert (st.st_uid, st.st_gid) == (os.getuid(), os.getgid())
    assert res.result["changed"] is True


def test_unknown_owner_fails_without_leaving_files(run_module, token_path):
    res = run_module(ocr_secret.main, args(token_path, owner="no-such-user-ocr"))
    assert res.failed
    assert [p.name for p in token_path.parent.iterdir()] == []


def test_token_is_returned_in_the_clear_by_the_real_exit_json(token_path, capsys):
    """The unmocked AnsibleModule masks every no_log value in its result; the token must not be one,
    or the registered variable would hold ******** (hiding it is the task's no_log=true)."""
    module_args = {**args(token_path), "_ansible_check_mode": False}
    with patch_module_args(module_args), pytest.raises(SystemExit) as exc:
        ocr_secret.main()
    assert exc.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["token"] == token_path.read_text().strip()
    assert "********" not in json.dumps(out)
    assert out["invocation"]["module_args"]["path"] == str(token_path)


def test_reader_without_owner_leaves_ownership_alone(run_module, token_path, monkeypatch):
    """The Odoo host's delegated call passes no owner/group: nothing is chowned."""
    run_module(ocr_secret.main, args(token_path))
    calls = []
    monkeypatch.setattr(ocr_secret.AnsibleModule, "set_owner_if_different", lambda s, p, o, c, *a: calls.append(o) or c)
    monkeypatch.setattr(ocr_secret.AnsibleModule, "set_group_if_different", lambda s, p, g, c, *a: calls.append(g) or c)
    res = run_module(ocr_secret.main, {"path": str(token_path)})
    assert res.result["changed"] is False
    assert calls == [None, None]


def test_rotate_without_owner_keeps_the_files_owner(run_module, token_path, monkeypatch):
    run_module(ocr_secret.main, args(token_path))
    st = token_path.stat()
    seen = {}
    real_owner = ocr_secret.AnsibleModule.set_owner_if_different
    real_group = ocr_secret.AnsibleModule.set_group_if_different

    def owner(self, path, value, changed, *a):
        seen.setdefault("owner", value)
        return real_owner(self, path, value, changed, *a)

    def group(self, path, value, changed, *a):
        seen.setdefault("group", value)
        return real_group(self, path, value, changed, *a)

    monkeypatch.setattr(ocr_secret.AnsibleModule, "set_owner_if_different", owner)
    monkeypatch.setattr(ocr_secret.AnsibleModule, "set_group_if_different", group)
    res = run_module(ocr_secret.main, {"path": str(token_path), "rotate": True})
    assert res.result["rotated"] is True
    assert seen == {"owner": str(st.st_uid), "group": str(st.st_gid)}
    assert mode(token_path) == 0o600


# --- since ocr_secret runs on module_utils/secret_file -------------------------------------------------


def test_result_keys_are_unchanged(run_module, token_path):
    r = run_module(ocr_secret.main, args(token_path)).result
    assert set(r) == {"changed", "token", "path", "created", "rotated", "fingerprint"}


def test_existing_token_with_bearer_punctuation_is_still_accepted(run_module, token_path):
    token_path.parent.mkdir()
    token_path.write_text("Abc.def~ghi+jkl/mno-pqr_stu" + "x" * 10 + "==\n")
    token_path.chmod(0o600)
    res = run_module(ocr_secret.main, args(token_path))
    assert res.result["changed"] is False and res.result["token"].endswith("==")


def test_diff_shows_fingerprints_never_the_token(run_module, token_path):
    created = run_module(ocr_secret.main, args(token_path), diff=True).result
    assert created["diff"]["before"]["state"] == "absent"
    assert created["diff"]["after"]["fingerprint"] == created["fingerprint"]
    rotated = run_module(ocr_secret.main, args(token_path, rotate=True), diff=True).result
    assert rotated["diff"]["before"]["fingerprint"] == created["fingerprint"]
    for r in (created, rotated):
        assert r["token"] not in json.dumps(r["diff"])


def test_min_length_above_the_generated_length_is_refused(run_module, token_path):
    res = run_module(ocr_secret.main, args(token_path, min_length=44))
    assert res.failed and "length=43 is shorter than min_length=44" in res.result["msg"]
    assert not token_path.parent.exists()
    assert run_module(ocr_secret.main, args(token_path, min_length=43)).result["created"] is True


def test_unknown_owner_with_the_real_fail_json_leaves_no_temporary_file(token_path, capsys):
    """fail_json leaves by SystemExit; the old module's `except Exception` clean-up missed it."""
    module_args = {**args(token_path, owner="no-such-user-ocr"), "_ansible_check_mode": False}
    with patch_module_args(module_args), pytest.raises(SystemExit) as exc:
        ocr_secret.main()
    assert exc.value.code == 1
    assert json.loads(capsys.readouterr().out)["failed"] is True
    assert list(token_path.parent.iterdir()) == []
