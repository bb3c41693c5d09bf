"""TEST DOUBLE for Odoo: the HTTP server (``/web/health``, ``/web/login``,
``/xmlrpc/2/{common,object,db}``, ``/xmlrpc/<service>``, ``/jsonrpc``).

Dispatch and fault shapes follow ``odoo/service/{common,db,model}.py`` and
``odoo/addons/base/controllers/rpc.py``: AccessDenied -> fault 3
"Access Denied", AccessError -> 4, UserError -> 2, anything else -> 1 with the
formatted traceback as faultString.
"""

import hashlib
import html
import json
import logging
import secrets
import sys
import threading
import traceback
import xmlrpc.client
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import psycopg2

from . import RPC_VERSION_1, VERSION, catalog, models, passwords
from .exceptions import AccessDenied, AccessError, DatabaseExists, MissingError, UserError

_logger = logging.getLogger("odoo.http")


class Services:
    """The RPC services; one instance per server, state lives in PostgreSQL."""

    def __init__(self, config, store):
        self.config, self.store = config, store
        self._checked = {}
        self._lock = threading.Lock()

    # -- security.check / res.users.authenticate ------------------------------
    def _user(self, db, login=None, uid=None):
        with self.store.cursor(db) as cr:
            if login is not None:
                cr.execute("SELECT id, password FROM res_users WHERE login = %s AND active", (login,))
            else:
                cr.execute("SELECT id, password FROM res_users WHERE id = %s AND active", (uid,))
            return cr.fetchone()

    def authenticate(self, db, login, password, user_agent_env=None):
        row = self._user(db, login=login)
        if not row or not passwords.verify_password(password, row["password"]):
            return False
        return row["id"]

    def check(self, db, uid, password):
        key = (db, int(uid), hashlib.sha256(str(password).encode()).hexdigest())
        row = self._user(db, uid=int(uid))
        if not row:
            raise AccessDenied()
        with self._lock:
            if self._checked.get(key) == row["password"]:
                return
        if not passwords.verify_password(password, row["password"]):
            raise AccessDenied()
        with self._lock:
            self._checked[key] = row["password"]

    def forget_credentials(self):
        with self._lock:
            self._checked.clear()

    # -- services ------------------------------------------------------------
    def dispatch(self, service, method, params):
        if service == "common":
            return self.common(method, params)
        if service == "db":
            return self.db(method, params)
        if service == "object":
            return self.object(method, params)
        raise Exception(f"No such RPC service: {service}")

    def common(self, method, params):
        if method == "version":
            return RPC_VERSION_1
        if method == "authenticate":
            return self.authenticate(*params)
        if method == "login":
            return self.authenticate(*params, None)
        if method == "about":
            return ("See http://openerp.com", VERSION) if params and params[0] else "See http://openerp.com"
        if method == "set_loglevel":
            return True
        raise Exception(f"Method not found: {method}")

    def list_dbs(self, force=False):
        if not self.config["list_db"] and not force:
            raise AccessDenied()
        if not self.config["dbfilter"] and self.config["db_name"]:
            return sorted(db.strip() for db in str(self.config["db_name"]).split(","))
        return self.store.list_dbs()

    def _mgt_enabled(self):
        if not self.config["list_db"]:
            _logger.error("Database management functions blocked, admin disabled database listing")
            raise AccessDenied()

    def db(self, method, params):
        if method == "db_exist":
            return self.store.db_exist(*params)
        if method == "list":
            if not self.config["list_db"]:
                raise AccessDenied()
            return self.list_dbs()
        if method == "list_lang":
            return [["en_US", "English (US)"]]
        if method == "server_version":
            return VERSION
        handler = getattr(self, "db_" + method, None)
        if handler is None:
            raise KeyError(f"Method not found: {method}")
        passwd, params = params[0], params[1:]
        if not (passwd and self.config.verify_admin_password(passwd)):
            raise AccessDenied()
        self._mgt_enabled()
        return handler(*params)

    def db_create_database(self, db_name, demo, lang, user_password="admin", login="admin", country_code=None,  # noqa: S107
                           phone=None):
        self.store.create_empty_database(db_name)
        self.store.initialize(db_name, lang=lang or "en_US", login=login, password=user_password,
                              country_code=country_code)
        return True

    def db_drop(self, db_name):
        if db_name not in self.list_dbs(True):
            return False
        self.store.drop_database(db_name)
        self.forget_credentials()
        return True

    def db_duplicate_database(self, db_original_name, db_name, neutralize_database=False):
        self.store.duplicate_database(db_original_name, db_name)
        return True

    def db_change_admin_password(self, new_password):
        self.config["admin_passwd"] = passwords.hash_password(new_password)
        return True

    def object(self, method, params):
        db, uid, passwd = params[0], int(params[1]), params[2]
        self.check(db, uid, passwd)
        if method == "execute_kw":
            model, meth, args = params[3], params[4], params[5]
            kwargs = params[6] if len(params) > 6 else {}
        elif method == "execute":
            model, meth, args, kwargs = params[3], params[4], list(params[5:]), {}
        else:
            raise NameError(f"Method not available {method}")
        kwargs = dict(kwargs or {})
        kwargs.pop("context", None)
        with self.store.cursor(db) as cr:
            env = models.Env(cr, uid, self.config, catalog.scan(self.config.addons_paths), self.forget_credentials)
            result = models.call_kw(env, model, meth, list(args), kwargs)
        if result is None:
            _logger.info("The method %s of the object %s can not return `None`!", meth, model)
        return result


