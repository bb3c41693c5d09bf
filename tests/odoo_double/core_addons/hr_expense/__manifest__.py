# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'Expenses',
 'version': '2.0',
 'category': 'Human Resources/Expenses',
 'summary': 'Submit, validate and reinvoice employee expenses',
 'depends': ['account', 'web_tour', 'hr'],
 'application': True,
 'license': 'LGPL-3'}
