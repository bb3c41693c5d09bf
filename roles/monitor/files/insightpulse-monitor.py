#!/usr/bin/python3
"""insightpulse-monitor: one round of the platform's checks on this host, alerting once per incident.

Installed by the insightpulse.platform.monitor role as /usr/local/sbin/insightpulse-monitor and
run by insightpulse-monitor.timer. Checks, from the settings file the role renders:

  http     each service's health URL (through the Nginx front, as playbooks/healthcheck.yml
           asks it: https://<fqdn><health path>, the name resolved to this host)
  disk     free space of each mount point
  cert     days until each certificate file expires
  backup   age of the newest snapshot and the last backup's outcome (the backup role's status.json)
  drill    age and outcome of the last restore drill

The set of failing checks is kept in a state file. A webhook POST goes out when a check starts
failing (an incident opens) and when all of an incident's checks pass again (it closes), never
on every run while nothing changed. Exit status 1 while something fails.
"""

import argparse
import datetime
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import urllib.request

DEFAULT_CONFIG = "/etc/insightpulse/monitor/config.json"


def now():
    return datetime.datetime.now(datetime.UTC)


def parse_time(text):
    """ISO 8601 as restic and the backup tool write it (fractions of any length, Z or offset)."""
    text = text.strip().replace("Z", "+00:00")
    head, sep, rest = text.partition(".")
    if sep:
        digits = "".join(ch for ch in rest if ch.isdigit())
        zone = rest[len(digits) :]
        text = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    value = datetime.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def check_http(item):
    """GET the URL (optionally with its name resolved to an address, like curl --resolve)."""
    url = item["url"]
    cmd = ["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", str(item.get("timeout", 10))]
    if item.get("resolve"):
        cmd += ["--resolve", item["resolve"]]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=False)
    code = int(out.stdout.strip() or 0)
    ok = code == int(item.get("status", 200))
    return ok, f"{url} answered {code or 'nothing'}"


def check_disk(item):
    usage = shutil.disk_usage(item["path"])
    free_pct = 100.0 * usage.free / usage.total
    ok = free_pct >= float(item.get("min_free_percent", 15))
    return ok, f"{item['path']} has {free_pct:.1f}% free ({usage.free // 2**20} MiB)"


def check_cert(item):
    path = item["path"]
    if not os.path.exists(path):
        return False, f"{path} does not exist"
    decoded = ssl._ssl._test_decode_cert(path)  # noqa: SLF001 - the stdlib's own PEM decoder
    expires = datetime.datetime.strptime(decoded["notAfter"], "%b %d %H:%M:%S %Y %Z").replace(tzinfo=datetime.UTC)
    days = (expires - now()).total_seconds() / 86400
    ok = days >= float(item.get("min_days", 14))
    return ok, f"{path} expires in {days:.1f} days"


def check_backup(item, status):
    if not status:
        return False, "no backup has run yet (status.json missing)"
    last = status.get("last_backup")
    snapshots = status.get("snapshots") or []
    if not snapshots:
        return False, "the repository holds no snapshot"
    newest = max(parse_time(s["time"]) for s in snapshots)
    hours = (now() - newest).total_seconds() / 3600
    if last and not last.get("ok"):
        return False, f"the last backup failed: {last.get('error', '')[:300]}"
    ok = hours <= float(item.get("max_age_hours", 26))
    return ok, f"newest snapshot is {hours:.1f} h old"


def check_drill(item, status):
    drill = (status or {}).get("last_drill")
    if not drill:
        return False, "no restore drill has run yet"
    if not drill.get("ok"):
        return False, f"the last restore drill failed: {drill.get('error', '')[:300]}"
    hours = (now() - parse_time(drill["finished"])).total_seconds() / 3600
    ok = hours <= float(item.get("max_age_hours", 24 * 8))
    return ok, f"last restore drill passed {hours:.1f} h ago"


def run_checks(config):
    results = {}
    for item in config.get("http", []):
        results[f"http:{item['name']}"] = guarded(check_http, item)
    for item in config.get("disk", []):
        results[f"disk:{item['path']}"] = guarded(check_disk, item)
    for item in config.get("certs", []):
        results[f"cert:{item['path']}"] = guarded(check_cert, item)
    backup = config.get("backup")
    if backup:
        status = None
        if os.path.exists(backup["status_file"]):
            with open(backup["status_file"], encoding="utf-8") as handle:
                status = json.load(handle)
        results["backup:age"] = guarded(check_backup, backup, status)
        results["backup:drill"] = guarded(check_drill, backup.get("drill", {}), status)
    return {name: {"ok": ok, "detail": detail} for name, (ok, detail) in results.items()}


def guarded(check, *args):
    try:
        return check(*args)
    except Exception as exc:  # noqa: BLE001 - a check that cannot run is a failing check
        return False, f"check failed to run: {exc}"


def transitions(previous_failing, results):
    """(newly failing, recovered) check names since the previous run."""
    failing = {name for name, r in results.items() if not r["ok"]}
    return sorted(failing - set(previous_failing)), sorted(set(previous_failing) - failing), sorted(failing)


def post(url, payload, timeout=15):
    data = json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the operator's webhook URL
        return response.status


def write_json(path, data):
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def run(config):
    results = run_checks(config)
    state_file = config["state_file"]
    state = {}
    if os.path.exists(state_file):
        with open(state_file, encoding="utf-8") as handle:
            state = json.load(handle)
    new, recovered, failing = transitions(state.get("failing", []), results)
    host = config.get("host", os.uname().nodename)
    notified = state.get("notified", True)
    message = None
    if new:
        message = {
            "event": "incident",
            "host": host,
            "failing": {n: results[n]["detail"] for n in failing},
            "new": new,
            "text": f"[{host}] failing: " + "; ".join(f"{n}: {results[n]['detail']}" for n in new),
        }
    elif not failing and state.get("failing"):
        message = {
            "event": "resolved",
            "host": host,
            "recovered": recovered,
            "text": f"[{host}] resolved: all checks pass again ({', '.join(recovered)})",
        }
    elif failing and not notified:
        # The previous post did not go out: try again for the open incident.
        message = {
            "event": "incident",
            "host": host,
            "failing": {n: results[n]["detail"] for n in failing},
            "new": failing,
            "text": f"[{host}] failing: " + "; ".join(f"{n}: {results[n]['detail']}" for n in failing),
        }
    if message is not None:
        notified = False
        url = config.get("webhook_url", "")
        if url:
            try:
                post(url, message)
                notified = True
            except Exception as exc:  # noqa: BLE001 - retried on the next run
                print(f"webhook post failed: {exc}", file=sys.stderr)
        else:
            notified = True
        print(message["text"], flush=True)
    write_json(
        state_file,
        {
            "checked": now().replace(microsecond=0).isoformat(),
            "failing": failing,
            "notified": notified,
            "results": results,
        },
    )
    return 1 if failing else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="insightpulse-monitor")
    parser.add_argument("--config", default=DEFAULT_CONFIG)
    args = parser.parse_args(argv)
    with open(args.config, encoding="utf-8") as handle:
        config = json.load(handle)
    return run(config)


if __name__ == "__main__":
    sys.exit(main())
