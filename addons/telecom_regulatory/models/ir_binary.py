from odoo import models


class IrBinary(models.AbstractModel):
    """Downloads (``/web/content``) of CPNI files by staff go to the CPNI access log: by the
    attachment's id or by the record's field."""

    _inherit = "ir.binary"

    def _record_to_stream(self, record, field_name):
        stream = super()._record_to_stream(record, field_name)
        if record._name == "ir.attachment":
            record._telecom_cpni_log_content()
        elif (
            field_name in getattr(record, "_telecom_cpni_fields", ())
            and hasattr(record, "_telecom_cpni_log")
            and not (self.env.su or self.env.user.share)
        ):
            record.with_context(
                telecom_cpni_reason=self.env["ir.attachment"]._telecom_cpni_reason()
            )._telecom_cpni_log([field_name])
        return stream
