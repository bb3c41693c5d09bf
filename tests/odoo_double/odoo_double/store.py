"""TEST DOUBLE for Odoo: state in real PostgreSQL, with Odoo's table names.

One PostgreSQL database per Odoo database, like Odoo. Tables (Odoo 18 names
and columns, reduced to what the double needs): ``ir_module_module``,
``ir_module_module_dependency``, ``ir_config_parameter``, ``res_partner``,
``res_users``. Translated fields (shortdesc, summary, description) are jsonb
``{"en_US": ...}`` as in Odoo >= 16.
"""

import contextlib
import datetime
import json
import logging
import uuid

import psycopg2
import psycopg2.extensions
import psycopg2.extras

from . import catalog as catalog_mod
from . import passwords
from .exceptions import DatabaseExists

_logger = logging.getLogger("odoo.service.db")

SCHEMA = """
CREATE TABLE ir_module_category (
    id serial PRIMARY KEY, name jsonb NOT NULL, parent_id integer, sequence integer, visible boolean,
    exclusive boolean, create_uid integer, create_date timestamp, write_uid integer, write_date timestamp
);
CREATE TABLE ir_module_module (
    id serial PRIMARY KEY,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp,
    website varchar, summary jsonb, name varchar NOT NULL, author varchar, icon varchar,
    state varchar, latest_version varchar, shortdesc jsonb, category_id integer REFERENCES ir_module_category(id),
    description jsonb, application boolean DEFAULT false, demo boolean DEFAULT false, web boolean DEFAULT false,
    license varchar, sequence integer DEFAULT 100, auto_install boolean DEFAULT false, to_buy boolean DEFAULT false,
    maintainer varchar, contributors text, published_version varchar, url varchar,
    CONSTRAINT ir_module_module_name_uniq UNIQUE (name)
);
CREATE INDEX ir_module_module_state_index ON ir_module_module (state);
CREATE TABLE ir_module_module_dependency (
    id serial PRIMARY KEY,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp,
    name varchar, module_id integer REFERENCES ir_module_module(id) ON DELETE CASCADE,
    auto_install_required boolean DEFAULT true
);
CREATE INDEX ir_module_module_dependency_name_index ON ir_module_module_dependency (name);
CREATE TABLE ir_module_module_exclusion (
    id serial PRIMARY KEY, name varchar, module_id integer REFERENCES ir_module_module(id) ON DELETE CASCADE
);
CREATE TABLE ir_config_parameter (
    id serial PRIMARY KEY,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp,
    key varchar NOT NULL, value text NOT NULL,
    CONSTRAINT ir_config_parameter_key_uniq UNIQUE (key)
);
CREATE TABLE res_partner (
    id serial PRIMARY KEY, name varchar, email varchar, lang varchar, active boolean DEFAULT true,
    create_date timestamp, write_date timestamp
);
CREATE TABLE res_users (
    id serial PRIMARY KEY, active boolean DEFAULT true, login varchar NOT NULL, password varchar,
    partner_id integer NOT NULL REFERENCES res_partner(id), company_id integer, share boolean DEFAULT false,
    create_uid integer, create_date timestamp, write_uid integer, write_date timestamp,
    CONSTRAINT res_users_login_key UNIQUE (login)
);
"""


def now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


