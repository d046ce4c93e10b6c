import csv
import io
from datetime import date

from odoo.addons.telecom_billing.tests.common import TelecomBillingCase
from odoo.addons.telecom_interconnect.models.telecom_usage_file import INTERCONNECT_COLUMNS


class TelecomInterconnectCase(TelecomBillingCase):
    """A carrier with a reciprocal agreement (trunk ACME-01), its own interconnect revenue
    and expense accounts, and two decks in force from 2026-03-01:

    inbound (we bill): interstate 1 $0.0100/min, 1212555 $0.0200; intrastate 1 $0.0050;
    outbound (they bill): interstate 1 $0.0080/min, international 44 $0.0500 (60/60)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        cls.revenue_account = Account.create(
            {"name": "Interconnect revenue", "code": "401900", "account_type": "income"}
        )
        cls.expense_account = Account.create(
            {"name": "Interconnect expense", "code": "501900", "account_type": "expense"}
        )
        cls.carrier = cls.env["res.partner"].create({"name": "T Acme Telecom", "is_company": True})
        cls.agreement = cls.env["telecom.interconnect.agreement"].create(
            {
                "name": "Acme reciprocal",
                "partner_id": cls.carrier.id,
                "date_start": date(2026, 1, 1),
                "revenue_account_id": cls.revenue_account.id,
                "expense_account_id": cls.expense_account.id,
                "dispute_tolerance": 1.0,
                "trunk_ids": [(0, 0, {"name": "ACME-01"})],
            }
        )
        cls.deck_in = cls._deck(
            "in",
            b"prefix,jurisdiction,rate\n1,interstate,0.0100\n1212555,interstate,0.0200\n"
            b"1,intrastate,0.0050\n",
        )
        cls.deck_out = cls._deck(
            "out", b"prefix,jurisdiction,rate\n1,interstate,0.0080\n44,international,0.0500\n"
        )
        cls._seq = 0

    @classmethod
    def _deck(cls, direction, content, agreement=None, date_from=date(2026, 3, 1)):
        deck = cls.env["telecom.interconnect.deck"].create(
            {
                "agreement_id": (agreement or cls.agreement).id,
                "direction": direction,
                "date_from": date_from,
            }
        )
        deck._telecom_import(content)
        return deck

    @classmethod
    def _row(cls, start, called, direction="in", duration=60, calling="+13035550100", **kw):
        cls._seq += 1
        return {
            "record_id": kw.get("record_id", f"IC{cls._seq:06d}"),
            "trunk_group": kw.get("trunk_group", "ACME-01"),
            "start_time": start,
            "duration": duration,
            "calling_number": calling,
            "called_number": called,
            "direction": direction,
            "jurisdiction": kw.get("jurisdiction", ""),
        }

    @staticmethod
    def _csv(rows):
        out = io.StringIO()
        writer = csv.DictWriter(out, INTERCONNECT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode()

    def _import(self, rows):
        usage_file = self.env["telecom.usage.file"].create(
            {"telecom_file_kind": "interconnect", "filename": "trunks.csv"}
        )
        usage_file._telecom_import(self._csv(rows))
        return usage_file

    def _cdr(self, record_id):
        return self.env["telecom.interconnect.cdr"].search([("name", "=", record_id)])
