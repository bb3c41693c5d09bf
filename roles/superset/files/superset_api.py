#!/usr/bin/env python3
"""Register the ERP database connection and import the starter dashboards
through Superset's REST API, idempotently. Run by the superset role on the
host that publishes Superset (standard library only).

    superset_api.py database   --name NAME --state FILE [--check]
    superset_api.py dashboards --bundle DIR --database NAME --state FILE [--no-ocr-state] [--check]

Environment: SUPERSET_URL (http://127.0.0.1:8088), SUPERSET_USER,
SUPERSET_PASSWORD; for `database` also DATABASE_URI (with the password).
Prints one JSON object: {"changed": bool, ...}; exits 1 with {"failed": true,
"msg": ...} on any error.

database: the connection is found by name; missing, it is created; present
with another URI (the password is compared through a SHA-256 kept in the state
file, because the API masks it) or other settings, it is updated. Never a
second one of the same name.

dashboards: the bundle directory holds datasets/, charts/ and dashboards/ in
Superset's export format; `database_uuid: __DATABASE__` in a dataset names
the connection above (its uuid is filled in) and the connection's own file is
generated; `__OCR_STATE__` in a dataset's SQL becomes `e.ocr_state` (the
column hr_expense_ocr_audit adds to hr_expense), or NULL with --no-ocr-state.
Each kind is imported with overwrite (datasets, then charts, then dashboards:
the dashboard import alone would keep stale charts and datasets), when the
bundle's SHA-256 differs from the state file or a dashboard of the bundle is
missing. Objects are matched by uuid: never duplicated.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from pathlib import Path

MASK = "XXXXXXXXXX"
SETTINGS = {
    "expose_in_sqllab": True,
    "allow_dml": False,
    "allow_run_async": False,
    "allow_ctas": False,
    "allow_cvas": False,
    "allow_file_upload": False,
}
KINDS = (("datasets", "SqlaTable"), ("charts", "Slice"), ("dashboards", "Dashboard"))


class Api:
    def __init__(self, base: str, user: str, password: str) -> None:
        self.base = base.rstrip("/")
        # Cookies by hand: Superset marks its session cookie Secure (it is
        # served over HTTPS by the Nginx front), and a cookie jar would not send
        # it back over this loopback HTTP, which the CSRF check needs.
        self.cookies: dict[str, str] = {}
        token = self.call(
            "POST",
            "/api/v1/security/login",
            {"username": user, "password": password, "provider": "db", "refresh": False},
        )
        self.headers = {"Authorization": f"Bearer {token['access_token']}"}
        self.csrf: str | None = None

    def call(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        *,
        data: bytes | None = None,
        content_type: str = "application/json",
    ) -> dict:
        headers = dict(getattr(self, "headers", {}))
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = content_type
        if method != "GET" and getattr(self, "csrf", None):
            # Flask-WTF: the token, the session cookie it belongs to, and a
            # Referer (checked on HTTPS).
            headers["X-CSRFToken"] = self.csrf
            headers["Referer"] = self.base + "/"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - the role's own URL
                for cookie in response.headers.get_all("Set-Cookie") or []:
                    name, _, value = cookie.split(";", 1)[0].partition("=")
                    self.cookies[name.strip()] = value.strip()
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise SystemExit(fail(f"{method} {path}: HTTP {error.code} {error.read()[:500]!r}")) from None

    def csrf_token(self) -> None:
        if self.csrf is None:
            self.csrf = self.call("GET", "/api/v1/security/csrf_token/")["result"]

    def find(self, resource: str, column: str, value: str) -> list[dict]:
        rison = f"(filters:!((col:{column},opr:eq,value:'{value}')),page_size:100)"
        query = urllib.parse.quote(rison, safe="")
        return self.call("GET", f"/api/v1/{resource}/?q={query}")["result"]


def fail(msg: str) -> int:
    print(json.dumps({"failed": True, "msg": msg}))
    return 1


def masked(uri: str) -> str:
    parts = urllib.parse.urlsplit(uri)
    if parts.password is None:
        return uri
    netloc = parts.netloc.replace(f":{parts.password}@", f":{MASK}@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_state(path: Path) -> str:
    return path.read_text().strip() if path.exists() else ""


def write_state(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(value + "\n")
    tmp.chmod(0o600)
    tmp.replace(path)


def database(api: Api, args: argparse.Namespace) -> dict:
    uri = os.environ["DATABASE_URI"]
    state = Path(args.state)
    digest = sha256(f"{args.name}\n{uri}\n{json.dumps(SETTINGS, sort_keys=True)}".encode())
    found = api.find("database", "database_name", args.name)
    if len(found) > 1:
        raise SystemExit(fail(f"{len(found)} database connections named {args.name!r}: remove all but one"))
    body = {"database_name": args.name, "sqlalchemy_uri": uri, **SETTINGS}
    if not found:
        if not args.check:
            api.csrf_token()
            created = api.call("POST", "/api/v1/database/", body)
            write_state(state, digest)
            return {"changed": True, "action": "created", "id": created["id"]}
        return {"changed": True, "action": "created"}
    # /connection: the one view that shows the (masked) URI.
    current = api.call("GET", f"/api/v1/database/{found[0]['id']}/connection")["result"]
    same = (
        masked(current.get("sqlalchemy_uri", "")) == masked(uri)
        and all(current.get(key) == value for key, value in SETTINGS.items())
        and read_state(state) == digest
    )
    if same:
        return {"changed": False, "action": "kept", "id": current["id"]}
    if not args.check:
        api.csrf_token()
        api.call("PUT", f"/api/v1/database/{current['id']}", body)
        write_state(state, digest)
    return {"changed": True, "action": "updated", "id": current["id"]}


def bundle_files(root: Path, db: dict, ocr_state: bool) -> dict[str, str]:
    """Files of the bundle (relative name -> text), the connection's file added."""
    files = {}
    ocr_column = "e.ocr_state" if ocr_state else "NULL::varchar"
    for path in sorted(root.rglob("*.yaml")):
        name = path.relative_to(root).as_posix()
        text = path.read_text().replace("__DATABASE__", db["uuid"])
        files[name] = text.replace("__OCR_STATE__", ocr_column)
    files["databases/erp.yaml"] = json.dumps(
        {
            "database_name": db["database_name"],
            "sqlalchemy_uri": masked(db["sqlalchemy_uri"]),
            "uuid": db["uuid"],
            "version": "1.0.0",
            **SETTINGS,
            "extra": {},
        }
    )
    return files


