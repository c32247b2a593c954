"""The portfolio as lists of one object per contract: what the command line, the packs and one contract's page read.

Every figure comes from the engine (frame.py); these are its row views, for
callers that handle contracts one at a time. Pages that show thousands of
contracts keep the frame itself and make objects for the rows they show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session

from budgetcore.figures import frame
from budgetcore.figures.frame import SUMMARY_COLUMNS
from budgetcore.figures.metrics import ContractFigures, Filters, Thresholds

__all__ = ["SUMMARY_COLUMNS", "Filters", "portfolio", "renewals"]


def portfolio(
    session: Session,
    as_of: dt.date,
    thresholds: Thresholds = Thresholds(),
    filters: Filters = Filters(),
) -> list[ContractFigures]:
    """Figures for every contract that passes the filters, in contract number order."""
    return frame.load(session, as_of, thresholds, filters).figures()


def renewals(
    session: Session,
    as_of: dt.date,
    thresholds: Thresholds = Thresholds(),
    within_days: int | None = None,
    filters: Filters = Filters(),
) -> list[ContractFigures]:
    """Contracts approaching renewal within the window (default: the thresholds'),
    soonest next deadline first, then by contract number."""
    window = thresholds.renewal_window_days if within_days is None else within_days
    chosen = frame.load(session, as_of, thresholds, dataclasses.replace(filters, renewal_within_days=window))
    return chosen.figures(frame.order(chosen, "deadline"))
