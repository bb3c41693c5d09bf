# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors shared by the Odoo module_utils of insightpulse.platform.

The lowest layer: every other ``odoo_*`` module_utils imports from here, this
imports none of them. :class:`OdooError` and its subclasses carry one line a
human understands, never a 60-line server traceback.

Nothing here imports Ansible, so the unit tests drive it directly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


class OdooError(Exception):
    """Base class: ``str(err)`` is a one-line message for a human."""


class OdooConnectionError(OdooError):
    """The server cannot be reached (refused, DNS, TLS, timeout, not ready in time)."""


class OdooAuthError(OdooError):
    """Wrong login/password (or master password)."""


class OdooDatabaseError(OdooError):
    """The database does not exist (or the database manager refused)."""


class OdooFault(OdooError):
    """An Odoo server-side error, reduced to its message."""

    def __init__(self, message, code=None, exception=None):
        super(OdooFault, self).__init__(message)
        self.code = code
        self.exception = exception


class OdooCommandError(OdooError):
    """A local command (odoo CLI, psql) failed."""

    def __init__(self, message, rc=None, stdout="", stderr=""):
        super(OdooCommandError, self).__init__(message)
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr


# how Odoo (over RPC) and psql word a missing database
DB_MISSING_RE = re.compile(r'database "([^"]+)" does not exist')
