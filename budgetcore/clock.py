"""Today, from one place (tests and the demo replace it through BUDGETCORE_TODAY), and calendar months."""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """The default as-of date: BUDGETCORE_TODAY (YYYY-MM-DD) if set, else the calendar date."""
    fixed = os.environ.get("BUDGETCORE_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
"""The as-of dates every page and command accepts (both included): the years the importer
reads dates in, far enough from date.max that a term or a renewal window never overflows."""
MAX_WINDOW_DAYS = 3650  # a renewal window of at most ten years, as the Settings page allows


def in_range(day: dt.date) -> bool:
    """Whether day lies from FIRST_DAY through LAST_DAY."""
    return FIRST_DAY <= day <= LAST_DAY


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after day's month (0: day's own month's first day)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def next_month(day: dt.date) -> dt.date:
    """The first day of the month after day's month."""
    return add_months(day, 1)


def month_end(day: dt.date) -> dt.date:
    """The last day of day's month."""
    return next_month(day) - dt.timedelta(days=1)
