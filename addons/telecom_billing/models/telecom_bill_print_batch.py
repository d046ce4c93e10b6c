import base64
import csv
import io

from odoo import api, fields, models
from odoo.tools.pdf import merge_pdf

# Columns of the print vendor's file, one row per bill, in the order of the bills in the PDF.
PRINT_FILE_COLUMNS = [
    "sequence",
    "bill_number",
    "account_number",
    "customer",
    "street",
    "street2",
    "city",
    "state",
    "zip",
    "country",
    "bill_date",
    "due_date",
    "amount_due",
    "currency",
]


class TelecomBillPrintBatch(models.Model):
    _name = "telecom.bill.print.batch"
    _description = "Telecom Bill Print Batch"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    run_id = fields.Many2one(
        "telecom.bill.run", string="Bill Run", readonly=True, index=True, check_company=True
    )
    move_ids = fields.One2many(
        "account.move", "telecom_print_batch_id", string="Bills", readonly=True
    )
    bill_count = fields.Integer(string="Number of Bills", readonly=True)
    amount_total = fields.Monetary(string="Amount Due", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    csv_file = fields.Binary(
        string="Mailing File",
        attachment=True,
        readonly=True,
        help="One row per bill: the mailing address and figures, in the order of the PDF.",
    )
    csv_filename = fields.Char(readonly=True)
    pdf_file = fields.Binary(
        string="Bills PDF", attachment=True, readonly=True, help="The bills to print, in order."
    )
    pdf_filename = fields.Char(readonly=True)
    state = fields.Selection(
        [("ready", "Ready for the Print Vendor"), ("handed_over", "Handed Over")],
        default="ready",
        required=True,
        readonly=True,
        tracking=True,
    )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("telecom.bill.print.batch")
        return super().create(vals_list)

    # ------------------------------------------------------------
    # ACTION
    # ------------------------------------------------------------

    def action_mark_handed_over(self):
        self.write({"state": "handed_over"})

    def action_view_bills(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("telecom_print_batch_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _telecom_create_batches(self, moves):
        """One print batch per company and bill run for these paper bills: their PDFs
        (rendered by Odoo's invoice sending, kept on each bill), merged into one file, and
        the vendor's mailing file. The bills are printed; those whose PDF could not be made
        are failed."""
        self.env["account.move.send"]._generate_and_send_invoices(
            moves, allow_raising=False, sending_methods={"manual"}
        )
        no_pdf = moves.filtered(lambda move: not move.invoice_pdf_report_id)
        if no_pdf:
            no_pdf._telecom_mark_failed(
                self.env._("The bill document could not be generated; see the messages.")
            )
        batches = self.browse()
        for (company, run), group in (
            (moves - no_pdf)
            .grouped(lambda move: (move.company_id, move.telecom_bill_run_id))
            .items()
        ):
            batch = self.create({"company_id": company.id, "run_id": run.id})
            group._telecom_write_status(
                {"telecom_send_state": "printed", "telecom_print_batch_id": batch.id}
            )
            batch._telecom_write_files(group)
            batches |= batch
        return batches

    def _telecom_write_files(self, moves):
        self.ensure_one()
        moves = moves.sorted(lambda move: (move.partner_id.zip or "", move.id))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(PRINT_FILE_COLUMNS)
        for sequence, move in enumerate(moves, start=1):
            writer.writerow(self._telecom_print_row(sequence, move))
        pdf = merge_pdf([move.invoice_pdf_report_id.raw for move in moves])
        self.write(
            {
                "bill_count": len(moves),
                "amount_total": sum(moves.mapped("amount_residual_signed")),
                "csv_file": base64.b64encode(out.getvalue().encode()),
                "csv_filename": "%s.csv" % self.name.replace("/", "_"),
                "pdf_file": base64.b64encode(pdf),
                "pdf_filename": "%s.pdf" % self.name.replace("/", "_"),
            }
        )

    def _telecom_hand_over(self):
        """The files of these batches for the print vendor, as attachments under their own
        names (the bills PDF and the mailing file of each); the batches are handed over."""
        attachments = self.env["ir.attachment"]
        for batch in self.filtered(lambda b: b.state == "ready"):
            files = [(batch.pdf_filename, batch.pdf_file), (batch.csv_filename, batch.csv_file)]
            attachments |= attachments.create(
                [
                    {
                        "name": name,
                        "raw": base64.b64decode(content),
                        "res_model": batch._name,
                        "res_id": batch.id,
                    }
                    for name, content in files
                    if content
                ]
            )
            batch.state = "handed_over"
        return attachments

    @api.model
    def _telecom_print_row(self, sequence, move):
        address = move.partner_id
        return [
            sequence,
            move.name,
            move.telecom_subscription_id.name or "",
            address.commercial_partner_id.name if address.parent_id else address.name,
            address.street or "",
            address.street2 or "",
            address.city or "",
            address.state_id.code or "",
            address.zip or "",
            address.country_id.code or "",
            move.invoice_date.isoformat() if move.invoice_date else "",
            move.invoice_date_due.isoformat() if move.invoice_date_due else "",
            "%.*f" % (move.currency_id.decimal_places, move.amount_residual),
            move.currency_id.name,
        ]
