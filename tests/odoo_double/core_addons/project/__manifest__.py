# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'Project',
 'version': '1.3',
 'category': 'Services/Project',
 'summary': 'Organize and plan your projects',
 'depends': ['analytic',
             'base_setup',
             'mail',
             'portal',
             'rating',
             'resource',
             'web',
             'web_tour',
             'digest'],
 'application': True,
 'license': 'LGPL-3'}
