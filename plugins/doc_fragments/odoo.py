# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options shared by every insightpulse.platform Odoo module."""

    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the Odoo server, without a path, for example C(http://127.0.0.1:8069).
      - The modules call C(/xmlrpc/2/common), C(/xmlrpc/2/object), C(/xmlrpc/2/db) and C(/web/health) under it.
    type: str
    default: http://127.0.0.1:8069
  database:
    description:
      - Name of the Odoo database.
    type: str
    required: true
    aliases: [db]
  login:
    description:
      - Odoo user to log in as. Module and system-parameter management need an administrator.
    type: str
    default: admin
    aliases: [username]
  password:
    description:
      - Password (or API key) of O(login).
    type: str
    aliases: [login_password]
  timeout:
    description:
      - Timeout in seconds of each XML-RPC call. Installing or upgrading modules happens inside
        one call, so raise it for large installs on small machines.
    type: float
    default: 300
  wait_timeout:
    description:
      - How long to wait, in seconds, for a server that is still starting before giving up.
        The server is polled on C(/web/health) (or C(common.version()) on servers without it).
      - Use V(0) to try once.
    type: float
    default: 60
  validate_certs:
    description:
      - Verify the server's TLS certificate for C(https://) URLs.
    type: bool
    default: true
notes:
  - Errors are reduced to one line (wrong password, unknown database, server unreachable at URL,
    the message of an Odoo fault) instead of the server's traceback.
  - Odoo hashes the password again at each login (about half a second of its CPU). The modules
    keep the user id they logged in as in C(~/.cache/insightpulse/odoo-uids.json) on the host
    they run on (ids only, mode 0600) and the next run calls with that id instead of logging in;
    an id that no longer fits is found out by the first call and the module logs in as before.
"""
