# Copyright 2026 InsightPulse
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests.common import new_test_user
from odoo.tools import mute_logger

from .common import OcrCase


class TestOcrAccess(OcrCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own_expense = cls.env["hr.expense"].create(
            {"name": "Own", "employee_id": cls.employee.id, "product_id": cls.product.id}
        )
        cls.other_expense = cls.env["hr.expense"].create(
            {"name": "Other", "employee_id": cls.other_employee.id, "product_id": cls.product.id}
        )
        Audit = cls.env["hr.expense.ocr.audit"].sudo()
        cls.own_audit = Audit.create({"expense_id": cls.own_expense.id, "outcome": "done", "http_status": 200})
        cls.other_audit = Audit.create({"expense_id": cls.other_expense.id, "outcome": "failed", "http_status": 401})

    def test_employee_sees_only_own_audits(self):
        Audit = self.env["hr.expense.ocr.audit"].with_user(self.employee_user)
        self.assertEqual(Audit.search([]), self.own_audit)
        self.assertEqual(self.own_expense.with_user(self.employee_user).ocr_audit_ids, self.own_audit)
        with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_rule"):
            self.other_audit.with_user(self.employee_user).read(["http_status"])

    @mute_logger("odoo.addons.base.models.ir_model", "odoo.addons.base.models.ir_rule")
    def test_employee_cannot_change_audits(self):
        audit = self.own_audit.with_user(self.employee_user)
        with self.assertRaises(AccessError):
            audit.write({"http_status": 200, "outcome": "failed"})
        with self.assertRaises(AccessError):
            audit.unlink()
        with self.assertRaises(AccessError):
            self.env["hr.expense.ocr.audit"].with_user(self.employee_user).create(
                {"expense_id": self.own_expense.id, "outcome": "done"}
            )
        self.assertEqual(self.own_audit.outcome, "done")

    def test_manager_sees_and_manages_all(self):
        Audit = self.env["hr.expense.ocr.audit"].with_user(self.manager_user)
        self.assertEqual(
            Audit.search([("id", "in", (self.own_audit | self.other_audit).ids)]), self.own_audit | self.other_audit
        )
        self.other_audit.with_user(self.manager_user).write({"message": "checked with the vendor"})
        self.assertEqual(self.other_audit.message, "checked with the vendor")

    def test_smart_button_opens_the_expense_audits(self):
        action = self.own_expense.with_user(self.manager_user).action_view_ocr_audits()
        self.assertEqual(action["res_model"], "hr.expense.ocr.audit")
        records = self.env["hr.expense.ocr.audit"].with_user(self.manager_user).search(action["domain"])
        self.assertEqual(records, self.own_audit)

    def test_employee_runs_ocr_on_own_expense(self):
        """The job runs as the employee who queued it: writing the results and the audit must work."""
        self.attach(self.own_expense)
        expense = self.own_expense.with_user(self.employee_user)
        with self.fake_service(self.answer()):
            self.run_job(expense)
        self.assertEqual(self.own_expense.ocr_state, "done")
        self.assertEqual(len(expense.ocr_audit_ids), 2)
        self.assertEqual(self.own_expense.ocr_audit_ids[0].user_id, self.employee_user)

    def test_team_approver_sees_the_team_only(self):
        approver = new_test_user(self.env, login="ocr_approver", groups="hr_expense.group_hr_expense_team_approver")
        approver_employee = self.env["hr.employee"].create({"name": "OCR Approver", "user_id": approver.id})
        self.employee.parent_id = approver_employee
        Audit = self.env["hr.expense.ocr.audit"].with_user(approver)
        found = Audit.search([("id", "in", (self.own_audit | self.other_audit).ids)])
        self.assertEqual(found, self.own_audit)