class Store:
    """Connections to the PostgreSQL server named by the config's db_* options."""

    def __init__(self, config):
        self.config = config

    # -- connections -------------------------------------------------------
    @contextlib.contextmanager
    def cursor(self, dbname, autocommit=False):
        cnx = psycopg2.connect(**self.config.pg_params(dbname))
        cnx.autocommit = autocommit
        try:
            with cnx.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cr:
                yield cr
            if not autocommit:
                cnx.commit()
        except BaseException:
            if not autocommit:
                cnx.rollback()
            raise
        finally:
            cnx.close()

    # -- databases (odoo/service/db.py) -------------------------------------
    def list_dbs(self):
        template = self.config["db_template"] or "template0"
        with self.cursor("postgres") as cr:
            cr.execute(
                "SELECT datname FROM pg_database WHERE datdba=(SELECT usesysid FROM pg_user WHERE usename=current_user)"
                " AND NOT datistemplate AND datallowconn AND datname NOT IN %s ORDER BY datname",
                (tuple({"postgres", template}),),
            )
            return [row["datname"] for row in cr.fetchall()]

    def db_exist(self, dbname):
        try:
            with self.cursor(dbname):
                return True
        except psycopg2.Error:
            return False

    def is_initialized(self, dbname):
        with self.cursor(dbname) as cr:
            cr.execute("SELECT 1 FROM pg_class WHERE relname='ir_module_module'")
            return bool(cr.fetchone())

    def create_empty_database(self, dbname):
        with self.cursor("postgres", autocommit=True) as cr:
            cr.execute("SELECT datname FROM pg_database WHERE datname = %s", (dbname,))
            if cr.fetchone():
                raise DatabaseExists(f"database {dbname!r} already exists!")
            ident = psycopg2.extensions.quote_ident(dbname, cr)
            template = psycopg2.extensions.quote_ident(self.config["db_template"] or "template0", cr)
            cr.execute(f"CREATE DATABASE {ident} ENCODING 'unicode' LC_COLLATE 'C' TEMPLATE {template}")
        _logger.info("Create database `%s`.", dbname)

    def drop_database(self, dbname):
        with self.cursor("postgres", autocommit=True) as cr:
            cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                       "AND pid != pg_backend_pid()", (dbname,))
            ident = psycopg2.extensions.quote_ident(dbname, cr)
            try:
                cr.execute(f"DROP DATABASE {ident}")
            except psycopg2.Error as e:
                raise Exception(f"Couldn't drop database {dbname}: {e}") from e
        _logger.info("DROP DB: %s", dbname)

    def duplicate_database(self, source, dbname):
        with self.cursor("postgres", autocommit=True) as cr:
            cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                       "AND pid != pg_backend_pid()", (source,))
            cr.execute(f"CREATE DATABASE {psycopg2.extensions.quote_ident(dbname, cr)} ENCODING 'unicode' "
                       f"TEMPLATE {psycopg2.extensions.quote_ident(source, cr)}")
        with self.cursor(dbname) as cr:
            cr.execute("UPDATE ir_config_parameter SET value=%s WHERE key='database.uuid'", (str(uuid.uuid1()),))

    def initialize(self, dbname, lang="en_US", login="admin", password="admin", country_code=None):  # noqa: S107
        """What ``-i base`` does to an empty database: schema, base data, admin user."""
        with self.cursor(dbname) as cr:
            cr.execute("SELECT pg_advisory_xact_lock(8069)")
            cr.execute("SELECT 1 FROM pg_class WHERE relname='ir_module_module'")
            if cr.fetchone():
                return
            cr.execute(SCHEMA)
            ts = now()
            cr.execute("INSERT INTO res_partner (id, name, lang, create_date, write_date) VALUES "
                       "(1, 'My Company', %s, %s, %s), (2, 'OdooBot', %s, %s, %s), (3, 'Administrator', %s, %s, %s)",
                       (lang, ts, ts) * 3)
            cr.execute("SELECT setval('res_partner_id_seq', 3)")
            cr.execute(
                "INSERT INTO res_users (id, active, login, password, partner_id, company_id, create_date, write_date)"
                " VALUES (1, false, '__system__', NULL, 2, 1, %s, %s), (2, true, %s, %s, 3, 1, %s, %s)",
                (ts, ts, login, passwords.hash_password(password), ts, ts),
            )
            cr.execute("SELECT setval('res_users_id_seq', 2)")
            params = {
                "database.secret": str(uuid.uuid4()),
                "database.uuid": str(uuid.uuid1()),
                "database.create_date": ts.strftime("%Y-%m-%d %H:%M:%S"),
                "web.base.url": f"http://localhost:{self.config['http_port']}",
                "base.login_cooldown_after_failure": "5",
                "base.login_cooldown_duration": "60",
            }
            for key, value in params.items():
                cr.execute("INSERT INTO ir_config_parameter (key, value, create_uid, create_date, write_uid, "
                           "write_date) VALUES (%s, %s, 1, %s, 1, %s)", (key, value, ts, ts))
            ModuleOps(cr, self.config).update_list()
            ModuleOps(cr, self.config).install(["base"])
        _logger.info("database %s initialized (base installed)", dbname)


def _jsonb(text):
    return json.dumps({"en_US": text or ""})


