"""module_utils/secret_file.py on its own.

Named test_secret_file_utils.py, not test_secret_file.py: tests/unit has no __init__.py files, so pytest
imports test modules by basename and two test_secret_file.py (this one and the module's) would collide.
"""

import errno
import hashlib
import math
import os
import re
import stat

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.insightpulse.platform.plugins.module_utils import secret_file as lib

ALPHABETS = {
    "urlsafe": "A-Za-z0-9_-",
    "bearer": "A-Za-z0-9_-",  # generated like urlsafe; accepts more
    "hex": "0-9a-f",
    "alnum": "A-Za-z0-9",
}
ALPHABET_SIZES = {"urlsafe": 64, "bearer": 64, "hex": 16, "alnum": 62}


class Failed(Exception):
    def __init__(self, msg, **kw):
        super().__init__(msg)
        self.msg = msg
        self.kw = kw


@pytest.fixture
def module(monkeypatch):
    """module(check_mode=False, diff=False) -> a real AnsibleModule whose fail_json raises Failed."""

    def fail_json(self, msg, **kw):
        raise Failed(msg, **kw)

    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)

    def make(check_mode=False, diff=False):
        with patch_module_args({"_ansible_check_mode": check_mode, "_ansible_diff": diff}):
            return basic.AnsibleModule(argument_spec={}, supports_check_mode=True)

    return make


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# --- formats ----------------------------------------------------------------------------------------


def test_the_format_set():
    assert list(lib.FORMATS) == ["urlsafe", "bearer", "hex", "alnum"]


@pytest.mark.parametrize("name", sorted(ALPHABETS))
def test_generated_alphabet_and_exact_length(name):
    fmt = lib.FORMATS[name]
    for length in list(range(1, 70)) + [128, 1000, lib.MAX_LENGTH]:
        value = fmt.generate(length)
        assert len(value) == length
        assert re.fullmatch(f"[{ALPHABETS[name]}]+", value), value
        assert fmt.problem(value, min(length, 32)) is None  # what is generated is accepted


@pytest.mark.parametrize("name", sorted(ALPHABETS))
def test_default_length_gives_256_bits(name):
    fmt = lib.FORMATS[name]
    value = fmt.generate()
    assert len(value) == fmt.default_length >= lib.DEFAULT_MIN_LENGTH
    assert fmt.default_length * math.log2(ALPHABET_SIZES[name]) >= 256


@pytest.mark.parametrize("name", sorted(ALPHABETS))
def test_generated_values_use_the_whole_alphabet(name):
    """Every character of the alphabet turns up, in every position of the value (no biased last character)."""
    fmt = lib.FORMATS[name]
    values = [fmt.generate(8) for _ in range(400)]
    expected = set(re.sub(f"[^{ALPHABETS[name]}]", "", "".join(chr(c) for c in range(128))))
    assert set("".join(values)) == expected
    for position in range(8):
        assert len({v[position] for v in values}) > ALPHABET_SIZES[name] * 0.6
    assert len(set(values)) == len(values)


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("urlsafe", "abc", "is 3 characters long, shorter than min_length=4"),
        ("urlsafe", "abc.", "contains characters outside the urlsafe format"),
        ("urlsafe", "abcd\n", "contains characters outside the urlsafe format"),  # no "$ before a newline" slip
        ("bearer", "ab=cd", "contains characters a Bearer token cannot carry"),
        ("bearer", "ab cd", "contains characters a Bearer token cannot carry"),
        ("hex", "abcg", "contains characters outside the hex format"),
        ("alnum", "ab_c", "contains characters outside the alnum format"),
        ("alnum", "abc\udcff", "contains characters outside the alnum format"),  # undecodable byte
    ],
)
def test_problem_names_the_reason_never_the_value(name, value, words):
    reason = lib.FORMATS[name].problem(value, 4)
    assert reason and words in reason
    assert value.strip() not in reason


