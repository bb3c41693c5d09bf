#!/usr/bin/python3
"""Write this host's TLS certificates and free disk space as JSON for the MCP coordinator.

Installed by the insightpulse.platform mcp role and run by insightpulse-host-status.timer:
  host_status.py OUTPUT_FILE --certs-dir /etc/letsencrypt/live --path / --path /var/lib/docker
The file (0644) holds no secret: certificate names, domains, issuer, expiry; bytes total/free.
It is written to a temporary file and renamed, so a reader never sees half of it.
Standard library and the openssl command only.
"""

import argparse
import glob
import json
import os
import socket
import subprocess
import sys
import tempfile
from datetime import UTC, datetime


def certificate(path):
    out = subprocess.run(
        ["openssl", "x509", "-noout", "-enddate", "-issuer", "-ext", "subjectAltName", "-in", path],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return None
    info = {"not_after": None, "issuer": None, "domains": []}
    for line in out.stdout.splitlines():
        line = line.strip()
        if line.startswith("notAfter="):
            when = datetime.strptime(line.split("=", 1)[1].replace(" GMT", ""), "%b %d %H:%M:%S %Y")
            info["not_after"] = when.replace(tzinfo=UTC).isoformat()
        elif line.startswith("issuer="):
            info["issuer"] = line.split("=", 1)[1].strip()
        elif line.startswith("DNS:") or ", DNS:" in line:
            info["domains"] = [part.strip()[4:] for part in line.split(",") if part.strip().startswith("DNS:")]
    return info


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--certs-dir", default="/etc/letsencrypt/live")
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("--host", default=socket.gethostname())
    args = parser.parse_args(argv)
    certs = []
    for path in sorted(glob.glob(os.path.join(args.certs_dir, "*", "cert.pem"))):
        info = certificate(path)
        if info:
            info["name"] = os.path.basename(os.path.dirname(path))
            certs.append(info)
    disks = []
    for path in args.path or ["/"]:
        try:
            st = os.statvfs(path)
        except OSError:
            continue
        disks.append({"path": path, "total_bytes": st.f_blocks * st.f_frsize, "free_bytes": st.f_bavail * st.f_frsize})
    status = {
        "host": args.host,
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
        "certificates": certs,
        "disks": disks,
    }
    directory = os.path.dirname(os.path.abspath(args.output))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".host-status-")
    with os.fdopen(fd, "w") as handle:
        json.dump(status, handle, indent=1, sort_keys=True)
    os.chmod(tmp, 0o644)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
