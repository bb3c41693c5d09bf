# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Service catalog filter: ``platform_services``.

The user documentation lives next to this file in ``platform_services.yml``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence


def platform_services(catalog, enabled, domain=""):
    """The enabled catalog entries, in the order given, each with name and fqdn.

    An enabled name missing from the catalog is an error naming it and the
    names the catalog has, so a typo fails before anything is deployed.
    """
    if not isinstance(catalog, dict):
        raise AnsibleFilterError("platform_services: the catalog must be a mapping of service name to entry")
    if isinstance(enabled, str) or not is_sequence(enabled):
        raise AnsibleFilterError("platform_services: the enabled services must be a list of names")
    unknown = [name for name in enabled if name not in catalog]
    if unknown:
        raise AnsibleFilterError(
            "platform_services: unknown service(s) %s; the catalog has %s"
            % (", ".join(map(str, unknown)), ", ".join(sorted(catalog)))
        )
    services = []
    for name in dict.fromkeys(enabled):  # keep order, drop repeats
        entry = dict(catalog[name])
        if "subdomain" not in entry:
            raise AnsibleFilterError("platform_services: catalog entry %s has no subdomain" % name)
        entry["name"] = name
        entry["fqdn"] = "%s.%s" % (entry["subdomain"], domain) if domain else entry["subdomain"]
        services.append(entry)
    return services


class FilterModule(object):
    def filters(self):
        return {"platform_services": platform_services}
