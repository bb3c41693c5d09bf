# Copyright 2026 InsightPulse
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import json
import logging
import re
import time
from email.utils import parsedate_to_datetime

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError

_logger = logging.getLogger(__name__)

OCR_STATES = [
    ("none", "Not Processed"),
    ("queued", "Queued"),
    ("done", "Done"),
    ("needs_review", "Needs Review"),
    ("failed", "Failed"),
]
RECEIPT_FIELDS = ("vendor", "date", "total", "tax", "currency")
# Answers worth trying again later: the service is busy or briefly unreachable.
RETRY_STATUSES = {429, 500, 502, 503, 504}
# Answers that no retry can change: the token is wrong.
AUTH_STATUSES = {401, 403}
# VAT statuses of a sale that carries no input VAT.
NO_VAT_STATUSES = {"exempt", "non_vat", "zero_rated"}
# Expense fields a person may have typed, keyed by the receipt field they hold.
TYPED_FIELDS = {"date": "date", "total_amount_currency": "total", "total_amount": "total", "tax_ids": "tax"}
TIN_RE = re.compile(r"\bTIN\b[^0-9]{0,12}(\d{3}[- ]?\d{3}[- ]?\d{3}(?:[- ]?\d{3,5})?)", re.IGNORECASE)
DEFAULT_THRESHOLD = 0.80
DEFAULT_TIMEOUT = 30
VAT_RATE = 12.0


def _digits(value):
    return re.sub(r"\D", "", value or "")


