# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One Odoo client for every module of insightpulse.platform.

* XML-RPC over ``/xmlrpc/2/common``, ``/xmlrpc/2/object`` and ``/xmlrpc/2/db``
  with a per-call timeout and a bounded wait for a server that is still starting.
* Errors a human understands: :class:`OdooError` and its subclasses carry one
  line, never a 60-line server traceback.
* Module catalog helpers shared by the ``rpc`` and ``cli`` methods: reading
  ``ir_module_module`` (over RPC, or straight from PostgreSQL through a
  configurable ``psql`` command), dependency closures, manifest versions and
  click-odoo-contrib compatible addon checksums.

Nothing here imports Ansible, so the unit tests drive it directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import fnmatch
import hashlib
import http.client
import json
import os
import re
import shlex
import socket
import ssl
import time
import xmlrpc.client  # noqa: S411 - XML-RPC is the Odoo protocol; peers are the configured Odoo server
from urllib.error import HTTPError, URLError
from urllib.request import HTTPSHandler, Request, build_opener

# Odoo's XML-RPC fault codes (odoo/addons/base/controllers/rpc.py)
RPC_FAULT_CODE_APPLICATION_ERROR = 1
RPC_FAULT_CODE_WARNING = 2
RPC_FAULT_CODE_ACCESS_DENIED = 3
RPC_FAULT_CODE_ACCESS_ERROR = 4

# ir.config_parameter key shared with click-odoo-update and OCA module_auto_update
CHECKSUMS_PARAM = "module_auto_update.installed_checksums"
EXCLUDE_PATTERNS_PARAM = "module_auto_update.exclude_patterns"
DEFAULT_EXCLUDE_PATTERNS = "*.pyc,*.pyo,i18n/*.pot,i18n_extra/*.pot,static/*,tests/*"

INSTALLED_STATES = ("installed", "to upgrade", "to remove")
MODULE_STATES = ("uninstallable", "uninstalled", "installed", "to upgrade", "to remove", "to install")


class OdooError(Exception):
    """Base class: ``str(err)`` is a one-line message for a human."""


class OdooConnectionError(OdooError):
    """The server cannot be reached (refused, DNS, TLS, timeout, not ready in time)."""


class OdooAuthError(OdooError):
    """Wrong login/password (or master password)."""


class OdooDatabaseError(OdooError):
    """The database does not exist (or the database manager refused)."""


class OdooFault(OdooError):
    """An Odoo server-side error, reduced to its message."""

    def __init__(self, message, code=None, exception=None):
        super(OdooFault, self).__init__(message)
        self.code = code
        self.exception = exception


class OdooCommandError(OdooError):
    """A local command (odoo CLI, psql) failed."""

    def __init__(self, message, rc=None, stdout="", stderr=""):
        super(OdooCommandError, self).__init__(message)
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr


_EXC_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Warning|Denied|Fault|Exit|Interrupt|Failure)): ?(.*)$")
_DB_MISSING = re.compile(r'database "([^"]+)" does not exist')


def reduce_fault(fault_string):
    """Reduce an Odoo fault string (often a full traceback) to its message.

    ``Traceback ... \\nValueError: Invalid field 'x' on model 'y'\\n`` becomes
    ``ValueError: Invalid field 'x' on model 'y'``; dotted exception paths are
    shortened (``odoo.exceptions.UserError`` -> ``UserError``); a message that
    spans several lines after the exception name is kept whole.
    """
    text = (fault_string or "").strip()
    if not text:
        return "unknown Odoo error"
    lines = text.splitlines()
    if "Traceback (most recent call last)" not in text:
        return " ".join(line.strip() for line in lines if line.strip())
    for idx in range(len(lines) - 1, -1, -1):
        line = lines[idx]
        if line.startswith(" "):
            continue
        match = _EXC_LINE.match(line)
        if match:
            name = match.group(1).rsplit(".", 1)[-1]
            rest = [match.group(2)] + [item.strip() for item in lines[idx + 1 :]]
            message = " ".join(item for item in rest if item)
            return "%s: %s" % (name, message) if message else name
    return lines[-1].strip()


def _redact_url(url):
    return re.sub(r"//[^/@]*@", "//", url)


class _TimeoutMixin:
    """Give every connection of an xmlrpc transport the client's timeout."""

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


