# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# `knowledge` is an Odoo Enterprise module (not in 18.0 CE); this stand-in lets
# the double resolve the seeds' phased installs. Its depends are approximate.
{'name': 'Knowledge',
 'version': '1.0',
 'category': 'Productivity/Knowledge',
 'summary': 'Centralize, manage, share and grow your knowledge library',
 'depends': ['web', 'web_editor', 'mail', 'portal', 'digest'],
 'application': True,
 'license': 'OEEL-1'}
