from odoo import api, models

CONTENT_FIELDS = {"raw", "datas", "db_datas"}


class IrAttachment(models.Model):
    """The content of an attachment stored in a CPNI field (the call detail of an invoice, a
    raw CDR file) read by staff goes to the CPNI access log, like a read of the field."""

    _inherit = "ir.attachment"

    def read(self, fields=None, load="_classic_read"):
        result = super().read(fields=fields, load=load)
        if not fields or CONTENT_FIELDS & set(fields):
            self._telecom_cpni_log_content()
        return result

    @api.model
    def _telecom_cpni_reason(self):
        return self.env.context.get("telecom_cpni_reason") or self.env._("Downloaded")

    def _telecom_cpni_log_content(self):
        """Log the staff read of these attachments' content where it is CPNI (by the owner
        model's declaration, ``_telecom_cpni_fields``)."""
        if self.env.su or self.env.user.share:
            return
        for attachment in self.sudo():
            model = attachment.res_model
            if not (attachment.res_field and attachment.res_id and model in self.env):
                continue
            owner = self.env[model].browse(attachment.res_id)
            if attachment.res_field in getattr(owner, "_telecom_cpni_fields", ()) and hasattr(
                owner, "_telecom_cpni_log"
            ):
                owner.with_context(
                    telecom_cpni_reason=self._telecom_cpni_reason()
                )._telecom_cpni_log([attachment.res_field])
