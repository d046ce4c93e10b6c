import base64
import csv
import io

from odoo import api, models
from odoo.exceptions import UserError

# Legacy extracts a channel can take: (file name prefix, field of the migration, column that
# every row has), the more specific prefix first. A ZIP is the archive of invoice PDFs.
LEGACY_EXTRACTS = [
    ("invoice_lines", "invoice_lines_file", "invoice_id"),
    ("invoices", "invoices_file", "legacy_id"),
    ("customers", "customers_file", "legacy_id"),
    ("services", "services_file", "legacy_id"),
    ("plan_map", "plan_map_file", "legacy_code"),
]


class TelecomFileChannel(models.Model):
    """Legacy extracts dropped on a channel are attached to the company's draft migration
    (created when there is none), by their file name: ``customers*.csv``,
    ``services*.csv``, ``plan_map*.csv``, ``invoices*.csv``, ``invoice_lines*.csv`` and a
    ``*.zip`` of invoice PDFs. Nothing is migrated on arrival: duplicates are reviewed,
    the migration rehearsed and run by a person. The route lives here so that it leaves
    with the migration module once the legacy system is retired."""

    _inherit = "telecom.file.channel"

    @api.model
    def _telecom_importers(self):
        return super()._telecom_importers() + [
            ("legacy_extract", self.env._("Legacy billing extracts (migration)")),
        ]

    def _telecom_import_file_legacy_extract(self, name, content):
        field, rows = self._telecom_legacy_extract_field(name, content)
        batch = self.env["telecom.migration.batch"].search(
            [("company_id", "=", self.company_id.id), ("state", "=", "draft")],
            order="id desc",
            limit=1,
        ) or self.env["telecom.migration.batch"].create({"company_id": self.company_id.id})
        filename_field = f"{field.removesuffix('_file')}_filename"
        replaced = batch[filename_field]
        batch.write({field: base64.b64encode(content), filename_field: name})
        batch.message_post(
            body=self.env._(
                "%(file)s (%(rows)s rows) received on channel %(channel)s%(replaced)s.",
                file=name,
                rows=rows,
                channel=self.name,
                replaced=self.env._(", replacing %(old)s", old=replaced) if replaced else "",
            )
        )
        return self._telecom_result(batch, rows, [])

    def _telecom_legacy_extract_field(self, name, content):
        """``(field of the migration, data rows)`` of a legacy extract, or a UserError when
        its name or header is not one of a legacy extract."""
        key = name.lower().replace("-", "_")
        if key.endswith(".zip"):
            return "pdf_archive", 0
        for prefix, field, column in LEGACY_EXTRACTS:
            if key.startswith(prefix):
                reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
                header = [h.strip().lower() for h in next(reader, [])]
                if column not in header:
                    raise UserError(
                        self.env._(
                            "%(file)s is not a legacy %(kind)s extract: it lacks the column "
                            "%(column)s.",
                            file=name,
                            kind=prefix.replace("_", " "),
                            column=column,
                        )
                    )
                return field, sum(1 for row in reader if any(row))
        raise UserError(
            self.env._(
                "%(file)s is not a legacy extract: the name starts with one of %(names)s, or "
                "it is a ZIP of invoice PDFs.",
                file=name,
                names=", ".join(prefix for prefix, _field, _column in LEGACY_EXTRACTS),
            )
        )
