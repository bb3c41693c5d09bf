"""`python -m insightpulse_mcp`: serve on MCP_HOST:MCP_PORT (0.0.0.0:3000 in its container)."""

from __future__ import annotations

import logging

import uvicorn

from .config import Settings
from .server import build_app


def main() -> None:
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not settings.allowed_hosts:
        raise SystemExit("MCP_ALLOWED_HOSTS is empty: name the host clients reach this server by (mcp.<domain>)")
    uvicorn.run(
        build_app(settings),
        host=settings.host,
        port=settings.port,
        workers=1,
        log_level=settings.log_level,
        access_log=True,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        timeout_keep_alive=5,
        limit_concurrency=64,
    )


if __name__ == "__main__":
    main()
