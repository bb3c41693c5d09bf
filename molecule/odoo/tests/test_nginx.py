"""Verify the nginx front door of the stack scenario from outside: the `client` host stands for a
browser on the internet and reaches the `erp` host (docker, certbot selfsigned, postgres, odoo,
nginx) by its address, as DNS would send it there: Odoo's login page over HTTPS, security
headers, redirects, TLS versions and certificate, websocket, database manager, rate limit, the
503 page of a service that is declared but not deployed, and the ports that must stay closed."""

import base64
import os
import re
import shlex
import time
import uuid

import pytest
import testinfra
from testinfra.utils.ansible_runner import AnsibleRunner

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
RUNNER = AnsibleRunner(INVENTORY)
ERP_NAME = RUNNER.get_hosts("erp")[0]
CLIENT_NAME = RUNNER.get_hosts("client")[0]

DOMAIN = "insightpulse.test"  # platform_domain of the scenario
ERP_FQDN = f"erp.{DOMAIN}"
CERT = f"/etc/letsencrypt/live/{DOMAIN}/fullchain.pem"  # nginx_certificate_name = platform_certificates[0].name
ACME_WEBROOT = "/var/www/letsencrypt"  # certbot_webroot = nginx_acme_webroot
VHOSTS = "/opt/insightpulse/nginx/conf.d/20-vhosts.conf"
PAGE_503_MARKER = "insightpulse-nginx: service unavailable"  # roles/nginx/files/html/503.html
WWW_MARKER = "insightpulse-nginx: www"  # roles/nginx/files/www/index.html
CLIENT_CA = "/root/ipp-nginx-ca.pem"

testinfra_hosts = [CLIENT_NAME]


