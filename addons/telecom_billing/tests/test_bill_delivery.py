import base64
import csv
import io
import socketserver
import threading

import odoo
from odoo.tests import tagged
from odoo.tools import config, mute_logger

from odoo.addons.account.models.account_move_send import AccountMoveSend

from .common import TelecomBillingCase

BOUNCE = """\
Return-Path: <>
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: {to}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="DSN-BOUNDARY"
Message-Id: <dsn-4711@mx.example.net>

--DSN-BOUNDARY
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered: 550 No such user.

--DSN-BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {email}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 No such user

--DSN-BOUNDARY
Content-Type: message/rfc822

Message-Id: {message_id}
From: billing@example.com
To: {email}
Subject: Your bill

Your bill is ready.

--DSN-BOUNDARY--
"""


class RefusingSmtpHandler(socketserver.StreamRequestHandler):
    """A mail server that knows no mailbox: every recipient is refused (550)."""

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 mx.example.net ESMTP")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith("EHLO"):
                self.reply("250-mx.example.net")
                self.reply("250 8BITMIME")
            elif command.startswith(("HELO", "MAIL", "RSET", "NOOP")):
                self.reply("250 OK")
            elif command.startswith("RCPT"):
                self.reply("550 5.1.1 No such user here")
            elif command.startswith("QUIT"):
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class Crash(Exception):
    """The worker dies (killed, out of memory) in the middle of a chunk."""


