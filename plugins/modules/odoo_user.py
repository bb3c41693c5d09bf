#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: odoo_user
short_description: Make sure an Odoo user exists with exactly the given groups and password
version_added: 0.1.0
description:
  - Creates or updates one Odoo user (res.users) over XML-RPC, as the administrator given by the connection
    options. Meant for service accounts such as the MCP coordinator's read-only user.
  - The user ends up active, with exactly the groups O(groups) (XML ids; implied groups follow in Odoo), and
    able to log in with O(user_password). Idempotent - the password is checked by logging in as the user, and
    written only when that fails; nothing is written when everything already matches.
author:
  - InsightPulse platform team (@insightpulse)
extends_documentation_fragment:
  - insightpulse.platform.odoo
options:
  user_login:
    description: Login of the user.
    type: str
    required: true
  user_name:
    description: Display name of a new user (an existing user keeps its name).
    type: str
  user_password:
    description: Password the user must log in with.
    type: str
    required: true
  groups:
    description: XML ids of the user's groups, for example V(base.group_user) (internal user, no settings access).
    type: list
    elements: str
    default: [base.group_user]
notes:
  - Supports check mode. The password is never returned.
"""

EXAMPLES = r"""
- name: Read-only user of the MCP coordinator
  insightpulse.platform.odoo_user:
    url: http://127.0.0.1:8069
    database: odoo
    password: "{{ odoo_admin_password }}"
    user_login: mcp_reader
    user_name: MCP coordinator (read-only)
    user_password: "{{ mcp_odoo_password }}"
    groups: [base.group_user]
  no_log: true
"""

RETURN = r"""
uid:
  description: Database id of the user (null in check mode when it would be created).
  returned: always
  type: int
created:
  description: Whether the user was (or would be) created.
  returned: always
  type: bool
changes:
  description: What was (or would be) changed - C(groups), C(password), C(active).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_errors import OdooError
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_rpc import connect, connection_argument_spec


def _group_ids(client, xml_ids):
    ids = []
    for xml_id in xml_ids:
        module, _dot, name = xml_id.partition(".")
        if not module or not name:
            raise OdooError("group %r is not an XML id (module.name)" % xml_id)
        rows = client.execute_kw(
            "ir.model.data",
            "search_read",
            [[("module", "=", module), ("name", "=", name), ("model", "=", "res.groups")]],
            {"fields": ["res_id"]},
        )
        if not rows:
            raise OdooError("group %s does not exist in this database" % xml_id)
        ids.append(rows[0]["res_id"])
    return sorted(set(ids))


def run(module, client_factory=connect):
    params = module.params
    if params["password"] is None:
        module.fail_json(msg="password (of login '%s') is required" % params["login"])
    client = client_factory(params)
    login = params["user_login"]
    wanted_groups = _group_ids(client, params["groups"])
    users = client.execute_kw(
        "res.users",
        "search_read",
        [[("login", "=", login)]],
        {"fields": ["id", "active", "groups_id"], "context": {"active_test": False}},
    )
    result = dict(changed=False, created=False, uid=None, changes=[])
    if not users:
        result.update(changed=True, created=True, changes=["groups", "password", "active"])
        if not module.check_mode:
            result["uid"] = client.execute_kw(
                "res.users",
                "create",
                [
                    {
                        "login": login,
                        "name": params["user_name"] or login,
                        "password": params["user_password"],
                        "groups_id": [(6, 0, wanted_groups)],
                    }
                ],
            )
        return result
    user = users[0]
    result["uid"] = user["id"]
    values = {}
    # Groups implied by the wanted ones are added by Odoo; compare after setting exactly the wanted set.
    if not set(wanted_groups) <= set(user["groups_id"]) or not _only_implied(client, user["groups_id"], wanted_groups):
        values["groups_id"] = [(6, 0, wanted_groups)]
        result["changes"].append("groups")
    if not user["active"]:
        values["active"] = True
        result["changes"].append("active")
    if not user["active"] or not client.check_login(login, params["user_password"]):
        values["password"] = params["user_password"]
        result["changes"].append("password")
    if values:
        result["changed"] = True
        if not module.check_mode:
            client.execute_kw("res.users", "write", [[user["id"]], values])
    return result


def _only_implied(client, current, wanted):
    """True when every group the user has is a wanted one or implied by them."""
    allowed = set(wanted)
    frontier = list(wanted)
    while frontier:
        rows = client.execute_kw("res.groups", "read", [frontier], {"fields": ["implied_ids"]})
        frontier = [gid for row in rows for gid in row["implied_ids"] if gid not in allowed]
        allowed.update(frontier)
    return set(current) <= allowed


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        user_login=dict(type="str", required=True),
        user_name=dict(type="str"),
        user_password=dict(type="str", required=True, no_log=True),
        groups=dict(type="list", elements="str", default=["base.group_user"]),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        result = run(module)
    except OdooError as err:
        module.fail_json(msg=str(err))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
