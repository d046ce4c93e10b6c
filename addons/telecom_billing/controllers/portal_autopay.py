from odoo import fields, http
from odoo.http import request

from odoo.addons.telecom_catalog.controllers.portal import TelecomPortal

from .portal import to_int

AUTOPAY_MESSAGES = ("on", "off")


class TelecomAutopayPortal(TelecomPortal):
    """``/my/autopay``: the customer's autopay status, bills it will charge or could not
    charge, and the choice of autopay payment method among the customer's own saved ones.

    Writes go through the billing account with superuser rights only after checking that the
    chosen payment method belongs to the logged-in customer; any other id answers 404.
    """

    def _telecom_autopay_account(self):
        return request.env.user.commercial_partner_id.sudo()

    def _telecom_autopay_tokens(self, account):
        """The customer's active saved payment methods."""
        return (
            request.env["payment.token"]
            .sudo()
            .search([("partner_id", "child_of", account.id)], order="id desc")
        )

    def _telecom_autopay_bills(self, account):
        """Open telecom bills autopay charges or could not charge."""
        return (
            request.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", account.id),
                    ("telecom_subscription_id", "!=", False),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                ],
                order="invoice_date_due, id",
                limit=20,
            )
        )

    @http.route("/my/autopay", type="http", auth="user", website=True, methods=["GET"])
    def portal_my_autopay(self, message=None, **kw):
        account = self._telecom_autopay_account()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_autopay",
                "account": account,
                "autopay_token": account.telecom_autopay_token_id,
                "tokens": self._telecom_autopay_tokens(account),
                "bills": self._telecom_autopay_bills(account),
                "autopay": request.env["telecom.autopay"].sudo(),
                "message": message if message in AUTOPAY_MESSAGES else None,
                "csrf": request.csrf_token(),
                "today": fields.Date.context_today(account),
            }
        )
        return request.render("telecom_billing.portal_my_autopay", values)

    @http.route("/my/autopay", type="http", auth="user", website=True, methods=["POST"])
    def portal_my_autopay_set(self, token_id=None, **kw):
        account = self._telecom_autopay_account()
        token_id = to_int(token_id, 0)
        token = request.env["payment.token"].sudo()
        if token_id:
            token = self._telecom_autopay_tokens(account).filtered(lambda t: t.id == token_id)
            if not token:
                raise request.not_found()
        if token != account.telecom_autopay_token_id:
            account.telecom_autopay_token_id = token
            user = request.env.user.partner_id
            account.message_post(
                body=request.env._(
                    "Autopay turned on with %(card)s by %(user)s on the portal.",
                    card=token._telecom_label(),
                    user=user.name,
                )
                if token
                else request.env._("Autopay turned off by %(user)s on the portal.", user=user.name)
            )
        return request.redirect(f"/my/autopay?message={'on' if token else 'off'}")
