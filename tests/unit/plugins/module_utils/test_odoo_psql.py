import pytest
from ansible_collections.insightpulse.platform.plugins.module_utils import odoo_errors, odoo_psql


def test_psql_argv_through_docker_compose():
    argv = odoo_psql.psql_argv(
        "docker compose -f '/opt/odoo/compose.yml' exec -T db psql -U odoo", "production", "SELECT 1"
    )
    assert argv[:9] == ["docker", "compose", "-f", "/opt/odoo/compose.yml", "exec", "-T", "db", "psql", "-U"]
    assert argv[-4:] == ["-d", "production", "-c", "SELECT 1"]


def test_run_psql_parses_rows_and_reports_errors():
    sep = odoo_psql.PSQL_SEPARATOR

    def ok(argv):
        return 0, f"base{sep}installed\nweb{sep}installed\n\n", ""

    assert odoo_psql.run_psql(ok, "psql", "db", "SELECT") == [["base", "installed"], ["web", "installed"]]

    def missing(argv):
        return 2, "", 'psql: error: connection failed: FATAL:  database "nope" does not exist\n'

    with pytest.raises(odoo_errors.OdooDatabaseError) as err:
        odoo_psql.run_psql(missing, "psql", "nope", "SELECT")
    assert "Database 'nope' does not exist" in str(err.value)

    def broken(argv):
        return 1, "", 'ERROR:  relation "ir_module_module" does not exist\n'

    with pytest.raises(odoo_errors.OdooCommandError) as err:
        odoo_psql.run_psql(broken, "psql -U odoo", "db", "SELECT")
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

    with pytest.raises(odoo_errors.OdooCommandError) as err:
        odoo_psql.run_psql(broken, "psql -h 127.0.0.1 -U odoo", "db", "SELECT 1")
    assert str(err.value).endswith('ERROR:  column "country_id" does not exist')
    assert " -c -c " not in str(err.value)
    assert "-d db -c ...)" in str(err.value)


def test_sql_literal_escapes_quotes():
    assert odoo_psql.sql_literal("o'brien") == "'o''brien'"