def fault_for(exc, int_codes=True):
    """xmlrpc_handle_exception_int / _string of odoo/addons/base/controllers/rpc.py."""
    if isinstance(exc, AccessError):
        return xmlrpc.client.Fault(4, str(exc)) if int_codes else xmlrpc.client.Fault(
            "warning -- AccessError\n\n" + str(exc), "")
    if isinstance(exc, AccessDenied):
        return xmlrpc.client.Fault(3, str(exc)) if int_codes else xmlrpc.client.Fault("AccessDenied", str(exc))
    if isinstance(exc, UserError):
        kind = "MissingError" if isinstance(exc, MissingError) else "UserError"
        return xmlrpc.client.Fault(2, str(exc)) if int_codes else xmlrpc.client.Fault(
            f"warning -- {kind}\n\n" + str(exc), "")
    formatted = "".join(traceback.format_exception(exc))
    if isinstance(exc, DatabaseExists):
        formatted = formatted.replace("odoo_double.exceptions.DatabaseExists", "odoo.service.db.DatabaseExists")
    return xmlrpc.client.Fault(1, formatted) if int_codes else xmlrpc.client.Fault(str(exc), formatted)


LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en-US">
<head><meta charset="utf-8"/><title>Odoo</title>
<meta name="generator" content="Odoo test double (tests/odoo_double) - not Odoo"/></head>
<body class="o_web_client">
<main><div class="oe_login_form">
<form class="oe_login_form" role="form" action="/web/login" method="post">
<input type="hidden" name="csrf_token" value="{csrf}"/>
{db_field}
<label for="login">Email</label><input type="text" name="login" id="login" required="required"/>
<label for="password">Password</label><input type="password" name="password" id="password" required="required"/>
<button type="submit" class="btn btn-primary">Log in</button>
</form>
<div class="text-center small mt-4 pt-3 border-top"><a href="https://www.odoo.com?utm_source=db&amp;utm_medium=auth"
 target="_blank">Powered by <span>Odoo</span></a></div>
</div></main></body></html>
"""

SELECTOR_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"/><title>Odoo</title></head>
<body><div class="o_database_list"><h1>Odoo</h1>{items}</div></body></html>
"""


