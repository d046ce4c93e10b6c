from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class TelecomNumber(models.Model):
    _inherit = "telecom.number"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    service_id = fields.Many2one(
        "telecom.service",
        string="Service",
        index="btree_not_null",
        ondelete="restrict",
        copy=False,
        tracking=True,
        help="Service line using this number (the last one, once that service is terminated).",
    )

    # ------------------------------------------------------------
    # CONSTRAINT
    # ------------------------------------------------------------

    @api.constrains("service_id")
    def _check_service_customer(self):
        for number in self.filtered("service_id"):
            customer = number.service_id.partner_id
            if (
                number.partner_id
                and number.partner_id.commercial_partner_id != customer
                and (number.status in ("reserved", "assigned", "aging", "porting_out"))
            ):
                raise ValidationError(
                    self.env._(
                        "Number %(number)s is held for %(holder)s and cannot serve %(customer)s's "
                        "service %(service)s.",
                        number=number.name,
                        holder=number.partner_id.display_name,
                        customer=customer.display_name,
                        service=number.service_id.display_name,
                    )
                )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    def write(self, vals):
        if vals.get("service_id"):
            self._telecom_check_one_active_service(vals["service_id"])
        return super().write(vals)

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    def _telecom_check_one_active_service(self, service_id):
        """A number serves one service at a time: it moves to another service only once its
        current service is terminated."""
        for number in self:
            current = number.service_id
            if current and current.id != service_id and current.state != "terminated":
                raise ValidationError(
                    self.env._(
                        "Number %(number)s is used by service %(service)s, which is %(state)s: "
                        "terminate that service before giving the number to another one.",
                        number=number.name,
                        service=current.display_name,
                        state=dict(current._fields["state"].selection)[current.state].lower(),
                    )
                )

    def _telecom_service_suspended(self):
        """A suspended service keeps its number: it is neither disconnected nor aging."""
        self.ensure_one()
        return self.service_id.state == "suspended" or super()._telecom_service_suspended()

    @api.model
    def _telecom_customers_of_numbers(self, names):
        """The customers (accounts: commercial partners) holding the numbers ``names``
        (E.164), in one query whatever their count: the customer of the service line using
        the number, else the customer the number is held for. Numbers that are not ours are
        left out. Read whoever asks (the CPNI access log needs them for any reader)."""
        names = sorted({name for name in names if name})
        if not names:
            return self.env["res.partner"]
        self.flush_model(["name", "partner_id", "service_id"])
        self.env["telecom.service"].flush_model(["partner_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT COALESCE(p.commercial_partner_id, p.id)
                  FROM telecom_number n
                  LEFT JOIN telecom_service s ON s.id = n.service_id
                  JOIN res_partner p ON p.id = COALESCE(s.partner_id, n.partner_id)
                 WHERE n.name = ANY(%s)
                """,
                names,
            )
        )
        return self.env["res.partner"].browse(row[0] for row in self.env.cr.fetchall())
