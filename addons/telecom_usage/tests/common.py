import csv
import io

from odoo.addons.telecom_billing.tests.common import TelecomBillingCase
from odoo.addons.telecom_usage.models.telecom_usage_file import CDR_COLUMNS as CDR_HEADER


class TelecomRatingCase(TelecomBillingCase):
    """A mobile service on a rate plan (New York time, peak 07:00-19:00) with:
    voice: +1 peak $0.10/min, off-peak $0.05, weekend $0.02; +44 $0.50; +447 $0.90
    (minimum $0.25); SMS $0.05; data $0.01/MB; 2 included minutes per period."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subscription = cls._subscription(cycle_day=1)
        cls.service = cls._service(cls.subscription, cls.plan_basic, start="2026-01-01")
        cls.number = cls.service.number_ids[:1].name
        voice = {"usage_type": "voice", "first_increment": 60, "next_increment": 6}
        cls.rate_plan = cls.env["telecom.rate.plan"].create(
            {
                "name": "Test mobile rates",
                "product_tmpl_ids": [(6, 0, cls.plan_basic.product_tmpl_id.ids)],
                "tz": "America/New_York",
                "allowance_voice_minutes": 2,
                "rate_line_ids": [
                    (0, 0, {**voice, "prefix": "1", "time_band": "peak", "price": 0.10}),
                    (0, 0, {**voice, "prefix": "1", "time_band": "offpeak", "price": 0.05}),
                    (0, 0, {**voice, "prefix": "1", "time_band": "weekend", "price": 0.02}),
                    (
                        0,
                        0,
                        {
                            **voice,
                            "prefix": "44",
                            "destination_group": "International",
                            "price": 0.50,
                            "use_allowance": False,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            **voice,
                            "prefix": "447",
                            "destination_group": "UK Mobile",
                            "price": 0.90,
                            "minimum_charge": 0.25,
                            "use_allowance": False,
                        },
                    ),
                    (0, 0, {"usage_type": "sms", "price": 0.05}),
                    (0, 0, {"usage_type": "data", "price": 0.01}),
                ],
            }
        )
        cls._seq = 0

    @classmethod
    def _cdr(cls, start, duration=60, called="+12125550100", usage_type="voice", **kw):
        cls._seq += 1
        return {
            "record_id": kw.get("record_id", f"T{cls._seq:06d}"),
            "service": kw.get("service", cls.number),
            "start_time": start,
            "duration": duration,
            "called_number": called,
            "direction": kw.get("direction", "out"),
            "usage_type": usage_type,
            "volume_bytes": kw.get("volume_bytes", 0),
            "roaming": kw.get("roaming", 0),
            "source_switch": "SW1",
        }

    @staticmethod
    def _csv(rows):
        out = io.StringIO()
        writer = csv.DictWriter(out, CDR_HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode()

    def _import(self, rows):
        return self.env["telecom.usage.file"]._telecom_import_csv(self._csv(rows))

    def _record(self, record_id):
        return self.env["telecom.usage.record"].search([("name", "=", record_id)])
