# Copyright 2026 InsightPulse
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
from datetime import date

import requests

from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import TOKEN, URL, OcrCase, response


class TestOcrEnqueue(OcrCase):
    def test_button_enqueues_on_root_ocr_channel(self):
        expense = self.make_expense()
        with trap_jobs() as trap:
            expense.action_ocr_process()
            trap.assert_jobs_count(1, only=expense._ocr_run)
            trap.assert_enqueued_job(expense._ocr_run, args=(), kwargs={}, properties={"channel": "root.ocr"})
            self.assertEqual(expense.ocr_state, "queued")
            with self.fake_service(self.answer()) as post:
                trap.perform_enqueued_jobs()
        self.assertEqual(post.call_count, 1)
        self.assertEqual(expense.ocr_state, "done")

    def test_job_function_retry_pattern(self):
        function = self.env.ref("hr_expense_ocr_audit.job_function_hr_expense_ocr_run")
        self.assertEqual(function.channel, "root.ocr")
        self.assertEqual(function.name, "<hr.expense>._ocr_run")
        self.assertTrue(function.retry_pattern, "busy answers must back off")
        self.assertEqual(self.env.ref("hr_expense_ocr_audit.channel_ocr").complete_name, "root.ocr")

    def test_non_image_attachment_refused_before_any_call(self):
        expense = self.make_expense(attach=False)
        self.attach(expense, name="receipt.pdf", mimetype="application/pdf", data=b"%PDF-1.4\n%%EOF\n")
        with trap_jobs() as trap, self.fake_service() as post:
            with self.assertRaisesRegex(UserError, "not an image|is an image"):
                expense.action_ocr_process()
            trap.assert_jobs_count(0)
        post.assert_not_called()
        self.assertEqual(expense.ocr_state, "none")

    def test_main_attachment_must_be_an_image(self):
        expense = self.make_expense()
        pdf = self.attach(expense, name="scan.pdf", mimetype="application/pdf", data=b"%PDF-1.4\n%%EOF\n")
        expense.message_main_attachment_id = pdf
        with trap_jobs() as trap, self.assertRaisesRegex(UserError, r"scan\.pdf"):
            expense.action_ocr_process()
        trap.assert_jobs_count(0)

    def test_no_attachment_refused(self):
        expense = self.make_expense(attach=False)
        with trap_jobs() as trap, self.assertRaisesRegex(UserError, "Attach a photo"):
            expense.action_ocr_process()
        trap.assert_jobs_count(0)

    def test_auto_process_when_company_enables_it(self):
        expense = self.make_expense(attach=False)
        with trap_jobs() as trap:
            self.attach(expense)
            trap.assert_jobs_count(0)
        self.assertEqual(expense.ocr_state, "none")
        self.company.ocr_auto_process = True
        with trap_jobs() as trap:
            self.attach(expense, name="receipt.pdf", mimetype="application/pdf", data=b"%PDF-1.4\n")
            trap.assert_jobs_count(0)
            self.attach(expense, name="second.png", mimetype="image/png")
            trap.assert_jobs_count(1, only=expense._ocr_run)
            trap.assert_enqueued_job(expense._ocr_run, properties={"channel": "root.ocr"})
        self.assertEqual(expense.ocr_state, "queued")

    def test_settings_toggle_the_company_flag(self):
        settings = self.env["res.config.settings"].create({"ocr_auto_process": True})
        settings.execute()
        self.assertTrue(self.company.ocr_auto_process)