@pytest.mark.parametrize(
    "name, value",
    [("urlsafe", "aB3-_"), ("bearer", "aB3-_.~+/=="), ("hex", "09afAF"), ("alnum", "aZ09")],
)
def test_problem_accepts_values_of_the_format(name, value):
    assert lib.FORMATS[name].problem(value, 4) is None


# --- fingerprint, reading, modes, lengths -----------------------------------------------------------


def test_fingerprint():
    assert lib.fingerprint("abc") == hashlib.sha256(b"abc").hexdigest()[:16]
    assert lib.fingerprint(None) is None
    assert lib.fingerprint("abc") != lib.fingerprint("abd")


def test_read_secret(tmp_path):
    path = tmp_path / "s"
    assert lib.read_secret(str(path)) == (None, False)
    path.write_text("  value \n\n")
    assert lib.read_secret(str(path)) == ("value", True)
    path.write_text("")
    assert lib.read_secret(str(path)) == ("", True)
    path.write_bytes(b"abc\xffdef")
    value, exists = lib.read_secret(str(path))
    assert exists and lib.FORMATS["alnum"].problem(value, 1)


def test_read_secret_refuses_a_large_file(tmp_path):
    path = tmp_path / "big"
    path.write_bytes(b"A" * (lib.MAX_FILE_BYTES + 1))
    with pytest.raises(OSError) as exc:
        lib.read_secret(str(path))
    assert exc.value.errno == errno.EFBIG and exc.value.filename == str(path)
    path.write_bytes(b"A" * lib.MAX_FILE_BYTES)
    assert lib.read_secret(str(path))[0] == "A" * lib.MAX_FILE_BYTES


@pytest.mark.parametrize(
    "given, expected",
    [
        ("0600", 0o600),
        ("600", 0o600),
        ("0640", 0o640),
        (" 0400 ", 0o400),
        ("0", 0),
        (0o600, 0o600),
        (0o777, 0o777),
        (384, 0o600),
        ("u=rw", None),
        ("0800", None),
        ("01600", None),
        ("", None),
        (600, None),  # decimal 600 = 0o1130: an unquoted YAML 600
        (-1, None),
        (True, None),
        (None, None),
    ],
)
def test_parse_mode(given, expected):
    assert lib.parse_mode(given) == expected


@pytest.mark.parametrize(
    "name, length, min_length, expected",
    [
        ("urlsafe", None, 32, (43, None)),
        ("hex", None, 32, (64, None)),
        ("alnum", 32, 32, (32, None)),
        ("alnum", 8, 8, (8, None)),
        ("hex", None, 65, (None, "length=64 is shorter than min_length=65")),
        ("urlsafe", 0, 1, (None, "length must be between 1 and 4096, not 0")),
        ("urlsafe", 4097, 1, (None, "length must be between 1 and 4096, not 4097")),
        ("urlsafe", None, 0, (None, "min_length must be at least 1, not 0")),
    ],
)
def test_check_lengths(name, length, min_length, expected):
    got = lib.check_lengths(lib.FORMATS[name], length, min_length)
    assert got[0] == expected[0]
    assert (got[1] is None) == (expected[1] is None)
    if expected[1]:
        assert got[1].startswith(expected[1])


# --- atomic write -----------------------------------------------------------------------------------


def test_write_atomic_writes_value_and_newline_with_mode(module, tmp_path):
    path = tmp_path / "s"
    lib.write_atomic(module(), str(path), "value", mode=0o640)
    assert path.read_text() == "value\n"
    assert mode(path) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["s"]


def test_write_atomic_content_is_private_until_the_mode_is_set(module, tmp_path, monkeypatch):
    """The temporary file is 0600 while it holds the value, whatever mode the file gets in the end."""
    seen = []
    real_fsync = os.fsync

    def fsync(fd):
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_fsync(fd)

    monkeypatch.setattr(lib.os, "fsync", fsync)
    lib.write_atomic(module(), str(tmp_path / "s"), "value", mode=0o644)
    assert seen[0] == 0o600