def zipped(files: dict[str, str], kind: str, model: str) -> bytes:
    """One import bundle: metadata.yaml of that kind plus what it needs."""
    wanted = {
        "datasets": ("databases/", "datasets/"),
        "charts": ("databases/", "datasets/", "charts/"),
        "dashboards": ("databases/", "datasets/", "charts/", "dashboards/"),
    }[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        meta = f"version: 1.0.0\ntype: {model}\ntimestamp: '2026-01-01T00:00:00+00:00'\n"
        archive.writestr(zipfile.ZipInfo("bundle/metadata.yaml", (2026, 1, 1, 0, 0, 0)), meta)
        for name, text in sorted(files.items()):
            if name.startswith(wanted):
                archive.writestr(zipfile.ZipInfo(f"bundle/{name}", (2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def multipart(fields: dict[str, str], file_bytes: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for key, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="formData"; filename="bundle.zip"\r\n'
        f"Content-Type: application/zip\r\n\r\n".encode()
    )
    out.write(file_bytes)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def dashboards(api: Api, args: argparse.Namespace) -> dict:
    found = api.find("database", "database_name", args.database)
    if len(found) != 1:
        raise SystemExit(fail(f"expected one database connection named {args.database!r}, found {len(found)}"))
    db = api.call("GET", f"/api/v1/database/{found[0]['id']}/connection")["result"]
    files = bundle_files(Path(args.bundle), db, not args.no_ocr_state)
    digest = sha256(json.dumps(files, sort_keys=True).encode())
    state = Path(args.state)
    titles = [
        line.split(":", 1)[1].strip().strip("'\"")
        for name, text in files.items()
        if name.startswith("dashboards/")
        for line in text.splitlines()
        if line.startswith("dashboard_title:")
    ]
    missing = [title for title in titles if not api.find("dashboard", "dashboard_title", title)]
    if read_state(state) == digest and not missing:
        return {"changed": False, "dashboards": titles}
    if not args.check:
        api.csrf_token()
        for kind, model in KINDS:
            data, content_type = multipart({"overwrite": "true"}, zipped(files, kind, model))
            api.call("POST", f"/api/v1/{kind[:-1]}/import/", data=data, content_type=content_type)
        write_state(state, digest)
    return {"changed": True, "dashboards": titles, "missing": missing}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["database", "dashboards"])
    parser.add_argument("--name")
    parser.add_argument("--bundle")
    parser.add_argument("--database")
    parser.add_argument("--state", required=True)
    parser.add_argument("--no-ocr-state", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    # Secrets come in a root-only file (SUPERSET_API_ENV: KEY=VALUE lines), not in the
    # environment, which a verbose Ansible run prints with the command it runs.
    if os.environ.get("SUPERSET_API_ENV"):
        with open(os.environ["SUPERSET_API_ENV"]) as handle:
            for line in handle.read().splitlines():
                key, _sep, value = line.partition("=")
                if key:
                    os.environ[key] = value
    api = Api(os.environ["SUPERSET_URL"], os.environ["SUPERSET_USER"], os.environ["SUPERSET_PASSWORD"])
    result = database(api, args) if args.action == "database" else dashboards(api, args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
