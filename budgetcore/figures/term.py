"""The term's days (docs/metrics.md, "The term and the as-of window"): both its first and last day count.

term days = end - start + 1; days done at a day = clamp(day - start + 1, 0, term days). Column-wise
on datetime64[D] arrays (the engine, the backtest) or for one term of dt.date values (a page, the
last-term comparison); the same rule either way.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

_DAY = np.timedelta64(1, "D")


def term_days(start, end):
    """Days from start through end, both included: an int for dt.date values, else int64 per row."""
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        return (end - start).days + 1
    return ((end - start) // _DAY + 1).astype(np.int64)


def days_done(day, start, term):
    """Days of the term done at day (day included), clamped to 0 .. term: an int for a dt.date day
    and start, else int64 per row (day: one datetime64[D] for all rows or one per row)."""
    if isinstance(day, dt.date) and isinstance(start, dt.date):
        return min(max((day - start).days + 1, 0), term)
    return np.clip((day - start) // _DAY + 1, 0, term).astype(np.int64)
