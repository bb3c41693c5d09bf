#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: odoo_company
short_description: Set the name and country of an Odoo database's main company
version_added: 0.2.0
description:
  - Sets the name and the country of the company of the user the module logs in as (the main company for
    C(admin)), over XML-RPC.
  - The country decides which chart of accounts, taxes and currency Odoo installs with accounting, so set it
    before the first module that brings in accounting (for example C(hr_expense)) - a Philippine company then
    gets the Philippine chart, pesos and the 12% VAT taxes. Set later, only the company's address changes.
  - Idempotent - nothing is written when the company already has that name and country.
author:
  - InsightPulse platform team (@insightpulse)
extends_documentation_fragment:
  - insightpulse.platform.odoo
options:
  country:
    description:
      - ISO 3166 two-letter code of the company's country (V(PH)). Not changed when omitted.
    type: str
  company_name:
    description:
      - The company's name. Not changed when omitted.
    type: str
notes:
  - Supports check mode and diff mode.
seealso:
  - module: insightpulse.platform.odoo_module
"""

EXAMPLES = r"""
- name: A Philippine company, before accounting is installed
  insightpulse.platform.odoo_company:
    url: http://127.0.0.1:8069
    database: odoo
    password: "{{ odoo_admin_password }}"
    company_name: InsightPulse AI
    country: PH
"""

RETURN = r"""
company:
  description: The company after the run.
  returned: always
  type: dict
  sample: {id: 1, name: InsightPulse AI, country: PH}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_errors import OdooError
from ansible_collections.insightpulse.platform.plugins.module_utils.odoo_rpc import connect, connection_argument_spec


def _text(company):
    return "name = %s\ncountry = %s\n" % (company["name"], company["country"] or "")


def run(module, client_factory=connect):
    params = module.params
    if params["password"] is None:
        module.fail_json(msg="password (of login '%s') is required" % params["login"])
    client = client_factory(params)
    uid = client.authenticate()
    user = client.execute_kw("res.users", "read", [[uid]], {"fields": ["company_id"]})[0]
    company_id = user["company_id"][0]
    row = client.execute_kw("res.company", "read", [[company_id]], {"fields": ["name", "country_id"]})[0]
    country_id = row["country_id"][0] if row["country_id"] else False
    code = None
    if country_id:
        code = client.execute_kw("res.country", "read", [[country_id]], {"fields": ["code"]})[0]["code"]
    before = {"id": company_id, "name": row["name"], "country": code}
    after = dict(before)
    values = {}
    if params["company_name"] and params["company_name"] != row["name"]:
        values["name"] = after["name"] = params["company_name"]
    wanted = (params["country"] or "").upper()
    if wanted and wanted != (code or ""):
        found = client.execute_kw("res.country", "search_read", [[("code", "=", wanted)]], {"fields": ["id"]})
        if not found:
            module.fail_json(msg="Odoo knows no country with the code %s" % wanted)
        values["country_id"] = found[0]["id"]
        after["country"] = wanted
    changed = bool(values)
    if changed and not module.check_mode:
        client.execute_kw("res.company", "write", [[company_id], values])
    result = dict(changed=changed, company=after)
    if module._diff:
        result["diff"] = dict(before=_text(before), after=_text(after))
    return result


def argument_spec():
    spec = connection_argument_spec()
    spec.update(country=dict(type="str"), company_name=dict(type="str"))
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
