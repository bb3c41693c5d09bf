import json
import math
import os
import re
import stat

import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.insightpulse.platform.plugins.module_utils import secret_file as lib
from ansible_collections.insightpulse.platform.plugins.modules import secret_file
from secret_file_helpers import VALID, args, mode

ALPHABETS = {
    "urlsafe": "^[A-Za-z0-9_-]+$",
    "bearer": "^[A-Za-z0-9_-]+$",  # generated like urlsafe
    "hex": "^[0-9a-f]+$",
    "alnum": "^[A-Za-z0-9]+$",
}
ALPHABET_SIZES = {"urlsafe": 64, "bearer": 64, "hex": 16, "alnum": 62}


@pytest.fixture
def secret_path(tmp_path):
    return tmp_path / "secrets" / "value"


@pytest.fixture
def warnings(monkeypatch):
    """warnings() -> the distinct warnings the module gave since the test started (the test helpers' exit_json
    drops them, and where ansible's warn() sends them depends on what other tests imported)."""
    seen = []
    monkeypatch.setattr(secret_file.AnsibleModule, "warn", lambda self, warning, **kw: seen.append(warning))
    return lambda: sorted(set(seen))


def existing(path, content, file_mode=0o600):
    path.parent.mkdir(exist_ok=True)
    path.write_text(content)
    path.chmod(file_mode)
    return path.stat()


def assert_untouched(path, before, content):
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns, stat.S_IMODE(after.st_mode)) == (
        before.st_ino,
        before.st_mtime_ns,
        stat.S_IMODE(before.st_mode),
    )
    assert path.read_text() == content


def leftovers(directory, keep="value"):
    return sorted(p.name for p in directory.iterdir() if p.name != keep)


# --- create / keep / rotate ---------------------------------------------------------------------------


def test_creates_secret_file_and_directory(run_module, secret_path):
    r = run_module(secret_file.main, args(secret_path)).result
    assert r["changed"] is True and r["created"] is True and r["rotated"] is False
    value = r["secret"]
    assert len(value) == 43 and re.match(ALPHABETS["urlsafe"], value)
    assert secret_path.read_text() == value + "\n"
    assert mode(secret_path) == 0o600
    assert mode(secret_path.parent) == 0o750
    assert r["fingerprint"] == lib.fingerprint(value) and re.match("^[0-9a-f]{16}$", r["fingerprint"])
    assert r["path"] == str(secret_path)
    assert "token" not in r
    assert leftovers(secret_path.parent) == []  # no temporary file left


def test_existing_secret_is_kept(run_module, secret_path):
    before = existing(secret_path, f"  {VALID}\n\n")
    r = run_module(secret_file.main, args(secret_path)).result
    assert r["changed"] is False and r["created"] is False and r["rotated"] is False
    assert r["secret"] == VALID and r["fingerprint"] == lib.fingerprint(VALID)
    assert_untouched(secret_path, before, f"  {VALID}\n\n")


def test_second_run_is_idempotent(run_module, secret_path):
    first = run_module(secret_file.main, args(secret_path, format="alnum", length=50, mode="0640")).result
    second = run_module(secret_file.main, args(secret_path, format="alnum", length=50, mode="0640")).result
    assert first["changed"] is True and second["changed"] is False
    assert second["secret"] == first["secret"] and second["fingerprint"] == first["fingerprint"]


def test_rotate_replaces_the_secret(run_module, secret_path):
    old = run_module(secret_file.main, args(secret_path)).result
    inode = secret_path.stat().st_ino
    r = run_module(secret_file.main, args(secret_path, rotate=True)).result
    assert r["changed"] is True and r["rotated"] is True and r["created"] is False
    assert r["secret"] != old["secret"] and r["fingerprint"] != old["fingerprint"]
    assert secret_path.read_text() == r["secret"] + "\n"
    assert mode(secret_path) == 0o600
    assert secret_path.stat().st_ino != inode  # renamed over, never written in place
    assert leftovers(secret_path.parent) == []


