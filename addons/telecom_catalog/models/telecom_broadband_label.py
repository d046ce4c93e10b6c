import csv
import io
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_repr

CONNECTION_TYPES = [("fixed", "Fixed Broadband"), ("mobile", "Mobile Broadband")]
# Plans that carry a broadband label, and the kind of label each gets.
LABELLED_SERVICE_TYPES = {"broadband": "fixed", "mobile": "mobile"}
PLAN_CODE_PATTERN = re.compile(r"^[A-Za-z0-9]{1,15}$")
URL_PATTERN = re.compile(r"^https?://\S+\.\S+$")
LABEL_ROUTE = "/telecom/label/"
CSV_ROUTE = "/telecom/labels.csv"
# Columns of the machine-readable export, in order (see README.rst).
CSV_COLUMNS = [
    "unique_plan_identifier",
    "provider_name",
    "plan_name",
    "connection_type",
    "status",
    "currency",
    "monthly_price",
    "introductory_price",
    "introductory_period_months",
    "contract_required",
    "contract_months",
    "contract_terms_url",
    "monthly_provider_fees",
    "one_time_fees",
    "early_termination_fee",
    "government_taxes",
    "typical_download_mbps",
    "typical_upload_mbps",
    "typical_latency_ms",
    "data_included_gb",
    "overage_charge",
    "overage_increment_gb",
    "network_management_url",
    "privacy_policy_url",
    "customer_support_url",
    "customer_support_phone",
    "bundle_discounts_url",
    "label_url",
]


