"""Verify the firewall for real: probe the targets from a container on the same network."""

import os
import subprocess
import textwrap

import pytest
import testinfra

TARGETS = ("ipp-firewall-debian12", "ipp-firewall-debian13")
PROBER = testinfra.get_host("docker://ipp-firewall-prober")
PROBE = textwrap.dedent(
    """
    import socket, sys
    try:
        socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()
    except OSError as exc:
        print(type(exc).__name__)
        sys.exit(1)
    """
)
OPEN = [22, 80, 443, 9000, 8080, 8081]  # SSH and web ports, a rule, an allowed published port, a route rule
CLOSED = [8069, 9100]  # a published port nobody allowed, a host port nobody allowed


@pytest.fixture
def target(host):
    name = host.backend.get_hostname()
    if name not in TARGETS:
        pytest.skip("not a firewall target")
    return host


def _ip(name):
    out = PROBER.check_output("getent hosts %s", name)
    return out.split()[0]


def _reachable(name, port):
    return PROBER.run("python3 -c %s %s %s", PROBE, _ip(name), str(port))


def test_ufw_active_with_policy(target):
    status = target.check_output("ufw status verbose")
    assert "Status: active" in status
    assert "Default: deny (incoming), allow (outgoing), deny (routed)" in status
    assert "Logging: on (low)" in status
    assert "22/tcp                     LIMIT IN    Anywhere" in status
    assert target.service("ufw").is_enabled


def test_same_iptables_backend(target):
    out = target.check_output("update-alternatives --query iptables")
    assert "Value: /usr/sbin/iptables-nft" in out
    # Docker's chains and UFW's chains are in the same (nft) tables.
    assert target.run("iptables -w -n -L DOCKER").rc == 0
    assert target.run("iptables -w -n -L ufw-user-input").rc == 0


def test_docker_user_chain_filled(target):
    rules = target.check_output("iptables -w -S DOCKER-USER")
    assert "-A DOCKER-USER -o docker0 -j ufw-docker-block" in rules
    assert "--ctorigdstport 8080" in rules
    assert "-A DOCKER-USER -j ufw-user-forward" in rules
    after = target.file("/etc/ufw/after.rules").content_string
    assert after.count("INSIGHTPULSE DOCKER-USER") == 2


def test_published_containers_run(target):
    # The blocked port is blocked by the firewall, not because nothing listens.
    for port in (8069, 8080, 8081):
        fetch = f"import urllib.request; urllib.request.urlopen('http://127.0.0.1:{port}/', timeout=3)"
        cmd = target.run("python3 -c %s", fetch)
        assert cmd.rc == 0, cmd.stderr


@pytest.mark.parametrize("port", OPEN)
def test_allowed_ports_answer_from_outside(target, port):
    probe = _reachable(target.backend.get_hostname(), port)
    assert probe.rc == 0, probe.stdout


@pytest.mark.parametrize("port", CLOSED)
def test_other_ports_blocked_from_outside(target, port):
    probe = _reachable(target.backend.get_hostname(), port)
    assert probe.rc == 1, f"port {port} answered from outside"
    assert "timeout" in probe.stdout.lower(), probe.stdout  # dropped, not refused


def test_containers_still_reach_out(target):
    prober_ip = target.check_output("getent hosts ipp-firewall-prober").split()[0]
    # An HTTP request from a container to the prober (busybox wget crashes on Debian 12: nc).
    script = (
        f"printf 'GET / HTTP/1.0\\r\\n\\r\\n' | /bin/busybox nc -w 5 {prober_ip} 8000 | /bin/busybox grep -q '200 OK'"
    )
    cmd = target.run("docker run --rm ipp-busybox:latest /bin/busybox sh -c %s", script)
    assert cmd.rc == 0, cmd.stderr


def test_wrong_port_type_fails_argument_validation(tmp_path):
    project = os.environ["MOLECULE_PROJECT_DIRECTORY"]
    playbook = tmp_path / "bad.yml"
    playbook.write_text(
        textwrap.dedent(
            """
            - hosts: all
              gather_facts: false
              roles:
                - role: insightpulse.platform.firewall
                  vars:
                    firewall_rules: [{port: http}]
            """
        )
    )
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(project, "ansible.cfg"))
    run = subprocess.run(
        ["ansible-playbook", "-i", "ipp-firewall-debian13,", "-c", "community.docker.docker", str(playbook)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    out = run.stdout + run.stderr
    assert run.returncode != 0, out
    assert "Validating arguments against arg spec" in out
    assert "firewall_rules" in out and "port" in out, out
    assert "changed=0" in out and "failed=1" in out, out
