# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'Employees',
 'version': '1.1',
 'category': 'Human Resources/Employees',
 'summary': 'Centralize employee information',
 'depends': ['base_setup', 'digest', 'phone_validation', 'resource_mail', 'web'],
 'application': True,
 'license': 'LGPL-3'}