class TestOcrResults(OcrCase):
    def test_trusted_fields_are_applied_and_audited(self):
        expense = self.make_expense()
        with self.fake_service(self.answer()) as post:
            self.run_job(expense)
        # the request: URL, bearer token, multipart file, timeout from the parameters
        args, kwargs = post.call_args
        self.assertEqual(args[0], URL)
        self.assertEqual(kwargs["headers"]["Authorization"], f"Bearer {TOKEN}")
        self.assertEqual(kwargs["timeout"], 30.0)
        filename, content, mimetype = kwargs["files"]["file"]
        self.assertEqual((filename, mimetype), ("receipt.jpg", "image/jpeg"))
        self.assertTrue(content.startswith(b"\x89PNG"))
        # the expense
        self.assertEqual(expense.ocr_state, "done")
        self.assertEqual(expense.ocr_vendor_name, "JOLLIBEE FOODS CORPORATION")
        self.assertEqual(expense.ocr_partner_id, self.jollibee)
        self.assertEqual(expense.vendor_id, self.jollibee)
        self.assertEqual(expense.date, date(2026, 11, 21))
        self.assertEqual(expense.tax_ids, self.vat12)
        self.assertAlmostEqual(expense.total_amount_currency, 1120.0)
        self.assertAlmostEqual(expense.tax_amount_currency, 120.0, places=2)
        # the audit
        audit = expense.ocr_audit_ids
        self.assertEqual(len(audit), 1)
        self.assertEqual(audit.outcome, "done")
        self.assertEqual(audit.http_status, 200)
        self.assertEqual(audit.user_id, self.env.user)
        self.assertEqual(audit.attachment_checksum, expense.attachment_ids.checksum)
        self.assertEqual(audit.applied_fields, "vendor,date,total,tax")
        self.assertEqual(audit.vendor_value, "JOLLIBEE FOODS CORPORATION")
        self.assertAlmostEqual(audit.total_value, 1120.0)
        self.assertAlmostEqual(audit.total_confidence, 0.96)
        self.assertAlmostEqual(audit.tax_confidence, 0.98)
        self.assertEqual(audit.date_value, "2026-11-21")
        self.assertGreaterEqual(audit.duration_ms, 0)
        self.assertEqual(json.loads(audit.raw_response)["engine"], "rapidocr")
        self.assertEqual(expense.ocr_audit_count, 1)

    def test_below_threshold_is_not_written(self):
        expense = self.make_expense()
        # trusted by the service (its own bar is 0.60) but under ocr.confidence.threshold (0.80)
        total = {"value": 1120.0, "confidence": 0.72, "trusted": True}
        with self.fake_service(self.answer(total=total)):
            self.run_job(expense)
        self.assertEqual(expense.ocr_state, "needs_review")
        self.assertEqual(expense.total_amount_currency, 0.0)
        self.assertIn("total", expense.ocr_review_fields)
        self.assertEqual(expense.date, date(2026, 11, 21), "the confident fields are still written")
        self.assertNotIn("total", expense.ocr_audit_ids.applied_fields.split(","))

    def test_threshold_comes_from_the_parameter(self):
        self.env["ir.config_parameter"].sudo().set_param("ocr.confidence.threshold", "0.70")
        expense = self.make_expense()
        total = {"value": 1120.0, "confidence": 0.72, "trusted": True}
        with self.fake_service(self.answer(total=total)):
            self.run_job(expense)
        self.assertEqual(expense.ocr_state, "done")
        self.assertAlmostEqual(expense.total_amount_currency, 1120.0)

    def test_untrusted_is_not_written(self):
        expense = self.make_expense()
        before = expense.date
        reshaped_date = {"value": "2026-11-21", "confidence": 0.95, "trusted": False}
        with self.fake_service(self.answer(date=reshaped_date)):
            self.run_job(expense)
        self.assertEqual(expense.ocr_state, "needs_review")
        self.assertEqual(expense.date, before)
        self.assertIn("date", expense.ocr_review_fields)

    def test_missing_field_needs_review(self):
        expense = self.make_expense()
        with self.fake_service(self.answer(total={"value": None, "confidence": 0.0, "trusted": False})):
            self.run_job(expense)
        self.assertEqual(expense.ocr_state, "needs_review")
        self.assertEqual(expense.total_amount_currency, 0.0)

    def test_unknown_keys_are_tolerated(self):
        expense = self.make_expense()
        answer = self.answer(
            vendor={"value": "JOLLIBEE FOODS CORPORATION", "confidence": 0.94, "trusted": True, "reshaped": False},
            vat_status={"value": "vatable", "confidence": 0.97, "trusted": True},
            loyalty_card={"value": "1234", "confidence": 0.5, "trusted": False},
        )
        payload = answer.json()
        payload["layout"] = {"columns": 2}
        with self.fake_service(response(200, payload)):
            self.run_job(expense)
        self.assertEqual(expense.ocr_state, "done")
        self.assertEqual(expense.tax_ids, self.vat12)
        self.assertEqual(expense.ocr_audit_ids.vat_status, "vatable")

    def test_typed_values_are_never_overwritten(self):
        other_vendor = self.env["res.partner"].create({"name": "Corner Store"})
        expense = self.make_expense(total_amount_currency=50.0, date="2026-01-02", vendor_id=other_vendor.id)
        with self.fake_service(self.answer()):
            self.run_job(expense)
        self.assertEqual(expense.ocr_state, "done")
        self.assertAlmostEqual(expense.total_amount_currency, 50.0)
        self.assertEqual(expense.date, date(2026, 1, 2))
        self.assertEqual(expense.vendor_id, other_vendor)
        self.assertEqual(expense.ocr_partner_id, self.jollibee, "the match is still shown")
        self.assertNotIn("total", expense.ocr_audit_ids.applied_fields)
        self.assertNotIn("date", expense.ocr_audit_ids.applied_fields)

    def test_values_typed_after_creation_are_kept(self):
        expense = self.make_expense()
        expense.write({"date": "2026-03-04"})
        expense.write({"tax_ids": [(6, 0, [])]})
        with self.fake_service(self.answer()):
            self.run_job(expense)
        self.assertEqual(expense.date, date(2026, 3, 4))
        self.assertFalse(expense.tax_ids, "the user chose no tax")
        self.assertAlmostEqual(expense.total_amount_currency, 1120.0)

    def test_second_run_keeps_what_the_first_wrote_editable(self):
        expense = self.make_expense()
        with self.fake_service(self.answer()):
            self.run_job(expense)
        # the user corrects the total; a second OCR run must keep the correction
        expense.write({"total_amount_currency": 1000.0})
        with self.fake_service(self.answer()):
            self.run_job(expense)
        self.assertAlmostEqual(expense.total_amount_currency, 1000.0)
        self.assertEqual(len(expense.ocr_audit_ids), 2)

    def test_currency_mismatch_is_not_written(self):
        other = self.env.ref("base.EUR") if self.currency.name != "EUR" else self.env.ref("base.USD")
        expense = self.make_expense()
        with self.fake_service(self.answer(currency=other.name)):
            self.run_job(expense)
        self.assertEqual(expense.ocr_state, "needs_review")
        self.assertEqual(expense.total_amount_currency, 0.0)
        self.assertIn(other.name, expense.ocr_review_fields)

    def test_unprinted_currency_means_the_expense_currency(self):
        expense = self.make_expense()
        assumed = {"value": "PHP", "confidence": 0.5, "trusted": False}
        with self.fake_service(self.answer(currency=assumed)):
            self.run_job(expense)
        self.assertEqual(expense.ocr_state, "done")
        self.assertAlmostEqual(expense.total_amount_currency, 1120.0)


