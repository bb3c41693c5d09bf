"""scripts/host_state.py: the guard that proves the sandbox left this machine alone."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location("host_state", ROOT / "scripts" / "host_state.py")
host_state = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(host_state)


def _state(**overrides):
    state = {
        "taken_at": "2026-01-01T00:00:00Z",
        "clock_offset": 1_700_000_000.0,
        "kernel_timezone": {"minuteswest": 0, "dsttime": 0},
        "localtime": "/usr/share/zoneinfo/Etc/UTC",
        "modules": None,
        "sysctls": {"kernel/pid_max": "32768", "net/ipv4/conf/all/rp_filter": "0"},
    }
    state.update(overrides)
    return state


def test_live_snapshot_compares_equal_to_itself():
    snap = host_state.snapshot()
    assert isinstance(snap["clock_offset"], float)
    assert snap["sysctls"], "no sysctl could be read"
    assert host_state.differences(snap, host_state.snapshot()) == []


def test_clock_warp_by_a_time_zone_offset_is_reported():
    # What a container's first settimeofday() with Asia/Manila did: -8 h.
    changes = host_state.differences(_state(), _state(clock_offset=1_700_000_000.0 - 8 * 3600))
    assert changes == ["wall clock moved by -28800 s (-8.00 h) against the boot clock"]


def test_clock_drift_within_tolerance_is_not_reported():
    assert host_state.differences(_state(), _state(clock_offset=1_700_000_001.5)) == []


def test_kernel_time_zone_and_localtime_changes_are_reported():
    after = _state(kernel_timezone={"minuteswest": -480, "dsttime": 0}, localtime="/usr/share/zoneinfo/Asia/Manila")
    changes = host_state.differences(_state(), after)
    assert any(c.startswith("kernel_timezone:") and "-480" in c for c in changes)
    assert any(c.startswith("localtime:") and "Asia/Manila" in c for c in changes)


def test_loaded_and_unloaded_modules_are_reported():
    changes = host_state.differences(_state(modules=["overlay", "veth"]), _state(modules=["overlay", "xt_recent"]))
    assert changes == ["kernel module loaded: xt_recent", "kernel module unloaded: veth"]


def test_global_sysctl_change_is_reported_but_per_interface_keys_are_not():
    before = _state(sysctls={"fs/protected_regular": "0", "net/ipv4/conf/veth1a2b/forwarding": "0"})
    after = _state(sysctls={"fs/protected_regular": "1", "net/ipv4/conf/br-5f3e/forwarding": "1"})
    assert host_state.differences(before, after) == ["sysctl fs.protected_regular: 0 -> 1"]


def test_all_and_default_interface_keys_are_compared():
    before = _state(sysctls={"net/ipv4/conf/all/accept_redirects": "1"})
    after = _state(sysctls={"net/ipv4/conf/all/accept_redirects": "0"})
    assert host_state.differences(before, after) == ["sysctl net.ipv4.conf.all.accept_redirects: 1 -> 0"]


def test_read_sysctls_skips_counters_and_unreadable_keys(tmp_path):
    (tmp_path / "kernel" / "random").mkdir(parents=True)
    (tmp_path / "kernel" / "random" / "entropy_avail").write_text("256\n")
    (tmp_path / "kernel" / "pid_max").write_text("32768\n")
    (tmp_path / "fs").mkdir()
    (tmp_path / "fs" / "file-nr").write_text("1\t0\t9\n")
    (tmp_path / "vm").mkdir()
    (tmp_path / "vm" / "drop_caches").mkdir()  # a directory where a file is expected: unreadable
    assert host_state.read_sysctls(tmp_path) == {"kernel/pid_max": "32768"}


def test_read_modules_on_a_kernel_without_modules(tmp_path):
    assert host_state.read_modules(tmp_path / "modules") is None
    (tmp_path / "modules").write_text("xt_recent 24576 1 - Live 0x0\noverlay 151552 0 - Live 0x0\n")
    assert host_state.read_modules(tmp_path / "modules") == ["overlay", "xt_recent"]


def test_compare_exits_1_naming_the_change(tmp_path, monkeypatch, capsys):
    saved = tmp_path / "before.json"
    saved.write_text(json.dumps(_state()))
    monkeypatch.setattr(host_state, "snapshot", lambda: _state(sysctls={"kernel/pid_max": "4194304"}))
    assert host_state.main(["compare", str(saved)]) == 1
    err = capsys.readouterr().err
    assert "sysctl kernel.pid_max: 32768 -> 4194304" in err
    assert "net.ipv4.conf.all.rp_filter" in err  # a key that disappeared is a change too


def test_compare_exits_0_when_nothing_changed(tmp_path, monkeypatch, capsys):
    saved = tmp_path / "before.json"
    saved.write_text(json.dumps(_state()))
    monkeypatch.setattr(host_state, "snapshot", _state)
    assert host_state.main(["compare", str(saved)]) == 0
    assert "unchanged" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [[], ["diff", "x"], ["snapshot"]])
def test_usage_errors_exit_2(argv):
    assert host_state.main(argv) == 2
