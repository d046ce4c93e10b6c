from psycopg2.extras import execute_values

from odoo import api, models
from odoo.tools import SQL

from odoo.addons.telecom_billing.tools.chunk_cache import cached, in_chunk

from .telecom_rate_line import USAGE_TYPES
from .telecom_usage_record import JURISDICTIONS

# Messages and data are information services (FCC 18-178 for messaging, 17-166 for
# broadband internet access); a call's class is its jurisdiction.
USAGE_REGULATORY_CLASSES = {"sms": "info_service", "data": "info_service"}


class TelecomSubscription(models.Model):
    """Rated usage on the bill: the billing hooks of telecom.subscription filled by rating."""

    _inherit = "telecom.subscription"

    # ------------------------------------------------------------
    # BUSINESS: billing
    # ------------------------------------------------------------

    def _telecom_usage_summary(self, before):
        """Unbilled rated usage dated before ``before``, one row per service, usage type,
        destination group and jurisdiction. In a bill run chunk, read for all the chunk's
        subscriptions at once (one query per chunk, not one per subscription)."""
        self.ensure_one()
        if not in_chunk(self.env):
            return self._telecom_usage_summaries(before).get(self.id, [])
        summaries = cached(
            self.env,
            ("telecom_usage_summary", before),
            lambda: self.browse(self._prefetch_ids)._telecom_usage_summaries(before),
        )
        if self.id not in summaries:  # not prefetched with the chunk
            summaries.update(self._telecom_usage_summaries(before))
        return summaries[self.id]

    def _telecom_usage_summaries(self, before):
        """``{subscription id: rows of _telecom_usage_summary}`` for the subscriptions of
        ``self``."""
        self.env["telecom.usage.record"].flush_model()
        self.env.cr.execute(
            """
            SELECT v.subscription_id, r.service_id, r.usage_type,
                   COALESCE(l.destination_group, ''),
                   COUNT(*), SUM(r.duration), SUM(r.volume_bytes), SUM(r.billable_units),
                   SUM(r.included_units), SUM(r.charge), MIN(r.usage_date), MAX(r.usage_date),
                   r.jurisdiction
              FROM telecom_usage_record r
              JOIN telecom_service v ON v.id = r.service_id
              LEFT JOIN telecom_rate_line l ON l.id = r.rate_line_id
             WHERE v.subscription_id = ANY(%s) AND r.state = 'rated' AND r.usage_date < %s
             GROUP BY 1, 2, 3, 4, 13
             ORDER BY 1, 2, 3, 4, 13
            """,
            [list(self.ids), before],
        )
        summaries = {subscription_id: [] for subscription_id in self.ids}
        for row in self.env.cr.fetchall():
            summaries[row[0]].append(row[1:])
        return summaries

    def _telecom_usage_label(
        self, usage_type, group, jurisdiction, count, volume, billable, included
    ):
        kind = dict(USAGE_TYPES)[usage_type]
        if jurisdiction in ("intrastate", "interstate"):
            group = "%s (%s)" % (group, dict(JURISDICTIONS)[jurisdiction].lower())
        if usage_type == "voice":
            amount = self.env._("%(n)s calls, %(m)s min", n=count, m=round((billable or 0) / 60, 1))
            if included:
                amount += self.env._(" (%(m)s min included)", m=round(included / 60, 1))
        elif usage_type == "sms":
            amount = self.env._("%(n)s messages", n=count)
            if included:
                amount += self.env._(" (%(i)s included)", i=included)
        else:
            amount = self.env._("%(mb)s MB", mb=round(float(volume or 0) / 1048576, 1))
            if included:
                amount += self.env._(" (%(i)s MB included)", i=round(included / 1024, 1))
        return self.env._(
            "%(kind)s usage - %(group)s: %(amount)s", kind=kind, group=group, amount=amount
        )

    def _telecom_prepare_usage_lines(self, period):
        """Usage billed in arrears: one line per service, usage type and destination group
        with the total of its rated usage dated before the period billed in advance."""
        lines = super()._telecom_prepare_usage_lines(period)
        product = cached(
            self.env,
            "telecom_usage_product",
            lambda: self.env.ref("telecom_usage.product_telecom_usage"),
        ).with_env(self.env)
        for row in self._telecom_usage_summary(period[0]):
            service_id, usage_type, group, count, __, volume, billable, included = row[:8]
            charge, date_from, date_to, jurisdiction = row[8:]
            lines.append(
                self._telecom_charge_line_vals(
                    product,
                    self._telecom_usage_label(
                        usage_type, group, jurisdiction, count, volume, billable, included
                    ),
                    1,
                    float(charge or 0),
                    "usage",
                    telecom_service_id=service_id,
                    telecom_date_from=date_from,
                    telecom_date_to=date_to,
                    telecom_regulatory_class=USAGE_REGULATORY_CLASSES.get(usage_type)
                    or jurisdiction
                    or False,
                )
            )
        return lines

    @api.model
    def _telecom_after_bills(self, bills, moves):
        """The usage on the invoices is billed: link it and attach the call detail."""
        super()._telecom_after_bills(bills, moves)
        rows, names = [], {}
        for bill, move in zip(bills, moves, strict=True):
            before = bill["move_vals"].get("telecom_period_start")
            if before:
                rows.append((move.id, bill["subscription"].id, before))
                names[move.id] = f"call-detail-{bill['subscription'].name}-{before}.csv"
        if not rows:
            return
        Record = self.env["telecom.usage.record"]
        Record.flush_model()
        # REPEATABLE READ: usage rated after this transaction began is not touched here.
        query = """
            WITH billed AS (
                UPDATE telecom_usage_record r SET state = 'billed', move_id = b.move_id
                  FROM telecom_service v, (VALUES %s) AS b(move_id, subscription_id, before)
                 WHERE v.id = r.service_id AND v.subscription_id = b.subscription_id
                   AND r.state = 'rated' AND r.usage_date < b.before
             RETURNING r.move_id)
            SELECT DISTINCT move_id FROM billed
        """
        billed = execute_values(
            self.env.cr._obj, query, rows, template="(%s, %s, %s::date)", page_size=1000, fetch=True
        )
        if not billed:
            return
        Record.invalidate_model(["state", "move_id"])
        files = Record._telecom_call_detail_csvs(
            SQL("r.move_id = ANY(%s)", [move_id for (move_id,) in billed]), SQL("r.move_id")
        )
        self.env["ir.attachment"].create(
            [
                {
                    "name": names[move_id],
                    "res_model": "account.move",
                    "res_field": "telecom_call_detail_file",  # CPNI: see the field's groups
                    "res_id": move_id,
                    "raw": content,
                    "mimetype": "text/csv",
                }
                for move_id, content in sorted(files.items())
            ]
        )
