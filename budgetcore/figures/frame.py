"""Every contract's figures column-wise: the portfolio as one table, for pages that show thousands.

metrics.figures is the rule book, one contract at a time, in exact Decimals.
A portfolio of 175,000 contracts needs every contract's status (to count and
filter) and something to sort by, but shows a page of rows. So this module
keeps each contract's inputs as integer millionths (what storage holds and
portfolio.contract_inputs reads) in numpy columns and derives, for all
contracts at once:

- status, forecast method and the renewal facts exactly as metrics.figures:
  the comparisons run on float64, and every contract whose comparison lies
  within a relative 1e-9 of its threshold (where float rounding could tip it)
  is decided again by metrics.figures itself, so no status ever differs;
- float64 sort keys (consumed, elapsed, burn index, forecast): never shown;
- exact Decimal figures (metrics.figures) for the rows a page shows
  (PortfolioFrame.figures) and exact headline totals (headline).

tests/test_frame.py holds it to metrics.figures on every contract of the demo
portfolio at many as-of dates and on constructed ties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import sqlalchemy as sa
from sqlalchemy import BigInteger, type_coerce
from sqlalchemy.orm import Session

from budgetcore.figures import advice, metrics, portfolio
from budgetcore.figures.metrics import STATUSES, ZERO, ContractFigures, ContractInputs, Thresholds
from budgetcore.figures.portfolio import Filters
from budgetcore.figures.summary import Headline
from budgetcore.store import columns as stored
from budgetcore.store import snapshot
from budgetcore.store.columns import COUNTS, DATES
from budgetcore.store.database import plain_rows
from budgetcore.store.models import UNIT, Contract

# the columns of portfolio._inputs_statement's rows, in order (ContractInputs' fields)
INPUT_COLUMNS = (
    "contract_number", "customer", "name", "type", "account_manager", "start_date", "end_date",
    "notice_period_days", "auto_renew", "contract_value", "planned_visits", "terminated_on",
    "actual_labour", "actual_material", "actual_hours", "visits_done", "budget_lines",
    "budget_labour", "budget_material", "budget_other", "budget_hours", "planned_to_date",
    "outside_term_lines", "outside_term_cost",
)  # fmt: skip
MILLIONTHS = (
    "actual_labour", "actual_material", "actual_hours", "budget_labour", "budget_material",
    "budget_other", "budget_hours", "planned_to_date", "outside_term_cost",
)  # fmt: skip
METHODS = tuple(metrics.FORECAST_METHODS)
TOLERANCE = 1e-9  # relative: float64 decides a comparison only when the sides differ by more
_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True, eq=False)
class PortfolioFrame:
    """The figures of a set of contracts as columns (numpy arrays of equal length).

    Inputs (INPUT_COLUMNS; money and hours as int64 millionths, missing optional
    integers as 0 with a mask `has_<name>`; contract_id when read by load()) and
    derived columns: budget_total
    and actual_total (int64 millionths; budget_total 0 where has_budget is
    False), margin (int64, where has_contract_value), elapsed, consumed,
    burn_index, forecast (float64, NaN where undefined: sort keys only),
    method (index into METHODS), status (index into STATUSES), notice_deadline,
    next_deadline (the notice deadline until it passes, then the end date), days_to_end, days_to_notice, approaching_renewal. Rows are in contract
    number order unless reordered by take().
    """

    as_of: dt.date
    thresholds: Thresholds
    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["contract_number"])

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def take(self, positions: np.ndarray) -> PortfolioFrame:
        """The rows at these positions (a boolean mask or indexes), in that order."""
        return PortfolioFrame(self.as_of, self.thresholds, {k: v[positions] for k, v in self.columns.items()})

    def inputs(self, positions: Sequence[int] | np.ndarray | None = None) -> list[ContractInputs]:
        """ContractInputs of these rows (all by default), equal to portfolio.contract_inputs'."""
        rows = range(len(self)) if positions is None else positions
        c = self.columns
        result = []
        for i in rows:
            values = []
            for name in INPUT_COLUMNS:
                value = c[name][i]
                if name in DATES:
                    value = None if np.isnat(value) else value.astype(dt.date)
                elif name in MILLIONTHS:
                    value = Decimal(int(value)) * UNIT if value else ZERO
                elif name == "contract_value":
                    value = Decimal(int(value)) * UNIT if c["has_contract_value"][i] else None
                elif name == "planned_visits":
                    value = int(value) if c["has_planned_visits"][i] else None
                elif name in COUNTS:
                    value = int(value)
                elif name == "auto_renew":
                    value = bool(value)
                values.append(value)
            result.append(ContractInputs(*values))
        return result

    def figures(self, positions: Sequence[int] | np.ndarray | None = None) -> list[ContractFigures]:
        """Exact figures (metrics.figures) of these rows: what a page shows."""
        return [metrics.figures(i, self.as_of, self.thresholds) for i in self.inputs(positions)]

    def status_names(self) -> np.ndarray:
        return np.asarray(STATUSES, dtype=object)[self.columns["status"]]


