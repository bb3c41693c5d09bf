"""Verify the common role on Debian 12 (512 MiB droplet sizing) and Debian 13."""

import pytest


def _is_small(host):
    # converge.yml sizes Debian 12 as a 512 MiB droplet; Debian 13 keeps its real RAM.
    return host.backend.get_hostname().endswith("debian12")


@pytest.mark.parametrize("name", ["ca-certificates", "curl", "jq", "tzdata", "unattended-upgrades", "openssh-server"])
def test_packages_installed(host, name):
    assert host.package(name).is_installed


def test_timezone_is_manila(host):
    assert host.run("timedatectl show --property=Timezone --value").stdout.strip() == "Asia/Manila"
    assert host.file("/etc/localtime").linked_to.endswith("Asia/Manila")


def test_swap_file_sized_from_memory(host):
    swap = host.file("/swapfile")
    if not _is_small(host):
        assert not swap.exists, "no swap file expected above 2 GiB of RAM"
        assert "/swapfile" not in host.file("/etc/fstab").content_string
        return
    assert swap.is_file
    assert swap.size == 512 * 1024 * 1024
    assert swap.user == "root" and swap.mode == 0o600
    assert host.run("blkid -o value -s TYPE /swapfile").stdout.strip() == "swap"
    assert "/swapfile none swap sw 0 0" in host.file("/etc/fstab").content_string.splitlines()


def test_unattended_upgrades_periodic_and_security_only(host):
    dump = host.check_output("apt-config dump")
    assert 'APT::Periodic::Update-Package-Lists "1";' in dump
    assert 'APT::Periodic::Unattended-Upgrade "1";' in dump
    assert 'Unattended-Upgrade::Automatic-Reboot "false";' in dump
    patterns = [line for line in dump.splitlines() if line.startswith("Unattended-Upgrade::Origins-Pattern:: ")]
    assert patterns, dump
    assert all("label=Debian-Security" in line for line in patterns), patterns
    assert host.service("unattended-upgrades").is_enabled


def test_journald_limits_applied(host):
    dropin = host.file("/etc/systemd/journald.conf.d/50-insightpulse.conf")
    assert dropin.mode == 0o644
    assert "SystemMaxUse=200M" in dropin.content_string.splitlines()
    assert "MaxRetentionSec=2week" in dropin.content_string.splitlines()
    assert host.service("systemd-journald").is_running


def test_sshd_hardened(host):
    dropin = host.file("/etc/ssh/sshd_config.d/00-insightpulse-hardening.conf")
    assert dropin.exists
    effective = host.check_output("/usr/sbin/sshd -T").splitlines()
    assert "passwordauthentication no" in effective
    assert "kbdinteractiveauthentication no" in effective
    assert "pubkeyauthentication yes" in effective
    # OpenSSH prints prohibit-password under its old name.
    assert any(line in ("permitrootlogin without-password", "permitrootlogin prohibit-password") for line in effective)
    assert host.service("ssh").is_running
