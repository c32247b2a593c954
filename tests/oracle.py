"""The rule book, one contract at a time, in exact fractions: the reference the engine is tested against.

A readable scalar statement of docs/metrics.md. It is not production code:
budgetcore.figures.frame computes every figure column-wise, and
tests/test_engine.py holds it to this module on the demo portfolio at many
as-of dates and thresholds and on constructed ties. Money is a Fraction of
euros, fractions are Fractions; round_money and round_fraction round half
away from zero, as a Decimal's ROUND_HALF_UP does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from budgetcore.figures import advice
from budgetcore.figures.advice import ReviewRules
from budgetcore.figures.metrics import (
    AT_RISK,
    NO_BUDGET,
    ON_TRACK,
    OVER_BUDGET,
    WATCH,
    ContractInputs,
    Thresholds,
)

TERMINATED, TERMINATE, REPRICE, REVIEW_SCOPE, SET_BUDGET, RENEW = (
    "terminated", "terminate?", "re-price", "review scope", "set a budget", "renew as is",
)  # fmt: skip


def _exact(value):
    """A Decimal (or int) as the Fraction it is; None stays None."""
    return value if value is None or type(value) is Fraction else Fraction(value)


def term_days(start: dt.date, end: dt.date) -> int:
    """Days in a term, both ends included (a one-day term has 1)."""
    return (end - start).days + 1


def window_end(end: dt.date, as_of: dt.date) -> dt.date:
    """Last day whose cost lines count: min(as_of, end_date)."""
    return min(as_of, end)


def days_done(start: dt.date, end: dt.date, as_of: dt.date) -> int:
    """Days of [start, end] that fall on or before as_of (0 .. term_days)."""
    return max(0, min((as_of - start).days + 1, term_days(start, end)))


def elapsed_fraction(start: dt.date, end: dt.date, as_of: dt.date) -> Fraction:
    """clamp((as_of - start + 1) / term days, 0, 1)."""
    return Fraction(days_done(start, end, as_of), term_days(start, end))


def planned_to_date(lines: list[tuple[Decimal, dt.date, dt.date]], as_of: dt.date) -> Decimal:
    """Sum over budget lines (amount, period_start, period_end) of amount x days of the period
    on or before as_of / days of the period, each line truncated toward zero to millionths."""
    total = 0
    for amount, start, end in lines:
        product = int(amount.scaleb(6)) * days_done(start, end, as_of)
        share = abs(product) // term_days(start, end)
        total += share if product >= 0 else -share
    return Decimal(total).scaleb(-6)


def ratio(numerator: Fraction, denominator: Fraction | None) -> Fraction | None:
    if denominator is None or denominator == 0:
        return None
    return numerator / denominator


def notice_deadline(end: dt.date, notice_period_days: int) -> dt.date:
    return end - dt.timedelta(days=notice_period_days)


def approaches_renewal(
    end: dt.date,
    deadline: dt.date,
    terminated_on: dt.date | None,
    as_of: dt.date,
    window_days: int,
    renewed_by: str | None = None,
) -> bool:
    """End date or notice deadline in [as_of, as_of + window], not terminated and not renewed."""
    if terminated_on is not None or renewed_by is not None:
        return False
    horizon = as_of + dt.timedelta(days=window_days)
    return as_of <= end <= horizon or as_of <= deadline <= horizon


def next_deadline(end: dt.date, deadline: dt.date, as_of: dt.date) -> dt.date:
    """The notice deadline until it passes, then the end date."""
    return deadline if deadline >= as_of else end


def forecast(
    *,
    actual_total: Fraction,
    budget_total: Fraction | None,
    burn: Fraction | None,
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    planned_visits: int | None,
    visits_done: int,
    planned: Fraction | None = None,
    choose: str = "chain",
) -> tuple[Fraction | None, str]:
    """(forecast at end of term, method): the first method that applies; while the term runs,
    the method `choose` names instead where it applies (planned: planned to date, for
    "remaining budget")."""
    actual_total, budget_total, burn = _exact(actual_total), _exact(budget_total), _exact(burn)
    if as_of >= end:
        return actual_total, "actual"
    if as_of < start:
        return budget_total, "not started" if budget_total is not None else "none"
    if choose == "visits" and planned_visits and 0 < visits_done < planned_visits:
        return actual_total * planned_visits / visits_done, "visits"
    if choose == "burn" and budget_total is not None and burn is not None:
        return budget_total * burn, "burn"
    if choose == "run rate" and elapsed_fraction(start, end, as_of) > 0:
        return actual_total / elapsed_fraction(start, end, as_of), "run rate"
    if choose == "remaining budget" and budget_total is not None:
        return actual_total + budget_total - _exact(planned), "remaining budget"
    if planned_visits and 0 < visits_done < planned_visits:
        return actual_total + (planned_visits - visits_done) * (actual_total / visits_done), "visits"
    if budget_total is not None and burn is not None:
        return budget_total * burn, "burn"
    elapsed = elapsed_fraction(start, end, as_of)
    if elapsed > 0:
        return actual_total / elapsed, "run rate"
    return None, "none"


def status(
    *,
    budget_total: Fraction | None,
    actual_total: Fraction,
    forecast_total: Fraction | None,
    consumed: Fraction | None,
    elapsed: Fraction,
    thresholds: Thresholds,
) -> str:
    """The first status whose rule holds."""
    budget_total, actual_total = _exact(budget_total), _exact(actual_total)
    forecast_total, consumed, elapsed = _exact(forecast_total), _exact(consumed), _exact(elapsed)
    if budget_total is None:
        return NO_BUDGET
    if actual_total > budget_total:
        return OVER_BUDGET
    if forecast_total is not None and forecast_total > budget_total * (
        1 + Fraction(thresholds.at_risk_margin)
    ):
        return AT_RISK
    if forecast_total is not None and forecast_total > budget_total:
        return WATCH
    if (
        consumed is not None
        and consumed >= Fraction(thresholds.watch_level)
        and elapsed < Fraction(thresholds.watch_elapsed)
    ):
        return WATCH
    return ON_TRACK


def round_half_up(value: Fraction, places: int) -> Decimal:
    """value to places decimals, half away from zero (as Decimal's ROUND_HALF_UP): in integers,
    |value| x 10^places = whole + rest / denominator, rounded up when rest / denominator >= 1/2."""
    numerator, denominator = value.as_integer_ratio()  # denominator > 0
    whole, rest = divmod(abs(numerator) * 10**places, denominator)
    if 2 * rest >= denominator:
        whole += 1
    result = Decimal(whole).scaleb(-places)
    return result.copy_negate() if numerator < 0 else result


def round_money(value: Fraction | None) -> Decimal | None:
    return None if value is None else round_half_up(value, 2)


def round_fraction(value: Fraction | None) -> Decimal | None:
    return None if value is None else round_half_up(value, 4)


@dataclass(frozen=True)
class Figures:
    """One contract's figures by the rule book, exact."""

    budget_total: Fraction | None
    actual_total: Fraction
    elapsed: Fraction
    consumed: Fraction | None
    burn_index: Fraction | None
    forecast: Fraction | None
    method: str
    margin: Fraction | None
    forecast_margin: Fraction | None
    notice_deadline: dt.date
    next_deadline: dt.date
    days_to_end: int
    days_to_notice: int
    status: str
    approaching_renewal: bool
    action: str
    expected_visits: int | None
    suggested_value: Decimal | None
    price_change: Decimal | None
    price_note: str
    indexed_value: Decimal | None = None
    cost_price: Decimal | None = None
    margin_high: bool = False
    no_activity: bool = False
    why: tuple[str, ...] = ()  # advice.WHY keys, most telling first
    basis: str = ""  # why the forecast's method: "" (the chain), "auto" or "setting"
    extra_share: Fraction | None = None  # cost billed on top / all cost (Scope)
    out_of_scope: bool = False


def extra_share(actual_covered: Fraction, extra_cost: Fraction) -> Fraction | None:
    """Scope: cost billed on top / (covered cost + cost billed on top); None without cost."""
    return ratio(extra_cost, actual_covered + extra_cost)


def billed_past_scope(share: Fraction | None, extra_cost: Fraction, thresholds: Thresholds) -> bool:
    """Scope: the share billed on top above the rule's share, with at least its minimum cost."""
    return (
        share is not None
        and share > Fraction(thresholds.scope_share)
        and extra_cost >= thresholds.scope_minimum
    )


def type_rates(inputs: list[ContractInputs], as_of: dt.date) -> dict[str | None, tuple[int, int]]:
    """Scope: per contract type, the portfolio's corrective work orders so far and days done."""
    found: dict[str | None, tuple[int, int]] = {}
    for i in inputs:
        calls, days = found.get(i.type, (0, 0))
        found[i.type] = (calls + i.calls_done, days + days_done(i.start_date, i.end_date, as_of))
    return found


def expected_calls(i: ContractInputs, as_of: dt.date, rate: tuple[int, int]) -> Fraction | None:
    """Scope: the corrective work orders its type leads one to expect to date: the type's per
    day done x this contract's days done; None when the type has no day done."""
    calls, days = rate
    return Fraction(calls * days_done(i.start_date, i.end_date, as_of), days) if days else None


def calls_past_scope(i: ContractInputs, expected: Fraction | None, thresholds: Thresholds) -> bool:
    """Scope: corrective work orders at least factor x those expected and at least extra more."""
    return (
        expected is not None
        and i.calls_done >= Fraction(thresholds.calls_factor) * expected
        and i.calls_done - expected >= thresholds.calls_extra
    )


def figures(
    i: ContractInputs,
    as_of: dt.date,
    thresholds: Thresholds,
    rules: ReviewRules = ReviewRules(),
    choose: str | None = None,
    rate: tuple[int, int] | None = None,
) -> Figures:
    """Every figure of one contract at as_of. choose: the forecast method picked for it (auto's
    pick, else the setting's; "chain" for none). rate: its type's corrective work orders and
    days done in the portfolio (type_rates); None: the contract alone."""
    choose = choose or thresholds.forecast_method
    f = Fraction
    budget = f(i.budget_labour) + f(i.budget_material) + f(i.budget_other) if i.budget_lines else None
    actual = f(i.actual_labour) + f(i.actual_material)
    elapsed = elapsed_fraction(i.start_date, i.end_date, as_of)
    consumed = ratio(actual, budget)
    burn = ratio(actual, f(i.planned_to_date)) if budget is not None else None
    total, method = forecast(
        actual_total=actual,
        budget_total=budget,
        burn=burn,
        start=i.start_date,
        end=i.end_date,
        as_of=as_of,
        planned_visits=i.planned_visits,
        visits_done=i.visits_done,
        planned=f(i.planned_to_date),
        choose=choose,
    )
    chosen = method == choose and i.start_date <= as_of < i.end_date
    basis = ("auto" if thresholds.forecast_method == "auto" else "setting") if chosen else ""
    value = None if i.contract_value is None else f(i.contract_value)
    deadline = notice_deadline(i.end_date, i.notice_period_days)
    index = indexation(i, thresholds)
    price, change, note, indexed, cost = renewal_price(total, value, f(thresholds.target_margin), index)
    if rate is None:
        rate = (i.calls_done, days_done(i.start_date, i.end_date, as_of))
    scoped = billed_past_scope(extra_share(actual, f(i.extra_cost)), f(i.extra_cost), thresholds) or (
        calls_past_scope(i, expected_calls(i, as_of, rate), thresholds)
    )
    action, expected = suggest(
        i, budget, actual, total, elapsed, value, rules, indexed, cost, f(thresholds.largest_raise), scoped
    )
    state = status(
        budget_total=budget,
        actual_total=actual,
        forecast_total=total,
        consumed=consumed,
        elapsed=elapsed,
        thresholds=thresholds,
    )
    no_activity = (
        actual == 0
        and i.actual_hours == 0
        and i.visits_done == 0
        and elapsed > Fraction(thresholds.no_activity_elapsed)
        and i.terminated_on is None
    )
    return Figures(
        budget_total=budget,
        actual_total=actual,
        elapsed=elapsed,
        consumed=consumed,
        burn_index=burn,
        forecast=total,
        method=method,
        basis=basis,
        margin=None if value is None else value * elapsed - actual,
        forecast_margin=None if value is None or total is None else value - total,
        notice_deadline=deadline,
        next_deadline=next_deadline(i.end_date, deadline, as_of),
        days_to_end=(i.end_date - as_of).days,
        days_to_notice=(deadline - as_of).days,
        status=state,
        approaching_renewal=approaches_renewal(
            i.end_date, deadline, i.terminated_on, as_of, thresholds.renewal_window_days, i.renewed_by
        ),
        action=action,
        expected_visits=expected,
        suggested_value=price,
        price_change=change,
        price_note=note,
        indexed_value=indexed,
        cost_price=cost,
        margin_high=margin_high(indexed, cost, rules),
        no_activity=no_activity,
        why=why(i, state, budget, actual, total, burn, elapsed, no_activity, rules),
        extra_share=extra_share(actual, f(i.extra_cost)),
        out_of_scope=scoped,
    )


def why(
    i: ContractInputs,
    state: str,
    budget: Fraction | None,
    actual: Fraction,
    total: Fraction | None,
    burn: Fraction | None,
    elapsed: Fraction,
    no_activity: bool,
    rules: ReviewRules,
) -> tuple[str, ...]:
    """Why the contract needs attention (advice.WHY keys), most telling first."""
    found = [advice.NO_ACTIVITY] if no_activity else []
    pressed = state in (OVER_BUDGET, AT_RISK, WATCH) and budget is not None
    labour = pressed and i.actual_labour > i.budget_labour
    material = pressed and i.actual_material > i.budget_material
    found += [advice.LABOUR_OVER] * labour + [advice.MATERIAL_OVER] * material
    if pressed and not (labour or material) and total is not None and total > budget:
        found.append(advice.FORECAST_OVER)
    if pressed and burn is not None and burn > 1:
        found.append(advice.AHEAD)
    if i.planned_visits:
        expected = i.planned_visits * elapsed
        if (
            i.visits_done * Fraction(rules.visits_factor) <= expected
            and expected - i.visits_done >= rules.visits_extra
        ):
            found.append(advice.VISITS_BEHIND)
    return tuple(found)


def indexation(i: ContractInputs, thresholds: Thresholds) -> Fraction:
    """The yearly indexation (fraction): the contract's indexation_pct / 100, else the setting."""
    if i.indexation_pct is not None:
        return Fraction(i.indexation_pct) / 100
    return Fraction(thresholds.yearly_indexation)


def suggest(
    i: ContractInputs,
    budget: Fraction | None,
    actual: Fraction,
    total: Fraction | None,
    elapsed: Fraction,
    value: Fraction | None,
    rules: ReviewRules,
    indexed: Decimal | None,
    cost: Decimal | None,
    largest_raise: Fraction = Fraction(3, 10),
    scoped: bool = False,
) -> tuple[str, int | None]:
    """(suggested renewal action, visits planned to date where the scope rule quotes them);
    indexed and cost: the indexed value and the cost-based price as shown (cents).

    The first that holds: terminated; terminate? (cost / indexed - 1 > largest raise);
    re-price (cost / indexed - 1 > tolerance: a raise; or, without a value, forecast over
    budget); review scope (visits far above plan, or out of scope: much of the cost billed on
    top); set a budget; renew."""
    if i.terminated_on is not None:
        return TERMINATED, None
    judged = indexed is not None and cost is not None and indexed > 0
    if judged and Fraction(cost) / Fraction(indexed) - 1 > largest_raise:
        return TERMINATE, None
    if judged and rules.price_tolerance is not None:
        if Fraction(cost) / Fraction(indexed) - 1 > Fraction(rules.price_tolerance):
            return REPRICE, None
    if value is None and budget is not None and total is not None and total > budget:
        return REPRICE, None
    if i.planned_visits:
        expected = i.planned_visits * elapsed
        if (
            i.visits_done >= expected * Fraction(rules.visits_factor)
            and i.visits_done - expected >= rules.visits_extra
        ):
            return REVIEW_SCOPE, round(expected)  # half to even, as Decimal.to_integral_value()
    if scoped:
        return REVIEW_SCOPE, None
    if budget is None:
        return SET_BUDGET, None
    return RENEW, None


def margin_high(indexed: Decimal | None, cost: Decimal | None, rules: ReviewRules) -> bool:
    """A margin far above target: the cost-based price more than the tolerance below the indexed value."""
    if indexed is None or cost is None or indexed <= 0 or rules.price_tolerance is None:
        return False
    return 1 - Fraction(cost) / Fraction(indexed) > Fraction(rules.price_tolerance)


def renewal_price(
    total: Fraction | None, value: Fraction | None, target_margin: Fraction, index: Fraction = Fraction(0)
) -> tuple[Decimal | None, Decimal | None, str, Decimal | None, Decimal | None]:
    """(suggested price, its change on the current value to 4 places, why there is no cost-based
    price, indexed value, cost-based price), money in cents, for a next term as long as this one:
    indexed value = value x (1 + index); cost-based price = forecast x (1 + index) / (1 - margin);
    suggested = the larger (either alone when the other is undefined)."""
    indexed = None if value is None else round_money(value * (1 + index))
    note = ""
    if total is None:
        cost, note = None, "no forecast of the cost yet"
    elif total <= 0:
        cost, note = None, "no cost so far to price from"
    else:
        cost = round_money(total * (1 + index) / (1 - target_margin))
    prices = [p for p in (indexed, cost) if p is not None]
    price = max(prices) if prices else None
    change = (
        None if price is None or value is None or value <= 0 else round_fraction(Fraction(price) / value - 1)
    )
    return price, change, note, indexed, cost


def summary_row(
    i: ContractInputs,
    as_of: dt.date,
    thresholds: Thresholds,
    choose: str | None = None,
    r: Figures | None = None,
) -> dict[str, object]:
    """The row the command line prints, by the rule book (r: figures(i, as_of, thresholds,
    choose=choose) when the caller has them already)."""
    r = r or figures(i, as_of, thresholds, choose=choose)
    return {
        "contract_number": i.contract_number,
        "customer": i.customer,
        "status": r.status,
        "budget_total": round_money(r.budget_total),
        "actual_labour": round_money(Fraction(i.actual_labour)),
        "actual_material": round_money(Fraction(i.actual_material)),
        "actual_total": round_money(r.actual_total),
        "consumed_pct": round_fraction(r.consumed),
        "elapsed_pct": round_fraction(r.elapsed),
        "burn_index": round_fraction(r.burn_index),
        "forecast_total": round_money(r.forecast),
        "forecast_method": f"{r.method} ({r.basis})" if r.basis else r.method,
        "margin": round_money(r.margin),
        "forecast_margin": round_money(r.forecast_margin),
        "end_date": i.end_date,
        "notice_deadline": r.notice_deadline,
        "days_to_end": r.days_to_end,
        "extra_cost": round_money(Fraction(i.extra_cost)),
        "extra_revenue": round_money(Fraction(i.extra_revenue)),
        "extra_share": round_fraction(r.extra_share),
    }


def by_pressure(figures: list) -> list:
    """Contracts (ContractFigures) most pressing first: by status (over budget, at risk, watch,
    on track, no budget), then the highest burn index, then contract number."""
    rank = {status: n for n, status in enumerate((OVER_BUDGET, AT_RISK, WATCH, ON_TRACK, NO_BUDGET))}
    return sorted(figures, key=lambda f: (rank[f.status], -(f.burn_index or 0), f.contract_number))


ATTENTION = (
    "notice deadline undecided",
    "ended not renewed",
    "over budget",
    "at risk",
    "renewal window undecided",
    "out of scope",
)


def attention_reasons(f, decided: set[str], review_days: int, window_days: int) -> list[str]:
    """The reasons (ATTENTION, most urgent first) that one contract (ContractFigures) needs
    attention at its as_of, in docs/metrics.md's words: 1. notice deadline within the review
    days, not terminated, not renewed, no decision; 2. ended, not terminated, not auto-renewing,
    not renewed, no decision; 3. running and over budget; 4. running and at risk; 5. end or notice
    deadline in the renewal window (not terminated, not renewed) and no decision; 6. running and
    out of scope (much of its cost billed on top)."""
    i, as_of = f.inputs, f.as_of
    deadline = notice_deadline(i.end_date, i.notice_period_days)
    open_ = i.terminated_on is None and i.renewed_by is None
    undecided = i.contract_number not in decided
    running = i.start_date <= as_of <= i.end_date
    holds = (
        open_ and undecided and 0 <= (deadline - as_of).days <= review_days,
        open_ and undecided and not i.auto_renew and i.end_date < as_of,
        running and f.status == OVER_BUDGET,
        running and f.status == AT_RISK,
        undecided
        and approaches_renewal(i.end_date, deadline, i.terminated_on, as_of, window_days, i.renewed_by),
        running and f.out_of_scope,
    )
    return [reason for reason, held in zip(ATTENTION, holds, strict=True) if held]


def attention_order(figures: list, decided: set[str], review_days: int, window_days: int) -> list[tuple]:
    """(contract number, reason, due date, other reasons) of every contract that needs attention:
    by its most urgent reason, then the due date (the next deadline), then the contract number."""
    found = []
    for f in figures:
        reasons = attention_reasons(f, decided, review_days, window_days)
        if reasons:
            i = f.inputs
            due = next_deadline(i.end_date, notice_deadline(i.end_date, i.notice_period_days), f.as_of)
            found.append((ATTENTION.index(reasons[0]), due, i.contract_number, reasons[1:]))
    return [(n, ATTENTION[r], due, others) for r, due, n, others in sorted(found)]
