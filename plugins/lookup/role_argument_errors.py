# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: role_argument_errors
author: InsightPulse platform team (@insightpulse)
version_added: "0.2.0"
short_description: Check a host's variables against every role's argument spec, one line per bad value
description:
  - Reads the C(main) entry point of C(meta/argument_specs.yml) of the collection's roles (all of them, or
    those named), takes the current host's variables that a spec declares (inventory, group and host vars,
    extra vars), templates them, and validates their types, choices and nested options the way the role
    itself would when it starts.
  - Returns one short line per bad value (role, variable, value, what is allowed), so a preflight play can
    fail before any host is touched. Missing required variables are left to each role; a variable that
    cannot be templated yet (it reads facts of a host not gathered) is skipped.
  - Variables whose name ends in C(_timezone) must also be IANA time zone names.
options:
  _terms:
    description: Role names to check (default, every role of the collection).
    type: list
    elements: str
    required: false
"""

EXAMPLES = r"""
- name: Refuse bad variables before any change
  ansible.builtin.assert:
    that: _errors | length == 0
    fail_msg: "{{ _errors | join('; ') }}"
  vars:
    _errors: "{{ query('insightpulse.platform.role_argument_errors') }}"
"""

RETURN = r"""
_raw:
  description: "One message per bad value, C(<role>: <what is wrong>)."
  type: list
  elements: str
"""

import os

import yaml
from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display
from ansible_collections.insightpulse.platform.plugins.module_utils.role_args import role_argument_errors

try:  # libyaml's parser when PyYAML has it: this lookup reads every role's specs for every host
    from yaml import CSafeLoader as SafeLoader
except ImportError:
    from yaml import SafeLoader

display = Display()

ROLES_DIR = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "roles"))


def load_specs(roles_dir=ROLES_DIR, names=None):
    """Role name -> the options of its main entry point."""
    specs = {}
    for role in sorted(os.listdir(roles_dir)):
        if names and role not in names:
            continue
        path = os.path.join(roles_dir, role, "meta", "argument_specs.yml")
        if not os.path.isfile(path):
            continue
        with open(path) as handle:
            data = yaml.load(handle, Loader=SafeLoader) or {}
        main = (data.get("argument_specs") or {}).get("main") or {}
        specs[role] = main.get("options") or {}
    return specs


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        variables = variables or {}
        errors = []
        for role, options in load_specs(names=list(terms or [])).items():
            given = {}
            for name in options:
                if name not in variables:
                    continue
                try:
                    given[name] = self._templar.template(variables[name])
                except AnsibleError:
                    display.vvv("role_argument_errors: %s cannot be templated yet" % name)
            errors.extend(role_argument_errors(role, options, given))
        return errors
