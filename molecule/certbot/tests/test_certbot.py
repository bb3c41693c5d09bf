"""Verify certbot against Pebble (a real ACME server) and the self-signed case."""

import json
import os
import subprocess
import textwrap

import pytest

ACME = {
    "erp": ["erp.insightpulse.example.org", "www.erp.insightpulse.example.org"],
    "n8n.insightpulse.example.org": ["n8n.insightpulse.example.org"],
}
SELFSIGNED = {"private": ["odoo.internal.example.org", "odoo"]}
FILES = ("cert.pem", "chain.pem", "fullchain.pem", "privkey.pem")
ENV = "REQUESTS_CA_BUNDLE=/etc/pebble/ca.pem"
HOOK_LOG = "/var/log/letsencrypt/deploy-hook.log"


def _sans(host, path):
    out = host.check_output("openssl x509 -in %s -noout -ext subjectAltName", path)
    return sorted(x.strip().removeprefix("DNS:") for x in out.splitlines()[1].split(","))


@pytest.mark.parametrize("name", sorted(ACME))
def test_acme_certificate_from_pebble(host, name):
    live = f"/etc/letsencrypt/live/{name}"
    for f in FILES:
        assert host.file(f"{live}/{f}").exists
    assert host.file(f"/etc/letsencrypt/renewal/{name}.conf").contains("server = https://localhost:14000/dir")
    issuer = host.check_output("openssl x509 -in %s/cert.pem -noout -issuer", live)
    assert "Pebble Intermediate CA" in issuer
    assert _sans(host, f"{live}/cert.pem") == sorted(ACME[name])
    # The chain verifies up to the root Pebble serves on its management API.
    root = host.check_output(
        "python3 -c %s",
        "import ssl, urllib.request; "
        "ctx = ssl.create_default_context(cafile='/etc/pebble/ca.pem'); "
        "print(urllib.request.urlopen('https://localhost:15000/roots/0', context=ctx).read().decode())",
    )
    host.check_output("printf %s %s > /tmp/pebble-root.pem", "%s", root)
    verify = host.run("openssl verify -CAfile /tmp/pebble-root.pem -untrusted %s/chain.pem %s/cert.pem", live, live)
    assert verify.rc == 0, verify.stdout + verify.stderr


def test_selfsigned_certificate_at_the_same_paths(host):
    live = "/etc/letsencrypt/live/private"
    for f in FILES:
        assert host.file(f"{live}/{f}").exists
    assert host.file(f"{live}/privkey.pem").mode == 0o600
    assert not host.file("/etc/letsencrypt/renewal/private.conf").exists
    subject = host.check_output("openssl x509 -in %s/cert.pem -noout -subject", live)
    issuer = host.check_output("openssl x509 -in %s/cert.pem -noout -issuer", live)
    assert subject.split("=", 1)[1] == issuer.split("=", 1)[1]
    assert _sans(host, f"{live}/fullchain.pem") == sorted(SELFSIGNED["private"])
    # Key and certificate belong together.
    pub_key = host.check_output("openssl pkey -in %s/privkey.pem -pubout", live)
    pub_cert = host.check_output("openssl x509 -in %s/cert.pem -noout -pubkey", live)
    assert pub_key == pub_cert


def test_renewal_timer_and_ca_bundle(host):
    assert host.service("certbot.timer").is_enabled
    assert host.service("certbot.timer").is_running
    env = host.check_output("systemctl show certbot.service -p Environment")
    assert "REQUESTS_CA_BUNDLE=/etc/pebble/ca.pem" in env


def test_first_issuance_reloaded_the_proxy(host):
    assert host.file("/var/lib/fake-proxy/reloads").exists
    assert host.file(HOOK_LOG).contains('action="reloaded fake-proxy"')


def test_renew_dry_run(host):
    # --dry-run alone swaps in Let's Encrypt staging; keep Pebble.
    cmd = host.run(f"{ENV} certbot renew --dry-run --no-random-sleep-on-renew --server https://localhost:14000/dir")
    assert cmd.rc == 0, cmd.stdout + cmd.stderr


def test_forced_renewal_fires_the_deploy_hook(host):
    reloads = len(host.file("/var/lib/fake-proxy/reloads").content_string.splitlines())
    serial = host.check_output("openssl x509 -in /etc/letsencrypt/live/erp/cert.pem -noout -serial")
    cmd = host.run(f"{ENV} certbot renew --cert-name erp --force-renewal --no-random-sleep-on-renew")
    assert cmd.rc == 0, cmd.stdout + cmd.stderr
    assert host.check_output("openssl x509 -in /etc/letsencrypt/live/erp/cert.pem -noout -serial") != serial
    last = host.file(HOOK_LOG).content_string.splitlines()[-1]
    assert "lineage=/etc/letsencrypt/live/erp " in last
    assert 'action="reloaded fake-proxy"' in last
    assert len(host.file("/var/lib/fake-proxy/reloads").content_string.splitlines()) == reloads + 1


def _playbook(tmp_path, extra_vars):
    project = os.environ["MOLECULE_PROJECT_DIRECTORY"]
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        textwrap.dedent(
            f"""
            - hosts: all
              gather_facts: false
              vars_files: [{project}/molecule/certbot/vars/certbot.yml]
              roles:
                - role: insightpulse.platform.certbot
            """
        )
    )
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(project, "ansible.cfg"))
    run = subprocess.run(
        ["ansible-playbook", "-i", "ipp-certbot-debian13,", "-c", "community.docker.docker", str(playbook)]
        + ["-e", extra_vars],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return run.returncode, run.stdout + run.stderr


def test_domains_not_a_list_fail_argument_validation(tmp_path):
    rc, out = _playbook(tmp_path, '{"certbot_domains": {"erp.example.org": true}}')
    assert rc != 0, out
    assert "Validating arguments against arg spec" in out
    assert "certbot_domains" in out, out
    assert "changed=0" in out and "failed=1" in out, out


def test_changed_domain_list_reissues_same_lineage(host, tmp_path):
    if host.backend.get_hostname() != "ipp-certbot-debian13":
        pytest.skip("run once, on Debian 13")
    domains = ACME["erp"] + ["erp2.insightpulse.example.org"]
    certs = [{"name": "erp", "domains": domains}]
    rc, out = _playbook(tmp_path, json.dumps({"certbot_certs": certs}))
    assert rc == 0, out
    assert "domains changed" in out
    assert _sans(host, "/etc/letsencrypt/live/erp/cert.pem") == sorted(domains)
    assert not host.file("/etc/letsencrypt/live/erp-0001").exists
    # Back to the scenario's list: a domain removed, still the same lineage.
    rc, out = _playbook(tmp_path, "{}")
    assert rc == 0, out
    assert "domains changed" in out
    assert _sans(host, "/etc/letsencrypt/live/erp/cert.pem") == sorted(ACME["erp"])
    assert not host.file("/etc/letsencrypt/live/erp-0001").exists
