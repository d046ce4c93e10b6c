"""United States federal holidays (5 U.S.C. 6103) and business-day arithmetic.

Eleven legal public holidays: New Year's Day (January 1), Birthday of Martin Luther King, Jr.
(third Monday of January), Washington's Birthday (third Monday of February), Memorial Day (last
Monday of May), Juneteenth National Independence Day (June 19, since 2021), Independence Day
(July 4), Labor Day (first Monday of September), Columbus Day (second Monday of October),
Veterans Day (November 11), Thanksgiving Day (fourth Thursday of November) and Christmas Day
(December 25).

A fixed-date holiday falling on a Saturday is observed on the Friday before, one falling on a
Sunday on the Monday after (5 U.S.C. 6103(b) and Executive Order 11582, as the OPM publishes
them). New Year's Day on a Saturday is therefore observed on December 31 of the year before.

Business days are Monday to Friday except observed federal holidays. Used for CPNI breach
deadlines (47 CFR 64.2011) and for porting intervals counted in business days.
"""

from datetime import date, timedelta
from functools import lru_cache

FIRST_YEAR = 2021  # Juneteenth became a federal holiday on June 17, 2021 (Pub. L. 117-17)


def _nth_weekday(year, month, weekday, nth):
    """The ``nth`` (1-based; -1 for the last) ``weekday`` (Monday 0) of ``month``."""
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day):
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _legal_holidays(year):
    """``{day: name}`` of the holidays of ``year`` on their legal (not observed) dates."""
    holidays = {
        date(year, 1, 1): "New Year's Day",
        _nth_weekday(year, 1, 0, 3): "Birthday of Martin Luther King, Jr.",
        _nth_weekday(year, 2, 0, 3): "Washington's Birthday",
        _nth_weekday(year, 5, 0, -1): "Memorial Day",
        date(year, 7, 4): "Independence Day",
        _nth_weekday(year, 9, 0, 1): "Labor Day",
        _nth_weekday(year, 10, 0, 2): "Columbus Day",
        date(year, 11, 11): "Veterans Day",
        _nth_weekday(year, 11, 3, 4): "Thanksgiving Day",
        date(year, 12, 25): "Christmas Day",
    }
    if year >= FIRST_YEAR:
        holidays[date(year, 6, 19)] = "Juneteenth National Independence Day"
    return holidays


@lru_cache(maxsize=64)
def federal_holidays(year):
    """``{observed day: name}`` of the federal holidays observed in calendar ``year``
    (including December 31 when the next New Year's Day falls on a Saturday)."""
    observed = {}
    for legal_year in (year, year + 1):
        for day, name in _legal_holidays(legal_year).items():
            day = _observed(day)
            if day.year == year:
                observed[day] = name
    return dict(sorted(observed.items()))


def is_federal_holiday(day):
    return day in federal_holidays(day.year)


def is_business_day(day):
    """Monday to Friday, not an observed federal holiday."""
    return day.weekday() < 5 and not is_federal_holiday(day)


def add_business_days(day, count):
    """``day`` plus ``count`` business days (``count`` >= 0; the start day is not counted)."""
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day
