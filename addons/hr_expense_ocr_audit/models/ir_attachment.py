# Copyright 2026 InsightPulse
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model_create_multi
    def create(self, vals_list):
        attachments = super().create(vals_list)
        receipts = attachments.filtered(
            lambda a: a.res_model == "hr.expense" and a.res_id and (a.mimetype or "").startswith("image/")
        )
        if receipts:
            expenses = self.env["hr.expense"].browse(set(receipts.mapped("res_id"))).exists()
            expenses._ocr_auto_enqueue()
        return attachments
