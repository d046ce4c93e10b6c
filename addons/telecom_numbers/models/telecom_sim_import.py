import base64
import time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.e164 import normalize_e164
from ..tools.sim import eid_error, iccid_error, imsi_error, pin_error
from ..tools.staging import insert_rejects, reject_duplicates, stage
from .telecom_sim import LINE_STATES, SIM_KINDS, SIM_STATES

# Columns of the SIM vendor's file; "state" and "number" only in a migration.
SIM_COLUMNS = (
    "iccid",
    "imsi",
    "pin1",
    "puk1",
    "pin2",
    "puk2",
    "kind",
    "eid",
    "smdp_address",
    "matching_id",
    "state",
    "number",
)
SIM_ALIASES = {
    "sim_type": "kind",
    "type": "kind",
    "smdp": "smdp_address",
    "sm_dp_address": "smdp_address",
    "activation_code": "matching_id",
    "msisdn": "number",
    "line": "number",
    "status": "state",
}
STAGE = "sim_import_stage"
IMPORT_STATES = [("draft", "Draft"), ("done", "Done")]


class TelecomSimImport(models.Model):
    """A batch of SIMs from the SIM vendor's file, or from the legacy system (migration: with
    their state and line). Set-based; bad rows are rejected with their reason."""

    _name = "telecom.sim.import"
    _description = "SIM Import"
    _inherit = ["mail.thread"]
    _order = "id desc"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    file = fields.Binary(string="CSV File", attachment=True, copy=False)
    filename = fields.Char()
    migration = fields.Boolean(
        help="Legacy migration: rows may give the SIM's state and line (number).",
    )
    state = fields.Selection(IMPORT_STATES, default="draft", required=True, tracking=True)
    row_count = fields.Integer(string="Rows", readonly=True)
    created_count = fields.Integer(string="SIMs Created", readonly=True)
    existing_count = fields.Integer(
        string="Already in Inventory",
        readonly=True,
        help="Valid rows whose ICCID was already in the inventory (left unchanged).",
    )
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 2))
    reject_ids = fields.One2many(
        "telecom.sim.import.reject", "import_id", string="Rejected Rows", readonly=True
    )
    sim_ids = fields.One2many("telecom.sim", "import_id", string="SIMs")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("telecom.sim.import") or "/"
        return super().create(vals_list)

    def action_import(self):
        for record in self:
            if not record.file:
                raise UserError(self.env._("Attach the SIM vendor's CSV file to import."))
            if record.state == "done":
                raise UserError(self.env._("Import %(name)s is already done.", name=record.name))
            record._telecom_run_import(base64.b64decode(record.file))
        return True

    def action_view_sims(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("SIMs of %(name)s", name=self.name),
            "res_model": "telecom.sim",
            "view_mode": "list,form",
            "domain": [("import_id", "=", self.id)],
        }

    @api.model
    def _telecom_import_csv(self, content, filename="sims.csv", migration=False):
        """Create an import for ``content`` (CSV bytes) and run it (scripts, migration)."""
        record = self.create({"filename": filename, "migration": migration})
        record._telecom_run_import(content)
        return record

    def _telecom_run_import(self, content):
        """Check each row (ICCID with its Luhn check digit, IMSI, PIN/PUK, type, eSIM data;
        in a migration the state and the line), then in SQL: ICCIDs and IMSIs repeated in the
        file or IMSIs of other SIMs, unknown lines, two SIMs on one line; create the SIMs with
        their history and list the rejects."""
        self.ensure_one()
        self.check_access("write")
        self.env["telecom.sim"].check_access("create")
        started = time.monotonic()
        for model in ("telecom.sim", "telecom.number", "telecom.sim.history"):
            self.env[model].flush_model()
        rows = stage(
            self.env,
            STAGE,
            SIM_COLUMNS,
            content,
            self._telecom_row_checker(),
            ["iccid"],
            SIM_ALIASES,
        )
        self._telecom_check_set()
        created = self._telecom_insert_sims()
        cr = self.env.cr
        rejected = insert_rejects(
            self.env, STAGE, "telecom.sim.import.reject", self, "iccid", SIM_COLUMNS
        )
        cr.execute("DROP TABLE sim_import_stage")
        self.env["telecom.sim"].invalidate_model()
        self.invalidate_recordset(["reject_ids", "sim_ids"])
        self.write(
            {
                "state": "done",
                "row_count": rows,
                "created_count": created,
                "rejected_count": rejected,
                "existing_count": rows - created - rejected,
                "duration": time.monotonic() - started,
            }
        )
        self.message_post(
            body=self.env._(
                "%(rows)s rows read: %(created)s SIMs created, %(existing)s already in the "
                "inventory, %(rejected)s rejected.",
                rows=rows,
                created=created,
                existing=self.existing_count,
                rejected=rejected,
            )
        )
        return True

    def _telecom_reimport_rows(self, rejects):
        """A new import of the corrected ``rejects``; returns what it did, in a sentence."""
        again = self._telecom_import_csv(
            rejects._telecom_reimport_content(SIM_COLUMNS),
            f"{self.name}-corrected.csv",
            migration=self.migration,
        )
        return self.env._(
            "%(name)s: %(rows)s rows, %(created)s SIMs created, %(rejected)s rejected.",
            name=again.name,
            rows=again.row_count,
            created=again.created_count,
            rejected=again.rejected_count,
        )

    def _telecom_row_checker(self):
        """A function checking one row on its own: ``(values, reason)``."""
        _ = self.env._
        kinds = {key for key, _label in SIM_KINDS}
        states = {key for key, _label in SIM_STATES}
        migration = self.migration

        def check(row):
            iccid = "".join(row.get("iccid", "").split())
            kind = (row.get("kind") or ("esim" if row.get("smdp_address") else "physical")).lower()
            state = (row.get("state") or "in_stock").lower() if migration else "in_stock"
            number = normalize_e164(row["number"]) if row.get("number") else ""
            values = (
                iccid,
                row.get("imsi", ""),
                row.get("pin1", ""),
                row.get("puk1", ""),
                row.get("pin2", ""),
                row.get("puk2", ""),
                kind,
                row.get("eid", ""),
                row.get("smdp_address", ""),
                row.get("matching_id", ""),
                state,
                number or "",
            )
            reason = None
            error = (
                iccid_error(iccid)
                or imsi_error(row.get("imsi"))
                or (row.get("pin1") and pin_error(row["pin1"]))
                or (row.get("puk1") and pin_error(row["puk1"], puk=True))
                or (row.get("pin2") and pin_error(row["pin2"]))
                or (row.get("puk2") and pin_error(row["puk2"], puk=True))
                or (row.get("eid") and eid_error(row["eid"]))
            )
            if error:
                reason = _("Invalid: %(error)s.", error=error)
            elif kind not in kinds:
                reason = _("Unknown SIM type '%(kind)s' (physical or esim).", kind=kind)
            elif kind == "esim" and not row.get("smdp_address"):
                reason = _("An eSIM profile needs its SM-DP+ address.")
            elif state not in states:
                reason = _("Unknown SIM state '%(state)s'.", state=state)
            elif row.get("number") and not number:
                reason = _("'%(number)s' is not a telephone number.", number=row["number"])
            elif state in LINE_STATES and not number:
                reason = _("An assigned or active SIM needs its line (number).")
            elif (row.get("state") or row.get("number")) and not migration:
                reason = _("State and line are only read in a migration.")
            return values, reason

        return check

    def _telecom_check_set(self):
        """Checks that need the whole file or the inventory."""
        _ = self.env._
        reject_duplicates(
            self.env, STAGE, "iccid", _("ICCID repeated: see row %(row)s.", row="\x01")
        )
        reject_duplicates(self.env, STAGE, "imsi", _("IMSI repeated: see row %(row)s.", row="\x01"))
        cr = self.env.cr
        cr.execute(
            """
            UPDATE sim_import_stage s SET reason = %s
              FROM telecom_sim t
             WHERE s.reason IS NULL AND t.imsi = s.imsi AND t.name <> s.iccid
            """,
            [_("This IMSI belongs to another SIM of the inventory.")],
        )
        cr.execute(
            """
            UPDATE sim_import_stage s SET reason = %s
             WHERE s.reason IS NULL AND s.number IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM telecom_number n WHERE n.name = s.number)
            """,
            [_("The line (number) is not in the number inventory: migrate the numbers first.")],
        )
        # a line has one SIM in service: the first row of the file for it, unless the
        # inventory has one already
        cr.execute(
            """
            WITH ranked AS (
                SELECT row_no, number,
                       row_number() OVER (PARTITION BY number ORDER BY row_no) AS rank
                  FROM sim_import_stage
                 WHERE reason IS NULL AND state = ANY(%(states)s))
            UPDATE sim_import_stage s SET reason = %(reason)s
              FROM ranked r
             WHERE s.row_no = r.row_no
               AND (r.rank > 1
                    OR EXISTS (SELECT 1 FROM telecom_number n
                                 JOIN telecom_sim t ON t.number_id = n.id
                                WHERE n.name = r.number AND t.state = ANY(%(states)s)
                                  AND t.name <> s.iccid))
            """,
            {"states": list(LINE_STATES), "reason": _("The line already has a SIM in service.")},
        )

    def _telecom_insert_sims(self):
        """Insert the valid new SIMs and one history row each, in one statement."""
        self.env.cr.execute(
            SQL(
                """
                WITH created AS (
                    INSERT INTO telecom_sim (
                        name, imsi, pin1, puk1, pin2, puk2, kind, eid, smdp_address,
                        matching_id, state, state_date, number_id, partner_id, import_id,
                        company_id,
                        create_uid, create_date, write_uid, write_date)
                    SELECT s.iccid, s.imsi, s.pin1, s.puk1, s.pin2, s.puk2, s.kind, s.eid,
                           s.smdp_address, s.matching_id, s.state, now() AT TIME ZONE 'UTC',
                           n.id, n.partner_id, %(import)s, %(company)s,
                           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                      FROM sim_import_stage s
                      LEFT JOIN telecom_number n ON n.name = s.number
                     WHERE s.reason IS NULL
                       AND NOT EXISTS (SELECT 1 FROM telecom_sim t WHERE t.name = s.iccid)
                    ON CONFLICT (name) DO NOTHING
                    RETURNING id, state, number_id, partner_id)
                INSERT INTO telecom_sim_history (
                    sim_id, date, user_id, to_state, number_id, partner_id, reason,
                    create_uid, create_date, write_uid, write_date)
                SELECT id, now() AT TIME ZONE 'UTC', %(uid)s, state, number_id, partner_id,
                       %(reason)s,
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM created
                """,
                uid=self.env.uid,
                reason=self.env._("Added by SIM import %(name)s", name=self.name),
                company=self.company_id.id,
                **{"import": self.id},
            )
        )
        return self.env.cr.rowcount
