# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'Web Editor',
 'category': 'Hidden',
 'depends': ['bus', 'web', 'html_editor'],
 'auto_install': True,
 'license': 'LGPL-3'}
