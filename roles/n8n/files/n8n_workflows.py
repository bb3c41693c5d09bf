#!/usr/bin/env python3
"""What the n8n role's shipped workflows need, asked of the running n8n.

Run on the n8n host by the role (ansible.builtin.script), standard library only:

    n8n_workflows.py status --dir DIR   which workflow files differ from n8n
    n8n_workflows.py wait --dir DIR     wait until their webhooks are registered

Environment: N8N_URL (n8n as reached from the host, e.g. http://127.0.0.1:5678),
N8N_API_ENV (a root-only file with N8N_EMAIL=... and N8N_PASSWORD=..., the owner's
login; never passed on a command line or in the task's environment).

`status` logs in as the owner and reads each workflow of DIR (*.json, each with
an `id`) through n8n's REST API. A workflow is:
  missing      no workflow with that id           -> import, then publish
  differs      its name, nodes, connections or settings differ from the file
               (every key the file gives must be there with the same value;
               n8n may add keys of its own)          -> import, then publish
  unpublished  same content, but not the published version -> publish
  unregistered published, but a webhook of it answers as unknown (n8n was not
               restarted after publishing)       -> restart
  same         nothing to do
and prints one JSON object: {"changed", "import": [file names], "publish": [ids],
"restart", "workflows": {id: state}}.

`wait` polls, for every webhook node of the files, an OPTIONS preflight of its
production URL (/webhook/<path>): n8n answers 204 with the webhook's methods in
Access-Control-Allow-Methods once the webhook is registered, and an error while it
is unknown. Nothing is executed. Prints {"changed": false, "webhooks": {...}}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# A fixed browser id: n8n binds its auth cookie to the browser-id header sent
# at login, and checks it on every later request.
BROWSER_ID = "insightpulse-n8n-role"
COMPARED = ("name", "nodes", "connections", "settings")


def read_env(path: str) -> dict[str, str]:
    values = {}
    for line in Path(path).read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            values[key.strip()] = value
    return values


class N8n:
    def __init__(self, url: str, email: str, password: str, timeout: float = 30) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        # No proxy: n8n is on this host.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.cookie = ""
        status, body, headers = self.request("POST", "/rest/login", {"emailOrLdapLoginId": email, "password": password})
        if status != 200:
            raise SystemExit(f"n8n: the owner's login was refused (HTTP {status}): {body[:300]}")
        # The auth cookie is Secure (n8n behind HTTPS); this client talks to
        # the loopback port over HTTP, so it sends the cookie itself.
        for header in headers.get_all("Set-Cookie") or []:
            name_value = header.split(";", 1)[0]
            if name_value.startswith("n8n-auth="):
                self.cookie = name_value
        if not self.cookie:
            raise SystemExit("n8n: the login answered without an n8n-auth cookie")

    def request(self, method: str, path: str, body: object = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)  # noqa: S310 - the role's URL
        request.add_header("browser-id", BROWSER_ID)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.cookie:
            request.add_header("Cookie", self.cookie)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers

    def workflow(self, workflow_id: str) -> dict | None:
        status, body, _ = self.request("GET", f"/rest/workflows/{workflow_id}")
        if status == 404:
            return None
        if status != 200:
            raise SystemExit(f"n8n: GET /rest/workflows/{workflow_id} answered HTTP {status}: {body[:300]}")
        return json.loads(body)["data"]


def webhook_registered(url: str, path: str, method: str, origin: str, timeout: float = 10) -> bool:
    """True when n8n knows a production webhook at path for method (OPTIONS preflight)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    webhook_url = f"{url.rstrip('/')}/webhook/{path.lstrip('/')}"
    request = urllib.request.Request(webhook_url, method="OPTIONS")  # noqa: S310 - the role's URL
    request.add_header("Origin", origin)
    request.add_header("Access-Control-Request-Method", method)
    try:
        with opener.open(request, timeout=timeout) as response:
            allowed = response.headers.get("Access-Control-Allow-Methods", "")
            return response.status == 204 and method in [m.strip() for m in allowed.split(",")]
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def contains(expected: object, actual: object) -> bool:
    """Every key expected gives is in actual with the same value (recursively for
    mappings; lists element by element, same length)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(contains(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return float(expected) == float(actual)
    return expected == actual


def state_of(shipped: dict, current: dict | None) -> str:
    if current is None:
        return "missing"
    for key in COMPARED:
        if key not in shipped:
            continue
        if key == "nodes":
            # Node order is not meaningful; match by name.
            by_name = {node.get("name"): node for node in current.get("nodes") or []}
            if len(by_name) != len(shipped["nodes"]) or not all(
                contains(node, by_name.get(node.get("name"))) for node in shipped["nodes"]
            ):
                return "differs"
        elif key == "connections":
            if shipped[key] != current.get(key):
                return "differs"
        elif not contains(shipped[key], current.get(key)):
            return "differs"
    active_version = current.get("activeVersionId")
    if not active_version or active_version != current.get("versionId"):
        return "unpublished"
    return "same"


def webhooks(shipped: dict) -> list[tuple[str, str]]:
    """(path, method) of each webhook trigger node of a workflow file."""
    found = []
    for node in shipped.get("nodes") or []:
        if node.get("type") == "n8n-nodes-base.webhook" and not node.get("disabled"):
            params = node.get("parameters") or {}
            found.append((params.get("path") or node.get("webhookId", ""), params.get("httpMethod") or "GET"))
    return found


def load(directory: str) -> list[tuple[str, dict]]:
    files = sorted(Path(directory).glob("*.json"))
    loaded = []
    for path in files:
        shipped = json.loads(path.read_text())
        if not shipped.get("id"):
            raise SystemExit(f"{path.name}: a shipped workflow needs an id (so it is found, not duplicated)")
        loaded.append((path.name, shipped))
    return loaded


def cmd_status(args: argparse.Namespace) -> dict:
    env = read_env(os.environ["N8N_API_ENV"])
    client = N8n(os.environ["N8N_URL"], env["N8N_EMAIL"], env["N8N_PASSWORD"])
    result: dict = {"import": [], "publish": [], "restart": False, "workflows": {}}
    for name, shipped in load(args.dir):
        state = state_of(shipped, client.workflow(shipped["id"]))
        if state == "same" and not all(
            webhook_registered(os.environ["N8N_URL"], path, method, args.origin) for path, method in webhooks(shipped)
        ):
            state = "unregistered"
        result["workflows"][shipped["id"]] = state
        if state in ("missing", "differs"):
            result["import"].append(name)
        if state in ("missing", "differs", "unpublished"):
            result["publish"].append(shipped["id"])
        if state != "same":
            result["restart"] = True
    result["changed"] = bool(result["import"] or result["publish"] or result["restart"])
    return result


def cmd_wait(args: argparse.Namespace) -> dict:
    pending = {f"{method} {path}" for _, shipped in load(args.dir) for path, method in webhooks(shipped)}
    done: dict[str, bool] = {}
    deadline = time.monotonic() + args.timeout
    while pending:
        for item in sorted(pending):
            method, path = item.split(" ", 1)
            if webhook_registered(os.environ["N8N_URL"], path, method, args.origin):
                done[item] = True
                pending.discard(item)
        if pending and time.monotonic() > deadline:
            raise SystemExit(
                f"n8n: these webhooks are not registered {args.timeout:.0f} s after the restart: "
                + ", ".join(sorted(pending))
                + " (docker compose -p n8n logs n8n)"
            )
        if pending:
            time.sleep(2)
    return {"changed": False, "webhooks": done}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["status", "wait"])
    parser.add_argument("--dir", required=True, help="directory of the shipped workflow files (*.json)")
    parser.add_argument("--origin", default="https://localhost", help="Origin header of the OPTIONS probes")
    parser.add_argument("--timeout", type=float, default=120, help="wait: seconds before giving up")
    args = parser.parse_args()
    result = cmd_status(args) if args.command == "status" else cmd_wait(args)
    json.dump(result, sys.stdout, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
