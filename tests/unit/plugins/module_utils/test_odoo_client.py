import hashlib
import socket

import pytest
from ansible_collections.insightpulse.platform.plugins.module_utils import odoo_client as oc


def client_for(server, **kw):
    kw.setdefault("database", "production")
    kw.setdefault("password", "admin-pw")
    kw.setdefault("timeout", 5)
    kw.setdefault("wait_timeout", 0)
    return oc.OdooClient(server.url, **kw)


# ---------------------------------------------------------------- fault reduction
def test_reduce_fault_keeps_only_the_exception_line():
    text = (
        "Traceback (most recent call last):\n"
        '  File "odoo/service/model.py", line 156, in execute_cr\n'
        "    raise\n"
        "ValueError: Invalid field 'foo' on model 'ir.module.module'\n"
    )
    assert oc.reduce_fault(text) == "ValueError: Invalid field 'foo' on model 'ir.module.module'"


def test_reduce_fault_shortens_dotted_names_and_keeps_multiline_messages():
    text = (
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "odoo.exceptions.UserError: You try to install module 'x' that depends on 'y'.\n"
        "But the latter module is not available in your system.\n"
    )
    assert oc.reduce_fault(text) == (
        "UserError: You try to install module 'x' that depends on 'y'. "
        "But the latter module is not available in your system."
    )


def test_reduce_fault_without_traceback_is_joined():
    assert oc.reduce_fault("warning -- UserError\n\nNot allowed") == "warning -- UserError Not allowed"
    assert oc.reduce_fault("") == "unknown Odoo error"


# ---------------------------------------------------------------- live loopback server
def test_version_and_authenticate(odoo_server):
    client = client_for(odoo_server)
    assert client.version()["server_serie"] == "18.0"
    assert client.authenticate() == 2
    assert client.server_serie() == "18.0"


def test_wrong_password_is_named(odoo_server):
    client = client_for(odoo_server, password="nope")
    with pytest.raises(oc.OdooAuthError) as err:
        client.authenticate()
    assert "refused login 'admin' on database 'production': wrong login or password" in str(err.value)


def test_unknown_database_is_named(odoo_server):
    client = client_for(odoo_server, database="nope")
    with pytest.raises(oc.OdooDatabaseError) as err:
        client.authenticate()
    assert str(err.value) == f"Database 'nope' does not exist on {odoo_server.url}"
    assert "Traceback" not in str(err.value)


def test_fault_reduced_to_message(odoo_server):
    client = client_for(odoo_server)
    with pytest.raises(oc.OdooFault) as err:
        client.execute_kw("ir.module.module", "no_such_method", [[]])
    message = str(err.value)
    assert message == (
        "Odoo error in object.execute_kw: AttributeError: The method 'no_such_method' "
        "does not exist on the model 'ir.module.module'"
    )
    assert err.value.exception == "AttributeError"
    assert "\n" not in message


def test_unreachable_server_names_url():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    client = oc.OdooClient(f"http://127.0.0.1:{port}", database="x", password="p", timeout=2, wait_timeout=0)
    with pytest.raises(oc.OdooConnectionError) as err:
        client.version()
    assert str(err.value) == f"Odoo server unreachable at http://127.0.0.1:{port}: connection refused"


def test_per_call_timeout(odoo_server, odoo):
    odoo.delay = 1.5
    client = client_for(odoo_server, timeout=0.3)
    with pytest.raises(oc.OdooConnectionError) as err:
        client.version()
    assert "did not answer common.version within 0.3s" in str(err.value)


def test_wait_until_ready_polls_health_until_ready(odoo_server):
    odoo_server.server.ready = False
    sleeps = []

    def fake_sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            odoo_server.server.ready = True

    client = client_for(odoo_server, wait_timeout=30, sleep=fake_sleep)
    client.wait_until_ready()
    assert len(sleeps) == 3
    assert odoo_server.server.health_hits == 4


def test_wait_until_ready_falls_back_to_version_without_health(odoo_server, odoo):
    odoo_server.server.health_enabled = False
    client = client_for(odoo_server, wait_timeout=5)
    client.wait_until_ready()
    assert odoo_server.server.health_hits == 0


