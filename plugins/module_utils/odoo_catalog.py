# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Odoo module catalog (``ir_module_module``) and the dependency algebra Odoo applies.

:class:`Catalog` maps module names to :class:`ModuleInfo` and computes what
``button_install``/``-i``, ``button_upgrade``/``-u`` and uninstall would touch
(dependencies, auto_install modules, dependents). It is read either over XML-RPC
(:func:`read_catalog_rpc`, from an ``odoo_rpc.OdooClient``) or straight from
PostgreSQL through ``psql`` (:func:`read_catalog_sql`, the ``cli`` method).

Nothing here imports Ansible, so the unit tests drive it directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_errors import OdooCommandError, OdooFault
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_psql import run_psql

INSTALLED_STATES = ("installed", "to upgrade", "to remove")
MODULE_STATES = ("uninstallable", "uninstalled", "installed", "to upgrade", "to remove", "to install")


class ModuleInfo:
    __slots__ = (
        "name",
        "state",
        "latest_version",
        "available_version",
        "auto_install",
        "depends",
        "auto_depends",
        "id",
        "to_buy",
    )

    def __init__(
        self,
        name,
        state,
        latest_version=None,
        available_version=None,
        auto_install=False,
        module_id=None,
        to_buy=False,
    ):
        self.id = module_id
        self.name = name
        self.state = state
        self.latest_version = latest_version or None
        self.available_version = available_version or None
        self.auto_install = bool(auto_install)
        self.depends = []
        self.auto_depends = None  # None: every dependency triggers auto_install
        # Odoo's "Odoo Enterprise Module" flag: Community lists some Enterprise apps (knowledge,
        # helpdesk...) as upsell rows of its own (state uninstallable) with no code behind them
        self.to_buy = bool(to_buy)

    def is_enterprise_only(self):
        """An Enterprise module this server only lists (it has no code for it)."""
        return self.to_buy and self.state == "uninstallable"

    def is_installed(self):
        return self.state in INSTALLED_STATES


class Catalog(dict):
    """``{name: ModuleInfo}`` plus the dependency algebra Odoo applies.

    ``countries_loader`` (set by the readers) returns ``({module: {country ids}},
    {country ids of the companies})`` or None when the server has no
    country-specific modules (Odoo < 17). It is called at most once, and only
    when an auto-install candidate must be checked, so a no-op run never pays for it.
    """

    countries_loader = None
    _countries = False

    def _country_allows(self, name):
        """Odoo >= 17 ``button_install``: a country-specific auto-install module (the l10n_* ones,
        ``countries`` in the manifest) is only installed when a company is in one of its countries."""
        if self._countries is False:
            self._countries = self.countries_loader() if self.countries_loader is not None else None
        if not self._countries:
            return True
        module_countries, company_countries = self._countries
        wanted = module_countries.get(name)
        return not wanted or bool(set(wanted) & set(company_countries))

    def states(self, names=None):
        names = sorted(self) if names is None else names
        return {name: self[name].state for name in names if name in self}

    def unknown(self, names):
        return [name for name in names if name not in self]

    def install_set(self, names):
        """Modules that ``button_install``/``-i`` would install: the requested ones
        that are not installed, their missing dependencies (transitively) and
        auto_install modules whose triggering dependencies all end up installed."""
        to_install = set()

        def add(name):
            stack = [name]
            while stack:
                current = stack.pop()
                info = self.get(current)
                if info is None or info.is_installed() or current in to_install:
                    continue
                to_install.add(current)
                stack.extend(info.depends)

        for name in names:
            add(name)
        if not to_install:
            return []
        changed = True
        while changed:
            changed = False
            present = to_install | {n for n, i in self.items() if i.is_installed()}
            for name, info in sorted(self.items()):
                if not info.auto_install or name in present or info.state == "uninstallable":
                    continue
                triggers = info.depends if info.auto_depends is None else info.auto_depends
                # as ir_module.button_install: every dependency required for auto_install is installed
                # or to install, at least one of *those* is to install, and the country matches
                if (
                    all(dep in present for dep in triggers)
                    and any(dep in to_install for dep in triggers)
                    and self._country_allows(name)
                ):
                    add(name)
                    changed = True
        return sorted(to_install)

    def dependents(self, names, states=INSTALLED_STATES):
        """Modules (in ``states``) depending, transitively, on any of ``names``."""
        reverse = {}
        for name, info in self.items():
            for dep in info.depends:
                reverse.setdefault(dep, set()).add(name)
        seen = set()
        stack = list(names)
        while stack:
            current = stack.pop()
            for child in reverse.get(current, ()):
                if child not in seen and self[child].state in states:
                    seen.add(child)
                    stack.append(child)
        return sorted(seen - set(names))

    def uninstall_set(self, names):
        """Requested installed modules plus every installed module depending on them."""
        roots = [name for name in names if name in self and self[name].is_installed()]
        if not roots:
            return []
        return sorted(set(roots) | set(self.dependents(roots)))

    def upgrade_set(self, names):
        """``button_upgrade``/``-u`` upgrades the modules and their installed dependents."""
        roots = [name for name in names if name in self and self[name].is_installed()]
        if not roots:
            return []
        return sorted(set(roots) | set(self.dependents(roots, states=("installed", "to upgrade"))))


