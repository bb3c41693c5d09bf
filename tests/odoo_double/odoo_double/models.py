"""TEST DOUBLE for Odoo: ``execute_kw`` on the few models the collection uses.

Records are read from the real tables; domains are evaluated the way
``odoo.osv.expression`` reads them (prefix ``&``/``|``/``!``, implicit ``&``).
"""

import datetime
import inspect
import json

from . import passwords
from .exceptions import AccessError, MissingError, UserError, ValidationError
from .store import ModuleOps, now

ACTION_RELOAD = {"type": "ir.actions.client", "tag": "reload", "params": {"menu_id": 1}}
TRANSLATED = {"shortdesc", "summary", "description", "name@ir_module_category"}


def normalize_domain(domain):
    if not domain:
        return [(1, "=", 1)]
    result, expected = [], 1
    arity = {"!": 1, "&": 2, "|": 2}
    for token in domain:
        if expected == 0:
            result[0:0] = ["&"]
            expected = 1
        if isinstance(token, (list, tuple)):
            expected -= 1
            token = tuple(token)
        else:
            expected += arity.get(token, 0) - 1
        result.append(token)
    return result


def _like(value, pattern, insensitive, raw):
    import re
    value = "" if value in (None, False) else str(value)
    pattern = str(pattern)
    if not raw:
        pattern = f"%{pattern}%"
    regex = "^" + "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern) + "$"
    return re.match(regex, value, re.IGNORECASE | re.DOTALL if insensitive else re.DOTALL) is not None


def eval_leaf(value, op, arg):
    if op in ("=", "=?") and arg is False:
        return value in (None, False)
    if op in ("!=", "<>") and arg is False:
        return value not in (None, False)
    if op == "=?":
        return True if arg in (None, False) else value == arg
    if op == "=":
        return value == arg
    if op in ("!=", "<>"):
        return value != arg
    if op in ("in", "not in"):
        arg = list(arg) if isinstance(arg, (list, tuple)) else [arg]
        hit = value in arg or (value in (None, False) and False in arg)
        return hit if op == "in" else not hit
    if op in ("like", "ilike", "=like", "=ilike"):
        return _like(value, arg, op.endswith("ilike"), op.startswith("="))
    if op in ("not like", "not ilike"):
        return not _like(value, arg, op == "not ilike", False)
    if value in (None, False):
        return False
    return {"<": value < arg, ">": value > arg, "<=": value <= arg, ">=": value >= arg}[op]