def load(
    session: Session,
    as_of: dt.date,
    thresholds: Thresholds = Thresholds(),
    filters: Filters = Filters(),
) -> PortfolioFrame:
    """Every contract that passes the filters, column-wise (portfolio.portfolio's contracts)."""
    with stored.collector_paused():
        columns = read(session, as_of)
    return select(derive(columns, as_of, thresholds), filters)


def read(session: Session, as_of: dt.date) -> dict[str, np.ndarray]:
    """INPUT_COLUMNS and contract_id of every contract, in contract number order.

    portfolio.contract_inputs' figures, from the columns that do not depend on
    as_of (the import's snapshot, else static_columns by SQL) and the two that
    do: planned to date (from every budget line's amount and days) and what
    lies on the far side of as_of (portfolio._actuals, a few rows at today).
    Integers only: money in millionths, dates as day numbers.
    """
    saved = snapshot.load(session, stored.CONTRACTS)
    columns = dict(saved) if saved is not None else stored.contract_columns(session)
    periods = {name: columns.pop(name) for name in stored.PERIOD_COLUMNS}
    ids = columns["contract_id"]
    columns["planned_to_date"] = planned_to_date(periods, len(ids), as_of)
    after = portfolio._counts_after(session, as_of)
    part = portfolio._actuals(as_of, after)
    parts = stored.placed(
        ids,
        plain_rows(session, sa.select(*(type_coerce(c, BigInteger) for c in part.c))),
        ("labour", "material", "hours", "visits"),
    )
    for name, actual in (
        ("labour", "actual_labour"),
        ("material", "actual_material"),
        ("hours", "actual_hours"),
        ("visits", "visits_done"),
    ):
        columns[actual] = columns.pop(name) - parts[name] if after else parts[name]
    # issue 11: archived contracts leave the portfolio (their rows stay in every table and snapshot)
    archived = plain_rows(session, sa.select(Contract.id).where(Contract.archived_on.is_not(None)))
    if archived:
        keep = ~np.isin(ids, np.array([row[0] for row in archived], dtype=ids.dtype))
        columns = {name: values[keep] for name, values in columns.items()}
    return columns


_SAFE = np.iinfo(np.int64).max // 40_000  # amount x days stays in int64 (a period has < 36,600 days)


