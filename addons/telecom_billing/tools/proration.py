"""Billing periods and day-exact proration (pure functions, no ORM).

The rule (see README.rst, "Proration"):

* A billing period of a subscription with bill cycle day ``D`` runs from day ``D`` of a month
  to the day before day ``D`` of the next month, e.g. D = 15: 15 March to 14 April.
* A charge for part of a billing period is ``monthly price x days charged / days in that
  billing period`` (calendar days, both ends included). A stretch of days that crosses a period
  boundary is cut into one piece per billing period, each prorated on its own period's length,
  and a piece is cut again where an effective-dated price change starts.
* Rounding ("exact", the default): the amount of days ``a``..``b`` of a period of ``N`` days
  starting on day ``s`` is ``R(total x (b - s + 1) / N) - R(total x (a - s) / N)``, where
  ``total`` is quantity x monthly price and ``R`` rounds to the cent, half away from zero. The
  pieces of a period, however the days are cut (changes, credits, re-bills), add up to exactly
  the amount of their days together, and a whole period is exactly quantity x monthly price.
  A credit for a stretch is exactly the negative of the charge for the same stretch.
* Rounding "unit" (parity with legacy systems that round the prorated unit price): the unit
  price of a piece is rounded to the cent and the amount is quantity x that unit price.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

ONE_DAY = timedelta(days=1)


def period_of(on_date, cycle_day):
    """``(start, end)`` of the billing period of cycle day ``cycle_day`` holding ``on_date``."""
    if not 1 <= cycle_day <= 28:
        raise ValueError("The bill cycle day must be between 1 and 28.")
    if on_date.day >= cycle_day:
        start = on_date.replace(day=cycle_day)
    else:
        start = (on_date - relativedelta(months=1)).replace(day=cycle_day)
    return start, start + relativedelta(months=1) - ONE_DAY


def split_by_period(date_from, date_to, cycle_day, cut_dates=()):
    """Cut ``[date_from, date_to]`` into pieces that each lie in one billing period.

    ``cut_dates`` are extra dates on which a new piece must start (price changes).
    Yields ``(piece_from, piece_to, period_start, period_end)``; nothing when the range is empty.
    """
    cuts = sorted({d for d in cut_dates if date_from < d <= date_to})
    day = date_from
    while day <= date_to:
        period_start, period_end = period_of(day, cycle_day)
        piece_to = min(period_end, date_to)
        next_cut = next((c for c in cuts if day < c <= piece_to), None)
        if next_cut:
            piece_to = next_cut - ONE_DAY
        yield day, piece_to, period_start, period_end
        day = piece_to + ONE_DAY


def days_between(date_from, date_to):
    """Calendar days from ``date_from`` to ``date_to``, both included."""
    return (date_to - date_from).days + 1


def prorate(monthly_price, date_from, date_to, period_start, period_end, digits=2):
    """Unit price for ``[date_from, date_to]`` inside ``[period_start, period_end]``.

    Exact decimal arithmetic, rounded half away from zero to ``digits`` decimals; a whole
    period gives the monthly price itself.
    """
    price = Decimal(str(monthly_price))
    days = days_between(date_from, date_to)
    period_days = days_between(period_start, period_end)
    quantum = Decimal(1).scaleb(-digits)
    if days == period_days:
        return price.quantize(quantum, rounding=ROUND_HALF_UP)
    value = price * days / period_days
    sign = -1 if value < 0 else 1
    return sign * abs(value).quantize(quantum, rounding=ROUND_HALF_UP)


def _round(value, digits):
    quantum = Decimal(1).scaleb(-digits)
    sign = -1 if value < 0 else 1
    return sign * abs(value).quantize(quantum, rounding=ROUND_HALF_UP)


def prorated_amount(
    monthly_price, quantity, date_from, date_to, period_start, period_end, digits=2
):
    """Amount of ``quantity`` units for ``[date_from, date_to]`` inside
    ``[period_start, period_end]`` by the "exact" rule: the difference of the rounded amounts of
    the period's days up to ``date_to`` and up to the day before ``date_from``."""
    total = Decimal(str(monthly_price)) * Decimal(str(quantity))
    period_days = days_between(period_start, period_end)
    before = (date_from - period_start).days
    through = days_between(period_start, date_to)
    return _round(total * through / period_days, digits) - _round(
        total * before / period_days, digits
    )


def line_quantity_and_price(amount, quantity, digits=2):
    """``(quantity, unit price)`` of an invoice line worth exactly ``amount``: the item's
    quantity when ``amount`` divides into whole cents per unit, else one line of the amount."""
    quantity = Decimal(str(quantity))
    if quantity:
        unit = amount / quantity
        if unit == _round(unit, digits):
            return quantity, unit
    return Decimal(1), amount
