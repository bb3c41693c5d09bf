"""platform_health: every enabled catalog service asked through the Nginx front over HTTPS,
as a browser would (and as playbooks/healthcheck.yml does), judged by the collection's shared
``platform_health`` module: state, latency, version, and readiness.

Readiness is the health answer's own verdict where it gives one (``{"status": "healthy"}``,
``"pass"``, ``"ok"``): a service can answer 200 while it is still starting.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from . import platform_health

_READY_WORDS = {"healthy", "pass", "ok", "up", "ready"}


def _tls_context() -> ssl.SSLContext:
    # Like `curl -k` in the healthcheck playbook: a health answer carries nothing secret and
    # the front's certificate may be self-signed (sandbox); no credential is sent here.
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class _FrontConnection(http.client.HTTPSConnection):
    """HTTPS to the front's address with the service's name as SNI and Host (curl --resolve)."""

    def __init__(self, name: str, front: tuple[str, int] | None, timeout: float) -> None:
        super().__init__(name, timeout=timeout, context=_tls_context())
        self._front = front

    def connect(self) -> None:
        if self._front is None:
            super().connect()
            return
        sock = socket.create_connection(self._front, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _front(address: str) -> tuple[str, int] | None:
    if not address:
        return None
    host, _, port = address.rpartition(":") if ":" in address else (address, "", "443")
    return host.strip("[]"), int(port or 443)


def fetch(url: str, front: tuple[str, int] | None, timeout: float, body: bytes | None = None) -> dict[str, Any]:
    """One request -> {status (0: no answer), seconds, body (first 4000 bytes), error}."""
    parts = urlsplit(url)
    started = time.monotonic()
    conn = _FrontConnection(parts.netloc, front, timeout)
    try:
        headers = {"User-Agent": "insightpulse-mcp/health", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        conn.request("POST" if body is not None else "GET", parts.path or "/", body=body, headers=headers)
        resp = conn.getresponse()
        text = resp.read(4000).decode("utf-8", "replace")
        return {"status": resp.status, "seconds": time.monotonic() - started, "body": text, "error": ""}
    except (OSError, http.client.HTTPException) as err:
        return {"status": 0, "seconds": time.monotonic() - started, "body": "", "error": type(err).__name__}
    finally:
        conn.close()


def readiness(state: str, body: str) -> str:
    if state != platform_health.UP:
        return "not ready"
    try:
        data = json.loads(body or "")
    except ValueError:
        return "ready"
    status = data.get("status") if isinstance(data, dict) else None
    if isinstance(status, str) and status.lower() not in _READY_WORDS:
        return f"not ready ({status})"
    return "ready"


def platform_health_report(
    services: list[dict[str, Any]], required: list[str], front_address: str, timeout: float
) -> dict[str, Any]:
    front = _front(front_address)
    probes, bodies = [], {}
    for service in services:
        health_url, version_url = platform_health.probe_urls(service)
        answer = fetch(health_url, front, timeout)
        version_body = ""
        if version_url and answer["status"] == 200:
            version_body = fetch(version_url, front, timeout, json.dumps(platform_health.VERSION_REQUEST).encode())[
                "body"
            ]
        bodies[service["name"]] = answer["body"]
        probes.append(
            {
                "name": service["name"],
                "url": health_url,
                "status": answer["status"],
                "seconds": answer["seconds"],
                "body": answer["body"],
                "version_body": version_body,
            }
        )
    report = platform_health.health_report(probes, [name for name in required if name in bodies])
    services_out = []
    for row in report["rows"]:
        services_out.append(
            {
                "name": row["name"],
                "url": row["url"],
                "state": row["state"],
                "ready": readiness(row["state"], bodies[row["name"]]),
                "latency_ms": row["ms"],
                "version": row["version"] or None,
                "required": row["required"],
            }
        )
    return {"ok": report["ok"], "services": services_out, "problems": report["problems"], "table": report["table"]}
