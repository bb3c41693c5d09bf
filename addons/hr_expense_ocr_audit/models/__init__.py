from . import hr_expense, hr_expense_ocr_audit, ir_attachment, res_company, res_config_settings
