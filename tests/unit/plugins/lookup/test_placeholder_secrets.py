"""placeholder_secrets lookup: secret variables of a host still holding placeholders,
templated through a real Templar (an inventory value that points at a vault variable
is followed; one that cannot be templated yet is skipped)."""

from ansible.template import Templar, trust_as_template
from ansible_collections.insightpulse.platform.plugins.lookup.placeholder_secrets import LookupModule


def run(variables, terms=None):
    # Inventory values reach a lookup trusted as templates; the test's literals are marked the same way.
    variables = {k: trust_as_template(v) if isinstance(v, str) else v for k, v in variables.items()}
    lookup = LookupModule(loader=None, templar=Templar(loader=None, variables=variables))
    return lookup.run(terms or [], variables=variables)


def test_follows_templates_to_the_vault():
    variables = {
        "vault_mailgun_smtp_password": "change-me",
        "odoo_smtp_password": "{{ vault_mailgun_smtp_password }}",
        "vault_postgres_admin_password": "k3Jd-9sQa-real",
        "postgres_external_admin_password": "{{ vault_postgres_admin_password }}",
        "platform_domain": "change-me.example",
    }
    assert run(variables) == ["odoo_smtp_password", "vault_mailgun_smtp_password"]


def test_skips_what_cannot_be_templated_yet_and_checks_extra_terms():
    variables = {
        "ocr_token": "{{ hostvars['nowhere']['missing'] }}",
        "smtp_relay": "changeme",
    }
    assert run(variables) == []
    assert run(variables, ["smtp_relay"]) == ["smtp_relay"]


def test_clean_host_has_none():
    assert run({"vault_odoo_admin_password": "Vq8-real-1", "ocr_token": ""}) == []
