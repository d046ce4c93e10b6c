from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """An attachment stored in a field restricted to some groups (the call detail of an
        invoice, a raw CDR file: CPNI) is read by those groups only, like the field itself.

        The standard search checks the access to the record the attachment belongs to; reads
        and downloads by id (/web/content/<id>) go through it, so the field's groups are
        checked here too."""
        query = super()._search(domain, offset, limit, order)
        if self.env.su or self.env.is_system():
            return query
        ids = query.get_result_ids()
        hidden = self._telecom_hidden_field_attachments(ids)
        if not hidden:
            return query
        return self.browse([id_ for id_ in ids if id_ not in hidden])._as_query(order)

    def _telecom_hidden_field_attachments(self, ids):
        """Ids among ``ids`` of attachments of a field the current user may not read."""
        if not ids:
            return set()
        rows = self.env.execute_query(
            SQL(
                "SELECT id, res_model, res_field FROM ir_attachment "
                "WHERE id = ANY(%s) AND res_field IS NOT NULL",
                list(ids),
            )
        )
        by_field = defaultdict(set)
        for id_, res_model, res_field in rows:
            by_field[res_model, res_field].add(id_)
        hidden = set()
        for (res_model, res_field), attachment_ids in by_field.items():
            field = self.env[res_model]._fields.get(res_field) if res_model in self.env else None
            if field and not field.is_accessible(self.env):
                hidden |= attachment_ids
        return hidden
