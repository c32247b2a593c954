"""Today, from one place: tests and the demo replace it through BUDGETCORE_TODAY."""

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
