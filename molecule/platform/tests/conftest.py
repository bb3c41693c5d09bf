"""Shared by the platform scenario's tests: the hosts, their addresses as this machine
sees them (it stands for a browser outside: the sandbox hosts' network is routed from
here), and HTTPS through the Nginx front by the services' names."""

import json
import os
import subprocess

import pytest
import testinfra
from testinfra.utils.ansible_runner import AnsibleRunner

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
RUNNER = AnsibleRunner(INVENTORY)
ERP_NAME = RUNNER.get_hosts("erp")[0]
OCR_NAME = RUNNER.get_hosts("ocr")[0]
DOMAIN = "insightpulse.test"  # platform_domain of inventories/local
NETWORK = "ipp-platform-net"  # molecule.yml


def host(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


def addresses_of(name):
    """Network name -> the host's address on it (the scenario's network and the sandbox
    images' network, which carries the default route: the hosts' "private network")."""
    out = subprocess.run(
        ["docker", "inspect", "-f", "{{json .NetworkSettings.Networks}}", name],
        capture_output=True,
        text=True,
        check=True,
    )
    return {net: data["IPAddress"] for net, data in json.loads(out.stdout).items()}


def address_of(name):
    return addresses_of(name)[NETWORK]


def https(address, fqdn, path, *args, timeout=30):
    """curl from this machine to https://<fqdn><path>, the name resolved to `address`
    (the self-signed certificate is the sandbox's) -> (status, body)."""
    out = subprocess.run(
        ["curl", "-sk", "--max-time", str(timeout), "--resolve", f"{fqdn}:443:{address}",
         "-o", "-", "-w", "\n%{http_code}", *args, f"https://{fqdn}{path}"],
        capture_output=True,
        text=True,
        check=False,
    )
    body, _, status = out.stdout.rpartition("\n")
    return int(status or 0), body


def ansible_playbook(*args, timeout=900):
    """ansible-playbook from the repository root against the scenario's inventory."""
    root = os.environ["MOLECULE_PROJECT_DIRECTORY"]
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(root, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0")
    return subprocess.run(
        ["ansible-playbook", "-i", INVENTORY, *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def erp():
    return host(ERP_NAME)


@pytest.fixture(scope="session")
def ocr():
    return host(OCR_NAME)


@pytest.fixture(scope="session")
def erp_address():
    return address_of(ERP_NAME)


@pytest.fixture(scope="session")
def ocr_address():
    return address_of(OCR_NAME)
