from odoo import fields
from odoo.exceptions import AccessError, MissingError
from odoo.http import request, route

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.telecom_catalog.controllers.portal import IDENTITY_SESSION_KEY, TelecomPortal

PORTAL_APPROVALS = {"opt_in": "opt_in", "opt_out": "denied"}


class TelecomCpniPortal(CustomerPortal):
    """Privacy choices (CPNI approval) and the account change notices of the logged-in
    customer's account; every record is checked against the user's commercial partner."""

    def _telecom_cpni_account(self):
        return request.env.user.partner_id.commercial_partner_id

    @route("/my/privacy", type="http", auth="user", website=True, methods=["GET"])
    def telecom_cpni_privacy(self, **kw):
        account = self._telecom_cpni_account()
        notices = request.env["telecom.cpni.notice"].search(
            [("partner_id", "=", account.id)], limit=50
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_privacy",
                "account": account.sudo(),
                "notices": notices,
                "saved": kw.get("saved"),
            }
        )
        return request.render("telecom_regulatory.portal_my_privacy", values)

    @route("/my/privacy", type="http", auth="user", website=True, methods=["POST"])
    def telecom_cpni_privacy_save(self, choice=None, **kw):
        approval = PORTAL_APPROVALS.get(choice)
        if not approval:
            return request.redirect("/my/privacy")
        if not request.env.user.partner_id.sudo()._telecom_cpni_may_choose():
            # a business account's choice is its authorized contacts' to make
            return request.redirect("/my/privacy?denied=1")
        account = self._telecom_cpni_account()
        account.sudo().write(
            {
                "telecom_cpni_approval": approval,
                "telecom_cpni_approval_date": fields.Date.context_today(account),
                "telecom_cpni_approval_channel": "portal",
            }
        )
        return request.redirect("/my/privacy?saved=1")

    @route("/my/privacy/notice/<int:notice_id>", type="http", auth="user", website=True)
    def telecom_cpni_notice(self, notice_id, **kw):
        try:
            notice = self._document_check_access("telecom.cpni.notice", notice_id)
        except (AccessError, MissingError):
            return request.redirect("/my/privacy")
        if notice.partner_id != self._telecom_cpni_account():
            return request.redirect("/my/privacy")
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "telecom_privacy", "notice": notice})
        return request.render("telecom_regulatory.portal_my_privacy_notice", values)


class TelecomCpniPortalReauth(TelecomPortal):
    """The portal's password re-check before call detail is shown is a customer
    authentication: record it (passed or failed) with the other CPNI authentications."""

    @route("/my/reauth", type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_reauth(self, redirect=None, password=None, **kw):
        before = request.session.get(IDENTITY_SESSION_KEY, 0)
        response = super().portal_reauth(redirect=redirect, password=password, **kw)
        if request.httprequest.method == "POST" and request.env.user.share:
            passed = request.session.get(IDENTITY_SESSION_KEY, 0) != before
            request.env["telecom.cpni.authentication"].sudo().create(
                {
                    "partner_id": self._telecom_cpni_account().id,
                    "user_id": request.env.user.id,
                    "channel": "portal",
                    "method": "portal",
                    "result": "passed" if passed else "failed",
                }
            )
        return response

    def _telecom_cpni_account(self):
        return request.env.user.partner_id.commercial_partner_id
