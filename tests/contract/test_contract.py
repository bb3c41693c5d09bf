"""Contract: the Odoo 18 protocol subset the insightpulse.platform collection relies on.

Runs against a real Odoo 18: the Community stack conftest.py starts from the
sandbox images, or any server given by ODOO_URL=... Tests run in file order:
the module tests walk one small CE dependency chain (barcodes_gs1_nomenclature
-> barcodes, uom) through install, upgrade and uninstall.
"""

import http.cookiejar
import json
import secrets
import shlex
import subprocess
import urllib.request
import xmlrpc.client

import pytest

LEAF, DEP1, DEP2 = "barcodes_gs1_nomenclature", "barcodes", "uom"
CHAIN = [LEAF, DEP1, DEP2]
FIELDS = ["name", "state", "latest_version", "installed_version"]


def http_get(url):
    """GET like a browser: follow redirects keeping cookies (Odoo binds the db to the session cookie)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(url, timeout=30) as resp:
        return resp.status, resp.headers, resp.read().decode()


def states(rpc, names):
    rows = rpc("ir.module.module", "search_read", [("name", "in", names)], fields=FIELDS)
    return {row["name"]: row for row in rows}


# -- HTTP ----------------------------------------------------------------------
def test_health(odoo):
    status, headers, body = http_get(f"{odoo.url}/web/health")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"status": "pass"}


def test_login_page(odoo):
    status, _, body = http_get(f"{odoo.url}/web/login?db={odoo.db}")
    assert status == 200
    assert "Odoo" in body
    assert 'name="login"' in body and 'name="password"' in body


# -- /xmlrpc/2/common ------------------------------------------------------------
def test_version(rpc):
    version = rpc.common.version()
    assert version["server_version"].startswith("18.0")
    assert version["server_version_info"][:2] == [18, 0]
    assert version["server_serie"] == "18.0"
    assert version["protocol_version"] == 1


def test_authenticate_good(rpc, odoo):
    uid = rpc.common.authenticate(odoo.db, odoo.user, odoo.password, {})
    assert isinstance(uid, int) and uid > 0
    assert rpc.common.login(odoo.db, odoo.user, odoo.password) == uid


@pytest.mark.parametrize("login,password", [("admin-nobody", "x"), (None, "wrong-password")])
def test_authenticate_bad(rpc, odoo, login, password):
    assert rpc.common.authenticate(odoo.db, login or odoo.user, password, {}) is False


def test_execute_kw_bad_password_is_access_denied(rpc, odoo):
    with pytest.raises(xmlrpc.client.Fault) as err:
        rpc.models.execute_kw(odoo.db, rpc.uid, "wrong-password", "ir.module.module", "search", [[]], {})
    assert err.value.faultCode == 3
    assert err.value.faultString == "Access Denied"


def test_unknown_model_is_a_user_error(rpc):
    with pytest.raises(xmlrpc.client.Fault) as err:
        rpc("no.such.model", "search", [])
    assert err.value.faultCode == 2
    assert "no.such.model" in err.value.faultString and "exist" in err.value.faultString


def test_unknown_database_is_a_fault(rpc, odoo):
    with pytest.raises(xmlrpc.client.Fault) as err:
        rpc.models.execute_kw(odoo.db + "_missing", 2, odoo.password, "ir.module.module", "search", [[]], {})
    assert err.value.faultCode == 1
    assert "does not exist" in err.value.faultString


# -- ir.module.module ----------------------------------------------------------------
def test_update_list(rpc):
    result = rpc("ir.module.module", "update_list")
    assert isinstance(result, list) and len(result) == 2 and all(isinstance(n, int) for n in result)


def test_module_search_read_base(rpc):
    base = states(rpc, ["base", "web"])
    assert set(base) == {"base", "web"}
    for row in base.values():
        assert row["state"] == "installed"
        assert row["latest_version"].startswith("18.0.")
        assert row["installed_version"].startswith("18.0.")
        assert set(row) == {"id", *FIELDS}


def test_module_search_and_read(rpc):
    ids = rpc("ir.module.module", "search", [("name", "=", "base")])
    assert len(ids) == 1
    [row] = rpc("ir.module.module", "read", ids, fields=["name", "state"])
    assert row == {"id": ids[0], "name": "base", "state": "installed"}
    assert rpc("ir.module.module", "search", [("name", "=", "no_such_module_xyz")]) == []
    assert rpc("ir.module.module", "search_count", [("name", "in", CHAIN)]) == 3


def test_module_dependencies_are_exposed(rpc):
    [leaf_id] = rpc("ir.module.module", "search", [("name", "=", LEAF)])
    deps = rpc(
        "ir.module.module.dependency",
        "search_read",
        [("module_id", "=", leaf_id)],
        fields=["name", "module_id", "depend_id", "state"],
    )
    assert {d["name"] for d in deps} == {DEP1, DEP2}
    for dep in deps:
        assert dep["module_id"][0] == leaf_id
        assert isinstance(dep["depend_id"], list) and isinstance(dep["depend_id"][0], int)


def test_chain_starts_uninstalled(rpc):
    got = states(rpc, CHAIN)
    assert {name: row["state"] for name, row in got.items()} == dict.fromkeys(CHAIN, "uninstalled"), (
        "the contract needs a database where barcodes_gs1_nomenclature, barcodes and uom are not installed"
    )


def test_install_pulls_dependencies(rpc):
    [leaf_id] = rpc("ir.module.module", "search", [("name", "=", LEAF)])
    action = rpc("ir.module.module", "button_immediate_install", [leaf_id])
    assert isinstance(action, dict) and action.get("type", "").startswith("ir.actions")
    got = states(rpc, CHAIN)
    for name in CHAIN:
        assert got[name]["state"] == "installed", name
        assert got[name]["latest_version"] == got[name]["installed_version"], name


def test_upgrade(rpc):
    [dep_id] = rpc("ir.module.module", "search", [("name", "=", DEP1)])
    action = rpc("ir.module.module", "button_immediate_upgrade", [dep_id])
    assert isinstance(action, dict)
    assert {row["state"] for row in states(rpc, CHAIN).values()} == {"installed"}


def test_upgrade_of_uninstalled_module_is_a_user_error(rpc):
    [mod_id] = rpc("ir.module.module", "search", [("name", "=", "base_sparse_field")])
    if states(rpc, ["base_sparse_field"])["base_sparse_field"]["state"] != "uninstalled":
        pytest.skip("base_sparse_field is installed on this database")
    with pytest.raises(xmlrpc.client.Fault) as err:
        rpc("ir.module.module", "button_immediate_upgrade", [mod_id])
    assert err.value.faultCode == 2
    assert "not installed" in err.value.faultString


def test_uninstall_removes_dependents(rpc):
    [dep_id] = rpc("ir.module.module", "search", [("name", "=", DEP1)])
    action = rpc("ir.module.module", "button_immediate_uninstall", [dep_id])
    assert isinstance(action, dict)
    got = states(rpc, CHAIN)
    assert got[DEP1]["state"] == "uninstalled"
    assert got[LEAF]["state"] == "uninstalled"
    assert got[DEP2]["state"] == "installed"
    assert got[DEP1]["latest_version"] is False


def test_uninstall_of_uninstalled_module_is_a_user_error(rpc):
    [dep_id] = rpc("ir.module.module", "search", [("name", "=", DEP1)])
    with pytest.raises(xmlrpc.client.Fault) as err:
        rpc("ir.module.module", "button_immediate_uninstall", [dep_id])
    assert err.value.faultCode == 2


def test_uninstall_cleanup(rpc):
    [uom_id] = rpc("ir.module.module", "search", [("name", "=", DEP2)])
    rpc("ir.module.module", "button_immediate_uninstall", [uom_id])
    assert {row["state"] for row in states(rpc, CHAIN).values()} == {"uninstalled"}


# -- ir.config_parameter --------------------------------------------------------------
def test_config_param_set_get_unset(rpc):
    key = "contract.test." + secrets.token_hex(4)
    assert rpc("ir.config_parameter", "get_param", key) is False
    assert rpc("ir.config_parameter", "get_param", key, "dflt") == "dflt"
    assert rpc("ir.config_parameter", "set_param", key, "one") is False
    assert rpc("ir.config_parameter", "get_param", key) == "one"
    assert rpc("ir.config_parameter", "set_param", key, "two") == "one"
    rows = rpc("ir.config_parameter", "search_read", [("key", "=", key)], fields=["key", "value"])
    assert [(r["key"], r["value"]) for r in rows] == [(key, "two")]
    assert rpc("ir.config_parameter", "set_param", key, False) == "two"
    assert rpc("ir.config_parameter", "search", [("key", "=", key)]) == []


def test_config_param_orm_create_write_unlink(rpc):
    key = "contract.orm." + secrets.token_hex(4)
    new_id = rpc("ir.config_parameter", "create", {"key": key, "value": "a"})
    assert isinstance(new_id, int)
    assert rpc("ir.config_parameter", "write", [new_id], {"value": "b"}) is True
    assert rpc("ir.config_parameter", "read", [new_id], fields=["value"])[0]["value"] == "b"
    assert rpc("ir.config_parameter", "unlink", [new_id]) is True
    assert rpc("ir.config_parameter", "get_param", key) is False


def test_database_uuid_param_exists(rpc):
    assert rpc("ir.config_parameter", "get_param", "database.uuid")


# -- res.users: admin password -----------------------------------------------------------
def test_admin_password_write(rpc, odoo):
    temporary = "contract-" + secrets.token_hex(6)
    assert rpc("res.users", "write", [rpc.uid], {"password": temporary}) is True
    try:
        assert rpc.common.authenticate(odoo.db, odoo.user, temporary, {}) == rpc.uid
        assert rpc.common.authenticate(odoo.db, odoo.user, odoo.password, {}) is False
    finally:
        rpc.models.execute_kw(
            odoo.db, rpc.uid, temporary, "res.users", "write", [[rpc.uid], {"password": odoo.password}]
        )
    assert rpc.common.authenticate(odoo.db, odoo.user, odoo.password, {}) == rpc.uid


# -- /xmlrpc/2/db ------------------------------------------------------------------------
def test_db_list_exist_version(rpc, odoo):
    assert odoo.db in rpc.dbs.list()
    assert rpc.dbs.db_exist(odoo.db) is True
    assert rpc.dbs.db_exist(odoo.db + "_missing") is False
    assert rpc.dbs.server_version().startswith("18.0")


def test_db_create_with_bad_master_password_is_access_denied(rpc, odoo):
    with pytest.raises(xmlrpc.client.Fault) as err:
        rpc.dbs.create_database("wrong-master", odoo.db + "_denied", False, "en_US", "x", "admin", None, None)
    assert err.value.faultCode == 3
    assert err.value.faultString == "Access Denied"
    assert rpc.dbs.db_exist(odoo.db + "_denied") is False


def test_db_create_existing_is_a_fault(rpc, odoo):
    with pytest.raises(xmlrpc.client.Fault) as err:
        rpc.dbs.create_database(odoo.master, odoo.db, False, "en_US", "x", "admin", None, None)
    assert err.value.faultCode == 1
    assert "already exists" in err.value.faultString


def test_db_create_and_drop(rpc, odoo):
    name = odoo.db + "_scratch"
    password = "scratch-" + secrets.token_hex(4)
    assert rpc.dbs.create_database(odoo.master, name, False, "en_US", password, "admin", None, None) is True
    try:
        assert rpc.dbs.db_exist(name) is True
        assert name in rpc.dbs.list()
        uid = rpc.common.authenticate(name, "admin", password, {})
        assert isinstance(uid, int) and uid > 0
        base = rpc.models.execute_kw(
            name, uid, password, "ir.module.module", "search_read", [[("name", "=", "base")]], {"fields": ["state"]}
        )
        assert base[0]["state"] == "installed"
        with pytest.raises(xmlrpc.client.Fault) as err:
            rpc.dbs.drop("wrong-master", name)
        assert err.value.faultCode == 3
    finally:
        assert rpc.dbs.drop(odoo.master, name) is True
    assert rpc.dbs.db_exist(name) is False
    assert rpc.dbs.drop(odoo.master, name) is False


# -- Enterprise modules in the Community catalog ----------------------------------------------
ENTERPRISE_ONLY = "knowledge"  # Odoo Community lists it (base/data/ir_module_module.xml) without its code
ENTERPRISE_MSG = (
    "knowledge is an Odoo Enterprise module, not available on Odoo Community (Community lists Enterprise apps "
    "as upsells, to_buy, without their code). Nothing was changed."
)


def _community_upsell(rpc):
    [row] = rpc("ir.module.module", "search_read", [("name", "=", ENTERPRISE_ONLY)], fields=["state", "to_buy"])
    if not row["to_buy"]:
        pytest.skip(f"{ENTERPRISE_ONLY} is not an upsell row here: this server has Odoo Enterprise")
    return row


def test_community_lists_enterprise_modules_as_upsell_rows(rpc):
    row = _community_upsell(rpc)
    assert row["state"] == "uninstallable"
    assert row["to_buy"] is True


@pytest.mark.parametrize("method", ["rpc", "cli"])
def test_odoo_module_names_an_enterprise_module(rpc, odoo, run_odoo_module, method):
    """The collection's odoo_module, in-process, against this server: over XML-RPC, and over psql
    (method=cli reads ir_module_module.to_buy straight from PostgreSQL; check mode, as no Odoo
    command is needed to fail)."""
    _community_upsell(rpc)
    params = {"url": odoo.url, "database": odoo.db, "login": odoo.user, "password": odoo.password}
    if method == "cli":
        if not odoo.psql_command:
            pytest.skip("no psql route to the database (set ODOO_PSQL_COMMAND with ODOO_URL)")
        params.update(method="cli", psql_command=odoo.psql_command)
    before = states(rpc, ["project", "hr_expense"])
    result = run_odoo_module(dict(params, name=[ENTERPRISE_ONLY, "project", "hr_expense"]), check_mode=method == "cli")
    assert result.get("failed"), result
    assert result["msg"] == ENTERPRISE_MSG
    assert states(rpc, ["project", "hr_expense"]) == before


# -- The modules' login: a cached user id (odoo_rpc.UidCache) ---------------------
def test_a_cached_user_id_replaces_the_login(odoo, tmp_path, monkeypatch):
    """The second client proves the cached id with one read of the user's own login (no login,
    no password hashing), a stale id or a wrong password falls back to a real login."""
    from ansible_collections.insightpulse.platform.plugins.module_utils import odoo_errors, odoo_rpc

    cache = odoo_rpc.UidCache(str(tmp_path / "uids.json"))

    def client(password=odoo.password):
        return odoo_rpc.OdooClient(odoo.url, odoo.db, odoo.user, password, timeout=60, uid_cache=cache)

    uid = client().resume()
    assert cache.get(odoo.url, odoo.db, odoo.user) == uid

    second = client()
    monkeypatch.setattr(second, "authenticate", lambda: pytest.fail("logged in although the id was cached"))
    assert second.resume() == uid
    assert second.execute_kw("res.users", "read", [[uid]], {"fields": ["login"]})[0]["login"] == odoo.user

    cache.put(odoo.url, odoo.db, odoo.user, 999999)  # a recreated database: no such user
    assert client().resume() == uid
    assert cache.get(odoo.url, odoo.db, odoo.user) == uid

    with pytest.raises(odoo_errors.OdooAuthError, match="wrong login or password"):
        client(password=odoo.password + "-not").resume()
    assert cache.get(odoo.url, odoo.db, odoo.user) is None


# -- Module operations while a scheduled action runs ------------------------------------------
class CronRowLock:
    """Hold one ir_cron row's lock from a psql session, the way Odoo's cron runner does while a
    scheduled action runs (the stack runs no cron threads, so nothing else takes it)."""

    def __init__(self, odoo, seconds):
        if not odoo.psql_command:
            pytest.skip("no psql route to the database (set ODOO_PSQL_COMMAND with ODOO_URL)")
        sql = (
            "BEGIN;\n"
            "SELECT 'locked ' || id FROM ir_cron ORDER BY id LIMIT 1 FOR NO KEY UPDATE;\n"
            f"SELECT pg_sleep({seconds});\n"
            "COMMIT;\n"
        )
        argv = shlex.split(odoo.psql_command) + ["-X", "-q", "-A", "-t", "-d", odoo.db]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.proc.stdin.write(sql)
        self.proc.stdin.close()
        line = self.proc.stdout.readline()
        assert line.startswith("locked "), f"psql did not lock an ir_cron row: {line!r}"

    def wait(self):
        assert self.proc.wait(timeout=120) == 0


def test_module_operation_while_a_scheduled_action_runs_is_refused_and_worded_only_with_a_lang(rpc, odoo):
    [leaf_id] = rpc("ir.module.module", "search", [("name", "=", LEAF)])
    lock = CronRowLock(odoo, 8)
    try:
        with pytest.raises(xmlrpc.client.Fault) as worded:
            rpc("ir.module.module", "button_immediate_install", [leaf_id], context={"lang": "en_US"})
        with pytest.raises(xmlrpc.client.Fault) as unworded:
            rpc("ir.module.module", "button_immediate_install", [leaf_id])
    finally:
        lock.wait()
    assert worded.value.faultCode == 2
    assert "currently processing a scheduled action" in worded.value.faultString
    # without a language, the refusal's translation queries the aborted transaction
    from ansible_collections.insightpulse.platform.plugins.module_utils import odoo_rpc

    assert unworded.value.faultCode == 1
    assert odoo_rpc.reduce_fault(unworded.value.faultString) == (
        "InFailedSqlTransaction: current transaction is aborted, commands ignored until end of transaction block "
        '(after LockNotAvailable: could not obtain lock on row in relation "ir_cron")'
    )
    assert states(rpc, [LEAF])[LEAF]["state"] == "uninstalled"


def test_odoo_module_waits_for_the_scheduled_action_and_then_installs(rpc, odoo, run_odoo_module):
    lock = CronRowLock(odoo, 6)
    params = {"url": odoo.url, "database": odoo.db, "login": odoo.user, "password": odoo.password}
    result = run_odoo_module(dict(params, name=[LEAF]))
    lock.wait()
    assert not result.get("failed"), result
    assert result["busy_waits"] >= 1
    assert result["states"] == {LEAF: "installed"}
    assert {row["state"] for row in states(rpc, CHAIN).values()} == {"installed"}
    for name in (DEP1, DEP2):
        [mod_id] = rpc("ir.module.module", "search", [("name", "=", name)])
        rpc("ir.module.module", "button_immediate_uninstall", [mod_id])
    assert {row["state"] for row in states(rpc, CHAIN).values()} == {"uninstalled"}
