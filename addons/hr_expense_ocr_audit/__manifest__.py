# Copyright 2026 InsightPulse
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Expense Receipt OCR with Audit",
    "summary": "Fill expenses from receipt photos through the OCR service, "
    "in the background, with an audit trail of every call",
    "version": "18.0.1.0.0",
    "category": "Human Resources/Expenses",
    "website": "https://github.com/insightpulse/insightpulse.platform",
    "author": "InsightPulse",
    "license": "AGPL-3",
    "depends": ["hr_expense", "queue_job"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/hr_expense_ocr_audit_security.xml",
        "data/queue_job_data.xml",
        "views/hr_expense_ocr_audit_views.xml",
        "views/hr_expense_views.xml",
        "views/res_config_settings_views.xml",
    ],
}
