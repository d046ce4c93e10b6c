from odoo import fields, models

# States of a transaction that is, or may still become, a payment.
LIVE_STATES = ("draft", "pending", "authorized", "done")


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    telecom_autopay_move_id = fields.Many2one(
        "account.move",
        string="Autopay Bill",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The telecom bill this autopay charge pays. A bill has at most one autopay "
        "transaction that is not failed or canceled.",
    )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def init(self):
        """Never two live autopay charges for one bill (``telecom.autopay`` relies on it)."""
        super().init()
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS payment_transaction_telecom_autopay_live_uniq
                ON payment_transaction (telecom_autopay_move_id)
             WHERE telecom_autopay_move_id IS NOT NULL
               AND state IN %s
            """,
            [LIVE_STATES],
        )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _post_process(self):
        """Standard post-processing (payment posted and matched with the bill), then the
        autopay outcome on the bill: charged, or failed and retried."""
        super()._post_process()
        autopay = self.filtered("telecom_autopay_move_id")
        if autopay:
            self.env["telecom.autopay"]._telecom_settle(autopay)