class ModuleOps:
    """The module life cycle of ``ir.module.module`` on one cursor (odoo/addons/base/models/ir_module.py)."""

    def __init__(self, cr, config):
        self.cr = cr
        self.config = config
        self.catalog = catalog_mod.scan(config.addons_paths)

    # -- catalog -> database --------------------------------------------------
    def _category_id(self, name):
        self.cr.execute("SELECT id FROM ir_module_category WHERE name->>'en_US' = %s", (name,))
        row = self.cr.fetchone()
        if row:
            return row["id"]
        self.cr.execute("INSERT INTO ir_module_category (name, sequence, visible, exclusive, create_date) "
                        "VALUES (%s, 10, true, false, %s) RETURNING id", (_jsonb(name), now()))
        return self.cr.fetchone()["id"]

    def update_list(self):
        """Returns [updated, added] exactly as ir.module.module.update_list counts them."""
        res = [0, 0]
        default_version = catalog_mod.adapt_version("1.0")
        self.cr.execute("SELECT pg_advisory_xact_lock(8069)")
        self.cr.execute("SELECT id, name, state, latest_version FROM ir_module_module")
        known = {row["name"]: row for row in self.cr.fetchall()}
        ts = now()
        for name, terp in self.catalog.items():
            values = {
                "shortdesc": _jsonb(terp["name"]), "summary": _jsonb(terp["summary"]),
                "description": _jsonb(terp["description"]), "author": terp["author"],
                "website": terp["website"], "license": terp["license"], "sequence": terp["sequence"],
                "application": bool(terp["application"]), "auto_install": terp["auto_install"] is not False,
                "category_id": self._category_id(terp["category"]),
                "icon": f"/{name}/static/description/icon.png",
            }
            mod = known.get(name)
            if mod:
                sets = ", ".join(f"{k} = %s" for k in values)
                state = mod["state"]
                if terp["installable"] and state == "uninstallable":
                    state = "uninstalled"
                self.cr.execute(f"UPDATE ir_module_module SET {sets}, state = %s, write_date = %s WHERE id = %s",  # noqa: S608
                                (*values.values(), state, ts, mod["id"]))
                if catalog_mod.parse_version(terp["version"]) > catalog_mod.parse_version(
                        mod["latest_version"] or default_version):
                    res[0] += 1
                mod_id = mod["id"]
            else:
                state = "uninstalled" if terp["installable"] else "uninstallable"
                cols = ", ".join(values)
                self.cr.execute(
                    f"INSERT INTO ir_module_module (name, state, {cols}, create_uid, create_date, write_uid, "  # noqa: S608
                    f"write_date) VALUES (%s, %s, {', '.join(['%s'] * len(values))}, 1, %s, 1, %s) RETURNING id",
                    (name, state, *values.values(), ts, ts))
                mod_id = self.cr.fetchone()["id"]
                res[1] += 1
            self._update_dependencies(mod_id, terp)
        return res

    def _update_dependencies(self, mod_id, terp):
        self.cr.execute("SELECT name FROM ir_module_module_dependency WHERE module_id = %s", (mod_id,))
        existing = {row["name"] for row in self.cr.fetchall()}
        needed = set(terp["depends"])
        for dep in sorted(needed - existing):
            self.cr.execute("INSERT INTO ir_module_module_dependency (module_id, name) VALUES (%s, %s)", (mod_id, dep))
        for dep in existing - needed:
            self.cr.execute("DELETE FROM ir_module_module_dependency WHERE module_id = %s AND name = %s", (mod_id, dep))
        self.cr.execute("UPDATE ir_module_module_dependency SET auto_install_required = (name = any(%s)) "
                        "WHERE module_id = %s", (sorted(terp["auto_install"] or ()), mod_id))
        self.cr.execute("DELETE FROM ir_module_module_exclusion WHERE module_id = %s", (mod_id,))
        for excl in terp.get("excludes") or ():
            self.cr.execute("INSERT INTO ir_module_module_exclusion (module_id, name) VALUES (%s, %s)", (mod_id, excl))

    # -- reading ---------------------------------------------------------------
    def _modules(self):
        self.cr.execute("SELECT id, name, state, latest_version, demo FROM ir_module_module")
        mods = {row["name"]: dict(row) for row in self.cr.fetchall()}
        self.cr.execute("SELECT d.name, m.name AS module, d.auto_install_required FROM ir_module_module_dependency d "
                        "JOIN ir_module_module m ON m.id = d.module_id")
        for mod in mods.values():
            mod["depends"], mod["auto_required"] = [], set()
        for row in self.cr.fetchall():
            mods[row["module"]]["depends"].append(row["name"])
            if row["auto_install_required"]:
                mods[row["module"]]["auto_required"].add(row["name"])
        self.cr.execute("SELECT name, auto_install FROM ir_module_module")
        for row in self.cr.fetchall():
            mods[row["name"]]["auto_install"] = row["auto_install"]
        return mods

    def names_by_id(self, ids):
        self.cr.execute("SELECT id, name FROM ir_module_module WHERE id = any(%s)", (list(ids),))
        found = {row["id"]: row["name"] for row in self.cr.fetchall()}
        return [found[i] for i in ids if i in found]

    # -- state changes (button_install / button_upgrade / button_uninstall) -----
    def _mark_install(self, mods, names):
        from .exceptions import UserError

        def state_update(name, level=100):
            if level < 1:
                raise UserError("Recursion error in modules dependencies!")
            mod = mods[name]
            if mod["state"] != "uninstalled":
                return
            for dep in mod["depends"]:
                if dep not in mods or mods[dep]["state"] == "uninstallable":
                    raise UserError(f'You try to install module "{name}" that depends on module "{dep}".\n'
                                    "But the latter module is not available in your system.")
                state_update(dep, level - 1)
            mod["state"] = "to install"

        todo = list(names)
        install_states = {"installed", "to install", "to upgrade"}
        while todo:
            for name in todo:
                state_update(name)
            todo = [
                name for name, mod in sorted(mods.items())
                if mod["state"] == "uninstalled" and mod["auto_install"]
                and {mods[d]["state"] if d in mods else "unknown" for d in mod["auto_required"]} <= install_states
                and "to install" in {mods[d]["state"] for d in mod["auto_required"] if d in mods}
            ]
        installing = {n for n, m in mods.items() if m["state"] in install_states}
        for name in installing:
            for excl in self._exclusions(name):
                if excl in installing:
                    raise UserError(f'Modules "{name}" and "{excl}" are incompatible.')

    def _exclusions(self, name):
        self.cr.execute("SELECT e.name FROM ir_module_module_exclusion e JOIN ir_module_module m ON m.id = e.module_id "
                        "WHERE m.name = %s", (name,))
        return [row["name"] for row in self.cr.fetchall()]

    def _apply(self, mods):
        """Load what is marked (the registry reload that follows button_immediate_*)."""
        ts = now()
        changed = {"installed": [], "upgraded": [], "removed": []}
        for name, mod in sorted(mods.items()):
            if mod["state"] in ("to install", "to upgrade"):
                version = self.catalog[name]["version"] if name in self.catalog else mod["latest_version"]
                self.cr.execute("UPDATE ir_module_module SET state = 'installed', latest_version = %s, write_date = %s "
                                "WHERE id = %s", (version, ts, mod["id"]))
                changed["installed" if mod["state"] == "to install" else "upgraded"].append(name)
            elif mod["state"] == "to remove":
                self.cr.execute("UPDATE ir_module_module SET state = 'uninstalled', latest_version = NULL, "
                                "write_date = %s WHERE id = %s", (ts, mod["id"]))
                changed["removed"].append(name)
        for kind, names in changed.items():
            if names:
                logging.getLogger("odoo.modules.loading").info("%s modules: %s", kind, ", ".join(names))
        return changed

    def install(self, names):
        self.cr.execute("SELECT pg_advisory_xact_lock(8069)")
        mods = self._modules()
        self._mark_install(mods, names)
        return self._apply(mods)

    def upgrade(self, names):
        from .exceptions import UserError
        self.cr.execute("SELECT pg_advisory_xact_lock(8069)")
        self.update_list()
        mods = self._modules()
        todo = list(names)
        if "base" in todo:
            todo += [n for n, m in sorted(mods.items()) if m["state"] == "installed" and n not in todo]
        i = 0
        while i < len(todo):
            name = todo[i]
            i += 1
            if mods[name]["state"] not in ("installed", "to upgrade"):
                raise UserError(f"Cannot upgrade module “{name}”. It is not installed.")
            for other, mod in sorted(mods.items()):
                if name in mod["depends"] and mod["state"] == "installed" and other not in todo:
                    todo.append(other)
        for name in todo:
            mods[name]["state"] = "to upgrade"
        to_install = []
        for name in todo:
            for dep in mods[name]["depends"]:
                if dep not in mods:
                    raise UserError(f"You try to upgrade the module {name} that depends on the module: {dep}.\n"
                                    "But this module is not available in your system.")
                if mods[dep]["state"] == "uninstalled":
                    to_install.append(dep)
        if to_install:
            self._mark_install(mods, to_install)
        return self._apply(mods)

    def uninstall(self, names):
        from .exceptions import UserError
        self.cr.execute("SELECT pg_advisory_xact_lock(8069)")
        mods = self._modules()
        if "base" in names or "web" in names:
            blocked = ", ".join(n for n in names if n in ("base", "web"))
            raise UserError(f"Those modules cannot be uninstalled: {blocked}")
        if any(mods[n]["state"] not in ("installed", "to upgrade") for n in names):
            raise UserError("One or more of the selected modules have already been uninstalled, if you believe this "
                            "to be an error, you may try again later or contact support.")
        todo, seen = list(names), set(names)
        while todo:
            name = todo.pop()
            for other, mod in mods.items():
                if name in mod["depends"] and other not in seen and mod["state"] not in (
                        "uninstalled", "uninstallable", "to remove"):
                    seen.add(other)
                    todo.append(other)
        for name in seen:
            mods[name]["state"] = "to remove"
        return self._apply(mods)