def test_rotate_keeps_format_and_length(run_module, secret_path):
    run_module(secret_file.main, args(secret_path, format="hex"))
    r = run_module(secret_file.main, args(secret_path, format="hex", length=40, rotate=True)).result
    assert len(r["secret"]) == 40 and re.match(ALPHABETS["hex"], r["secret"])


@pytest.mark.parametrize("content", ["", "\n", "   \n\t\n"])
def test_empty_file_gets_a_secret(run_module, secret_path, content):
    existing(secret_path, content, 0o640)
    r = run_module(secret_file.main, {"path": str(secret_path), "mode": "0640"}).result
    assert r["changed"] is True and r["created"] is True and r["rotated"] is False
    assert len(r["secret"]) == 43
    assert secret_path.read_text() == r["secret"] + "\n"
    assert mode(secret_path) == 0o640


# --- formats and lengths ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(ALPHABETS))
def test_each_format_default_alphabet_and_length(run_module, secret_path, fmt):
    r = run_module(secret_file.main, args(secret_path, format=fmt)).result
    value = r["secret"]
    assert re.match(ALPHABETS[fmt], value)
    assert len(value) == {"hex": 64}.get(fmt, 43)
    assert len(value) * math.log2(ALPHABET_SIZES[fmt]) >= 256  # the documented strength


@pytest.mark.parametrize("fmt", sorted(ALPHABETS))
@pytest.mark.parametrize("length", [32, 33, 47, 100])
def test_each_format_honours_length(run_module, secret_path, fmt, length):
    value = run_module(secret_file.main, args(secret_path, format=fmt, length=length)).result["secret"]
    assert len(value) == length and re.match(ALPHABETS[fmt], value)
    assert secret_path.read_text() == value + "\n"


def test_superset_secret_key_is_at_least_32_characters(run_module, secret_path):
    """Superset refuses a SECRET_KEY shorter than 32 characters: the defaults never make one."""
    for fmt in ALPHABETS:
        r = run_module(secret_file.main, args(secret_path, format=fmt, rotate=True)).result
        assert len(r["secret"]) >= 32


@pytest.mark.parametrize(
    "kw, words",
    [
        ({"min_length": 0}, "min_length must be at least 1, not 0"),
        ({"length": 0}, "length must be between 1 and 4096, not 0"),
        ({"length": 5000}, "length must be between 1 and 4096, not 5000"),
        ({"length": 20}, "length=20 is shorter than min_length=32"),
        ({"format": "hex", "length": 16, "min_length": 20}, "length=16 is shorter than min_length=20"),
    ],
)
def test_lengths_that_do_not_fit_are_refused_before_anything_is_written(run_module, secret_path, kw, words):
    res = run_module(secret_file.main, args(secret_path, **kw))
    assert res.failed and words in res.result["msg"]
    assert not secret_path.parent.exists()


def test_unknown_format_is_refused(run_module, secret_path):
    res = run_module(secret_file.main, args(secret_path, format="base64"))
    assert res.failed and "format" in res.result["msg"]


def test_short_length_with_lower_min_length(run_module, secret_path):
    r = run_module(secret_file.main, args(secret_path, format="alnum", length=16, min_length=16)).result
    assert len(r["secret"]) == 16
    again = run_module(secret_file.main, args(secret_path, format="alnum", length=16, min_length=16)).result
    assert again["changed"] is False and again["secret"] == r["secret"]


# --- existing values that would break their consumer -----------------------------------------------


