from odoo import fields, models

from odoo.addons.telecom_usage.models.telecom_usage_record import _BulkMany2one

from .telecom_interconnect_rate import INTERCONNECT_DIRECTIONS, INTERCONNECT_JURISDICTIONS

CDR_STATES = [("rated", "Rated"), ("settled", "Settled")]


class TelecomInterconnectCdr(models.Model):
    """A rated trunk record of traffic exchanged with another carrier. Written in bulk by
    SQL from the interconnect CDR files (see telecom.usage.file); the ORM reads and settles
    them."""

    _name = "telecom.interconnect.cdr"
    _inherit = ["telecom.cpni.mixin"]
    _description = "Interconnect Call Record"
    _order = "start_time desc, id desc"
    _log_access = False
    # The numbers of a call are call detail of our customer's line (CPNI): settlement staff
    # work with trunks, jurisdictions, minutes and charges; CPNI Authorized staff see the call.
    _telecom_cpni_fields = ("calling_number", "called_number")
    _sql_constraints = [
        ("name_uniq", "UNIQUE(name)", "An interconnect record id is imported once only."),
    ]

    name = fields.Char(string="Record Id", required=True, readonly=True)
    usage_file_id = _BulkMany2one(
        "telecom.usage.file", readonly=True, index="btree_not_null", ondelete="set null"
    )
    agreement_id = _BulkMany2one("telecom.interconnect.agreement", required=True, readonly=True)
    partner_id = fields.Many2one(related="agreement_id.partner_id", string="Carrier")
    company_id = _BulkMany2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    trunk_group = fields.Char(readonly=True)
    direction = fields.Selection(INTERCONNECT_DIRECTIONS, required=True, readonly=True)
    jurisdiction = fields.Selection(INTERCONNECT_JURISDICTIONS, readonly=True)
    start_time = fields.Datetime(required=True, readonly=True, help="UTC.")
    usage_date = fields.Date(readonly=True, help="UTC date: settlements are by UTC month.")
    calling_number = fields.Char(readonly=True)
    called_number = fields.Char(readonly=True)
    duration = fields.Integer(string="Duration (s)", readonly=True)
    billable_seconds = fields.Integer(readonly=True)
    rate_id = _BulkMany2one("telecom.interconnect.rate", readonly=True, ondelete="restrict")
    charge = fields.Monetary(readonly=True)
    state = fields.Selection(CDR_STATES, required=True, default="rated", readonly=True)
    settlement_id = _BulkMany2one(
        "telecom.interconnect.settlement", readonly=True, index="btree_not_null"
    )

    def init(self):
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_interconnect_cdr_unsettled_idx
                   ON telecom_interconnect_cdr (agreement_id, usage_date)
                WHERE settlement_id IS NULL"""
        )
