# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""XML-RPC client of one Odoo server, shared by every Odoo module of insightpulse.platform.

XML-RPC over ``/xmlrpc/2/common``, ``/xmlrpc/2/object`` and ``/xmlrpc/2/db``
with a per-call timeout and a bounded wait for a server that is still starting.
Every failure becomes an :class:`OdooError` (see ``odoo_errors``) whose text is
one line: server tracebacks are reduced to their message.

Nothing here imports Ansible, so the unit tests drive it directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import hashlib
import http.client
import json
import os
import re
import socket
import ssl
import time
import xmlrpc.client  # noqa: S411 - XML-RPC is the Odoo protocol; peers are the configured Odoo server
from urllib.error import HTTPError, URLError
from urllib.request import HTTPSHandler, Request, build_opener

from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_errors import (
    DB_MISSING_RE,
    OdooAuthError,
    OdooConnectionError,
    OdooDatabaseError,
    OdooError,
    OdooFault,
)

# Odoo's XML-RPC fault codes (odoo/addons/base/controllers/rpc.py)
RPC_FAULT_CODE_APPLICATION_ERROR = 1
RPC_FAULT_CODE_WARNING = 2
RPC_FAULT_CODE_ACCESS_DENIED = 3
RPC_FAULT_CODE_ACCESS_ERROR = 4

# the lines Python puts between the tracebacks of chained exceptions
_CHAIN_LINES = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)


def _exception_of(block):
    """The exception (name shortened, and its whole message) that ends one traceback block, or None.

    It is what follows the last frame: a frame is a ``  File ...`` line and the indented source
    and ``^^^`` marker lines under it.
    """
    lines = block.strip("\n").splitlines()
    start = 0
    frames = [idx for idx, line in enumerate(lines) if line.startswith("  File ")]
    if frames:
        start = frames[-1] + 1
        while start < len(lines) and lines[start].startswith("    "):
            start += 1
    tail = [line.strip() for line in lines[start:] if line.strip() and not line.startswith("Traceback (")]
    if not tail:
        return None
    head, sep, first = tail[0].partition(":")
    if re.match(r"^[A-Za-z_][\w.]*$", head):
        name = head.rsplit(".", 1)[-1]
        message = " ".join(item for item in [first.strip()] + tail[1:] if item)
        return "%s: %s" % (name, message) if message else name
    return " ".join(tail)


def reduce_fault(fault_string):
    """Reduce an Odoo fault string (often a full traceback) to its message.

    ``Traceback ... \\nValueError: Invalid field 'x' on model 'y'\\n`` becomes
    ``ValueError: Invalid field 'x' on model 'y'``; dotted exception paths are
    shortened (``odoo.exceptions.UserError`` -> ``UserError``); a message that
    spans several lines after the exception name is kept whole.

    Chained exceptions (``During handling of the above exception...``) give the
    last one, which is what Odoo raised, and the first, which is what started it,
    when they differ: ``InFailedSqlTransaction: current transaction is aborted
    (after LockNotAvailable: could not obtain lock on row in relation "ir_cron")``.
    """
    text = (fault_string or "").strip()
    if not text:
        return "unknown Odoo error"
    if "Traceback (most recent call last)" not in text:
        return " ".join(line.strip() for line in text.splitlines() if line.strip())
    pattern = "|".join(re.escape(line) for line in _CHAIN_LINES)
    blocks = [block for block in re.split(r"^(?:%s)$" % pattern, text, flags=re.M) if block.strip()]
    found = [exc for exc in (_exception_of(block) for block in blocks) if exc]
    if not found:
        return text.splitlines()[-1].strip()
    if len(found) > 1 and found[0] != found[-1]:
        return "%s (after %s)" % (found[-1], found[0])
    return found[-1]


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


class UidCache:
    """The user id each (server, database, login) last logged in as, kept on this host between
    module runs.

    Odoo checks a login's password against its PBKDF2 hash, about half a second of the
    server's CPU each time, and every module run used to log in again. A call that names the
    user id with the password is checked against a cache each Odoo worker keeps, so a client
    that knows the id skips the login. A user id is not a secret; the file (``~/.cache``,
    mode 0600) holds ids only, keyed by a hash of the server URL, database and login. An id
    that no longer fits (the database was recreated, the password changed) is found out by
    the first call and the client logs in as before.
    """

    default_path = os.path.join(os.path.expanduser("~"), ".cache", "insightpulse", "odoo-uids.json")

    def __init__(self, path=None):
        self.path = path or self.default_path

    @staticmethod
    def _key(url, database, login):
        return hashlib.sha256("\0".join([url, database, login]).encode("utf-8")).hexdigest()

    def _load(self):
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, url, database, login):
        uid = self._load().get(self._key(url, database, login))
        return uid if isinstance(uid, int) and not isinstance(uid, bool) and uid > 0 else None

    def put(self, url, database, login, uid):
        """Remember ``uid`` (None forgets it). A cache that cannot be written is no error."""
        data = self._load()
        key = self._key(url, database, login)
        if uid is None:
            data.pop(key, None)
        else:
            data[key] = uid
        directory = os.path.dirname(self.path)
        temporary = "%s.%d.tmp" % (self.path, os.getpid())
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


class OdooClient:
    """XML-RPC client of one Odoo server (and optionally one database).

    ``proxy_factory(endpoint_url, timeout)`` and ``http_get(url, timeout)`` can
    be injected by tests; by default real ``xmlrpc.client.ServerProxy`` objects
    and ``urllib`` are used. With a ``uid_cache`` (:class:`UidCache`),
    :meth:`resume` logs in only when the cached user id does not work.
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
        uid_cache=None,
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
        self._uid_cache = uid_cache

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
        missing = DB_MISSING_RE.search(text)
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
        if self._uid_cache is not None:
            self._uid_cache.put(self.url, self.database, self.login, uid)
        return uid

    def resume(self):
        """Log in, or take the cached user id when one call proves it: reading that user's own
        login with the password, which Odoo checks without hashing it again once a worker has
        seen it. Returns the user id."""
        cached = None
        if self._uid_cache is not None and self.database and self.password is not None:
            cached = self._uid_cache.get(self.url, self.database, self.login)
        if cached is not None:
            try:
                rows = self.call(
                    "object", "execute_kw", self.database, cached, self.password,
                    "res.users", "read", [[cached]], {"fields": ["login"]},
                )
            except (OdooAuthError, OdooFault):
                rows = None
            if rows and rows[0].get("login") == self.login:
                self.uid = cached
                return cached
            self._uid_cache.put(self.url, self.database, self.login, None)
        return self.authenticate()

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
    """Client that waited for the server and logged in, or resumed the user id this host last
    logged in as (the common prologue of every module; see UidCache)."""
    kwargs.setdefault("uid_cache", UidCache())
    client = client_from_params(params, **kwargs)
    client.wait_until_ready()
    client.resume()
    return client