def _bool(value):
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("t", "true", "1", "yes")


def catalog_from_rows(module_rows, dependency_rows):
    """Build a Catalog.

    ``module_rows``: iterable of dicts with name, state, latest_version, auto_install
    and optionally installed_version (the manifest version Odoo computes) and
    to_buy (Odoo's flag for Enterprise modules).
    ``dependency_rows``: iterable of ``(module_name, dependency_name, auto_install_required)``
    where the last item may be None when unknown.
    """
    catalog = Catalog()
    for row in module_rows:
        info = ModuleInfo(
            row["name"],
            row["state"],
            latest_version=row.get("latest_version") or None,
            available_version=row.get("installed_version") or None,
            auto_install=_bool(row.get("auto_install") or False),
            module_id=row.get("id"),
            to_buy=_bool(row.get("to_buy") or False),
        )
        catalog[info.name] = info
    auto_required = {}
    for module_name, dep_name, required in dependency_rows:
        info = catalog.get(module_name)
        if info is None:
            continue
        if dep_name not in info.depends:
            info.depends.append(dep_name)
        if required is not None:
            auto_required.setdefault(module_name, []).append((dep_name, _bool(required)))
    for module_name, pairs in auto_required.items():
        info = catalog[module_name]
        if info.auto_install:
            info.auto_depends = [dep for dep, required in pairs if required]
    return catalog


def read_catalog_rpc(client, with_versions_for=None):
    """Catalog over XML-RPC (``ir.module.module`` + ``ir.module.module.dependency``).

    ``installed_version`` (the manifest version, a computed field) is only read
    for ``with_versions_for`` because computing it reads manifests from disk.
    """
    fields = ["name", "state", "latest_version", "auto_install", "to_buy"]
    modules = client.execute_kw("ir.module.module", "search_read", [[]], {"fields": fields})
    if with_versions_for:
        extra = client.execute_kw(
            "ir.module.module",
            "search_read",
            [[("name", "in", list(with_versions_for))]],
            {"fields": ["name", "installed_version"]},
        )
        versions = {row["name"]: row.get("installed_version") for row in extra}
        for row in modules:
            if row["name"] in versions:
                row["installed_version"] = versions[row["name"]]
    for row in modules:
        for key in ("latest_version", "installed_version"):
            if row.get(key) is False:
                row[key] = None
    try:
        deps = client.execute_kw(
            "ir.module.module.dependency",
            "search_read",
            [[]],
            {"fields": ["name", "module_id", "auto_install_required"]},
        )
        dep_rows = [(_m2o_name(d["module_id"]), d["name"], d.get("auto_install_required")) for d in deps]
    except OdooFault:
        # servers without auto_install_required (Odoo < 15)
        deps = client.execute_kw("ir.module.module.dependency", "search_read", [[]], {"fields": ["name", "module_id"]})
        dep_rows = [(_m2o_name(d["module_id"]), d["name"], None) for d in deps]
    by_id = {row["id"]: row["name"] for row in modules if "id" in row}
    fixed = []
    for module_ref, dep, req in dep_rows:
        fixed.append((by_id.get(module_ref, module_ref), dep, req))
    catalog = catalog_from_rows(modules, fixed)
    catalog.countries_loader = lambda: _countries_rpc(client)
    return catalog


