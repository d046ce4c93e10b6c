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

Tax on tax: a row may also tax the fees of other rows (``fee_ids``, e.g. a state sales tax
on the 911 fee): on each charge line it applies to, its rate also applies to the amounts of
those fees on that line. A row with a ``cap`` never charges more than that per invoice.

Amounts of one row are summed over the invoice, then rounded once to the cent (half away from
zero). An exemption certificate for a kind (or for all kinds) issued in a state removes the
rows of that kind of that state; a certificate without state removes them everywhere, federal
included. Rows marked not exemptible (911 fees) always apply. The charges a certificate
exempted come back as exempt results (amount 0, their base) for the remittance report.

With ``require_e911``, a voice line whose address no 911 fee row matches is an error
(:class:`TaxEngineError`, "no E911 fee rate for Travis County, TX"): the bill is held, never
billed without its fee.
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from .base import TaxEngineAdapter, TaxEngineError, TaxResultLine

CENT = Decimal("0.01")
FILTERS = ("county", "city", "service_type", "regulatory_class", "customer_type")


def _round(value):
    sign = -1 if value < 0 else 1
    return sign * abs(value).quantize(CENT, rounding=ROUND_HALF_UP)


class TableTaxEngine(TaxEngineAdapter):
    def __init__(self, rates, require_e911=False):
        self.rates = rates
        self.require_e911 = require_e911

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

    @staticmethod
    def _level(row):
        if row["city"]:
            return "city"
        if row["county"]:
            return "county"
        return "state" if row["state"] else "federal"

    def _best_rows(self, line, request):
        """The most specific matching row of each tax kind and jurisdiction."""
        best = {}
        for row in self.rates:
            if not self._matches(row, line, request):
                continue
            key = (row["kind"], self._jurisdiction(row))
            specificity = sum(1 for name in FILTERS if row[name])
            if key not in best or specificity > best[key][0]:
                best[key] = (specificity, row)
        return [row for __, row in best.values()]

    @staticmethod
    def _missing_e911(line):
        address = line.address
        place = address.state or address.country
        if address.county:
            place = f"{address.county} County, {place}"
        return TaxEngineError(f"no E911 fee rate for {place}")

    @staticmethod
    def _row_amount(row, line):
        """(base, amount) of ``row`` on ``line`` before tax on tax."""
        rate = Decimal(str(row["rate"]))
        if row["computation"] == "per_line":
            return line.amount, Decimal(line.lines) * rate
        base = line.amount * Decimal(str(row["base_share"])) / 100
        return line.amount, base * rate / 100

    def compute(self, request):
        totals = defaultdict(Decimal)
        bases = defaultdict(Decimal)
        refs = defaultdict(list)
        exempt = defaultdict(Decimal)
        rows_by_id = {}
        for line in request.lines:
            rows = self._best_rows(line, request)
            if self.require_e911 and line.lines and not any(r["kind"] == "e911" for r in rows):
                raise self._missing_e911(line)
            for row in rows:
                if self._exempt(row, request):
                    exempt[row["id"]] += line.amount
                    rows_by_id[row["id"]] = row
            rows = [row for row in rows if not self._exempt(row, request)]
            on_line = {}
            for row in rows:
                base, amount = self._row_amount(row, line)
                on_line[row["id"]] = amount
                bases[row["id"]] += base
            # tax on tax: the fees of this line, taxed by the rows that tax them
            for row in rows:
                fees = sum(on_line.get(fee_id, Decimal(0)) for fee_id in row.get("fee_ids", ()))
                if fees:
                    share = Decimal(str(row["base_share"])) / 100
                    on_line[row["id"]] += fees * share * Decimal(str(row["rate"])) / 100
                    bases[row["id"]] += fees
            for row in rows:
                if on_line[row["id"]]:
                    totals[row["id"]] += on_line[row["id"]]
                    refs[row["id"]].append(line.ref)
                    rows_by_id[row["id"]] = row
        results = []
        for row_id, amount in totals.items():
            row = rows_by_id[row_id]
            rounded = _round(amount)
            cap = Decimal(str(row.get("cap") or 0))
            if cap and abs(rounded) > cap:
                rounded = cap if rounded > 0 else -cap
            if rounded:
                results.append(
                    TaxResultLine(
                        kind=row["kind"],
                        name=row["name"],
                        amount=rounded,
                        jurisdiction=self._jurisdiction(row),
                        level=self._level(row),
                        rate_code=str(row_id),
                        base=_round(bases[row_id]),
                        refs=tuple(refs[row_id]),
                        taxed_codes=tuple(
                            str(fee_id) for fee_id in row.get("fee_ids", ()) if fee_id in totals
                        ),
                    )
                )
        for row_id, base in exempt.items():
            if base:
                row = rows_by_id[row_id]
                results.append(
                    TaxResultLine(
                        kind=row["kind"],
                        name=row["name"],
                        amount=Decimal(0),
                        jurisdiction=self._jurisdiction(row),
                        level=self._level(row),
                        rate_code=str(row_id),
                        base=_round(base),
                        exempt=True,
                    )
                )
        return results
