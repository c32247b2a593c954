"""The one engine: every figure of every contract, column-wise and exact.

Every page, export and command reads its figures from here. Inputs per
contract come from storage as integers (money and hours in millionths, dates
as day numbers; store/columns.py and store/as_of_reads.py read them), and derive()
states each rule of docs/metrics.md once, for all contracts at once:

- term, elapsed fraction, planned to date (each budget line pro rata over its
  own period), consumed, burn index;
- the forecast at end of term by the first method that applies (metrics.
  FORECAST_METHODS), as an exact ratio of integers;
- margin to date and forecast margin;
- the status (over budget, at risk, watch, on track, no budget);
- notice deadline, next deadline, days to them, approaching renewal;
- the suggested renewal action (advice.py names them) and the renewal price at
  the target margin (pricing.py describes it).

Exactness: each ratio is a numerator and a positive denominator of integers;
comparisons cross-multiply and rounding divides integers (exact.py: int64
while the bounds allow, Python ints past them), so no float decides anything.
Money is rounded to cents and fractions to 4 places half away from zero, as a
Decimal's ROUND_HALF_UP. Float64 columns (consumed, elapsed, burn_index,
forecast) are sort keys and chart positions only.

tests/oracle.py states the same rules one contract at a time in Decimals;
tests/test_engine.py holds this engine to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
from sqlalchemy.orm import Session

from budgetcore.figures import advice, calibration, exact, forecast
from budgetcore.figures.forecast import METHODS, terms
from budgetcore.figures.metrics import (
    AT_RISK,
    AUTO,
    CHOOSABLE,
    NO_BUDGET,
    ON_TRACK,
    OVER_BUDGET,
    STATUSES,
    WATCH,
    ZERO,
    ContractFigures,
    ContractInputs,
    Filters,
    Forecast,
    PriceSuggestion,
    Suggestion,
    Thresholds,
)
from budgetcore.figures.pricing import NO_COST, NO_FORECAST
from budgetcore.figures.summary import Headline
from budgetcore.figures.term import days_done, term_days
from budgetcore.store import as_of_reads
from budgetcore.store import columns as stored
from budgetcore.store.columns import COUNTS
from budgetcore.store.database import EPOCH
from budgetcore.store.models import UNIT

# the inputs of one contract, in order (ContractInputs' fields)
INPUT_COLUMNS = (
    "contract_number", "customer", "name", "type", "account_manager", "start_date", "end_date",
    "notice_period_days", "auto_renew", "contract_value", "planned_visits", "terminated_on",
    "actual_labour", "actual_material", "actual_hours", "visits_done", "budget_lines",
    "budget_labour", "budget_material", "budget_other", "budget_hours", "planned_to_date",
    "outside_term_lines", "outside_term_cost", "extra_cost", "extra_revenue", "extra_unpriced",
    "renewed_by", "indexation_pct", "calls_done",
)  # fmt: skip
MILLIONTHS = (
    "actual_labour", "actual_material", "actual_hours", "budget_labour", "budget_material",
    "budget_other", "budget_hours", "planned_to_date", "outside_term_cost", "extra_cost",
    "extra_revenue",
)  # fmt: skip
# work billed on top through as_of (issue 21): its cost, revenue, and lines without a sales price
EXTRA_COLUMNS = ("extra_cost", "extra_revenue", "extra_unpriced")

PRICE_NOTES = ("", NO_FORECAST, NO_COST)
CENTS = 10_000  # millionths in a cent
PLACES = 10_000  # a fraction to 4 places
_DAY = np.timedelta64(1, "D")
_CENT = Decimal("0.01")
_PLACE = Decimal("0.0001")


@dataclass(frozen=True, eq=False)
class PortfolioFrame:
    """The figures of a set of contracts as columns (numpy arrays of equal length).

    Inputs (INPUT_COLUMNS; money and hours as int64 millionths, missing optional
    integers as 0 with a mask `has_<name>`; contract_id when read by load()).
    Derived, exact: has_budget, budget_total and actual_total (millionths),
    term_days, days_done; the forecast as forecast_base x forecast_num / forecast_den
    (millionths: a base amount such as the actual or the budget, times a factor num / den;
    each int64, forecast_den > 0); method (index into METHODS), status
    (index into STATUSES), action (index into advice.ACTIONS); shown as printed:
    budget_cents, labour_cents, material_cents, actual_cents, forecast_cents,
    margin_cents, forecast_margin_cents, price_cents (cents), consumed_4,
    elapsed_4, burn_4, change_4 (ten-thousandths), each with a has_<name> mask
    where it can be undefined and a neg_<name> mask for a value that rounds to
    zero from below; price_note (index into PRICE_NOTES); notice_deadline,
    next_deadline (the notice deadline until it passes, then the end date),
    days_to_end, days_to_notice, approaching_renewal. Sort keys (float64, NaN
    where undefined): consumed, elapsed, burn_index, forecast, margin, forecast_margin.
    Rows are in contract number order unless reordered by take().
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
        """ContractInputs of these rows (all by default), converted a column at a time."""
        rows = np.arange(len(self)) if positions is None else np.asarray(positions, dtype=np.int64)
        c = self.columns
        columns = []
        for name in INPUT_COLUMNS:
            values = c[name][rows].tolist()  # Python ints, bools, dates (None for NaT) and objects
            if name in MILLIONTHS:
                values = [Decimal(v) * UNIT if v else ZERO for v in values]
            elif name in ("contract_value", "indexation_pct"):
                has = c[f"has_{name}"][rows].tolist()
                values = [Decimal(v) * UNIT if h else None for v, h in zip(values, has, strict=True)]
            elif name == "planned_visits":
                has = c["has_planned_visits"][rows].tolist()
                values = [int(v) if h else None for v, h in zip(values, has, strict=True)]
            elif name in COUNTS:
                values = [int(v) for v in values]
            elif name == "auto_renew":
                values = [bool(v) for v in values]
            columns.append(values)
        return [ContractInputs(*values) for values in zip(*columns, strict=True)]

    def figures(self, positions: Sequence[int] | np.ndarray | None = None) -> list[ContractFigures]:
        """The figures of these rows (all by default) as one object per contract: what a page shows."""
        rows = np.arange(len(self)) if positions is None else np.asarray(positions, dtype=np.int64)
        ratios = _ratios(self.columns, rows)  # the rows' consumed, burn index and margin, at once
        summaries = summary_rows(self, rows)
        return [
            _figures(self, int(i), inputs, k, ratios, summary)
            for k, (i, inputs, summary) in enumerate(zip(rows, self.inputs(rows), summaries, strict=True))
        ]

    def status_names(self) -> np.ndarray:
        return np.asarray(STATUSES, dtype=object)[self.columns["status"]]


