# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running SQL through a configurable ``psql`` command (the ``cli`` method of the Odoo modules).

``psql_command`` may be a plain ``psql -h localhost -U odoo`` or a wrapper such as
``docker compose ... exec -T db psql -U odoo``; rows come back as lists of strings.

Nothing here imports Ansible, so the unit tests drive it directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import shlex

from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_errors import (
    DB_MISSING_RE,
    OdooCommandError,
    OdooDatabaseError,
    OdooError,
)

PSQL_SEPARATOR = "\x1f"


def psql_argv(psql_command, database, sql):
    """argv running one SQL statement with unaligned, tuples-only output.

    ``psql_command`` is split with shlex so ``docker compose -f /opt/odoo/compose.yml
    exec -T db psql -U odoo`` works as well as a plain ``psql -h localhost -U odoo``.
    """
    argv = shlex.split(psql_command)
    if not argv:
        raise OdooError("psql_command is empty")
    return argv + [
        "-X",
        "-q",
        "-A",
        "-t",
        "-F",
        PSQL_SEPARATOR,
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        database,
        "-c",
        sql,
    ]


def run_psql(run_command, psql_command, database, sql):
    """Run SQL through psql; return rows as lists of strings.

    ``run_command(argv)`` returns ``(rc, stdout, stderr)`` (AnsibleModule.run_command
    in modules, a fake in tests).
    """
    argv = psql_argv(psql_command, database, sql)
    rc, out, err = run_command(argv)
    if rc != 0:
        detail = _psql_error(err or out or "") or "exit code %s" % rc
        if DB_MISSING_RE.search(err or ""):
            raise OdooDatabaseError("Database '%s' does not exist (psql: %s)" % (database, detail))
        raise OdooCommandError(
            "psql failed (%s ...): %s" % (" ".join(shlex.quote(a) for a in argv[:-1]), detail),
            rc=rc,
            stdout=out,
            stderr=err,
        )
    rows = []
    for line in (out or "").splitlines():
        if line == "":
            continue
        rows.append(line.split(PSQL_SEPARATOR))
    return rows


def _psql_error(text):
    """The line that says what went wrong: psql ends a SQL error with ``LINE 1: ...`` and a ``^``
    marker, so the last line is useless; prefer the ERROR/FATAL line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    for line in lines:
        if re.search(r"\b(ERROR|FATAL):", line):
            return line
    return lines[-1] if lines else ""


def sql_literal(value):
    return "'" + str(value).replace("'", "''") + "'"


def database_exists_sql(run_command, psql_command, name, maintenance_db="postgres"):
    sql = "SELECT 1 FROM pg_database WHERE datname = %s" % sql_literal(name)  # noqa: S608 - quoted literal
    rows = run_psql(run_command, psql_command, maintenance_db, sql)
    return bool(rows)


def database_initialized_sql(run_command, psql_command, name):
    """Whether database ``name`` holds an Odoo database (its module table exists).

    A database created empty beforehand (by the PostgreSQL role, or a managed
    provider's console) exists but is not yet an Odoo database.
    """
    sql = "SELECT to_regclass('public.ir_module_module') IS NOT NULL"
    rows = run_psql(run_command, psql_command, name, sql)
    return bool(rows) and rows[0][0] == "t"


def get_param_sql(run_command, psql_command, database, key):
    sql = "SELECT value FROM ir_config_parameter WHERE key = %s" % sql_literal(key)  # noqa: S608 - quoted literal
    rows = run_psql(run_command, psql_command, database, sql)
    return rows[0][0] if rows else None
