from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import TelecomRegulatoryCase


@tagged("post_install", "-at_install")
class TestCpni(TelecomRegulatoryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subscription = cls._subscription()
        cls.mobile = cls._service(cls.subscription, cls.plan_basic, date(2025, 3, 1))
        cls.call = cls._usage(cls.mobile, "T-CDR-0001")
        cls.agent = new_test_user(
            cls.env,
            login="t_agent",
            groups="telecom_catalog.group_telecom_user,base.group_allow_export",
        )
        cls.cpni_agent = new_test_user(
            cls.env,
            login="t_cpni_agent",
            groups="telecom_catalog.group_telecom_user,telecom_catalog.group_telecom_cpni,"
            "base.group_allow_export",
        )
        cls.officer = new_test_user(
            cls.env, login="t_officer", groups="telecom_catalog.group_telecom_regulatory"
        )

    def test_unauthorized_user_cannot_read_cpni(self):
        customer = self.customer.with_user(self.agent)
        with self.assertRaises(AccessError):
            customer.read(["telecom_cpni_service_mix"])
        with self.assertRaises(AccessError):
            customer.export_data(["telecom_cpni_service_mix"])
        self.assertNotIn("telecom_cpni_service_mix", customer.fields_get())
        with self.assertRaises(AccessError):
            self.env["telecom.cpni.view.wizard"].with_user(self.agent).create(
                {"partner_id": self.customer.id, "reason": "curious", "channel": "backend"}
            )
        # the password hash is never readable by staff, CPNI Authorized or not
        with self.assertRaises(AccessError):
            self.customer.with_user(self.cpni_agent).read(["telecom_cpni_password_hash"])

    def test_call_detail_restricted_to_cpni_group(self):
        billing = new_test_user(
            self.env,
            login="t_billing_agent",
            groups="telecom_catalog.group_telecom_billing,base.group_allow_export",
        )
        Usage = self.env["telecom.usage.record"]
        for user in (self.agent, billing):
            self.assertFalse(Usage.with_user(user).search([("partner_id", "=", self.customer.id)]))
            with self.assertRaises(AccessError):
                self.call.with_user(user).read(["called_number"])
            with self.assertRaises(AccessError):
                self.call.with_user(user).export_data(["called_number", "duration"])
        # CPNI Authorized: sees the call detail, and the read is logged
        call = self.call.with_user(self.cpni_agent).with_context(
            telecom_cpni_reason="Disputed call", telecom_cpni_channel="phone"
        )
        self.assertEqual(call.read(["called_number"])[0]["called_number"], "+12125550100")
        log = self.env["telecom.cpni.access.log"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((log.user_id, log.reason), (self.cpni_agent, "Disputed call"))
        self.assertIn("Called Number", log.data_viewed)
        Usage = Usage.with_user(self.cpni_agent)
        Usage.search_read([("id", "=", self.call.id)], ["called_number"])
        Usage.web_search_read([("id", "=", self.call.id)], {"duration": {}})
        self.assertEqual(
            self.env["telecom.cpni.access.log"].search_count(
                [("partner_id", "=", self.customer.id)]
            ),
            3,
        )
        exported = call.export_data(["called_number"])
        self.assertEqual(exported["datas"], [["+12125550100"]])
        self.assertEqual(
            self.env["telecom.cpni.access.log"].search_count(
                [("partner_id", "=", self.customer.id)]
            ),
            4,
        )

    def test_authorized_read_is_logged(self):
        Log = self.env["telecom.cpni.access.log"]
        customer = self.customer.with_user(self.cpni_agent)
        values = customer.with_context(
            telecom_cpni_reason="Billing dispute", telecom_cpni_channel="email"
        ).read(["telecom_cpni_service_mix"])
        self.assertIn("T Mobile Basic", values[0]["telecom_cpni_service_mix"])
        log = Log.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.user_id, log.reason, log.channel), (self.cpni_agent, "Billing dispute", "email")
        )
        # reading other fields is not CPNI: no entry
        customer.read(["name"])
        self.assertEqual(Log.search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_phone_view_requires_authentication(self):
        self.customer._telecom_set_cpni_secret(
            password="Blue-Heron-77", question="First concert?", answer="Rolling Stones"
        )
        wizard = (
            self.env["telecom.cpni.view.wizard"]
            .with_user(self.cpni_agent)
            .create(
                {
                    "partner_id": self.customer.id,
                    "reason": "Call detail question",
                    "scope": "service_mix",
                }
            )
        )
        with self.assertRaises(UserError):
            wizard.action_view()
        Auth = self.env["telecom.cpni.authenticate.wizard"].with_user(self.cpni_agent)
        Auth.create(
            {"partner_id": self.customer.id, "method": "password", "given_secret": "wrong one"}
        ).action_record()
        Auth.create(
            {"partner_id": self.customer.id, "method": "backup", "given_secret": "rolling stones"}
        ).action_record()
        results = self.env["telecom.cpni.authentication"].search(
            [("partner_id", "=", self.customer.id)], order="id"
        )
        self.assertEqual(results.mapped("result"), ["failed", "passed"])
        action = wizard.action_view()
        self.assertEqual(action["res_id"], self.customer.id)
        log = self.env["telecom.cpni.access.log"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(log.authentication_id, results[1])
        self.assertEqual(log.channel, "phone")
        # call detail: the usage records of the customer, read in the wizard's context
        wizard.scope = "call_detail"
        action = wizard.action_view()
        self.assertEqual(action["res_model"], "telecom.usage.record")
        Usage = self.env["telecom.usage.record"].with_user(self.cpni_agent)
        calls = Usage.with_context(**action["context"]).search(action["domain"])
        self.assertEqual(calls, self.call)
        calls.read(["called_number", "duration"])
        logs = self.env["telecom.cpni.access.log"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(logs), 2)
        self.assertEqual(logs[0].reason, "Call detail question")
        self.assertIn("Usage", logs[0].data_viewed)

    def test_password_rules_and_hashing(self):
        with self.assertRaises(ValidationError):
            self.customer._telecom_set_cpni_secret(password="sacramento1")  # city of record
        with self.assertRaises(ValidationError):
            self.customer._telecom_set_cpni_secret(password="x95814x")  # ZIP
        self.customer._telecom_set_cpni_secret(password="Blue-Heron-77")
        stored = self.customer.sudo().telecom_cpni_password_hash
        self.assertNotIn("Heron", stored)
        self.assertTrue(self.customer._telecom_verify_cpni_secret("Blue-Heron-77"))
        self.assertFalse(self.customer._telecom_verify_cpni_secret("blue-heron-77"))
        with self.assertRaises(AccessError):
            self.customer.with_user(self.agent)._telecom_set_cpni_secret(password="Other-Pass-11")

    def test_change_notice_goes_to_previous_address(self):
        Notice = self.env["telecom.cpni.notice"]
        self.customer.email = "new@example.com"
        notice = Notice.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(notice), 1)
        self.assertEqual(
            (notice.change_type, notice.channel, notice.sent_to),
            ("address", "email", "customer@example.com"),
        )
        self.assertEqual(notice.mail_id.email_to, "customer@example.com")
        self.assertNotIn("new@example.com", notice.mail_id.body_html)
        # a postal address change is told to the current (unchanged) email
        self.customer.street = "99 Elm St"
        notice = Notice.search([("partner_id", "=", self.customer.id)], limit=1)
        self.assertEqual(notice.sent_to, "new@example.com")
        # password change
        self.customer._telecom_set_cpni_secret(password="Blue-Heron-77")
        notice = Notice.search([("partner_id", "=", self.customer.id)], limit=1)
        self.assertEqual((notice.change_type, notice.sent_to), ("password", "new@example.com"))
        # a partner without a telecom subscription gets no notice
        other = self.env["res.partner"].create({"name": "T Prospect", "email": "p@example.com"})
        other.email = "q@example.com"
        self.assertFalse(Notice.search([("partner_id", "=", other.id)]))

    def test_online_account_notice(self):
        user = new_test_user(
            self.env,
            login="t_portal_customer",
            groups="base.group_portal",
            partner_id=self.customer.id,
        )
        Notice = self.env["telecom.cpni.notice"]
        domain = [("partner_id", "=", self.customer.id), ("change_type", "=", "online_account")]
        self.assertEqual(Notice.search_count(domain), 1)
        user.password = "a-new-portal-password"
        self.assertEqual(Notice.search_count(domain), 2)
        self.assertEqual(Notice.search(domain, limit=1).sent_to, self.customer.email)

    def test_campaign_excludes_customers_without_approval(self):
        opted_out = self.env["res.partner"].create(
            {"name": "T Opted Out", "telecom_cpni_approval": "denied"}
        )
        opt_in = self.env["res.partner"].create(
            {"name": "T Opt In", "telecom_cpni_approval": "opt_in"}
        )
        self.customer.telecom_cpni_approval = "opt_out"
        for partner in (opted_out, opt_in):
            self._service(self._subscription(partner), self.plan_basic, date(2025, 3, 1))
        campaign = (
            self.env["telecom.cpni.campaign"]
            .with_user(self.officer)
            .create({"name": "T Upgrade offer", "approval_required": "opt_out"})
        )
        campaign.action_build_list()
        self.assertIn(self.customer, campaign.partner_ids)
        self.assertIn(opt_in, campaign.partner_ids)
        self.assertNotIn(opted_out, campaign.partner_ids)
        self.assertGreaterEqual(campaign.excluded_count, 1)
        third_party = self.env["telecom.cpni.campaign"].create(
            {"name": "T Partner offer", "approval_required": "opt_in"}
        )
        third_party.action_build_list()
        self.assertIn(opt_in, third_party.partner_ids)
        self.assertNotIn(self.customer, third_party.partner_ids)
        with self.assertRaises(UserError):
            campaign.unlink()  # kept one year

    def test_opt_out_notices_waiting_period_and_renotice(self):
        Partner = self.env["res.partner"]
        Notice = self.env["telecom.cpni.optout.notice"]
        mailed, emailed, recent, objected = Partner.create(
            [{"name": f"T {name}"} for name in ("Mailed", "Emailed", "Recent", "Objected")]
        )
        objected.telecom_cpni_approval = "denied"

        def notice(partner, channel, day):
            return Notice.create(
                {
                    "partner_id": partner.id,
                    "channel": channel,
                    "date_sent": day,
                    "content_version": "T-OPTOUT-v2",
                }
            )

        mailed_notice = notice(mailed, "mail", date(2026, 1, 2))
        notice(emailed, "email", date(2026, 1, 2))
        notice(recent, "mail", date(2026, 1, 20))
        notice(objected, "mail", date(2026, 1, 2))
        # 47 CFR 64.2008(d)(1): 30 days, starting on the 3rd day after mailing:
        # Jan 2 + 3 + 30 = Feb 4; email: Jan 2 + 30 = Feb 1
        self.assertEqual(mailed_notice.approval_from, date(2026, 2, 4))
        # kept 1 year (64.2008(a)(2)), repeated every 2 years (64.2008(d)(2))
        self.assertEqual(mailed_notice.retain_until, date(2027, 1, 2))
        self.assertEqual(mailed_notice.renotice_due, date(2028, 1, 2))
        self.assertEqual(mailed.telecom_cpni_optout_notice_date, date(2026, 1, 2))
        self.assertEqual(mailed.telecom_cpni_renotice_due, date(2028, 1, 2))
        with freeze_time("2026-02-10"):
            Partner._cron_telecom_cpni_opt_out_approvals()
        self.assertEqual(
            (mailed.telecom_cpni_approval, mailed.telecom_cpni_approval_date),
            ("opt_out", date(2026, 2, 4)),
        )
        self.assertEqual(mailed.telecom_cpni_approval_channel, "written")
        self.assertEqual(
            (emailed.telecom_cpni_approval, emailed.telecom_cpni_approval_date),
            ("opt_out", date(2026, 2, 1)),
        )
        self.assertEqual(recent.telecom_cpni_approval, "none")  # until Feb 22
        self.assertEqual(objected.telecom_cpni_approval, "denied")
        with freeze_time("2026-12-31"), self.assertRaises(UserError):
            mailed_notice.unlink()  # kept until 2027-01-02
        due = Notice.search([("renotice_due", "<=", date(2028, 1, 2))])
        self.assertIn(mailed_notice, due)

    def test_breach_deadlines(self):
        officer_group = self.env.ref("telecom_catalog.group_telecom_regulatory")
        self.assertIn(self.officer, officer_group.users)
        # the law enforcement waiting period stays in force by default: 7 business days
        self.assertEqual(
            self.env["res.company"].create({"name": "T Co"}).telecom_cpni_breach_wait_days, 7
        )
        self.company.telecom_cpni_breach_wait_days = 7
        self.company.telecom_cpni_breach_customer_days = 30
        breach = self.env["telecom.cpni.breach"].create(
            {
                "discovery_date": date(2025, 11, 21),
                "determination_date": date(2025, 11, 24),  # a Monday
                "description": "Pretexter obtained call detail",
                "partner_ids": [(6, 0, self.customer.ids)],
            }
        )
        self.assertTrue(breach.name.startswith("CPNI-BR/"))
        # 7 business days: Nov 25, 26, (27 Thanksgiving), 28, Dec 1, 2, 3, 4
        self.assertEqual(breach.le_deadline, date(2025, 12, 4))
        self.assertEqual(breach.customer_deadline, date(2025, 12, 24))  # 30 days
        self.assertEqual(breach.retain_until, date(2027, 11, 24))
        self.assertEqual(breach.activity_ids.date_deadline, date(2025, 12, 4))
        with freeze_time("2025-11-26"):
            breach.action_law_enforcement_notified()
        # 7 full business days after Wed Nov 26: Nov 28, Dec 1, 2, 3, 4, 5, 8 (Thanksgiving
        # skipped): customers from Tuesday Dec 9
        self.assertEqual(breach.customer_wait_until, date(2025, 12, 9))
        self.assertEqual(breach.activity_ids.date_deadline, date(2025, 12, 24))
        with freeze_time("2025-12-08"), self.assertRaises(UserError):
            breach.action_customers_notified()  # still in the waiting period
        with freeze_time("2025-12-09"):
            breach.action_customers_notified()
        self.assertEqual(breach.state, "customers_notified")
        self.assertFalse(breach.activity_ids)
        with self.assertRaises(UserError):
            breach.unlink()

    def test_portal_usage_access_is_logged(self):
        portal = new_test_user(self.env, login="t_cpni_portal_log", groups="base.group_portal")
        self.mobile.with_user(portal)._telecom_portal_usage_access(
            "call_detail", date(2025, 3, 1), date(2025, 3, 31)
        )
        log = self.env["telecom.cpni.access.log"].search(
            [("partner_id", "=", self.mobile.partner_id.commercial_partner_id.id)]
        )
        self.assertEqual(log.channel, "portal")
        self.assertEqual(log.user_id, portal)
        self.assertIn("call detail download", log.data_viewed)
        self.assertIn("2025-03-01", log.data_viewed)

    def test_certification_renders(self):
        for register in (
            "telecom.cpni.pretexting",
            "telecom.cpni.broker.action",
            "telecom.cpni.complaint",
        ):
            self.env[register].search([]).unlink()  # the demo's entries
        self.env["telecom.cpni.complaint"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "category": "employee_access",
                    "date": date(2025, 5, 1),
                },
                {
                    "partner_id": self.customer.id,
                    "category": "employee_access",
                    "date": date(2025, 6, 1),
                },
                {"partner_id": self.customer.id, "category": "other", "date": date(2024, 6, 1)},
            ]
        )
        self.env["telecom.cpni.breach"].create(
            {
                "discovery_date": date(2025, 8, 1),
                "determination_date": date(2025, 8, 2),
                "description": "Lost tablet",
            }
        )
        filing = self.env["telecom.regulatory.filing"].create(
            {
                "filing_type": "cpni_cert",
                "date_from": date(2025, 1, 1),
                "date_to": date(2025, 12, 31),
                "cpni_officer_id": self.officer.id,
            }
        )
        self.assertEqual(filing.due_date, date(2026, 3, 1))
        # statements from empty registers
        self.assertIn(
            "took no actions against data brokers in 2025", filing.cpni_data_broker_statement
        )
        self.assertIn("detected no pretexting attempts in 2025", filing.cpni_pretexting_statement)
        # the registers staff keep
        self.env["telecom.cpni.pretexting"].create(
            [
                {
                    "date": date(2025, 2, 3),
                    "channel": "phone",
                    "method": "Posed as the account holder",
                },
                {
                    "date": date(2025, 4, 9),
                    "channel": "phone",
                    "method": "Claimed to be a police officer",
                },
                {
                    "date": date(2025, 9, 1),
                    "channel": "online",
                    "method": "Password reset with a stolen email",
                    "outcome": "disclosed",
                },
                {"date": date(2024, 9, 1), "channel": "store", "method": "Fake ID"},  # 2024
            ]
        )
        self.env["telecom.cpni.broker.action"].create(
            {
                "date": date(2025, 10, 6),
                "broker": "T Data Brokers LLC",
                "action_type": "court",
                "forum": "N.D. Cal. No. 25-cv-0001",
                "description": "Suit to stop the sale of call records",
            }
        )
        filing.invalidate_recordset()
        self.assertIn(
            "detected 3 pretexting attempt(s) in 2025, 2 blocked", filing.cpni_pretexting_statement
        )
        self.assertIn("1 that led to a disclosure", filing.cpni_pretexting_statement)
        self.assertIn(
            "Claimed to be a police officer; Posed as the account holder",
            filing.cpni_pretexting_statement,
        )
        self.assertNotIn("Fake ID", filing.cpni_pretexting_statement)
        self.assertIn(
            "took 1 action(s) against data brokers in 2025", filing.cpni_data_broker_statement
        )
        self.assertIn(
            "T Data Brokers LLC (N.D. Cal. No. 25-cv-0001)", filing.cpni_data_broker_statement
        )
        self.assertIn("received 2 customer complaint(s) in 2025", filing.cpni_complaint_statement)
        self.assertEqual(
            dict(filing._telecom_cpni_complaint_summary())["Improper access by employees"], 2
        )
        filing.action_generate()
        self.assertFalse(filing.error_ids)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", filing._name), ("res_id", "=", filing.id)]
        )
        self.assertEqual(len(attachment), 1)
        report = self.env.ref("telecom_regulatory.action_report_cpni_certification")
        html = report._render_qweb_html(report.report_name, filing.ids)[0].decode()
        self.assertIn("64.2009(e)", html)
        self.assertIn(self.officer.name, html)
        self.assertIn("CPNI-BR/", html)
        self.assertIn("T Data Brokers LLC", html)
        self.assertIn("Password reset with a stolen email", html)
        pdf = report.with_context(force_report_rendering=True)._render_qweb_pdf(
            report.report_name, filing.ids
        )[0]
        self.assertTrue(pdf.startswith(b"%PDF"), "the certification renders as a PDF")
        filing.action_review()
        filing.action_file()
        self.assertEqual(filing.state, "filed")