@pytest.mark.parametrize(
    "fmt, content, words",
    [
        ("urlsafe", "short-value", "is 11 characters long, shorter than min_length=32"),
        ("urlsafe", "A" * 40 + ".~", "characters outside the urlsafe format (allowed: A-Z a-z 0-9 - _)"),
        ("urlsafe", "A" * 40 + " B", "characters outside the urlsafe format"),
        ("urlsafe", "A" * 40 + "\n" + "B" * 10, "characters outside the urlsafe format"),
        ("urlsafe", "A" * 40 + "\u00e9", "characters outside the urlsafe format"),
        ("bearer", "A" * 40 + " B", "characters a Bearer token cannot carry"),
        ("bearer", "A" * 20 + "=" + "B" * 20, "characters a Bearer token cannot carry"),
        ("hex", "0123456789abcdef" * 2 + "g", "characters outside the hex format (allowed: 0-9 a-f A-F)"),
        ("alnum", "A" * 40 + "-x", "characters outside the alnum format (allowed: A-Z a-z 0-9)"),
        ("alnum", "p@ss:w/rd" * 5, "characters outside the alnum format"),
    ],
)
def test_malformed_value_is_refused_naming_the_path_not_the_value(run_module, secret_path, fmt, content, words):
    before = existing(secret_path, content)
    res = run_module(secret_file.main, args(secret_path, format=fmt), diff=True)
    assert res.failed
    msg = res.result["msg"]
    assert words in msg and str(secret_path) in msg and "rotate=true" in msg
    dumped = json.dumps(res.result)
    assert content.strip() not in dumped and json.dumps(content.strip())[1:-1] not in dumped
    assert_untouched(secret_path, before, content)
    assert leftovers(secret_path.parent) == []


def test_malformed_value_is_refused_in_check_mode_too(run_module, secret_path):
    before = existing(secret_path, "short")
    res = run_module(secret_file.main, args(secret_path), check_mode=True)
    assert res.failed and "shorter than min_length=32" in res.result["msg"]
    assert_untouched(secret_path, before, "short")


@pytest.mark.parametrize(
    "fmt, content",
    [
        ("bearer", "Abc.def~ghi+jkl/mno-pqr_stu" + "x" * 10 + "=="),
        ("hex", "0123456789ABCDEF" * 3),
        ("alnum", "Abc123" * 6),
        ("urlsafe", "abc_DEF-123" * 3),
    ],
)
def test_values_within_the_format_are_accepted(run_module, secret_path, fmt, content):
    existing(secret_path, content + "\n")
    r = run_module(secret_file.main, args(secret_path, format=fmt)).result
    assert r["changed"] is False and r["secret"] == content


def test_malformed_value_replaced_with_rotate(run_module, secret_path):
    existing(secret_path, "p@ss word")
    r = run_module(secret_file.main, args(secret_path, format="alnum", rotate=True)).result
    assert r["changed"] is True and r["rotated"] is True
    assert re.match(ALPHABETS["alnum"], r["secret"]) and len(r["secret"]) == 43


def test_min_length_accepts_a_shorter_existing_value(run_module, secret_path):
    existing(secret_path, "short-value")
    r = run_module(secret_file.main, args(secret_path, min_length=8, length=43)).result
    assert r["changed"] is False and r["secret"] == "short-value"


def test_a_large_file_is_not_a_secret_file(run_module, secret_path):
    existing(secret_path, "A" * 70000)
    res = run_module(secret_file.main, args(secret_path))
    assert res.failed and f"Cannot manage the secret file {secret_path}" in res.result["msg"]
    assert "not a secret file" in res.result["msg"] and "AAAA" not in res.result["msg"]
    assert secret_path.stat().st_size == 70000


def test_path_is_a_directory(run_module, tmp_path):
    res = run_module(secret_file.main, args(tmp_path))
    assert res.failed and "is a directory, not a secret file" in res.result["msg"]


# --- check mode -------------------------------------------------------------------------------------


def test_check_mode_missing_file_writes_nothing(run_module, secret_path):
    r = run_module(secret_file.main, args(secret_path), check_mode=True).result
    assert r["changed"] is True and r["created"] is True and r["rotated"] is False
    assert r["secret"] is None and r["fingerprint"] is None
    assert not secret_path.parent.exists()


def test_check_mode_missing_file_in_existing_directory(run_module, secret_path):
    secret_path.parent.mkdir()
    r = run_module(secret_file.main, args(secret_path, mode="0640"), check_mode=True).result
    assert r["changed"] is True and r["secret"] is None
    assert list(secret_path.parent.iterdir()) == []


