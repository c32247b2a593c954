"""The backtest's replay and `auto`'s pick: every forecast method at 25, 50 and 75 % of the completed contracts' terms.

A contract is completed at as_of when its term ended before as_of and it was not
terminated (a terminated contract's final cost is cut short); archived contracts
count, since completed terms are what gets archived. At checkpoint k (1, 2, 3:
25, 50, 75 %) the replay takes only the lines dated up to that day of the term
(store.aggregates.checkpoint_columns) and planned to date at that day, and asks
forecast.terms, the rule the figures use, for each method's forecast; the truth
is the contract's actual total at the end of its term.

Per method, contract type and checkpoint (accuracy()): the number of contracts
with a forecast and a final cost above 0; the median absolute percentage error
|forecast - final| / final; the bias, the median signed error (forecast - final)
/ final; and the share of the budgeted ones whose over-budget-or-not status was
right (predicted over: actual or forecast above the budget; truth: final above
the budget). Each error is rounded half away from zero to millionths first, so
medians and comparisons are of integers.

`auto` (calibrate()) picks per contract type and checkpoint the candidate that,
used as auto uses it (where it applies, the chain elsewhere), has the lowest median
absolute error on all the type's completed contracts, among the candidates that
gave a forecast for at least min_completed of them; ties go to the earlier
candidate in CANDIDATES. Below that sample the type keeps the chain. A running contract uses the pick of its type at the
checkpoint nearest to its elapsed fraction (ties to the earlier checkpoint).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy.orm import Session

from budgetcore.figures import exact
from budgetcore.figures.forecast import CHAIN_CHOICE, METHODS, planned_to_date, terms
from budgetcore.figures.metrics import AUTO, CHAIN, CHOOSABLE
from budgetcore.figures.term import days_done, term_days
from budgetcore.i18n import N_
from budgetcore.store import aggregates
from budgetcore.store import columns as stored

QUARTERS = aggregates.QUARTERS
CANDIDATES = (CHAIN, *CHOOSABLE)  # what auto chooses from, ties to the earlier
BASELINES = ("run rate", "burn")  # always in the table: actual / elapsed and budget x burn index
ALL_TYPES = ""  # the rows over every contract type
MILLION = 1_000_000

# why a type keeps or leaves the chain (English text keys for i18n.t)
LOWEST = N_("lowest median error on {count} completed contracts")
TOO_FEW = N_("fewer than {minimum} completed contracts ({count})")


@dataclass(frozen=True)
class Accuracy:
    """One row of the backtest: a method (a CANDIDATES name or AUTO) on one contract type
    (ALL_TYPES: every type) at one checkpoint (quarter 1..3 = 25, 50, 75 % of the term).

    count: contracts with a forecast by this method and a final cost above 0.
    median_ape, bias: median absolute and signed error as fractions of the final cost
    (0.125 = 12.5 %; bias above 0: forecasts too high); None without contracts.
    status_right: the share of the budgeted ones whose over-budget-or-not was right; None without.
    """

    method: str
    type: str
    quarter: int
    count: int
    median_ape: Decimal | None
    bias: Decimal | None
    status_right: Decimal | None

    @property
    def checkpoint(self) -> int:
        """The checkpoint as a percentage of the term: 25, 50 or 75."""
        return 25 * self.quarter


@dataclass(frozen=True)
class Pick:
    """What auto uses for one contract type at one checkpoint, and why (reason: a text key
    with {count} and {minimum})."""

    type: str
    quarter: int
    method: str  # a CANDIDATES name
    completed: int
    reason: str
    median_ape: Decimal | None


@dataclass(frozen=True, eq=False)
class Completed:
    """The completed contracts' columns (contract number order): number, type, dates, budget, planned visits, final actual total
    (millionths), every checkpoint's sums (aggregates.COLUMNS) and their budget lines."""

    columns: dict[str, np.ndarray]
    periods: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["type"])


def completed(session: Session, as_of: dt.date) -> Completed:
    """Every contract whose term ended before as_of and that was not terminated, archived or not."""
    c = stored.portfolio_columns(session)
    keep = (c["end_date"] < np.datetime64(as_of, "D")) & np.isnat(c["terminated_on"])
    points = aggregates.checkpoint_columns(session)
    where = stored.positions(c["contract_id"], points["contract_id"]) if len(points["contract_id"]) else []
    for name in aggregates.COLUMNS:
        c[name] = np.zeros(len(c["contract_id"]), dtype=np.int64)
        c[name][where] = points[name]
    rows = np.flatnonzero(keep)
    renumber = np.full(len(keep), -1, dtype=np.int64)
    renumber[rows] = np.arange(len(rows))
    line_rows = renumber[c["period_row"]]
    kept = line_rows >= 0
    periods = {name: c[name][kept] for name in stored.PERIOD_COLUMNS}
    periods["period_row"] = line_rows[kept]
    columns = {
        name: c[name][rows]
        for name in (
            "contract_number", "type", "start_date", "end_date", "planned_visits", "has_planned_visits", "labour", "material",
            "budget_lines", "budget_labour", "budget_material", "budget_other", *aggregates.COLUMNS,
        )
    }  # fmt: skip
    columns["type"] = np.array(["" if t is None else t for t in columns["type"]], dtype=object)
    return Completed(columns, periods)


