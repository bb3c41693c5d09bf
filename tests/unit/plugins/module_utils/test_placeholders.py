"""placeholders: which values only stand in for a secret."""

import pytest
from ansible_collections.insightpulse.platform.plugins.module_utils.placeholders import (
    SECRET_NAME,
    is_placeholder,
    placeholder_names,
)


@pytest.mark.parametrize(
    "value",
    [
        "change-me",
        "CHANGE_ME",
        "changeme",
        "Change Me",
        "superset_secret_key_change_me",
        "replace-me-with-a-real-one",
        "<your-token>",
        "xxxxxxxx",
        "********",
        "password",
        "secret",
        "TODO",
        "  placeholder  ",
        "put_your_key_here",
    ],
)
def test_placeholders_are_recognised(value):
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Zq81vT3kP0-molecule-ocr-token",
        "d1f0e9a8b7c6d5e4f3a2b1c0",
        "correct horse battery staple",
        "exchange-meters-42",
        "passwordless-Qa9",
        None,
        42,
        ["change-me"],
    ],
)
def test_real_values_and_non_strings_are_not(value):
    assert not is_placeholder(value)


def test_names_only_and_nested_values():
    found = placeholder_names(
        {
            "vault_mailgun_smtp_password": "change-me",
            "mcp_tokens": [{"name": "ops", "token": "CHANGE_ME"}],
            "vault_odoo_admin_password": "a-Real-0ne-9f3k",
            "superset_secret_key": {"current": "x7Hq-real-key", "previous": ""},
        }
    )
    assert found == ["mcp_tokens", "vault_mailgun_smtp_password"]


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("vault_anything", True),
        ("odoo_smtp_password", True),
        ("ocr_token", True),
        ("mcp_tokens", True),
        ("superset_secret_key", True),
        ("backup_s3_access_key", True),
        ("n8n_encryption_key", True),
        ("ocr_token_file", False),
        ("postgres_superuser_password_file", False),
        ("certbot_key_type", False),
    ],
)
def test_secret_names(name, secret):
    assert bool(SECRET_NAME.search(name)) is secret