def test_check_mode_empty_file_writes_nothing(run_module, secret_path):
    before = existing(secret_path, "\n")
    r = run_module(secret_file.main, args(secret_path), check_mode=True).result
    assert r["changed"] is True and r["created"] is True and r["secret"] is None
    assert_untouched(secret_path, before, "\n")


def test_check_mode_present_file_returns_it(run_module, secret_path):
    before = existing(secret_path, VALID + "\n")
    r = run_module(secret_file.main, args(secret_path), check_mode=True).result
    assert r["changed"] is False and r["secret"] == VALID
    assert_untouched(secret_path, before, VALID + "\n")


def test_check_mode_rotate_returns_current_value_and_writes_nothing(run_module, secret_path):
    before = existing(secret_path, VALID + "\n")
    r = run_module(secret_file.main, args(secret_path, rotate=True), check_mode=True, diff=True).result
    assert r["changed"] is True and r["rotated"] is True
    assert r["secret"] == VALID and r["fingerprint"] == lib.fingerprint(VALID)
    assert r["diff"]["after"]["fingerprint"] == lib.NOT_GENERATED
    assert_untouched(secret_path, before, VALID + "\n")
    assert leftovers(secret_path.parent) == []


def test_check_mode_wrong_mode_reports_change_only(run_module, secret_path):
    before = existing(secret_path, VALID, 0o644)
    r = run_module(secret_file.main, args(secret_path), check_mode=True, diff=True).result
    assert r["changed"] is True and r["created"] is False and r["secret"] == VALID
    assert r["diff"]["before"]["mode"] == "0644" and r["diff"]["after"]["mode"] == "0600"
    assert_untouched(secret_path, before, VALID)


def test_check_mode_prediction_matches_the_real_run(run_module, secret_path):
    for kw in ({}, {}, {"mode": "0640"}, {"rotate": True}, {"mode": "0640"}):
        predicted = run_module(secret_file.main, args(secret_path, **kw), check_mode=True).result
        real = run_module(secret_file.main, args(secret_path, **kw)).result
        for key in ("changed", "created", "rotated"):
            assert predicted[key] == real[key], (kw, key)


# --- mode and ownership -----------------------------------------------------------------------------


@pytest.mark.parametrize("given, expected", [("0640", 0o640), ("640", 0o640), ("0400", 0o400), (0o440, 0o440)])
def test_mode_is_applied_to_a_new_file(run_module, secret_path, given, expected):
    run_module(secret_file.main, args(secret_path, mode=given))
    assert mode(secret_path) == expected


def test_mode_of_an_existing_file_is_fixed_and_the_value_kept(run_module, secret_path):
    existing(secret_path, VALID + "\n", 0o644)
    r = run_module(secret_file.main, args(secret_path, mode="0640"), diff=True).result
    assert r["changed"] is True and r["created"] is False and r["secret"] == VALID
    assert mode(secret_path) == 0o640
    assert secret_path.read_text() == VALID + "\n"
    assert r["diff"]["before"]["mode"] == "0644" and r["diff"]["after"]["mode"] == "0640"


def test_rotate_applies_the_requested_mode(run_module, secret_path):
    existing(secret_path, VALID + "\n", 0o600)
    run_module(secret_file.main, args(secret_path, mode="0640", rotate=True))
    assert mode(secret_path) == 0o640


@pytest.mark.parametrize("given", ["u=rw,g=r", "0999", "", "12345", 640, 0o4600, True])
def test_modes_that_are_not_plain_octal_are_refused(run_module, secret_path, given):
    res = run_module(secret_file.main, args(secret_path, mode=given))
    assert res.failed and "mode must be an octal mode" in res.result["msg"]
    assert not secret_path.parent.exists()


def test_world_readable_mode_warns_without_the_value(run_module, secret_path, warnings):
    r = run_module(secret_file.main, args(secret_path, mode="0644")).result
    assert mode(secret_path) == 0o644
    (warning,) = warnings()
    assert str(secret_path) in warning and "0644" in warning
    assert r["secret"] not in warning and r["fingerprint"] not in warning