def _countries_rpc(client):
    try:
        rows = client.execute_kw(
            "ir.module.module", "search_read", [[("country_ids", "!=", False)]], {"fields": ["name", "country_ids"]}
        )
    except OdooFault:
        return None  # no ir.module.module.country_ids (Odoo < 17): no country-specific modules
    if not rows:
        return None
    companies = client.execute_kw("res.company", "search_read", [[]], {"fields": ["country_id"]})
    company_countries = {_m2o_name(row["country_id"]) for row in companies if row.get("country_id")}
    return {row["name"]: set(row["country_ids"] or ()) for row in rows}, company_countries


def _m2o_name(value):
    """many2one values come as ``[id, display_name]``; display_name of a module is its
    shortdesc, so return the id and let the caller map it back to the technical name."""
    if isinstance(value, (list, tuple)) and value:
        return value[0]
    return value


# ---------------------------------------------------------------------- straight from PostgreSQL (cli method)
def read_catalog_sql(run_command, psql_command, database):
    """Catalog straight from ``ir_module_module`` / ``ir_module_module_dependency``."""
    modules = run_psql(
        run_command,
        psql_command,
        database,
        "SELECT name, state, coalesce(latest_version, ''), coalesce(auto_install, false), coalesce(to_buy, false) "
        "FROM ir_module_module",
    )
    module_rows = [
        {
            "name": r[0],
            "state": r[1],
            "latest_version": r[2] or None,
            "auto_install": r[3] if len(r) > 3 else False,
            "to_buy": r[4] if len(r) > 4 else False,
        }
        for r in modules
    ]
    try:
        deps = run_psql(
            run_command,
            psql_command,
            database,
            "SELECT m.name, d.name, coalesce(d.auto_install_required, true) FROM ir_module_module_dependency d "
            "JOIN ir_module_module m ON m.id = d.module_id",
        )
        dep_rows = [(r[0], r[1], r[2]) for r in deps]
    except OdooCommandError as err:
        if "auto_install_required" not in (err.stderr or ""):
            raise
        deps = run_psql(
            run_command,
            psql_command,
            database,
            "SELECT m.name, d.name FROM ir_module_module_dependency d JOIN ir_module_module m ON m.id = d.module_id",
        )
        dep_rows = [(r[0], r[1], None) for r in deps]
    catalog = catalog_from_rows(module_rows, dep_rows)
    catalog.countries_loader = lambda: _countries_sql(run_command, psql_command, database)
    return catalog


def _countries_sql(run_command, psql_command, database):
    try:
        rows = run_psql(
            run_command,
            psql_command,
            database,
            "SELECT m.name, mc.country_id FROM module_country mc JOIN ir_module_module m ON m.id = mc.module_id",
        )
    except OdooCommandError as err:
        if "module_country" not in (err.stderr or ""):
            raise
        return None  # Odoo < 17: no country-specific modules
    if not rows:
        return None
    module_countries = {}
    for name, country in rows:
        module_countries.setdefault(name, set()).add(int(country))
    # res.company.country_id is a related field, not a column: the country is on the company's partner
    companies = run_psql(
        run_command,
        psql_command,
        database,
        "SELECT p.country_id FROM res_company c JOIN res_partner p ON p.id = c.partner_id "
        "WHERE p.country_id IS NOT NULL",
    )
    return module_countries, {int(row[0]) for row in companies}