class _TimeoutTransport(_TimeoutMixin, xmlrpc.client.Transport):
    def __init__(self, timeout, use_datetime=False):
        xmlrpc.client.Transport.__init__(self, use_datetime=use_datetime)
        self._timeout = timeout


class _TimeoutSafeTransport(_TimeoutMixin, xmlrpc.client.SafeTransport):
    def __init__(self, timeout, context=None, use_datetime=False):
        xmlrpc.client.SafeTransport.__init__(self, use_datetime=use_datetime, context=context)
        self._timeout = timeout


class OdooClient:
    """XML-RPC client of one Odoo server (and optionally one database).

    ``proxy_factory(endpoint_url, timeout)`` and ``http_get(url, timeout)`` can
    be injected by tests; by default real ``xmlrpc.client.ServerProxy`` objects
    and ``urllib`` are used.
    """

    def __init__(
        self,
        url,
        database=None,
        login="admin",
        password=None,
        timeout=120,
        wait_timeout=60,
        validate_certs=True,
        proxy_factory=None,
        http_get=None,
        sleep=time.sleep,
        clock=time.monotonic,
    ):
        if not url or not re.match(r"^https?://", url):
            raise OdooError("url must start with http:// or https:// (got %r)" % (url,))
        self.url = url.rstrip("/")
        self.database = database
        self.login = login
        self.password = password
        self.timeout = float(timeout)
        self.wait_timeout = float(wait_timeout)
        self.validate_certs = validate_certs
        self.uid = None
        self._proxy_factory = proxy_factory or self._default_proxy
        self._http_get = http_get or self._default_http_get
        self._sleep = sleep
        self._clock = clock
        self._proxies = {}
        self._server_version = None

    # ------------------------------------------------------------------ transport
    def _ssl_context(self):
        if self.validate_certs:
            return ssl.create_default_context()
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def _default_proxy(self, endpoint_url, timeout):
        if endpoint_url.startswith("https://"):
            transport = _TimeoutSafeTransport(timeout, context=self._ssl_context())
        else:
            transport = _TimeoutTransport(timeout)
        return xmlrpc.client.ServerProxy(endpoint_url, transport=transport, allow_none=True)

    def _default_http_get(self, url, timeout):
        handlers = []
        if url.startswith("https://"):
            handlers.append(HTTPSHandler(context=self._ssl_context()))
        opener = build_opener(*handlers)
        try:
            response = opener.open(Request(url, method="GET"), timeout=timeout)  # noqa: S310 - http(s) checked in __init__
        except HTTPError as err:
            return err.code, ""
        with response:
            return response.status, response.read(4096).decode("utf-8", "replace")

    def _proxy(self, service, timeout=None):
        timeout = self.timeout if timeout is None else timeout
        key = (service, timeout)
        if key not in self._proxies:
            self._proxies[key] = self._proxy_factory("%s/xmlrpc/2/%s" % (self.url, service), timeout)
        return self._proxies[key]

    def call(self, service, method, *args, **kwargs):
        """Call ``service.method(*args)``; translate every failure to an OdooError."""
        timeout = kwargs.pop("timeout", None)
        where = _redact_url(self.url)
        try:
            return getattr(self._proxy(service, timeout), method)(*args)
        except xmlrpc.client.Fault as fault:
            raise self._translate_fault(fault, service, method) from None
        except xmlrpc.client.ProtocolError as err:
            if err.errcode == 404:
                raise OdooConnectionError(
                    "%s answered HTTP 404 for /xmlrpc/2/%s: is this an Odoo server (and is the path right)?"
                    % (where, service)
                ) from None
            raise OdooConnectionError(
                "Odoo server at %s answered HTTP %s %s for /xmlrpc/2/%s" % (where, err.errcode, err.errmsg, service)
            ) from None
        except ssl.SSLError as err:
            raise OdooConnectionError(
                "TLS error talking to %s: %s (set validate_certs=false only for self-signed test servers)"
                % (where, getattr(err, "reason", None) or err)
            ) from None
        except socket.timeout:
            raise OdooConnectionError(
                "Odoo server at %s did not answer %s.%s within %ss (raise the timeout option for long installs)"
                % (where, service, method, timeout if timeout is not None else self.timeout)
            ) from None
        except (OSError, xmlrpc.client.ResponseError, http.client.HTTPException) as err:
            raise OdooConnectionError("Odoo server unreachable at %s: %s" % (where, _oserror_text(err))) from None

    def _translate_fault(self, fault, service, method):
        code = fault.faultCode
        text = fault.faultString or ""
        message = reduce_fault(text)
        missing = _DB_MISSING.search(text)
        if missing:
            return OdooDatabaseError("Database '%s' does not exist on %s" % (missing.group(1), _redact_url(self.url)))
        if code == RPC_FAULT_CODE_ACCESS_DENIED or message in ("Access Denied", "AccessDenied"):
            if service == "db":
                return OdooAuthError(
                    "Odoo refused db.%s on %s: wrong master password (admin_passwd), or the database "
                    "manager is disabled (list_db = False)" % (method, _redact_url(self.url))
                )
            return OdooAuthError(
                "Access denied by %s for %s.%s: %s" % (_redact_url(self.url), service, method, message)
            )
        name = None
        match = re.match(r"^(\w+): ", message)
        if match:
            name = match.group(1)
        return OdooFault("Odoo error in %s.%s: %s" % (service, method, message), code=code, exception=name)

    # ------------------------------------------------------------------ readiness
    def wait_until_ready(self, wait_timeout=None):
        """Poll ``/web/health`` (Odoo >= 15) or ``common.version()`` until the server answers.

        Returns the seconds waited. Raises OdooConnectionError naming the URL
        and the last error when the deadline passes.
        """
        wait_timeout = self.wait_timeout if wait_timeout is None else float(wait_timeout)
        start = self._clock()
        deadline = start + wait_timeout
        probe_timeout = max(1.0, min(self.timeout, 10.0))
        last_error = "no answer"
        use_health = True
        delay = 0.5
        while True:
            try:
                if use_health:
                    status, _body = self._http_get(self.url + "/web/health", probe_timeout)
                    if status == 200:
                        return self._clock() - start
                    if status == 404:
                        use_health = False  # Odoo < 15: no health route, ask version()
                        continue
                    last_error = "/web/health answered HTTP %s" % status
                else:
                    self.version(timeout=probe_timeout)
                    return self._clock() - start
            except OdooConnectionError as err:
                last_error = str(err)
            except (URLError, OSError, ValueError, http.client.HTTPException) as err:
                last_error = _oserror_text(err)
            now = self._clock()
            if now >= deadline:
                raise OdooConnectionError(
                    "Odoo server unreachable at %s after waiting %ss: %s"
                    % (_redact_url(self.url), int(wait_timeout), last_error)
                )
            self._sleep(min(delay, max(0.0, deadline - now)))
            delay = min(delay * 2, 5.0)

    # ------------------------------------------------------------------ common / db services
    def version(self, timeout=None):
        info = self.call("common", "version", timeout=timeout)
        self._server_version = info
        return info

    def server_serie(self):
        """'18.0' style series string (from common.version)."""
        info = self._server_version or self.version()
        serie = info.get("server_serie")
        if serie:
            return serie
        vinfo = info.get("server_version_info") or []
        if len(vinfo) >= 2:
            return "%s.%s" % (vinfo[0], vinfo[1])
        return None

    def authenticate(self):
        if not self.database:
            raise OdooError("a database name is required to log in")
        if self.password is None:
            raise OdooAuthError("no password given for login '%s'" % self.login)
        try:
            uid = self.call("common", "authenticate", self.database, self.login, self.password, {})
        except OdooFault:
            # Odoo answers a missing database with a psycopg2 traceback whose wording
            # varies; ask the db service before giving the raw message back.
            if self.db_exist(self.database) is False:
                raise OdooDatabaseError(
                    "Database '%s' does not exist on %s" % (self.database, _redact_url(self.url))
                ) from None
            raise
        if not uid:
            raise OdooAuthError(
                "Odoo at %s refused login '%s' on database '%s': wrong login or password"
                % (_redact_url(self.url), self.login, self.database)
            )
        self.uid = uid
        return uid

    def check_login(self, login, password):
        """True when ``login``/``password`` authenticate on this database (no exception for a refusal)."""
        uid = self.call("common", "authenticate", self.database, login, password, {})
        return bool(uid)

    def execute_kw(self, model, method, args=None, kwargs=None, timeout=None):
        if self.uid is None:
            self.authenticate()
        return self.call(
            "object",
            "execute_kw",
            self.database,
            self.uid,
            self.password,
            model,
            method,
            list(args or []),
            dict(kwargs or {}),
            timeout=timeout,
        )

    def db_list(self):
        """Database names, or None when the server hides the list (list_db = False)."""
        try:
            return self.call("db", "list")
        except OdooAuthError:
            return None

    def db_exist(self, name):
        """db.db_exist works even when listing is disabled. None when the call itself fails."""
        try:
            return bool(self.call("db", "db_exist", name))
        except OdooError:
            return None

    def database_exists(self, name):
        names = self.db_list()
        if names is not None:
            return name in names
        return self.db_exist(name)

    def db_drop(self, master_password, name):
        return self.call("db", "drop", master_password, name)