def test_write_atomic_replaces_by_rename(module, tmp_path):
    path = tmp_path / "s"
    path.write_text("old\n")
    inode = path.stat().st_ino
    lib.write_atomic(module(), str(path), "new")
    assert path.read_text() == "new\n" and path.stat().st_ino != inode


@pytest.mark.parametrize("failing", ["write", "fsync", "chmod", "rename"])
def test_write_atomic_failure_keeps_the_old_file_and_removes_the_temporary_one(module, tmp_path, monkeypatch, failing):
    path = tmp_path / "s"
    path.write_text("old\n")
    if failing == "write":
        # A full disk: the value is only half written to the temporary file.
        real_fdopen = os.fdopen

        class HalfWritten:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *a):
                self.fh.close()

            def write(self, data):
                self.fh.write(data[: len(data) // 2])
                self.fh.flush()
                raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(lib.os, "fdopen", lambda fd, *a: HalfWritten(real_fdopen(fd, *a)))
    else:

        def boom(*a, **kw):
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(lib.os, failing, boom)
    with pytest.raises(OSError):
        lib.write_atomic(module(), str(path), "new-value")
    monkeypatch.undo()
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["s"]


def test_write_atomic_removes_the_temporary_file_when_fail_json_exits(tmp_path, capsys):
    """An unknown owner makes the real fail_json raise SystemExit, which an `except Exception` would miss."""
    path = tmp_path / "s"
    with patch_module_args({"_ansible_check_mode": False}), pytest.raises(SystemExit):
        real = basic.AnsibleModule(argument_spec={}, supports_check_mode=True)
        lib.write_atomic(real, str(path), "value", owner="no-such-user-secret-file")
    assert "value" not in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_ensure_directory(module, tmp_path):
    path = tmp_path / "a" / "b" / "s"
    assert lib.ensure_directory(module(check_mode=True), str(path), None) is True
    assert not (tmp_path / "a").exists()
    assert lib.ensure_directory(module(), str(path), None) is True
    assert mode(path.parent) == 0o750
    assert lib.ensure_directory(module(), str(path), None) is False


# --- ensure_secret_file / manage --------------------------------------------------------------------


def test_ensure_returns_the_module_result(module, tmp_path):
    path = str(tmp_path / "s")
    r = lib.ensure_secret_file(module(diff=True), path, value_format="hex", length=40)
    assert set(r) == {"changed", "secret", "fingerprint", "path", "created", "rotated", "diff"}
    assert r["changed"] and r["created"] and not r["rotated"]
    assert re.fullmatch("[0-9a-f]{40}", r["secret"])
    assert r["diff"]["after"]["fingerprint"] == r["fingerprint"] == lib.fingerprint(r["secret"])
    again = lib.ensure_secret_file(module(), path, value_format="hex", length=40)
    assert not again["changed"] and again["secret"] == r["secret"] and "diff" not in again


def test_ensure_names_the_value_with_the_callers_noun(module, tmp_path):
    path = tmp_path / "s"
    path.write_text("x")
    with pytest.raises(Failed) as exc:
        lib.ensure_secret_file(module(), str(path), noun="token", consequence="clients get 401")
    assert exc.value.msg == (
        f"The token in {path} is 1 characters long, shorter than min_length=32. Fix the file, "
        "or replace the token with rotate=true (clients get 401)."
    )


def test_manage_turns_file_system_errors_into_one_line(module, tmp_path, monkeypatch):
    def boom(*a, **kw):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "s"))

    monkeypatch.setattr(lib, "read_secret", boom)
    with pytest.raises(Failed) as exc:
        lib.manage(module(), path=str(tmp_path / "s"))
    assert exc.value.msg.startswith(f"Cannot manage the secret file {tmp_path / 's'}: ")
    assert "Permission denied" in exc.value.msg
    assert exc.value.kw == {"path": str(tmp_path / "s")}