class Model:
    _name = ""
    _table = ""
    _order = "id"
    _rec_name = "name"
    _fields = {}  # name -> type (char, integer, boolean, selection, many2one:<model>, datetime, text, one2many)

    def __init__(self, env):
        self.env = env
        self.cr = env.cr

    # -- records -------------------------------------------------------------
    def _rows(self):
        self.cr.execute(f"SELECT * FROM {self._table}")  # noqa: S608 - table names are constants
        return [self._record(dict(row)) for row in self.cr.fetchall()]

    def _record(self, row):
        for key, value in list(row.items()):
            if key in TRANSLATED and value is not None:
                row[key] = (value if isinstance(value, dict) else json.loads(value)).get("en_US")
        row["display_name"] = row.get(self._rec_name)
        return row

    def _check_fields(self, fields):
        for name in fields:
            if name not in self._fields and name not in ("id", "display_name"):
                raise ValueError(f"Invalid field {name!r} on model {self._name!r}")

    def _filter(self, domain):
        rows = self._rows()
        tokens = normalize_domain(domain)
        for token in tokens:
            if isinstance(token, tuple):
                if len(token) != 3:
                    raise ValueError(f"Invalid leaf {token}")
                field = token[0]
                if field not in (1, 0) and field.split(".")[0] not in self._fields and field != "id":
                    raise ValueError(f"Invalid field {self._name}.{field} in leaf {token!r}")
        result = []
        for row in rows:
            stack = []
            for token in reversed(tokens):
                if token == "&":
                    stack.append(stack.pop() & stack.pop())
                elif token == "|":
                    stack.append(stack.pop() | stack.pop())
                elif token == "!":
                    stack.append(not stack.pop())
                else:
                    field, op, arg = token
                    if field in (0, 1):
                        stack.append(eval_leaf(field, op, arg))
                    else:
                        stack.append(bool(eval_leaf(row.get(field), op.lower(), arg)))
            if all(stack):
                result.append(row)
        return result

    def _sort(self, rows, order=None):
        for part in reversed([p.strip() for p in (order or self._order).split(",") if p.strip()]):
            name, _, direction = part.partition(" ")
            rows.sort(key=lambda r, n=name: (r.get(n) is None, r.get(n) if r.get(n) is not None else 0),
                      reverse=direction.strip().lower() == "desc")
        return rows

    def _format(self, row, fields):
        out = {"id": row["id"]}
        for name in fields or [f for f in self._fields if self._fields[f] != "password"]:
            kind = self._fields.get(name, "char")
            value = self._compute(row, name)
            if kind.startswith("many2one:"):
                value = self.env[kind.split(":", 1)[1]].name_get_one(value)
            elif kind == "one2many":
                value = value or []
            elif kind == "password":
                value = ""
            elif isinstance(value, datetime.datetime):
                value = value.strftime("%Y-%m-%d %H:%M:%S")
            elif value is None:
                value = False
            out[name] = value
        return out

    def _compute(self, row, name):
        return row.get(name)

    def name_get_one(self, rec_id):
        if not rec_id:
            return False
        for row in self._rows():
            if row["id"] == rec_id:
                return [rec_id, row["display_name"] or False]
        return False

    def _browse(self, ids):
        ids = [ids] if isinstance(ids, int) else list(ids or [])
        rows = {r["id"]: r for r in self._rows()}
        missing = [i for i in ids if i not in rows]
        if missing:
            raise MissingError("Record does not exist or has been deleted.\n"
                               f"(Record: {self._name}({', '.join(map(str, missing))},), User: {self.env.uid})")
        return [rows[i] for i in ids]

    # -- ORM methods ----------------------------------------------------------
    def search(self, domain, offset=0, limit=None, order=None):
        rows = self._sort(self._filter(domain), order)[offset or 0:]
        return [r["id"] for r in (rows[:limit] if limit else rows)]

    def search_count(self, domain, limit=None):
        return len(self.search(domain, limit=limit))

    def read(self, ids, fields=None, load="_classic_read"):
        if fields:
            self._check_fields(fields)
        return [self._format(row, fields) for row in self._browse(ids)]

    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, load="_classic_read"):
        if fields:
            self._check_fields(fields)
        rows = self._sort(self._filter(domain or []), order)[offset or 0:]
        return [self._format(row, fields) for row in (rows[:limit] if limit else rows)]

    def fields_get(self, allfields=None, attributes=None):
        names = allfields or list(self._fields)
        return {n: {"type": self._fields[n].split(":")[0], "string": n.replace("_", " ").title()}
                for n in names if n in self._fields}

    def check_access_rights(self, operation, raise_exception=True):
        return True

    def has_access(self, operation):
        return True

    def name_search(self, name="", args=None, operator="ilike", limit=100):
        rows = self._filter(list(args or []) + [(self._rec_name, operator, name)] if name else list(args or []))
        return [[r["id"], r["display_name"]] for r in self._sort(rows)[:limit]]

    def create(self, vals_list):
        raise AccessError(f"You are not allowed to create '{self._name}' records with the Odoo test double.")

    def write(self, ids, vals):
        raise AccessError(f"You are not allowed to modify '{self._name}' records with the Odoo test double.")

    def unlink(self, ids):
        raise AccessError(f"You are not allowed to delete '{self._name}' records with the Odoo test double.")