@tagged("post_install", "-at_install")
class TestBillDelivery(TelecomBillingCase):
    """Seven accounts billed on 1 March: bills by email (to a billing contact), portal
    only, paper, to an invalid address, and three more by email."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        us, ca = cls.env.ref("base.us").id, cls.state_ca.id

        def customer(name, email, delivery="email", **vals):
            return Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "email": email,
                    "street": "1 Main St",
                    "city": "Sacramento",
                    "zip": "95814",
                    "state_id": ca,
                    "country_id": us,
                    "telecom_bill_delivery": delivery,
                    **vals,
                }
            )

        cls.by_email = customer("T Anna Corp", "anna@example.com")
        cls.contact = Partner.create(
            {
                "name": "T Anna Accounts Payable",
                "parent_id": cls.by_email.id,
                "type": "invoice",
                "email": "ap@anna.example.com",
            }
        )
        cls.by_email.telecom_bill_contact_id = cls.contact
        cls.by_portal = customer("T Ben Portal", "ben@example.com", "portal")
        cls.by_paper = customer("T Carla Paper", False, "paper", zip="95815", street2="Apt 4")
        cls.invalid = customer("T Dan Invalid", "dan.at.example.com")
        cls.others = [customer(f"T Other {n}", f"other{n}@example.com") for n in range(3)]
        cls.customers = [cls.by_email, cls.by_portal, cls.by_paper, cls.invalid, *cls.others]
        cls.subscriptions = {}
        for partner in cls.customers:
            subscription = cls._subscription(partner)
            cls._service(subscription, cls.plan_fiber, start="2026-03-01")
            cls.subscriptions[partner] = subscription
        cls.company.telecom_bill_attach_pdf = True  # emails carry the PDF unless a test says
        cls.bill_run = cls._bill(cls.d(2026, 3, 1))
        cls.bills = {
            partner: cls._invoice(cls.bill_run, sub) for partner, sub in cls.subscriptions.items()
        }

    def _no_paper(self):
        """Bills rendered as HTML in tests cannot be merged into a print file: the paper
        customer goes digital where the test is not about paper."""
        self.by_paper.write({"telecom_bill_delivery": "email", "email": "carla@example.com"})

    def _mails(self, move):
        return self.env["mail.mail"].search(
            [("model", "=", "account.move"), ("res_id", "=", move.id)]
        )

    def _bill_messages(self, move):
        return move.message_ids.filtered(lambda m: m.message_type == "comment")

    def test_delivery_per_preference(self):
        self.assertEqual(self.bill_run.state, "done")
        self.assertEqual(self.bill_run.delivery_state, "sending", "the run starts its delivery")
        self.assertEqual(self.bill_run.to_send_count, 7)
        self.assertEqual(set(self.bill_run.move_ids.mapped("telecom_send_state")), {"to_send"})
        # real PDFs, the paper batch merges them: wkhtmltopdf reads the styles from the
        # test server, one bill per call (a wkhtmltopdf built on unpatched Qt, as Linux
        # distributions ship it, renders one document per call)
        Param = self.env["ir.config_parameter"]
        Param.set_param("report.url", "http://127.0.0.1:%s" % config["http_port"])
        Param.set_param("account.pdf_generation_batch", "0")

        def accounting(bills):
            return {
                bill.name: bill.line_ids.read(["account_id", "balance", "tax_ids"])
                for bill in bills
            }

        before = accounting(self.bill_run.move_ids)
        self.bill_run.with_context(force_report_rendering=True)._telecom_deliver_to_end(
            batch_size=3
        )
        self.assertEqual(self.bill_run.delivery_state, "done")
        # sending a bill and its delivery status change nothing of its accounting
        self.assertEqual(accounting(self.bill_run.move_ids), before)
        states = {p.name: b.telecom_send_state for p, b in self.bills.items()}
        self.assertEqual(
            (
                self.bill_run.to_send_count,
                self.bill_run.sent_count,
                self.bill_run.send_failed_count,
            ),
            (0, 5, 1),
            states,
        )
        self.assertEqual(self.bill_run.printed_count, 1)

        # email: to the bill contact, with the PDF, queued for the mail queue
        bill = self.bills[self.by_email]
        self.assertEqual(bill.telecom_send_state, "sent")
        mail = self._mails(bill)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertEqual(mail.recipient_ids, self.contact)
        self.assertEqual(mail.attachment_ids.mapped("mimetype"), ["application/pdf"])
        self.assertTrue(mail.attachment_ids.raw.startswith(b"%PDF"))
        self.assertIn(bill.name, mail.subject)

        # portal only: a notice with the portal link, no PDF
        bill = self.bills[self.by_portal]
        self.assertEqual(bill.telecom_send_state, "sent")
        mail = self._mails(bill)
        self.assertEqual(len(mail), 1)
        self.assertFalse(mail.attachment_ids)
        self.assertFalse(bill.invoice_pdf_report_id, "no PDF rendered for a portal notice")
        self.assertIn("customer portal", mail.body_html)
        self.assertIn("access_token=%s" % bill.access_token, mail.body_html)

        # paper: one print batch with the PDF and the vendor's mailing file
        bill = self.bills[self.by_paper]
        self.assertEqual(bill.telecom_send_state, "printed")
        self.assertFalse(self._mails(bill))
        batch = bill.telecom_print_batch_id
        self.assertEqual(batch, self.bill_run.print_batch_ids)
        self.assertEqual((batch.bill_count, batch.move_ids), (1, bill))
        self.assertEqual(batch.amount_total, bill.amount_residual)
        self.assertTrue(batch.pdf_file)
        rows = list(csv.DictReader(io.StringIO(base64.b64decode(batch.csv_file).decode())))
        self.assertEqual(len(rows), 1)
        self.assertEqual(
            (rows[0]["bill_number"], rows[0]["customer"], rows[0]["street2"], rows[0]["zip"]),
            (bill.name, "T Carla Paper", "Apt 4", "95815"),
        )
        self.assertEqual(rows[0]["amount_due"], "%.2f" % bill.amount_residual)
        self.assertEqual(rows[0]["account_number"], self.subscriptions[self.by_paper].name)

        # invalid address: reported, not sent, not retried
        bill = self.bills[self.invalid]
        self.assertEqual(bill.telecom_send_state, "failed")
        self.assertIn("dan.at.example.com", bill.telecom_send_error)
        self.assertFalse(self._mails(bill))
        self.bill_run._telecom_start_delivery()
        self.bill_run._telecom_deliver_to_end()
        self.assertEqual(bill.telecom_send_state, "failed")
        self.assertEqual(len(self._mails(self.bills[self.by_email])), 1, "sent once")

    def test_exactly_once_across_kill_and_resume(self):
        self._no_paper()
        run = self.bill_run
        run._telecom_deliver_chunk(3)  # committed by the cron runner
        first = run.move_ids.filtered(lambda m: m.telecom_send_state != "to_send")
        self.assertEqual(len(first), 3)

        sent = []
        original = AccountMoveSend._send_mail

        def send_then_die(self_, move, mail_template, **kwargs):
            if len(sent) == 1:
                raise Crash()
            sent.append(move)
            return original(self_, move, mail_template, **kwargs)

        self.patch(AccountMoveSend, "_send_mail", send_then_die)
        # the second chunk dies after one email: its transaction is rolled back
        with self.assertRaises(Crash), self.env.cr.savepoint():
            run._telecom_deliver_chunk(3)
        self.assertEqual(len(sent), 1)
        self.assertEqual(run.to_send_count, 4, "nothing of the dead chunk survived")
        self.patch(AccountMoveSend, "_send_mail", original)

        # resumed: every bill delivered, exactly once
        run._telecom_deliver_to_end(batch_size=3)
        self.assertEqual(run.delivery_state, "done")
        for partner, bill in self.bills.items():
            if partner == self.invalid:
                self.assertEqual(bill.telecom_send_state, "failed")
                self.assertFalse(self._mails(bill))
                continue
            self.assertEqual(bill.telecom_send_state, "sent", partner.name)
            self.assertEqual(len(self._mails(bill)), 1, partner.name)
            self.assertEqual(len(self._bill_messages(bill)), 1, partner.name)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_bounce_fails_the_delivery(self):
        self._no_paper()
        self.bill_run._telecom_deliver_to_end()
        bill = self.bills[self.others[0]]
        self.assertEqual(bill.telecom_send_state, "sent")
        message = self._bill_messages(bill)
        self.env["mail.thread"].message_process(
            None,
            BOUNCE.format(
                to="billing@example.com", email="other0@example.com", message_id=message.message_id
            ),
        )
        self.assertEqual(bill.telecom_send_state, "failed")
        self.assertIn("other0@example.com", bill.telecom_send_error)
        self.assertIn("bounced", bill.telecom_send_error)
        self.bill_run.invalidate_recordset()
        self.assertEqual(self.bill_run.send_failed_count, 2)

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_address_refused_by_the_mail_server(self):
        self._no_paper()
        self.bill_run._telecom_deliver_to_end()
        bill = self.bills[self.others[1]]
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), RefusingSmtpHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.env["ir.mail_server"].create(
            {"name": "Local", "smtp_host": "127.0.0.1", "smtp_port": server.server_address[1]}
        )
        # the mail queue sends for real, to the local server
        self.patch(odoo.modules.module, "current_test", False)
        self._mails(bill).send()
        self.assertEqual(bill.telecom_send_state, "failed")
        self.assertIn("No such user here", bill.telecom_send_error)

    def test_resend_from_the_invoice_after_fixing_the_address(self):
        self._no_paper()
        self.bill_run._telecom_deliver_to_end()
        bill = self.bills[self.invalid]
        self.assertEqual(bill.telecom_send_state, "failed")
        self.invalid.email = "dan@example.com"
        wizard = (
            self.env["account.move.send.wizard"]
            .with_context(active_model="account.move", active_ids=bill.ids)
            .create({})
        )
        wizard.action_send_and_print()
        self.assertEqual(bill.telecom_send_state, "sent")
        self.assertFalse(bill.telecom_send_error)
        self.assertEqual(self._mails(bill).recipient_ids, self.invalid)

    def test_preview_before_sending(self):
        self._no_paper()
        self.company.telecom_bill_auto_send = False
        run = self._bill(self.d(2026, 4, 1))
        self.assertFalse(run.auto_send)
        self.assertEqual((run.delivery_state, run.to_send_count), ("pending", 7))
        action = run.action_preview_bills()
        self.assertEqual(action["report_type"], "qweb-html")
        self.assertEqual(action["report_name"], "account.report_invoice_with_payments")
        self.assertEqual(len(action["context"]["active_ids"]), 7)
        run.action_send_bills()
        self.assertEqual(run.delivery_state, "sending")
        run._telecom_deliver_to_end()
        self.assertEqual((run.sent_count, run.send_failed_count, run.printed_count), (6, 1, 0))
