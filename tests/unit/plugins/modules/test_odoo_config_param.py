import json

from ansible_collections.insightpulse.platform.plugins.modules import odoo_config_param


def args(server, **kw):
    base = {"url": server.url, "database": "production", "password": "admin-pw", "wait_timeout": 5}
    base.update(kw)
    return base


def writes(odoo):
    return [c[2] for c in odoo.calls if c[0] == "execute_kw" and c[2] in ("create", "write", "unlink")]


def test_seed_parameters_created_then_idempotent(run_module, odoo, odoo_server):
    """The OCR integration's three parameters are created once, then left alone on the next run."""
    seed = {
        "ocr.api.url": "https://ocr.insightpulseai.net/ocr",
        "ocr.confidence.threshold": "0.60",
        "ocr.processing.timeout": "30",
    }
    for key, value in seed.items():
        res = run_module(odoo_config_param.main, args(odoo_server, key=key, value=value))
        assert res.result["changed"] is True
        assert res.result["previous_value"] is None
    assert odoo.params == seed
    for key, value in seed.items():
        assert run_module(odoo_config_param.main, args(odoo_server, key=key, value=value)).result["changed"] is False
    assert writes(odoo) == ["create", "create", "create"]
    # one login: each later run took the user id this host cached (odoo_rpc.UidCache)
    assert [c[0] for c in odoo.calls].count("authenticate") == 1


def test_update_with_diff(run_module, odoo, odoo_server):
    odoo.params["ocr.processing.timeout"] = "30"
    res = run_module(odoo_config_param.main, args(odoo_server, key="ocr.processing.timeout", value="45"), diff=True)
    assert res.result["changed"] is True
    assert res.result["diff"] == {"before": "ocr.processing.timeout = 30\n", "after": "ocr.processing.timeout = 45\n"}
    assert odoo.params["ocr.processing.timeout"] == "45"
    assert writes(odoo) == ["write"]


def test_check_mode_does_not_write(run_module, odoo, odoo_server):
    res = run_module(odoo_config_param.main, args(odoo_server, key="ocr.api.url", value="x"), check_mode=True)
    assert res.result["changed"] is True
    assert odoo.params == {}
    assert writes(odoo) == []


def test_secret_is_masked_everywhere(run_module, odoo, odoo_server):
    odoo.params["ocr.api.secret"] = "old-token-123"
    res = run_module(
        odoo_config_param.main,
        args(odoo_server, key="ocr.api.secret", value="new-token-456", secret=True),
        diff=True,
    )
    assert res.result["changed"] is True
    assert odoo.params["ocr.api.secret"] == "new-token-456"
    dumped = json.dumps(res.result)
    assert "new-token-456" not in dumped and "old-token-123" not in dumped
    assert res.result["value"] == "********"
    assert res.result["diff"]["after"] == "ocr.api.secret = ******** (changed)\n"
    # value was declared no_log before AnsibleModule logged its invocation
    assert "new-token-456" in res.no_log_values

    again = run_module(
        odoo_config_param.main, args(odoo_server, key="ocr.api.secret", value="new-token-456", secret=True)
    )
    assert again.result["changed"] is False


def test_plain_value_is_not_no_log(run_module, odoo, odoo_server):
    res = run_module(odoo_config_param.main, args(odoo_server, key="ocr.api.url", value="https://x"))
    assert "https://x" not in res.no_log_values
    assert res.result["value"] == "https://x"


def test_absent(run_module, odoo, odoo_server):
    odoo.params["ocr.legacy"] = "1"
    odoo.params["keep.me"] = "2"
    res = run_module(odoo_config_param.main, args(odoo_server, key="ocr.legacy", state="absent"))
    assert res.result["changed"] is True
    assert odoo.params == {"keep.me": "2"}
    assert (
        run_module(odoo_config_param.main, args(odoo_server, key="ocr.legacy", state="absent")).result["changed"]
        is False
    )


def test_present_requires_value(run_module, odoo, odoo_server):
    res = run_module(odoo_config_param.main, args(odoo_server, key="ocr.api.url"))
    assert res.failed
    assert "value" in res.result["msg"]


def test_unknown_database_message(run_module, odoo, odoo_server):
    res = run_module(odoo_config_param.main, args(odoo_server, database="nope", key="a", value="b"))
    assert res.failed
    assert res.result["msg"] == f"Database 'nope' does not exist on {odoo_server.url}"