class Handler(BaseHTTPRequestHandler):
    server_version = "Werkzeug/2.2.2"
    sys_version = "Python/" + sys.version.split()[0]
    protocol_version = "HTTP/1.1"

    @property
    def services(self):
        return self.server.services

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        _logger.info("%s %s", self.address_string(), format % args)

    def _send(self, status, body, content_type="text/html; charset=utf-8", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _redirect(self, location):
        body = f'<a href="{html.escape(location)}">{html.escape(location)}</a>'
        self._send(303, body, headers=[("Location", location)])

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == "/web/health":
            info, status = {"status": "pass"}, 200
            if query.get("db_server_status"):
                info["db_server_status"] = self.services.store.db_exist("postgres")
                if not info["db_server_status"]:
                    info["status"], status = "fail", 500
            return self._send(status, json.dumps(info), "application/json",
                              headers=[("Cache-Control", "no-store")])
        if url.path == "/web/login":
            return self._login_page(query)
        if url.path in ("/", "/web", "/odoo"):
            return self._redirect("/web/login")
        if url.path in ("/web/database/selector", "/web/database/manager"):
            if not self.services.config["list_db"]:
                return self._send(403, "<html><body><h1>Odoo</h1><p>Access Denied</p></body></html>")
            items = "".join(f'<a href="/web?db={html.escape(db)}">{html.escape(db)}</a>'
                            for db in self.services.list_dbs())
            return self._send(200, SELECTOR_PAGE.format(items=items))
        return self._send(404, "<html><body><h1>Odoo</h1><p>404: Page not found</p></body></html>")

    def _session(self):
        cookies = SimpleCookie(self.headers.get("Cookie") or "")
        sid = cookies["session_id"].value if "session_id" in cookies else None
        return sid, self.server.sessions.get(sid)

    def _login_page(self, query):
        """Like odoo's ensure_db(): a ?db= not bound to the session is bound, then redirected to."""
        try:
            dbs = self.services.list_dbs(force=True)
        except psycopg2.Error:
            dbs = []
        sid, session_db = self._session()
        db = query.get("db")
        if db and db not in dbs:
            db = None
        if db and db != session_db:
            sid = secrets.token_urlsafe(48)
            self.server.sessions[sid] = db
            location = self.path
            body = f'<a href="{html.escape(location)}">{html.escape(location)}</a>'
            return self._send(302, body, headers=[
                ("Location", location),
                ("Set-Cookie", f"session_id={sid}; Max-Age=604800; HttpOnly; Path=/")])
        db = db or session_db
        if not db and len(dbs) == 1:
            db = dbs[0]
        if not db:
            return self._redirect("/web/database/selector")
        db_field = f'<input type="hidden" name="db" value="{html.escape(db)}"/>'
        return self._send(200, LOGIN_PAGE.format(csrf=secrets.token_hex(20), db_field=db_field))

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self):
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["xmlrpc", "2"]:
            return self._xmlrpc(parts[2], int_codes=True)
        if len(parts) == 2 and parts[0] == "xmlrpc":
            return self._xmlrpc(parts[1], int_codes=False)
        if url.path == "/jsonrpc":
            return self._jsonrpc()
        if url.path == "/web/webclient/version_info":
            body = json.loads(self._body() or b"{}")
            return self._send(200, json.dumps({"jsonrpc": "2.0", "id": body.get("id"), "result": RPC_VERSION_1}),
                              "application/json")
        return self._send(404, "<html><body><h1>Odoo</h1><p>404: Page not found</p></body></html>")

    def _xmlrpc(self, service, int_codes):
        try:
            params, method = xmlrpc.client.loads(self._body(), use_datetime=True)
            result = self.services.dispatch(service, method, params)
            response = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=False)
        except Exception as exc:  # every error becomes a fault, like Odoo
            if not isinstance(exc, UserError):
                _logger.exception("RPC error on %s", service)
            response = xmlrpc.client.dumps(fault_for(exc, int_codes), methodresponse=True, allow_none=False)
        self._send(200, response, "text/xml; charset=utf-8")

    def _jsonrpc(self):
        body = json.loads(self._body() or b"{}")
        p = body.get("params") or {}
        try:
            result = self.services.dispatch(p.get("service"), p.get("method"), p.get("args") or [])
            payload = {"jsonrpc": "2.0", "id": body.get("id"), "result": result}
        except Exception as exc:
            name = "odoo.exceptions.AccessDenied" if isinstance(exc, AccessDenied) else (
                "odoo.exceptions." + type(exc).__name__ if isinstance(exc, UserError) else type(exc).__name__)
            payload = {"jsonrpc": "2.0", "id": body.get("id"), "error": {
                "code": 200, "message": "Odoo Server Error",
                "data": {"name": name, "message": str(exc), "arguments": [str(exc)],
                         "debug": "".join(traceback.format_exception(exc))}}}
        self._send(200, json.dumps(payload, default=str), "application/json")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, services):
        self.services = services
        self.sessions = {}
        super().__init__(address, Handler)
