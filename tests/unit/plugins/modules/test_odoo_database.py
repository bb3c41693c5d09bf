import shlex

from ansible_collections.insightpulse.platform.plugins.module_utils import odoo_psql
from ansible_collections.insightpulse.platform.plugins.modules import odoo_database

ODOO_CMD = "docker compose -f /opt/odoo/compose.yml run --rm -T odoo odoo -c /etc/odoo/odoo.conf"


class FakeCli:
    def __init__(self, odoo, rc=0):
        self.odoo = odoo
        self.rc = rc
        self.argvs = []
        self.sessions = set()  # databases a running Odoo holds connections to
        self.empty = set()  # databases that exist without Odoo's tables (created empty beforehand)

    def __call__(self, argv):
        self.argvs.append(argv)
        if "psql" in argv:
            sql = argv[-1]
            if sql.startswith("SELECT 1 FROM pg_database"):
                name = sql.split("'")[1]
                return 0, ("1\n" if name in self.odoo.databases | self.empty else ""), ""
            if sql.startswith("SELECT to_regclass('public.ir_module_module')"):
                name = argv[argv.index("-d") + 1]
                if name not in self.odoo.databases and name not in self.empty:
                    return 2, "", f'psql: error: FATAL:  database "{name}" does not exist\n'
                return 0, ("f\n" if name in self.empty else "t\n"), ""
            if sql.startswith("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "):
                self.sessions.discard(sql.split("'")[1])
                return 0, "t\n" if sql.endswith("AND pid <> pg_backend_pid()") else "", ""
            if sql.startswith("DROP DATABASE"):
                name = sql.split('"')[1]
                if name in self.sessions:
                    return 1, "", f'ERROR:  database "{name}" is being accessed by other users\n'
                self.odoo.databases.discard(name)
                return 0, "", ""
            return 1, "", "unexpected SQL"
        if self.rc:
            return self.rc, "", "odoo: FATAL could not create"
        self.odoo.databases.add(argv[argv.index("-d") + 1])
        self.empty.discard(argv[argv.index("-d") + 1])
        self.odoo.users["admin"]["password"] = "admin"
        return 0, "", ""


def args(server, **kw):
    base = {"url": server.url, "database": "erp", "wait_timeout": 5, "odoo_command": ODOO_CMD}
    base.update(kw)
    return base


def test_create_database_then_set_admin_password(run_module, odoo, odoo_server):
    cli = FakeCli(odoo)
    res = run_module(odoo_database.main, args(odoo_server, admin_password="s3cret", language="fr_FR"), run_command=cli)
    assert not res.failed, res.result
    assert res.result["changed"] is True and res.result["existed"] is False
    assert res.result["admin_password_changed"] is True
    assert cli.argvs == [
        shlex.split(ODOO_CMD)
        + ["-d", "erp", "-i", "base", "--stop-after-init", "--without-demo=all", "--load-language=fr_FR"]
    ]
    assert odoo.users["admin"]["password"] == "s3cret"
    assert odoo.users["admin"]["lang"] == "fr_FR"

    again = run_module(
        odoo_database.main, args(odoo_server, admin_password="s3cret", language="fr_FR"), run_command=cli
    )
    assert again.result["changed"] is False
    assert len(cli.argvs) == 1


def test_check_mode_creates_nothing(run_module, odoo, odoo_server):
    cli = FakeCli(odoo)
    res = run_module(odoo_database.main, args(odoo_server, admin_password="s3cret"), check_mode=True, run_command=cli)
    assert res.result["changed"] is True
    assert res.result["admin_password_changed"] is True
    assert cli.argvs == []
    assert "erp" not in odoo.databases


def test_existing_database_password_converged_from_current(run_module, odoo, odoo_server):
    odoo.databases.add("erp")
    res = run_module(
        odoo_database.main, args(odoo_server, admin_password="new-pw", password="admin-pw"), run_command=FakeCli(odoo)
    )
    assert res.result["changed"] is True
    assert res.result["existed"] is True
    assert odoo.users["admin"]["password"] == "new-pw"


def test_existing_database_wrong_current_password_fails_clearly(run_module, odoo, odoo_server):
    odoo.databases.add("erp")
    res = run_module(
        odoo_database.main, args(odoo_server, admin_password="new-pw", password="guess"), run_command=FakeCli(odoo)
    )
    assert res.failed
    assert "cannot log in as 'admin' on 'erp'" in res.result["msg"]
    assert odoo.users["admin"]["password"] == "admin-pw"


def test_creation_failure_reports_output(run_module, odoo, odoo_server):
    res = run_module(odoo_database.main, args(odoo_server), run_command=FakeCli(odoo, rc=1))
    assert res.failed
    assert "creating database 'erp' failed (exit code 1)" in res.result["msg"]
    assert "could not create" in res.result["msg"]


def test_drop_requires_confirmation(run_module, odoo, odoo_server):
    odoo.databases.add("erp")
    res = run_module(odoo_database.main, args(odoo_server, state="absent", master_password="master-pw"))
    assert res.failed
    assert "confirm_drop" in res.result["msg"]
    assert "erp" in odoo.databases


def test_drop_over_rpc(run_module, odoo, odoo_server):
    odoo.databases.add("erp")
    opts = dict(state="absent", confirm_drop=True, master_password="master-pw")
    check = run_module(odoo_database.main, args(odoo_server, **opts), check_mode=True)
    assert check.result["changed"] is True and "erp" in odoo.databases
    res = run_module(odoo_database.main, args(odoo_server, **opts))
    assert res.result["changed"] is True
    assert "erp" not in odoo.databases
    assert run_module(odoo_database.main, args(odoo_server, **opts)).result["changed"] is False


