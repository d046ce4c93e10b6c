import base64
import re

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.telecom_catalog.tools.csv_rows import (
    CsvRows,
    csv_line,
    printable,
    shown,
    to_decimal,
    to_int,
    to_text,
)

# Columns of the Fabric location file this import reads (CostQuest NBM Fabric CSV);
# other columns are ignored.
REQUIRED_COLUMNS = ("location_id", "address_primary", "city", "state", "zip", "bsl_flag")
OPTIONAL_COLUMNS = ("unit_count", "block_geoid", "latitude", "longitude")
LOCATION_ID = re.compile(r"^\d{1,10}$")
ZIP = re.compile(r"^\d{5}$")
STATE = re.compile(r"^[A-Z]{2}$")
TRUE = {"true", "1", "t", "yes", "y"}
FALSE = {"false", "0", "f", "no", "n"}
CHUNK = 1000
COORDINATE_DIGITS = (10, 7)


class TelecomBdcFabricImport(models.Model):
    """An import of the Fabric's Broadband Serviceable Locations from the CSV file the company
    licenses: each row is validated; bad rows are listed with the reason and loaded nowhere."""

    _name = "telecom.bdc.fabric.import"
    _description = "Fabric Location Import"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, default=lambda self: self.env._("Fabric import"))
    fabric_version = fields.Char(
        required=True, help="Fabric release of the file, e.g. 'June 30, 2025 (v6)'."
    )
    file = fields.Binary(string="Fabric CSV", required=True, attachment=True)
    filename = fields.Char()
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Imported")], default="draft", required=True, tracking=True
    )
    created_count = fields.Integer(string="New Locations", readonly=True)
    updated_count = fields.Integer(string="Updated Locations", readonly=True)
    reject_ids = fields.One2many("telecom.bdc.fabric.reject", "import_id", string="Rejected Rows")
    reject_count = fields.Integer(compute="_compute_reject_count")
    matched_count = fields.Integer(string="Service Addresses Matched", readonly=True)

    @api.depends("reject_ids.state")
    def _compute_reject_count(self):
        for record in self:
            record.reject_count = len(record.reject_ids.filtered(lambda r: r.state == "open"))

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_import(self):
        for record in self:
            record._telecom_import()
        return True

    def action_match_addresses(self):
        """Link the service addresses of fixed services to their location (street and ZIP)."""
        partners = (
            self.env["telecom.service"]
            .search([("service_type", "in", ("broadband", "fixed_voice", "voip"))])
            .mapped(lambda s: s.service_address_id or s.partner_id)
        )
        matched = self.env["telecom.bdc.location"]._telecom_match_addresses(partners)
        self.write({"matched_count": len(matched)})
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_demo_fabric(self):
        """Demo: a small 'Fabric' of the demo service addresses (invented location ids), with
        one row the import rejects, imported and matched."""
        partners = (
            self.env["telecom.service"]
            .search([("service_type", "in", ("broadband", "fixed_voice", "voip"))])
            .mapped(lambda s: s.service_address_id or s.partner_id)
            .filtered(lambda p: p.street and p.city and p.state_id and p.zip)
        )
        lines = [",".join(REQUIRED_COLUMNS + ("unit_count",))]
        for index, partner in enumerate(partners.sorted("id"), start=1):
            address = (partner.street or "").replace(",", " ")
            lines.append(
                f"{9000000000 + index},{address},{partner.city},{partner.state_id.code},"
                f"{partner.zip[:5]},True,1"
            )
        lines.append("9000009999,1 Demo Way,Nowhere,ZZ,1234,True,1")  # rejected: ZIP
        fabric = self.create(
            {
                "name": self.env._("Demo Fabric (invented location ids)"),
                "fabric_version": self.env._("Demo"),
                "filename": "demo_fabric.csv",
                "file": base64.b64encode("\n".join(lines).encode()),
            }
        )
        fabric.action_import()
        fabric.action_match_addresses()
        return fabric

    def _telecom_rows(self):
        """The file's rows (CsvRows): a row that cannot be read carries its reason."""
        self.ensure_one()
        return CsvRows(
            self.env,
            base64.b64decode(self.file or b""),
            REQUIRED_COLUMNS,
            what=self.filename or self.env._("The Fabric file"),
        )

    def _telecom_import(self):
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("%(name)s was imported already.", name=self.name))
        self.reject_ids.unlink()
        valid, rejects = self._telecom_read(self._telecom_rows())
        created, updated = self._telecom_upsert(valid)
        self.env["telecom.bdc.fabric.reject"].create(rejects)
        self.write({"state": "done", "created_count": created, "updated_count": updated})
        self._message_log(
            body=self.env._(
                "Fabric %(version)s: %(created)s new and %(updated)s updated locations, "
                "%(rejected)s rows rejected.",
                version=self.fabric_version,
                created=created,
                updated=updated,
                rejected=len(rejects),
            )
        )

    def _telecom_read(self, rows):
        """``({location id: values}, [reject values])`` of ``rows`` (CsvRows)."""
        valid, rejects, columns = {}, [], REQUIRED_COLUMNS + OPTIONAL_COLUMNS
        for line in rows:
            row = rows.record(line, columns)
            values, reason = (None, line.reason) if line.reason else self._telecom_parse_row(row)
            if not reason and values["location_id"] in valid:
                reason = self.env._("Location id appears twice in the file.")
            if reason:
                rejects.append(
                    {
                        "import_id": self.id,
                        "row_number": line.line_no,
                        "location_ref": printable(row.get("location_id") or "")[:20],
                        "reason": reason,
                        "raw": csv_line(row.values()),
                    }
                )
                continue
            valid[values["location_id"]] = values
        return valid, rejects

    def _telecom_reimport_rows(self, rejects):
        """Load the corrected ``rejects`` like the file's rows (new locations created, known
        ones updated); rows still bad are rejected again (same line). Returns what it did,
        in a sentence."""
        content = rejects._telecom_reimport_content(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
        valid, again = self._telecom_read(CsvRows(self.env, content))
        lines = dict(enumerate(rejects.mapped("row_number"), start=2))
        for values in again:
            values["row_number"] = lines[values["row_number"]]
        created, updated = self._telecom_upsert(valid)
        self.env["telecom.bdc.fabric.reject"].create(again)
        self.write(
            {
                "created_count": self.created_count + created,
                "updated_count": self.updated_count + updated,
            }
        )
        return self.env._(
            "%(name)s: %(created)s new and %(updated)s updated locations, %(bad)s rows still "
            "rejected.",
            name=self.name,
            created=created,
            updated=updated,
            bad=len(again),
        )

    def _telecom_parse_row(self, row):
        """``(values, None)`` of a valid row, or ``(None, reason)``."""
        get = {key: (value or "").strip() for key, value in row.items() if key}.get
        location_id, zip_code, state = get("location_id"), get("zip"), get("state").upper()
        flag = get("bsl_flag").lower()
        if not LOCATION_ID.match(location_id or ""):
            return None, self.env._("Location id %(id)s is not a number.", id=shown(location_id))
        if flag not in TRUE | FALSE:
            return None, self.env._("bsl_flag %(flag)s is not True or False.", flag=shown(flag))
        if flag in FALSE:
            return None, self.env._("Not a Broadband Serviceable Location (bsl_flag False).")
        if not get("address_primary") or not get("city"):
            return None, self.env._("Address or city missing.")
        if not STATE.match(state or ""):
            return None, self.env._("State %(state)s is not a 2-letter code.", state=shown(state))
        if not ZIP.match(zip_code or ""):
            return None, self.env._("ZIP code %(zip)s is not 5 digits.", zip=shown(zip_code))
        values = {
            "location_id": location_id,
            "address_primary": get("address_primary"),
            "city": get("city"),
            "state": state,
            "zip": zip_code,
            "block_geoid": get("block_geoid") or False,
            "fabric_version": self.fabric_version,
            "import_id": self.id,
        }
        try:
            values["block_geoid"] = to_text(get("block_geoid"), "block_geoid", 15) or False
            values["unit_count"] = to_int(get("unit_count"), "unit_count", 1, default=1)
            for column, limit in (("latitude", 90), ("longitude", 180)):
                degrees = to_decimal(get(column), column, COORDINATE_DIGITS, -limit, "0")
                if degrees > limit:
                    raise ValueError(f"{column} {degrees} is not between -{limit} and {limit}")
                values[column] = float(degrees)
        except ValueError as error:
            return None, str(error)
        return values, None

    def _telecom_upsert(self, valid):
        """Create new locations and update known ones, by chunks; ``(created, updated)``."""
        Location = self.env["telecom.bdc.location"]
        ids = list(valid)
        created = updated = 0
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            existing = {
                loc.location_id: loc for loc in Location.search([("location_id", "in", chunk)])
            }
            for location_id, location in existing.items():
                location.write(valid[location_id])
            new = [valid[i] for i in chunk if i not in existing]
            Location.create(new)
            created += len(new)
            updated += len(existing)
        return created, updated