def test_wait_until_ready_gives_up_at_deadline():
    now = [0.0]

    def clock():
        return now[0]

    def sleep(seconds):
        now[0] += seconds

    def http_get(url, timeout):
        raise ConnectionRefusedError(111, "Connection refused")

    client = oc.OdooClient(
        "http://odoo.invalid:8069", database="x", wait_timeout=10, http_get=http_get, sleep=sleep, clock=clock
    )
    with pytest.raises(oc.OdooConnectionError) as err:
        client.wait_until_ready()
    assert str(err.value) == (
        "Odoo server unreachable at http://odoo.invalid:8069 after waiting 10s: connection refused"
    )
    assert 10.0 <= now[0] <= 10.5


def test_db_list_hidden_falls_back_to_db_exist(odoo_server, odoo):
    client = client_for(odoo_server)
    assert client.database_exists("production") is True
    odoo.list_db = False
    assert client.db_list() is None
    assert client.database_exists("production") is True
    assert client.database_exists("other") is False
    assert ("db", "db_exist", "other") in odoo.calls


def test_db_drop_wrong_master_password(odoo_server):
    client = client_for(odoo_server)
    with pytest.raises(oc.OdooAuthError) as err:
        client.db_drop("wrong", "production")
    assert "wrong master password" in str(err.value)


def test_url_must_be_http():
    with pytest.raises(oc.OdooError) as err:
        oc.OdooClient("127.0.0.1:8069")
    assert "must start with http://" in str(err.value)


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
    return oc.catalog_from_rows(rows, deps)


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
    catalog = oc.catalog_from_rows(rows, deps)
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


def test_read_catalog_rpc_maps_dependency_ids(odoo_server, odoo):
    odoo.add_module("queue_job", "installed", depends=["base"])
    odoo.add_module("queue_job_cron", "uninstalled", depends=["queue_job"])
    client = client_for(odoo_server)
    catalog = oc.read_catalog_rpc(client, with_versions_for=["queue_job"])
    assert catalog["queue_job_cron"].depends == ["queue_job"]
    assert catalog["queue_job"].available_version == "18.0.1.0"
    assert catalog["queue_job_cron"].latest_version is None
    assert catalog["queue_job_cron"].id == odoo.modules["queue_job_cron"]["id"]


def test_read_catalog_rpc_without_auto_install_required(odoo_server, odoo):
    odoo.dependency_has_auto_install_required = False
    odoo.add_module("queue_job", "uninstalled", depends=["base"])
    catalog = oc.read_catalog_rpc(client_for(odoo_server))
    assert catalog["queue_job"].depends == ["base"]
    assert catalog["queue_job"].auto_depends is None


# ---------------------------------------------------------------- psql
def test_psql_argv_through_docker_compose():
    argv = oc.psql_argv("docker compose -f '/opt/odoo/compose.yml' exec -T db psql -U odoo", "production", "SELECT 1")
    assert argv[:9] == ["docker", "compose", "-f", "/opt/odoo/compose.yml", "exec", "-T", "db", "psql", "-U"]
    assert argv[-4:] == ["-d", "production", "-c", "SELECT 1"]


def test_run_psql_parses_rows_and_reports_errors():
    sep = oc.PSQL_SEPARATOR

    def ok(argv):
        return 0, f"base{sep}installed\nweb{sep}installed\n\n", ""

    assert oc.run_psql(ok, "psql", "db", "SELECT") == [["base", "installed"], ["web", "installed"]]

    def missing(argv):
        return 2, "", 'psql: error: connection failed: FATAL:  database "nope" does not exist\n'

    with pytest.raises(oc.OdooDatabaseError) as err:
        oc.run_psql(missing, "psql", "nope", "SELECT")
    assert "Database 'nope' does not exist" in str(err.value)

    def broken(argv):
        return 1, "", 'ERROR:  relation "ir_module_module" does not exist\n'

    with pytest.raises(oc.OdooCommandError) as err:
        oc.run_psql(broken, "psql -U odoo", "db", "SELECT")
    assert 'relation "ir_module_module" does not exist' in str(err.value)


def test_run_psql_names_the_sql_error_not_the_caret_line():
    # real psql output for a SQL error ends with LINE 1 and a "^" marker
    def broken(argv):
        err = (
            'ERROR:  column "country_id" does not exist\n'
            "LINE 1: SELECT country_id FROM res_company WHERE country_id IS NOT N...\n"
            "               ^\n"
        )
        return 1, "", err

    with pytest.raises(oc.OdooCommandError) as err:
        oc.run_psql(broken, "psql -h 127.0.0.1 -U odoo", "db", "SELECT 1")
    assert str(err.value).endswith('ERROR:  column "country_id" does not exist')
    assert " -c -c " not in str(err.value)
    assert "-d db -c ...)" in str(err.value)


