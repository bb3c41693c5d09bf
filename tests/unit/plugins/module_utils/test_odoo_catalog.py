from ansible_collections.insightpulse.platform.plugins.module_utils import odoo_catalog, odoo_psql


# ---------------------------------------------------------------- catalog algebra
def make_catalog():
    rows = [
        {"name": "base", "state": "installed", "latest_version": "18.0.1.3"},
        {"name": "mail", "state": "installed", "latest_version": "18.0.1.0"},
        {"name": "hr", "state": "uninstalled"},
        {"name": "hr_expense", "state": "uninstalled"},
        {"name": "project", "state": "uninstalled"},
        {"name": "hr_project_bridge", "state": "uninstalled", "auto_install": True},
        {"name": "queue_job", "state": "installed", "latest_version": "18.0.1.0"},
        {"name": "queue_job_cron", "state": "installed", "latest_version": "18.0.1.0"},
        {"name": "other", "state": "installed", "latest_version": "18.0.1.0"},
    ]
    deps = [
        ("mail", "base", None),
        ("hr", "mail", None),
        ("hr_expense", "hr", None),
        ("project", "mail", None),
        ("hr_project_bridge", "hr", True),
        ("hr_project_bridge", "project", True),
        ("queue_job", "base", None),
        ("queue_job_cron", "queue_job", None),
        ("other", "base", None),
    ]
    return odoo_catalog.catalog_from_rows(rows, deps)


def test_install_set_pulls_dependencies():
    assert make_catalog().install_set(["hr_expense"]) == ["hr", "hr_expense"]


def test_install_set_triggers_auto_install_when_all_dependencies_present():
    catalog = make_catalog()
    assert catalog.install_set(["hr_expense", "project"]) == ["hr", "hr_expense", "hr_project_bridge", "project"]
    assert catalog.install_set(["queue_job"]) == []


def test_install_set_auto_install_needs_a_required_dependency_to_install():
    # ir_module.button_install: 'to install' must be among the auto_install_required dependencies
    rows = [
        {"name": "base", "state": "installed"},
        {"name": "mail", "state": "installed"},
        {"name": "hr", "state": "uninstalled"},
        {"name": "mail_addon", "state": "uninstalled", "auto_install": True},
    ]
    deps = [("mail", "base", None), ("hr", "mail", None), ("mail_addon", "mail", True), ("mail_addon", "hr", False)]
    catalog = odoo_catalog.catalog_from_rows(rows, deps)
    assert catalog["mail_addon"].auto_depends == ["mail"]
    assert catalog.install_set(["hr"]) == ["hr"]


def test_install_set_country_specific_auto_install():
    catalog = make_catalog()
    calls = []

    def loader():
        calls.append(1)
        return {"hr_project_bridge": {21}}, {75}

    catalog.countries_loader = loader
    assert catalog.install_set(["queue_job"]) == []
    assert calls == []  # nothing to install: the countries are never read
    assert catalog.install_set(["hr_expense", "project"]) == ["hr", "hr_expense", "project"]
    catalog = make_catalog()
    catalog.countries_loader = lambda: ({"hr_project_bridge": {21}}, {21, 75})
    assert "hr_project_bridge" in catalog.install_set(["hr_expense", "project"])
    catalog = make_catalog()
    catalog.countries_loader = lambda: None  # Odoo < 17: no module_country
    assert "hr_project_bridge" in catalog.install_set(["hr_expense", "project"])


def test_uninstall_set_includes_dependents():
    catalog = make_catalog()
    assert catalog.uninstall_set(["queue_job"]) == ["queue_job", "queue_job_cron"]
    assert catalog.uninstall_set(["hr"]) == []


def test_upgrade_set_includes_installed_dependents():
    assert make_catalog().upgrade_set(["queue_job"]) == ["queue_job", "queue_job_cron"]


def test_unknown_names():
    assert make_catalog().unknown(["hr", "nope", "queue_job", "zz"]) == ["nope", "zz"]


def test_read_catalog_rpc_maps_dependency_ids(odoo_server, odoo, client_for):
    odoo.add_module("queue_job", "installed", depends=["base"])
    odoo.add_module("queue_job_cron", "uninstalled", depends=["queue_job"])
    client = client_for(odoo_server)
    catalog = odoo_catalog.read_catalog_rpc(client, with_versions_for=["queue_job"])
    assert catalog["queue_job_cron"].depends == ["queue_job"]
    assert catalog["queue_job"].available_version == "18.0.1.0"
    assert catalog["queue_job_cron"].latest_version is None
    assert catalog["queue_job_cron"].id == odoo.modules["queue_job_cron"]["id"]


