from odoo import models
from odoo.exceptions import UserError
from odoo.fields import Date

from .res_partner import CPNI_APPROVALS
from .telecom_cpni_optout_notice import OPTOUT_CHANNELS

LEGACY_NOTICE_VERSION = "LEGACY-MIGRATION"


class ResPartner(models.Model):
    """CPNI choices of a customer migrated from a legacy billing system: the approval (or
    opt-out), its date, and the last opt-out notice sent, so the waiting period and the
    two-year re-notice cycle continue where the legacy system left them. Extends the hook of
    telecom_migration (called only when that module is installed)."""

    _inherit = "res.partner"

    def _telecom_migration_extras(self, row, batch):
        parent = getattr(super(), "_telecom_migration_extras", None)
        carried = set(parent(row, batch)) if parent else set()
        approval = row.get("cpni_approval")
        if approval:
            if approval not in dict(CPNI_APPROVALS):
                raise UserError(
                    self.env._(
                        "CPNI approval %(value)r is not one of %(allowed)s.",
                        value=approval,
                        allowed=", ".join(dict(CPNI_APPROVALS)),
                    )
                )
            self.write(
                {
                    "telecom_cpni_approval": approval,
                    "telecom_cpni_approval_date": Date.to_date(row.get("cpni_approval_date"))
                    or False,
                }
            )
            carried |= {"cpni_approval", "cpni_approval_date"}
        if row.get("cpni_optout_notice_date"):
            sent = Date.to_date(row["cpni_optout_notice_date"])
            channel = row.get("cpni_optout_notice_channel") or "mail"
            if channel not in dict(OPTOUT_CHANNELS):
                channel = "mail"
            Notice = self.env["telecom.cpni.optout.notice"].sudo()
            if not Notice.search_count([("partner_id", "=", self.id), ("date_sent", "=", sent)]):
                Notice.create(
                    {
                        "partner_id": self.id,
                        "company_id": batch.company_id.id,
                        "channel": channel,
                        "date_sent": sent,
                        "content_version": LEGACY_NOTICE_VERSION,
                        "content": self.env._("Sent by the legacy billing system."),
                    }
                )
            carried.add("cpni_optout_notice_date")
        return carried
