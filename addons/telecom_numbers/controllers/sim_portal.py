from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.telecom_catalog.controllers.portal import (
    TelecomPortal,
    customer_count,
    customer_domain,
    customer_record,
    identity_recent,
    identity_url,
)

SIM_MESSAGES = ("swapped", "refused")


class TelecomSimPortal(TelecomPortal):
    """Customer portal for SIMs: the SIMs of the customer's lines, the eSIM activation QR
    code, and the SIM swap behind a recent password confirmation. The swap itself is
    ``telecom.sim.swap``'s (refusals are recorded and the customer notified there)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "telecom_sim_count" in counters:
            values["telecom_sim_count"] = customer_count("telecom.sim")
        return values

    @http.route("/my/sims", type="http", auth="user", website=True)
    def portal_my_sims(self, **kw):
        values = self._prepare_portal_layout_values()
        sims = request.env["telecom.sim"].search(
            customer_domain() + [("state", "in", ("assigned", "active"))], order="name"
        )
        values.update({"page_name": "telecom_sims", "sims": sims})
        return request.render("telecom_numbers.portal_my_sims", values)

    @http.route("/my/sims/<int:sim_id>", type="http", auth="user", website=True)
    def portal_sim(self, sim_id, message=None, **kw):
        sim = customer_record(self, "telecom.sim", sim_id)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_sim",
                "sim": sim,
                "swaps": request.env["telecom.sim.swap"]
                .sudo()
                .search([("number_id", "=", sim.number_id.id)], limit=10)
                if sim.number_id
                else [],
                "message": message if message in SIM_MESSAGES else None,
                "identity_ok": identity_recent(),
                "reauth_url": identity_url(f"/my/sims/{sim.id}"),
                "csrf": request.csrf_token(),
            }
        )
        return request.render("telecom_numbers.portal_sim", values)

    @http.route("/my/sims/<int:sim_id>/qr.png", type="http", auth="user", website=True)
    def portal_sim_qr(self, sim_id, **kw):
        sim = customer_record(self, "telecom.sim", sim_id)
        if sim.kind != "esim" or sim.state not in ("assigned", "active"):
            raise request.not_found()
        return request.make_response(
            sim._telecom_qr_png(),
            headers=[("Content-Type", "image/png"), ("Cache-Control", "no-store")],
        )

    @http.route(
        "/my/sims/<int:sim_id>/swap", type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_sim_swap(self, sim_id, new_iccid=None, **kw):
        """Move the line to a new SIM: the customer's password must have been confirmed in
        the last minutes (else to the confirmation page, nothing recorded yet)."""
        sim = customer_record(self, "telecom.sim", sim_id)
        if not identity_recent():
            return request.redirect(identity_url(f"/my/sims/{sim.id}"))
        new_sim = request.env["telecom.sim"].sudo()
        if new_iccid:
            new_sim = new_sim.search([("name", "=", "".join(new_iccid.split()))], limit=1)
        swap = (
            request.env["telecom.sim.swap"]
            .sudo()
            .create(
                {
                    "old_sim_id": sim.id,
                    "new_sim_id": new_sim.id,
                    "new_kind": "physical" if new_iccid else "esim",
                    "channel": "portal",
                    "auth_method": "portal_password",
                }
            )
        )
        try:
            with request.env.cr.savepoint():
                done = swap.with_context(telecom_identity_checked=True)._telecom_perform()
        except UserError:
            done = False
        target = swap.new_sim_id if done else sim
        return request.redirect(f"/my/sims/{target.id}?message={'swapped' if done else 'refused'}")
