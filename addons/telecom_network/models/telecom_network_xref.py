from odoo import fields, models

XREF_SOURCES = [
    ("order", "Provisioning Order"),
    ("reconciliation", "Reconciliation"),
    ("migration", "Migration"),
    ("manual", "Manual"),
]


class TelecomNetworkXref(models.Model):
    """The platform's own ids of one service on one provisioning backend (BSS ↔ OSS identity),
    and the last view of it the reconciliation read from the platform.

    Filled by every successful provisioning order (the ids the platform answers with), by the
    reconciliation (the platform lists them), or imported at migration (standard import of
    this model: service, backend, subscriber id, equipment id, circuit id; source
    ``migration``). Later orders send these ids instead of deriving them again."""

    _name = "telecom.network.xref"
    _description = "Network Identity of a Service"
    _order = "service_id, backend_id"
    _rec_name = "subscriber_ref"
    _check_company_auto = True
    _sql_constraints = [
        (
            "service_backend_uniq",
            "UNIQUE(service_id, backend_id)",
            "A service has one set of network ids per provisioning backend.",
        ),
    ]

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    service_id = fields.Many2one(
        "telecom.service", required=True, ondelete="cascade", index=True, check_company=True
    )
    backend_id = fields.Many2one(
        "telecom.provisioning.backend", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="service_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="service_id.partner_id", string="Customer")
    subscriber_ref = fields.Char(
        string="Platform Subscriber ID",
        index="btree_not_null",
        help="The platform's id of the subscriber, as returned by the activation.",
    )
    equipment_ref = fields.Char(string="Platform Equipment ID", index="btree_not_null")
    circuit_ref = fields.Char(string="Platform Circuit ID", index="btree_not_null")
    source = fields.Selection(XREF_SOURCES, required=True, default="manual")
    last_order_id = fields.Many2one("telecom.provisioning.order", readonly=True)
    network_state = fields.Selection(
        [("active", "Active"), ("suspended", "Suspended"), ("terminated", "Terminated")],
        readonly=True,
        help="State of the subscriber on the platform when last reconciled.",
    )
    network_profile = fields.Char(readonly=True)
    network_speed_mbps = fields.Integer(string="Network Speed (Mbps)", readonly=True)
    network_features = fields.Char(readonly=True, help="Feature codes, comma-separated.")
    network_msisdn = fields.Char(string="Network Number", readonly=True)
    network_iccid = fields.Char(string="Network SIM (ICCID)", readonly=True)
    network_activated_on = fields.Date(readonly=True)
    last_seen_run_id = fields.Many2one(
        "telecom.network.reconciliation", string="Last Seen By", readonly=True, index=True
    )
    last_seen_at = fields.Datetime(readonly=True)
