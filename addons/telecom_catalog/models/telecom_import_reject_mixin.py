from odoo import fields, models
from odoo.exceptions import UserError

REJECT_STATES = [("open", "To Fix"), ("reimported", "Re-imported"), ("ignored", "Ignored")]


class TelecomImportRejectMixin(models.AbstractModel):
    """A row of an imported file that was rejected, kept with the row itself so that staff
    correct it and import it again (number blocks, SIM files, inventory migration, rate decks,
    payment files, legacy extracts). The model says which file it comes from
    (``_telecom_reject_parent``, a many2one); the file's model imports corrected rows with
    ``_telecom_reimport_rows(rejects)``, which the rows it imports or rejects again leave
    'Re-imported'."""

    _name = "telecom.import.reject.mixin"
    _description = "Rejected Import Row (correct and re-import)"
    _telecom_reject_parent = None

    raw = fields.Char(
        string="Row as Read",
        help="The row as read, columns separated by commas (bytes that were not UTF-8 "
        "written \\xNN). Correct it and re-import it.",
    )
    state = fields.Selection(REJECT_STATES, default="open", required=True, index=True)

    def action_reimport(self):
        """Import the corrected rows again, per file."""
        rejects = self.filtered(lambda r: r.state == "open")
        if not rejects:
            raise UserError(self.env._("Select rejected rows still to fix."))
        messages = []
        for parent in rejects[self._telecom_reject_parent]:
            rows = rejects.filtered(lambda r, p=parent: r[self._telecom_reject_parent] == p)
            messages.append(parent._telecom_reimport_rows(rows))
            rows.exists().state = "reimported"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": " ".join(messages),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_ignore(self):
        self.filtered(lambda r: r.state == "open").state = "ignored"
        return True

    def action_reopen(self):
        self.filtered(lambda r: r.state == "ignored").state = "open"
        return True

    def _telecom_reimport_content(self, columns):
        """CSV bytes of the rows: a header of ``columns``, then each row as corrected."""
        lines = [",".join(columns), *((r.raw or "").replace("\n", " ") for r in self)]
        return ("\n".join(lines) + "\n").encode()
