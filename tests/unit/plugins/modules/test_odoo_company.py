"""odoo_company: the main company's name and country, idempotent, check and diff mode."""

from ansible_collections.insightpulse.platform.plugins.modules import odoo_company


def args(server, **kw):
    base = {"url": server.url, "database": "production", "password": "admin-pw", "wait_timeout": 5}
    base.update(kw)
    return base


def writes(odoo):
    return [c for c in odoo.calls if c[0] == "execute_kw" and c[1] == "res.company" and c[2] == "write"]


def test_sets_country_and_name_once(run_module, odoo, odoo_server):
    res = run_module(odoo_company.main, args(odoo_server, country="ph", company_name="InsightPulse AI"), diff=True)
    assert res.result["changed"] is True
    assert res.result["company"] == {"id": 1, "name": "InsightPulse AI", "country": "PH"}
    assert odoo.company["country_id"] == odoo.countries["PH"] and odoo.company["name"] == "InsightPulse AI"
    assert res.result["diff"] == {"before": "name = YourCompany\ncountry = \n",
                                  "after": "name = InsightPulse AI\ncountry = PH\n"}
    again = run_module(odoo_company.main, args(odoo_server, country="PH", company_name="InsightPulse AI"))
    assert again.result["changed"] is False
    assert len(writes(odoo)) == 1


def test_check_mode_writes_nothing(run_module, odoo, odoo_server):
    res = run_module(odoo_company.main, args(odoo_server, country="PH"), check_mode=True)
    assert res.result["changed"] is True and res.result["company"]["country"] == "PH"
    assert odoo.company["country_id"] is False and writes(odoo) == []


def test_unknown_country_fails_without_writing(run_module, odoo, odoo_server):
    res = run_module(odoo_company.main, args(odoo_server, country="XX"))
    assert res.failed and "XX" in res.result["msg"]
    assert writes(odoo) == []


def test_nothing_asked_nothing_changed(run_module, odoo, odoo_server):
    assert run_module(odoo_company.main, args(odoo_server)).result["changed"] is False
