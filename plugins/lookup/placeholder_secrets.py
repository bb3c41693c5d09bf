# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: placeholder_secrets
author: InsightPulse platform team (@insightpulse)
version_added: "0.2.0"
short_description: Names of the secret variables of a host that still hold placeholders
description:
  - Looks at every variable of the current host whose name says it holds a secret (it starts with C(vault_)
    or ends in C(_password), C(_token), C(_secret), C(_secret_key), C(_api_key), C(_access_key), C(_key_id),
    C(_hmac_key), C(_encryption_key) and a few more) and returns the names of those whose value, once
    templated, is a placeholder (see the C(insightpulse.platform.placeholder) test), looking into lists and
    dictionaries.
  - Returns names only, never values. A variable that cannot be templated yet (it reads facts of a host
    not gathered) is skipped.
options:
  _terms:
    description: Extra variable names to inspect even though their names do not look secret.
    type: list
    elements: str
    required: false
"""

EXAMPLES = r"""
- name: Refuse placeholder secrets before any change
  ansible.builtin.assert:
    that: query('insightpulse.platform.placeholder_secrets') | length == 0
    fail_msg: "Placeholder secrets: {{ query('insightpulse.platform.placeholder_secrets') | join(', ') }}"
"""

RETURN = r"""
_raw:
  description: Sorted names of the variables holding placeholders.
  type: list
  elements: str
"""

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
from ansible_collections.insightpulse.platform.plugins.module_utils.placeholders import (
    SECRET_NAME,
    placeholder_names,
)

display = Display()


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        variables = variables or {}
        names = [n for n in variables if isinstance(n, str) and SECRET_NAME.search(n)]
        names += [t for t in terms or [] if t in variables and t not in names]
        values = {}
        for name in names:
            # A variable that cannot be templated yet (facts of a host not gathered) is
            # not a placeholder: the roles that read it report it themselves.
            try:
                values[name] = self._templar.template(variables[name])
            except AnsibleError:
                display.vvv("placeholder_secrets: %s cannot be templated yet" % name)
        return placeholder_names(values)
