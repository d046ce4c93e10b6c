"""Built-in table tax engine: rates looked up in a table of rows.

Each row (a plain dict built from ``telecom.tax.rate``) applies to charge lines matching its
filters (state, county, city, service type, regulatory class, customer type; an empty filter
matches everything) on a date between its ``date_from`` and ``date_to``. Among the rows of one
tax kind and jurisdiction that match a line, the most specific one wins (the one with most
filters set), so a general rate can be overridden for a customer type or a service type.

Computation per row:

* ``percent``: rate % of the line amount x ``base_share`` % (e.g. federal USF on the interstate
  share of VoIP revenue: 64.9 % safe harbor).
* ``per_line``: rate x voice lines (911 fees).

Amounts of one row are summed over the invoice, then rounded once to the cent (half away from
zero). An exemption certificate for a kind (or for all kinds) issued in a state removes the
rows of that kind of that state; a certificate without state removes them everywhere, federal
included. Rows marked not exemptible (911 fees) always apply.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from .base import TaxEngineAdapter, TaxResultLine

CENT = Decimal("0.01")
FILTERS = ("county", "city", "service_type", "regulatory_class", "customer_type")


def _round(value):
    sign = -1 if value < 0 else 1
    return sign * abs(value).quantize(CENT, rounding=ROUND_HALF_UP)


class TableTaxEngine(TaxEngineAdapter):
    def __init__(self, rates):
        self.rates = rates

    @staticmethod
    def _same(row_value, value):
        return not row_value or (row_value or "").strip().lower() == (value or "").strip().lower()

    def _matches(self, row, line, request):
        if row["date_from"] and row["date_from"] > request.on_date:
            return False
        if row["date_to"] and row["date_to"] < request.on_date:
            return False
        if row["state"] and row["state"] != line.address.state:
            return False
        return (
            self._same(row["county"], line.address.county)
            and self._same(row["city"], line.address.city)
            and self._same(row["service_type"], line.service_type)
            and self._same(row["regulatory_class"], line.regulatory_class)
            and self._same(row["customer_type"], request.customer_type)
        )

    @staticmethod
    def _exempt(row, request):
        """A certificate covers its kind (or all kinds) in its state (or in every
        jurisdiction when it has no state); non-exemptible rows always apply."""
        if not row["exemptible"]:
            return False
        return any(
            exemption["kind"] in (row["kind"], "all")
            and (not exemption.get("state") or exemption["state"] == row["state"])
            for exemption in request.exemptions
        )

    @staticmethod
    def _jurisdiction(row):
        parts = [row["state"] or "US"]
        parts += [row[name] for name in ("county", "city") if row[name]]
        return "/".join(parts)

    def compute(self, request):
        totals = defaultdict(Decimal)
        rows_by_id = {}
        for line in request.lines:
            best = {}
            for row in self.rates:
                if not self._matches(row, line, request):
                    continue
                key = (row["kind"], self._jurisdiction(row))
                specificity = sum(1 for name in FILTERS if row[name])
                if key not in best or specificity > best[key][0]:
                    best[key] = (specificity, row)
            for __, row in best.values():
                if self._exempt(row, request):
                    continue
                rate = Decimal(str(row["rate"]))
                if row["computation"] == "per_line":
                    base = Decimal(line.lines)
                    amount = base * rate
                else:
                    share = Decimal(str(row["base_share"])) / 100
                    amount = line.amount * share * rate / 100
                if amount:
                    totals[row["id"]] += amount
                    rows_by_id[row["id"]] = row
        results = []
        for row_id, amount in totals.items():
            row = rows_by_id[row_id]
            rounded = _round(amount)
            if rounded:
                results.append(
                    TaxResultLine(
                        kind=row["kind"],
                        name=row["name"],
                        amount=rounded,
                        jurisdiction=self._jurisdiction(row),
                        rate_code=str(row_id),
                    )
                )
        return results
