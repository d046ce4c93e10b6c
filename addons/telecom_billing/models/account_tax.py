from odoo import Command, api, fields, models

from .telecom_tax_rate import JURISDICTION_LEVELS, TAX_KINDS


class AccountTax(models.Model):
    """A telecom tax, fee or surcharge as an Odoo tax: one per company, tax kind,
    jurisdiction and liability account, created the first time the tax engine answers with
    it. Its amounts always come from the engine (written on the invoice's tax lines); the
    0 % rate is only what Odoo would compute if a user changed a draft bill's lines."""

    _inherit = "account.tax"

    telecom_tax_kind = fields.Selection(TAX_KINDS, string="Telecom Tax Kind", readonly=True)
    telecom_jurisdiction = fields.Char(
        string="Telecom Jurisdiction",
        readonly=True,
        help="As the tax engine names it: US (federal), a state code, then county and city "
        "(e.g. CA/Sacramento).",
    )
    telecom_jurisdiction_level = fields.Selection(
        JURISDICTION_LEVELS, string="Jurisdiction Level", readonly=True
    )

    _sql_constraints = [
        (
            "telecom_tax_uniq",
            "UNIQUE(company_id, telecom_tax_kind, telecom_jurisdiction, name)",
            "There is already a telecom tax of this kind and jurisdiction.",
        ),
    ]

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_level(self, jurisdiction):
        parts = (jurisdiction or "US").split("/")
        if parts[0] == "US":
            return "federal"
        return {1: "state", 2: "county"}.get(len(parts), "city")

    @api.model
    def _telecom_tax_name(self, kind, jurisdiction, account):
        label = dict(TAX_KINDS)[kind]
        return f"{label} {jurisdiction or 'US'} ({account.code})"

    @api.model
    def _telecom_find(self, company, kind, jurisdiction, account):
        return (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", company.id),
                    ("telecom_tax_kind", "=", kind),
                    ("telecom_jurisdiction", "=", jurisdiction or "US"),
                    ("name", "=", self._telecom_tax_name(kind, jurisdiction, account)),
                ],
                limit=1,
            )
        )

    @api.model
    def _telecom_tax_for(self, company, kind, jurisdiction, account, level=None):
        """The Odoo tax of ``kind`` in ``jurisdiction`` booked to ``account``, created with
        its tax group, repartition and tags the first time."""
        tax = self._telecom_find(company, kind, jurisdiction, account)
        if tax:
            return tax
        name = self._telecom_tax_name(kind, jurisdiction, account)
        base_tag, tax_tag = self._telecom_tags(company, kind, jurisdiction)

        def repartition(document_type):
            return [
                Command.create(
                    {
                        "document_type": document_type,
                        "repartition_type": "base",
                        "tag_ids": [Command.set(base_tag.ids)],
                    }
                ),
                Command.create(
                    {
                        "document_type": document_type,
                        "repartition_type": "tax",
                        "account_id": account.id,
                        "tag_ids": [Command.set(tax_tag.ids)],
                    }
                ),
            ]

        return (
            self.sudo()
            .with_company(company)
            .create(
                {
                    "name": name,
                    "description": self._telecom_tax_name(kind, jurisdiction, account).rsplit(
                        " (", 1
                    )[0],
                    "company_id": company.id,
                    "type_tax_use": "sale",
                    "amount_type": "percent",
                    "amount": 0.0,
                    "tax_group_id": self._telecom_tax_group(company).id,
                    "telecom_tax_kind": kind,
                    "telecom_jurisdiction": jurisdiction or "US",
                    "telecom_jurisdiction_level": level or self._telecom_level(jurisdiction),
                    "invoice_repartition_line_ids": repartition("invoice"),
                    "refund_repartition_line_ids": repartition("refund"),
                }
            )
        )

    @api.model
    def _telecom_tax_group(self, company):
        Group = self.env["account.tax.group"].sudo()
        name = self.env._("Taxes, fees and surcharges")
        return Group.search(
            [("company_id", "=", company.id), ("name", "=", name)], limit=1
        ) or Group.create({"name": name, "company_id": company.id, "sequence": 50})

    @api.model
    def _telecom_tags(self, company, kind, jurisdiction):
        """Base and tax tags of ``kind`` in ``jurisdiction`` (tax reports and audits)."""
        Tag = self.env["account.account.tag"].sudo().with_context(active_test=False)
        country = company.account_fiscal_country_id
        label = dict(TAX_KINDS)[kind]
        tags = []
        for suffix in ("base", "tax"):
            name = f"Telecom {label} {jurisdiction or 'US'} {suffix}"
            tag = Tag.search(
                [
                    ("name", "=", name),
                    ("applicability", "=", "taxes"),
                    ("country_id", "=", country.id),
                ],
                limit=1,
            ) or Tag.create({"name": name, "applicability": "taxes", "country_id": country.id})
            tags.append(tag)
        return tags

    def _telecom_repartition(self, refund):
        """The tax repartition line of this tax for an invoice or a credit note."""
        self.ensure_one()
        lines = self.refund_repartition_line_ids if refund else self.invoice_repartition_line_ids
        return lines.filtered(lambda line: line.repartition_type == "tax")[:1]
