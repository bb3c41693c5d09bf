# Copyright 2026 InsightPulse
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ocr_auto_process = fields.Boolean(
        related="company_id.ocr_auto_process",
        readonly=False,
    )