def _get(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


@pytest.fixture(scope="module")
def erp():
    return _get(ERP_NAME)


@pytest.fixture(scope="module")
def client():
    return _get(CLIENT_NAME)


@pytest.fixture(scope="module")
def address(client, erp):
    """The erp host's address as the client sees it (Docker's DNS on the shared network)."""
    out = client.run(f"getent ahostsv4 {ERP_NAME}").stdout.split()
    if out:
        return out[0]
    return erp.ansible("setup", "filter=ansible_default_ipv4")["ansible_facts"]["ansible_default_ipv4"]["address"]


def curl(client, address, url, *args, host=ERP_FQDN):
    """curl on the client with `host` resolved to the erp host -> (status, headers, body, rc)."""
    port = 443 if url.startswith("https://") else 80
    marker = "\n@@STATUS@@"
    cmd = client.run(
        "rm -f /tmp/ipp-headers; curl -sS -k --max-time 15 --resolve {} -D /tmp/ipp-headers -w {} {} {}; "
        "rc=$?; echo; cat /tmp/ipp-headers 2>/dev/null; exit $rc".format(
            shlex.quote(f"{host}:{port}:{address}"),
            shlex.quote(marker + "%{http_code}\n"),
            " ".join(shlex.quote(a) for a in args),
            shlex.quote(url),
        )
    )
    body, _, rest = cmd.stdout.partition(marker)
    status, _, raw_headers = rest.partition("\n")
    return int(status.strip() or 0), parse_headers(raw_headers), body, cmd.rc


def parse_headers(raw):
    """Headers of the last response in a curl -D dump: name (lower case) -> list of values."""
    blocks = [b for b in re.split(r"\r?\n\r?\n", raw.strip()) if b.strip()]
    headers = {}
    for line in (blocks[-1] if blocks else "").splitlines()[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.setdefault(name.strip().lower(), []).append(value.strip())
    return headers


def s_client(client, address, *args, servername=ERP_FQDN):
    """openssl s_client on the client against the erp host -> (rc, combined output)."""
    cmd = client.run(
        "openssl s_client -connect {}:443 -servername {} {} </dev/null 2>&1".format(
            address, servername, " ".join(shlex.quote(a) for a in args)
        )
    )
    return cmd.rc, cmd.stdout


# --- Odoo through nginx ------------------------------------------------------------------


def test_login_page_over_https(client, address):
    status, headers, body, _ = curl(client, address, f"https://{ERP_FQDN}/web/login")
    assert status == 200, body[:500]
    assert "oe_login_form" in body
    assert 'name="login"' in body and 'name="password"' in body
    assert headers["server"] == ["nginx"]  # server_tokens off: no version


def test_security_headers(client, address):
    status, headers, body, _ = curl(client, address, f"https://{ERP_FQDN}/web/login")
    assert status == 200, body[:500]
    assert headers["strict-transport-security"] == ["max-age=63072000; includeSubDomains"]
    # Exactly one each: nginx adds its own only where Odoo sent none.
    assert len(headers["x-frame-options"]) == 1 and headers["x-frame-options"][0] in ("SAMEORIGIN", "DENY")
    assert headers["x-content-type-options"] == ["nosniff"]
    assert headers["referrer-policy"] == ["strict-origin-when-cross-origin"]
    assert len(headers["permissions-policy"]) == 1 and "camera=" in headers["permissions-policy"][0]


def test_http_redirects_to_https(client, address):
    status, headers, _, _ = curl(client, address, f"http://{ERP_FQDN}/web/login?redirect=x")
    assert status == 301
    assert headers["location"] == [f"https://{ERP_FQDN}/web/login?redirect=x"]


def test_acme_challenge_is_served_over_http(client, erp, address):
    token = uuid.uuid4().hex
    path = f"{ACME_WEBROOT}/.well-known/acme-challenge/{token}"
    erp.check_output(f"mkdir -p {ACME_WEBROOT}/.well-known/acme-challenge && echo {token}-content > {path}")
    try:
        status, headers, body, _ = curl(client, address, f"http://{ERP_FQDN}/.well-known/acme-challenge/{token}")
    finally:
        erp.run(f"rm -f {path}")
    assert status == 200, headers
    assert body.strip() == f"{token}-content"
    assert "location" not in headers


@pytest.mark.parametrize("version", ["tls1", "tls1_1"])
def test_old_tls_refused_by_the_server(client, address, version):
    # SECLEVEL=0 so that the client offers the old version at all: the refusal is the server's
    # (a protocol_version alert), not the client's.
    rc, out = s_client(client, address, f"-{version}", "-cipher", "DEFAULT@SECLEVEL=0")
    assert rc != 0, out
    assert "alert protocol version" in out, out
    assert "Cipher is (NONE)" in out


@pytest.mark.parametrize("version,name", [("tls1_2", "TLSv1.2"), ("tls1_3", "TLSv1.3")])
def test_current_tls_accepted(client, address, version, name):
    rc, out = s_client(client, address, f"-{version}")
    assert rc == 0, out
    assert re.search(rf"New, {re.escape(name)}, Cipher is (?!\(NONE\))\S+", out), out


def test_certificate_verifies_against_itself(client, erp, address):
    pem = erp.file(CERT).content_string
    assert "BEGIN CERTIFICATE" in pem
    encoded = base64.b64encode(pem.encode()).decode()
    client.check_output(f"echo {encoded} | base64 -d > {CLIENT_CA}")
    rc, out = s_client(client, address, "-CAfile", CLIENT_CA, "-verify_return_error", "-verify_hostname", ERP_FQDN)
    assert rc == 0, out
    assert "Verify return code: 0 (ok)" in out


def test_websocket_upgrade(client, address):
    # curl waits on the open websocket until --max-time; the status line is what counts.
    status, headers, _, _ = curl(
        client,
        address,
        f"https://{ERP_FQDN}/websocket",
        "--http1.1",
        "--max-time",
        "5",
        "-H",
        "Connection: Upgrade",
        "-H",
        "Upgrade: websocket",
        "-H",
        "Sec-WebSocket-Version: 13",
        "-H",
        "Sec-WebSocket-Key: " + base64.b64encode(os.urandom(16)).decode(),
        "-H",
        f"Origin: https://{ERP_FQDN}",
    )
    assert status == 101, headers
    assert [v.lower() for v in headers["upgrade"]] == ["websocket"]


@pytest.mark.parametrize("path", ["/web/database/manager", "/web/database/selector"])
def test_database_manager_refused(client, address, path):
    status, _, body, _ = curl(client, address, f"https://{ERP_FQDN}{path}")
    assert status == 403, body[:300]


# --- Other host names --------------------------------------------------------------------


def test_declared_but_undeployed_service_gets_the_503_page(client, erp, address):
    # One vhost per enabled catalog entry; only Odoo runs in this scenario.
    names = re.findall(r"^\s*server_name\s+([^\s;]+);", erp.file(VHOSTS).content_string, re.M)
    candidates = [n for n in names if n != ERP_FQDN]
    assert candidates, f"no vhost besides {ERP_FQDN}: enable a service that is not deployed (superset) to test this"
    fqdn = f"superset.{DOMAIN}" if f"superset.{DOMAIN}" in candidates else candidates[0]
    status, headers, body, _ = curl(client, address, f"https://{fqdn}/", host=fqdn)
    assert status == 503
    assert PAGE_503_MARKER in body
    assert headers["content-type"][0].startswith("text/html")
    assert headers["strict-transport-security"] == ["max-age=63072000; includeSubDomains"]


def test_www_site(client, address):
    for fqdn in (f"www.{DOMAIN}", DOMAIN):
        status, _, body, _ = curl(client, address, f"https://{fqdn}/", host=fqdn)
        assert status == 200, fqdn
        assert WWW_MARKER in body, fqdn


def test_unknown_host_names_are_refused(client, address):
    _, _, _, rc = curl(client, address, "https://unknown.example.com/", host="unknown.example.com")
    assert rc == 35  # TLS handshake refused (ssl_reject_handshake)
    _, _, _, rc = curl(client, address, "http://unknown.example.com/", host="unknown.example.com")
    assert rc == 52  # connection closed without a reply (444)


# --- Ports ---------------------------------------------------------------------------------


def _connects(client, address, port):
    return client.run(f"timeout 3 bash -c '</dev/tcp/{address}/{port}'").rc == 0


def test_https_port_reachable(client, address):
    assert _connects(client, address, 443)
    assert _connects(client, address, 80)


@pytest.mark.parametrize("port", [8069, 8072, 5432])
def test_internal_ports_not_reachable(client, address, port):
    assert not _connects(client, address, port)


# --- Rate limit (last: it empties this client's allowance) -----------------------------------


def test_odoo_rate_limit(client, address):
    # Let the allowance used by the tests above refill (burst 20 at 100 requests a minute).
    time.sleep(13)
    out = client.check_output(
        "for i in $(seq 40); do curl -sk -o /dev/null -w '%{{http_code}}\\n' --resolve {} {}; done".format(
            shlex.quote(f"{ERP_FQDN}:443:{address}"), shlex.quote(f"https://{ERP_FQDN}/web/login")
        )
    )
    codes = [int(c) for c in out.split()]
    # Leave the next tests (other files of the scenario) a full allowance again.
    time.sleep(13)
    assert len(codes) == 40
    assert codes[:10] == [200] * 10, codes
    assert 429 in codes, codes
    assert set(codes) <= {200, 429}, codes
