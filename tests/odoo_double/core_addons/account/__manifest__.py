# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'Invoicing',
 'version': '1.3',
 'category': 'Accounting/Accounting',
 'summary': 'Invoices, Payments, Follow-ups & Bank Synchronization',
 'depends': ['base_setup', 'onboarding', 'product', 'analytic', 'portal', 'digest'],
 'application': True,
 'license': 'LGPL-3'}
