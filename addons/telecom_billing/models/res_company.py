from odoo import api, fields, models
from odoo.exceptions import ValidationError

AUTOPAY_TIMINGS = [
    ("before_due", "Days before the due date"),
    ("posting", "When the bill is posted"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    telecom_bill_auto_post = fields.Boolean(
        string="Post Telecom Invoices Automatically",
        help="Bill runs post their invoices at once; otherwise they stay in draft for review.",
    )
    telecom_bill_auto_send = fields.Boolean(
        string="Send Telecom Bills Automatically",
        default=True,
        help="Bill runs deliver their bills (email, portal notice or paper) as soon as they "
        "are done; otherwise staff preview them and start the delivery from the run.",
    )
    telecom_bill_attach_pdf = fields.Boolean(
        string="Attach the PDF to Bill Emails",
        help="Bill emails carry the bill as a PDF. Off (the default), they link to the bill on "
        "the customer portal, where it is rendered when the customer opens it: a PDF takes "
        "about two seconds to render, too long for 100,000 bills in a night on two cores.",
    )
    telecom_tax_engine_id = fields.Many2one(
        "telecom.tax.engine",
        string="Telecom Tax Engine",
        help="Engine computing telecom taxes and regulatory fees on bill-run invoices; the "
        "company's built-in tax tables when empty.",
    )
    # not required in the database: a company created by a module loaded before this one
    # (Odoo's own tests do) does not know these fields; the defaults and the settings apply
    telecom_autopay_timing = fields.Selection(
        AUTOPAY_TIMINGS,
        string="Autopay Charges",
        default="before_due",
        help="When autopay charges a bill: a number of days before its due date (never before "
        "the bill date), or as soon as it is posted. Empty: days before the due date.",
    )
    telecom_autopay_days_before_due = fields.Integer(string="Autopay Days Before Due", default=3)
    telecom_autopay_retry_days = fields.Char(
        string="Autopay Retries (days)",
        default="1,3,7",
        help="Days after the first failed charge on which autopay tries again, comma-separated. "
        "When the last retry fails (or at once when empty), the overdue policy takes over.",
    )

    @api.constrains("telecom_autopay_days_before_due", "telecom_autopay_retry_days")
    def _check_telecom_autopay_settings(self):
        for company in self:
            if company.telecom_autopay_days_before_due < 0:
                raise ValidationError(self.env._("Autopay days before due cannot be negative."))
            company._telecom_autopay_retry_schedule()

    def _telecom_autopay_retry_schedule(self):
        """The retry days, increasing: ``[1, 3, 7]``."""
        self.ensure_one()
        text = (self.telecom_autopay_retry_days or "").replace(" ", "")
        try:
            days = [int(day) for day in text.split(",") if day]
        except ValueError:
            days = None
        if days is None or any(d <= 0 for d in days) or days != sorted(set(days)):
            raise ValidationError(
                self.env._(
                    "Autopay retries must be increasing numbers of days after the first failure, "
                    "separated by commas, e.g. 1,3,7 (not %(value)s).",
                    value=self.telecom_autopay_retry_days,
                )
            )
        return days
