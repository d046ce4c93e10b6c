"""Reporting periods and due dates of the FCC filings (plain date arithmetic, no ORM)."""

from datetime import date

from dateutil.relativedelta import relativedelta

# State FIPS codes (2-digit, leading zero kept) by USPS state code.
# fmt: off
STATE_FIPS = {
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09",
    "DE": "10", "DC": "11", "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17",
    "IN": "18", "IA": "19", "KS": "20", "KY": "21", "LA": "22", "ME": "23", "MD": "24",
    "MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30", "NE": "31",
    "NV": "32", "NH": "33", "NJ": "34", "NM": "35", "NY": "36", "NC": "37", "ND": "38",
    "OH": "39", "OK": "40", "OR": "41", "PA": "42", "RI": "44", "SC": "45", "SD": "46",
    "TN": "47", "TX": "48", "UT": "49", "VT": "50", "VA": "51", "WA": "53", "WV": "54",
    "WI": "55", "WY": "56", "AS": "60", "GU": "66", "MP": "69", "PR": "72", "VI": "78",
}
# fmt: on


def quarter_of(day):
    """(first day, last day) of the calendar quarter containing ``day``."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first, first + relativedelta(months=3, days=-1)


def periods_due_between(filing_type, date_from, date_to):
    """Filings of ``filing_type`` due between ``date_from`` and ``date_to`` (both included).

    :return: list of ``(period_start, period_end, due_date)``
    """
    result = []
    for year in range(date_from.year - 1, date_to.year + 2):
        for start, end, due in _periods_of_year(filing_type, year):
            if date_from <= due <= date_to:
                result.append((start, end, due))
    return sorted(result, key=lambda p: p[2])


def _periods_of_year(filing_type, year):
    """Every filing of ``filing_type`` due in calendar year ``year``."""
    if filing_type == "bdc":
        # data as of December 31 due March 1, as of June 30 due September 1
        return [
            (date(year - 1, 7, 1), date(year - 1, 12, 31), date(year, 3, 1)),
            (date(year, 1, 1), date(year, 6, 30), date(year, 9, 1)),
        ]
    if filing_type == "nruf":
        # Form 502: data as of December 31 due February 1, as of June 30 due August 1
        return [
            (date(year - 1, 7, 1), date(year - 1, 12, 31), date(year, 2, 1)),
            (date(year, 1, 1), date(year, 6, 30), date(year, 8, 1)),
        ]
    if filing_type == "499a":
        return [(date(year - 1, 1, 1), date(year - 1, 12, 31), date(year, 4, 1))]
    if filing_type == "cpni_cert":
        return [(date(year - 1, 1, 1), date(year - 1, 12, 31), date(year, 3, 1))]
    if filing_type == "499q":
        # Feb 1, May 1, Aug 1, Nov 1: the quarter that ended before the filing month
        periods = []
        for month in (2, 5, 8, 11):
            due = date(year, month, 1)
            start, end = quarter_of(due - relativedelta(months=3))
            periods.append((start, end, due))
        return periods
    if filing_type == "rnd":
        # monthly, due the 15th, for the numbers disconnected in the previous month
        periods = []
        for month in range(1, 13):
            due = date(year, month, 15)
            start = date(year, month, 1) - relativedelta(months=1)
            periods.append((start, start + relativedelta(months=1, days=-1), due))
        return periods
    return []


def due_date_of(filing_type, period_end):
    """Due date of the filing whose period ends on ``period_end`` (False if unknown)."""
    for year in (period_end.year, period_end.year + 1):
        for __, end, due in _periods_of_year(filing_type, year):
            if end == period_end:
                return due
    return False


def projection_quarter(due_date):
    """499-Q: the quarter projected by a filing due on ``due_date`` (the next quarter)."""
    __, end = quarter_of(due_date)
    return quarter_of(end + relativedelta(days=1))
