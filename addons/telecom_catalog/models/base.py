from odoo import models


class Base(models.AbstractModel):
    _inherit = "base"

    def export_data(self, fields_to_export):
        """Exports read the records, and the fields of every step of each path
        (``usage_record_id/called_number``), with the rights of the user, as the form and list
        views do: a field restricted to some groups (CPNI first of all) is not exported to
        anybody else."""
        if not self.env.su:
            # the records themselves: an export by ids (RPC) reads nothing the user cannot
            # read (another company's, another customer's)
            self.check_access("read")
            for path in fields_to_export:
                self._telecom_check_export_path(path.replace(":id", "").split("/"))
        return super().export_data(fields_to_export)

    def _telecom_check_export_path(self, names):
        model = self
        for name in names:
            field = model._fields.get(name)
            if field is None:
                return  # ".id" and "id" columns, handled by the standard export
            model.check_field_access_rights("read", [name])
            if not field.relational:
                return
            model = self.env[field.comodel_name]
