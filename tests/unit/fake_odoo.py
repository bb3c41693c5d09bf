"""A small in-memory Odoo for unit tests, served over real XML-RPC on 127.0.0.1.

It is a unit-test fake (the contract suite, tests/contract, runs against a real
Odoo 18): it keeps just enough of Odoo's observable behaviour (method names, return shapes,
fault codes and texts) for the plugins' unit tests, and records every call so
tests can assert what was (not) done. Its dependency logic is written
independently of plugins/module_utils so the tests do not grade the code with
its own answers.
"""

import json
import threading
import time
import xmlrpc.client
from http.server import BaseHTTPRequestHandler
from xmlrpc.server import MultiPathXMLRPCServer, SimpleXMLRPCDispatcher, SimpleXMLRPCRequestHandler

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3/dist-packages/odoo/addons/base/controllers/rpc.py", line 166, in xmlrpc_2\n'
    "    response = self._xmlrpc(service)\n"
    '  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 156, in execute_cr\n'
    "    raise\n"
    "%s\n"
)


def app_fault(message):
    return xmlrpc.client.Fault(1, TRACEBACK % message)


CRON_BUSY_MESSAGE = (
    "Odoo is currently processing a scheduled action.\n"
    "Module operations are not possible at this time, please try again later or contact your system administrator."
)
# What Odoo 18 answers to a module operation while a scheduled action runs and the call's
# context names no language: translating its refusal reads the user's language in the
# transaction the refused lock aborted (the real exchange is in tests/contract).
CRON_BUSY_WITHOUT_LANG = (
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3/dist-packages/odoo/addons/base/models/ir_module.py", line 596, in '
    "_button_immediate_function\n"
    '    self._cr.execute("SELECT * FROM ir_cron FOR UPDATE NOWAIT")\n'
    'psycopg2.errors.LockNotAvailable: could not obtain lock on row in relation "ir_cron"\n'
    "\n"
    "During handling of the above exception, another exception occurred:\n"
    "\n"
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3/dist-packages/odoo/tools/cache.py", line 99, in lookup\n'
    "    r = d[key]\n"
    "        ~^^^^^\n"
    "KeyError: ('res.users', <function Users.context_get at 0x7fdd91420b80>, 2)\n"
    "\n"
    "During handling of the above exception, another exception occurred:\n"
    "\n"
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3/dist-packages/odoo/addons/base/controllers/rpc.py", line 165, in xmlrpc_2\n'
    "    response = self._xmlrpc(service)\n"
    "               ^^^^^^^^^^^^^^^^^^^^^\n"
    "psycopg2.errors.InFailedSqlTransaction: current transaction is aborted, commands ignored until end of "
    "transaction block\n"
)


