"""Render the firewall role's DOCKER-USER block with Ansible's own templating.

The Molecule scenario probes real traffic but only with `from: any`; this
checks the per-source and per-family selection of every rule kind, with the
same Jinja engine (ansible-core's) that renders it on a host.
"""

from pathlib import Path

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

TEMPLATE = Path(__file__).resolve().parents[3] / "roles/firewall/templates/docker-user.rules.j2"


def render(family, **overrides):
    variables = {
        "_firewall_family": family,
        "firewall_docker_interfaces": ["docker0", "br-+"],
        "firewall_docker_trusted_sources": [],
        "firewall_docker_allowed_ports": [],
        "firewall_docker_log_blocked": True,
    }
    variables.update(overrides)
    templar = Templar(loader=DataLoader(), variables=variables)
    return templar.template(trust_as_template(TEMPLATE.read_text()))


ALLOWED = [
    {"port": 8001, "from": "172.18.0.2"},
    {"port": 8002, "from": "fd00::2"},
    {"port": 8003},
    {"port": 8004, "proto": "udp", "from": "10.10.0.0/16"},
]


@pytest.mark.parametrize("family", [4, "4"])
def test_ipv4_block_keeps_ipv4_and_any_sources(family):
    out = render(family, firewall_docker_allowed_ports=ALLOWED)
    assert "-A DOCKER-USER -p tcp -s 172.18.0.2 -m conntrack --ctdir ORIGINAL --ctorigdstport 8001 -j RETURN" in out
    assert "-A DOCKER-USER -p tcp -m conntrack --ctdir ORIGINAL --ctorigdstport 8003 -j RETURN" in out
    assert "-A DOCKER-USER -p udp -s 10.10.0.0/16 -m conntrack --ctdir ORIGINAL --ctorigdstport 8004 -j RETURN" in out
    assert "fd00::2" not in out
    assert ":ufw-user-forward" in out


def test_ipv6_block_keeps_ipv6_and_any_sources():
    out = render(6, firewall_docker_allowed_ports=ALLOWED)
    assert "-s fd00::2 -m conntrack --ctdir ORIGINAL --ctorigdstport 8002 -j RETURN" in out
    assert "--ctorigdstport 8003 -j RETURN" in out
    assert "172.18.0.2" not in out and "10.10.0.0/16" not in out
    assert ":ufw6-user-forward" in out


def test_trusted_sources_by_family_and_allowed_rules_before_the_block():
    out = render(4, firewall_docker_trusted_sources=["192.0.2.0/24", "2001:db8::/32"],
                 firewall_docker_allowed_ports=ALLOWED)
    assert "-A DOCKER-USER -s 192.0.2.0/24 -j RETURN" in out
    assert "2001:db8::/32" not in out
    lines = out.splitlines()
    allow = lines.index(next(ln for ln in lines if "--ctorigdstport 8001" in ln))
    block = lines.index("-A DOCKER-USER -o docker0 -j ufw-docker-block")
    assert allow < block, "allowed ports must be decided before the drop"
