"""odoo_search_read: read-only queries on an allow-list of models, through Odoo's XML-RPC on its
internal port, as a dedicated low-privilege user (Odoo's own access rules apply on top).

The URL may name the live blue/green slot as ``{slot}`` (``http://odoo-{slot}:8069``): the slot
is read from the Odoo role's deployed.json at each call, so a switch needs no reconfiguration.
Only ``search_read`` is ever called: no path here writes.
"""

from __future__ import annotations

import json
import re
import xmlrpc.client  # noqa: S411 - XML-RPC is Odoo's protocol; the peer is the platform's own Odoo
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from .config import read_secret

_FIELD = re.compile(r"^[a-z_][a-z0-9_]*$")
_MODEL = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*$")
_ORDER = re.compile(r"^[a-z_][a-z0-9_]*( (asc|desc))?(, ?[a-z_][a-z0-9_]*( (asc|desc))?)*$", re.IGNORECASE)
_FAULT_LINE = re.compile(r"([A-Za-z_.]*(?:Error|Exception|Denied)): ?(.*)")


class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host):
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


def _fault_message(fault: xmlrpc.client.Fault) -> str:
    """Odoo's fault (often a whole traceback) reduced to its last exception line."""
    lines = [line.strip() for line in str(fault.faultString or "").splitlines() if line.strip()]
    if not any(line.startswith("Traceback") for line in lines):
        return " ".join(lines)[:500] or "Odoo refused the query"
    for line in reversed(lines):
        match = _FAULT_LINE.match(line)
        if match:
            return f"{match.group(1).rsplit('.', 1)[-1]}: {match.group(2)}".strip()
    return lines[-1] if lines else "Odoo refused the query"


class OdooReader:
    def __init__(
        self,
        url: str,
        db: str,
        login: str,
        password_file: str,
        models: list[str],
        max_limit: int,
        timeout: float,
        state_file: str = "",
    ):
        self.url_template = url.rstrip("/")
        self.db = db
        self.login = login
        self.password_file = password_file
        self.models = sorted(set(models))
        self.max_limit = max_limit
        self.timeout = timeout
        self.state_file = state_file
        self._uid: dict[tuple[str, str], int] = {}

    def url(self) -> str:
        if "{slot}" not in self.url_template:
            return self.url_template
        try:
            with open(self.state_file, encoding="utf-8") as handle:
                slot = json.load(handle).get("slot", "")
        except (OSError, ValueError, AttributeError):
            slot = ""
        if slot not in ("blue", "green"):
            raise ToolError("Odoo is not deployed on this host yet (no live slot in its deploy state)")
        return self.url_template.replace("{slot}", slot)

    def _proxy(self, url: str, service: str) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(
            f"{url}/xmlrpc/2/{service}", transport=_Transport(self.timeout), allow_none=True
        )

    def validate(self, model: str, domain: Any, fields: Any, limit: Any, offset: Any, order: Any) -> None:
        if not isinstance(model, str) or not _MODEL.match(model):
            raise ToolError(f"invalid model name {model!r}")
        if model not in self.models:
            raise ToolError(f"model '{model}' is not on this server's allow-list: {', '.join(self.models)}")
        if not isinstance(domain, list):
            raise ToolError('domain must be a list of conditions, e.g. [["name", "ilike", "acme"]]')
        if not isinstance(fields, list) or not all(isinstance(f, str) and _FIELD.match(f) for f in fields):
            raise ToolError("fields must be a list of field names (lowercase letters, digits, _)")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ToolError("limit must be a positive integer")
        if limit > self.max_limit:
            raise ToolError(f"limit {limit} is above this server's maximum of {self.max_limit}")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ToolError("offset must be a non-negative integer")
        if order and not (isinstance(order, str) and _ORDER.match(order)):
            raise ToolError("order must be field names with optional asc/desc, e.g. 'date desc, id'")

    def search_read(
        self, model: str, domain: list, fields: list[str], limit: int, offset: int = 0, order: str = ""
    ) -> dict[str, Any]:
        self.validate(model, domain, fields, limit, offset, order)
        password = read_secret(self.password_file)
        if not password or not self.db:
            raise ToolError("Odoo access is not configured on this server (no database or password)")
        url = self.url()
        try:
            key = (url, password)
            uid = self._uid.get(key)
            if not uid:
                uid = self._proxy(url, "common").authenticate(self.db, self.login, password, {})
                if not uid:
                    raise ToolError(f"Odoo refused the login of the read-only user '{self.login}'")
                self._uid = {key: uid}
            kwargs: dict[str, Any] = {"fields": fields, "limit": limit, "offset": offset}
            if order:
                kwargs["order"] = order
            records = self._proxy(url, "object").execute_kw(
                self.db, uid, password, model, "search_read", [domain], kwargs
            )
        except xmlrpc.client.Fault as fault:
            raise ToolError(f"Odoo refused the query: {_fault_message(fault)}") from None
        except xmlrpc.client.ProtocolError as err:
            raise ToolError(f"Odoo answered HTTP {err.errcode} {err.errmsg}") from None
        except OSError as err:
            raise ToolError(f"Odoo is not reachable ({type(err).__name__}): is it running?") from None
        return {"model": model, "count": len(records), "limit": limit, "offset": offset, "records": records}