class FakeOdoo:
    def __init__(self, serie="18.0"):
        self.serie = serie
        self.calls = []
        self.databases = {"production"}
        self.list_db = True
        self.master_password = "master-pw"
        self.users = {"admin": {"id": 2, "password": "admin-pw", "lang": "en_US"}}
        self.params = {}
        self.langs = ["en_US"]
        self.modules = {}
        self.on_disk = {}  # addons present on the addons path but not yet in the catalog
        self.dependency_has_auto_install_required = True
        self.fail_install = set()
        self.commit_per_module = False  # True: like Odoo, modules before a failing one stay installed
        self.company_countries = []  # res.country ids of the companies
        self.company = {"id": 1, "name": "YourCompany", "country_id": False}  # the admin user's company
        self.countries = {"PH": 171, "US": 233}
        self.delay = 0.0
        self.cron_busy = 0  # module operations refused (a scheduled action runs) this many more times
        self._next_id = 1
        self.add_module("base", "installed", "1.3", depends=[])

    # ------------------------------------------------------------------ catalog helpers
    def add_module(
        self,
        name,
        state="uninstalled",
        version="1.0",
        depends=(),
        auto_install=False,
        installed=None,
        countries=(),
        to_buy=False,
    ):
        full = f"{self.serie}.{version}"
        self.modules[name] = {
            "id": self._next_id,
            "name": name,
            "state": state,
            "installed_version": full,
            "latest_version": (installed or full) if state == "installed" else False,
            "auto_install": auto_install,
            "depends": list(depends),
            "country_ids": list(countries),
            "to_buy": to_buy,
        }
        self._next_id += 1

    def add_enterprise_upsell(self, name):
        """A row like Odoo Community's base/data/ir_module_module.xml gives Enterprise apps (knowledge...):
        state uninstallable, to_buy, no manifest (installed_version False), no dependencies."""
        self.add_module(name, "uninstallable", to_buy=True)
        self.modules[name]["installed_version"] = False

    def set_available_version(self, name, version):
        self.modules[name]["installed_version"] = f"{self.serie}.{version}"

    def _by_ids(self, ids):
        return [m for m in self.modules.values() if m["id"] in ids]

    def _install(self, names):
        todo = []

        def visit(name):
            mod = self.modules[name]
            if mod["state"] == "installed" or name in todo:
                return
            for dep in mod["depends"]:
                visit(dep)
            todo.append(name)

        for name in names:
            visit(name)
        again = True
        while again:
            again = False
            for mod in self.modules.values():
                candidate = mod["auto_install"] and mod["state"] != "installed" and mod["name"] not in todo
                if mod["country_ids"] and not set(mod["country_ids"]) & set(self.company_countries):
                    candidate = False
                if candidate and all(self.modules[d]["state"] == "installed" or d in todo for d in mod["depends"]):
                    todo.append(mod["name"])
                    again = True
        for name in todo:
            if name in self.fail_install and not self.commit_per_module:
                raise app_fault(f"odoo.exceptions.UserError: could not install {name}")
        for name in todo:
            if name in self.fail_install:
                raise app_fault(f"odoo.exceptions.UserError: could not install {name}")
            mod = self.modules[name]
            mod["state"] = "installed"
            mod["latest_version"] = mod["installed_version"]

    def _dependents(self, names):
        found = set(names)
        again = True
        while again:
            again = False
            for mod in self.modules.values():
                if mod["state"] == "installed" and mod["name"] not in found and set(mod["depends"]) & found:
                    found.add(mod["name"])
                    again = True
        return found

    # ------------------------------------------------------------------ services
    def common_version(self):
        if self.delay:
            time.sleep(self.delay)
        major, minor = self.serie.split(".")
        return {
            "server_version": self.serie,
            "server_version_info": [int(major), int(minor), 0, "final", 0, ""],
            "server_serie": self.serie,
            "protocol_version": 1,
        }

    def common_authenticate(self, db, login, password, env):
        self.calls.append(("authenticate", db, login))
        if db not in self.databases:
            raise app_fault(
                'psycopg2.OperationalError: connection to server at "db" (172.18.0.2), port 5432 failed: '
                f'FATAL:  database "{db}" does not exist'
            )
        user = self.users.get(login)
        if user and user["password"] == password:
            return user["id"]
        return False

    def db_dispatch(self, method, *args):
        self.calls.append(("db", method) + tuple(a for a in args if a != self.master_password))
        if method == "list":
            if not self.list_db:
                raise xmlrpc.client.Fault(3, "Access Denied")
            return sorted(self.databases)
        if method == "db_exist":
            return args[0] in self.databases
        if method == "server_version":
            return self.serie
        if method == "drop":
            if not self.list_db or args[0] != self.master_password:
                raise xmlrpc.client.Fault(3, "Access Denied")
            if args[1] not in self.databases:
                return False
            self.databases.discard(args[1])
            return True
        raise xmlrpc.client.Fault(1, TRACEBACK % (f"KeyError: 'exp_{method}'"))

    def execute_kw(self, db, uid, password, model, method, args, kwargs=None):
        kwargs = kwargs or {}
        self.calls.append(("execute_kw", model, method))
        if db not in self.databases:
            raise app_fault(f'psycopg2.OperationalError: FATAL:  database "{db}" does not exist')
        user = next((u for u in self.users.values() if u["id"] == uid), None)
        if user is None or user["password"] != password:
            raise xmlrpc.client.Fault(3, "Access Denied")
        handler = getattr(self, "m_{}__{}".format(model.replace(".", "_"), method), None)
        if handler is None:
            raise app_fault(f"AttributeError: The method '{method}' does not exist on the model '{model}'")
        return handler(*args, **kwargs)

    # ------------------------------------------------------------------ models
    @staticmethod
    def _match(record, domain):
        for field, op, value in domain:
            if op == "=" and record.get(field) != value:
                return False
            if op == "in" and record.get(field) not in value:
                return False
        return True

    def _read(self, records, fields, valid):
        bad = [f for f in fields or [] if f not in valid]
        if bad:
            raise app_fault(f"ValueError: Invalid field {bad[0]!r} on model")
        out = []
        for rec in records:
            row = {"id": rec["id"]}
            for field in fields or valid:
                row[field] = rec.get(field, False)
            out.append(row)
        return out

    def m_ir_module_module__search_read(self, domain, fields=None, **kw):
        recs = [m for m in self.modules.values() if self._match(m, domain)]
        return self._read(
            recs,
            fields,
            ["name", "state", "latest_version", "installed_version", "auto_install", "country_ids", "to_buy"],
        )

    def m_ir_module_module__search(self, domain, **kw):
        return [m["id"] for m in self.modules.values() if self._match(m, domain)]

    def m_ir_module_module__update_list(self):
        added = 0
        for name, spec in list(self.on_disk.items()):
            if name not in self.modules:
                self.add_module(name, "uninstalled", spec.get("version", "1.0"), spec.get("depends", []))
                added += 1
        self.on_disk = {}
        return [0, added]

    def _refuse_while_cron_runs(self, context):
        if self.cron_busy > 0:
            self.cron_busy -= 1
            if not (context or {}).get("lang"):
                raise xmlrpc.client.Fault(1, CRON_BUSY_WITHOUT_LANG)
            raise xmlrpc.client.Fault(2, CRON_BUSY_MESSAGE)

    def m_ir_module_module__button_immediate_install(self, ids, context=None):
        self._refuse_while_cron_runs(context)
        self._install([m["name"] for m in self._by_ids(ids)])
        return {"type": "ir.actions.client", "tag": "reload", "params": {"menu_id": 1}}

    def m_ir_module_module__button_immediate_upgrade(self, ids, context=None):
        self._refuse_while_cron_runs(context)
        names = self._dependents([m["name"] for m in self._by_ids(ids)])
        for name in names:
            self.modules[name]["latest_version"] = self.modules[name]["installed_version"]
        return {"type": "ir.actions.client", "tag": "reload", "params": {"menu_id": 1}}

    def m_ir_module_module__button_immediate_uninstall(self, ids, context=None):
        self._refuse_while_cron_runs(context)
        for name in self._dependents([m["name"] for m in self._by_ids(ids)]):
            self.modules[name]["state"] = "uninstalled"
            self.modules[name]["latest_version"] = False
        return {"type": "ir.actions.client", "tag": "reload"}

    def m_ir_module_module_dependency__search_read(self, domain, fields=None, **kw):
        valid = ["name", "module_id"]
        if self.dependency_has_auto_install_required:
            valid.append("auto_install_required")
        bad = [f for f in fields or [] if f not in valid]
        if bad:
            raise app_fault(f"ValueError: Invalid field {bad[0]!r} on model 'ir.module.module.dependency'")
        out = []
        dep_id = 1
        for mod in self.modules.values():
            for dep in mod["depends"]:
                row = {"id": dep_id, "name": dep, "module_id": [mod["id"], mod["name"].title()]}
                if "auto_install_required" in (fields or []):
                    row["auto_install_required"] = True
                out.append(row)
                dep_id += 1
        return out

    def m_ir_config_parameter__search_read(self, domain, fields=None, limit=None, **kw):
        recs = [
            {"id": i, "key": k, "value": v}
            for i, (k, v) in enumerate(sorted(self.params.items()), start=1)
            if self._match({"key": k, "value": v}, domain)
        ]
        return self._read(recs, fields, ["key", "value"])[: limit or None]

    def m_ir_config_parameter__search(self, domain, **kw):
        return [r["id"] for r in self.m_ir_config_parameter__search_read(domain, ["key"])]

    def _param_key(self, rid):
        return sorted(self.params)[rid - 1]

    def m_ir_config_parameter__create(self, vals):
        self.params[vals["key"]] = vals["value"]
        return len(self.params)

    def m_ir_config_parameter__write(self, ids, vals):
        for rid in ids:
            self.params[self._param_key(rid)] = vals["value"]
        return True

    def m_ir_config_parameter__unlink(self, ids):
        for key in [self._param_key(rid) for rid in ids]:
            del self.params[key]
        return True

    def m_res_users__read(self, ids, fields=None, **kw):
        company = [self.company["id"], self.company["name"]]
        users = [(login, u) for login, u in self.users.items() if u["id"] in ids]
        return [{"id": u["id"], "login": login, "lang": u["lang"], "company_id": company} for login, u in users]

    def m_res_company__read(self, ids, fields=None, **kw):
        country = self.company["country_id"]
        code = {v: k for k, v in self.countries.items()}.get(country)
        row = dict(self.company, country_id=[country, code] if country else False)
        return [row] if self.company["id"] in ids else []

    def m_res_company__write(self, ids, vals):
        self.company.update(vals)
        return True

    def m_res_country__read(self, ids, fields=None, **kw):
        return [{"id": i, "code": c} for c, i in self.countries.items() if i in ids]

    def m_res_country__search_read(self, domain, fields=None, **kw):
        wanted = [v for f, _op, v in domain if f == "code"]
        return [{"id": i} for c, i in self.countries.items() if c in wanted]

    def m_res_users__write(self, ids, vals):
        for user in self.users.values():
            if user["id"] in ids:
                user.update(vals)
        return True

    def m_res_company__search_read(self, domain, fields=None, **kw):
        countries = self.company_countries or [False]
        return [{"id": i, "country_id": [c, f"Country {c}"] if c else False} for i, c in enumerate(countries, 1)]

    def m_res_lang__search_read(self, domain, fields=None, **kw):
        return [{"id": i, "code": c} for i, c in enumerate(self.langs, start=1)]


