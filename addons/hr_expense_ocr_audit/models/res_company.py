# Copyright 2026 InsightPulse
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    ocr_auto_process = fields.Boolean(
        string="Process Receipts with OCR Automatically",
        help="Queue an expense for OCR as soon as a receipt image is attached to it.",
    )