def test_no_warning_for_private_modes(run_module, secret_path, warnings):
    run_module(secret_file.main, args(secret_path, mode="0640"))
    run_module(secret_file.main, args(secret_path, mode="0600", rotate=True))
    assert warnings() == []


def test_numeric_owner_and_group(run_module, secret_path):
    r = run_module(secret_file.main, args(secret_path, owner=str(os.getuid()), group=str(os.getgid()))).result
    st = secret_path.stat()
    assert (st.st_uid, st.st_gid) == (os.getuid(), os.getgid())
    assert r["changed"] is True


root_only = pytest.mark.skipif(os.getuid() != 0, reason="chown to another user needs root")


@root_only
def test_owner_and_group_applied_to_new_and_existing_files(run_module, secret_path):
    run_module(secret_file.main, {"path": str(secret_path), "owner": "12345", "group": "12346"})
    st = secret_path.stat()
    assert (st.st_uid, st.st_gid) == (12345, 12346)
    assert (secret_path.parent.stat().st_gid) == 12346  # the created directory's group
    r = run_module(secret_file.main, {"path": str(secret_path), "owner": "12347"}, diff=True).result
    assert r["changed"] is True
    assert (secret_path.stat().st_uid, secret_path.stat().st_gid) == (12347, 12346)
    assert r["diff"]["before"]["owner"] == 12345 and r["diff"]["after"]["owner"] == 12347


@root_only
def test_without_owner_a_rotated_or_refilled_file_keeps_its_owner(run_module, secret_path):
    run_module(secret_file.main, {"path": str(secret_path), "owner": "12345", "group": "12346"})
    run_module(secret_file.main, {"path": str(secret_path), "rotate": True})
    st = secret_path.stat()
    assert (st.st_uid, st.st_gid) == (12345, 12346)
    secret_path.write_text("")
    r = run_module(secret_file.main, {"path": str(secret_path)}).result
    assert r["created"] is True
    st = secret_path.stat()
    assert (st.st_uid, st.st_gid) == (12345, 12346)


def test_reader_without_owner_leaves_ownership_alone(run_module, secret_path, monkeypatch):
    run_module(secret_file.main, args(secret_path))
    calls = []
    monkeypatch.setattr(
        secret_file.AnsibleModule, "set_owner_if_different", lambda s, p, o, c, *a: calls.append(o) or c
    )
    monkeypatch.setattr(
        secret_file.AnsibleModule, "set_group_if_different", lambda s, p, g, c, *a: calls.append(g) or c
    )
    r = run_module(secret_file.main, {"path": str(secret_path)}).result
    assert r["changed"] is False
    assert calls == [None, None]


def test_unknown_owner_fails_without_leaving_files(run_module, secret_path):
    res = run_module(secret_file.main, args(secret_path, owner="no-such-user-secret-file"))
    assert res.failed and "no-such-user-secret-file" in res.result["msg"]
    assert list(secret_path.parent.iterdir()) == []


# --- atomic writes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("failing", ["fsync", "rename", "chmod"])
def test_failed_write_leaves_the_old_file_and_no_partial_one(run_module, secret_path, monkeypatch, failing):
    before = existing(secret_path, VALID + "\n")
    real = getattr(os, failing)

    def boom(*a, **kw):
        if failing == "fsync" or ".tmp" in str(a[0]):
            raise OSError(5, "Input/output error")
        return real(*a, **kw)

    monkeypatch.setattr(lib.os, failing, boom)
    res = run_module(secret_file.main, args(secret_path, rotate=True))
    assert res.failed
    assert res.result["msg"].startswith(f"Cannot manage the secret file {secret_path}: ")
    assert "Input/output error" in res.result["msg"]
    monkeypatch.undo()
    assert_untouched(secret_path, before, VALID + "\n")
    assert leftovers(secret_path.parent) == []


