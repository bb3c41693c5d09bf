"""Fixtures: the MCP server under uvicorn on a free local port, tokens in a temp directory.

Tests reach it with the SDK's own client over streamable HTTP (tests/mcp_client.py).
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from insightpulse_mcp.config import Settings  # noqa: E402
from insightpulse_mcp.server import build_app  # noqa: E402

READ_TOKEN = "read-token-" + "r" * 32
OPERATE_TOKEN = "operate-token-" + "o" * 32


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(app, port: int) -> Iterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the MCP server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def tokens_dir(tmp_path) -> Path:
    directory = tmp_path / "tokens"
    directory.mkdir()
    (directory / "agent").write_text(READ_TOKEN + "\n")
    (directory / "operator").write_text(OPERATE_TOKEN + "\n")
    return directory


@pytest.fixture
def make_server(tmp_path, tokens_dir):
    """make_server(**settings) -> base URL of a running server (stopped after the test)."""
    stack = contextlib.ExitStack()

    def start(**overrides) -> str:
        port = free_port()
        settings = Settings(
            allowed_hosts=[f"127.0.0.1:{port}"],
            tokens_dir=str(tokens_dir),
            token_scopes={"agent": ["read"], "operator": ["read", "operate"]},
            audit_log=str(tmp_path / "audit" / "audit.jsonl"),
            ops_dir=str(tmp_path / "no-ops"),
            backup_status_file=str(tmp_path / "no-ops" / "status.json"),
            host_status_dir=str(tmp_path / "no-host-status"),
        )
        for key, value in overrides.items():
            setattr(settings, key, value)
        return stack.enter_context(serve(build_app(settings), port))

    yield start
    stack.close()
