# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'Discuss',
 'version': '1.18',
 'category': 'Productivity/Discuss',
 'summary': 'Chat, mail gateway and private channels',
 'depends': ['base', 'base_setup', 'bus', 'web_tour', 'html_editor'],
 'application': True,
 'license': 'LGPL-3'}
