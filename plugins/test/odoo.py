# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jinja test ``odoo_admin_passwd_matches`` (documented in odoo_admin_passwd_matches.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.insightpulse.platform.plugins.filter.odoo import odoo_admin_passwd_matches


class TestModule(object):
    def tests(self):
        return {"odoo_admin_passwd_matches": odoo_admin_passwd_matches}
