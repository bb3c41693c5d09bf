import socket

import pytest
from ansible_collections.insightpulse.platform.plugins.module_utils import odoo_errors, odoo_rpc


# ---------------------------------------------------------------- fault reduction
def test_reduce_fault_keeps_only_the_exception_line():
    text = (
        "Traceback (most recent call last):\n"
        '  File "odoo/service/model.py", line 156, in execute_cr\n'
        "    raise\n"
        "ValueError: Invalid field 'foo' on model 'ir.module.module'\n"
    )
    assert odoo_rpc.reduce_fault(text) == "ValueError: Invalid field 'foo' on model 'ir.module.module'"


def test_reduce_fault_shortens_dotted_names_and_keeps_multiline_messages():
    text = (
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "odoo.exceptions.UserError: You try to install module 'x' that depends on 'y'.\n"
        "But the latter module is not available in your system.\n"
    )
    assert odoo_rpc.reduce_fault(text) == (
        "UserError: You try to install module 'x' that depends on 'y'. "
        "But the latter module is not available in your system."
    )


def test_reduce_fault_without_traceback_is_joined():
    assert odoo_rpc.reduce_fault("warning -- UserError\n\nNot allowed") == "warning -- UserError Not allowed"
    assert odoo_rpc.reduce_fault("") == "unknown Odoo error"


def test_reduce_fault_of_chained_exceptions_names_the_last_and_the_first():
    """Odoo 18's answer to a module operation while a scheduled action runs, without a language in
    the context (CI saw it): the raised exception's name is no ...Error, and what started it is
    three tracebacks up."""
    from fake_odoo import CRON_BUSY_WITHOUT_LANG

    assert odoo_rpc.reduce_fault(CRON_BUSY_WITHOUT_LANG) == (
        "InFailedSqlTransaction: current transaction is aborted, commands ignored until end of transaction block "
        '(after LockNotAvailable: could not obtain lock on row in relation "ir_cron")'
    )


def test_reduce_fault_of_an_exception_without_message_or_usual_name():
    text = 'Traceback (most recent call last):\n  File "x.py", line 1, in f\n    g()\nodoo.exceptions.CacheMiss\n'
    assert odoo_rpc.reduce_fault(text) == "CacheMiss"


# ---------------------------------------------------------------- live loopback server
def test_version_and_authenticate(odoo_server, client_for):
    client = client_for(odoo_server)
    assert client.version()["server_serie"] == "18.0"
    assert client.authenticate() == 2
    assert client.server_serie() == "18.0"


def test_wrong_password_is_named(odoo_server, client_for):
    client = client_for(odoo_server, password="nope")
    with pytest.raises(odoo_errors.OdooAuthError) as err:
        client.authenticate()
    assert "refused login 'admin' on database 'production': wrong login or password" in str(err.value)


def test_unknown_database_is_named(odoo_server, client_for):
    client = client_for(odoo_server, database="nope")
    with pytest.raises(odoo_errors.OdooDatabaseError) as err:
        client.authenticate()
    assert str(err.value) == f"Database 'nope' does not exist on {odoo_server.url}"
    assert "Traceback" not in str(err.value)


def test_fault_reduced_to_message(odoo_server, client_for):
    client = client_for(odoo_server)
    with pytest.raises(odoo_errors.OdooFault) as err:
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
    client = odoo_rpc.OdooClient(f"http://127.0.0.1:{port}", database="x", password="p", timeout=2, wait_timeout=0)
    with pytest.raises(odoo_errors.OdooConnectionError) as err:
        client.version()
    assert str(err.value) == f"Odoo server unreachable at http://127.0.0.1:{port}: connection refused"


def test_per_call_timeout(odoo_server, odoo, client_for):
    odoo.delay = 1.5
    client = client_for(odoo_server, timeout=0.3)
    with pytest.raises(odoo_errors.OdooConnectionError) as err:
        client.version()
    assert "did not answer common.version within 0.3s" in str(err.value)


def test_wait_until_ready_polls_health_until_ready(odoo_server, client_for):
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


