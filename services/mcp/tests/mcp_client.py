"""The SDK's own client over streamable HTTP, with a bearer token (shared by the tests)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client


@contextlib.asynccontextmanager
async def connect(url: str, token: str | None, verify: Any = True, host: str | None = None) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if host:
        headers["Host"] = host
    http = httpx2.AsyncClient(headers=headers, verify=verify, timeout=httpx2.Timeout(30, read=300))
    async with http, Client(streamable_http_client(url, http_client=http), mode="legacy") as client:
        yield client


def payload(result) -> Any:
    """A tool result's JSON: its structured content, or its first text block parsed."""
    if result.structured_content is not None:
        content = result.structured_content
        return content.get("result", content) if set(content) == {"result"} else content
    return json.loads(result.content[0].text)


def error_text(result) -> str:
    assert result.is_error, f"expected an error, got {result.content}"
    return result.content[0].text