def _oserror_text(err):
    if isinstance(err, URLError) and getattr(err, "reason", None) is not None:
        err = err.reason
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, socket.gaierror):
        return "host name not found (%s)" % (err.strerror or err)
    if isinstance(err, (socket.timeout, TimeoutError)):
        return "timed out"
    return getattr(err, "strerror", None) or str(err) or err.__class__.__name__


def connection_argument_spec():
    """argument_spec entries matching the insightpulse.platform.odoo doc fragment."""
    return dict(
        url=dict(type="str", default="http://127.0.0.1:8069"),
        database=dict(type="str", required=True, aliases=["db"]),
        login=dict(type="str", default="admin", aliases=["username"]),
        password=dict(type="str", no_log=True, aliases=["login_password"]),
        timeout=dict(type="float", default=300),
        wait_timeout=dict(type="float", default=60),
        validate_certs=dict(type="bool", default=True),
    )


def client_from_params(params, **kwargs):
    return OdooClient(
        url=params["url"],
        database=params["database"],
        login=params["login"],
        password=params["password"],
        timeout=params["timeout"],
        wait_timeout=params["wait_timeout"],
        validate_certs=params["validate_certs"],
        **kwargs,
    )


def connect(params, **kwargs):
    """Client that waited for the server and logged in (the common prologue of every module)."""
    client = client_from_params(params, **kwargs)
    client.wait_until_ready()
    client.authenticate()
    return client


