# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'Payment - Account',
 'version': '2.0',
 'category': 'Accounting/Accounting',
 'summary': 'Enable customers to pay invoices on the portal and post payments when transactions '
            'are processed.',
 'depends': ['account', 'payment'],
 'auto_install': ['account'],
 'license': 'LGPL-3'}
