"""The as-of dates the tests replay the demo portfolio at (loaded with today = DEMO_TODAY)."""

from __future__ import annotations

import datetime as dt

d = dt.date
DEMO_TODAY = d(2026, 11, 27)
AS_OF_DATES = (
    d(2015, 1, 1),  # before every start
    d(2021, 8, 15),  # the first months of the demo's lines, mid-month
    d(2023, 5, 31),  # month end
    d(2024, 2, 29),  # leap day
    d(2025, 6, 15),  # mid-month
    d(2026, 2, 28),
    d(2026, 3, 1),  # first of the month
    DEMO_TODAY,
    d(2026, 11, 30),  # month end after today
    d(2028, 2, 29),  # leap day, most terms over
    d(2045, 1, 1),  # after every end
)