class TestOcrMatching(OcrCase):
    def test_partner_by_name_ignores_case_and_spacing(self):
        expense = self.make_expense()
        vendor = {"value": "JOLLIBEE  FOODS corporation", "confidence": 0.9, "trusted": True}
        with self.fake_service(self.answer(vendor=vendor)):
            self.run_job(expense)
        self.assertEqual(expense.ocr_partner_id, self.jollibee)

    def test_partner_by_tin_line(self):
        seller = self.env["res.partner"].create(
            {"name": "Golden Dragon Trading Inc.", "vat": "123-456-789-000", "is_company": True}
        )
        expense = self.make_expense()
        payload = self.answer(vendor={"value": "GOLDEN DRAG0N TRDNG", "confidence": 0.7, "trusted": True}).json()
        payload["lines"].append(
            {"text": "VAT REG TIN: 123-456-789-00001", "confidence": 0.93, "box": [[0, 4], [1, 4], [1, 5], [0, 5]]}
        )
        with self.fake_service(response(200, payload)):
            self.run_job(expense)
        self.assertEqual(expense.ocr_partner_id, seller)
        self.assertEqual(expense.vendor_id, seller)
        self.assertFalse(expense.ocr_vendor_name, "a vendor name under the threshold is not kept")

    def test_partner_by_tin_field(self):
        seller = self.env["res.partner"].create({"name": "Seller By Field", "vat": "987654321"})
        expense = self.make_expense()
        tin = {"value": "987-654-321-000", "confidence": 0.95, "trusted": True}
        with self.fake_service(self.answer(tin=tin, vendor={"value": "SBF", "confidence": 0.9, "trusted": True})):
            self.run_job(expense)
        self.assertEqual(expense.ocr_partner_id, seller)

    def test_unread_tin_line_does_not_match(self):
        self.env["res.partner"].create({"name": "Blurred Seller", "vat": "111-222-333-000"})
        expense = self.make_expense()
        payload = self.answer(vendor={"value": "UNKNOWN SHOP", "confidence": 0.9, "trusted": True}).json()
        payload["lines"].append(
            {"text": "TIN 111-222-333-000", "confidence": 0.4, "box": [[0, 4], [1, 4], [1, 5], [0, 5]]}
        )
        with self.fake_service(response(200, payload)):
            self.run_job(expense)
        self.assertFalse(expense.ocr_partner_id)

    def test_unknown_vendor_kept_as_text(self):
        expense = self.make_expense()
        with self.fake_service(self.answer(vendor={"value": "SARI-SARI STORE", "confidence": 0.9, "trusted": True})):
            self.run_job(expense)
        self.assertEqual(expense.ocr_vendor_name, "SARI-SARI STORE")
        self.assertFalse(expense.ocr_partner_id)
        self.assertFalse(expense.vendor_id)
        self.assertEqual(expense.ocr_state, "done")

    def test_vat_receipt_gets_the_12_percent_purchase_tax(self):
        self.env["account.tax"].create(
            {
                "name": "12% VAT on sales (test)",
                "amount": 12.0,
                "type_tax_use": "sale",
                "company_id": self.company.id,
                "tax_group_id": self.vat_group.id,
                "country_id": self.vat_group.country_id.id,
            }
        )
        expense = self.make_expense()
        with self.fake_service(self.answer()):
            self.run_job(expense)
        self.assertEqual(expense.tax_ids, self.vat12)

    def test_vat_tax_without_a_scope_is_preferred(self):
        self.env["account.tax"].create(
            {
                "name": "12% VAT on services (test)",
                "amount": 12.0,
                "type_tax_use": "purchase",
                "tax_scope": "service",
                "sequence": 0,
                "company_id": self.company.id,
                "tax_group_id": self.vat_group.id,
                "country_id": self.vat_group.country_id.id,
            }
        )
        expense = self.make_expense()
        with self.fake_service(self.answer()):
            self.run_job(expense)
        self.assertEqual(expense.tax_ids, self.vat12)

    def test_exempt_sale_has_no_tax(self):
        self.product.supplier_taxes_id = self.vat12
        expense = self.make_expense()
        self.assertEqual(expense.tax_ids, self.vat12, "the category's default tax")
        answer = self.answer(
            tax={"value": 0.0, "confidence": 0.9, "trusted": True},
            vat_status={"value": "exempt", "confidence": 0.9, "trusted": True},
        )
        with self.fake_service(answer):
            self.run_job(expense)
        self.assertFalse(expense.tax_ids)
        self.assertEqual(expense.ocr_state, "done")
        self.assertAlmostEqual(expense.total_amount_currency, 1120.0)
        self.assertAlmostEqual(expense.tax_amount_currency, 0.0)

    def test_non_vat_seller_has_no_tax(self):
        expense = self.make_expense()
        payload = self.answer(tax={"value": None, "confidence": 0.0, "trusted": False}).json()
        payload["vat_status"] = "non_vat"
        with self.fake_service(response(200, payload)):
            self.run_job(expense)
        self.assertFalse(expense.tax_ids)
        self.assertIn("tax", expense.ocr_audit_ids.applied_fields)
        self.assertEqual(expense.ocr_state, "done")

    def test_vat_without_a_12_percent_tax_needs_review(self):
        self.vat12.active = False
        expense = self.make_expense()
        with self.fake_service(self.answer()):
            self.run_job(expense)
        self.assertEqual(expense.ocr_state, "needs_review")
        self.assertIn("12% VAT", expense.ocr_review_fields)
        self.assertFalse(expense.tax_ids)