def test_company_countries_come_from_the_company_partner():
    # res.company.country_id is not stored in Odoo 18: no res_company.country_id column
    sep = oc.PSQL_SEPARATOR
    seen = []

    def run(argv):
        seen.append(argv[-1])
        if "module_country" in argv[-1]:
            return 0, f"l10n_be{sep}21\nl10n_be{sep}22\n", ""
        if "res_partner" in argv[-1] and "res_company" in argv[-1]:
            return 0, "21\n", ""
        return 1, "", 'ERROR:  column "country_id" does not exist\n'

    assert oc._countries_sql(run, "psql", "db") == ({"l10n_be": {21, 22}}, {21})
    assert "JOIN res_partner p ON p.id = c.partner_id" in seen[1]


def test_read_catalog_sql_falls_back_without_auto_install_required():
    sep = oc.PSQL_SEPARATOR
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

    catalog = oc.read_catalog_sql(run, "psql", "production")
    assert catalog["queue_job"].depends == ["base"]
    assert catalog["base"].latest_version == "18.0.1.3"
    assert catalog["queue_job"].latest_version is None
    assert len(seen) == 3


def test_sql_literal_escapes_quotes():
    assert oc.sql_literal("o'brien") == "'o''brien'"


# ---------------------------------------------------------------- versions and checksums
def test_adapt_version_like_odoo():
    assert oc.adapt_version("1.0", "18.0") == "18.0.1.0"
    assert oc.adapt_version("18.0.2.1.0", "18.0") == "18.0.2.1.0"
    assert oc.adapt_version("18.0", "18.0") == "18.0.18.0"
    assert oc.serie_of("19.0.1.3") == "19.0"


def test_version_newer():
    assert oc.version_newer("18.0.1.10", "18.0.1.9")
    assert not oc.version_newer("18.0.1.9", "18.0.1.10")
    assert not oc.version_newer("18.0.1.0", "18.0.1.0")
    assert oc.version_newer("18.0.1.0", None)
    assert not oc.version_newer(None, "18.0.1.0")


def test_addon_hash_matches_click_odoo_contrib_format(tmp_path):
    addon = tmp_path / "queue_job"
    addon.mkdir()
    (addon / "__manifest__.py").write_bytes(b"{'name': 'Job Queue', 'version': '18.0.1.0.0'}")
    expected = hashlib.sha1(  # noqa: S324 - the algorithm under test
        b"__manifest__.py" + b"{'name': 'Job Queue', 'version': '18.0.1.0.0'}"
    ).hexdigest()
    assert oc.addon_hash(str(addon)) == expected


def test_addon_hash_ignores_excluded_files_and_other_languages(tmp_path):
    addon = tmp_path / "a"
    (addon / "static").mkdir(parents=True)
    (addon / "i18n").mkdir()
    (addon / "__manifest__.py").write_text("{}")
    first = oc.addon_hash(str(addon), keep_langs=["fr_FR"])
    (addon / "static" / "x.js").write_text("changed")
    (addon / "i18n" / "de.po").write_text("german")
    (addon / "i18n" / "a.pot").write_text("template")
    assert oc.addon_hash(str(addon), keep_langs=["fr_FR"]) == first
    (addon / "i18n" / "fr.po").write_text("french")
    assert oc.addon_hash(str(addon), keep_langs=["fr_FR"]) != first


def test_find_and_read_manifest(tmp_path):
    (tmp_path / "b" / "x").mkdir(parents=True)
    (tmp_path / "b" / "x" / "__manifest__.py").write_text("{'version': '1.2', 'depends': ['base']}")
    path = oc.find_addon([str(tmp_path / "a"), str(tmp_path / "b")], "x")
    assert path == str(tmp_path / "b" / "x")
    assert oc.read_manifest(path)["depends"] == ["base"]
    assert oc.find_addon([str(tmp_path / "b")], "y") is None


def test_parse_checksums_tolerates_garbage():
    assert oc.parse_checksums('{"a": "1"}') == {"a": "1"}
    assert oc.parse_checksums("not json") == {}
    assert oc.parse_checksums(None) == {}
