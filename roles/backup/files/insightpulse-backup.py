#!/usr/bin/python3
"""insightpulse-backup: the platform's backups with restic, on the host that runs them.

Installed by the insightpulse.platform.backup role as /usr/local/sbin/insightpulse-backup and
run by its systemd units. Reads its settings from a JSON file the role renders (--config) and
restic's repository, password file and S3 keys from an environment file (0600).

  backup   dump each database (pg_dump -Fc, with the postgres image's client, in one snapshot
           of the database together with the row counts of its tables), write a manifest
           (row counts, sha256 of every backed-up file), back up the dumps, the Docker
           volumes and the paths as one restic snapshot, apply the retention, restic check.
  drill    restore the latest snapshot into a scratch folder and a throwaway PostgreSQL
           container (never the production server), compare row counts and checksums with
           the manifest, report, remove both.
  restore  restore a snapshot (latest by default) into the running platform: databases with
           pg_restore --clean in one transaction, volumes (and, when asked, paths) with rsync
           --delete; the services using them are stopped by the caller (playbooks/restore.yml).
  ops      handle the request spool: start the unit matching each request file's action,
           move the file to done/ with the result; unknown actions are never executed.
  status   print status.json.

Every command but status and ops writes its outcome to status.json (0644, no secrets), the
file the MCP coordinator and the monitor read.
"""

import argparse
import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time

DEFAULT_CONFIG = "/etc/insightpulse/backup/config.json"
MANIFEST_NAME = "manifest.json"
REQUEST_NAME = re.compile(r"^(?P<action>[a-z][a-z0-9_]{0,31})\.(?P<id>[A-Za-z0-9][A-Za-z0-9_-]{0,63})\.json$")
REQUEST_MAX_BYTES = 65536
# Row counts of every table, in one statement (run inside the dump's snapshot).
COUNT_SQL = """
select n.nspname, c.relname,
       (xpath('/row/c/text()',
              query_to_xml(format('select count(*) as c from %I.%I', n.nspname, c.relname), false, true, '')))[1]
       ::text::bigint
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%'
order by 1, 2
"""


class BackupError(Exception):
    """A step failed; the message says which and why (never a secret)."""


# --- small helpers ---------------------------------------------------------------------------


def now_iso():
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def log(message):
    print(message, flush=True)


def load_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        if default is not None:
            return default
        raise