class IrModuleCategory(Model):
    _name, _table, _order = "ir.module.category", "ir_module_category", "name"
    _fields = {"name": "char", "sequence": "integer", "visible": "boolean", "exclusive": "boolean"}

    def _record(self, row):
        row["name"] = (row["name"] if isinstance(row["name"], dict) else json.loads(row["name"])).get("en_US")
        row["display_name"] = row["name"]
        return row


class IrModuleModule(Model):
    _name, _table, _order, _rec_name = "ir.module.module", "ir_module_module", "application desc,sequence,name", \
        "shortdesc"
    _fields = {
        "name": "char", "state": "selection", "latest_version": "char", "installed_version": "char",
        "published_version": "char", "shortdesc": "char", "summary": "char", "description": "text",
        "author": "char", "maintainer": "char", "contributors": "text", "website": "char", "license": "selection",
        "application": "boolean", "auto_install": "boolean", "sequence": "integer", "demo": "boolean",
        "icon": "char", "to_buy": "boolean", "url": "char", "category_id": "many2one:ir.module.category",
        "dependencies_id": "one2many", "create_date": "datetime", "write_date": "datetime",
    }

    def _ops(self):
        return ModuleOps(self.cr, self.env.config)

    def _compute(self, row, name):
        if name == "installed_version":
            terp = self.env.catalog.get(row["name"])
            return terp["version"] if terp else "18.0.1.0"
        if name == "dependencies_id":
            self.cr.execute("SELECT id FROM ir_module_module_dependency WHERE module_id = %s ORDER BY id", (row["id"],))
            return [r["id"] for r in self.cr.fetchall()]
        return row.get(name)

    def update_list(self):
        return self._ops().update_list()

    def _names(self, ids):
        return [r["name"] for r in self._browse(ids)]

    def button_immediate_install(self, ids):
        self._ops().install(self._names(ids))
        return dict(ACTION_RELOAD)

    def button_immediate_upgrade(self, ids):
        self._ops().upgrade(self._names(ids))
        return dict(ACTION_RELOAD)

    def button_immediate_uninstall(self, ids):
        self._ops().uninstall(self._names(ids))
        return dict(ACTION_RELOAD)


class IrModuleModuleDependency(Model):
    _name, _table, _order = "ir.module.module.dependency", "ir_module_module_dependency", "id"
    _fields = {"name": "char", "module_id": "many2one:ir.module.module", "depend_id": "many2one:ir.module.module",
               "state": "selection", "auto_install_required": "boolean"}

    def _rows(self):
        self.cr.execute("SELECT d.*, m.id AS depend_id, coalesce(m.state, 'unknown') AS state "
                        "FROM ir_module_module_dependency d LEFT JOIN ir_module_module m ON m.name = d.name")
        return [self._record(dict(row)) for row in self.cr.fetchall()]


