"""Bearer tokens and scopes through the SDK's own client over streamable HTTP; DNS-rebinding
protection, request size limit, token rotation, the audit log of refused operate calls."""

from __future__ import annotations

import json

import anyio
import httpx
import pytest
from mcp.shared.exceptions import MCPError

from .conftest import OPERATE_TOKEN, READ_TOKEN
from .mcp_client import connect, error_text, payload

READ_TOOLS = {"platform_health", "odoo_search_read", "ocr_receipt", "superset_dashboards", "certificates", "disk"}
OPERATE_TOOLS = {"backup_now", "backup_list", "restore_drill"}


def run(coro):
    return anyio.run(lambda: coro)


def test_tools_listed_with_annotations(make_server):
    url = make_server()

    async def go():
        async with connect(url + "/mcp", READ_TOKEN) as client:
            return (await client.list_tools()).tools

    tools = {tool.name: tool for tool in anyio.run(go)}
    assert set(tools) == READ_TOOLS | OPERATE_TOOLS
    for name in READ_TOOLS | {"backup_list"}:
        assert tools[name].annotations.read_only_hint is True, name
    for name in ("backup_now", "restore_drill"):
        assert tools[name].annotations.read_only_hint is False, name
    assert tools["odoo_search_read"].input_schema["required"] == ["model"]


@pytest.mark.parametrize("token", [None, "wrong-token-" + "x" * 32, READ_TOKEN[:-1]])
def test_missing_or_wrong_token_is_refused_with_401(make_server, token):
    url = make_server()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    resp = httpx.post(url + "/mcp", json=body, headers={**headers, "Accept": "application/json, text/event-stream"})
    assert resp.status_code == 401
    assert "Bearer" in resp.headers["www-authenticate"]
    assert READ_TOKEN not in resp.text


def test_sdk_client_with_a_wrong_token_cannot_connect(make_server):
    url = make_server()

    async def go():
        async with connect(url + "/mcp", "wrong-token-" + "x" * 32) as client:
            await client.list_tools()

    # The SDK turns the 401 into an MCPError inside its task groups.
    with pytest.raises(BaseExceptionGroup) as info:
        anyio.run(go)
    assert info.group_contains(MCPError, match="error response")


def test_read_token_cannot_call_operate_tools_and_the_refusal_is_audited(make_server, tmp_path):
    url = make_server()

    async def go():
        async with connect(url + "/mcp", READ_TOKEN) as client:
            return [await client.call_tool(name, {}) for name in sorted(OPERATE_TOOLS)]

    for result in anyio.run(go):
        text = error_text(result)
        assert "insufficient scope" in text and "token 'agent'" in text and "'operate'" in text
    lines = [json.loads(line) for line in (tmp_path / "audit" / "audit.jsonl").read_text().splitlines()]
    assert {(e["who"], e["tool"], e["ok"]) for e in lines} == {("agent", t, False) for t in OPERATE_TOOLS}
    assert all("insufficient scope" in e["result"] and e["time"] for e in lines)


def test_operate_token_without_backup_role_gets_a_clear_error(make_server):
    url = make_server()

    async def go():
        async with connect(url + "/mcp", OPERATE_TOKEN) as client:
            return [await client.call_tool(name, {}) for name in sorted(OPERATE_TOOLS)]

    for result in anyio.run(go):
        assert "backups are not configured on this platform" in error_text(result)


def test_dns_rebinding_protection_refuses_a_foreign_host(make_server):
    url = make_server()
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    resp = httpx.post(
        url + "/mcp",
        json=body,
        headers={
            "Authorization": f"Bearer {READ_TOKEN}",
            "Host": "attacker.example",
            "Accept": "application/json, text/event-stream",
        },
    )
    assert resp.status_code == 421
    resp = httpx.post(
        url + "/mcp",
        json=body,
        headers={
            "Authorization": f"Bearer {READ_TOKEN}",
            "Origin": "https://attacker.example",
            "Accept": "application/json, text/event-stream",
        },
    )
    assert resp.status_code == 403


def test_request_body_over_the_limit_is_refused(make_server):
    url = make_server(max_body_bytes=64 * 1024)
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "ocr_receipt", "arguments": {"image_base64": "A" * 100_000}},
    }
    resp = httpx.post(
        url + "/mcp",
        content=json.dumps(body),
        headers={
            "Authorization": f"Bearer {READ_TOKEN}",
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
        },
    )
    assert resp.status_code == 413


def test_a_rotated_token_replaces_the_old_one_without_restart(make_server, tokens_dir):
    url = make_server()
    new = "rotated-token-" + "n" * 32
    headers = {"Accept": "application/json, text/event-stream"}
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    assert (
        httpx.post(url + "/mcp", json=body, headers={**headers, "Authorization": f"Bearer {READ_TOKEN}"}).status_code
        != 401
    )
    tmp = tokens_dir / ".agent.new"
    tmp.write_text(new + "\n")
    tmp.rename(tokens_dir / "agent")  # as the secret module rotates: a new file renamed over the old
    assert (
        httpx.post(url + "/mcp", json=body, headers={**headers, "Authorization": f"Bearer {READ_TOKEN}"}).status_code
        == 401
    )

    async def go():
        async with connect(url + "/mcp", new) as client:
            return await client.call_tool("disk", {})

    assert "no host status" in error_text(anyio.run(go))


def test_health_needs_no_token_and_says_how_many_tokens_are_loaded(make_server):
    url = make_server()
    resp = httpx.get(url + "/health")
    assert resp.status_code == 200
    assert resp.json()["status"] == "healthy" and resp.json()["tokens"] == 2
    assert READ_TOKEN not in resp.text


def test_short_tokens_are_refused(make_server, tokens_dir):
    (tokens_dir / "agent").write_text("short\n")
    url = make_server()
    assert httpx.get(url + "/health").json()["tokens"] == 1
    resp = httpx.post(
        url + "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
        headers={"Authorization": "Bearer short", "Accept": "application/json, text/event-stream"},
    )
    assert resp.status_code == 401


def test_payload_helper_reads_structured_results():
    class R:
        structured_content = {"result": [1]}

    assert payload(R()) == [1]