def test_wait_until_ready_falls_back_to_version_without_health(odoo_server, odoo, client_for):
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

    client = odoo_rpc.OdooClient(
        "http://odoo.invalid:8069", database="x", wait_timeout=10, http_get=http_get, sleep=sleep, clock=clock
    )
    with pytest.raises(odoo_errors.OdooConnectionError) as err:
        client.wait_until_ready()
    assert str(err.value) == (
        "Odoo server unreachable at http://odoo.invalid:8069 after waiting 10s: connection refused"
    )
    assert 10.0 <= now[0] <= 10.5


def test_db_list_hidden_falls_back_to_db_exist(odoo_server, odoo, client_for):
    client = client_for(odoo_server)
    assert client.database_exists("production") is True
    odoo.list_db = False
    assert client.db_list() is None
    assert client.database_exists("production") is True
    assert client.database_exists("other") is False
    assert ("db", "db_exist", "other") in odoo.calls


def test_db_drop_wrong_master_password(odoo_server, client_for):
    client = client_for(odoo_server)
    with pytest.raises(odoo_errors.OdooAuthError) as err:
        client.db_drop("wrong", "production")
    assert "wrong master password" in str(err.value)


def test_url_must_be_http():
    with pytest.raises(odoo_errors.OdooError) as err:
        odoo_rpc.OdooClient("127.0.0.1:8069")
    assert "must start with http://" in str(err.value)


# ---------------------------------------------------------------- user-id cache
def _logins(odoo):
    return [c for c in odoo.calls if c[0] == "authenticate"]


def test_resume_logs_in_once_then_reuses_the_user_id(odoo_server, odoo, client_for, tmp_path):
    cache = odoo_rpc.UidCache(str(tmp_path / "uids.json"))
    assert client_for(odoo_server, uid_cache=cache).resume() == 2
    assert len(_logins(odoo)) == 1
    second = client_for(odoo_server, uid_cache=cache)
    assert second.resume() == 2
    assert second.execute_kw("ir.config_parameter", "search", [[]]) == []
    assert len(_logins(odoo)) == 1, "the second client logged in again"
    stored = (tmp_path / "uids.json").read_text()
    assert "admin-pw" not in stored and "production" not in stored
    assert (tmp_path / "uids.json").stat().st_mode & 0o777 == 0o600


def test_resume_logs_in_when_the_cached_id_is_stale(odoo_server, odoo, client_for, tmp_path):
    cache = odoo_rpc.UidCache(str(tmp_path / "uids.json"))
    cache.put(odoo_server.url, "production", "admin", 7)  # a recreated database gave admin another id
    assert client_for(odoo_server, uid_cache=cache).resume() == 2
    assert len(_logins(odoo)) == 1
    assert cache.get(odoo_server.url, "production", "admin") == 2


def test_resume_with_a_changed_password_fails_like_a_login(odoo_server, odoo, client_for, tmp_path):
    cache = odoo_rpc.UidCache(str(tmp_path / "uids.json"))
    client_for(odoo_server, uid_cache=cache).resume()
    odoo.users["admin"]["password"] = "rotated"
    with pytest.raises(odoo_errors.OdooAuthError) as err:
        client_for(odoo_server, uid_cache=cache).resume()
    assert "refused login 'admin' on database 'production'" in str(err.value)
    assert cache.get(odoo_server.url, "production", "admin") is None


def test_cache_keys_apart_servers_databases_and_logins(tmp_path):
    cache = odoo_rpc.UidCache(str(tmp_path / "uids.json"))
    cache.put("http://a:8069", "odoo", "admin", 2)
    cache.put("http://a:8069", "odoo", "reader", 9)
    assert cache.get("http://a:8069", "odoo", "admin") == 2
    assert cache.get("http://a:8069", "odoo", "reader") == 9
    assert cache.get("http://b:8069", "odoo", "admin") is None
    assert cache.get("http://a:8069", "other", "admin") is None


def test_unwritable_or_garbled_cache_is_no_error(odoo_server, odoo, client_for, tmp_path):
    garbled = tmp_path / "uids.json"
    garbled.write_text("{not json")
    cache = odoo_rpc.UidCache(str(garbled))
    assert cache.get(odoo_server.url, "production", "admin") is None
    assert client_for(odoo_server, uid_cache=cache).resume() == 2
    blocked = tmp_path / "file"
    blocked.write_text("")
    unwritable = odoo_rpc.UidCache(str(blocked / "sub" / "uids.json"))  # a file where a directory must be
    assert client_for(odoo_server, uid_cache=unwritable).resume() == 2