def test_read_catalog_rpc_without_auto_install_required(odoo_server, odoo, client_for):
    odoo.dependency_has_auto_install_required = False
    odoo.add_module("queue_job", "uninstalled", depends=["base"])
    catalog = odoo_catalog.read_catalog_rpc(client_for(odoo_server))
    assert catalog["queue_job"].depends == ["base"]
    assert catalog["queue_job"].auto_depends is None


def test_company_countries_come_from_the_company_partner():
    # res.company.country_id is not stored in Odoo 18: no res_company.country_id column
    sep = odoo_psql.PSQL_SEPARATOR
    seen = []

    def run(argv):
        seen.append(argv[-1])
        if "module_country" in argv[-1]:
            return 0, f"l10n_be{sep}21\nl10n_be{sep}22\n", ""
        if "res_partner" in argv[-1] and "res_company" in argv[-1]:
            return 0, "21\n", ""
        return 1, "", 'ERROR:  column "country_id" does not exist\n'

    assert odoo_catalog._countries_sql(run, "psql", "db") == ({"l10n_be": {21, 22}}, {21})
    assert "JOIN res_partner p ON p.id = c.partner_id" in seen[1]


def test_read_catalog_sql_falls_back_without_auto_install_required():
    sep = odoo_psql.PSQL_SEPARATOR
    seen = []

    def run(argv):
        sql = argv[-1]
        seen.append(sql)
        if "FROM ir_module_module_dependency" in sql and "auto_install_required" in sql:
            return 1, "", "ERROR:  column d.auto_install_required does not exist\n"
        if "FROM ir_module_module_dependency" in sql:
            return 0, f"queue_job{sep}base\n", ""
        return (
            0,
            sep.join(["base", "installed", "18.0.1.3", "f"])
            + "\n"
            + sep.join(["queue_job", "uninstalled", "", "f"])
            + "\n",
            "",
        )

    catalog = odoo_catalog.read_catalog_sql(run, "psql", "production")
    assert catalog["queue_job"].depends == ["base"]
    assert catalog["base"].latest_version == "18.0.1.3"
    assert catalog["queue_job"].latest_version is None
    assert len(seen) == 3


# ---------------------------------------------------------------- Enterprise modules listed by Community
def test_to_buy_marks_enterprise_upsell_rows():
    rows = [
        {"name": "base", "state": "installed", "latest_version": "18.0.1.3"},
        {"name": "knowledge", "state": "uninstallable", "to_buy": True},  # Community: an upsell row, no code
        {"name": "helpdesk", "state": "installed", "to_buy": "t"},  # hypothetical: flag set, code present
        {"name": "broken_addon", "state": "uninstallable"},  # installable=False or a missing dependency
    ]
    catalog = odoo_catalog.catalog_from_rows(rows, [])
    assert catalog["knowledge"].to_buy is True and catalog["knowledge"].is_enterprise_only()
    assert catalog["helpdesk"].to_buy is True and not catalog["helpdesk"].is_enterprise_only()
    assert catalog["broken_addon"].to_buy is False and not catalog["broken_addon"].is_enterprise_only()
    assert catalog["base"].to_buy is False


def test_read_catalog_rpc_reads_to_buy(odoo_server, odoo, client_for):
    odoo.add_enterprise_upsell("knowledge")
    odoo.add_module("project", depends=["base"])
    catalog = odoo_catalog.read_catalog_rpc(client_for(odoo_server))
    assert catalog["knowledge"].state == "uninstallable"
    assert catalog["knowledge"].is_enterprise_only()
    assert not catalog["project"].to_buy


def test_read_catalog_sql_reads_to_buy():
    sep = odoo_psql.PSQL_SEPARATOR
    seen = []

    def run(argv):
        sql = argv[-1]
        seen.append(sql)
        if "FROM ir_module_module_dependency" in sql:
            return 0, "", ""
        rows = [["base", "installed", "18.0.1.3", "f", "f"], ["knowledge", "uninstallable", "", "f", "t"]]
        return 0, "".join(sep.join(r) + "\n" for r in rows), ""

    catalog = odoo_catalog.read_catalog_sql(run, "psql", "production")
    assert "coalesce(to_buy, false)" in seen[0]
    assert catalog["knowledge"].is_enterprise_only()
    assert catalog["base"].to_buy is False