# ---------------------------------------------------------------------- module catalog
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
    )

    def __init__(self, name, state, latest_version=None, available_version=None, auto_install=False, module_id=None):
        self.id = module_id
        self.name = name
        self.state = state
        self.latest_version = latest_version or None
        self.available_version = available_version or None
        self.auto_install = bool(auto_install)
        self.depends = []
        self.auto_depends = None  # None: every dependency triggers auto_install

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
    and optionally installed_version (the manifest version Odoo computes).
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
    fields = ["name", "state", "latest_version", "auto_install"]
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


# ---------------------------------------------------------------------- psql (cli method)
PSQL_SEPARATOR = "\x1f"


def psql_argv(psql_command, database, sql):
    """argv running one SQL statement with unaligned, tuples-only output.

    ``psql_command`` is split with shlex so ``docker compose -f /opt/odoo/compose.yml
    exec -T db psql -U odoo`` works as well as a plain ``psql -h localhost -U odoo``.
    """
    argv = shlex.split(psql_command)
    if not argv:
        raise OdooError("psql_command is empty")
    return argv + [
        "-X",
        "-q",
        "-A",
        "-t",
        "-F",
        PSQL_SEPARATOR,
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        database,
        "-c",
        sql,
    ]


def run_psql(run_command, psql_command, database, sql):
    """Run SQL through psql; return rows as lists of strings.

    ``run_command(argv)`` returns ``(rc, stdout, stderr)`` (AnsibleModule.run_command
    in modules, a fake in tests).
    """
    argv = psql_argv(psql_command, database, sql)
    rc, out, err = run_command(argv)
    if rc != 0:
        detail = _psql_error(err or out or "") or "exit code %s" % rc
        if _DB_MISSING.search(err or ""):
            raise OdooDatabaseError("Database '%s' does not exist (psql: %s)" % (database, detail))
        raise OdooCommandError(
            "psql failed (%s ...): %s" % (" ".join(shlex.quote(a) for a in argv[:-1]), detail),
            rc=rc,
            stdout=out,
            stderr=err,
        )
    rows = []
    for line in (out or "").splitlines():
        if line == "":
            continue
        rows.append(line.split(PSQL_SEPARATOR))
    return rows