class TelecomBroadbandLabel(models.Model):
    _name = "telecom.broadband.label"
    _description = "Broadband Consumer Label (FCC 22-86)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "product_tmpl_id, id"
    _check_company_auto = True
    _sql_constraints = [
        (
            "unique_identifier_uniq",
            "UNIQUE(unique_identifier)",
            "Another broadband label already uses this unique plan identifier.",
        ),
        ("plan_uniq", "UNIQUE(product_tmpl_id)", "A plan has one broadband label."),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(related="product_tmpl_id.name", string="Plan Name")
    active = fields.Boolean(
        default=True,
        tracking=True,
        help="Archived labels belong to plans no longer offered (grandfathered): they stay "
        "readable on their public page.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Plan",
        required=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        domain="[('telecom_service_type', 'in', ('broadband', 'mobile'))]",
    )
    plan_grandfathered = fields.Boolean(related="product_tmpl_id.telecom_grandfathered")
    connection_type = fields.Selection(
        CONNECTION_TYPES, compute="_compute_connection_type", store=True
    )
    plan_code = fields.Char(
        string="Plan Identifier",
        compute="_compute_plan_code",
        store=True,
        readonly=False,
        tracking=True,
        help="Up to 15 letters or digits identifying the plan; by default the plan's internal "
        "reference. The unique identifier is F + the company's FRN + this.",
    )
    unique_identifier = fields.Char(
        string="Unique Plan Identifier",
        compute="_compute_unique_identifier",
        store=True,
        index=True,
        tracking=True,
        help="F + FCC Registration Number + plan identifier, as the FCC requires.",
    )
    # Price
    monthly_price = fields.Monetary(
        compute="_compute_monthly_price",
        store=True,
        readonly=False,
        tracking=True,
        help="Monthly price before any introductory rate; by default the plan's sales price.",
    )
    intro_price = fields.Monetary(
        string="Introductory Price",
        tracking=True,
        help="Monthly price during the introductory period. Leave empty without one.",
    )
    intro_months = fields.Integer(
        string="Introductory Period (Months)",
        tracking=True,
        help="Length of the introductory period; the monthly price applies afterwards.",
    )
    contract_required = fields.Boolean(tracking=True)
    contract_months = fields.Integer(string="Contract Length (Months)")
    contract_terms_url = fields.Char(string="Contract Terms Link")
    fee_ids = fields.One2many("telecom.broadband.label.fee", "label_id", string="Fees", copy=True)
    early_termination_fee = fields.Monetary()
    government_taxes = fields.Char(
        default="Varies by location",
        help="What the label says about government taxes, e.g. 'Varies by location'.",
    )
    # Speeds and data
    typical_download_mbps = fields.Float(
        string="Typical Download Speed (Mbps)",
        compute="_compute_typical_speeds",
        store=True,
        readonly=False,
        tracking=True,
        help="Typical (not maximum) download speed; by default the plan's download_mbps "
        "provisioning attribute.",
    )
    typical_upload_mbps = fields.Float(
        string="Typical Upload Speed (Mbps)",
        compute="_compute_typical_speeds",
        store=True,
        readonly=False,
        tracking=True,
    )
    typical_latency_ms = fields.Float(string="Typical Latency (ms)", tracking=True)
    data_included_gb = fields.Float(
        string="Data Included (GB)",
        tracking=True,
        help="Monthly data allowance in GB; 0 means unlimited.",
    )
    overage_charge = fields.Monetary(
        help="Price of each extra increment of data beyond the allowance."
    )
    overage_increment_gb = fields.Float(string="Overage Increment (GB)")
    # Policy links
    network_management_url = fields.Char(string="Network Management Policy Link")
    privacy_policy_url = fields.Char(string="Privacy Policy Link")
    customer_support_url = fields.Char(string="Customer Support Link")
    customer_support_phone = fields.Char(string="Customer Support Phone")
    bundle_discounts_url = fields.Char(
        string="Bundle Discounts Link",
        help="Page listing the discounts and bundles available with this plan.",
    )
    label_url = fields.Char(string="Public Page", compute="_compute_label_url")

    # ------------------------------------------------------------
    # COMPUTE
    # ------------------------------------------------------------

    @api.depends("product_tmpl_id.telecom_service_type")
    def _compute_connection_type(self):
        for label in self:
            label.connection_type = LABELLED_SERVICE_TYPES.get(
                label.product_tmpl_id.telecom_service_type, "fixed"
            )

    @api.depends("product_tmpl_id")
    def _compute_plan_code(self):
        for label in self:
            code = re.sub(r"[^A-Za-z0-9]", "", label.product_tmpl_id.default_code or "")
            label.plan_code = label.plan_code or code[:15] or False

    @api.depends("company_id.telecom_frn", "plan_code")
    def _compute_unique_identifier(self):
        for label in self:
            frn = label.company_id.telecom_frn
            label.unique_identifier = (
                f"F{frn}{label.plan_code}" if frn and label.plan_code else False
            )

    @api.depends("product_tmpl_id.list_price")
    def _compute_monthly_price(self):
        for label in self:
            label.monthly_price = label.product_tmpl_id.list_price

    @api.depends("product_tmpl_id")
    def _compute_typical_speeds(self):
        for label in self:
            plan = label.product_tmpl_id
            label.typical_download_mbps = plan._telecom_attribute(
                "download_mbps", label.typical_download_mbps
            )
            label.typical_upload_mbps = plan._telecom_attribute(
                "upload_mbps", label.typical_upload_mbps
            )

    @api.depends("unique_identifier")
    def _compute_label_url(self):
        for label in self:
            label.label_url = (
                f"{label.get_base_url()}{LABEL_ROUTE}{label.unique_identifier}"
                if label.unique_identifier
                else False
            )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("product_tmpl_id", "company_id", "plan_code")
    def _check_identity(self):
        for label in self:
            if label.product_tmpl_id.telecom_service_type not in LABELLED_SERVICE_TYPES:
                raise ValidationError(
                    self.env._(
                        "%(plan)s is not a broadband or mobile broadband plan: it does not "
                        "take a broadband label.",
                        plan=label.product_tmpl_id.name,
                    )
                )
            if not label.company_id.telecom_frn:
                raise ValidationError(
                    self.env._(
                        "Set the FCC Registration Number (FRN) of %(company)s in the Telecom "
                        "settings before creating broadband labels: it is part of each label's "
                        "unique identifier.",
                        company=label.company_id.name,
                    )
                )
            if not PLAN_CODE_PATTERN.match(label.plan_code or ""):
                raise ValidationError(
                    self.env._(
                        "The plan identifier of the label of %(plan)s must be 1 to 15 letters "
                        "or digits; %(code)r is not.",
                        plan=label.name,
                        code=label.plan_code or "",
                    )
                )

    @api.constrains(
        "monthly_price",
        "intro_price",
        "intro_months",
        "early_termination_fee",
        "overage_charge",
        "contract_required",
        "contract_months",
    )
    def _check_prices(self):
        for label in self:
            amounts = {
                self.env._("monthly price"): label.monthly_price,
                self.env._("introductory price"): label.intro_price,
                self.env._("early termination fee"): label.early_termination_fee,
                self.env._("data overage charge"): label.overage_charge,
            }
            for what, amount in amounts.items():
                if label.currency_id.compare_amounts(amount, 0.0) < 0:
                    raise ValidationError(
                        self.env._(
                            "The %(what)s on the broadband label of %(plan)s cannot be negative.",
                            what=what,
                            plan=label.name,
                        )
                    )
            if label.intro_months < 0 or label.contract_months < 0:
                raise ValidationError(
                    self.env._(
                        "The introductory period and the contract length on the broadband "
                        "label of %(plan)s cannot be negative.",
                        plan=label.name,
                    )
                )
            has_intro_price = not label.currency_id.is_zero(label.intro_price)
            if has_intro_price != bool(label.intro_months):
                raise ValidationError(
                    self.env._(
                        "The broadband label of %(plan)s needs both an introductory price and "
                        "an introductory period, or neither.",
                        plan=label.name,
                    )
                )
            if label.contract_required and not label.contract_months:
                raise ValidationError(
                    self.env._(
                        "The broadband label of %(plan)s requires a contract: give its length "
                        "in months.",
                        plan=label.name,
                    )
                )

    @api.constrains(
        "typical_download_mbps",
        "typical_upload_mbps",
        "typical_latency_ms",
        "data_included_gb",
        "overage_increment_gb",
    )
    def _check_performance(self):
        for label in self:
            speeds = {
                self.env._("typical download speed"): label.typical_download_mbps,
                self.env._("typical upload speed"): label.typical_upload_mbps,
                self.env._("typical latency"): label.typical_latency_ms,
            }
            for what, value in speeds.items():
                if value <= 0:
                    raise ValidationError(
                        self.env._(
                            "The %(what)s on the broadband label of %(plan)s must be greater "
                            "than zero.",
                            what=what,
                            plan=label.name,
                        )
                    )
            if label.data_included_gb < 0 or label.overage_increment_gb < 0:
                raise ValidationError(
                    self.env._(
                        "The data allowance and overage increment on the broadband label of "
                        "%(plan)s cannot be negative (0 GB means unlimited data).",
                        plan=label.name,
                    )
                )

    @api.constrains(
        "network_management_url",
        "privacy_policy_url",
        "customer_support_url",
        "customer_support_phone",
        "bundle_discounts_url",
        "contract_terms_url",
    )
    def _check_links(self):
        for label in self:
            required = {
                "network_management_url": self.env._("network management policy"),
                "privacy_policy_url": self.env._("privacy policy"),
                "customer_support_url": self.env._("customer support"),
            }
            missing = [what for field, what in required.items() if not label[field]]
            if missing:
                raise ValidationError(
                    self.env._(
                        "The broadband label of %(plan)s needs links to the %(missing)s.",
                        plan=label.name,
                        missing=", ".join(missing),
                    )
                )
            for field in (*required, "bundle_discounts_url", "contract_terms_url"):
                url = label[field]
                if url and not URL_PATTERN.match(url):
                    raise ValidationError(
                        self.env._(
                            "%(url)r on the broadband label of %(plan)s is not a web link: it "
                            "must start with https:// (or http://).",
                            url=url,
                            plan=label.name,
                        )
                    )

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_open_public_page(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.label_url, "target": "new"}

    @api.model
    def action_export_csv(self):
        return {"type": "ir.actions.act_url", "url": CSV_ROUTE, "target": "download"}

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_csv(self, labels=None):
        """The machine-readable file of ``labels`` (default: every label, archived included)."""
        if labels is None:
            labels = self.with_context(active_test=False).search([])
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for label in labels:
            row = label._telecom_csv_row()
            writer.writerow([row[column] for column in CSV_COLUMNS])
        return buffer.getvalue()

    def _telecom_csv_row(self):
        self.ensure_one()
        currency = self.currency_id

        def money(amount):
            return float_repr(currency.round(amount), currency.decimal_places)

        def number(value):
            return f"{value:g}"

        def fees(kind):
            return "; ".join(
                f"{fee.name}: {money(fee.amount)}" for fee in self.fee_ids if fee.fee_type == kind
            )

        has_intro = bool(self.intro_months)
        return {
            "unique_plan_identifier": self.unique_identifier,
            "provider_name": self.company_id.name,
            "plan_name": self.name,
            "connection_type": self.connection_type,
            "status": "current" if self.active else "archived",
            "currency": currency.name,
            "monthly_price": money(self.monthly_price),
            "introductory_price": money(self.intro_price) if has_intro else "",
            "introductory_period_months": self.intro_months if has_intro else "",
            "contract_required": "yes" if self.contract_required else "no",
            "contract_months": self.contract_months if self.contract_required else "",
            "contract_terms_url": self.contract_terms_url or "",
            "monthly_provider_fees": fees("monthly"),
            "one_time_fees": fees("one_time"),
            "early_termination_fee": money(self.early_termination_fee),
            "government_taxes": self.government_taxes or "",
            "typical_download_mbps": number(self.typical_download_mbps),
            "typical_upload_mbps": number(self.typical_upload_mbps),
            "typical_latency_ms": number(self.typical_latency_ms),
            "data_included_gb": number(self.data_included_gb)
            if self.data_included_gb
            else "unlimited",
            "overage_charge": money(self.overage_charge) if self.data_included_gb else "",
            "overage_increment_gb": number(self.overage_increment_gb)
            if self.data_included_gb
            else "",
            "network_management_url": self.network_management_url,
            "privacy_policy_url": self.privacy_policy_url,
            "customer_support_url": self.customer_support_url,
            "customer_support_phone": self.customer_support_phone or "",
            "bundle_discounts_url": self.bundle_discounts_url or "",
            "label_url": self.label_url,
        }
