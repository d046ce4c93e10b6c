from markupsafe import Markup, escape

from odoo import api, fields, models

CHANGE_TYPES = [
    ("password", "CPNI Password"),
    ("backup", "Back-up Question or Answer"),
    ("online_account", "Online Account"),
    ("address", "Address of Record"),
]


class TelecomCpniNotice(models.Model):
    """Account change notice (47 CFR 64.2010(f)): sent at once to the contact point of record
    *before* the change, never revealing the changed data."""

    _name = "telecom.cpni.notice"
    _description = "CPNI Account Change Notice"
    _order = "date desc, id desc"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    change_type = fields.Selection(CHANGE_TYPES, required=True, readonly=True)
    channel = fields.Selection(
        [("email", "Email"), ("mail", "Postal Mail")], required=True, readonly=True
    )
    sent_to = fields.Char(
        readonly=True, help="The contact point of record before the change, where it was sent."
    )
    user_id = fields.Many2one(
        "res.users", string="Changed By", default=lambda self: self.env.user, readonly=True
    )
    mail_id = fields.Many2one("mail.mail", readonly=True, ondelete="set null")
    state = fields.Selection(
        [("sent", "Sent"), ("to_print", "Letter to Print")], required=True, readonly=True
    )

    @api.model
    def _telecom_notify(self, partner, change_type, contact_point):
        """Send and log the notice of ``change_type`` on ``partner`` to ``contact_point``
        (``{"channel": "email"|"mail", "to": ...}`` taken before the change)."""
        partner = partner.commercial_partner_id
        label = dict(CHANGE_TYPES)[change_type]
        company = partner.company_id or self.env.company
        body = Markup("<p>%s</p><p>%s</p><p>%s</p>") % (
            self.env._("Dear customer,"),
            self.env._(
                "The %(item)s of your %(company)s account was created or changed on %(date)s.",
                item=label.lower(),
                company=company.name,
                date=fields.Date.context_today(self),
            ),
            self.env._(
                "If you did not make or authorize this change, call us at once at the number "
                "on your bill."
            ),
        )
        mail = self.env["mail.mail"]
        if contact_point["channel"] == "email":
            mail = (
                self.env["mail.mail"]
                .sudo()
                .create(
                    {
                        "subject": self.env._("A change was made to your account"),
                        "email_to": contact_point["to"],
                        "email_from": company.email_formatted or self.env.user.email_formatted,
                        "body_html": body,
                        "auto_delete": False,
                    }
                )
            )
        notice = self.sudo().create(
            {
                "partner_id": partner.id,
                "change_type": change_type,
                "channel": contact_point["channel"],
                "sent_to": contact_point["to"],
                "mail_id": mail.id,
                "state": "sent" if mail else "to_print",
            }
        )
        partner.sudo()._message_log(
            body=Markup("%s")
            % escape(
                self.env._(
                    "CPNI account change notice (%(item)s) sent by %(channel)s to the contact "
                    "point of record before the change.",
                    item=label,
                    channel=dict(self._fields["channel"].selection)[contact_point["channel"]],
                )
            )
        )
        return notice
