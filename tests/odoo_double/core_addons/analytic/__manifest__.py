# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'Analytic Accounting',
 'version': '1.1',
 'category': 'Accounting/Accounting',
 'depends': ['base', 'mail', 'uom'],
 'license': 'LGPL-3'}
