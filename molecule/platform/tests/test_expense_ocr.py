"""Receipt photos become expenses, end to end on the converged platform: expenses created
over JSON-RPC through the Nginx front, a generated receipt attached to each (the OCR
service's own generator: what the image says is known), "Process with OCR" called as the
button calls it, the queue_job job on the channel root.ocr calling the real OCR service on
the OCR host with its bearer token, and the fields read back. What is written must be what
the receipt says; what is not trusted is left for review, never guessed."""

import json
import os
import time

import pytest
from conftest import receipt

# (kind, seed) of the generator: VAT receipts, then the kinds that read 0 VAT.
CASES = [("standard", 1000), ("standard", 1001), ("standard", 1002), ("vat_exempt", 11), ("non_vat", 12)]
RESULTS = os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], ".cache", "results", "expense-ocr-e2e.json")
OCR_TOKEN_FILE = "/etc/ocr/token"  # noqa: S105 - ocr_token_file, a path


@pytest.fixture(scope="module")
def vat12(odoo):
    """The company's 12% VAT purchase tax: the Philippine chart of accounts brings it, with
    pesos, because the odoo role set the company's country before accounting installed."""
    company = odoo("res.users", "read", [odoo.uid], ["company_id"])[0]["company_id"][0]
    currency = odoo("res.company", "read", [company], ["currency_id"])[0]["currency_id"][1]
    assert currency == "PHP"
    domain = [("company_id", "=", company), ("type_tax_use", "=", "purchase"), ("amount", "=", 12.0),
              ("amount_type", "=", "percent")]
    found = odoo("account.tax", "search", domain, limit=1)
    assert found, "the Philippine chart's 12% VAT purchase tax is missing"
    return found[0]


@pytest.fixture(scope="module")
def processed(odoo, vat12):
    employee = odoo("hr.employee", "search", [("user_id", "=", odoo.uid)], limit=1)
    employee = employee[0] if employee else odoo("hr.employee", "create", {"name": "Molecule Admin",
                                                                            "user_id": odoo.uid})
    expenses = []
    for kind, seed in CASES:
        expected, jpeg = receipt(seed, kind)
        expense = odoo("hr.expense", "create", {"name": f"Receipt {kind} {seed}", "employee_id": employee})
        odoo("ir.attachment", "create", {"name": f"receipt-{seed}.jpg", "datas": jpeg, "res_model": "hr.expense",
                                         "res_id": expense, "mimetype": "image/jpeg"})
        expenses.append((kind, seed, expected, expense))
    clicked = {}
    for _kind, _seed, _expected, expense in expenses:
        odoo("hr.expense", "action_ocr_process", [expense])
        clicked[expense] = time.monotonic()
    filled, deadline = {}, time.monotonic() + 300
    while len(filled) < len(expenses) and time.monotonic() < deadline:
        pending = [e for *_, e in expenses if e not in filled]
        for row in odoo("hr.expense", "read", pending, ["ocr_state"]):
            if row["ocr_state"] != "queued":
                filled[row["id"]] = time.monotonic() - clicked[row["id"]]
        time.sleep(1)
    fields = ["ocr_state", "total_amount_currency", "date", "tax_ids", "ocr_vendor_name", "ocr_review_fields",
              "ocr_audit_ids"]
    rows = {r["id"]: r for r in odoo("hr.expense", "read", [e for *_, e in expenses], fields)}
    results = [
        {"kind": kind, "seed": seed, "expected": expected, "read": rows[expense], "seconds": filled.get(expense)}
        for kind, seed, expected, expense in expenses
    ]
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as handle:
        json.dump(results, handle, indent=1, default=str)
    return results


def test_every_job_ran_and_finished(processed):
    states = {(r["kind"], r["seed"]): r["read"]["ocr_state"] for r in processed}
    assert all(state in ("done", "needs_review") for state in states.values()), states
    assert all(r["seconds"] is not None for r in processed)


def test_the_amount_is_the_receipts_total(processed):
    for r in processed:
        assert r["read"]["total_amount_currency"] == pytest.approx(r["expected"]["total"]), r


def test_what_is_written_is_what_the_receipt_says(processed, vat12):
    for r in processed:
        read, expected = r["read"], r["expected"]
        review = read["ocr_review_fields"] or ""
        if "date" not in review:
            assert read["date"] == expected["date"], r
        if expected["vat_status"] == "vatable" and "tax" not in review:
            assert read["tax_ids"] == [vat12], r
        if expected["vat_status"] != "vatable":
            assert read["tax_ids"] == [], r
        if read["ocr_state"] == "needs_review":
            assert review, r


def test_each_call_left_an_audit_without_the_token(odoo, ocr, processed):
    token = ocr.file(OCR_TOKEN_FILE).content_string.strip()
    audits = [a for r in processed for a in r["read"]["ocr_audit_ids"]]
    assert len(audits) == len(processed)
    rows = odoo("hr.expense.ocr.audit", "read", audits, ["http_status", "attachment_checksum", "raw_response",
                                                         "applied_fields"])
    for row in rows:
        assert row["http_status"] == 200 and len(row["attachment_checksum"]) == 40, row
        assert "total" in (row["applied_fields"] or "")
        assert token not in (row["raw_response"] or "")
