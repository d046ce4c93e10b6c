"""Portal building blocks every telecom module uses: the customer's own records, the
password re-check in front of sensitive pages (CPNI, port-out PIN), safe redirects and
error messages split into lines."""

import time
from urllib.parse import quote, urlparse

from odoo import http
from odoo.exceptions import AccessDenied, AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

# Same session key and window as Odoo's own identity check (res_users.check_identity): a
# password confirmed here also counts for the backend's sensitive actions, and vice versa.
IDENTITY_SESSION_KEY = "identity-check-last"
IDENTITY_MAX_AGE = 10 * 60


def identity_recent():
    """True when the logged-in user confirmed their password in this session recently."""
    return request.session.get(IDENTITY_SESSION_KEY, 0) > time.time() - IDENTITY_MAX_AGE


def identity_url(redirect):
    """URL of the password confirmation page that comes back to ``redirect``."""
    return f"/my/reauth?redirect={quote(redirect)}"


def customer_domain():
    """Domain of the records of the logged-in customer's commercial partner."""
    return [("partner_id", "child_of", request.env.user.commercial_partner_id.id)]


def customer_count(model):
    """How many ``model`` records the logged-in customer has (0 without read access)."""
    Model = request.env[model]
    return Model.search_count(customer_domain()) if Model.has_access("read") else 0


def customer_record(portal, model, record_id):
    """The customer's ``model`` record ``record_id`` with superuser rights (the customer stays
    the environment user, so history and chatter name them), or 404 for anyone else's."""
    try:
        record = portal._document_check_access(model, record_id)
    except (AccessError, MissingError):
        raise request.not_found() from None
    if record.partner_id.commercial_partner_id != request.env.user.commercial_partner_id:
        raise request.not_found()
    return request.env[model].sudo().browse(record.id)


def safe_redirect(url, default="/my"):
    """``url`` when it is a path on this site, else ``default`` (no open redirect)."""
    parsed = urlparse(url or "")
    if not url or parsed.scheme or parsed.netloc or not url.startswith("/") or "\\" in url:
        return default
    return url


class TelecomPortal(CustomerPortal):
    """The password re-check page and the helpers the telecom portal pages share."""

    @staticmethod
    def _telecom_error_lines(error):
        """The lines of a ``UserError``/``ValidationError`` message, for a list on the page."""
        message = error.args[0] if error.args else str(error)
        return [line for line in str(message).split("\n") if line.strip()]

    # ------------------------------------------------------------
    # Password confirmation (re-authentication)
    # ------------------------------------------------------------

    @http.route("/my/reauth", type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_reauth(self, redirect=None, password=None, **kw):
        redirect = safe_redirect(redirect)
        values = self._prepare_portal_layout_values()
        values.update(
            {"page_name": "telecom_reauth", "redirect": redirect, "csrf": request.csrf_token()}
        )
        if request.httprequest.method == "POST":
            user = request.env.user
            try:
                with user._assert_can_auth(user=user.id):
                    user._check_credentials(
                        {"login": user.login, "password": password or "", "type": "password"},
                        {"interactive": True},
                    )
            except AccessDenied:
                values["error"] = request.env._("Incorrect password, try again.")
            else:
                request.session[IDENTITY_SESSION_KEY] = time.time()
                return request.redirect(redirect)
        return request.render("telecom_catalog.portal_reauth", values)
