"""Settings from the environment (the role renders them into compose.yml; no secret is in them:
secrets are files, named here by path)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any


def _json(name: str, default: Any) -> Any:
    raw = os.environ.get(name, "")
    if not raw.strip():
        return default
    try:
        return json.loads(raw)
    except ValueError as err:
        raise SystemExit(f"{name} is not valid JSON: {err}") from err


def _list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


@dataclass
class Settings:
    host: str = "0.0.0.0"  # noqa: S104 - inside its container, published on the host's loopback
    port: int = 3000
    log_level: str = "info"
    # DNS-rebinding protection: the Host headers the MCP endpoint answers (mcp.<domain>).
    allowed_hosts: list[str] = field(default_factory=list)
    allowed_origins: list[str] = field(default_factory=list)
    # Largest MCP request body (a receipt image travels base64 inside one).
    max_body_bytes: int = 16 * 1024 * 1024

    # Bearer tokens: one file per token name in tokens_dir; their scopes by name.
    tokens_dir: str = "/etc/mcp/tokens"
    token_scopes: dict[str, list[str]] = field(default_factory=dict)
    audit_log: str = "/var/lib/mcp/audit/audit.jsonl"

    # platform_health: the enabled catalog services (name, fqdn, health, version) and the required ones.
    services: list[dict[str, Any]] = field(default_factory=list)
    required: list[str] = field(default_factory=list)
    # Where the Nginx front answers the services' names ("" = resolve the names; "127.0.0.1:8443").
    front_address: str = ""
    health_timeout: float = 10.0

    # Odoo, read-only: URL ({slot} taken from the Odoo role's deployed.json), database, user.
    odoo_url: str = ""
    odoo_state_file: str = ""
    odoo_db: str = ""
    odoo_login: str = "mcp_reader"
    odoo_password_file: str = "/etc/mcp/odoo_password"  # noqa: S105 - a path
    odoo_models: list[str] = field(default_factory=list)
    odoo_max_limit: int = 200
    odoo_timeout: float = 30.0

    ocr_url: str = ""
    ocr_token_file: str = "/etc/mcp/ocr_token"  # noqa: S105 - a path
    ocr_max_bytes: int = 10 * 1024 * 1024
    ocr_timeout: float = 120.0

    # Superset: empty URL = not deployed.
    superset_url: str = ""
    superset_public_url: str = ""
    superset_username: str = "mcp"
    superset_password_file: str = "/etc/mcp/superset_password"  # noqa: S105 - a path

    host_status_dir: str = "/var/lib/insightpulse/host"
    ops_dir: str = "/var/lib/insightpulse/ops"
    backup_status_file: str = "/var/lib/insightpulse/backup/status.json"

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        d = cls()
        return cls(
            host=env("MCP_HOST", d.host),
            port=int(env("MCP_PORT", d.port)),
            log_level=env("MCP_LOG_LEVEL", d.log_level).lower(),
            allowed_hosts=_list("MCP_ALLOWED_HOSTS"),
            allowed_origins=_list("MCP_ALLOWED_ORIGINS"),
            max_body_bytes=int(env("MCP_MAX_BODY_BYTES", d.max_body_bytes)),
            tokens_dir=env("MCP_TOKENS_DIR", d.tokens_dir),
            token_scopes=_json("MCP_TOKEN_SCOPES", {}),
            audit_log=env("MCP_AUDIT_LOG", d.audit_log),
            services=_json("MCP_SERVICES", []),
            required=_json("MCP_REQUIRED", []),
            front_address=env("MCP_FRONT_ADDRESS", d.front_address),
            health_timeout=float(env("MCP_HEALTH_TIMEOUT", d.health_timeout)),
            odoo_url=env("MCP_ODOO_URL", d.odoo_url),
            odoo_state_file=env("MCP_ODOO_STATE_FILE", d.odoo_state_file),
            odoo_db=env("MCP_ODOO_DB", d.odoo_db),
            odoo_login=env("MCP_ODOO_LOGIN", d.odoo_login),
            odoo_password_file=env("MCP_ODOO_PASSWORD_FILE", d.odoo_password_file),
            odoo_models=_json("MCP_ODOO_MODELS", []),
            odoo_max_limit=int(env("MCP_ODOO_MAX_LIMIT", d.odoo_max_limit)),
            odoo_timeout=float(env("MCP_ODOO_TIMEOUT", d.odoo_timeout)),
            ocr_url=env("MCP_OCR_URL", d.ocr_url),
            ocr_token_file=env("MCP_OCR_TOKEN_FILE", d.ocr_token_file),
            ocr_max_bytes=int(env("MCP_OCR_MAX_BYTES", d.ocr_max_bytes)),
            ocr_timeout=float(env("MCP_OCR_TIMEOUT", d.ocr_timeout)),
            superset_url=env("MCP_SUPERSET_URL", d.superset_url),
            superset_public_url=env("MCP_SUPERSET_PUBLIC_URL", d.superset_public_url),
            superset_username=env("MCP_SUPERSET_USERNAME", d.superset_username),
            superset_password_file=env("MCP_SUPERSET_PASSWORD_FILE", d.superset_password_file),
            host_status_dir=env("MCP_HOST_STATUS_DIR", d.host_status_dir),
            ops_dir=env("MCP_OPS_DIR", d.ops_dir),
            backup_status_file=env("MCP_BACKUP_STATUS_FILE", d.backup_status_file),
        )


def read_secret(path: str) -> str:
    """The secret in a file (surrounding whitespace dropped); '' when it cannot be read."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError:
        return ""
