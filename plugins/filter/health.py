# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health table filter: ``health_report``.

The user documentation lives next to this file in ``health_report.yml``. The judgement itself
(states, versions, the table) is ``module_utils/platform_health.py``, shared with the MCP
coordinator's ``platform_health`` tool.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.insightpulse.platform.plugins.module_utils import platform_health
from ansible_collections.insightpulse.platform.plugins.module_utils.platform_health import PLACEHOLDER_MARKER

# PLACEHOLDER_MARKER is re-exported: the 503 page's marker is part of this filter's contract.
__all__ = ["PLACEHOLDER_MARKER", "FilterModule", "health_report"]


def health_report(probes, required=None):
    """Rows, a printable table and the required services that are not up (see platform_health)."""
    try:
        return platform_health.health_report(probes, required)
    except platform_health.HealthReportError as err:
        raise AnsibleFilterError(str(err)) from err


class FilterModule(object):
    def filters(self):
        return {"health_report": health_report}
