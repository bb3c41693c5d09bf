# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'To-Do',
 'version': '1.0',
 'category': 'Productivity/To-Do',
 'summary': 'Organize your work with memos and to-do lists',
 'depends': ['project'],
 'auto_install': True,
 'application': True,
 'license': 'LGPL-3'}