def _psql_error(text):
    """The line that says what went wrong: psql ends a SQL error with ``LINE 1: ...`` and a ``^``
    marker, so the last line is useless; prefer the ERROR/FATAL line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    for line in lines:
        if re.search(r"\b(ERROR|FATAL):", line):
            return line
    return lines[-1] if lines else ""


def sql_literal(value):
    return "'" + str(value).replace("'", "''") + "'"


def read_catalog_sql(run_command, psql_command, database):
    """Catalog straight from ``ir_module_module`` / ``ir_module_module_dependency``."""
    modules = run_psql(
        run_command,
        psql_command,
        database,
        "SELECT name, state, coalesce(latest_version, ''), coalesce(auto_install, false) FROM ir_module_module",
    )
    module_rows = [
        {"name": r[0], "state": r[1], "latest_version": r[2] or None, "auto_install": r[3] if len(r) > 3 else False}
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


def database_exists_sql(run_command, psql_command, name, maintenance_db="postgres"):
    sql = "SELECT 1 FROM pg_database WHERE datname = %s" % sql_literal(name)  # noqa: S608 - quoted literal
    rows = run_psql(run_command, psql_command, maintenance_db, sql)
    return bool(rows)


def get_param_sql(run_command, psql_command, database, key):
    sql = "SELECT value FROM ir_config_parameter WHERE key = %s" % sql_literal(key)  # noqa: S608 - quoted literal
    rows = run_psql(run_command, psql_command, database, sql)
    return rows[0][0] if rows else None


# ---------------------------------------------------------------------- manifests, versions, checksums
def find_addon(addons_path, name):
    for base in addons_path or []:
        path = os.path.join(base, name)
        for manifest in ("__manifest__.py", "__openerp__.py"):
            if os.path.isfile(os.path.join(path, manifest)):
                return path
    return None


def read_manifest(addon_dir):
    for manifest in ("__manifest__.py", "__openerp__.py"):
        path = os.path.join(addon_dir, manifest)
        if os.path.isfile(path):
            with open(path, "r") as handle:
                return ast.literal_eval(handle.read())
    raise OdooError("no __manifest__.py in %s" % addon_dir)


def adapt_version(version, serie):
    """Odoo's ``adapt_version``: prefix a manifest version with the series ('1.0' -> '18.0.1.0')."""
    version = str(version or "1.0")
    if serie and (version == serie or not version.startswith(serie + ".")):
        version = "%s.%s" % (serie, version)
    return version


def serie_of(version):
    """'18.0.1.3' -> '18.0' (None when it cannot tell)."""
    if not version:
        return None
    parts = str(version).split(".")
    if len(parts) >= 2 and parts[0].isdigit():
        return "%s.%s" % (parts[0], parts[1])
    return None


def version_key(version):
    """Comparable key for dotted versions; non-numeric parts compare as text after numbers."""
    key = []
    for part in re.split(r"[.\-+]", str(version or "")):
        if part.isdigit():
            key.append((0, int(part), ""))
        elif part:
            key.append((1, 0, part))
    return tuple(key)


def version_newer(available, installed):
    """True when the available (manifest) version is newer than the installed one."""
    if not available:
        return False
    if not installed:
        return True
    return version_key(available) > version_key(installed)


def _walk_addon(top, exclude_patterns, keep_langs):
    keep = {lang.split("_")[0] for lang in keep_langs}
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        reldir = os.path.relpath(dirpath, top)
        if reldir == ".":
            reldir = ""
        for filename in sorted(filenames):
            filepath = os.path.join(reldir, filename)
            if any(fnmatch.fnmatch(filepath, pattern) for pattern in exclude_patterns):
                continue
            if keep and reldir in ("i18n", "i18n_extra"):
                basename, ext = os.path.splitext(filename)
                if ext == ".po" and basename.split("_")[0] not in keep:
                    continue
            yield filepath


def addon_hash(top, exclude_patterns=None, keep_langs=()):
    """sha1 of an addon's files, byte-compatible with click-odoo-contrib's
    ``_addon_hash.addon_hash`` so checksums stored by either tool agree."""
    if exclude_patterns is None:
        exclude_patterns = DEFAULT_EXCLUDE_PATTERNS.split(",")
    digest = hashlib.sha1()  # noqa: S324 - content fingerprint, same algorithm as click-odoo-contrib
    for filepath in _walk_addon(top, exclude_patterns, keep_langs):
        digest.update(filepath.encode("utf-8"))
        with open(os.path.join(top, filepath), "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def parse_checksums(value):
    if not value:
        return {}
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
