# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulse
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jinja test ``placeholder`` (documented in placeholder.yml)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.insightpulse.platform.plugins.module_utils.placeholders import is_placeholder


class TestModule(object):
    def tests(self):
        return {"placeholder": is_placeholder}
