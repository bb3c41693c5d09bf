"""role_argument_errors: a host's variables checked against the collection's real role
argument specs, one short line per bad value."""

from ansible.template import Templar, trust_as_template
from ansible_collections.insightpulse.platform.plugins.lookup.role_argument_errors import LookupModule, load_specs


def run(variables, terms=None):
    variables = {k: trust_as_template(v) if isinstance(v, str) else v for k, v in variables.items()}
    lookup = LookupModule(loader=None, templar=Templar(loader=None, variables=variables))
    return lookup.run(terms or [], variables=variables)


def test_every_role_spec_loads():
    specs = load_specs()
    for role in ("common", "certbot", "ocr", "odoo", "postgres", "nginx", "preflight"):
        assert role in specs and specs[role], role


def test_the_three_bad_values_a_new_user_tried():
    errors = run({"ocr_min_confidence": "high", "certbot_mode": "letsencrypt", "common_timezone": 42})
    assert len(errors) == 3, errors
    assert "ocr: ocr_min_confidence: 'high' is not a float" in errors
    assert "certbot: value of certbot_mode must be one of: acme, selfsigned, got: letsencrypt" in errors
    assert any(e.startswith("common: ") and "common_timezone" in e and "42" in e for e in errors)
    # One short line each, not the spec.
    assert all(len(e) < 300 for e in errors)


def test_good_values_templates_and_unrelated_variables_pass():
    variables = {
        "ocr_min_confidence": "0.7",
        "certbot_mode": "selfsigned",
        "common_timezone": "Asia/Manila",
        "wanted_port": 8069,
        "odoo_listen_address": "127.0.0.1",
        "ocr_port": "{{ wanted_port }}",
        "some_inventory_note": "anything",
    }
    assert run(variables) == []


def test_a_templated_bad_value_is_caught_and_roles_can_be_chosen():
    variables = {"level": "very", "ocr_min_confidence": "{{ level }}", "certbot_mode": "letsencrypt"}
    assert [e.split(":")[0] for e in run(variables, ["ocr"])] == ["ocr"]
    assert len(run(variables)) == 2


def test_a_typo_inside_a_list_of_dicts_is_named():
    errors = run({"odoo_oca_addons": [{"name": "queue_job", "version": "18.0.1.6.1", "verison": "18.0"}]}, ["odoo"])
    assert errors and errors[0].startswith("odoo: ") and "verison" in errors[0]


def test_nested_required_keys_are_required():
    errors = run({"odoo_oca_addons": [{"name": "queue_job"}]}, ["odoo"])
    assert errors and "version" in errors[0]
