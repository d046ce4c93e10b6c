import base64
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase

from odoo.addons.telecom_numbers.models.telecom_number import STATUS_TRANSITIONS


class TelecomNumbersCase(TransactionCase):
    """Shared fixtures: customers of each kind, a block and a helper to make numbers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the users' today (timezone of the environment), as the number methods see it
        cls.today = fields.Date.context_today(cls.env["telecom.number"])
        cls.state_dc = cls.env.ref("base.state_us_9")
        cls.state_il = cls.env.ref("base.state_us_14")
        Partner = cls.env["res.partner"]
        cls.resident = Partner.create(
            {
                "name": "Rita Resident",
                "email": "rita@example.com",
                "zip": "20001",
                "state_id": cls.state_dc.id,
                "telecom_customer_type": "residential",
                "telecom_account_number": "TA-555-001",
                "telecom_port_out_pin": "2580",
            }
        )
        cls.business = Partner.create(
            {
                "name": "Acme Widgets Inc",
                "is_company": True,
                "email": "it@acme.example.com",
                "zip": "60606",
                "telecom_customer_type": "business",
                "telecom_account_number": "TA-555-002",
            }
        )
        cls.other = Partner.create({"name": "Otto Other", "telecom_customer_type": "residential"})
        cls.block = cls.env["telecom.number.block"].create(
            {
                "npa": "202",
                "nxx": "556",
                "line_from": "1000",
                "line_to": "1999",
                "rate_center": "Washington",
                "lata": "236",
                "state_id": cls.state_dc.id,
                "ocn": "7531",
            }
        )
        cls.loa = base64.b64encode(b"%PDF-1.4 signed letter of authorization")
        cls._seq = 0

    @classmethod
    def make_number(cls, status="available", **values):
        """A fresh number in ``status`` (created directly, as a migration would)."""
        cls._seq += 1
        vals = {
            "name": f"+1202556{1000 + cls._seq:04d}",
            "status": status,
            "block_id": cls.block.id,
            "rate_center": "WASHINGTON",
            "state_id": cls.state_dc.id,
        }
        if status in ("reserved", "assigned", "aging", "porting_out", "intermediate"):
            vals["partner_id"] = cls.resident.id
        if status == "reserved":
            vals["reserved_until"] = cls.today + timedelta(days=10)
        if status in ("assigned", "aging", "porting_out"):
            vals["aging_required"] = True
        if status == "aging":
            vals["disconnect_date"] = cls.today - timedelta(days=100)
            vals["aging_until"] = cls.today - timedelta(days=10)
        vals.update(values)
        return cls.env["telecom.number"].create(vals)

    def business_day(self, days_ahead=10):
        day = self.today + timedelta(days=days_ahead)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def _port_in(self, numbers="+13125550100", **values):
        """A port-in request of the business customer, by hand (no NPAC vendor)."""
        vals = {
            "direction": "in",
            "partner_id": self.business.id,
            "number_input": numbers,
            "losing_carrier": "Old Telco",
            "account_number": "A-77",
            "pin": "1234",
            "authorized_name": "Acme Widgets Inc",
            "service_street": "233 S Wacker Dr",
            "service_city": "Chicago",
            "service_state_id": self.state_il.id,
            "service_zip": "60606",
            "desired_due_date": self.business_day(10),
            "loa_file": self.loa,
            "loa_filename": "loa.pdf",
            "subscriber_type": "business",
            "backend_id": False,
        }
        vals.update(values)
        return self.env["telecom.port.request"].create(vals)


ALL_STATUSES = list(STATUS_TRANSITIONS)
