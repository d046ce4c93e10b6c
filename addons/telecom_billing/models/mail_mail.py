from odoo import models

# Failures of a bill email that are about its address (unknown errors include a recipient
# refused by the mail server); a mail server that is down or misconfigured is not the
# customer's address and leaves the bill sent (its email waits in the mail queue).
ADDRESS_FAILURES = ("mail_email_invalid", "mail_email_missing", "mail_bounce", "unknown")


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        """A bill email the mail server refused (invalid address, rejected recipient) is a
        failed delivery of the bill, reported with the server's reason; the mail queue does
        not retry it."""
        if failure_type in ADDRESS_FAILURES:
            bills = (
                self.env["account.move"]
                .sudo()
                .browse(mail.res_id for mail in self if mail.model == "account.move")
                .exists()
                .filtered(lambda move: move.telecom_send_state == "sent")
            )
            if bills:
                bills._telecom_mark_failed(
                    self.env._(
                        "the mail server refused the email (%(reason)s).",
                        reason=failure_reason or failure_type,
                    )
                )
        return super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