class HrExpense(models.Model):
    _inherit = "hr.expense"

    ocr_state = fields.Selection(
        selection=OCR_STATES,
        string="OCR Status",
        default="none",
        required=True,
        copy=False,
        readonly=True,
        tracking=True,
        index=True,
    )
    ocr_vendor_name = fields.Char(string="Vendor (OCR)", copy=False, readonly=True)
    ocr_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Vendor Partner (OCR)",
        copy=False,
        readonly=True,
        help="The existing contact the receipt's vendor name or TIN matched.",
    )
    ocr_audit_ids = fields.One2many(
        comodel_name="hr.expense.ocr.audit",
        inverse_name="expense_id",
        string="OCR Audits",
        readonly=True,
    )
    ocr_audit_count = fields.Integer(compute="_compute_ocr_audit_count", string="OCR Calls")
    ocr_message = fields.Char(string="OCR Result", copy=False, readonly=True)
    ocr_review_fields = fields.Char(string="Fields to Review", copy=False, readonly=True)
    ocr_typed_fields = fields.Char(
        copy=False,
        readonly=True,
        help="Receipt fields a person set on this expense (date, total, tax): OCR never overwrites them.",
    )

    @api.depends("ocr_audit_ids")
    def _compute_ocr_audit_count(self):
        groups = self.env["hr.expense.ocr.audit"]._read_group(
            [("expense_id", "in", self.ids)], ["expense_id"], ["__count"]
        )
        counts = {expense.id: count for expense, count in groups}
        for expense in self:
            expense.ocr_audit_count = counts.get(expense.id, 0)

    # ------------------------------------------------------------------ typed values
    @api.model_create_multi
    def create(self, vals_list):
        expenses = super().create(vals_list)
        if self.env.context.get("ocr_apply"):
            return expenses
        today = fields.Date.context_today(self)
        for expense, vals in zip(expenses, vals_list, strict=True):
            typed = set()
            if vals.get("date") and expense.date != today:
                typed.add("date")
            if any(vals.get(name) for name in ("total_amount_currency", "total_amount")):
                typed.add("total")
            default_taxes = expense.product_id.supplier_taxes_id.filtered(
                lambda t, e=expense: t.company_id == e.company_id
            )
            if "tax_ids" in vals and expense.tax_ids and expense.tax_ids != default_taxes:
                typed.add("tax")
            if typed:
                expense.ocr_typed_fields = ",".join(sorted(typed))
        return expenses

    def write(self, vals):
        typed = {TYPED_FIELDS[name] for name in vals if name in TYPED_FIELDS}
        if typed and not self.env.context.get("ocr_apply"):
            for expense in self:
                current = set(filter(None, (expense.ocr_typed_fields or "").split(",")))
                if not typed <= current:
                    # sorted: a stable text whatever the order the fields came in
                    vals_typed = ",".join(sorted(current | typed))
                    super(HrExpense, expense).write({"ocr_typed_fields": vals_typed})
        return super().write(vals)

    def _ocr_typed(self):
        self.ensure_one()
        return set(filter(None, (self.ocr_typed_fields or "").split(",")))

    # ------------------------------------------------------------------ enqueue
    def _ocr_pick_attachment(self):
        """The receipt to read: the main attachment, else the newest image attached.

        Raises UserError when there is none or it is not an image, before any call."""
        self.ensure_one()
        main = self.message_main_attachment_id
        if main:
            if not (main.mimetype or "").startswith("image/"):
                raise UserError(
                    self.env._(
                        "The receipt of %(expense)s is %(name)s (%(mimetype)s), not an image: "
                        "OCR reads photos or scans saved as images (JPEG, PNG...).",
                        expense=self.display_name,
                        name=main.name,
                        mimetype=main.mimetype,
                    )
                )
            return main
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", self._name), ("res_id", "=", self.id)], order="create_date desc, id desc"
        )
        if not attachments:
            raise UserError(
                self.env._("Attach a photo of the receipt to %(expense)s first.", expense=self.display_name)
            )
        images = attachments.filtered(lambda a: (a.mimetype or "").startswith("image/"))
        if not images:
            raise UserError(
                self.env._(
                    "No attachment of %(expense)s is an image (%(names)s): "
                    "OCR reads photos or scans saved as images (JPEG, PNG...).",
                    expense=self.display_name,
                    names=", ".join(attachments.mapped("name")),
                )
            )
        return images[0]

    def action_ocr_process(self):
        """Button "Process with OCR": check every receipt, then queue one job each."""
        for expense in self:
            expense._ocr_pick_attachment()
        self._ocr_enqueue()
        return True

    def _ocr_enqueue(self):
        # the channel configured on the job function (root.ocr unless an administrator moved it)
        functions = self.env["queue.job.function"].sudo()
        channel = functions.job_config(functions.job_function_name(self._name, "_ocr_run")).channel
        for expense in self:
            expense.with_delay(
                channel=channel, description=self.env._("OCR of expense %s", expense.display_name)
            )._ocr_run()
        self.sudo().with_context(ocr_apply=True).write({"ocr_state": "queued", "ocr_message": False})

    def _ocr_auto_enqueue(self):
        """A receipt image was attached: queue the expenses whose company wants that."""
        todo = self.filtered(lambda e: e.company_id.ocr_auto_process and e.ocr_state == "none")
        if todo:
            todo._ocr_enqueue()

    # ------------------------------------------------------------------ settings
    def _ocr_settings(self):
        params = self.env["ir.config_parameter"].sudo()
        try:
            threshold = float(params.get_param("ocr.confidence.threshold") or DEFAULT_THRESHOLD)
        except ValueError:
            threshold = DEFAULT_THRESHOLD
        try:
            timeout = float(params.get_param("ocr.processing.timeout") or DEFAULT_TIMEOUT)
        except ValueError:
            timeout = DEFAULT_TIMEOUT
        return {
            "url": params.get_param("ocr.api.url") or "",
            "token": params.get_param("ocr.api.secret") or "",
            "threshold": threshold,
            "timeout": timeout,
        }

    # ------------------------------------------------------------------ the request boundary
    @api.model
    def _ocr_http_post(self, url, token, filename, content, mimetype, timeout):
        """The one HTTP call to the OCR service (tests fake it here or at requests.post)."""
        return requests.post(
            url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            files={"file": (filename, content, mimetype)},
            timeout=timeout,
        )

    # ------------------------------------------------------------------ the job
    def _ocr_run(self):
        """Job (channel root.ocr): send the receipt, write what the service read with confidence.

        Permanent failures (wrong token, configuration, refused image) raise FailedJobError;
        a busy or unreachable service raises RetryableJobError so queue_job tries again later.
        Either way the audit and the expense's OCR status are saved on their own cursor
        first, since queue_job rolls the job's transaction back."""
        self.ensure_one()
        settings = self._ocr_settings()
        base_audit = {
            "expense_id": self.id,
            "user_id": self.env.uid,
            "threshold": settings["threshold"],
            "request_date": fields.Datetime.now(),
        }
        try:
            attachment = self._ocr_pick_attachment()
        except UserError as err:
            self._ocr_fail(base_audit, str(err), retry=False)
        base_audit.update(
            attachment_id=attachment.id,
            attachment_name=attachment.name,
            attachment_checksum=attachment.checksum,
        )
        if not settings["url"] or not settings["token"]:
            self._ocr_fail(
                base_audit,
                self.env._("OCR is not configured: set the system parameters ocr.api.url and ocr.api.secret."),
                retry=False,
            )
        started = time.monotonic()
        try:
            response = self._ocr_http_post(
                settings["url"],
                settings["token"],
                attachment.name or "receipt",
                attachment.sudo().raw,
                attachment.mimetype,
                settings["timeout"],
            )
        except requests.Timeout:
            base_audit["duration_ms"] = int((time.monotonic() - started) * 1000)
            self._ocr_fail(
                base_audit,
                self.env._("The OCR service did not answer within %s seconds.", settings["timeout"]),
                retry=True,
            )
        except requests.RequestException as err:
            base_audit["duration_ms"] = int((time.monotonic() - started) * 1000)
            self._ocr_fail(
                base_audit,
                self.env._("Cannot reach the OCR service: %s", err.__class__.__name__),
                retry=True,
            )
        base_audit["duration_ms"] = int((time.monotonic() - started) * 1000)
        status = response.status_code
        base_audit["http_status"] = status
        base_audit["raw_response"] = (response.text or "")[:100000]
        if status in AUTH_STATUSES:
            self._ocr_fail(
                base_audit,
                self.env._(
                    "The OCR service refused the token (HTTP %s): "
                    "check the system parameter ocr.api.secret against the service's token.",
                    status,
                ),
                retry=False,
            )
        if status in RETRY_STATUSES:
            self._ocr_fail(
                base_audit,
                self.env._("The OCR service is busy or unavailable (HTTP %s).", status),
                retry=True,
                seconds=self._ocr_retry_after(response),
            )
        if status != 200:
            self._ocr_fail(
                base_audit,
                self.env._(
                    "The OCR service refused the receipt (HTTP %(status)s): %(detail)s",
                    status=status,
                    detail=self._ocr_detail(response),
                ),
                retry=False,
            )
        try:
            data = response.json()
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError:
            self._ocr_fail(base_audit, self.env._("The OCR service answered something that is not JSON."), retry=False)
        return self._ocr_apply(data, settings["threshold"], base_audit)

    @staticmethod
    def _ocr_retry_after(response):
        """Seconds from a Retry-After header (seconds or an HTTP date), or None."""
        value = (response.headers.get("Retry-After") or "").strip()
        if not value:
            return None
        if value.isdigit():
            return max(int(value), 1)
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(int(moment.timestamp() - time.time()), 1)

    @staticmethod
    def _ocr_detail(response):
        try:
            detail = response.json().get("detail")
        except (ValueError, AttributeError):
            detail = None
        return str(detail or response.reason or "")[:500]

    def _ocr_is_last_attempt(self):
        """True when queue_job will not run this job again after a retryable error."""
        uuid = self.env.context.get("job_uuid")
        if not uuid:
            return False
        job = self.env["queue.job"].sudo().search([("uuid", "=", uuid)], limit=1)
        # the stored retry counts the attempts before this one
        return bool(job.max_retries) and job.retry + 1 >= job.max_retries

    def _ocr_fail(self, audit_vals, message, retry, seconds=None):
        """Save the audit and the OCR status on a cursor of their own, then raise for queue_job."""
        final = not retry or self._ocr_is_last_attempt()
        state = "failed" if final else "queued"
        outcome = "failed" if final else "retry"
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr)
            expense = self.with_env(env).sudo().with_context(ocr_apply=True)
            env["hr.expense.ocr.audit"].sudo().create(dict(audit_vals, outcome=outcome, message=message))
            expense.write({"ocr_state": state, "ocr_message": message})
            if final:
                expense.message_post(body=self.env._("OCR failed: %s", message), subtype_xmlid="mail.mt_note")
        _logger.warning("OCR of hr.expense %s: %s", self.id, message)
        if retry:
            raise RetryableJobError(message, seconds=seconds)
        raise FailedJobError(message)

    # ------------------------------------------------------------------ results
    @staticmethod
    def _ocr_field(data, name, threshold):
        """(value, confidence, accepted) of one receipt field; unknown keys are ignored."""
        field = (data.get("fields") or {}).get(name)
        if not isinstance(field, dict):
            return None, 0.0, False
        value = field.get("value")
        try:
            confidence = float(field.get("confidence") or 0.0)
        except (TypeError, ValueError):
            confidence = 0.0
        trusted = field.get("trusted", True) is not False
        accepted = value not in (None, "") and trusted and confidence >= threshold
        return value, confidence, accepted

    @staticmethod
    def _ocr_vat_status(data):
        """The service's VAT status (vatable, exempt, non_vat, ...), wherever it puts it, or None."""
        raw = (data.get("fields") or {}).get("vat_status", data.get("vat_status"))
        if isinstance(raw, dict):
            if raw.get("trusted") is False:
                return None
            raw = raw.get("value")
        return str(raw).lower() if raw else None

    def _ocr_tin(self, data, threshold):
        """The vendor's TIN: a `tin` field if the service sends one, else a TIN line read with confidence."""
        for name in ("vendor_tin", "tin"):
            value, _conf, accepted = self._ocr_field(data, name, threshold)
            if accepted and len(_digits(str(value))) >= 9:
                return _digits(str(value))
        for line in data.get("lines") or []:
            if not isinstance(line, dict):
                continue
            match = TIN_RE.search(str(line.get("text") or ""))
            try:
                confidence = float(line.get("confidence") or 0.0)
            except (TypeError, ValueError):
                confidence = 0.0
            if match and confidence >= threshold:
                return _digits(match.group(1))
        return None

    def _ocr_match_partner(self, name, tin):
        """An existing contact with the receipt's TIN, else exactly its name (case-insensitive)."""
        Partner = self.env["res.partner"].sudo()
        company = ["|", ("company_id", "=", False), ("company_id", "=", self.company_id.id)]
        if tin:
            candidates = Partner.search(company + [("vat", "ilike", tin[:3])], limit=200)
            for partner in candidates:
                vat = _digits(partner.vat)
                # the first nine digits name the taxpayer; the rest is the branch
                if vat == tin or (len(vat) >= 9 and vat[:9] == tin[:9]):
                    return partner.commercial_partner_id
        if name:
            cleaned = " ".join(str(name).split())
            partner = Partner.search(company + [("name", "=ilike", cleaned)], limit=1)
            if partner:
                return partner.commercial_partner_id
        return Partner

    def _ocr_vat_tax(self):
        """The company's 12% VAT purchase tax: of several (the Philippine chart has goods,
        services, capital goods...), the first without a goods/services scope."""
        taxes = (
            self.env["account.tax"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("type_tax_use", "=", "purchase"),
                    ("amount_type", "=", "percent"),
                    ("amount", "=", VAT_RATE),
                ],
                order="sequence, id",
            )
        )
        return taxes.sorted(lambda t: bool(t.tax_scope))[:1]

    def _ocr_apply(self, data, threshold, audit_vals):
        """Write the fields read with confidence into empty places; report the rest for review."""
        self.ensure_one()
        typed = self._ocr_typed()
        values, applied, review = {}, [], []
        read = {name: self._ocr_field(data, name, threshold) for name in RECEIPT_FIELDS}
        vat_status = self._ocr_vat_status(data)

        # vendor: the text always; the contact when one matches and none is set
        vendor, vendor_conf, vendor_ok = read["vendor"]
        tin = self._ocr_tin(data, threshold)
        partner = self._ocr_match_partner(vendor if vendor_ok else None, tin)
        expense_vals = {"ocr_vendor_name": str(vendor) if vendor_ok else False, "ocr_partner_id": partner.id}
        if vendor_ok or partner:
            if partner and not self.vendor_id:
                values["vendor_id"] = partner.id
            applied.append("vendor")
        else:
            review.append(self.env._("vendor (confidence %.2f)", vendor_conf))

        # date
        date_value, date_conf, date_ok = read["date"]
        if date_ok:
            try:
                receipt_date = fields.Date.to_date(str(date_value))
            except ValueError:
                receipt_date = None
            if not receipt_date:
                review.append(self.env._("date (unreadable %s)", date_value))
            elif "date" not in typed:
                values["date"] = receipt_date
                applied.append("date")
        else:
            review.append(self.env._("date (confidence %.2f)", date_conf))

        # total, in the expense's currency only
        currency, _currency_conf, currency_ok = read["currency"]
        total, total_conf, total_ok = read["total"]
        same_currency = not currency_ok or str(currency).upper() == self.currency_id.name
        if not same_currency:
            review.append(
                self.env._(
                    "total (receipt in %(receipt)s, expense in %(expense)s)",
                    receipt=currency,
                    expense=self.currency_id.name,
                )
            )
        elif total_ok:
            try:
                amount = float(total)
            except (TypeError, ValueError):
                amount = None
            if amount is None or amount <= 0:
                review.append(self.env._("total (unreadable %s)", total))
            elif (
                "total" not in typed
                and not self.product_has_cost
                and float_is_zero(self.total_amount_currency, precision_rounding=self.currency_id.rounding)
            ):
                values["total_amount_currency"] = amount
                applied.append("total")
        else:
            review.append(self.env._("total (confidence %.2f)", total_conf))

        # tax: the 12% VAT purchase tax when the receipt shows VAT, none for a sale without VAT
        tax, tax_conf, tax_ok = read["tax"]
        tax_amount = None
        if tax_ok:
            try:
                tax_amount = float(tax)
            except (TypeError, ValueError):
                tax_amount = None
        if vat_status in NO_VAT_STATUSES or (tax_amount is not None and float_is_zero(tax_amount, 2)):
            if "tax" not in typed:
                values["tax_ids"] = [fields.Command.clear()]
                applied.append("tax")
        elif tax_amount is not None and tax_amount > 0:
            vat = self._ocr_vat_tax()
            if not vat:
                review.append(self.env._("tax (no 12%% VAT purchase tax in %s)", self.company_id.name))
            elif "tax" not in typed:
                values["tax_ids"] = [fields.Command.set(vat.ids)]
                applied.append("tax")
        else:
            review.append(self.env._("tax (confidence %.2f)", tax_conf))

        state = "needs_review" if review else "done"
        message = (
            self.env._("Needs review: %s", "; ".join(review))
            if review
            else self.env._("Read from the receipt with confidence.")
        )
        expense_vals.update(
            ocr_state=state,
            ocr_message=message,
            ocr_review_fields="; ".join(review) or False,
        )
        writer = self.sudo().with_context(ocr_apply=True)
        writer.write(dict(values, **expense_vals))
        audit = (
            self.env["hr.expense.ocr.audit"]
            .sudo()
            .create(
                dict(
                    audit_vals,
                    outcome=state,
                    message=message,
                    engine=str(data.get("engine") or "")[:64] or False,
                    vendor_value=str(vendor) if vendor is not None else False,
                    vendor_confidence=vendor_conf,
                    date_value=str(date_value) if date_value is not None else False,
                    date_confidence=date_conf,
                    total_value=self._ocr_float(total),
                    total_confidence=total_conf,
                    tax_value=self._ocr_float(tax),
                    tax_confidence=tax_conf,
                    currency_value=str(currency) if currency is not None else False,
                    currency_confidence=read["currency"][1],
                    vat_status=vat_status or False,
                    applied_fields=",".join(applied) or False,
                    review_fields="; ".join(review) or False,
                )
            )
        )
        writer.message_post(body=message, subtype_xmlid="mail.mt_note")
        return json.dumps({"state": state, "applied": applied, "audit": audit.id})

    @staticmethod
    def _ocr_float(value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return 0.0

    def action_view_ocr_audits(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("hr_expense_ocr_audit.action_hr_expense_ocr_audit")
        action["domain"] = [("expense_id", "=", self.id)]
        action["context"] = {"default_expense_id": self.id}
        return action