def test_drop_wrong_master_password(run_module, odoo, odoo_server):
    odoo.databases.add("erp")
    res = run_module(odoo_database.main, args(odoo_server, state="absent", confirm_drop=True, master_password="wrong"))
    assert res.failed
    assert "wrong master password" in res.result["msg"]
    assert "erp" in odoo.databases


def test_existence_with_database_list_disabled(run_module, odoo, odoo_server):
    odoo.list_db = False
    res = run_module(odoo_database.main, args(odoo_server, database="production"), run_command=FakeCli(odoo))
    assert res.result["changed"] is False
    assert res.result["existed"] is True
    assert ("db", "db_exist", "production") in odoo.calls


def test_cli_method_checks_and_drops_with_psql(run_module, odoo, odoo_server):
    odoo.databases.add("erp")
    cli = FakeCli(odoo)
    psql = "docker compose exec -T db psql -U odoo"
    res = run_module(
        odoo_database.main,
        args(odoo_server, method="cli", psql_command=psql, state="absent", confirm_drop=True),
        run_command=cli,
    )
    assert res.result["changed"] is True
    assert "erp" not in odoo.databases
    assert cli.argvs[-1][-1] == 'DROP DATABASE "erp"'
    assert cli.argvs[-1][cli.argvs[-1].index("-d") + 1] == "postgres"
    assert cli.argvs[0][:8] == shlex.split(psql)


def test_cli_drop_closes_the_running_servers_connections_first(run_module, odoo, odoo_server):
    # real Odoo 18 serving the database keeps pooled connections: a bare DROP DATABASE fails
    odoo.databases.add("erp")
    cli = FakeCli(odoo)
    cli.sessions.add("erp")
    res = run_module(
        odoo_database.main,
        args(odoo_server, method="cli", psql_command="psql -U odoo", state="absent", confirm_drop=True),
        run_command=cli,
    )
    assert not res.failed, res.result
    assert "erp" not in odoo.databases
    assert [a[-1].split(" ")[0] for a in cli.argvs] == ["SELECT", "SELECT", "DROP"]


def test_language_change_alone_is_not_a_password_change(run_module, odoo, odoo_server):
    # real Odoo 18: admin_password unchanged, language en_US -> fr_FR reported admin_password_changed=true
    odoo.databases.add("erp")
    odoo.users["admin"]["password"] = "s3cret"
    res = run_module(odoo_database.main, args(odoo_server, admin_password="s3cret", language="fr_FR"))
    assert res.result["changed"] is True
    assert res.result["admin_password_changed"] is False
    assert odoo.users["admin"]["lang"] == "fr_FR"
    again = run_module(odoo_database.main, args(odoo_server, admin_password="s3cret", language="fr_FR"))
    assert again.result["changed"] is False


def test_sql_literal_used_for_existence_is_quoted():
    seen = []

    def run(argv):
        seen.append(argv[-1])
        return 0, "", ""

    assert odoo_psql.database_exists_sql(run, "psql", "x'; DROP TABLE y; --") is False
    assert seen == ["SELECT 1 FROM pg_database WHERE datname = 'x''; DROP TABLE y; --'"]


def test_cli_initialises_an_empty_database_in_place(run_module, odoo, odoo_server):
    # the PostgreSQL role creates the application's database (owned by its role) before Odoo runs
    cli = FakeCli(odoo)
    cli.empty.add("erp")
    opts = dict(method="cli", psql_command="psql -U odoo", maintenance_db="erp", admin_password="s3cret")
    check = run_module(odoo_database.main, args(odoo_server, **opts), run_command=cli, check_mode=True)
    assert check.result["changed"] is True and check.result["initialized"] is False
    assert "erp" in cli.empty
    res = run_module(odoo_database.main, args(odoo_server, **opts), run_command=cli)
    assert not res.failed, res.result
    assert res.result["changed"] is True
    assert res.result["existed"] is True and res.result["initialized"] is False
    assert res.result["commands"][0][-7:-3] == ["-d", "erp", "-i", "base"]
    assert odoo.users["admin"]["password"] == "s3cret"
    again = run_module(odoo_database.main, args(odoo_server, **opts), run_command=cli)
    assert again.result["changed"] is False and again.result["initialized"] is True


def test_initialise_before_the_server_runs(run_module, odoo, odoo_server):
    # server_running=false: creation only, no RPC (the URL points nowhere)
    cli = FakeCli(odoo)
    cli.empty.add("erp")
    opts = dict(method="cli", psql_command="psql -U odoo", maintenance_db="erp", server_running=False,
                admin_password="s3cret", url="http://127.0.0.1:9", wait_timeout=0)
    res = run_module(odoo_database.main, {**args(odoo_server), **opts}, run_command=cli)
    assert not res.failed, res.result
    assert res.result["changed"] is True and res.result["admin_password_changed"] is False
    assert "erp" in odoo.databases and "erp" not in cli.empty
    assert odoo.users["admin"]["password"] == "admin"
    refused = run_module(odoo_database.main, {**args(odoo_server), "server_running": False}, run_command=cli)
    assert refused.failed and "method=cli" in refused.result["msg"]
