# Copyright 2026 InsightPulse
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

OUTCOMES = [
    ("done", "Applied"),
    ("needs_review", "Needs Review"),
    ("retry", "Retried Later"),
    ("failed", "Failed"),
]


class HrExpenseOcrAudit(models.Model):
    """One call to the OCR service for one expense: what was sent, what came back,
    what was written. Created by the OCR job only (as superuser); never edited."""

    _name = "hr.expense.ocr.audit"
    _description = "Expense OCR Audit"
    _order = "request_date desc, id desc"
    _rec_name = "expense_id"

    expense_id = fields.Many2one(
        comodel_name="hr.expense",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    employee_id = fields.Many2one(related="expense_id.employee_id", store=True, string="Employee")
    company_id = fields.Many2one(related="expense_id.company_id", store=True, string="Company")
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Requested By",
        readonly=True,
        help="The user on whose behalf the receipt was sent (the one who queued it).",
    )
    request_date = fields.Datetime(string="Sent On", readonly=True, default=fields.Datetime.now)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
    attachment_id = fields.Many2one(comodel_name="ir.attachment", string="Receipt", ondelete="set null", readonly=True)
    attachment_name = fields.Char(string="Receipt File", readonly=True)
    attachment_checksum = fields.Char(string="Receipt Checksum", readonly=True, index=True)
    http_status = fields.Integer(string="HTTP Status", readonly=True, help="0 when no answer came (timeout, refused).")
    outcome = fields.Selection(selection=OUTCOMES, readonly=True, required=True)
    message = fields.Char(readonly=True)
    engine = fields.Char(readonly=True)
    threshold = fields.Float(string="Confidence Threshold", readonly=True, digits=(3, 2))
    vendor_value = fields.Char(string="Vendor", readonly=True)
    vendor_confidence = fields.Float(readonly=True, digits=(3, 4))
    date_value = fields.Char(string="Date", readonly=True)
    date_confidence = fields.Float(readonly=True, digits=(3, 4))
    total_value = fields.Float(string="Total", readonly=True)
    total_confidence = fields.Float(readonly=True, digits=(3, 4))
    tax_value = fields.Float(string="Tax", readonly=True)
    tax_confidence = fields.Float(readonly=True, digits=(3, 4))
    currency_value = fields.Char(string="Currency", readonly=True)
    currency_confidence = fields.Float(readonly=True, digits=(3, 4))
    vat_status = fields.Char(string="VAT Status", readonly=True)
    applied_fields = fields.Char(readonly=True, help="Expense fields this call wrote, comma separated.")
    review_fields = fields.Char(readonly=True, help="Fields left for a person to check, with the reason.")
    raw_response = fields.Text(readonly=True, help="The service's answer as received (it never contains the token).")
