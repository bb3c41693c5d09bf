# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'Project - Skills',
 'version': '1.0',
 'category': 'Services/Project',
 'summary': 'Project skills',
 'depends': ['project', 'hr_skills'],
 'auto_install': True,
 'license': 'OEEL-1'}
