"""Verify the MCP coordinator of the platform scenario (two hosts: the OCR service on its own)
from outside, as an agent would: the MCP SDK's
own client over streamable HTTP through the Nginx front over HTTPS (mcp.insightpulse.test
resolved to the erp host, its certificate checked against the scenario's self-signed one):
list tools, call each read tool, refuse a wrong token and a read token on an operate tool,
keep odoo_search_read inside its allow-list and read-only."""

import base64
import json
import os
import subprocess
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp.client import Client
from mcp.client.streamable_http import streamable_http_client
from testinfra.utils.ansible_runner import AnsibleRunner

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
ERP = AnsibleRunner(INVENTORY).get_hosts("erp")[0]
FQDN = "mcp.insightpulse.test"
CERT = "/etc/letsencrypt/live/insightpulse.test/fullchain.pem"
RECEIPT = Path(__file__).resolve().parents[2] / "ocr" / "files" / "receipt-1000.jpg"

testinfra_hosts = [ERP]


def on_erp(*argv):
    return subprocess.run(["docker", "exec", ERP, *argv], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    address = json.loads(subprocess.run(["docker", "inspect", ERP], capture_output=True, text=True, check=True).stdout)[
        0
    ]["NetworkSettings"]["Networks"]["ipp-platform-net"]["IPAddress"]
    ca = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.write_text(on_erp("cat", CERT))
    return address, str(ca)


@pytest.fixture(scope="module")
def tokens():
    return {name: on_erp("cat", f"/etc/mcp/tokens/{name}").strip() for name in ("agent", "operator")}


class _Resolve(httpx2.AsyncHTTPTransport):
    """curl --resolve: connect to the erp host's address, speak TLS and HTTP as mcp.<domain>."""

    def __init__(self, address, **kwargs):
        super().__init__(**kwargs)
        self.address = address

    async def handle_async_request(self, request):
        request.url = request.url.copy_with(host=self.address)
        request.headers["Host"] = FQDN
        request.extensions = {**request.extensions, "sni_hostname": FQDN}
        return await super().handle_async_request(request)


def session(front, token):
    address, ca = front
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx2.AsyncClient(
        headers=headers, transport=_Resolve(address, verify=ca), timeout=httpx2.Timeout(30, read=300)
    )


def with_client(front, token, work):
    async def go():
        http = session(front, token)
        transport = streamable_http_client(f"https://{FQDN}/mcp", http_client=http)
        async with http, Client(transport, mode="legacy") as client:
            return await work(client)

    return anyio.run(go)


def data(result):
    assert not result.is_error, result.content[0].text
    content = result.structured_content
    return content if content is not None else json.loads(result.content[0].text)


def error(result):
    assert result.is_error, result.content
    return result.content[0].text


def test_tools_are_listed(front, tokens):
    async def work(client):
        return (await client.list_tools()).tools

    names = {tool.name for tool in with_client(front, tokens["agent"], work)}
    assert names == {"platform_health", "odoo_search_read", "ocr_receipt", "superset_dashboards", "certificates",
                     "disk", "backup_now", "backup_list", "restore_drill"}  # fmt: skip


def test_each_read_tool(front, tokens):
    image = base64.b64encode(RECEIPT.read_bytes()).decode()

    async def work(client):
        return {
            "health": await client.call_tool("platform_health", {}),
            "odoo": await client.call_tool("odoo_search_read", {"model": "res.company", "fields": ["name"]}),
            "ocr": await client.call_tool("ocr_receipt", {"image_base64": image}),
            "superset": await client.call_tool("superset_dashboards", {}),
            "certs": await client.call_tool("certificates", {}),
            "disk": await client.call_tool("disk", {}),
        }

    out = with_client(front, tokens["agent"], work)
    rows = {row["name"]: row for row in data(out["health"])["services"]}
    for name in ("odoo", "ocr", "mcp"):
        assert rows[name]["state"] == "up" and rows[name]["ready"] == "ready", rows[name]
    assert rows["odoo"]["version"].startswith("18.0")
    # Superset runs in this layout (site.yml deploys it before the coordinator).
    assert rows["superset"]["state"] == "up", rows["superset"]
    assert data(out["odoo"])["records"][0]["name"]
    assert data(out["ocr"])["fields"]["total"]["value"] is not None
    # The coordinator is not given a Superset account here (mcp_superset_url is empty): it says so.
    assert "Superset is not deployed on this platform" in error(out["superset"])
    certs = data(out["certs"])["certificates"]
    assert certs and FQDN in certs[0]["domains"] and certs[0]["days_left"] > 0
    assert any(d["path"] == "/" and d["free_bytes"] > 0 for d in data(out["disk"])["disks"])


def test_a_wrong_token_is_refused(front):
    async def go():
        async with session(front, "not-a-token-of-this-platform-0123456789") as http:
            resp = await http.post(
                f"https://{FQDN}/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                headers={"Accept": "application/json, text/event-stream"},
            )
            return resp.status_code

    assert anyio.run(go) == 401


def test_a_read_token_cannot_operate_and_the_refusal_is_audited(front, tokens):
    async def work(client):
        return await client.call_tool("backup_now", {})

    assert "insufficient scope" in error(with_client(front, tokens["agent"], work))
    audit = on_erp("docker", "exec", "mcp-mcp-1", "tail", "-n", "1", "/var/lib/mcp/audit/audit.jsonl")
    entry = json.loads(audit)
    assert entry["who"] == "agent" and entry["tool"] == "backup_now" and entry["ok"] is False


def test_operate_without_backups_says_so(front, tokens):
    async def work(client):
        return await client.call_tool("backup_list", {})

    assert "backups are not configured on this platform" in error(with_client(front, tokens["operator"], work))


def test_search_read_stays_inside_the_allow_list_and_cannot_write(front, tokens):
    async def work(client):
        return [
            await client.call_tool("odoo_search_read", {"model": "res.users", "fields": ["login", "password"]}),
            await client.call_tool("odoo_search_read", {"model": "ir.config_parameter"}),
            await client.call_tool("odoo_search_read", {"model": "res.partner", "limit": 100000}),
        ]

    users, params, big = with_client(front, tokens["agent"], work)
    assert "not on this server's allow-list" in error(users)
    assert "not on this server's allow-list" in error(params)
    assert "above this server's maximum" in error(big)
    # The only credential the server holds is the read-only user's: Odoo itself refuses its writes.
    password = on_erp("cat", "/etc/mcp/odoo_password").strip()
    script = (
        "import xmlrpc.client as x, sys; u='http://127.0.0.1:%s'; db='odoo'; p=sys.argv[1]; "
        "uid=x.ServerProxy(u+'/xmlrpc/2/common').authenticate(db,'mcp_reader',p,{}); assert uid; "
        "m=x.ServerProxy(u+'/xmlrpc/2/object');\n"
        "try:\n m.execute_kw(db,uid,p,'res.company','write',[[1],{'name':'x'}]); print('WROTE')\n"
        "except x.Fault as f: print('REFUSED', 'not allowed' in f.faultString or 'AccessError' in f.faultString)"
    )
    port = json.loads(on_erp("cat", "/opt/insightpulse/odoo/deployed.json"))["slot"]
    http_port = {"blue": 8069, "green": 8169}[port]
    out = on_erp("python3", "-c", script % http_port, password)
    assert out.strip() == "REFUSED True"


def test_no_secret_in_compose_file_and_files_are_private():
    compose = on_erp("cat", "/opt/insightpulse/mcp/compose.yml")
    for name in ("agent", "operator"):
        assert on_erp("cat", f"/etc/mcp/tokens/{name}").strip() not in compose
        assert on_erp("stat", "-c", "%a %u", f"/etc/mcp/tokens/{name}").strip() == "600 10002"
    assert on_erp("stat", "-c", "%a %u", "/etc/mcp/odoo_password").strip() == "600 10002"