@dataclass(frozen=True, eq=False)
class Replayed:
    """One method at one checkpoint: per completed contract, whether it counts for the method
    (used), the method that gave the forecast (a METHODS index), the forecast x * y / z
    (millionths) and the actual total at the checkpoint (millionths)."""

    used: np.ndarray
    method: np.ndarray
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    actual: np.ndarray


def replay(history: Completed, quarter: int, choice: np.ndarray | None, own: bool = True) -> Replayed:
    """forecast.terms at checkpoint `quarter` of every completed contract: with choice None the
    chain, else each row's chosen method where it applies. own: a method's own row, which
    counts only those rows; else (auto) the chain's forecast counts where the choice does
    not apply, as it would in the figures."""
    own_row, as_used = _checkpoint(history, quarter).replay(choice)
    return own_row if own else as_used


@dataclass(frozen=True, eq=False)
class _Checkpoint:
    """What forecast.terms reads at one checkpoint of every completed contract, whatever the
    choice: computed once per checkpoint, replayed per candidate."""

    arguments: tuple
    actual: np.ndarray

    def replay(self, choice: np.ndarray | None) -> tuple[Replayed, Replayed]:
        """(the choice's own row, the choice as auto uses it): see replay()."""
        method, x, y, z, chosen = terms(*self.arguments, choice)
        used = method != METHODS.index("none")
        as_used = Replayed(used, method, x, y, z, self.actual)
        if choice is None:
            return as_used, as_used
        # a method's own row counts only the contracts it applied to
        return Replayed(used & chosen, method, x, y, z, self.actual), as_used


def _checkpoint(history: Completed, quarter: int) -> _Checkpoint:
    c = history.columns
    start, end = c["start_date"], c["end_date"]
    term = term_days(start, end)
    done = aggregates.checkpoint_day(term, quarter)
    day = start + (done - 1).astype("timedelta64[D]")
    has_budget = c["budget_lines"] > 0
    budget = np.where(has_budget, c["budget_labour"] + c["budget_material"] + c["budget_other"], 0)
    p = history.periods
    line_day = day.astype(np.int64)[p["period_row"]]
    planned = planned_to_date(p, len(history), line_day)
    actual = c[f"labour_{quarter}"] + c[f"material_{quarter}"]
    arguments = (
        day, start, end, done, term, actual, budget, has_budget, np.where(has_budget, planned, 0),
        c[f"visits_{quarter}"], c["planned_visits"], c["has_planned_visits"],
    )  # fmt: skip
    return _Checkpoint(arguments, actual)


