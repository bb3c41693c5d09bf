# Copyright 2026 InsightPulse
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Shared set-up of the OCR tests.

The OCR service is faked at the request boundary (``requests.post`` as the addon's
model calls it): the fake answers real ``requests.Response`` objects shaped like the
service's answers (services/ocr: ``fields`` with ``value``/``confidence``/``trusted``,
``lines``, 401/403/413/415/429/503 with ``Retry-After``). Nothing else is faked.
"""

import base64
import json
from contextlib import contextmanager
from unittest.mock import patch

import requests

from odoo.tests.common import TransactionCase, new_test_user

from odoo.addons.hr_expense_ocr_audit.models import hr_expense as hr_expense_module

# a 1x1 PNG: the addon sends bytes and a mimetype, the fake service never decodes them
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
TOKEN = "ocr-test-token-5f2a9c"  # noqa: S105 - a test value, checked never to leak
URL = "http://ocr.test:8001/ocr"


def service_answer(**fields):
    """A 200 answer of the OCR service; ``fields`` override (or, with None, drop) fields."""
    answer_fields = {
        "vendor": {"value": "JOLLIBEE FOODS CORPORATION", "confidence": 0.94, "trusted": True},
        "date": {"value": "2026-11-21", "confidence": 0.97, "trusted": True},
        "total": {"value": 1120.0, "confidence": 0.96, "trusted": True},
        "tax": {"value": 120.0, "confidence": 0.98, "trusted": True},
        "currency": {"value": "PHP", "confidence": 0.95, "trusted": True},
    }
    if isinstance(fields.get("currency"), str):
        fields["currency"] = {"value": fields["currency"], "confidence": 0.95, "trusted": True}
    for name, value in fields.items():
        if value is None:
            answer_fields.pop(name, None)
        else:
            answer_fields[name] = value
    return {
        "engine": "rapidocr",
        "image": {"width": 1200, "height": 1600},
        "lines": [
            {"text": "JOLLIBEE FOODS CORPORATION", "confidence": 0.97, "box": [[0, 0], [1, 0], [1, 1], [0, 1]]},
            {"text": "TOTAL AMOUNT DUE PHP1,120.00", "confidence": 0.99, "box": [[0, 2], [1, 2], [1, 3], [0, 3]]},
        ],
        "text": "JOLLIBEE FOODS CORPORATION\nTOTAL AMOUNT DUE PHP1,120.00",
        "fields": answer_fields,
        "min_confidence": 0.6,
        "timing_ms": {"decode": 45.0, "ocr": 900.0, "parse": 2.0},
    }


def response(status=200, payload=None, headers=None, body=None):
    """A real requests.Response as the service would send it."""
    resp = requests.Response()
    resp.status_code = status
    resp.reason = requests.status_codes._codes.get(status, ("",))[0].upper().replace("_", " ")
    resp.headers["Content-Type"] = "application/json"
    resp.headers.update(headers or {})
    if body is None:
        body = json.dumps(payload if payload is not None else {"detail": resp.reason}).encode()
    resp._content = body
    resp.encoding = "utf-8"
    resp.url = URL
    return resp


class OcrCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The job saves its audit of a failed call on a cursor of its own (the job's own
        # transaction is rolled back); in test mode that cursor shares the test transaction.
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        ph = cls.env.ref("base.ph")
        cls.company.write({"country_id": ph.id, "account_fiscal_country_id": ph.id})
        cls.currency = cls.company.currency_id
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("ocr.api.url", URL)
        params.set_param("ocr.api.secret", TOKEN)
        params.set_param("ocr.confidence.threshold", "0.80")
        params.set_param("ocr.processing.timeout", "30")
        cls.vat_group = cls.env["account.tax.group"].create(
            {"name": "VAT 12% (test)", "company_id": cls.company.id, "country_id": cls.company.country_id.id}
        )
        cls.vat12 = cls.env["account.tax"].create(
            {
                "tax_group_id": cls.vat_group.id,
                "country_id": ph.id,
                "name": "12% VAT on purchases (test)",
                "amount": 12.0,
                "amount_type": "percent",
                "type_tax_use": "purchase",
                "company_id": cls.company.id,
                "sequence": 1,
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Meals (OCR test)",
                "type": "service",
                "can_be_expensed": True,
                "standard_price": 0.0,
                "supplier_taxes_id": [(6, 0, [])],
            }
        )
        cls.employee_user = new_test_user(cls.env, login="ocr_employee", groups="base.group_user")
        cls.other_user = new_test_user(cls.env, login="ocr_other", groups="base.group_user")
        cls.manager_user = new_test_user(
            cls.env, login="ocr_manager", groups="base.group_user,hr_expense.group_hr_expense_manager"
        )
        Employee = cls.env["hr.employee"]
        cls.employee = Employee.create({"name": "OCR Employee", "user_id": cls.employee_user.id})
        cls.other_employee = Employee.create({"name": "OCR Other", "user_id": cls.other_user.id})
        cls.manager_employee = Employee.create({"name": "OCR Manager", "user_id": cls.manager_user.id})
        cls.jollibee = cls.env["res.partner"].create({"name": "Jollibee Foods Corporation", "is_company": True})

    def make_expense(self, employee=None, attach=True, **vals):
        expense = self.env["hr.expense"].create(
            dict(
                {
                    "name": "Lunch",
                    "employee_id": (employee or self.employee).id,
                    "product_id": self.product.id,
                },
                **vals,
            )
        )
        if attach:
            self.attach(expense)
        return expense

    def attach(self, expense, name="receipt.jpg", mimetype="image/jpeg", data=PNG):
        return self.env["ir.attachment"].create(
            {
                "name": name,
                "res_model": "hr.expense",
                "res_id": expense.id,
                "raw": data,
                "mimetype": mimetype,
            }
        )

    def answer(self, **fields):
        """A 200 answer in the company's currency (the expense's, by default)."""
        fields.setdefault("currency", self.currency.name)
        return response(200, service_answer(**fields))

    @contextmanager
    def fake_service(self, *answers):
        """requests.post answers these in turn (an exception instance is raised instead)."""
        with patch.object(hr_expense_module.requests, "post", side_effect=list(answers)) as post:
            yield post

    def run_job(self, expense, expected=None):
        """Run the job body; return the exception of class ``expected`` it raised.

        Not assertRaises: Odoo's rolls its savepoint back, which would also undo what the
        job saved on its own cursor, and that is what these tests look at."""
        try:
            result = expense._ocr_run()
        except Exception as err:
            if expected is None or not isinstance(err, expected):
                raise
            self.env.invalidate_all()
            return err
        if expected is not None:
            self.fail(f"_ocr_run() returned {result!r} instead of raising {expected.__name__}")
        self.env.invalidate_all()
        return result