def write_json_atomic(path, data, mode=0o644):
    """Write JSON next to `path` and rename it over: readers see the old file or the new one."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def read_env_file(path):
    """KEY=value lines (the role's restic.env) -> dict."""
    env = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip()
    return env


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def excluded(relative, excludes):
    """True when `relative` (a path inside a backed-up folder) is or lies under one of `excludes`."""
    return any(relative == e or relative.startswith(e.rstrip("/") + "/") for e in excludes)


def file_checksums(root, excludes=()):
    """Every regular file under `root` -> {absolute path: {sha256, size}}; symlinks -> {link}."""
    files = {}
    if os.path.isfile(root) and not os.path.islink(root):
        return {root: {"sha256": sha256_file(root), "size": os.path.getsize(root)}}
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel_dir = os.path.relpath(directory, root)
        dirnames[:] = [d for d in dirnames if not excluded(os.path.normpath(os.path.join(rel_dir, d)), excludes)]
        for name in sorted(filenames):
            path = os.path.join(directory, name)
            if excluded(os.path.normpath(os.path.relpath(path, root)), excludes):
                continue
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                files[path] = {"link": os.readlink(path)}
            elif stat.S_ISREG(info.st_mode):
                files[path] = {"sha256": sha256_file(path), "size": info.st_size}
    return files


def compare_counts(expected, actual):
    """Row counts per table: backed up vs restored -> list of differences (empty when identical)."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if expected.get(table) != actual.get(table):
            problems.append({"table": table, "backed_up": expected.get(table), "restored": actual.get(table)})
    return problems


def compare_files(expected, root_prefix):
    """Manifest file entries vs the files restored under `root_prefix` -> (checked, problems)."""
    problems = []
    for path, entry in sorted(expected.items()):
        restored = root_prefix.rstrip("/") + path
        try:
            info = os.lstat(restored)
        except FileNotFoundError:
            problems.append({"path": path, "problem": "missing"})
            continue
        if "link" in entry:
            if not stat.S_ISLNK(info.st_mode) or os.readlink(restored) != entry["link"]:
                problems.append({"path": path, "problem": "symlink differs"})
        elif not stat.S_ISREG(info.st_mode) or sha256_file(restored) != entry["sha256"]:
            problems.append({"path": path, "problem": "checksum differs"})
    return len(expected), problems


# --- the tool ----------------------------------------------------------------------------------


class Backup:
    def __init__(self, config):
        self.config = config
        self.status_file = config["status_file"]

    # restic ------------------------------------------------------------------------------------
    def restic_env(self):
        env = dict(os.environ)
        env.update(read_env_file(self.config["env_file"]))
        return env

    def restic(self, *args, capture=True, check=True):
        argv = ["restic", *args]
        result = subprocess.run(
            argv,
            env=self.restic_env(),
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise BackupError(f"restic {args[0]} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")
        return result

    def restic_json(self, *args):
        return json.loads(self.restic("--json", *args).stdout or "null")

    def snapshots(self):
        listed = self.restic_json("snapshots", "--host", self.config["host"], "--tag", self.config["tag"]) or []
        return [
            {
                "id": s["id"],
                "short_id": s.get("short_id", s["id"][:8]),
                "time": s["time"],
                "tags": s.get("tags", []),
                "paths": s.get("paths", []),
            }
            for s in listed
        ]

    def resolve_snapshot(self, wanted="latest"):
        found = self.snapshots()
        if not found:
            raise BackupError("the repository holds no snapshot of this host yet")
        if wanted in ("", "latest"):
            return max(found, key=lambda s: s["time"])
        for snapshot in found:
            if snapshot["id"].startswith(wanted):
                return snapshot
        raise BackupError(f"no snapshot {wanted!r} of this host in the repository")

    # status.json ---------------------------------------------------------------------------
    def update_status(self, **changes):
        status = load_json(self.status_file, default={})
        status.update(changes)
        status["updated"] = now_iso()
        write_json_atomic(self.status_file, status, 0o644)

    # PostgreSQL ------------------------------------------------------------------------------
    def pg(self):
        return self.config["postgres"]

    def db_password(self, database):
        with open(database["password_file"], encoding="utf-8") as handle:
            return handle.read().strip()

    def server_address(self):
        """Host and port this host reaches the server at (the container's address on its network)."""
        pg = self.pg()
        if pg["mode"] != "container":
            return pg["host"], int(pg["port"])
        out = subprocess.run(
            ["docker", "inspect", "--format", "{{json .NetworkSettings.Networks}}", pg["container"]],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise BackupError(f"the PostgreSQL container {pg['container']} is not there: {out.stderr.strip()}")
        networks = json.loads(out.stdout)
        address = (networks.get(pg["network"]) or {}).get("IPAddress")
        if not address:
            raise BackupError(f"the PostgreSQL container is not on the network {pg['network']}")
        return address, int(pg["port"])

    def client_argv(self, database, *command, stdin=False):
        """A PostgreSQL client of the server's image, as the database's owner (PG* variables pass by name)."""
        pg = self.pg()
        argv = ["docker", "run", "--rm"]
        if stdin:
            argv.append("-i")
        if pg.get("network"):
            argv += ["--network", pg["network"]]
        for name in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE"):
            argv += ["-e", name]
        if pg.get("sslrootcert"):
            argv += ["-e", "PGSSLROOTCERT=/etc/db-ca.crt", "-v", f"{pg['sslrootcert']}:/etc/db-ca.crt:ro"]
        argv.append(pg["image"])
        argv += list(command)
        env = dict(os.environ)
        env.update(
            PGHOST=str(pg["host"]),
            PGPORT=str(pg["port"]),
            PGUSER=database["user"],
            PGPASSWORD=self.db_password(database),
            PGDATABASE=database["database"],
            PGSSLMODE=pg.get("sslmode") or "prefer",
        )
        return argv, env

    def dump_database(self, database, target):
        """pg_dump -Fc of one database into `target`, and the row counts of its tables read in the
        very snapshot the dump reads (an exported snapshot held open meanwhile)."""
        import psycopg2  # the python3-psycopg2 package the role installs

        pg = self.pg()
        host, port = self.server_address()
        connect = {
            "host": host,
            "port": port,
            "user": database["user"],
            "password": self.db_password(database),
            "dbname": database["database"],
            "sslmode": pg.get("sslmode") or "prefer",
            "connect_timeout": 15,
            "application_name": "insightpulse-backup",
        }
        if pg.get("sslrootcert"):
            connect["sslrootcert"] = pg["sslrootcert"]
        conn = psycopg2.connect(**connect)
        try:
            conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with conn.cursor() as cur:
                cur.execute("select pg_export_snapshot()")
                snapshot = cur.fetchone()[0]
                argv, env = self.client_argv(database, "pg_dump", "-Fc", "--no-password", f"--snapshot={snapshot}")
                with open(target, "wb") as out:
                    dump = subprocess.run(argv, env=env, stdout=out, stderr=subprocess.PIPE, check=False)
                if dump.returncode != 0:
                    message = dump.stderr.decode(errors="replace").strip()[-2000:]
                    raise BackupError(f"pg_dump {database['database']} failed: {message}")
                cur.execute(COUNT_SQL)
                counts = {f"{schema}.{table}": int(rows) for schema, table, rows in cur.fetchall()}
        finally:
            conn.rollback()
            conn.close()
        return counts

    # Docker volumes ---------------------------------------------------------------------------
    def volume_info(self, name):
        out = subprocess.run(["docker", "volume", "inspect", name], capture_output=True, text=True, check=False)
        if out.returncode != 0:
            return None
        info = json.loads(out.stdout)[0]
        return {"mountpoint": info["Mountpoint"], "labels": info.get("Labels") or {}, "driver": info["Driver"]}

    # backup ---------------------------------------------------------------------------------
    def backup(self):
        started = now_iso()
        begin = time.monotonic()
        record = {"started": started}
        try:
            result = self._backup()
            record.update(ok=True, error="", **result)
        except Exception as exc:  # noqa: BLE001 - every failure is reported in status.json
            record.update(ok=False, error=str(exc), snapshot="", bytes_added=0)
        record["finished"] = now_iso()
        record["seconds"] = round(time.monotonic() - begin, 1)
        snapshots = None
        with contextlib.suppress(Exception):
            snapshots = self.snapshots()
        changes = {"last_backup": record}
        if snapshots is not None:
            changes["snapshots"] = snapshots
        self.update_status(**changes)
        log(json.dumps(record, sort_keys=True))
        if not record["ok"]:
            raise BackupError(record["error"])
        return record

    def _backup(self):
        cfg = self.config
        staging = cfg["staging_dir"]
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(os.path.join(staging, "db"), mode=0o700)
        manifest = {"created": now_iso(), "host": cfg["host"], "databases": {}, "volumes": {}, "paths": {}}
        paths = [staging]
        excludes = []
        try:
            for database in cfg["databases"]:
                target = os.path.join(staging, "db", database["name"] + ".dump")
                log(f"dumping database {database['database']}")
                counts = self.dump_database(database, target)
                manifest["databases"][database["name"]] = {
                    "database": database["database"],
                    "dump": target,
                    "dump_bytes": os.path.getsize(target),
                    "dump_sha256": sha256_file(target),
                    "tables": counts,
                    "rows": sum(counts.values()),
                }
            for volume in cfg["volumes"]:
                info = self.volume_info(volume["name"])
                if info is None:
                    if volume.get("required", False):
                        raise BackupError(f"Docker volume {volume['name']} does not exist")
                    log(f"volume {volume['name']} does not exist on this host: skipped")
                    continue
                vol_excludes = volume.get("exclude", [])
                files = file_checksums(info["mountpoint"], vol_excludes)
                manifest["volumes"][volume["name"]] = dict(info, exclude=vol_excludes, files=files)
                paths.append(info["mountpoint"])
                excludes += [os.path.join(info["mountpoint"], e) for e in vol_excludes]
            for path in cfg["paths"]:
                if not os.path.exists(path):
                    log(f"path {path} does not exist on this host: skipped")
                    continue
                manifest["paths"][path] = {"files": file_checksums(path)}
                paths.append(path)
            write_json_atomic(os.path.join(staging, MANIFEST_NAME), manifest, 0o600)

            argv = ["--json", "backup", "--host", cfg["host"], "--tag", cfg["tag"]]
            for pattern in excludes:
                argv += ["--exclude", pattern]
            out = self.restic(*argv, *paths)
            summary = {}
            for line in out.stdout.splitlines():
                with contextlib.suppress(ValueError):
                    message = json.loads(line)
                    if isinstance(message, dict) and message.get("message_type") == "summary":
                        summary = message
            if not summary.get("snapshot_id"):
                raise BackupError("restic backup reported no snapshot")
            self.forget()
            self.restic(
                "check",
                *(["--read-data-subset", cfg["check_read_data_subset"]] if cfg.get("check_read_data_subset") else []),
            )
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return {
            "snapshot": summary["snapshot_id"][:8],
            "bytes_added": int(summary.get("data_added", 0)),
            "bytes_processed": int(summary.get("total_bytes_processed", 0)),
            "files": int(summary.get("total_files_processed", 0)),
            "databases": {
                n: {"rows": d["rows"], "dump_bytes": d["dump_bytes"]} for n, d in manifest["databases"].items()
            },
        }

    def forget(self):
        keep = self.config["retention"]
        argv = ["forget", "--prune", "--host", self.config["host"], "--tag", self.config["tag"]]
        for option in ("last", "hourly", "daily", "weekly", "monthly", "yearly"):
            if int(keep.get(option) or 0) > 0:
                argv += [f"--keep-{option}", str(int(keep[option]))]
        if keep.get("within"):
            argv += ["--keep-within", keep["within"]]
        if len(argv) > 6:
            self.restic(*argv)

    # restoring a snapshot into a folder ---------------------------------------------------------
    def restore_to(self, snapshot, target):
        os.makedirs(target, mode=0o700, exist_ok=True)
        self.restic("restore", snapshot["id"], "--target", target)
        manifest_path = target + self.config["staging_dir"] + "/" + MANIFEST_NAME
        if not os.path.exists(manifest_path):
            raise BackupError(f"snapshot {snapshot['short_id']} holds no manifest")
        return load_json(manifest_path)

    # drill ------------------------------------------------------------------------------------
    def drill(self):
        started = now_iso()
        begin = time.monotonic()
        record = {"started": started}
        try:
            report = self._drill()
            ok = report["ok"]
            record.update(ok=ok, report=report, error="" if ok else "restored data differs from the backup")
        except Exception as exc:  # noqa: BLE001 - every failure is reported in status.json
            record.update(ok=False, report={}, error=str(exc))
        record["finished"] = now_iso()
        record["seconds"] = round(time.monotonic() - begin, 1)
        self.update_status(last_drill=record)
        log(json.dumps(record, sort_keys=True))
        if not record["ok"]:
            raise BackupError(record["error"])
        return record

    def _drill(self):
        cfg = self.config
        snapshot = self.resolve_snapshot("latest")
        work = os.path.join(cfg["work_dir"], "drill-" + time.strftime("%Y%m%d%H%M%S"))
        container = "insightpulse-restore-drill-" + secrets.token_hex(4)
        report = {"snapshot": snapshot["short_id"], "snapshot_time": snapshot["time"], "databases": {}, "files": {}}
        try:
            restore_begin = time.monotonic()
            manifest = self.restore_to(snapshot, work)
            report["restore_seconds"] = round(time.monotonic() - restore_begin, 1)
            if manifest["databases"]:
                self._scratch_server(container)
            for name, entry in sorted(manifest["databases"].items()):
                dump = work + entry["dump"]
                scratch_db = "drill_" + re.sub(r"[^a-z0-9_]", "_", name.lower())
                self._scratch_sql(container, "postgres", f'create database "{scratch_db}"')
                with open(dump, "rb") as handle:
                    restore = subprocess.run(
                        [
                            "docker",
                            "exec",
                            "-i",
                            container,
                            "pg_restore",
                            "-U",
                            "postgres",
                            "-d",
                            scratch_db,
                            "--no-owner",
                            "--no-privileges",
                            "--exit-on-error",
                        ],
                        stdin=handle,
                        capture_output=True,
                        check=False,
                    )
                if restore.returncode != 0:
                    raise BackupError(
                        f"pg_restore of {name} into the scratch server failed: "
                        f"{restore.stderr.decode(errors='replace').strip()[-2000:]}"
                    )
                counts = {}
                for line in self._scratch_sql(container, scratch_db, COUNT_SQL).splitlines():
                    schema, table, rows = line.split("|")
                    counts[f"{schema}.{table}"] = int(rows)
                problems = compare_counts(entry["tables"], counts)
                report["databases"][name] = {
                    "tables": len(counts),
                    "rows_backed_up": entry["rows"],
                    "rows_restored": sum(counts.values()),
                    "differences": problems,
                    "ok": not problems,
                }
            for kind in ("volumes", "paths"):
                for name, entry in sorted(manifest[kind].items()):
                    checked, problems = compare_files(entry["files"], work)
                    report["files"][name] = {"checked": checked, "differences": problems[:50], "ok": not problems}
        finally:
            subprocess.run(["docker", "rm", "-f", "-v", container], capture_output=True, check=False)
            shutil.rmtree(work, ignore_errors=True)
        report["scratch_removed"] = not os.path.exists(work) and not self._container_exists(container)
        report["ok"] = (
            all(d["ok"] for d in report["databases"].values())
            and all(f["ok"] for f in report["files"].values())
            and report["scratch_removed"]
        )
        return report

    def _container_exists(self, name):
        return subprocess.run(["docker", "inspect", name], capture_output=True, check=False).returncode == 0

    def _scratch_server(self, container):
        """A throwaway PostgreSQL of the platform's image, without a network: reached by docker exec only."""
        password = secrets.token_hex(16)
        started = subprocess.run(
            [
                "docker",
                "run",
                "-d",
                "--name",
                container,
                "--network",
                "none",
                "--label",
                "insightpulse.role=restore-drill",
                "-e",
                "POSTGRES_PASSWORD",
                self.config["drill_image"],
            ],
            env=dict(os.environ, POSTGRES_PASSWORD=password),
            capture_output=True,
            text=True,
            check=False,
        )
        if started.returncode != 0:
            raise BackupError(f"the scratch PostgreSQL did not start: {started.stderr.strip()}")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ready = subprocess.run(
                ["docker", "exec", container, "pg_isready", "-h", "127.0.0.1", "-U", "postgres"],
                capture_output=True,
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(1)
        raise BackupError("the scratch PostgreSQL did not get ready within 120 s")

    def _scratch_sql(self, container, database, sql):
        out = subprocess.run(
            [
                "docker",
                "exec",
                "-i",
                container,
                "psql",
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-U",
                "postgres",
                "-d",
                database,
            ],
            input=sql,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise BackupError(f"psql on the scratch server failed: {out.stderr.strip()}")
        return out.stdout.strip()

    # restore into the platform ------------------------------------------------------------------
    def restore(self, wanted="latest", include_paths=False, databases=None, volumes=None):
        cfg = self.config
        snapshot = self.resolve_snapshot(wanted)
        work = os.path.join(cfg["work_dir"], "restore-" + time.strftime("%Y%m%d%H%M%S"))
        report = {
            "snapshot": snapshot["short_id"],
            "snapshot_time": snapshot["time"],
            "started": now_iso(),
            "databases": {},
            "volumes": {},
            "paths": {},
        }
        begin = time.monotonic()
        try:
            manifest = self.restore_to(snapshot, work)
            report["fetch_seconds"] = round(time.monotonic() - begin, 1)
            known = {d["name"]: d for d in cfg["databases"]}
            for name, entry in sorted(manifest["databases"].items()):
                if databases is not None and name not in databases:
                    continue
                if name not in known:
                    raise BackupError(f"the snapshot's database {name} is not configured on this host")
                step = time.monotonic()
                argv, env = self.client_argv(
                    known[name],
                    "pg_restore",
                    "--no-password",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    "-d",
                    known[name]["database"],
                    stdin=True,
                )
                with open(work + entry["dump"], "rb") as handle:
                    result = subprocess.run(argv, env=env, stdin=handle, capture_output=True, check=False)
                if result.returncode != 0:
                    raise BackupError(
                        f"pg_restore of {name} failed (nothing of it was changed): "
                        f"{result.stderr.decode(errors='replace').strip()[-2000:]}"
                    )
                report["databases"][name] = {"rows": entry["rows"], "seconds": round(time.monotonic() - step, 1)}
            for name, entry in sorted(manifest["volumes"].items()):
                if volumes is not None and name not in volumes:
                    continue
                step = time.monotonic()
                info = self.volume_info(name)
                if info is None:
                    # Recreated with the labels it had, so Compose takes it for its own again.
                    argv = ["docker", "volume", "create", "--driver", entry.get("driver", "local")]
                    for key, value in sorted(entry.get("labels", {}).items()):
                        argv += ["--label", f"{key}={value}"]
                    subprocess.run([*argv, name], capture_output=True, check=True)
                    info = self.volume_info(name)
                self._sync(work + entry["mountpoint"], info["mountpoint"], entry.get("exclude", []))
                checked, problems = compare_files(
                    {info["mountpoint"] + p[len(entry["mountpoint"]) :]: f for p, f in entry["files"].items()}, ""
                )
                report["volumes"][name] = {
                    "files": checked,
                    "differences": problems[:50],
                    "seconds": round(time.monotonic() - step, 1),
                }
            if include_paths:
                for path, entry in sorted(manifest["paths"].items()):
                    self._sync(work + path, path, [])
                    checked, problems = compare_files(entry["files"], "")
                    report["paths"][path] = {"files": checked, "differences": problems[:50]}
        finally:
            shutil.rmtree(work, ignore_errors=True)
        report["seconds"] = round(time.monotonic() - begin, 1)
        report["ok"] = all(not v["differences"] for k in ("volumes", "paths") for v in report[k].values())
        report["finished"] = now_iso()
        log(json.dumps(report, sort_keys=True))
        if not report["ok"]:
            raise BackupError("restored files differ from the backup: " + json.dumps(report))
        return report

    def _sync(self, source, target, excludes):
        if os.path.isdir(source):
            argv = ["rsync", "-aHAX", "--numeric-ids", "--delete"]
            for pattern in excludes:
                argv += ["--exclude", "/" + pattern.strip("/")]
            argv += [source.rstrip("/") + "/", target.rstrip("/") + "/"]
        else:
            argv = ["rsync", "-aHAX", "--numeric-ids", source, target]
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BackupError(f"rsync into {target} failed: {result.stderr.strip()}")

    # request spool --------------------------------------------------------------------------
    def ops(self, settle_seconds=10.0):
        """Handle every request file: start its unit (--no-block) or refuse it, then move it to done/."""
        ops = self.config["ops"]
        requests_dir, done_dir = ops["requests_dir"], ops["done_dir"]
        handled = []
        deadline = time.monotonic() + settle_seconds
        while True:
            pending = []
            for name in sorted(os.listdir(requests_dir)):
                path = os.path.join(requests_dir, name)
                if (name.startswith(".") or name.endswith(".tmp")) and time.monotonic() < deadline:
                    # A file still being written (renamed into place when complete).
                    pending.append(name)
                    continue
                handled.append(self._handle_request(path, name, done_dir, ops["units"]))
            if not pending:
                return handled
            time.sleep(0.5)

    def _handle_request(self, path, name, done_dir, units):
        result = {"handled_at": now_iso(), "ok": False, "unit": "", "error": ""}
        request = {}
        match = REQUEST_NAME.match(name)
        try:
            # Never follow a link: the spool is writable by another user.
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            try:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode):
                    raise BackupError("not a regular file")
                if info.st_size > REQUEST_MAX_BYTES:
                    raise BackupError(f"larger than {REQUEST_MAX_BYTES} bytes")
                raw = os.read(fd, REQUEST_MAX_BYTES + 1)
            finally:
                os.close(fd)
            if not match:
                raise BackupError("file name is not <action>.<request-id>.json")
            request = json.loads(raw.decode("utf-8"))
            if not isinstance(request, dict):
                raise BackupError("content is not a JSON object")
            action = request.get("action")
            if action != match.group("action"):
                raise BackupError("the action in the file differs from its name")
            if str(request.get("id", "")) != match.group("id"):
                raise BackupError("the id in the file differs from its name")
            if action not in units:
                raise BackupError(f"unknown action {action!r} (known: {', '.join(sorted(units))})")
            unit = units[action]
            started = subprocess.run(
                ["systemctl", "start", "--no-block", unit], capture_output=True, text=True, check=False
            )
            result["unit"] = unit
            if started.returncode != 0:
                raise BackupError(f"systemctl start {unit} failed: {started.stderr.strip()}")
            result["ok"] = True
        except (BackupError, OSError, ValueError) as exc:
            result["error"] = str(exc)
        safe_name = name if match else f"invalid.{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}.json"
        out = dict(request) if isinstance(request, dict) else {}
        out["result"] = result
        write_json_atomic(os.path.join(done_dir, safe_name), out, 0o644)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        log(f"request {name}: " + ("started " + result["unit"] if result["ok"] else "refused: " + result["error"]))
        return {"name": name, **result}


@contextlib.contextmanager
def locked(path):
    """One backup, drill or restore at a time on this host."""
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log("another backup, drill or restore is running: waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def main(argv=None):
    parser = argparse.ArgumentParser(prog="insightpulse-backup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=DEFAULT_CONFIG)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("backup", help="back up now")
    sub.add_parser("drill", help="restore the latest snapshot into scratch space and compare")
    restore = sub.add_parser("restore", help="restore a snapshot into the running platform")
    restore.add_argument("--snapshot", default="latest")
    restore.add_argument("--include-paths", action="store_true", help="restore the backed-up paths too")
    restore.add_argument("--database", action="append", help="only this database (repeatable)")
    restore.add_argument("--volume", action="append", help="only this volume (repeatable)")
    restore.add_argument("--yes", action="store_true", help="required: it replaces production data")
    sub.add_parser("snapshots", help="list this host's snapshots (JSON)")
    sub.add_parser("ops", help="handle the request spool")
    sub.add_parser("status", help="print status.json")
    passthrough = sub.add_parser("restic", help="run restic with the repository's settings: restic -- snapshots")
    passthrough.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    config = load_json(args.config)
    tool = Backup(config)
    try:
        if args.command == "restic":
            restic_args = args.args[1:] if args.args[:1] == ["--"] else args.args
            os.execvpe("restic", ["restic", *restic_args], tool.restic_env())  # noqa: S606 - restic by name, no shell
        elif args.command == "status":
            print(json.dumps(load_json(config["status_file"], default={}), indent=2, sort_keys=True))
        elif args.command == "ops":
            tool.ops()
        elif args.command == "snapshots":
            print(json.dumps(tool.snapshots(), indent=2))
        elif args.command == "restore" and not args.yes:
            raise BackupError("restore replaces production data: pass --yes")
        else:
            with locked(config["lock_file"]):
                if args.command == "backup":
                    tool.backup()
                elif args.command == "drill":
                    tool.drill()
                else:
                    tool.restore(args.snapshot, args.include_paths, args.database, args.volume)
    except BackupError as exc:
        print(f"insightpulse-backup {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