def load(
    session: Session,
    as_of: dt.date,
    thresholds: Thresholds = Thresholds(),
    filters: Filters = Filters(),
    picks: calibration.Calibration | None = None,
    rates: CallRates | None = None,
) -> PortfolioFrame:
    """Every contract that passes the filters, column-wise. A filter on contract numbers
    alone (one contract's page) reads only those contracts; anything else reads all and
    narrows in memory. picks: auto's picks at as_of (calibration.calibrate with the thresholds'
    minimum), when the caller holds them; else, for the auto forecast, they are found here.
    rates: the portfolio's corrective work per type at as_of (portfolio_call_rates), when the
    caller holds them; else, for a few contracts, found here from the whole portfolio."""
    numbers = filters.contract_numbers or None
    columns = read(session, as_of, numbers)
    choice = None
    if thresholds.forecast_method == AUTO:
        if picks is None:
            picks = calibration.calibrate(session, as_of, thresholds.min_completed, table=False)
        choice = picks.choices(columns, as_of)
    if numbers is not None and rates is None:
        rates = portfolio_call_rates(session, as_of)
    return select(derive(columns, as_of, thresholds, choice=choice, rates=rates), filters)


def rates_of(whole: PortfolioFrame) -> CallRates:
    """The call rates of the whole portfolio's frame (load without filters): what
    portfolio_call_rates reads, from a frame the caller already holds."""
    c = whole.columns
    return call_rates(c["type"], c["calls_done"], c["days_done"])


def portfolio_call_rates(session: Session, as_of: dt.date) -> CallRates:
    """The whole portfolio's corrective work orders and days done per contract type at as_of
    (call_rates): what one contract's corrective work is compared with."""
    columns = read(session, as_of)
    start = columns["start_date"]
    done = days_done(np.datetime64(as_of, "D"), start, term_days(start, columns["end_date"]))
    return call_rates(columns["type"], columns["calls_done"], done)