class TestOcrFailures(OcrCase):
    def assert_no_token(self, expense):
        texts = [expense.ocr_message or ""]
        texts += expense.ocr_audit_ids.mapped(lambda a: f"{a.message} {a.raw_response}")
        texts += expense.message_ids.mapped(lambda m: str(m.body))
        for text in texts:
            self.assertNotIn(TOKEN, text)

    def test_wrong_token_fails_without_retry(self):
        for status in (401, 403):
            with self.subTest(status=status):
                expense = self.make_expense()
                answer = response(status, {"detail": "missing or invalid bearer token"})
                with (
                    self.assertLogs("odoo.addons.hr_expense_ocr_audit", level="WARNING") as logs,
                    self.fake_service(answer),
                ):
                    err = self.run_job(expense, FailedJobError)
                self.assertNotIsInstance(err, RetryableJobError)
                self.assertIn("token", str(err))
                self.assertIn("ocr.api.secret", str(err))
                self.assertEqual(expense.ocr_state, "failed")
                audit = expense.ocr_audit_ids
                self.assertEqual((audit.outcome, audit.http_status), ("failed", status))
                self.assertTrue(any("OCR failed" in str(m.body) for m in expense.message_ids))
                self.assertNotIn(TOKEN, "\n".join(logs.output))
                self.assert_no_token(expense)

    def test_busy_answers_are_retried_with_retry_after(self):
        for status, header, seconds in ((429, "7", 7), (503, "5", 5), (503, None, None), (502, None, None)):
            with self.subTest(status=status, retry_after=header):
                expense = self.make_expense()
                headers = {"Retry-After": header} if header else {}
                with self.fake_service(response(status, {"detail": "busy"}, headers=headers)):
                    err = self.run_job(expense, RetryableJobError)
                self.assertEqual(err.seconds, seconds)
                self.assertEqual(expense.ocr_state, "queued", "still waiting for its next attempt")
                self.assertEqual(expense.ocr_audit_ids.outcome, "retry")
                self.assertEqual(expense.ocr_audit_ids.http_status, status)

    def test_retry_after_as_http_date(self):
        expense = self.make_expense()
        when = "Wed, 21 Oct 2099 07:28:00 GMT"
        with self.fake_service(response(429, {"detail": "slow down"}, headers={"Retry-After": when})):
            err = self.run_job(expense, RetryableJobError)
        self.assertGreater(err.seconds, 3600)

    def test_timeout_and_connection_errors_are_retried(self):
        for error in (requests.Timeout("read timed out"), requests.ConnectionError("refused")):
            with self.subTest(error=type(error).__name__):
                expense = self.make_expense()
                with self.fake_service(error):
                    err = self.run_job(expense, RetryableJobError)
                self.assertIsNone(err.seconds, "the job function's retry pattern decides")
                audit = expense.ocr_audit_ids
                self.assertEqual((audit.outcome, audit.http_status), ("retry", 0))
                self.assertEqual(expense.ocr_state, "queued")

    def test_last_attempt_marks_the_expense_failed(self):
        expense = self.make_expense()
        expense.with_delay()._ocr_run()
        job = self.env["queue.job"].search([("model_name", "=", "hr.expense"), ("method_name", "=", "_ocr_run")])
        self.assertEqual(len(job), 1)
        job.write({"retry": job.max_retries - 1})
        with self.fake_service(response(503, {"detail": "busy"}, headers={"Retry-After": "5"})):
            self.run_job(expense.with_context(job_uuid=job.uuid), RetryableJobError)
        self.assertEqual(expense.ocr_state, "failed")
        self.assertEqual(expense.ocr_audit_ids.outcome, "failed")

    def test_refused_image_fails(self):
        for status in (413, 415, 400):
            with self.subTest(status=status):
                expense = self.make_expense()
                with self.fake_service(response(status, {"detail": "not an image we can read"})):
                    err = self.run_job(expense, FailedJobError)
                self.assertIn("not an image we can read", str(err))
                self.assertEqual(expense.ocr_state, "failed")

    def test_answer_that_is_not_json_fails(self):
        expense = self.make_expense()
        with self.fake_service(response(200, body=b"<html>proxy error</html>")):
            self.run_job(expense, FailedJobError)
        self.assertEqual(expense.ocr_state, "failed")
        self.assertIn("proxy error", expense.ocr_audit_ids.raw_response)

    def test_missing_configuration_fails_before_any_call(self):
        self.env["ir.config_parameter"].sudo().set_param("ocr.api.secret", "")
        expense = self.make_expense()
        with self.fake_service() as post:
            err = self.run_job(expense, FailedJobError)
        post.assert_not_called()
        self.assertIn("ocr.api.url", str(err))

    def test_attachment_removed_before_the_job_runs(self):
        expense = self.make_expense()
        expense.attachment_ids.unlink()
        with self.fake_service() as post:
            err = self.run_job(expense, FailedJobError)
        post.assert_not_called()
        self.assertIn("Attach a photo", str(err))
        self.assertEqual(expense.ocr_state, "failed")

    def test_expense_stays_editable_after_a_failure(self):
        expense = self.make_expense()
        with self.fake_service(response(401, {"detail": "missing or invalid bearer token"})):
            self.run_job(expense, FailedJobError)
        self.assertTrue(expense.is_editable)
        expense.with_user(self.employee_user).write({"total_amount_currency": 42.0})
        self.assertAlmostEqual(expense.total_amount_currency, 42.0)

    def test_successful_call_logs_no_token(self):
        expense = self.make_expense()
        with self.assertNoLogs("odoo.addons.hr_expense_ocr_audit", level="INFO"), self.fake_service(self.answer()):
            self.run_job(expense)
        self.assert_no_token(expense)

    def test_newest_image_is_sent_when_no_main_attachment(self):
        expense = self.make_expense(attach=False)
        self.attach(expense, name="old.jpg")
        newest = self.attach(expense, name="new.png", mimetype="image/png")
        self.attach(expense, name="notes.txt", mimetype="text/plain", data=b"notes")
        expense.message_main_attachment_id = False
        self.assertEqual(expense._ocr_pick_attachment(), newest)
        with self.fake_service(self.answer()) as post:
            self.run_job(expense)
        self.assertEqual(post.call_args.kwargs["files"]["file"][0], "new.png")
        self.assertEqual(expense.ocr_audit_ids.attachment_id, newest)

    def test_main_attachment_wins(self):
        expense = self.make_expense(attach=False)
        main = self.attach(expense, name="main.jpg")
        self.attach(expense, name="later.jpg")
        expense.message_main_attachment_id = main
        with self.fake_service(self.answer()) as post:
            self.run_job(expense)
        self.assertEqual(post.call_args.kwargs["files"]["file"][0], "main.jpg")
