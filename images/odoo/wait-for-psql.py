#!/usr/bin/env python3
"""Wait until PostgreSQL accepts a connection with Odoo's database settings.

The entrypoint runs this before starting Odoo, so a container started together
with its database does not die while the database still initialises. It tries
to connect to the `postgres` maintenance database once a second; it exits 0 on
the first success, or 1 after --timeout seconds, naming the server and the last
error (connection refused, unknown host, authentication failed, ...).
"""

import argparse
import os
import sys
import time

import psycopg2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db_host", required=True)
    parser.add_argument("--db_port", required=True)
    parser.add_argument("--db_user", required=True)
    # The entrypoint passes the password as PGPASSWORD (a command line is public).
    parser.add_argument("--db_password", default=os.environ.get("PGPASSWORD", ""))
    parser.add_argument("--timeout", type=float, default=30, help="seconds to wait (default 30)")
    args = parser.parse_args(argv)

    deadline = time.monotonic() + args.timeout
    last_error = "no attempt made"
    while True:
        try:
            psycopg2.connect(
                host=args.db_host,
                port=args.db_port,
                user=args.db_user,
                password=args.db_password,
                dbname="postgres",
                connect_timeout=max(1, min(5, int(args.timeout))),
            ).close()
            return 0
        except psycopg2.OperationalError as exc:
            last_error = " ".join(str(exc).split())
        if time.monotonic() + 1 > deadline:
            break
        time.sleep(1)
    print(
        f"wait-for-psql: no PostgreSQL accepted user {args.db_user!r} at {args.db_host}:{args.db_port} "
        f"within {args.timeout:g}s; last error: {last_error}",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