class IrConfigParameter(Model):
    _name, _table, _order, _rec_name = "ir.config_parameter", "ir_config_parameter", "key", "key"
    _fields = {"key": "char", "value": "text", "create_date": "datetime", "write_date": "datetime",
               "create_uid": "many2one:res.users", "write_uid": "many2one:res.users"}

    def get_param(self, key, default=False):
        self.cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", (key,))
        row = self.cr.fetchone()
        return (row["value"] if row else None) or default

    def set_param(self, key, value):
        self.cr.execute("SELECT id, value FROM ir_config_parameter WHERE key = %s", (key,))
        row = self.cr.fetchone()
        if row:
            if value is not False and value is not None:
                if str(value) != row["value"]:
                    self.write([row["id"]], {"value": value})
            else:
                self.unlink([row["id"]])
            return row["value"]
        if value is not False and value is not None:
            self.create({"key": key, "value": value})
        return False

    def create(self, vals_list):
        single = isinstance(vals_list, dict)
        ids = []
        for vals in [vals_list] if single else vals_list:
            if not vals.get("key") or vals.get("value") in (None, False):
                raise ValidationError("Mandatory fields are not set: key, value")
            self.cr.execute("SELECT 1 FROM ir_config_parameter WHERE key = %s", (vals["key"],))
            if self.cr.fetchone():
                raise ValidationError("The operation cannot be completed: Key must be unique.")
            ts = now()
            self.cr.execute("INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, "
                            "write_date) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                            (vals["key"], str(vals["value"]), self.env.uid, ts, self.env.uid, ts))
            ids.append(self.cr.fetchone()["id"])
        return ids[0] if single else ids

    def write(self, ids, vals):
        self._browse(ids)
        unknown = set(vals) - {"key", "value"}
        if unknown:
            raise ValueError(f"Invalid field {sorted(unknown)[0]!r} on model 'ir.config_parameter'")
        ids = [ids] if isinstance(ids, int) else ids
        for field in ("key", "value"):
            if field in vals:
                self.cr.execute(f"UPDATE ir_config_parameter SET {field} = %s, write_uid = %s, write_date = %s "  # noqa: S608
                                "WHERE id = any(%s)", (str(vals[field]), self.env.uid, now(), list(ids)))
        return True

    def unlink(self, ids):
        self._browse(ids)
        ids = [ids] if isinstance(ids, int) else ids
        self.cr.execute("DELETE FROM ir_config_parameter WHERE id = any(%s)", (list(ids),))
        return True


class ResPartner(Model):
    _name, _table, _order = "res.partner", "res_partner", "name"
    _fields = {"name": "char", "email": "char", "lang": "char", "active": "boolean"}


class ResUsers(Model):
    _name, _table, _order, _rec_name = "res.users", "res_users", "login", "name"
    _fields = {"login": "char", "name": "char", "active": "boolean", "partner_id": "many2one:res.partner",
               "password": "password", "share": "boolean", "lang": "char"}

    def _rows(self):
        self.cr.execute("SELECT u.*, p.name, p.lang FROM res_users u JOIN res_partner p ON p.id = u.partner_id "
                        "WHERE u.active")
        return [self._record(dict(row)) for row in self.cr.fetchall()]

    def write(self, ids, vals):
        rows = self._browse(ids)
        unknown = set(vals) - {"password", "login", "name", "active", "lang"}
        if unknown:
            raise ValueError(f"Invalid field {sorted(unknown)[0]!r} on model 'res.users'")
        for row in rows:
            if "password" in vals:
                if not vals["password"]:
                    raise UserError("Setting empty passwords is not allowed for security reasons!")
                self.cr.execute("UPDATE res_users SET password = %s, write_date = %s WHERE id = %s",
                                (passwords.hash_password(vals["password"]), now(), row["id"]))
                self.env.forget_credentials()
            for field in ("login", "active"):
                if field in vals:
                    self.cr.execute(f"UPDATE res_users SET {field} = %s WHERE id = %s",  # noqa: S608
                                    (vals[field], row["id"]))
            for field in ("name", "lang"):
                if field in vals:
                    self.cr.execute(f"UPDATE res_partner SET {field} = %s WHERE id = %s",  # noqa: S608
                                    (vals[field], row["partner_id"]))
        return True


MODELS = {cls._name: cls for cls in (IrModuleCategory, IrModuleModule, IrModuleModuleDependency,
                                     IrConfigParameter, ResPartner, ResUsers)}


class Env:
    def __init__(self, cr, uid, config, catalog, forget_credentials=lambda: None):
        self.cr, self.uid, self.config, self.catalog = cr, uid, config, catalog
        self.forget_credentials = forget_credentials

    def __getitem__(self, name):
        return MODELS[name](self)


def call_kw(env, model, method, args, kwargs):
    if model not in MODELS:
        raise UserError(f"Object {model} doesn't exist")
    if method.startswith("_"):
        raise AccessError(f"Private methods (such as '{model}.{method}') cannot be called remotely.")
    recs = env[model]
    func = getattr(recs, method, None)
    if func is None or not callable(func):
        raise AttributeError(f"type object '{model}' has no attribute '{method}'")
    try:
        inspect.signature(func).bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{model}.{method}() {e}") from e
    return func(*args, **kwargs)
