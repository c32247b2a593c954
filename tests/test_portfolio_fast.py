"""The fast portfolio path against the straightforward one: the same figures, to the last digit.

portfolio.portfolio reads integer millionths (portfolio._raw_inputs, planned to
date by portfolio._budgets_raw) and combines them with metrics.figures_all.
The straightforward path, kept for these tests, is metrics.figures over
portfolio._reference_inputs (Fixed per value, planned by portfolio._budgets).
Equal means == on every field and also the same repr, so a Decimal's exponent
(0 against 0E-6, 5 against 5.000000) may not differ either.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from budgetcore.exchange import demo
from budgetcore.figures import metrics, portfolio
from budgetcore.figures.metrics import ContractInputs, Thresholds
from budgetcore.figures.portfolio import Filters
from budgetcore.store.database import transaction

D = Decimal
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


def _same(fast: list, reference: list, what: object) -> None:
    assert fast == reference, what
    # == ignores a Decimal's exponent; the repr shows it
    assert [repr(x) for x in fast] == [repr(x) for x in reference], what


def test_fast_portfolio_equals_the_straightforward_path(engine: Engine) -> None:
    assert demo.load(engine, contracts=300, today=DEMO_TODAY).ok
    with transaction(engine) as session:
        # both roads to the actuals are taken (months before as_of, totals minus after)
        assert {portfolio._counts_after(session, as_of) for as_of in AS_OF_DATES} == {True, False}
        methods, statuses = set(), set()
        for as_of in AS_OF_DATES:
            reference_inputs = portfolio._reference_inputs(session, as_of)
            _same(portfolio.contract_inputs(session, as_of), reference_inputs, as_of)
            reference = [metrics.figures(i, as_of, Thresholds()) for i in reference_inputs]
            fast = portfolio.portfolio(session, as_of)
            _same(fast, reference, as_of)
            _same(fast, portfolio._reference_portfolio(session, as_of), as_of)
            methods |= {f.forecast.method for f in fast}
            statuses |= {f.status for f in fast}
        # the comparison reached every branch of the arithmetic
        assert methods == set(metrics.FORECAST_METHODS), methods
        assert statuses == set(metrics.STATUSES)

        # thresholds, filters and renewals go through the same path
        thresholds = Thresholds(
            at_risk_margin=D("0.05"), watch_level=D("0.5"), watch_elapsed=D("0.9"), renewal_window_days=200
        )
        some = portfolio.portfolio(session, DEMO_TODAY)
        customers = tuple(sorted({f.inputs.customer for f in some})[:5])
        for filters in (
            Filters(statuses=("at risk", "watch")),
            Filters(types=("preventive",), statuses=("over budget",)),
            Filters(customers=customers),
            Filters(contract_numbers=(some[7].contract_number,)),
            Filters(renewal_within_days=60),
        ):
            for as_of in (d(2024, 2, 29), DEMO_TODAY):
                _same(
                    portfolio.portfolio(session, as_of, thresholds, filters),
                    portfolio._reference_portfolio(session, as_of, thresholds, filters),
                    (as_of, filters),
                )
        for as_of in (d(2025, 12, 31), DEMO_TODAY):
            reference = sorted(
                portfolio._reference_portfolio(
                    session, as_of, thresholds, Filters(renewal_within_days=thresholds.renewal_window_days)
                ),
                key=lambda f: (
                    metrics.next_deadline(f.inputs.end_date, f.notice_deadline, as_of),
                    f.contract_number,
                ),
            )
            _same(portfolio.renewals(session, as_of, thresholds), reference, as_of)


BASE = ContractInputs(
    contract_number="K-1",
    customer="Acme",
    name=None,
    type="preventive",
    account_manager=None,
    start_date=d(2026, 1, 1),
    end_date=d(2026, 12, 31),
    notice_period_days=90,
    auto_renew=True,
    contract_value=D("8000.000000"),
    planned_visits=None,
    terminated_on=None,
    actual_labour=D("300.000000"),
    actual_material=D("198.185000"),
    actual_hours=D("6.000000"),
    visits_done=2,
    budget_lines=2,
    budget_labour=D("3650.000000"),
    budget_material=D("1825.000000"),
    budget_other=metrics.ZERO,
    budget_hours=D("70.000000"),
    planned_to_date=D("2490.000000"),
)

EDGES = [
    {},
    dict(
        budget_lines=0, budget_labour=metrics.ZERO, budget_material=metrics.ZERO, planned_to_date=metrics.ZERO
    ),
    dict(budget_labour=D("0E-6"), budget_material=metrics.ZERO, planned_to_date=metrics.ZERO),  # budget 0
    dict(actual_labour=metrics.ZERO, actual_material=metrics.ZERO, planned_to_date=metrics.ZERO),
    dict(planned_visits=4),
    dict(planned_visits=2),  # every visit done: no visits forecast
    dict(planned_visits=4, visits_done=0),
    dict(contract_value=None),
    dict(contract_value=D("0E-6")),
    dict(terminated_on=d(2026, 5, 1)),
    dict(notice_period_days=0),
    dict(budget_other=D("25.000000")),
    dict(actual_labour=D("6000.000000"), actual_material=metrics.ZERO),
    dict(actual_labour=D("4500.000000"), actual_material=metrics.ZERO, planned_to_date=D("4500.000000")),
    dict(start_date=d(2026, 5, 4), end_date=d(2026, 5, 4)),  # a one-day term
    dict(start_date=d(2028, 1, 1), end_date=d(2028, 12, 31)),  # a leap year
]
EDGE_DATES = [
    d(2025, 12, 31), d(2026, 1, 1), d(2026, 5, 3), d(2026, 5, 4), d(2026, 6, 15), d(2026, 9, 1),
    d(2026, 10, 2), d(2026, 12, 31), d(2027, 1, 1), d(2028, 2, 29), d(2029, 1, 1),
]  # fmt: skip
EDGE_THRESHOLDS = [
    Thresholds(),
    Thresholds(at_risk_margin=D("0"), watch_level=D("0.1"), watch_elapsed=D("1"), renewal_window_days=0),
    Thresholds(at_risk_margin=D("0.5"), renewal_window_days=365),
]


@pytest.mark.parametrize("thresholds", EDGE_THRESHOLDS)
def test_figures_all_equals_figures_on_the_edges(thresholds: Thresholds) -> None:
    inputs = [dataclasses.replace(BASE, **changes) for changes in EDGES]
    # the same term and end date more than once: what figures_all caches per term is reused
    inputs += inputs
    for as_of in EDGE_DATES:
        _same(
            metrics.figures_all(inputs, as_of, thresholds),
            [metrics.figures(i, as_of, thresholds) for i in inputs],
            as_of,
        )
