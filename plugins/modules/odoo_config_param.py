#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: odoo_config_param
short_description: Manage Odoo system parameters (ir.config_parameter)
version_added: 0.1.0
description:
  - Sets or removes one system parameter (Settings > Technical > System Parameters) over XML-RPC.
  - Idempotent - nothing is written when the stored value already matches.
  - Diff mode shows the value before and after; with O(secret=true) both are masked and O(value) is not logged.
author:
  - InsightPulse platform team (@insightpulse)
extends_documentation_fragment:
  - insightpulse.platform.odoo
options:
  key:
    description:
      - Parameter key, for example V(ocr.api.url).
    type: str
    required: true
    aliases: [name]
  value:
    description:
      - Value to store. Odoo stores text; quote numbers in YAML (V("0.60")) so they keep their spelling.
      - Required when O(state=present).
    type: str
  state:
    description:
      - V(present) creates or updates the parameter, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  secret:
    description:
      - Treat the value as a secret - masked in diff and results, and O(value) is not logged.
    type: bool
    default: false
notes:
  - Supports check mode and diff mode.
seealso:
  - module: insightpulse.platform.odoo_module
"""

EXAMPLES = r"""
- name: OCR integration parameters (service URL, confidence threshold, timeout)
  insightpulse.platform.odoo_config_param:
    url: http://127.0.0.1:8069
    database: production
    password: "{{ odoo_admin_password }}"
    key: "{{ item.key }}"
    value: "{{ item.value }}"
  loop:
    - {key: ocr.api.url, value: "https://ocr.insightpulseai.net/ocr"}
    - {key: ocr.confidence.threshold, value: "0.60"}
    - {key: ocr.processing.timeout, value: "30"}

- name: OCR bearer token, never shown in logs or diffs
  insightpulse.platform.odoo_config_param:
    database: production
    password: "{{ odoo_admin_password }}"
    key: ocr.api.secret
    value: "{{ ocr_secret }}"
    secret: true

- name: Remove an obsolete parameter
  insightpulse.platform.odoo_config_param:
    database: production
    password: "{{ odoo_admin_password }}"
    key: ocr.legacy.endpoint
    state: absent
"""

RETURN = r"""
key:
  description: The parameter key.
  returned: always
  type: str
  sample: ocr.api.url
value:
  description: Value after the run (masked when O(secret=true); null when absent).
  returned: always
  type: str
  sample: https://ocr.insightpulseai.net/ocr
previous_value:
  description: Value before the run (masked when O(secret=true); null when it did not exist).
  returned: always
  type: str
"""

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.parsing.convert_bool import boolean
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_errors import OdooError
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_rpc import connect, connection_argument_spec

MODEL = "ir.config_parameter"
MASK = "********"


def _shown(value, secret):
    if value is None:
        return None
    return MASK if secret else value


def run(module, client_factory=connect):
    params = module.params
    key = params["key"]
    state = params["state"]
    secret = params["secret"]
    if params["password"] is None:
        module.fail_json(msg="password (of login '%s') is required" % params["login"])
    if state == "present" and params["value"] is None:
        module.fail_json(msg="value is required when state=present")
    client = client_factory(params)
    rows = client.execute_kw(MODEL, "search_read", [[("key", "=", key)]], {"fields": ["key", "value"]})
    current = rows[0] if rows else None
    before = current["value"] if current else None
    if before is False:
        before = ""

    if state == "present":
        desired = params["value"]
        changed = current is None or before != desired
        after = desired
    else:
        changed = current is not None
        after = None

    if changed and not module.check_mode:
        if state == "absent":
            client.execute_kw(MODEL, "unlink", [[row["id"] for row in rows]])
        elif current is None:
            client.execute_kw(MODEL, "create", [{"key": key, "value": after}])
        else:
            client.execute_kw(MODEL, "write", [[current["id"]], {"value": after}])

    result = dict(changed=changed, key=key, value=_shown(after, secret), previous_value=_shown(before, secret))
    if module._diff:
        result["diff"] = dict(
            before="" if before is None else "%s = %s\n" % (key, _shown(before, secret)),
            after="" if after is None else "%s = %s\n" % (key, _shown(after, secret)),
        )
        if secret and changed and before is not None and after is not None:
            # both sides masked: say that the secret changed instead of an empty-looking diff
            result["diff"]["after"] = "%s = %s (changed)\n" % (key, MASK)
    return result


def argument_spec(secret=False):
    spec = connection_argument_spec()
    spec.update(
        key=dict(type="str", required=True, aliases=["name"], no_log=False),
        value=dict(type="str", no_log=secret),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        secret=dict(type="bool", default=False),
    )
    return spec


def _secret_requested():
    """Peek at the raw arguments so that ``value`` is declared no_log *before* AnsibleModule
    logs its invocation (syslog/journal) when ``secret: true``."""
    try:
        raw = basic._load_params()
        return boolean(raw.get("secret", False), strict=False)
    except Exception:  # noqa: BLE001 - when in doubt, hide the value
        return True


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(_secret_requested()),
        supports_check_mode=True,
        required_if=[("state", "present", ["value"])],
    )
    if module.params["secret"] and module.params["value"]:
        module.no_log_values.add(module.params["value"])
    try:
        result = run(module)
    except OdooError as err:
        module.fail_json(msg=str(err))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