class _Common:
    def __init__(self, odoo):
        self.odoo = odoo

    def version(self):
        return self.odoo.common_version()

    def authenticate(self, db, login, password, env):
        return self.odoo.common_authenticate(db, login, password, env)

    def login(self, db, login, password):
        return self.odoo.common_authenticate(db, login, password, {})


class _Object:
    def __init__(self, odoo):
        self.odoo = odoo

    def execute_kw(self, *args):
        return self.odoo.execute_kw(*args)


class _Db:
    def __init__(self, odoo):
        self.odoo = odoo

    def _dispatch(self, method, params):
        return self.odoo.db_dispatch(method, *params)


class _Handler(SimpleXMLRPCRequestHandler):
    rpc_paths = ("/xmlrpc/2/common", "/xmlrpc/2/object", "/xmlrpc/2/db")

    def do_GET(self):  # noqa: N802 - http.server API
        if self.path.split("?")[0] == "/web/health" and self.server.health_enabled:
            body = json.dumps({"status": "pass"}).encode()
            self.send_response(200 if self.server.ready else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.server.health_hits += 1
            return
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        return

    # keep BaseHTTPRequestHandler quiet on errors too
    log_error = BaseHTTPRequestHandler.log_error


class FakeOdooServer:
    """Serve a FakeOdoo on 127.0.0.1 (ephemeral port) in a thread."""

    def __init__(self, odoo):
        self.odoo = odoo
        self.server = MultiPathXMLRPCServer(
            ("127.0.0.1", 0), requestHandler=_Handler, allow_none=True, logRequests=False
        )
        self.server.ready = True
        self.server.health_enabled = True
        self.server.health_hits = 0
        for path, obj in (("common", _Common(odoo)), ("object", _Object(odoo)), ("db", _Db(odoo))):
            dispatcher = SimpleXMLRPCDispatcher(allow_none=True)
            dispatcher.register_instance(obj)
            self.server.add_dispatcher("/xmlrpc/2/" + path, dispatcher)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
