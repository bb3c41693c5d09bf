"""Verify the foundation: a real systemd host that the preflight role recorded."""

import json


def test_systemd_is_pid1_and_running(host):
    assert host.file("/proc/1/comm").content_string.strip() == "systemd"
    state = host.run("systemctl is-system-running").stdout.strip()
    assert state == "running", host.run("systemctl --failed --no-legend").stdout


def test_python3_present(host):
    cmd = host.run("python3 -c 'import sys; print(sys.version_info[0])'")
    assert cmd.rc == 0
    assert cmd.stdout.strip() == "3"


def test_preflight_fact_records_the_collection(host):
    fact = host.file("/etc/ansible/facts.d/insightpulse.fact")
    assert fact.exists
    assert fact.user == "root"
    assert fact.mode == 0o644
    data = json.loads(fact.content_string)
    assert data["managed_by"] == "insightpulse.platform"
    with open(_galaxy_yml()) as fh:
        version = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("version:"))
    assert data["collection_version"] == version


def test_distribution_matches_platform(host):
    # The host named ...-debian12 must really be bookworm, ...-debian13 trixie.
    name = host.backend.get_hostname()
    codename = host.system_info.codename
    expected = {"debian12": "bookworm", "debian13": "trixie"}
    for suffix, wanted in expected.items():
        if name.endswith(suffix):
            assert codename == wanted
            return
    raise AssertionError(f"unexpected platform name {name}")


def _galaxy_yml():
    import os

    return os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], "galaxy.yml")
