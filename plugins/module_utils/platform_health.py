# -*- coding: utf-8 -*-  # noqa: UP009
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the platform judges its services' health, written once.

Two readers share it: the ``health_report`` filter behind ``playbooks/healthcheck.yml`` and
the MCP coordinator's ``platform_health`` tool (services/mcp, which gets this file packed into
its image). Both probe each enabled catalog service's health URL through the Nginx front and
hand the answers here: the state of each service (``up``, the front's 503 page, no answer,
``down (HTTP N)``), its version, its latency, and which required services are not up.

Standard library only, no Ansible import: the MCP image has no Ansible.
"""

# The collection's module_utils boilerplate (this file is also linted as part of services/mcp).
from __future__ import absolute_import, division, print_function  # noqa: UP010

__metaclass__ = type  # noqa: UP001

import json

# The Nginx front's 503 page for a service that is declared but not up says so in a comment.
PLACEHOLDER_MARKER = "insightpulse-nginx: service unavailable"

UP = "up"


class HealthReportError(ValueError):
    """Malformed probes or a required service without a probe; the message says which."""


def version_of(text):
    """A version out of a JSON answer: Odoo's JSON-RPC ``result.server_version`` or a top-level
    ``version``/``server_version``; empty when there is none."""
    try:
        data = json.loads(text or "")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    for holder in (data.get("result"), data):
        if isinstance(holder, dict):
            for key in ("server_version", "version"):
                if isinstance(holder.get(key), str):
                    return holder[key]
    return ""


def state_of(status, body):
    """The state of one service from its health URL's HTTP status (0: no answer) and body."""
    if status == 200:
        return UP
    if status == 503 and PLACEHOLDER_MARKER in (body or ""):
        return "unavailable (503 page)"
    if status == 0:
        return "no answer"
    return f"down (HTTP {status})"


def probe_urls(service):
    """Where to ask one enabled catalog service (an entry of ``platform_services``: name, fqdn,
    health and optionally version) through the Nginx front: ``(health_url, version_url or None)``."""
    base = f"https://{service['fqdn']}"
    version = service.get("version")
    return base + service["health"], (base + version if version else None)


# The body the version endpoints are asked with (Odoo's JSON-RPC route wants a call).
VERSION_REQUEST = {"jsonrpc": "2.0", "method": "call", "params": {}}


def health_report(probes, required=None):
    """Rows, a printable table and the required services that are not up.

    Each probe: ``name``, ``url``, ``status`` (HTTP status, 0 for no answer), ``seconds``,
    ``body`` (the health answer) and optionally ``version_body`` (the version endpoint's answer).
    Raises :class:`HealthReportError` on a malformed probe or a required service without one.
    """
    if not isinstance(probes, list):
        raise HealthReportError("health_report: expected a list of probes")
    required = list(required or [])
    rows = []
    for probe in probes:
        try:
            name, url = probe["name"], probe["url"]
            status = int(probe.get("status") or 0)
            seconds = float(probe.get("seconds") or 0.0)
        except (KeyError, TypeError, ValueError) as err:
            raise HealthReportError(f"health_report: malformed probe {probe!r} ({err})") from err
        rows.append(
            {
                "name": name,
                "url": url,
                "state": state_of(status, probe.get("body")),
                "status": status,
                "ms": int(round(seconds * 1000)),
                "version": version_of(probe.get("version_body")),
                "required": name in required,
            }
        )
    unknown = sorted(set(required) - set(row["name"] for row in rows))
    if unknown:
        raise HealthReportError(f"health_report: required service(s) not probed: {', '.join(unknown)}")
    down = [row for row in rows if row["required"] and row["state"] != UP]
    headers = ("service", "url", "state", "ms", "version", "required")
    cells = [headers] + [
        (r["name"], r["url"], r["state"], str(r["ms"]), r["version"] or "-", "yes" if r["required"] else "no")
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    table = ["  ".join(row[i].ljust(widths[i]) for i in range(len(headers))).rstrip() for row in cells]
    return {
        "rows": rows,
        "table": table,
        "down": [r["name"] for r in down],
        "problems": [f"{r['name']}: {r['url']} answered {r['state']}" for r in down],
        "ok": not down,
    }