def read(session: Session, as_of: dt.date, numbers: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """INPUT_COLUMNS and contract_id of every contract (or these), in contract number order.

    The columns that do not depend on as_of come from the import's snapshot
    (else store.columns by SQL); the two that do are planned to date (from every
    budget line's amount and days) and what lies on the far side of as_of
    (store/as_of_reads.far_side_rows: at today, a few rows). Integers only.
    """
    columns = (
        stored.portfolio_columns(session) if numbers is None else stored.contract_columns(session, numbers)
    )
    periods = {name: columns.pop(name) for name in stored.PERIOD_COLUMNS}
    ids = columns["contract_id"]
    columns["renewed_by"] = renewed_by(
        columns["contract_number"],
        columns.pop("previous_contract"),
        None if numbers is None else stored.successors(session, [str(n) for n in columns["contract_number"]]),
    )
    columns["planned_to_date"] = planned_to_date(periods, len(ids), as_of)
    after = as_of_reads.totals_minus_after(session, as_of)
    parts = stored.placed(
        ids, as_of_reads.far_side_rows(session, as_of, after, numbers), as_of_reads.FAR_SIDE_COLUMNS
    )
    for name, actual in (
        ("labour", "actual_labour"),
        ("material", "actual_material"),
        ("hours", "actual_hours"),
        ("visits", "visits_done"),
        ("calls", "calls_done"),
        *((name, name) for name in EXTRA_COLUMNS),
    ):
        columns[actual] = columns.pop(name) - parts[name] if after else parts[name]
    # archived contracts leave the portfolio (their rows stay in every table and snapshot);
    # one asked for by number (its own page, its pack) is still read
    archived = [] if numbers is not None else stored.archived_ids(session)
    if archived:
        keep = ~np.isin(ids, np.array(archived, dtype=ids.dtype))
        columns = {name: values[keep] for name, values in columns.items()}
    return columns


def renewed_by(
    numbers: np.ndarray, previous: np.ndarray, successors: dict[str, str] | None = None
) -> np.ndarray:
    """Per contract, the contract that renews it (names it as previous_contract; the first by
    number when several do), else None. numbers in contract number order with each contract's
    previous_contract; successors: found by SQL instead, when these are not every contract."""
    found = np.full(len(numbers), None, dtype=object)
    if successors is not None:
        for i, number in enumerate(numbers.tolist()):
            found[i] = successors.get(number)
        return found
    named = np.flatnonzero(np.not_equal(previous, None))
    named = named[previous[named] != numbers[named]]  # a contract that names itself renews nothing
    if not len(named):
        return found
    names = previous[named].astype(str)
    unique, first = np.unique(names, return_index=True)  # rows in number order: the first is the least
    keys = numbers.astype(str)
    where = np.clip(np.searchsorted(unique, keys), 0, len(unique) - 1)
    hit = unique[where] == keys
    found[hit] = numbers[named[first[where[hit]]]]
    return found


def from_inputs(
    inputs: Sequence[ContractInputs],
    as_of: dt.date,
    thresholds: Thresholds = Thresholds(),
    rules: advice.ReviewRules = advice.ReviewRules(),
) -> PortfolioFrame:
    """The frame of contracts given by their inputs (as storage would hold them): for
    figures of contracts that are not in a database, and for the tests."""

    def stored_form(value: object) -> object:
        if isinstance(value, Decimal):
            return int(value.scaleb(6))
        if isinstance(value, dt.date):
            return (value - EPOCH).days
        return value

    rows = [tuple(stored_form(getattr(i, name)) for name in INPUT_COLUMNS) for i in inputs]
    return derive(stored.columns_from_rows(rows, INPUT_COLUMNS), as_of, thresholds, rules)


def planned_to_date(periods: dict[str, np.ndarray], rows: int, as_of: dt.date) -> np.ndarray:
    """Planned to date per contract row at as_of (millionths): forecast.planned_to_date."""
    return forecast.planned_to_date(periods, rows, (as_of - EPOCH).days)


def _ratio(value: Decimal) -> tuple[int, int]:
    """A threshold as numerator and positive denominator."""
    return Fraction(value).as_integer_ratio()


def _shown(
    name: str, c: dict[str, np.ndarray], numerator: exact.Sum, denominator: exact.Term, defined=None
) -> None:
    """Store a figure as printed (numerator / denominator rounded half away from zero) in
    c[name], with neg_<name> (below zero) and has_<name> (defined) when given."""
    n = len(c["contract_number"])
    value, negative = exact.quotient(numerator, denominator, n)
    if defined is not None:
        value, negative = np.where(defined, value, 0), negative & defined
        c[f"has_{name}"] = defined
    c[name], c[f"neg_{name}"] = value, negative


def derive(
    columns: dict[str, np.ndarray],
    as_of: dt.date,
    thresholds: Thresholds,
    rules: advice.ReviewRules = advice.ReviewRules(),
    choice: np.ndarray | None = None,
    rates: CallRates | None = None,
) -> PortfolioFrame:
    """Every figure of every row at as_of: the rules of docs/metrics.md, each stated once here.

    choice: per row, the forecast method `auto` picked (calibration.choices; a METHODS index
    or CHAIN_CHOICE); without it, the thresholds' forecast method setting for every row (the
    chain for `auto`). rates: the portfolio's corrective work orders and days per contract type
    (call_rates), when these rows are not the whole portfolio; else found from these rows."""
    c = dict(columns)
    n = len(c["contract_number"])
    day = np.datetime64(as_of, "D")
    start, end = c["start_date"], c["end_date"]
    term = term_days(start, end)  # both its first and last day included
    done = days_done(day, start, term)  # clamped to 0 .. term
    has_budget = c["budget_lines"] > 0
    budget = np.where(has_budget, c["budget_labour"] + c["budget_material"] + c["budget_other"], 0)
    actual = c["actual_labour"] + c["actual_material"]
    planned = np.where(has_budget, c["planned_to_date"], 0)
    has_value, value = c["has_contract_value"], c["contract_value"]
    consumed_num, consumed_den, has_consumed = exact.positive_ratio(
        actual, budget
    )  # consumed = actual / budget
    burn_num, burn_den, has_burn = exact.positive_ratio(
        actual, planned
    )  # burn index = actual / planned to date

    # the forecast at end of term, x * y / z (millionths): forecast.terms, also the backtest's rule
    if choice is None and thresholds.forecast_method in CHOOSABLE:
        choice = np.full(n, METHODS.index(thresholds.forecast_method), dtype=np.int64)
    method, x, y, z, chosen = terms(
        day, start, end, done, term, actual, budget, has_budget, planned,
        c["visits_done"], c["planned_visits"], c["has_planned_visits"], choice,
    )  # fmt: skip
    has_forecast = method != METHODS.index("none")

    # the status: the first rule that holds (docs/metrics.md)
    risk_n, risk_d = _ratio(thresholds.at_risk_margin)
    level_n, level_d = _ratio(thresholds.watch_level)
    share_n, share_d = _ratio(thresholds.watch_elapsed)
    over = actual > budget
    at_risk = has_forecast & (exact.compare([(x, y, risk_d)], [(budget, risk_d + risk_n, z)], n) > 0)
    above = has_forecast & (exact.compare([(x, y)], [(budget, z)], n) > 0)  # the forecast over budget
    watch_share = (
        has_consumed
        & (exact.compare([(consumed_num, level_d)], [(level_n, consumed_den)], n) >= 0)
        & (exact.compare([(done, share_d)], [(share_n, term)], n) < 0)
    )
    status = np.select(
        [~has_budget, over, at_risk, above, watch_share],
        [STATUSES.index(s) for s in (NO_BUDGET, OVER_BUDGET, AT_RISK, WATCH, WATCH)],
        STATUSES.index(ON_TRACK),
    )
    deadline = end - c["notice_period_days"].astype("timedelta64[D]")
    c.update(
        has_budget=has_budget,
        budget_total=budget,
        actual_total=actual,
        term_days=term,
        days_done=done,
        forecast_base=x,
        forecast_num=y,
        forecast_den=z,
        method=method,
        method_chosen=chosen,
        status=status,
        notice_deadline=deadline,
        next_deadline=np.where(deadline >= day, deadline, end),
        days_to_end=(end - day) // _DAY,
        days_to_notice=(deadline - day) // _DAY,
    )
    # as printed: money in cents, fractions to 4 places
    _shown("budget_cents", c, [(budget,)], (CENTS,), has_budget)
    _shown("labour_cents", c, [(c["actual_labour"],)], (CENTS,))
    _shown("material_cents", c, [(c["actual_material"],)], (CENTS,))
    _shown("actual_cents", c, [(actual,)], (CENTS,))
    _scope(c, actual, thresholds, rates)
    _shown("consumed_4", c, [(consumed_num, PLACES)], (consumed_den,), has_consumed)
    _shown("elapsed_4", c, [(done, PLACES)], (term,))
    _shown("burn_4", c, [(burn_num, PLACES)], (burn_den,), has_burn)
    _shown("forecast_cents", c, [(x, y)], (z, CENTS), has_forecast)
    margin_num, margin_den = margin_to_date(c)
    _shown("margin_cents", c, margin_num, (*margin_den, CENTS), has_value)
    _shown("forecast_margin_cents", c, [(value, z), (x, y, -1)], (z, CENTS), has_value & has_forecast)
    with np.errstate(divide="ignore", invalid="ignore"):  # sort keys and chart positions only
        c["consumed"] = np.where(has_consumed, consumed_num / np.where(has_consumed, consumed_den, 1), np.nan)
        c["burn_index"] = np.where(has_burn, burn_num / np.where(has_burn, burn_den, 1), np.nan)
        c["elapsed"] = done / term
        c["forecast"] = np.where(has_forecast, x.astype(float) * y / z, np.nan)
        c["margin"] = np.where(has_value, exact.estimate(margin_num, margin_den, n), np.nan)
        c["forecast_margin"] = np.where(has_value & has_forecast, value - c["forecast"], np.nan)
    frame = PortfolioFrame(as_of, thresholds, c)
    c["approaching_renewal"] = renewal_mask(frame, thresholds.renewal_window_days)
    _advice(c, has_forecast, above, thresholds, rules)
    _why(c, has_burn, above, thresholds, rules)
    return frame


def margin_to_date(c: dict[str, np.ndarray], rows: np.ndarray | None = None) -> tuple[exact.Sum, exact.Term]:
    """Margin to date (docs/metrics.md) as an exact quotient in millionths: the value earned to
    date (contract value x days done / term days) minus the actual total. rows: a mask or indexes
    (all rows by default); the rows without a contract value have no margin."""
    value, done, term, actual = (
        c[name] if rows is None else c[name][rows]
        for name in ("contract_value", "days_done", "term_days", "actual_total")
    )
    return [(value, done), (actual, term, -1)], (term,)


def _type_codes(types: np.ndarray) -> tuple[tuple[str | None, ...], np.ndarray]:
    """The distinct contract types (None: no type), in order of first appearance, and each row's
    index into them (a portfolio holds a few types: one comparison per type, not a sort)."""
    names = tuple(dict.fromkeys(types.tolist()))
    where = np.zeros(len(types), dtype=np.int64)
    for k, name in enumerate(names[1:], 1):
        where[types == name] = k
    return names, where


@dataclass(frozen=True)
class CallRates:
    """Per contract type (None: no type), the portfolio's covered corrective work orders so far
    and its days of term so far: what the type leads one to expect per day (docs/metrics.md,
    Scope). Exact integers; found by call_rates."""

    types: tuple[str | None, ...]
    calls: tuple[int, ...]
    days: tuple[int, ...]

    def per_row(self, types: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(calls, days) of each row's type; 0, 0 for a type the portfolio does not hold."""
        names, where = _type_codes(types)
        found = dict(zip(self.types, zip(self.calls, self.days, strict=True), strict=True))
        counts = np.array([found.get(name, (0, 0)) for name in names], dtype=np.int64).reshape(-1, 2)
        return counts[where, 0], counts[where, 1]


def call_rates(
    types: np.ndarray, calls: np.ndarray, done: np.ndarray, codes: tuple | None = None
) -> CallRates:
    """The corrective work orders and days done summed per contract type over these rows
    (codes: _type_codes of types, when the caller has them)."""
    names, where = codes or _type_codes(types)
    total_calls = np.zeros(len(names), dtype=np.int64)
    total_days = np.zeros(len(names), dtype=np.int64)
    np.add.at(total_calls, where, calls.astype(np.int64))
    np.add.at(total_days, where, done.astype(np.int64))
    return CallRates(names, tuple(int(v) for v in total_calls), tuple(int(v) for v in total_days))


def _scope(
    c: dict[str, np.ndarray], actual: np.ndarray, thresholds: Thresholds, rates: CallRates | None
) -> None:
    """Work outside what the contract covers (docs/metrics.md, Scope). Billed on top, beside the
    actuals and never in them: its cost, revenue and margin in cents, its share of all cost
    (covered + billed) to 4 places; share_scope: that share above thresholds.scope_share with the
    cost at least thresholds.scope_minimum. Corrective work past its type: calls_scope when the
    covered corrective work orders so far reach thresholds.calls_factor x those expected to date
    (the type's calls per day of term so far x this contract's days done) and at least
    thresholds.calls_extra more; expected_calls_n / expected_calls_d are the expected. out_of_scope:
    either."""
    n = len(actual)
    extra, revenue = c["extra_cost"], c["extra_revenue"]
    every = actual + extra
    sign = np.sign(every)
    den = every * sign
    has_share = den > 0
    _shown("extra_cents", c, [(extra,)], (CENTS,))
    _shown("extra_revenue_cents", c, [(revenue,)], (CENTS,))
    _shown("extra_margin_cents", c, [(revenue,), (extra, -1)], (CENTS,))
    _shown("extra_share_4", c, [(extra, sign, PLACES)], (den,), has_share)
    share_n, share_d = _ratio(thresholds.scope_share)
    c["share_scope"] = (
        has_share
        & (exact.compare([(extra, sign, share_d)], [(share_n, den)], n) > 0)
        & (extra >= int(thresholds.scope_minimum.scaleb(6)))
    )
    # expected to date = type calls x done / type days; compared as calls x type days
    if rates is None:  # these rows are the portfolio: their own rates, by their type codes
        codes = _type_codes(c["type"])
        own = call_rates(c["type"], c["calls_done"], c["days_done"], codes)
        type_calls = np.array(own.calls, dtype=np.int64)[codes[1]]
        type_days = np.array(own.days, dtype=np.int64)[codes[1]]
    else:
        type_calls, type_days = rates.per_row(c["type"])
    expected_x = type_calls * c["days_done"]
    calls_x = c["calls_done"].astype(np.int64) * type_days
    factor_n, factor_d = _ratio(thresholds.calls_factor)
    c["expected_calls_n"], c["expected_calls_d"] = expected_x, type_days
    c["calls_scope"] = (
        (type_days > 0)
        & (exact.compare([(calls_x, factor_d)], [(expected_x, factor_n)], n) >= 0)
        & (calls_x - expected_x >= type_days * thresholds.calls_extra)
    )
    c["out_of_scope"] = c["share_scope"] | c["calls_scope"]


def _why(
    c: dict[str, np.ndarray], has_burn, above, thresholds: Thresholds, rules: advice.ReviewRules
) -> None:
    """Why a contract needs attention (advice.WHY), one mask per reason, and the no-activity flag."""
    n = len(c["contract_number"])
    term, done = c["term_days"], c["days_done"]
    share_n, share_d = _ratio(thresholds.no_activity_elapsed)
    nothing = (c["actual_total"] == 0) & (c["actual_hours"] == 0) & (c["visits_done"] == 0)
    past = exact.compare([(done, share_d)], [(term, share_n)], n) > 0
    c["no_activity"] = nothing & past & np.isnat(c["terminated_on"])
    pressed = np.isin(c["status"], [STATUSES.index(s) for s in (OVER_BUDGET, AT_RISK, WATCH)])
    budgeted = pressed & c["has_budget"]
    labour = budgeted & (c["actual_labour"] > c["budget_labour"])
    material = budgeted & (c["actual_material"] > c["budget_material"])
    over = budgeted & above  # the forecast over budget
    burn_num, burn_den, _ = exact.positive_ratio(c["actual_total"], c["planned_to_date"])
    ahead = pressed & has_burn & (burn_num > burn_den)  # burn index above 1
    _, behind = _visits(c, rules)
    c.update(
        why_labour=labour,
        why_material=material,
        why_forecast=over & ~labour & ~material,  # the categories say it already
        why_ahead=ahead,
        why_visits=behind,
    )


def _visits(c: dict[str, np.ndarray], rules: advice.ReviewRules) -> tuple[np.ndarray, np.ndarray]:
    """The visits rule (docs/metrics.md): visits planned to date = planned visits x elapsed.
    (ahead, behind) per row with planned visits: ahead (review scope) when done >= planned to
    date x visits_factor and at least visits_extra more; behind (a reason for attention), its
    mirror, when done x visits_factor <= planned to date and at least visits_extra fewer."""
    n = len(c["contract_number"])
    term, done = c["term_days"], c["days_done"]
    planned = c["has_planned_visits"] & (c["planned_visits"] != 0)
    expected_x_term = c["planned_visits"] * done  # visits planned to date x term days
    visits_x_term = c["visits_done"] * term
    extra = term * rules.visits_extra
    factor_n, factor_d = _ratio(rules.visits_factor)
    ahead = (
        planned
        & (exact.compare([(visits_x_term, factor_d)], [(expected_x_term, factor_n)], n) >= 0)
        & (visits_x_term - expected_x_term >= extra)
    )
    behind = (
        planned
        & (exact.compare([(visits_x_term, factor_n)], [(expected_x_term, factor_d)], n) <= 0)
        & (expected_x_term - visits_x_term >= extra)
    )
    return ahead, behind


def _price_terms(x, y, z, margin: Decimal) -> tuple[exact.Sum, exact.Term]:
    """The renewal price rule as a quotient: a cost of x * y / z (millionths) / (1 - target
    margin), in cents. The margin is a share of the price, 0 <= margin < 1."""
    if not Decimal(0) <= margin < 1:
        raise ValueError(f"target margin must be in [0, 1): {margin}")
    margin_n, margin_d = _ratio(margin)
    return [(x, y, margin_d)], (z, margin_d - margin_n, CENTS)


def renewal_price(cost: Decimal, scale: Fraction, margin: Decimal) -> Decimal:
    """The renewal price rule for a cost that is no contract's forecast (EUR): cost x scale /
    (1 - margin), half up to cents; e.g. the previous term's cost scaled to this term's days."""
    one = np.ones(1, dtype=np.int64)
    x = np.array([int(cost.scaleb(6))], dtype=np.int64)
    numerator, denominator = _price_terms(x, one * scale.numerator, one * scale.denominator, margin)
    cents, negative = exact.quotient(numerator, denominator, 1)
    return _decimal(cents[0], bool(negative[0]))


INDEX_DEN = 100_000_000  # indexation_pct in millionths of a percent: fraction = pct / INDEX_DEN


def indexation(c: dict[str, np.ndarray], setting: Decimal) -> np.ndarray:
    """Per row the yearly indexation as a numerator over INDEX_DEN: the contract's indexation_pct,
    else the setting (a fraction, at most 8 decimals)."""
    default = Fraction(setting) * INDEX_DEN
    if default.denominator != 1:
        raise ValueError(f"yearly indexation has more than 8 decimals: {setting}")
    return np.where(c["has_indexation_pct"], c["indexation_pct"], int(default)).astype(np.int64)


def _advice(
    c: dict[str, np.ndarray], has_forecast, above, thresholds: Thresholds, rules: advice.ReviewRules
) -> None:
    """The renewal price and the suggested action (docs/metrics.md "Renewal advice and price").

    For a next term as long as this one: indexed value = value x (1 + indexation); cost-based
    price = forecast x (1 + indexation) / (1 - target margin); suggested price = the larger of
    the two, in cents. The rules compare the two prices as shown (cents)."""
    n = len(c["contract_number"])
    x, y, z = c["forecast_base"], c["forecast_num"], c["forecast_den"]
    value, has_value = c["contract_value"], c["has_contract_value"]
    index_n = indexation(c, thresholds.yearly_indexation)
    grown = INDEX_DEN + index_n  # (1 + indexation) x INDEX_DEN
    if (grown <= 0).any():
        raise ValueError("an indexation of -100 % or less leaves no price")
    c["indexation_n"] = index_n
    # the indexed value, in cents
    _shown("indexed_cents", c, [(value, grown)], (INDEX_DEN, CENTS), has_value)
    # the cost-based price: forecast cost x (1 + indexation) / (1 - target margin), in cents
    priced = has_forecast & (np.sign(x) * np.sign(y) > 0)  # a forecast cost above 0 (z > 0)
    c["price_note"] = np.where(~has_forecast, 1, np.where(priced, 0, 2))
    numerator, denominator = _price_terms(x, y, z, thresholds.target_margin)
    numerator = [(*term, grown) for term in numerator]
    _shown("cost_cents", c, numerator, (*denominator, INDEX_DEN), priced)
    indexed, cost = c["indexed_cents"], c["cost_cents"]
    both = priced & has_value
    suggested = np.where(both, np.maximum(indexed, cost), np.where(priced, cost, indexed))
    c["price_cents"] = suggested
    c["has_price_cents"] = priced | has_value
    c["neg_price_cents"] = np.zeros(n, dtype=bool)  # neither price is below zero
    current = has_value & (value > 0)
    _shown(
        "change_4",
        c,
        [(suggested, CENTS, PLACES), (value, -PLACES)],
        (np.where(current, value, 1),),
        c["has_price_cents"] & current,
    )
    # the raise the cost-based price needs over the indexed value: cost / indexed - 1
    judged = both & (indexed > 0)
    raise_n, raise_d = _ratio(thresholds.largest_raise)
    terminate = judged & (exact.compare([(cost, raise_d)], [(indexed, raise_d + raise_n)], n) > 0)
    reprice = high = np.zeros(n, dtype=bool)
    if rules.price_tolerance is not None:
        tol_n, tol_d = _ratio(rules.price_tolerance)
        reprice = judged & (exact.compare([(cost, tol_d)], [(indexed, tol_d + tol_n)], n) > 0)
        # a margin far above target: the cost-based price more than the tolerance below
        high = judged & (exact.compare([(cost, tol_d)], [(indexed, tol_d - tol_n)], n) < 0)
    c["margin_high"] = high
    # without a contract value there is nothing to index: the forecast over the budget the price
    # was built on asks for a new price all the same
    unvalued = ~has_value & c["has_budget"] & above
    scope, _ = _visits(c, rules)
    c["expected_visits"] = exact.half_even(c["planned_visits"] * c["days_done"], c["term_days"])
    c["visits_scope"] = scope
    scope = scope | c["out_of_scope"]  # or much of the cost billed on top (_scope, docs/metrics.md Scope)
    index = {a: i for i, a in enumerate(advice.ACTIONS)}
    c["action"] = np.select(
        [~np.isnat(c["terminated_on"]), terminate, reprice | unvalued, scope, ~c["has_budget"]],
        [
            index[a]
            for a in (
                advice.TERMINATED,
                advice.TERMINATE,
                advice.REPRICE,
                advice.REVIEW_SCOPE,
                advice.SET_BUDGET,
            )
        ],
        index[advice.RENEW],
    )


def _decimal(value: int | np.integer, negative: bool = False, places: int = 2) -> Decimal:
    """An integer count of cents (places=2) or ten-thousandths (4) as the Decimal it prints as."""
    result = Decimal(int(value)).scaleb(-places)
    return result.copy_negate() if negative and result == 0 else result


def _quotient(numerator: object, denominator: object, scale: Decimal = UNIT) -> Decimal:
    """numerator / denominator x scale as a Decimal (28 significant digits): an exact ratio to show."""
    return Decimal(int(numerator)) / Decimal(int(denominator)) * scale


SUMMARY_COLUMNS = (
    "contract_number", "customer", "status", "budget_total", "actual_labour", "actual_material",
    "actual_total", "consumed_pct", "elapsed_pct", "burn_index", "forecast_total", "forecast_method",
    "margin", "forecast_margin", "end_date", "notice_deadline", "days_to_end", "extra_cost",
    "extra_revenue", "extra_share",
)  # fmt: skip
# summary column -> (frame column, places) for the figures printed from rounded integers
SHOWN = {
    "budget_total": ("budget_cents", 2),
    "actual_labour": ("labour_cents", 2),
    "actual_material": ("material_cents", 2),
    "actual_total": ("actual_cents", 2),
    "consumed_pct": ("consumed_4", 4),
    "elapsed_pct": ("elapsed_4", 4),
    "burn_index": ("burn_4", 4),
    "forecast_total": ("forecast_cents", 2),
    "margin": ("margin_cents", 2),
    "forecast_margin": ("forecast_margin_cents", 2),
    "extra_cost": ("extra_cents", 2),
    "extra_revenue": ("extra_revenue_cents", 2),
    "extra_share": ("extra_share_4", 4),
}


def _shown_value(c: dict[str, np.ndarray], name: str, i: int, places: int) -> Decimal | None:
    has = c.get(f"has_{name}")
    if has is not None and not has[i]:
        return None
    return _decimal(c[name][i], bool(c[f"neg_{name}"][i]), places)


def _picked_by(frame: PortfolioFrame) -> str:
    """Who picks a method other than the chain's: AUTO (the backtest's pick for the contract's
    type, calibration.py) or 'setting' (the forecast method setting names it)."""
    return AUTO if frame.thresholds.forecast_method == AUTO else "setting"


def method_basis(frame: PortfolioFrame, i: int) -> str:
    """Why row i's forecast uses its method: '' (the chain), else _picked_by."""
    return _picked_by(frame) if frame.columns["method_chosen"][i] else ""


def method_names(frame: PortfolioFrame, rows: Sequence[int] | np.ndarray) -> list[str]:
    """forecast_method as printed: the method, and "(auto)" or "(setting)" when it was picked
    instead of the chain's (method_basis), e.g. "remaining budget (auto)"."""
    rows = np.asarray(rows, dtype=np.int64)
    names = np.asarray(METHODS, dtype=object)[frame.columns["method"][rows]]
    chosen = frame.columns["method_chosen"][rows]
    if chosen.any():
        names = np.where(chosen, names + f" ({_picked_by(frame)})", names)
    return names.tolist()


def summary_row(frame: PortfolioFrame, i: int) -> dict[str, object]:
    """Row i as the command line and the exports print it: money in cents, fractions to 4 places."""
    return summary_rows(frame, [i])[0]


def summary_rows(frame: PortfolioFrame, rows: Sequence[int] | np.ndarray) -> list[dict[str, object]]:
    """summary_row of each of these rows, made a column at a time."""
    c, rows = frame.columns, np.asarray(rows, dtype=np.int64)
    columns: dict[str, list] = {
        "contract_number": c["contract_number"][rows].tolist(),
        "customer": c["customer"][rows].tolist(),
        "status": np.asarray(STATUSES, dtype=object)[c["status"][rows]].tolist(),
        "forecast_method": method_names(frame, rows),
        "end_date": c["end_date"][rows].tolist(),
        "notice_deadline": c["notice_deadline"][rows].tolist(),
        "days_to_end": c["days_to_end"][rows].tolist(),
    }
    for column, (name, places) in SHOWN.items():
        columns[column] = _shown_values(c, name, rows, places)
    return [
        dict(zip(SUMMARY_COLUMNS, values, strict=True))
        for values in zip(*(columns[n] for n in SUMMARY_COLUMNS), strict=True)
    ]


def _shown_values(c: dict[str, np.ndarray], name: str, rows: np.ndarray, places: int) -> list[Decimal | None]:
    """_shown_value of these rows, a column at a time."""
    has = c.get(f"has_{name}")
    shown = np.ones(len(rows), dtype=bool) if has is None else has[rows]
    return [
        _decimal(v, n, places) if h else None
        for v, n, h in zip(
            c[name][rows].tolist(), c[f"neg_{name}"][rows].tolist(), shown.tolist(), strict=True
        )
    ]


def _ratios(c: dict[str, np.ndarray], rows: np.ndarray) -> tuple:
    """These rows' consumed and burn index (exact.positive_ratio, as the engine's columns) and
    margin to date (margin_to_date), column-wise: what _figures quotes for row k of rows."""
    actual = c["actual_total"][rows]
    consumed = exact.positive_ratio(actual, c["budget_total"][rows])
    burn = exact.positive_ratio(actual, np.where(c["has_budget"][rows], c["planned_to_date"][rows], 0))
    return consumed, burn, margin_to_date(c, rows)


def _figures(
    frame: PortfolioFrame, i: int, inputs: ContractInputs, k: int, ratios: tuple, summary: dict[str, object]
) -> ContractFigures:
    """Row i (row k of the rows _ratios was given) as one object, every figure taken from the
    engine's columns; summary: its summary_row."""
    c = frame.columns
    has_budget = bool(c["has_budget"][i])
    budget = Decimal(int(c["budget_total"][i])) * UNIT if has_budget else None
    actual = Decimal(int(c["actual_total"][i])) * UNIT
    method = METHODS[c["method"][i]]
    has_forecast = method != "none"
    forecast = (
        _quotient(int(c["forecast_base"][i]) * int(c["forecast_num"][i]), c["forecast_den"][i])
        if has_forecast
        else None
    )
    if method in ("actual", "not started"):  # a plain amount, not a quotient
        forecast = actual if method == "actual" else budget
    (consumed_ratio, burn_ratio, (margin_num, margin_den)) = ratios
    consumed, burn = _figure(*consumed_ratio, k), _figure(*burn_ratio, k)
    value = inputs.contract_value
    deadline = c["notice_deadline"][i].astype(dt.date)
    every = actual + inputs.extra_cost  # all cost, covered and billed on top
    return ContractFigures(
        inputs=inputs,
        as_of=frame.as_of,
        budget_total=budget,
        actual_total=actual,
        elapsed=_elapsed(c, i),
        consumed=consumed,
        burn_index=burn,
        forecast=Forecast(forecast, method, method_basis(frame, i)),
        margin=None if value is None else _quotient(exact.at(margin_num, k), int(margin_den[0][k])),
        forecast_margin=None if value is None or forecast is None else value - forecast,
        notice_deadline=deadline,
        next_deadline=c["next_deadline"][i].astype(dt.date),
        days_to_end=int(c["days_to_end"][i]),
        days_to_notice=int(c["days_to_notice"][i]),
        status=STATUSES[c["status"][i]],
        approaching_renewal=bool(c["approaching_renewal"][i]),
        suggestion=_suggestion(c, i, inputs, budget, actual, forecast, frame.thresholds),
        price=PriceSuggestion(
            forecast_cost=forecast,
            target_margin=frame.thresholds.target_margin,
            current_value=value,
            suggested_value=_shown_value(c, "price_cents", i, 2),
            change=_shown_value(c, "change_4", i, 4),
            forecast_method=method,
            note=PRICE_NOTES[c["price_note"][i]],
            indexation=Decimal(int(c["indexation_n"][i])) / INDEX_DEN,
            indexed_value=_shown_value(c, "indexed_cents", i, 2),
            cost_price=_shown_value(c, "cost_cents", i, 2),
        ),
        summary=summary,
        why=_whys(c, i, inputs, budget, actual, forecast),
        no_activity=bool(c["no_activity"][i]),
        extra_share=_quotient(inputs.extra_cost.scaleb(6), every.scaleb(6), Decimal(1)) if every else None,
        out_of_scope=bool(c["out_of_scope"][i]),
        scope=_scope_reason(c, i, inputs, actual, frame.thresholds),
        expected_calls=_expected_calls(c, i),
    )


def _expected_calls(c, i: int) -> Decimal | None:
    """Row i's corrective work orders expected to date for its type (_scope), to a tenth; None
    when its type has no day done."""
    days = int(c["expected_calls_d"][i])
    if not days:
        return None
    tenths = (20 * int(c["expected_calls_n"][i]) + days) // (2 * days)  # half up; both are >= 0
    return Decimal(tenths).scaleb(-1)


def _scope_reason(
    c, i: int, inputs: ContractInputs, actual: Decimal, thresholds: Thresholds
) -> Suggestion | None:
    """Why row i is out of scope (_scope) with the figures: the share billed on top
    (advice.SCOPE_REASON), else the corrective work orders against those expected to date
    (advice.CALLS_REASON; a note when both hold); None when it is not."""
    if not c["out_of_scope"][i]:
        return None
    calls = (
        {"calls": inputs.calls_done, "expected_calls": _expected_calls(c, i)} if c["calls_scope"][i] else {}
    )
    if not c["share_scope"][i]:
        return Suggestion(advice.OUT_OF_SCOPE, advice.CALLS_REASON, calls)
    share = _shown_value(c, "extra_share_4", i, 4)
    values = advice.scope_values(share, inputs.extra_cost, actual, thresholds)
    return Suggestion(
        advice.OUT_OF_SCOPE, advice.SCOPE_REASON, values | calls, advice.CALLS_NOTE if calls else ""
    )


def _elapsed(c: dict[str, np.ndarray], i: int) -> Decimal:
    """Row i's elapsed fraction, days done / term days, as a Decimal (28 significant digits)."""
    return Decimal(int(c["days_done"][i])) / Decimal(int(c["term_days"][i]))


def _figure(numerator: np.ndarray, denominator: np.ndarray, defined: np.ndarray, k: int) -> Decimal | None:
    """Row k of a ratio (_per) as a Decimal (28 significant digits), None where undefined."""
    return Decimal(int(numerator[k])) / Decimal(int(denominator[k])) if defined[k] else None


def _whys(c, i: int, inputs: ContractInputs, budget, actual, forecast) -> tuple[Suggestion, ...]:
    """Row i's reasons for attention (advice.WHY) with the figures they quote, most telling first."""
    found = []
    if c["no_activity"][i]:
        found.append((advice.NO_ACTIVITY, {"elapsed": _elapsed(c, i)}))
    if c["why_labour"][i]:
        found.append((advice.LABOUR_OVER, {"actual": inputs.actual_labour, "budget": inputs.budget_labour}))
    if c["why_material"][i]:
        found.append(
            (advice.MATERIAL_OVER, {"actual": inputs.actual_material, "budget": inputs.budget_material})
        )
    if c["why_forecast"][i]:
        over = (forecast - budget) / budget if budget else None
        found.append((advice.FORECAST_OVER, {"forecast": forecast, "over": over, "budget": budget}))
    if c["why_ahead"][i]:
        found.append((advice.AHEAD, {"actual": actual, "planned": inputs.planned_to_date}))
    if c["why_visits"][i]:
        found.append(
            (advice.VISITS_BEHIND, {"done": inputs.visits_done, "expected": int(c["expected_visits"][i])})
        )
    return tuple(Suggestion(key, advice.WHY[key], values) for key, values in found)


def _suggestion(
    c, i: int, inputs: ContractInputs, budget, actual, forecast, thresholds: Thresholds
) -> Suggestion:
    """The engine's action for row i with the figures its reason quotes (advice.REASONS)."""
    action = advice.ACTIONS[c["action"][i]]
    indexed = _shown_value(c, "indexed_cents", i, 2)
    cost = _shown_value(c, "cost_cents", i, 2)
    values: dict[str, object] = {}
    note = ""
    if c["margin_high"][i] and action != advice.TERMINATED and forecast is not None:
        value = inputs.contract_value
        values |= {"margin": (value - forecast) / value, "target": thresholds.target_margin}
        note = advice.MARGIN_HIGH
    reason = advice.REASONS[action]
    if action == advice.TERMINATED:
        values |= {"terminated_on": inputs.terminated_on}
    elif action == advice.REPRICE and indexed is None:
        over = (forecast - budget) / budget if budget else None
        values |= {"forecast": forecast, "over": over, "budget": budget}
        reason = advice.REPRICE_NO_VALUE
    elif action in (advice.TERMINATE, advice.REPRICE):
        values |= {"price": cost, "indexed": indexed, "off": cost / indexed - 1}
        if action == advice.TERMINATE:
            values["largest"] = thresholds.largest_raise
    elif action == advice.REVIEW_SCOPE and c["visits_scope"][i]:
        values |= {"done": inputs.visits_done, "expected": int(c["expected_visits"][i])}
    elif action == advice.REVIEW_SCOPE:  # out of scope: billed on top or corrective work (_scope)
        scope = _scope_reason(c, i, inputs, actual, thresholds)
        assert scope is not None
        values |= scope.values
        reason = scope.reason
        note = note or scope.note
    elif action == advice.SET_BUDGET:
        values |= {"actual": actual}
    elif indexed is not None:
        values |= {"indexed": indexed}
    elif cost is not None:
        values |= {"price": cost}
        reason = advice.RENEW_NO_VALUE
    else:
        reason = advice.RENEW_NOTHING
    return Suggestion(action, reason, values, note)


ADVICE_COLUMNS = ("contract_value", "suggested_action", "suggested_price", "price_change", "indexation_pct")


def advice_row(frame: PortfolioFrame, i: int) -> dict[str, object]:
    """Row i's renewal advice as printed (ADVICE_COLUMNS): the contract value and the suggested
    price in cents, the price change to 4 places, the indexation applied in percent."""
    c = frame.columns
    value = Decimal(int(c["contract_value"][i])) * UNIT if c["has_contract_value"][i] else None
    percent = Decimal(int(c["indexation_n"][i])).scaleb(-6)
    return {
        "contract_value": None if value is None else value.quantize(_CENT, ROUND_HALF_UP),
        "suggested_action": advice.ACTIONS[c["action"][i]],
        "suggested_price": _shown_value(c, "price_cents", i, 2),
        "price_change": _shown_value(c, "change_4", i, 4),
        "indexation_pct": percent.quantize(_CENT)
        if percent == percent.quantize(_CENT)
        else percent.normalize(),
    }


def suggested_actions(frame: PortfolioFrame) -> np.ndarray:
    """The suggested action of every row, as an index into advice.ACTIONS."""
    return frame["action"]


def action_counts(frame: PortfolioFrame) -> dict[str, int]:
    """How many rows get each suggested action (advice.ACTIONS order, every action listed)."""
    counts = np.bincount(frame["action"], minlength=len(advice.ACTIONS))
    return {a: int(n) for a, n in zip(advice.ACTIONS, counts, strict=True)}


def headline(frame: PortfolioFrame) -> Headline:
    """Totals over these contracts: exact sums of integer millionths; the forecast total sums
    each contract's forecast in millionths of a millionth (an error below 1e-12 EUR each)."""
    c = frame.columns
    has_value = c["has_contract_value"]
    counts = np.bincount(c["status"], minlength=len(STATUSES))
    rows = c["method"] != METHODS.index("none")
    forecast = exact.total(
        [(c["forecast_base"][rows], c["forecast_num"][rows])], (c["forecast_den"][rows],), int(rows.sum()), 6
    )
    # margin to date per contract, summed the same way
    margin = exact.total(*margin_to_date(c, has_value), int(has_value.sum()), 6)
    return Headline(
        contracts=len(frame),
        budget_total=_millionths(c["budget_total"][c["has_budget"]]),
        actual_total=_millionths(c["actual_total"]),
        forecast_total=Decimal(forecast).scaleb(-12),
        margin=Decimal(margin).scaleb(-12),
        with_value=int(has_value.sum()),
        statuses={s: int(n) for s, n in zip(STATUSES, counts, strict=True)},
        extra_cost=_millionths(c["extra_cost"]),
        extra_revenue=_millionths(c["extra_revenue"]),
        out_of_scope=int(c["out_of_scope"].sum()),
    )


def _millionths(values: np.ndarray) -> Decimal:
    return Decimal(int(np.asarray(values).sum())) * UNIT if len(values) else ZERO


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
    if filters.running_only:
        keep &= running_mask(frame)
    return frame if keep.all() else frame.take(keep)


def running_mask(frame: PortfolioFrame) -> np.ndarray:
    """Rows whose term holds as_of: started on or before it and ending on or after it."""
    day = np.datetime64(frame.as_of, "D")
    return (frame["start_date"] <= day) & (day <= frame["end_date"])


def renewed_mask(frame: PortfolioFrame) -> np.ndarray:
    """Rows that another contract names as its previous_contract: renewed, never open."""
    return np.not_equal(frame["renewed_by"], None)


def ended_open(frame: PortfolioFrame, decided: Sequence[str]) -> np.ndarray:
    """Rows that ended before as_of and are still unresolved: not terminated, not renewed by a
    successor, and over budget or awaiting renewal (no renewal decision recorded, and not
    renewing by itself)."""
    day = np.datetime64(frame.as_of, "D")
    ended = (frame["end_date"] < day) & np.isnat(frame["terminated_on"]) & ~renewed_mask(frame)
    awaiting = awaiting_mask(frame, decided)
    return ended & ((frame["status"] == STATUSES.index(OVER_BUDGET)) | awaiting)


def awaiting_mask(frame: PortfolioFrame, decided: Sequence[str]) -> np.ndarray:
    """Rows that ended before as_of without a renewal decision (decided: the contract numbers
    that have one) and do not renew by themselves (auto_renew false), not terminated and not
    renewed by a successor."""
    day = np.datetime64(frame.as_of, "D")
    undecided = ~np.isin(frame["contract_number"], np.array(list(decided), dtype=object))
    open_ = np.isnat(frame["terminated_on"]) & ~frame["auto_renew"] & ~renewed_mask(frame)
    return (frame["end_date"] < day) & open_ & undecided


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
    "forecast_margin": "forecast_margin",
    "end": "end_date",
    "notice": "notice_deadline",
    "deadline": "next_deadline",
    "extra": "extra_cost",
}


def order(frame: PortfolioFrame, by: str = "pressure", descending: bool = False) -> np.ndarray:
    """Row positions in the order a table shows them; ties by contract number, missing values last.

    "pressure": the most pressing first: status (over budget first), then
    the highest burn index, then contract number. Any SORT_KEYS name sorts by
    that column; "deadline" is portfolio.renewals' order (the next_deadline column,
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
    """Approaching renewal (docs/metrics.md) per row: end date or notice deadline within the window, not
    terminated and not renewed by a successor."""
    day = np.datetime64(frame.as_of, "D")
    horizon = day + np.timedelta64(window_days, "D")
    end, deadline = frame["end_date"], frame["notice_deadline"]
    return (
        np.isnat(frame["terminated_on"])
        & ~renewed_mask(frame)
        & (((day <= end) & (end <= horizon)) | ((day <= deadline) & (deadline <= horizon)))
    )


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
