from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    """Telecom bills are sent by Odoo's own invoice sending, with the bill's email template,
    to the customer's bill email contact; a portal-only bill is a notice without the PDF."""

    _inherit = "account.move.send"

    # ------------------------------------------------------------
    # DEFAULTS
    # ------------------------------------------------------------

    @api.model
    def _get_default_mail_template_id(self, move):
        if move.telecom_subscription_id:
            return self.env.ref("telecom_billing.mail_template_telecom_bill")
        return super()._get_default_mail_template_id(move)

    @api.model
    def _get_default_mail_partner_ids(self, move, mail_template, mail_lang):
        if move.telecom_subscription_id:
            return move._telecom_bill_recipient()
        return super()._get_default_mail_partner_ids(move, mail_template, mail_lang)

    @api.model
    def _get_default_sending_settings(self, move, from_cron=False, **custom_settings):
        """``telecom_attach_pdf`` (default True): False sends the email without rendering
        or attaching the PDF (portal-only bills, or emails linking to the portal); the
        bill's email then says the bill is on the portal."""
        sender = self
        if custom_settings.get("telecom_attach_pdf") is False:
            sender = self.with_context(telecom_bill_no_pdf=True)
        vals = super(AccountMoveSend, sender)._get_default_sending_settings(
            move, from_cron=from_cron, **custom_settings
        )
        vals["telecom_attach_pdf"] = custom_settings.get("telecom_attach_pdf", True)
        if not vals["telecom_attach_pdf"]:
            # what Odoo's sending returns for a bill without a document: nothing
            vals["proforma_pdf_attachment"] = self.env["ir.attachment"]
        return vals

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _generate_invoice_documents(self, invoices_data, allow_fallback_pdf=False):
        with_pdf = {
            move: data
            for move, data in invoices_data.items()
            if data.get("telecom_attach_pdf", True)
        }
        return super()._generate_invoice_documents(with_pdf, allow_fallback_pdf)

    @api.model
    def _get_mail_params(self, move, move_data):
        params = super()._get_mail_params(move, move_data)
        if not move_data.get("telecom_attach_pdf", True):
            params["attachments"] = []
        return params

    @api.model
    def _send_mail(self, move, mail_template, **kwargs):
        """A telecom bill emailed (by its bill run or again from the invoice) is sent."""
        result = super()._send_mail(move, mail_template, **kwargs)
        if move.telecom_subscription_id:
            move._telecom_mark_sent()
        return result