def test_failed_first_write_leaves_no_file(run_module, secret_path, monkeypatch):
    def boom(*a, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(lib.os, "fsync", boom)
    res = run_module(secret_file.main, args(secret_path))
    assert res.failed and "No space left on device" in res.result["msg"]
    monkeypatch.undo()
    assert list(secret_path.parent.iterdir()) == []


def test_unknown_owner_with_the_real_fail_json_leaves_no_temporary_file(secret_path, capsys):
    """fail_json leaves by SystemExit, which an `except Exception` clean-up would miss."""
    existing(secret_path, VALID + "\n")
    module_args = {**args(secret_path, owner="no-such-user-secret-file", rotate=True), "_ansible_check_mode": False}
    with patch_module_args(module_args), pytest.raises(SystemExit) as exc:
        secret_file.main()
    assert exc.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["failed"] is True and "no-such-user-secret-file" in out["msg"]
    assert secret_path.read_text() == VALID + "\n"
    assert leftovers(secret_path.parent) == []


# --- the value stays out of diff, warnings and messages ----------------------------------------------


def test_diff_shows_fingerprints_never_the_value(run_module, secret_path, warnings):
    created = run_module(secret_file.main, args(secret_path, mode="0644"), diff=True).result
    value = created["secret"]
    assert created["diff"]["before"] == {"path": str(secret_path), "state": "absent", "fingerprint": None}
    assert created["diff"]["after"] == {
        "path": str(secret_path),
        "state": "file",
        "fingerprint": created["fingerprint"],
    }
    rotated = run_module(secret_file.main, args(secret_path, mode="0644", rotate=True), diff=True).result
    assert rotated["diff"]["before"]["fingerprint"] == created["fingerprint"]
    assert rotated["diff"]["after"]["fingerprint"] == rotated["fingerprint"] != created["fingerprint"]
    kept = run_module(secret_file.main, args(secret_path, mode="0600"), diff=True).result
    assert kept["diff"]["before"]["fingerprint"] == kept["diff"]["after"]["fingerprint"] == rotated["fingerprint"]
    assert len(warnings()) == 1  # mode 0644, twice (deduplicated)
    for r, v in ((created, value), (rotated, rotated["secret"]), (kept, kept["secret"])):
        assert v not in json.dumps(r["diff"])
        assert v not in json.dumps(warnings())


def test_no_diff_without_diff_mode(run_module, secret_path):
    assert "diff" not in run_module(secret_file.main, args(secret_path)).result


def test_check_mode_diff_of_a_missing_file(run_module, secret_path):
    r = run_module(secret_file.main, args(secret_path), check_mode=True, diff=True).result
    assert r["diff"]["before"]["state"] == "absent"
    assert r["diff"]["after"] == {"path": str(secret_path), "state": "file", "fingerprint": lib.NOT_GENERATED}


def test_secret_is_returned_in_the_clear_by_the_real_exit_json(secret_path, capsys):
    """The unmocked AnsibleModule masks every no_log value in its result; the secret must not be one,
    or the registered variable would hold ******** (hiding it is the task's no_log=true)."""
    module_args = {**args(secret_path, format="alnum"), "_ansible_check_mode": False, "_ansible_diff": True}
    with patch_module_args(module_args), pytest.raises(SystemExit) as exc:
        secret_file.main()
    assert exc.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["secret"] == secret_path.read_text().strip()
    assert "********" not in json.dumps(out)
    assert out["secret"] not in json.dumps(out["diff"]) and out["secret"] not in json.dumps(out["invocation"])
    assert out["invocation"]["module_args"]["path"] == str(secret_path)


def test_no_option_is_no_log_and_none_carries_a_secret(secret_path, capsys):
    """Options hold no secret (no_log would be wrong); the invocation is echoed in full."""
    module_args = {**args(secret_path), "_ansible_check_mode": True}
    with patch_module_args(module_args), pytest.raises(SystemExit):
        secret_file.main()
    out = json.loads(capsys.readouterr().out)
    assert set(out["invocation"]["module_args"]) == {
        "path",
        "format",
        "length",
        "min_length",
        "rotate",
        "owner",
        "group",
        "mode",
    }
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" not in json.dumps(out)
