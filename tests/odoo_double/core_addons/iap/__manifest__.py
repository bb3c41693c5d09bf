# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'In-App Purchases',
 'version': '1.1',
 'category': 'Hidden/Tools',
 'summary': 'Basic models and helpers to support In-App purchases.',
 'depends': ['web', 'base_setup'],
 'auto_install': True,
 'license': 'LGPL-3'}
