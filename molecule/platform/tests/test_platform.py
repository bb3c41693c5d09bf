"""The converged platform seen from outside and re-run: every service healthy through the
Nginx front, the health table, the ports a stranger can reach, and a check-mode re-run
at -vvv that changes nothing and prints none of the secrets the roles generated."""

import json
import re
import socket
from concurrent.futures import ThreadPoolExecutor

from conftest import DOMAIN, ERP_NAME, OCR_NAME, addresses_of, ansible_playbook, https

# Ports a service of the platform listens on somewhere; from outside only the front's
# 80 and 443 (and SSH where the host runs it) may answer.
PROBED_PORTS = [22, 80, 443, 3000, 5432, 5678, 6379, 8001, 8069, 8072, 8088, 8169, 8172, 2375, 2376]


def open_ports(address, ports, timeout=1.0):
    """The ports that accept a TCP connection, probed all at once: a port the firewall
    drops answers nothing and costs the whole timeout."""

    def accepts(port):
        with socket.socket() as sock:
            sock.settimeout(timeout)
            return sock.connect_ex((address, port)) == 0

    with ThreadPoolExecutor(max_workers=len(ports)) as pool:
        return [port for port, ok in zip(ports, pool.map(accepts, ports), strict=True) if ok]


def test_odoo_and_ocr_answer_through_the_front(erp_address):
    status, body = https(erp_address, f"erp.{DOMAIN}", "/web/health")
    assert (status, json.loads(body)) == (200, {"status": "pass"})
    status, body = https(erp_address, f"ocr.{DOMAIN}", "/health")
    assert status == 200 and json.loads(body)["status"] == "healthy"


def test_the_health_table_lists_every_enabled_service():
    run = ansible_playbook("playbooks/healthcheck.yml")
    assert run.returncode == 0, run.stdout[-3000:]
    # The table's rows, as the debug task prints them: "odoo  https://erp...  up  12  18.0  yes".
    row = re.compile(r"^[\s\"-]*(odoo|ocr|superset|n8n|mcp)\s+https://.*$", re.M)
    rows = {m.group(1): m.group(0) for m in row.finditer(run.stdout)}
    assert {"odoo", "ocr"} <= set(rows), run.stdout[-3000:]
    assert " up " in rows["odoo"] and "18.0" in rows["odoo"], rows["odoo"]
    assert " up " in rows["ocr"], rows["ocr"]


def test_only_the_front_is_reachable_from_outside(erp, ocr):
    """From this machine (outside both hosts), on every address each host has."""
    for node, name, front in ((erp, ERP_NAME, [80, 443]), (ocr, OCR_NAME, [])):
        ssh = [22] if node.socket("tcp://0.0.0.0:22").is_listening else []
        for address in addresses_of(name).values():
            assert open_ports(address, PROBED_PORTS) == ssh + front, (name, address)
    # The OCR port answers the ERP host, at the address the OCR service publishes it on.
    endpoint = ocr.check_output("docker port ocr-ocr-1 8001/tcp").splitlines()[0]
    answer = erp.check_output(f"curl -sS --max-time 10 http://{endpoint}/health")
    assert json.loads(answer)["status"] == "healthy"


def test_check_mode_rerun_changes_nothing_and_prints_no_secret(erp, ocr):
    run = ansible_playbook("site.yml", "--check", "--diff", "-vvv", timeout=1200)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    recap = dict(re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", output, re.M))
    assert recap.get(ERP_NAME) == "0" and recap.get(OCR_NAME) == "0", recap
    # n8n's workflow comparison reads n8n in check mode too, and found the shipped one as it is.
    assert re.search(r"ocrJobProcessed1['\"]?:\s*['\"]?same", output), output[-4000:]
    secrets = []
    for node, paths in ((erp, "/etc/insightpulse/secrets/*"), (ocr, "/etc/ocr/token /etc/insightpulse/secrets/*")):
        listing = node.run(f"ls -1 {paths} 2>/dev/null").stdout.split()
        for path in listing:
            value = node.file(path).content_string.strip()
            if len(value) >= 12:
                secrets.append((node.backend.host, path, value))
    assert len(secrets) >= 4, secrets and [s[:2] for s in secrets]
    leaked = [(h, p) for h, p, value in secrets if value in output]
    assert leaked == []


def test_a_failed_health_gate_stops_the_rollout_before_the_next_service(erp_address):
    """Deploy an OCR service that cannot start (its Python told to look for itself in a folder
    that does not exist): the OCR play's gate fails naming the service, the URL and what it
    answered, and the Odoo play never starts. Then the good deploy again."""
    broken = '{"ocr_extra_env": {"PYTHONHOME": "/nonexistent"}, "ocr_health_retries": 4, "ocr_health_delay": 2}'
    try:
        run = ansible_playbook("site.yml", "--tags", "ocr,odoo", "-e", broken)
        output = run.stdout + run.stderr
        assert run.returncode != 0, output[-3000:]
        failure = re.search(r"ocr is not healthy on \S+: GET (\S+) answered (.*?)after \d+ tries", output, re.S)
        assert failure, output[-3000:]
        assert re.fullmatch(r"http://[0-9.]+:8001/health", failure.group(1)), failure.group(0)
        assert "PLAY [Odoo" not in output
    finally:
        again = ansible_playbook("site.yml", "--tags", "ocr")
        assert again.returncode == 0, (again.stdout + again.stderr)[-3000:]
    status, body = https(erp_address, f"ocr.{DOMAIN}", "/health")
    assert status == 200 and json.loads(body)["status"] == "healthy"
