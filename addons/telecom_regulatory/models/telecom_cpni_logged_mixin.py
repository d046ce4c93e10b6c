from odoo import api, models


class TelecomCpniLoggedMixin(models.AbstractModel):
    """Writes an access log entry whenever a staff user reads CPNI fields of a record.

    Models declare their CPNI fields in ``_telecom_cpni_fields`` (``telecom.cpni.mixin``, which
    also gives those fields to the CPNI Authorized group) and say whose CPNI a record is in
    :meth:`_telecom_cpni_customers`. The reason and channel come from the context
    (``telecom_cpni_reason``, ``telecom_cpni_channel``), set by the View CPNI wizard.
    """

    _name = "telecom.cpni.logged.mixin"
    _inherit = ["telecom.cpni.mixin"]
    _description = "CPNI Access Logging"

    def _telecom_cpni_customers(self):
        """The customers whose CPNI these records hold (their accounts)."""
        if "commercial_partner_id" in self._fields:
            return self.mapped("commercial_partner_id")
        return self.sudo().mapped("partner_id.commercial_partner_id").sudo(False)

    def read(self, fields=None, load="_classic_read"):
        result = super().read(fields=fields, load=load)
        if self._telecom_cpni_fields and not self.env.su and not self.env.user.share:
            read_fields = set(fields) if fields else set(result[0]) if result else set()
            viewed = read_fields & set(self._telecom_cpni_fields)
            if viewed:
                self._telecom_cpni_log(sorted(viewed))
        return result

    @api.model
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **kw):
        # search_read formats the records itself, without read(): log here too
        result = super().search_read(
            domain=domain, fields=fields, offset=offset, limit=limit, order=order, **kw
        )
        if result and self._telecom_cpni_fields and not self.env.su and not self.env.user.share:
            viewed = set(result[0]) & set(self._telecom_cpni_fields)
            if viewed:
                self.browse([row["id"] for row in result])._telecom_cpni_log(sorted(viewed))
        return result

    def export_data(self, fields_to_export):
        result = super().export_data(fields_to_export)
        if self._telecom_cpni_fields and not self.env.su:
            exported = {path.split("/")[0] for path in fields_to_export}
            viewed = exported & set(self._telecom_cpni_fields)
            if viewed:
                self.with_context(
                    telecom_cpni_channel=self.env.context.get("telecom_cpni_channel") or "backend",
                    telecom_cpni_reason=self.env.context.get("telecom_cpni_reason")
                    or self.env._("Exported"),
                )._telecom_cpni_log(sorted(viewed))
        return result

    @api.model
    def _telecom_cpni_context_reason(self):
        return self.env.context.get("telecom_cpni_reason") or self.env._(
            "Opened without stating a reason"
        )

    def _telecom_cpni_log(self, field_names):
        customers = self._telecom_cpni_customers()
        if not customers:
            return
        labels = ", ".join(
            self._fields[name].get_description(self.env)["string"] for name in field_names
        )
        self.env["telecom.cpni.access.log"].sudo().create(
            [
                {
                    "user_id": self.env.uid,
                    "partner_id": customer.id,
                    "reason": self._telecom_cpni_context_reason(),
                    "channel": self.env.context.get("telecom_cpni_channel") or "backend",
                    "data_viewed": f"{self._description}: {labels}",
                    "authentication_id": self.env.context.get("telecom_cpni_authentication_id"),
                }
                for customer in customers
            ]
        )
