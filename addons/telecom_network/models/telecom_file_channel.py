import base64

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TelecomFileChannel(models.Model):
    """Batch-file platforms (no read API) drop their inventory extract on a channel: each file
    becomes a reconciliation run of the channel's platform, started at once."""

    _inherit = "telecom.file.channel"

    network_backend_id = fields.Many2one(
        "telecom.provisioning.backend",
        string="Network Platform",
        help="Platform whose inventory extracts arrive on this channel: each file is "
        "reconciled against billing.",
    )

    @api.model
    def _telecom_importers(self):
        return super()._telecom_importers() + [
            ("network_inventory", self.env._("Network inventory extract (reconciliation)")),
        ]

    @api.constrains("importer", "network_backend_id")
    def _check_network_backend(self):
        for channel in self:
            if channel.importer == "network_inventory" and not channel.network_backend_id:
                raise ValidationError(
                    self.env._(
                        "Channel %(name)s takes inventory extracts: choose the network platform "
                        "they come from.",
                        name=channel.name,
                    )
                )

    def _telecom_import_file_network_inventory(self, name, content):
        run = self.env["telecom.network.reconciliation"].create(
            {
                "backend_id": self.network_backend_id.id,
                "company_id": self.company_id.id,
                "source": "file",
                "extract_file": base64.b64encode(content),
                "extract_filename": name,
            }
        )
        run.action_start()  # a row that cannot be read refuses the file (error folder)
        run.message_post(
            body=self.env._(
                "Extract %(file)s received on channel %(channel)s.", file=name, channel=self.name
            )
        )
        return self._telecom_result(run, run.extract_row_count, [])
