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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test item (rep_setup, rep_call): fixtures that save
    evidence on failure read it."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


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


class OdooRPC:
    """Odoo's JSON-RPC through the Nginx front over HTTPS, as the admin user (the role's
    kept admin password, read on the ERP host)."""

    def __init__(self, address, password, database="odoo"):
        self.address, self.password, self.database = address, password, database
        self.uid = self.call("common", "login", database, "admin", password)
        assert self.uid, "admin login refused"

    def call(self, service, method, *args):
        payload = json.dumps(
            {"jsonrpc": "2.0", "method": "call", "params": {"service": service, "method": method, "args": list(args)}}
        )
        out = subprocess.run(
            ["curl", "-sk", "--max-time", "120", "--resolve", f"erp.{DOMAIN}:443:{self.address}",
             "-H", "Content-Type: application/json", "--data-binary", "@-", f"https://erp.{DOMAIN}/jsonrpc"],
            input=payload,
            capture_output=True,
            text=True,
            check=True,
        )
        answer = json.loads(out.stdout)
        if "error" in answer:
            raise RuntimeError(answer["error"].get("data", {}).get("message") or answer["error"])
        return answer["result"]

    def __call__(self, model, method, *args, **kwargs):
        return self.call(
            "object", "execute_kw", self.database, self.uid, self.password, model, method, list(args), kwargs
        )


@pytest.fixture(scope="session")
def odoo(erp, erp_address):
    password = erp.file("/etc/insightpulse/secrets/odoo_admin_password").content_string.strip()
    return OdooRPC(erp_address, password)


def receipt(seed, kind="standard"):
    """A generated receipt photo (JPEG bytes) and what it says, from the OCR service's own
    test generator (services/ocr/tests/receipts.py, in the service's venv)."""
    root = os.environ["MOLECULE_PROJECT_DIRECTORY"]
    script = (
        "import base64, json, sys; sys.path.insert(0, 'tests'); import receipts\n"
        f"r, jpeg = receipts.receipt_jpeg({seed}) if {kind!r} == 'standard' "
        f"else receipts.kind_receipt_jpeg({seed}, {kind!r})\n"
        "print(json.dumps({'expected': r.expected, 'jpeg': base64.b64encode(jpeg).decode()}))"
    )
    out = subprocess.run(
        [os.path.join(root, "services/ocr/.venv/bin/python"), "-c", script],
        cwd=os.path.join(root, "services/ocr"),
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    return data["expected"], data["jpeg"]