def planned_to_date(periods: dict[str, np.ndarray], rows: int, as_of: dt.date) -> np.ndarray:
    """portfolio._budgets_raw's rule for planned to date, in numpy: per contract row, each
    budget line's amount once its period ended, nothing before it starts, amount x days
    done // period days (truncated toward zero, as SQL divides integers) while it runs; a
    period of no days adds nothing."""
    amount, first, last = periods["period_amount"], periods["period_first"], periods["period_last"]
    day = (as_of - dt.date(1970, 1, 1)).days
    period_days = last - first + 1
    done = np.clip(day - first + 1, 0, np.maximum(period_days, 0))
    share = np.zeros(len(amount), dtype=np.int64)
    safe = (np.abs(amount) < _SAFE) & (period_days > 0)
    product = amount[safe] * done[safe]
    share[safe] = np.sign(product) * (np.abs(product) // period_days[safe])
    for i in np.flatnonzero(~safe & (period_days != 0)):  # huge amounts or odd periods: Python ints
        days, value = (
            int(period_days[i]),
            int(amount[i]) * int(np.clip(day - first[i] + 1, 0, period_days[i])),
        )
        share[i] = abs(value) // abs(days) * (1 if (value >= 0) == (days > 0) else -1)
    value = np.where(
        (first <= last) & (last <= day), amount, np.where((first <= last) & (first > day), 0, share)
    )
    planned = np.zeros(rows, dtype=np.int64)
    np.add.at(planned, periods["period_row"], value)
    return planned


def derive(columns: dict[str, np.ndarray], as_of: dt.date, thresholds: Thresholds) -> PortfolioFrame:
    """metrics.figures for every row at once: see the module's docstring for what is exact."""
    c = dict(columns)
    day = np.datetime64(as_of, "D")
    start, end = c["start_date"], c["end_date"]
    term = (end - start) // _DAY + 1
    done = np.clip((day - start) // _DAY + 1, 0, term)
    has_budget = c["budget_lines"] > 0
    budget = np.where(has_budget, c["budget_labour"] + c["budget_material"] + c["budget_other"], 0)
    actual = c["actual_labour"] + c["actual_material"]
    planned = c["planned_to_date"]

    a, b, p = actual.astype(float), budget.astype(float), planned.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        elapsed = done / term
        consumed = np.where(has_budget & (budget != 0), a / b, np.nan)
        burn = np.where(has_budget & (planned != 0), a / p, np.nan)
        visits, planned_visits = c["visits_done"], c["planned_visits"]
        method = np.select(
            [
                day >= end,
                day < start,
                c["has_planned_visits"] & (visits > 0) & (visits < planned_visits),
                ~np.isnan(burn),
                elapsed > 0,
            ],
            [METHODS.index(m) for m in ("actual", "not started", "visits", "burn", "run rate")],
            METHODS.index("none"),
        )
        not_started = np.where(has_budget, METHODS.index("not started"), METHODS.index("none"))
        method = np.where(method == METHODS.index("not started"), not_started, method)
        forecast = np.select(
            [method == METHODS.index(m) for m in ("actual", "not started", "visits", "burn", "run rate")],
            [a, b, a + (planned_visits - visits) * (a / visits), b * burn, a / elapsed],
            np.nan,
        )
    status, unsure = _statuses(has_budget, actual, budget, forecast, consumed, elapsed, thresholds)
    deadline = end - c["notice_period_days"].astype("timedelta64[D]")
    c.update(
        has_budget=has_budget,
        budget_total=budget,
        actual_total=actual,
        margin=np.where(c["has_contract_value"], c["contract_value"] - actual, 0),
        elapsed=elapsed,
        consumed=consumed,
        burn_index=burn,
        forecast=forecast,
        method=method,
        status=status,
        notice_deadline=deadline,
        next_deadline=np.where(deadline >= day, deadline, end),  # metrics.next_deadline
        days_to_end=(end - day) // _DAY,
        days_to_notice=(deadline - day) // _DAY,
    )
    frame = PortfolioFrame(as_of, thresholds, c)
    if unsure.any():  # too close to call in float64: metrics.figures decides
        rows = np.flatnonzero(unsure)
        frame.columns["status"][rows] = [STATUSES.index(f.status) for f in frame.figures(rows)]
    frame.columns["approaching_renewal"] = renewal_mask(frame, thresholds.renewal_window_days)
    return frame


def _statuses(has_budget, actual, budget, forecast, consumed, elapsed, thresholds: Thresholds):
    """(status index per row, rows too close to call): metrics.status in float64.

    A comparison x > y (or >=, <) is decided here only when x and y differ by
    more than TOLERANCE of their size; float64 is accurate to about 1e-16, and
    metrics.figures' Decimals to 1e-28, so beyond that both agree on the sign.
    """
    b = budget.astype(float)
    has_forecast = ~np.isnan(forecast)
    has_consumed = ~np.isnan(consumed)
    risk_line = b * (1 + float(thresholds.at_risk_margin))
    level, share = float(thresholds.watch_level), float(thresholds.watch_elapsed)

    def close(x, y):
        with np.errstate(invalid="ignore"):
            return np.abs(x - y) <= TOLERANCE * np.maximum(np.abs(x), np.abs(y))

    with np.errstate(invalid="ignore"):
        over = actual > budget  # exact: integers
        at_risk = has_forecast & (forecast > risk_line)
        above = has_forecast & (forecast > b)
        watch_share = has_consumed & (consumed >= level) & (elapsed < share)
    status = np.select(
        [~has_budget, over, at_risk, above, watch_share],
        [STATUSES.index(s) for s in (metrics.NO_BUDGET, metrics.OVER_BUDGET, metrics.AT_RISK)]
        + [STATUSES.index(metrics.WATCH)] * 2,
        STATUSES.index(metrics.ON_TRACK),
    )
    unsure = (
        has_budget
        & ~over
        & (
            (has_forecast & (close(forecast, risk_line) | close(forecast, b)))
            | (has_consumed & (close(consumed, level) | close(elapsed, share)))
        )
    )
    return status, unsure


def select(frame: PortfolioFrame, filters: Filters) -> PortfolioFrame:
    """The rows that pass the filters, as portfolio.portfolio(filters=...) would read them.

    A page that changes filters narrows a frame it holds instead of reading the
    database again.
    """
    keep = np.ones(len(frame), dtype=bool)
    for column, chosen in (
        ("customer", filters.customers),
        ("type", filters.types),
        ("account_manager", filters.account_managers),
        ("contract_number", filters.contract_numbers),
    ):
        if chosen:
            keep &= np.isin(frame[column], np.array(chosen, dtype=object))
    if filters.statuses:
        keep &= np.isin(frame["status"], [STATUSES.index(s) for s in filters.statuses if s in STATUSES])
    if filters.renewal_within_days is not None:
        keep &= renewal_mask(frame, filters.renewal_within_days)
    return frame if keep.all() else frame.take(keep)


SORT_KEYS = {  # what a table can be ordered by -> the column that orders it
    "contract": "contract_number",
    "customer": "customer",
    "status": "status",
    "budget": "budget_total",
    "actual": "actual_total",
    "labour": "actual_labour",
    "material": "actual_material",
    "consumed": "consumed",
    "elapsed": "elapsed",
    "burn": "burn_index",
    "forecast": "forecast",
    "margin": "margin",
    "end": "end_date",
    "notice": "notice_deadline",
    "deadline": "next_deadline",
}


def order(frame: PortfolioFrame, by: str = "pressure", descending: bool = False) -> np.ndarray:
    """Row positions in the order a table shows them; ties by contract number, missing values last.

    "pressure" is summary.by_pressure's order: status (over budget first), then
    the highest burn index, then contract number. Any SORT_KEYS name sorts by
    that column; "deadline" is portfolio.renewals' order (metrics.next_deadline,
    then contract number).
    """
    number = frame["contract_number"]
    if not len(frame):
        return np.arange(0)
    tie = np.argsort(number, kind="stable")  # then every later sort is stable on it
    positions = np.arange(len(tie))
    sign = -1 if descending else 1
    if by == "pressure":
        burn = np.nan_to_num(frame["burn_index"][tie], nan=0.0)
        return tie[np.lexsort((positions, -sign * burn, sign * frame["status"][tie]))]
    column = SORT_KEYS[by]
    values, missing = frame[column][tie], _missing(frame, column)[tie]
    if values.dtype.kind == "f":
        values = np.where(missing, 0.0, values)
    elif values.dtype == object:
        values = np.array(["" if v is None else v for v in values], dtype=str)
    rank = np.unique(values, return_inverse=True)[1]  # equal values, equal rank, for any type
    # lexsort: the last key first; positions in tie (contract number order) break ties
    return tie[np.lexsort((positions, sign * rank, missing))]


def _missing(frame: PortfolioFrame, column: str) -> np.ndarray:
    """Rows where the column has no value (shown empty): these sort last either way."""
    c = frame.columns
    if column == "budget_total":
        return ~c["has_budget"]
    if column == "margin":
        return ~c["has_contract_value"]
    values = c[column]
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind == "M":
        return np.isnat(values)
    if values.dtype == object:
        return np.array([v is None for v in values], dtype=bool)
    return np.zeros(len(values), dtype=bool)


def renewal_mask(frame: PortfolioFrame, window_days: int) -> np.ndarray:
    """metrics.approaches_renewal per row: end date or notice deadline within the window, not terminated."""
    day = np.datetime64(frame.as_of, "D")
    horizon = day + np.timedelta64(window_days, "D")
    end, deadline = frame["end_date"], frame["notice_deadline"]
    return np.isnat(frame["terminated_on"]) & (
        ((day <= end) & (end <= horizon)) | ((day <= deadline) & (deadline <= horizon))
    )


def suggested_actions(frame: PortfolioFrame, rules: advice.ReviewRules = advice.ReviewRules()) -> np.ndarray:
    """advice.suggest's action per row, as an index into advice.ACTIONS: its rules in float64,
    and every row where a comparison lies within TOLERANCE of its line decided by
    advice.suggest on metrics.figures, as _statuses does (so every count is exact)."""
    c = frame.columns
    budget, actual, forecast = c["budget_total"], c["actual_total"], c["forecast"]
    has_forecast = ~np.isnan(forecast)
    value = c["contract_value"]
    reprice_line = budget.astype(float) * (1 + float(rules.reprice_margin))
    planned = c["has_planned_visits"] & (c["planned_visits"] != 0)
    expected = c["planned_visits"] * c["elapsed"]  # visits planned to date
    visits = c["visits_done"].astype(float)
    factor, extra = float(rules.visits_factor), float(rules.visits_extra)

    def close(x, y):
        with np.errstate(invalid="ignore"):
            return np.abs(x - y) <= TOLERANCE * np.maximum(np.abs(x), np.abs(y))

    with np.errstate(invalid="ignore"):
        # the expected cost: the forecast, else the actual total (then integers, exact)
        terminate = c["has_contract_value"] & np.where(has_forecast, forecast > value, actual > value)
        reprice = c["has_budget"] & has_forecast & (forecast > reprice_line)
        scope = planned & (visits >= expected * factor) & (visits - expected >= extra)
    action = np.select(
        [~np.isnat(c["terminated_on"]), terminate, reprice, scope, ~c["has_budget"]],
        [advice.ACTIONS.index(a) for a in (advice.TERMINATED, advice.TERMINATE, advice.REPRICE)]
        + [advice.ACTIONS.index(a) for a in (advice.REVIEW_SCOPE, advice.SET_BUDGET)],
        advice.ACTIONS.index(advice.RENEW),
    )
    unsure = np.isnat(c["terminated_on"]) & (
        (c["has_contract_value"] & has_forecast & close(forecast, value))
        | (c["has_budget"] & has_forecast & close(forecast, reprice_line))
        | (planned & (close(visits, expected * factor) | close(visits - expected, extra)))
    )
    if unsure.any():  # too close to call in float64: advice.suggest decides
        rows = np.flatnonzero(unsure)
        action[rows] = [advice.ACTIONS.index(advice.suggest(f, rules).action) for f in frame.figures(rows)]
    return action


def action_counts(frame: PortfolioFrame, rules: advice.ReviewRules = advice.ReviewRules()) -> dict[str, int]:
    """How many rows get each suggested action (advice.ACTIONS order, every action listed)."""
    counts = np.bincount(suggested_actions(frame, rules), minlength=len(advice.ACTIONS))
    return {a: int(n) for a, n in zip(advice.ACTIONS, counts, strict=True)}


def headline(frame: PortfolioFrame) -> Headline:
    """summary.headline of these contracts: sums of integer millionths, the forecasts in Decimal."""
    c = frame.columns
    has_value = c["has_contract_value"]
    counts = np.bincount(c["status"], minlength=len(STATUSES))
    return Headline(
        contracts=len(frame),
        budget_total=_decimal(c["budget_total"][c["has_budget"]].sum()),
        actual_total=_decimal(c["actual_total"].sum()),
        forecast_total=forecast_total(frame),
        margin=_decimal(c["margin"][has_value].sum()),
        with_value=int(has_value.sum()),
        statuses={s: int(n) for s, n in zip(STATUSES, counts, strict=True)},
    )


def forecast_total(frame: PortfolioFrame) -> Decimal:
    """The sum of every contract's forecast, each computed as metrics.forecast does (Decimal).

    Summed in row order, as summary.headline sums the figures: a sum of Decimals
    with 28 significant digits is rounded, so the order is part of the figure.
    """
    c = frame.columns
    rows = np.flatnonzero(c["method"] != METHODS.index("none"))
    actual_, not_started, visits, burn = (
        METHODS.index(m) for m in ("actual", "not started", "visits", "burn")
    )
    unit, total = UNIT, ZERO
    elapsed = metrics.elapsed_fraction
    for kind, a, b, p, done, planned, start, end in zip(
        *(c[name][rows].tolist() for name in ("method", "actual_total", "budget_total", "planned_to_date")),
        *(c[name][rows].tolist() for name in ("visits_done", "planned_visits", "start_date", "end_date")),
        strict=True,
    ):  # Python values, not numpy scalars: a tenth of the time per contract
        a = Decimal(a) * unit
        if kind == actual_:
            total += a
        elif kind == not_started:
            total += Decimal(b) * unit
        elif kind == visits:
            total += a + (planned - done) * (a / done)
        elif kind == burn:
            total += Decimal(b) * unit * (a / (Decimal(p) * unit))
        else:  # run rate
            total += a / elapsed(start, end, frame.as_of)
    return total


@dataclass(frozen=True)
class PressureGrid:
    """How many budgeted contracts fall in each cell of elapsed (x) against consumed (y).

    counts[j][i] counts the contracts with elapsed in [x[i], x[i+1]) and consumed in
    [y[j], y[j+1]) (the last cells closed); consumed above y[-1] is counted in the
    top row, so no contract is left out.
    """

    x: np.ndarray
    y: np.ndarray
    counts: np.ndarray

    @property
    def contracts(self) -> int:
        return int(self.counts.sum())


def budgeted(frame: PortfolioFrame) -> np.ndarray:
    """Rows with a budget above 0 (and so a consumed share): the contracts a pressure map shows."""
    return frame["has_budget"] & (frame["budget_total"] != 0)


def pressure_grid(frame: PortfolioFrame, step: float = 0.05, top: float = 2.0) -> PressureGrid:
    """The pressure map aggregated before it is drawn: contracts per cell of step x step."""
    rows = budgeted(frame)
    x = np.linspace(0.0, 1.0, round(1 / step) + 1)
    y = np.linspace(0.0, top, round(top / step) + 1)
    consumed = np.clip(frame["consumed"][rows], 0.0, top)  # below 0 (credits) in the first row
    counts, _, _ = np.histogram2d(consumed, frame["elapsed"][rows], bins=(y, x))
    return PressureGrid(x, y, counts.astype(np.int64))


def _decimal(millionths: np.integer | int) -> Decimal:
    return Decimal(int(millionths)) * UNIT
