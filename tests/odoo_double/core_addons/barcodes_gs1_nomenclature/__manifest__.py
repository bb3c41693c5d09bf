# ruff: noqa: B018
# TEST FIXTURE for the Odoo test double (tests/odoo_double): not Odoo code.
# Only the metadata (name, version, depends, auto_install) of the Odoo 18.0 CE
# module of the same name, so the double resolves dependencies like Odoo does.
{'name': 'Barcode - GS1 Nomenclature',
 'version': '1.0',
 'category': 'Hidden',
 'summary': 'Parse barcodes according to the GS1-128 specifications',
 'depends': ['barcodes', 'uom'],
 'license': 'LGPL-3'}