def _errors(r: Replayed, final: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(signed error in millionths of the final cost, rows where it is defined)."""
    n = len(final)
    defined = r.used & (final > 0)
    safe = np.where(defined, final, 1)
    value, _ = exact.quotient([(r.x, r.y, MILLION), (safe, r.z, -MILLION)], (r.z, safe), n)
    return value, defined


def _median(values: np.ndarray) -> Decimal | None:
    """The median of integers in millionths as a fraction (the mean of the middle two when even)."""
    if not len(values):
        return None
    ordered = np.sort(values)
    middle = int(ordered[(len(ordered) - 1) // 2]) + int(ordered[len(ordered) // 2])
    return Decimal(middle) / 2 / MILLION


@dataclass(frozen=True, eq=False)
class _Scored:
    """One replay's errors (millionths of the final cost, where defined) and, when asked for,
    whether each budgeted contract's over-budget-or-not was foreseen."""

    error: np.ndarray
    defined: np.ndarray
    right: np.ndarray | None = None
    judged: np.ndarray | None = None


def _score(r: Replayed, final, budget, has_budget, status: bool = True) -> _Scored:
    error, defined = _errors(r, final)
    if not status:
        return _Scored(error, defined)
    n = len(final)
    over_predicted = (r.actual > budget) | (exact.compare([(r.x, r.y)], [(budget, r.z)], n) > 0)
    judged = defined & has_budget
    return _Scored(error, defined, (over_predicted == (final > budget)) & judged, judged)


def _row(method: str, type_: str, quarter: int, scored: _Scored, rows: np.ndarray) -> Accuracy:
    chosen = scored.defined & rows
    right = judged = None
    if scored.right is not None and scored.judged is not None:
        judged = int((scored.judged & rows).sum())
        right = Decimal(int((scored.right & rows).sum())) / judged if judged else None
    return Accuracy(
        method=method,
        type=type_,
        quarter=quarter,
        count=int(chosen.sum()),
        median_ape=_median(np.abs(scored.error[chosen])),
        bias=None if scored.right is None else _median(scored.error[chosen]),
        status_right=right,
    )


@dataclass(frozen=True, eq=False)
class Calibration:
    """The backtest at as_of (rows: every candidate and AUTO, per type and ALL_TYPES, per
    checkpoint) and auto's pick per (type, quarter)."""

    as_of: dt.date
    min_completed: int
    completed: int
    rows: list[Accuracy]
    picks: dict[tuple[str, int], Pick]

    def method_for(self, type_: str, quarter: int) -> str:
        pick = self.picks.get((type_, quarter))
        return CHAIN if pick is None else pick.method

    def choices(self, columns: dict[str, np.ndarray], as_of: dt.date) -> np.ndarray:
        """Per row of these contract columns, auto's method at as_of: a METHODS index or
        CHAIN_CHOICE, by the row's type and the checkpoint nearest to its elapsed fraction."""
        n = len(columns["contract_number"])
        choice = np.full(n, CHAIN_CHOICE, dtype=np.int64)
        if not self.picks:
            return choice
        start, end = columns["start_date"], columns["end_date"]
        term = term_days(start, end)
        done = days_done(np.datetime64(as_of, "D"), start, term)
        quarter = nearest_quarter(done, term)
        types = np.array(["" if t is None else t for t in columns["type"]], dtype=object)
        for (type_, q), pick in self.picks.items():
            if pick.method != CHAIN:
                choice[(types == type_) & (quarter == q)] = METHODS.index(pick.method)
        return choice


def nearest_quarter(done: np.ndarray, term: np.ndarray) -> np.ndarray:
    """The checkpoint (1, 2, 3) nearest to elapsed = done / term; a tie goes to the earlier."""
    return np.where(8 * done <= 3 * term, 1, np.where(8 * done <= 5 * term, 2, 3))


def calibrate(session: Session, as_of: dt.date, min_completed: int = 30, table: bool = True) -> Calibration:
    """The backtest of every candidate on the contracts completed at as_of, and auto's picks
    (table=False: the picks alone, for the figures; rows stays empty)."""
    return calibrate_history(completed(session, as_of), as_of, min_completed, table)


def calibrate_history(
    history: Completed, as_of: dt.date, min_completed: int = 30, table: bool = True
) -> Calibration:
    """calibrate() on given completed contracts."""
    c = history.columns
    final = c["labour"] + c["material"]
    has_budget = c["budget_lines"] > 0
    budget = np.where(has_budget, c["budget_labour"] + c["budget_material"] + c["budget_other"], 0)
    types = sorted(set(c["type"].tolist()))
    masks = {t: c["type"] == t for t in types}
    everything = np.ones(len(history), dtype=bool)
    rows: list[Accuracy] = []
    picks: dict[tuple[str, int], Pick] = {}

    def scored(r: Replayed) -> _Scored:
        return _score(r, final, budget, has_budget, status=table)

    for quarter in QUARTERS:
        checkpoint = _checkpoint(history, quarter)
        by_type: dict[str, list[tuple[int, Accuracy]]] = {t: [] for t in types}
        for name in CANDIDATES:
            choice = None if name == CHAIN else np.full(len(history), METHODS.index(name), dtype=np.int64)
            replayed, as_used = checkpoint.replay(choice)
            own = scored(replayed) if table else _Scored(np.zeros(0), replayed.used & (final > 0))
            used = own if choice is None and table else scored(as_used)
            for t in types:
                by_type[t].append(
                    (int((own.defined & masks[t]).sum()), _row(name, t, quarter, used, masks[t]))
                )
                if table:
                    rows.append(_row(name, t, quarter, own, masks[t]))
            if table:
                rows.append(_row(name, ALL_TYPES, quarter, own, everything))
        for t in types:
            picks[(t, quarter)] = _pick(t, quarter, by_type[t], int(masks[t].sum()), min_completed)
        if not table:
            continue
        auto = np.full(len(history), CHAIN_CHOICE, dtype=np.int64)
        for t in types:
            chosen = picks[(t, quarter)].method
            if chosen != CHAIN:
                auto[masks[t]] = METHODS.index(chosen)
        replayed_auto = scored(checkpoint.replay(auto)[1])
        for t in (*types, ALL_TYPES):
            mask = everything if t == ALL_TYPES else masks[t]
            rows.append(_row(AUTO, t, quarter, replayed_auto, mask))
    return Calibration(as_of, min_completed, len(history), rows, picks)


def _pick(
    type_: str, quarter: int, candidates: list[tuple[int, Accuracy]], completed_: int, minimum: int
) -> Pick:
    """The candidate that, used as auto uses it (the chain where it does not apply), has the lowest
    median absolute error on all the type's contracts, among those that gave a forecast for at
    least `minimum` of them; the first in CANDIDATES order on a tie; the chain when the type has
    fewer completed contracts. candidates: (contracts the method itself forecast, its row as used)."""
    enough = [used for count, used in candidates if count >= minimum and used.median_ape is not None]
    if completed_ < minimum or not enough:
        return Pick(type_, quarter, CHAIN, completed_, TOO_FEW, None)
    best = min(enough, key=lambda a: (a.median_ape, CANDIDATES.index(a.method)))
    return Pick(type_, quarter, best.method, completed_, LOWEST, best.median_ape)
