"""The MCP server: tools, bearer auth with scopes, DNS-rebinding protection, /health.

Streamable HTTP at /mcp (the SDK's transport), GET /health unauthenticated for the health gate
and the Nginx front. Every tool checks its scope (``read`` or ``operate``) against the calling
token; the operate tools write one audit line per call, refusals included.
"""

from __future__ import annotations

import functools
import logging
from typing import Annotated, Any

import anyio
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types import ToolAnnotations
from pydantic import Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from . import __version__, hoststatus
from .audit import AuditLog
from .auth import OPERATE, READ, ScopedTokenVerifier, TokenStore, caller, require
from .clients import OcrClient, SupersetClient
from .config import Settings
from .health import platform_health_report
from .odoo import OdooReader
from .ops import Operations

log = logging.getLogger(__name__)

INSTRUCTIONS = """\
The InsightPulse platform's coordinator: health of every service, read-only Odoo queries,
receipt OCR, Superset dashboards, certificates and disk space, and (with an operate token)
backups and restore drills. Read tools need the 'read' scope, backup tools 'operate'."""

READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)


def _run(fn, *args, **kwargs):
    """Blocking I/O off the event loop."""
    return anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


def build_server(settings: Settings) -> MCPServer:
    store = TokenStore(settings.tokens_dir, settings.token_scopes)
    public = f"https://{settings.allowed_hosts[0]}" if settings.allowed_hosts else "http://127.0.0.1"
    server = MCPServer(
        "insightpulse-mcp",
        title="InsightPulse platform coordinator",
        instructions=INSTRUCTIONS,
        version=__version__,
        token_verifier=ScopedTokenVerifier(store),
        # A resource server of its own tokens: the issuer is this server itself.
        auth=AuthSettings(
            issuer_url=public,
            resource_server_url=public + "/mcp",
            validate_token_resource=False,
            required_scopes=[],
        ),
        log_level=settings.log_level.upper(),
    )
    audit = AuditLog(settings.audit_log)
    odoo = OdooReader(
        settings.odoo_url,
        settings.odoo_db,
        settings.odoo_login,
        settings.odoo_password_file,
        settings.odoo_models,
        settings.odoo_max_limit,
        settings.odoo_timeout,
        settings.odoo_state_file,
    )
    ocr = OcrClient(settings.ocr_url, settings.ocr_token_file, settings.ocr_max_bytes, settings.ocr_timeout)
    superset = SupersetClient(
        settings.superset_url,
        settings.superset_public_url,
        settings.superset_username,
        settings.superset_password_file,
    )
    ops = Operations(settings.ops_dir, settings.backup_status_file)

    async def operate(tool: str, arguments: dict[str, Any], fn, *args):
        token = caller()
        who = token.client_id if token else "anonymous"
        try:
            require(OPERATE)
            result = await _run(fn, *args)
        except ToolError as err:
            audit.write(who, tool, arguments, False, str(err))
            raise
        except Exception:
            audit.write(who, tool, arguments, False, "internal error")
            raise
        audit.write(who, tool, arguments, True, _summary(result))
        return result

    # --- read tools -------------------------------------------------------------------
    @server.tool(
        title="Platform health",
        annotations=READ_ONLY,
        description="Every enabled service of the platform asked through the Nginx front: state, readiness, "
        "latency, version, and which required services are not up.",
    )
    async def platform_health() -> dict[str, Any]:
        require(READ)
        return await _run(
            platform_health_report,
            settings.services,
            settings.required,
            settings.front_address,
            settings.health_timeout,
        )

    @server.tool(
        title="Odoo search_read (read-only)",
        annotations=READ_ONLY,
        description="Read Odoo records: search_read on an allow-listed model as a read-only user. "
        'domain is Odoo\'s list of conditions, e.g. [["state", "=", "posted"]].',
    )
    async def odoo_search_read(
        model: Annotated[str, Field(description="Technical model name, e.g. res.partner")],
        domain: Annotated[list[Any], Field(description="Odoo domain")] = [],  # noqa: B006 - JSON schema default
        fields: Annotated[list[str], Field(description="Fields to return (empty: Odoo's default set)")] = [],  # noqa: B006
        limit: Annotated[int, Field(description="Records to return (at most the server's maximum)")] = 20,
        offset: Annotated[int, Field(description="Records to skip")] = 0,
        order: Annotated[str, Field(description="e.g. 'date desc, id'")] = "",
    ) -> dict[str, Any]:
        require(READ)
        return await _run(odoo.search_read, model, domain, fields, limit, offset, order)

    @server.tool(
        title="Receipt OCR",
        annotations=ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False),
        description="Read a receipt photo with the platform's OCR service: vendor, date, total, tax and currency, "
        "each with its confidence and whether it is trusted.",
    )
    async def ocr_receipt(
        image_base64: Annotated[str, Field(description="The photo (JPEG, PNG, ...) as base64 or a data: URL")],
    ) -> dict[str, Any]:
        require(READ)
        return await _run(ocr.recognize, image_base64)

    @server.tool(
        title="Superset dashboards",
        annotations=READ_ONLY,
        description="Superset's dashboards with their URLs (an error when Superset is not deployed).",
    )
    async def superset_dashboards(
        search: Annotated[str, Field(description="Part of the title to look for")] = "",
    ) -> dict[str, Any]:
        require(READ)
        return await _run(superset.dashboards, search)

    @server.tool(
        title="TLS certificates",
        annotations=READ_ONLY,
        description="Each host's TLS certificates: names, expiry date and days left (soonest first).",
    )
    async def certificates() -> dict[str, Any]:
        require(READ)
        return await _run(hoststatus.certificates, settings.host_status_dir)

    @server.tool(title="Disk space", annotations=READ_ONLY, description="Free space per host and file system.")
    async def disk() -> dict[str, Any]:
        require(READ)
        return await _run(hoststatus.disk, settings.host_status_dir)

    # --- operate tools ------------------------------------------------------------------
    @server.tool(
        title="Back up now",
        annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False),
        description="Ask the host to take a backup now (scope 'operate'; recorded in the audit log). "
        "wait_seconds > 0 waits up to that long for the host's answer.",
    )
    async def backup_now(
        wait_seconds: Annotated[int, Field(ge=0, le=120, description="Seconds to wait for the outcome")] = 0,
    ) -> dict[str, Any]:
        who = caller().client_id if caller() else "anonymous"
        return await operate("backup_now", {"wait_seconds": wait_seconds}, ops.request, "backup_now", who, wait_seconds)

    @server.tool(
        title="Backups",
        annotations=READ_ONLY,
        description="The last backup and restore drill, the snapshots, and recent requests (scope 'operate').",
    )
    async def backup_list() -> dict[str, Any]:
        return await operate("backup_list", {}, ops.listing)

    @server.tool(
        title="Restore drill",
        # The drill restores into a scratch place and compares; the live data is not touched.
        annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=False),
        description="Ask the host to run a restore drill now: restore the latest snapshot into a scratch place "
        "and compare counts and checksums (scope 'operate'; recorded in the audit log).",
    )
    async def restore_drill(
        wait_seconds: Annotated[int, Field(ge=0, le=120, description="Seconds to wait for the outcome")] = 0,
    ) -> dict[str, Any]:
        who = caller().client_id if caller() else "anonymous"
        return await operate(
            "restore_drill", {"wait_seconds": wait_seconds}, ops.request, "restore_drill", who, wait_seconds
        )

    @server.custom_route("/health", methods=["GET"])
    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "healthy", "version": __version__, "tokens": len(store.tokens())})

    return server


def _summary(result: Any) -> str:
    if isinstance(result, dict) and "request" in result:
        req = result["request"]
        outcome = result.get("result")
        return f"queued {req.get('action')} {req.get('id')}" + (f"; result {outcome}" if outcome else "")
    if isinstance(result, dict):
        return "listed " + ", ".join(f"{k}" for k in sorted(result))
    return str(result)[:200]


def build_app(settings: Settings) -> Starlette:
    server = build_server(settings)
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=list(settings.allowed_hosts),
        allowed_origins=list(settings.allowed_origins) or [f"https://{h}" for h in settings.allowed_hosts],
    )
    return server.streamable_http_app(
        streamable_http_path="/mcp",
        max_request_body_size=settings.max_body_bytes,
        transport_security=security,
        host=settings.host,
    )
