"""The forecast at end of term, column-wise: which method applies to each row, and its value.

frame.derive calls terms() at as_of for the portfolio, and calibration.replay calls
it at 25, 50 and 75 % of each completed contract's term, so that the backtest
measures the very rule the figures use (docs/metrics.md, "Forecast at end of
term"). Also planned to date (line_shares per budget line, planned_to_date per contract),
which both need, as do the variance per period and the contract's burn-up.
Integers only: money in millionths, days as counts or day numbers.
"""

from __future__ import annotations

import numpy as np

from budgetcore.figures import exact
from budgetcore.figures.metrics import CHOOSABLE, FORECAST_METHODS

METHODS = tuple(FORECAST_METHODS)
CHAIN_CHOICE = -1  # a row's choice when no method is picked for it: the chain
_SAFE = np.iinfo(np.int64).max // 40_000  # amount x days stays in int64 (a period has < 36,600 days)


def line_shares(amount: np.ndarray, first: np.ndarray, last: np.ndarray, day) -> np.ndarray:
    """Planned to date, per budget line (millionths): the share of its amount due by `day`
    (a day number, or one per line). A line whose period ended contributes its amount, one not
    started nothing, one running amount x days done // period days (truncated toward zero); a
    period of no days adds nothing. A period defaults to the contract's term when storage
    writes budget_periods (aggregates), so it is always given here."""
    day = np.broadcast_to(np.asarray(day, dtype=np.int64), np.shape(amount))
    period_days = last - first + 1
    done = np.clip(day - first + 1, 0, np.maximum(period_days, 0))
    share = np.zeros(len(amount), dtype=np.int64)
    safe = (np.abs(amount) < _SAFE) & (period_days > 0)
    product = amount[safe] * done[safe]
    share[safe] = np.sign(product) * (np.abs(product) // period_days[safe])
    for i in np.flatnonzero(~safe & (period_days != 0)):  # huge amounts or odd periods: Python ints
        days, value = (
            int(period_days[i]),
            int(amount[i]) * int(np.clip(day[i] - first[i] + 1, 0, period_days[i])),
        )
        share[i] = abs(value) // abs(days) * (1 if (value >= 0) == (days > 0) else -1)
    return np.where(
        (first <= last) & (last <= day), amount, np.where((first <= last) & (first > day), 0, share)
    )


def planned_to_date(periods: dict[str, np.ndarray], rows: int, day) -> np.ndarray:
    """Planned to date per contract row (millionths): the sum of its budget lines' line_shares at
    `day` (a day number, or one per line). periods: the lines' period_amount, period_first,
    period_last (day numbers) and period_row (the row each line belongs to, 0 .. rows - 1)."""
    shares = line_shares(periods["period_amount"], periods["period_first"], periods["period_last"], day)
    planned = np.zeros(rows, dtype=np.int64)
    np.add.at(planned, periods["period_row"], shares)
    return planned


def terms(
    day: np.datetime64 | np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    done: np.ndarray,
    term: np.ndarray,
    actual: np.ndarray,
    budget: np.ndarray,
    has_budget: np.ndarray,
    planned: np.ndarray,
    visits: np.ndarray,
    planned_visits: np.ndarray,
    has_planned_visits: np.ndarray,
    choice: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(method, x, y, z, chosen) per row: the forecast at end of term is x * y / z millionths
    (z > 0), by METHODS[method].

    day: as_of (datetime64[D]), one for all rows or one per row; done and term in days;
    actual, budget and planned (planned to date, 0 without a budget) in millionths.
    The chain: the first of actual, not started, visits, burn, run rate that applies
    (docs/metrics.md). choice (optional, per row): a METHODS index from CHOOSABLE to use
    instead while the term runs and that method applies, or CHAIN_CHOICE; chosen marks the
    rows where a choice was used.
    """
    n = len(start)
    index = {m: i for i, m in enumerate(METHODS)}
    burn_num, burn_den, _ = exact.positive_ratio(actual, planned)  # the burn index
    applies = {
        "visits": has_planned_visits & (visits > 0) & (visits < planned_visits),
        "burn": burn_den > 0,
        "run rate": done > 0,
        "remaining budget": has_budget,
    }
    method = np.select(
        [
            day >= end,
            (day < start) & has_budget,
            day < start,
            applies["visits"],
            applies["burn"],
            applies["run rate"],
        ],
        [index[m] for m in ("actual", "not started", "none", "visits", "burn", "run rate")],
        index["none"],
    )
    chosen = np.zeros(n, dtype=bool)
    if choice is not None:
        running = (day >= start) & (day < end)
        for name in CHOOSABLE:
            chosen |= running & (choice == index[name]) & applies[name]
        method = np.where(chosen, choice, method)
    ones, zeros = np.ones(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    forecasts = {  # method: (x, y, z)
        "actual": (actual, ones, ones),
        "not started": (budget, ones, ones),
        "visits": (actual, planned_visits, visits),  # actual + (planned - done) x actual / done
        "burn": (budget, burn_num, burn_den),  # budget x actual / planned to date
        "run rate": (actual, term, done),  # actual / elapsed
        "remaining budget": (actual + budget - planned, ones, ones),  # actual + budget still planned
        "none": (zeros, ones, ones),
    }
    which = [method == index[m] for m in forecasts]  # once for x, y and z
    x, y, z = (np.select(which, [f[k] for f in forecasts.values()], 0) for k in range(3))
    return method, x, y, np.where(z > 0, z, 1), chosen
