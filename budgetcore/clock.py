"""Today, from one place: tests and the demo replace it through BUDGETCORE_TODAY."""

from __future__ import annotations

import datetime as dt
import os


def today() -> dt.date:
    """The default as-of date: BUDGETCORE_TODAY (YYYY-MM-DD) if set, else the calendar date."""
    fixed = os.environ.get("BUDGETCORE_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()
