"""The engine (budgetcore.figures.frame) against the rule book (tests/oracle.py), contract by contract.

frame.derive computes every figure column-wise in exact integers; oracle.py
states the same rules one contract at a time in Fractions. These tests hold
the one to the other on the demo portfolio at many as-of dates and thresholds
(by snapshot and by SQL, on both engines), on constructed ties where float64
would be wrong, and on what the command line printed before the engine
(tests/fixtures/before).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy as np
import oracle
import pytest
from asof import AS_OF_DATES, DEMO_TODAY
from sqlalchemy import Engine

from budgetcore.figures import advice, frame, metrics, portfolio
from budgetcore.figures.metrics import ContractInputs, Filters, Thresholds
from budgetcore.store import columns, snapshot
from budgetcore.store.database import transaction

D = Decimal
d = dt.date
THRESHOLDS = (  # the forecast method: auto (the demo's picks), one method named, the chain
    Thresholds(),
    Thresholds(
        at_risk_margin=D("0.05"), watch_level=D("0.5"), watch_elapsed=D("0.9"), renewal_window_days=200,
        target_margin=D("0.25"), forecast_method="remaining budget",
    ),
    Thresholds(at_risk_margin=D("0"), watch_level=D("0"), watch_elapsed=D("1"), renewal_window_days=0,
               target_margin=D("0"), forecast_method="chain"),
)  # fmt: skip


def _choices(result: frame.PortfolioFrame) -> list[str | None]:
    """Per row, the method auto picked for it (the engine's pick, which tests/test_backtest.py
    checks); None (the thresholds' setting) when not under auto."""
    if result.thresholds.forecast_method != metrics.AUTO:
        return [None] * len(result)
    return [
        frame.METHODS[m] if chosen else metrics.CHAIN
        for m, chosen in zip(result["method"], result["method_chosen"], strict=True)
    ]


# the rule book's figures and printed row for one contract's inputs: a pure function of them (and of
# its type's corrective work in the portfolio), so the demo's run on the second engine (the same
# inputs when both engines read the same) reuses them
_RULE_BOOK: dict[tuple, tuple] = {}


def _rule_book(
    i: ContractInputs,
    as_of: dt.date,
    thresholds: Thresholds,
    rules: advice.ReviewRules,
    pick: str | None,
    rate: tuple[int, int],
) -> tuple:
    key = (i, as_of, thresholds, rules, pick, rate)
    if key not in _RULE_BOOK:
        e = oracle.figures(i, as_of, thresholds, rules, pick, rate)
        _RULE_BOOK[key] = (e, oracle.summary_row(i, as_of, thresholds, pick, e))
    return _RULE_BOOK[key]


def _check(
    result: frame.PortfolioFrame,
    rules: advice.ReviewRules = advice.ReviewRules(),
    portfolio: frame.PortfolioFrame | None = None,
    shown: list | None = None,
) -> list:
    """Every figure of every row agrees with the rule book; returns the oracle's figures.
    portfolio: the whole portfolio result was selected from (the scope rule compares a contract's
    corrective work with its type's across the portfolio); None: result is the whole portfolio.
    shown: result.figures(), when the caller has them already."""
    inputs = result.inputs()
    picks = _choices(result)
    rates = oracle.type_rates((portfolio or result).inputs(), result.as_of)
    book = [
        _rule_book(i, result.as_of, result.thresholds, rules, p, rates[i.type])
        for i, p in zip(inputs, picks, strict=True)
    ]
    expected = [e for e, _ in book]
    shown = result.figures() if shown is None else shown
    assert list(result.status_names()) == [e.status for e in expected]
    assert [frame.METHODS[m] for m in result["method"]] == [e.method for e in expected]
    assert list(result["approaching_renewal"]) == [e.approaching_renewal for e in expected]
    assert list(result["days_to_end"]) == [e.days_to_end for e in expected]
    assert list(result["days_to_notice"]) == [e.days_to_notice for e in expected]
    assert [x.astype(dt.date) for x in result["notice_deadline"]] == [e.notice_deadline for e in expected]
    assert [x.astype(dt.date) for x in result["next_deadline"]] == [e.next_deadline for e in expected]
    assert [advice.ACTIONS[a] for a in result["action"]] == [e.action for e in expected]
    # as printed: every money figure to the cent, every fraction to 4 places
    assert [f.summary for f in shown] == [row for _, row in book]
    for f, e in zip(shown, expected, strict=True):
        assert f.status == e.status and f.forecast.method == e.method
        assert (tuple(w.action for w in f.why), f.no_activity) == (e.why, e.no_activity), f.contract_number
        assert f.suggestion.action == e.action
        if e.expected_visits is not None:
            assert f.suggestion.values["expected"] == e.expected_visits
        assert (f.price.suggested_value, f.price.change, f.price.note) == (
            e.suggested_value, e.price_change, e.price_note,
        )  # fmt: skip
        assert (f.price.indexed_value, f.price.cost_price, f.suggestion.note != "") == (
            e.indexed_value, e.cost_price, e.margin_high and e.action != "terminated",
        )  # fmt: skip
        # the row's quotients: exact to 28 significant digits
        for got, want in (
            (f.forecast.total, e.forecast),
            (f.consumed, e.consumed),
            (f.burn_index, e.burn_index),
        ):
            assert (got is None) == (want is None)
            if want is not None:
                assert abs(Fraction(got) - want) <= abs(want) * Fraction(1, 10**26) + Fraction(1, 10**20)
        assert f.elapsed == D(e.elapsed.numerator) / D(e.elapsed.denominator)
        assert (f.out_of_scope, f.extra_share is None) == (e.out_of_scope, e.extra_share is None)
        if e.extra_share is not None:
            assert abs(Fraction(f.extra_share) - e.extra_share) <= Fraction(1, 10**26)
    for name, attr in (
        ("consumed", "consumed"),
        ("burn_index", "burn_index"),
        ("elapsed", "elapsed"),
        ("forecast", "forecast"),
    ):
        scale = 10**6 if name == "forecast" else 1
        want = [np.nan if getattr(e, attr) is None else float(getattr(e, attr) * scale) for e in expected]
        np.testing.assert_allclose(result[name], want, rtol=1e-12, equal_nan=True, err_msg=name)
    head = frame.headline(result)
    assert oracle.round_money(Fraction(head.forecast_total)) == oracle.round_money(
        sum((e.forecast for e in expected if e.forecast is not None), Fraction(0))
    )
    assert head.actual_total == sum((e.actual_total for e in expected), Fraction(0))
    assert head.statuses == {s: sum(e.status == s for e in expected) for s in metrics.STATUSES}
    return expected


def _summaries(result: frame.PortfolioFrame) -> list[dict[str, object]]:
    """The summary of every row, as result.figures() holds them (ContractFigures.summary)."""
    return frame.summary_rows(result, np.arange(len(result)))


def test_the_engine_is_the_rule_book_on_the_demo_portfolio(
    demo_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = demo_engine(contracts=300, today=DEMO_TODAY)  # read only
    with transaction(engine) as session:
        assert snapshot.load(session, columns.CONTRACTS) is not None  # the import saved one
        seen: set[str] = set()
        methods: set[str] = set()
        for as_of in AS_OF_DATES:
            for thresholds in THRESHOLDS:
                result = frame.load(session, as_of, thresholds)
                shown = result.figures()  # once: _check and the comparison with SQL below read them
                expected = _check(result, shown=shown)
                seen |= {e.status for e in expected}
                methods |= {e.method for e in expected}
                with monkeypatch.context() as patched:  # a database without snapshots: all by SQL
                    patched.setattr(snapshot, "load", lambda session, name: None)
                    by_sql = frame.load(session, as_of, thresholds)
                assert _summaries(by_sql) == [f.summary for f in shown]
                one = result["contract_number"][len(result) // 2]
                alone = frame.load(session, as_of, thresholds, Filters(contract_numbers=(one,)))
                assert alone.figures()[0].summary == result.figures([len(result) // 2])[0].summary
        assert seen == set(metrics.STATUSES)
        assert methods == set(metrics.FORECAST_METHODS)
        everything = frame.load(session, DEMO_TODAY)
        some = everything.inputs()
        for filters in (
            Filters(statuses=("at risk", "watch")),
            Filters(types=("preventive",), statuses=("over budget",)),
            Filters(customers=(some[3].customer,)),
            Filters(contract_numbers=(some[7].contract_number,)),
            Filters(renewal_within_days=60),
            Filters(renewal_within_days=60, statuses=("on track",)),
        ):
            chosen = frame.select(everything, filters)
            assert len(chosen), filters
            shown = chosen.figures()
            _check(chosen, portfolio=everything, shown=shown)
            assert _summaries(frame.load(session, DEMO_TODAY, filters=filters)) == [f.summary for f in shown]
        assert len(frame.select(everything, Filters(customers=("nobody",)))) == 0


def test_an_empty_portfolio_has_an_empty_frame(engine: Engine) -> None:
    with transaction(engine) as session:
        result = frame.load(session, DEMO_TODAY)
    assert len(result) == 0
    assert result.figures() == []
    head = frame.headline(result)
    assert (head.contracts, head.budget_total, head.forecast_total) == (0, 0, 0)


def _inputs(**changes: object) -> ContractInputs:
    base = dict(
        contract_number="C1", customer="K", name=None, type="preventive", account_manager=None,
        start_date=d(2026, 1, 1), end_date=d(2026, 12, 31), notice_period_days=30, auto_renew=True,
        contract_value=D("10000.000000"), planned_visits=None, terminated_on=None,
        actual_labour=D("0"), actual_material=D("0"), actual_hours=D("0"), visits_done=0,
        budget_lines=1, budget_labour=D("1000.000000"), budget_material=D("0"), budget_other=D("0"),
        budget_hours=D("0"), planned_to_date=D("500.000000"),
    )  # fmt: skip
    base.update(changes)
    return ContractInputs(**base)  # type: ignore[arg-type]


AS_OF = d(2026, 7, 2)  # day 183 of 365


@pytest.mark.parametrize(
    ("case", "inputs", "thresholds", "status"),
    [
        # forecast (burn: budget x actual / planned) exactly on the at-risk line: not above it
        ("forecast on the at-risk line", _inputs(actual_labour=D("550")), Thresholds(), "watch"),
        ("a millionth above it", _inputs(actual_labour=D("550.000001")), Thresholds(), "at risk"),
        # forecast exactly the budget: not above it, consumed 0.5 below the watch level
        ("forecast equals budget", _inputs(actual_labour=D("500")), Thresholds(), "on track"),
        ("a millionth above budget", _inputs(actual_labour=D("500.000001")), Thresholds(), "watch"),
        # consumed exactly the watch level (>= holds) with elapsed below the watch share
        (
            "consumed on the watch level",
            _inputs(actual_labour=D("800"), planned_to_date=D("900")),
            Thresholds(),
            "watch",
        ),
        (
            "a millionth below it",
            _inputs(actual_labour=D("799.999999"), planned_to_date=D("900")),
            Thresholds(),
            "on track",
        ),
        # elapsed exactly the watch share (183/365 is no decimal; a 400-day term gives 0.4575)
        (
            "elapsed on the watch share",
            _inputs(
                actual_labour=D("800"), planned_to_date=D("900"), end_date=d(2027, 2, 4)
            ),  # 183 of 400 days
            Thresholds(watch_elapsed=D("0.4575")),
            "on track",
        ),
        # a margin of 0: at risk and watch lines coincide; 1/3 in a forecast
        (
            "no margin, forecast a third above",
            _inputs(actual_labour=D("4"), planned_to_date=D("3")),
            Thresholds(at_risk_margin=D("0")),
            "at risk",
        ),
        (
            "not started, forecast is the budget",
            _inputs(start_date=d(2026, 8, 1)),
            Thresholds(at_risk_margin=D("0")),
            "on track",
        ),
        ("over budget is exact", _inputs(actual_labour=D("1000.000001")), Thresholds(), "over budget"),
        ("no budget", _inputs(budget_lines=0, budget_labour=D("0")), Thresholds(), "no budget"),
        # ties that float64 alone gets wrong (found by search): it says "at risk"
        (
            "burn forecast on the line, float64 above it",
            _inputs(actual_labour=D("1331.72016"), budget_labour=D("4972.342"), planned_to_date=D("979.206")),
            Thresholds(at_risk_margin=D("0.36")),
            "watch",
        ),
        (
            "visits forecast on the line, float64 above it",
            _inputs(
                actual_labour=D("3928.212405"), budget_labour=D("6714.893"), visits_done=7, planned_visits=14
            ),
            Thresholds(at_risk_margin=D("0.17")),
            "watch",
        ),
        # visits: 900 + 2 x 900/3 = 1500 against 1000 x 1.5 = 1500.000...
        (
            "visits forecast on the line",
            _inputs(actual_labour=D("900"), visits_done=3, planned_visits=5),
            Thresholds(at_risk_margin=D("0.5")),
            "watch",
        ),
    ],
)
def test_statuses_on_the_edges_are_the_rule_book(
    case: str, inputs: ContractInputs, thresholds: Thresholds, status: str
) -> None:
    expected = oracle.figures(inputs, AS_OF, thresholds)
    assert expected.status == status, case
    result = frame.from_inputs([inputs], AS_OF, thresholds)
    assert list(result.status_names()) == [status], case
    _check(result)


def test_ties_among_many_rows_are_decided_exactly() -> None:
    """Thousands of contracts, a third of them exactly on a threshold: every status is metrics'."""
    rng = np.random.default_rng(5)
    inputs = []
    for n in range(3000):
        budget = D(int(rng.integers(1, 10**6))) / 100
        planned = D(int(rng.integers(1, 10**6))) / 100
        kind = n % 3
        if kind == 0:  # burn forecast exactly on the at-risk line: actual = planned x 1.36
            actual = planned * D("1.36")
        elif kind == 1:  # consumed exactly 0.8
            actual = budget * D("0.8")
        else:
            actual = D(int(rng.integers(0, 10**6))) / 100
        inputs.append(
            _inputs(
                contract_number=f"C{n:05}",
                actual_labour=actual.quantize(D("0.000001")),
                budget_labour=budget,
                planned_to_date=planned,
            )
        )
    thresholds = Thresholds(at_risk_margin=D("0.36"))
    result = frame.from_inputs(inputs, AS_OF, thresholds)
    expected = _check(result)
    assert len({e.status for e in expected}) >= 4


SORT_VALUES = {  # SORT_KEYS name -> the exact figure it orders by
    "contract": lambda f: f.contract_number,
    "customer": lambda f: f.inputs.customer,
    "status": lambda f: metrics.STATUSES.index(f.status),
    "budget": lambda f: f.budget_total,
    "actual": lambda f: f.actual_total,
    "labour": lambda f: f.inputs.actual_labour,
    "material": lambda f: f.inputs.actual_material,
    "consumed": lambda f: f.consumed,
    "elapsed": lambda f: f.elapsed,
    "burn": lambda f: f.burn_index,
    "forecast": lambda f: f.forecast.total,
    "margin": lambda f: f.margin,
    "forecast_margin": lambda f: f.forecast_margin,
    "end": lambda f: f.inputs.end_date,
    "notice": lambda f: f.notice_deadline,
    "deadline": lambda f: f.next_deadline,
    "extra": lambda f: f.inputs.extra_cost,
}


def test_order_sorts_by_the_exact_figures(demo_engine) -> None:
    engine = demo_engine(contracts=120, today=DEMO_TODAY)  # read only
    with transaction(engine) as session:
        figures = portfolio.portfolio(session, DEMO_TODAY)
        result = frame.load(session, DEMO_TODAY)
    numbers = result["contract_number"]
    # the most pressing first: by status (over budget first), the highest burn index, contract number
    by_pressure = sorted(
        figures, key=lambda f: (metrics.STATUSES.index(f.status), -(f.burn_index or 0), f.contract_number)
    )
    assert [numbers[i] for i in frame.order(result)] == [f.contract_number for f in by_pressure]
    assert set(SORT_VALUES) == set(frame.SORT_KEYS)
    for by, value in SORT_VALUES.items():
        for descending in (False, True):
            # Python's sort is stable, also reversed: ties stay in contract number order
            by_number = sorted(figures, key=lambda f: f.contract_number)
            present = sorted((f for f in by_number if value(f) is not None), key=value, reverse=descending)
            expected = [f.contract_number for f in present + [f for f in by_number if value(f) is None]]
            assert [numbers[i] for i in frame.order(result, by, descending)] == expected, (by, descending)
    least_pressing = sorted(
        figures, key=lambda f: (-metrics.STATUSES.index(f.status), f.burn_index or 0, f.contract_number)
    )
    reverse = frame.order(result, "pressure", descending=True)
    assert [numbers[i] for i in reverse] == [f.contract_number for f in least_pressing]
    assert len(frame.order(frame.select(result, Filters(customers=("nobody",))))) == 0


def test_the_pressure_grid_counts_every_budgeted_contract_in_its_cell(demo_engine) -> None:
    engine = demo_engine(contracts=120, today=DEMO_TODAY)  # read only
    with transaction(engine) as session:
        figures = portfolio.portfolio(session, DEMO_TODAY)
        result = frame.load(session, DEMO_TODAY)
    grid = frame.pressure_grid(result, step=0.25, top=1.0)
    assert list(grid.x) == [0, 0.25, 0.5, 0.75, 1.0] and list(grid.y) == list(grid.x)
    budgeted = [f for f in figures if f.consumed is not None and f.budget_total]
    assert int(frame.budgeted(result).sum()) == len(budgeted) == grid.contracts
    expected = np.zeros((4, 4), dtype=int)
    for f in budgeted:  # cells include their lower edge; the last also its upper; above the top: top row
        column = min(int(f.elapsed * 4), 3)
        row = min(int(max(f.consumed, D(0)) * 4), 3)
        expected[row][column] += 1
    assert (grid.counts == expected).all()
    assert expected[3].sum() > 0 and expected[0].sum() > 0


@pytest.mark.parametrize(
    ("amount", "first", "last", "day", "expected"),
    [
        (1000, 0, 9, -1, 0),  # not started
        (1000, 0, 9, 0, 100),  # day 1 of 10
        (1000, 0, 9, 4, 500),
        (1000, 0, 9, 9, 1000),  # its last day: the whole amount
        (1000, 0, 2, 0, 333),  # truncated
        (-1000, 0, 2, 0, -333),  # truncated toward zero, as SQL divides
        (10**15, 0, 36_599, 18_000, 10**15 * 18_001 // 36_600),  # past int64 if multiplied: Python ints
        (1000, 5, 4, 4, 0),  # a period of no days adds nothing
    ],
)
def test_planned_to_date_in_numpy_is_the_sql_rule(
    amount: int, first: int, last: int, day: int, expected: int
) -> None:
    periods = {
        "period_row": np.array([0]),
        "period_amount": np.array([amount], dtype=np.int64),
        "period_first": np.array([first], dtype=np.int64),
        "period_last": np.array([last], dtype=np.int64),
    }
    as_of = dt.date(1970, 1, 1) + dt.timedelta(days=day)
    assert frame.planned_to_date(periods, 1, as_of).tolist() == [expected]


def test_the_renewals_list_is_soonest_deadline_first(demo_engine) -> None:
    """portfolio.renewals: the contracts whose end date or notice deadline falls in the window,
    by next deadline (the notice deadline until it passes, then the end), then contract number,
    at many as-of dates and windows, as the rule book orders them."""
    engine = demo_engine(contracts=300, today=DEMO_TODAY)  # read only
    seen = 0
    with transaction(engine) as session:
        for as_of in AS_OF_DATES:
            inputs = frame.load(session, as_of).inputs()
            deadlines = [oracle.notice_deadline(i.end_date, i.notice_period_days) for i in inputs]
            for within in (0, 30, 90, 365):
                expected = sorted(
                    (oracle.next_deadline(i.end_date, d, as_of), i.contract_number)
                    for i, d in zip(inputs, deadlines, strict=True)
                    if oracle.approaches_renewal(i.end_date, d, i.terminated_on, as_of, within, i.renewed_by)
                )
                got = portfolio.renewals(session, as_of, within_days=within)
                assert [f.contract_number for f in got] == [n for _, n in expected], (as_of, within)
                seen += len(expected)
    assert seen > 300


NO_PRICE = advice.ReviewRules(price_tolerance=None)  # the other rules alone
T = Thresholds()
RULES = advice.ReviewRules()
# At AS_OF a burn forecast is budget (1000) x actual / planned to date (500) = 2 x actual; at the
# target margin of 15 % a forecast of 850 prices at 850 / 0.85 = 1,000.00 exactly.
COST_1000 = D("425")  # actual labour for a cost-based price of 1,000.00


@pytest.mark.parametrize(
    ("case", "inputs", "thresholds", "rules", "action"),
    [
        ("nothing spent", _inputs(), T, NO_PRICE, advice.RENEW),
        ("cost-based price equals the value", _inputs(actual_labour=COST_1000, contract_value=D(1000)), T, RULES,
         advice.RENEW),
        # re-price: the cost-based price more than the tolerance above the indexed value
        ("raise exactly the tolerance", _inputs(actual_labour=COST_1000, contract_value=D(800)), T,
         advice.ReviewRules(price_tolerance=D("0.25")), advice.RENEW),  # 1,000 = 800 x 1.25
        ("a cent more", _inputs(actual_labour=COST_1000, contract_value=D("799.99")), T,
         advice.ReviewRules(price_tolerance=D("0.25")), advice.REPRICE),
        ("the tolerance off", _inputs(actual_labour=COST_1000, contract_value=D("799.99")), T, NO_PRICE,
         advice.RENEW),
        # terminate?: the raise needed beyond the largest raise
        ("raise exactly the largest", _inputs(actual_labour=COST_1000, contract_value=D(800)),
         Thresholds(largest_raise=D("0.25")), RULES, advice.REPRICE),
        ("a cent beyond the largest", _inputs(actual_labour=COST_1000, contract_value=D("799.99")),
         Thresholds(largest_raise=D("0.25")), RULES, advice.TERMINATE),
        ("largest raise 0: any raise", _inputs(actual_labour=COST_1000, contract_value=D("999.99")),
         Thresholds(largest_raise=D(0)), NO_PRICE, advice.TERMINATE),
        ("a loss within the largest raise is a re-price", _inputs(actual_labour=COST_1000, contract_value=D(850)),
         T, RULES, advice.REPRICE),  # forecast 850 = the value; the price needs +17.6 %
        # a margin far above target is no action: renew at the indexed value
        ("cost-based price half the value", _inputs(actual_labour=D("212.5"), contract_value=D(1000)), T, RULES,
         advice.RENEW),
        # indexation: the contract's own, else the setting
        ("indexed 3 %, cost indexed alike", _inputs(actual_labour=COST_1000, contract_value=D(1000),
         indexation_pct=D(3)), T, RULES, advice.RENEW),  # 1,030.00 both
        ("the setting's 3 %", _inputs(actual_labour=COST_1000, contract_value=D(1000)),
         Thresholds(yearly_indexation=D("0.03")), RULES, advice.RENEW),
        ("the contract's 0 % over the setting", _inputs(actual_labour=COST_1000, contract_value=D(800),
         indexation_pct=D(0)), Thresholds(yearly_indexation=D("0.5")), advice.ReviewRules(price_tolerance=D("0.25")),
         advice.RENEW),
        ("indexation scales both prices: the raise stays", _inputs(actual_labour=COST_1000,
             contract_value=D("799.99"), indexation_pct=D(5)), T, advice.ReviewRules(price_tolerance=D("0.25")),
             advice.REPRICE),
        ("negative indexation", _inputs(actual_labour=COST_1000, contract_value=D(1000), indexation_pct=D(-2)), T,
         RULES, advice.RENEW),
        # without a contract value: the forecast against the budget
        ("no value, forecast on the budget", _inputs(actual_labour=D(500), contract_value=None), T, RULES,
         advice.RENEW),
        ("no value, a millionth over", _inputs(actual_labour=D("500.000001"), contract_value=None), T, RULES,
         advice.REPRICE),
        ("value 0: nothing to index", _inputs(actual_labour=COST_1000, contract_value=D(0)), T, RULES,
         advice.RENEW),
        # not started without a budget: no forecast, no cost-based price
        ("no forecast", _inputs(start_date=d(2026, 8, 1), budget_lines=0, actual_labour=D(10), contract_value=D(5)),
         T, RULES, advice.SET_BUDGET),
        ("no budget", _inputs(budget_lines=0, budget_labour=D(0)), T, NO_PRICE, advice.SET_BUDGET),
        ("terminated", _inputs(terminated_on=d(2026, 3, 1), actual_labour=COST_1000, contract_value=D(1)), T, RULES,
         advice.TERMINATED),
        # 730 planned visits, 183/365 of the term: 366 planned to date, x 1.5 = 549
        ("visits on the scope line", _inputs(planned_visits=730, visits_done=549), T, NO_PRICE, advice.REVIEW_SCOPE),
        ("a visit below it", _inputs(planned_visits=730, visits_done=548), T, NO_PRICE, advice.RENEW),
        # 2 planned visits: 1.0027 to date; 3 done is 1.5 x but not 2 more
        ("scope, too few extra visits", _inputs(planned_visits=2, visits_done=3), T, NO_PRICE, advice.RENEW),
        ("extra visits exactly the minimum", _inputs(planned_visits=730, visits_done=549), T,
         advice.ReviewRules(visits_factor=D(1), visits_extra=183, price_tolerance=None), advice.REVIEW_SCOPE),
        ("a raise before the scope", _inputs(planned_visits=730, visits_done=549, actual_labour=COST_1000,
         contract_value=D(560)), T, RULES, advice.REPRICE),  # visits: 425 x 730 / 549, priced 664.85
    ],
)  # fmt: skip
def test_suggested_actions_on_the_edges_are_the_rule_book(
    case: str, inputs: ContractInputs, thresholds: Thresholds, rules: advice.ReviewRules, action: str
) -> None:
    expected = oracle.figures(inputs, AS_OF, thresholds, rules)
    assert expected.action == action, case
    result = frame.from_inputs([inputs], AS_OF, thresholds, rules)
    assert [advice.ACTIONS[a] for a in frame.suggested_actions(result)] == [action], case
    _check(result, rules)
    counts = frame.action_counts(result)
    assert list(counts) == list(advice.ACTIONS) and counts[action] == 1 and sum(counts.values()) == 1
    # the suggested price is never below the indexed value
    f = result.figures()[0]
    if f.price.indexed_value is not None:
        assert f.price.suggested_value >= f.price.indexed_value, case


@pytest.mark.parametrize(
    ("case", "inputs", "thresholds", "indexed", "cost", "suggested", "high"),
    [
        ("equal", _inputs(actual_labour=COST_1000, contract_value=D(1000)), T, "1000.00", "1000.00", "1000.00",
         False),
        ("cost above", _inputs(actual_labour=COST_1000, contract_value=D(800)), T, "800.00", "1000.00", "1000.00",
         False),
        ("cost far below: the indexed value", _inputs(actual_labour=D("212.5"), contract_value=D(1000)), T,
         "1000.00", "500.00", "1000.00", True),
        ("cost the tolerance below: not far", _inputs(actual_labour=D("382.5"), contract_value=D(1000)), T,
         "1000.00", "900.00", "1000.00", False),
        ("a cent more below: far", _inputs(actual_labour=D("382.495750"), contract_value=D(1000)), T,
         "1000.00", "899.99", "1000.00", True),
        ("indexed 2.5 %", _inputs(actual_labour=D("212.5"), contract_value=D(1000), indexation_pct=D("2.5")), T,
         "1025.00", "512.50", "1025.00", True),
        ("the setting, half up", _inputs(actual_labour=COST_1000, contract_value=D("0.5")),
         Thresholds(yearly_indexation=D("0.01")), "0.51", "1010.00", "1010.00", False),
        ("no value", _inputs(actual_labour=COST_1000, contract_value=None), T, None, "1000.00", "1000.00", False),
        ("no forecast", _inputs(start_date=d(2026, 8, 1), budget_lines=0, contract_value=D(700)), T, "700.00",
         None, "700.00", False),
    ],
)  # fmt: skip
def test_renewal_prices_on_the_edges_are_the_rule_book(
    case: str, inputs: ContractInputs, thresholds: Thresholds, indexed, cost, suggested, high: bool
) -> None:
    """Indexed value, cost-based price and suggested price (the larger), each in cents, and the
    margin far above target (a note, not an action), as the rule book states them."""
    e = oracle.figures(inputs, AS_OF, thresholds, RULES)
    want = tuple(None if v is None else D(v) for v in (indexed, cost, suggested))
    assert (e.indexed_value, e.cost_price, e.suggested_value, e.margin_high) == (*want, high), case
    result = frame.from_inputs([inputs], AS_OF, thresholds, RULES)
    _check(result, RULES)
    f = result.figures()[0]
    assert (f.price.indexed_value, f.price.cost_price, f.price.suggested_value) == want, case
    assert (f.suggestion.note == advice.MARGIN_HIGH) == high, case


def test_suggested_actions_on_many_ties_are_exact() -> None:
    """Thousands of contracts whose cost-based price lies exactly on the tolerance or the largest
    raise above the indexed value, or a cent either side, with and without an indexation: the
    rule book's action."""
    rng = np.random.default_rng(7)
    inputs = []
    for n in range(3000):
        indexed = int(rng.integers(1, 10**6)) * 10  # cents, a multiple of 10
        line = (11, 13)[n % 2]  # the tolerance (+10 %) or the largest raise (+30 %)
        cost = indexed * line // 10 + int(rng.integers(-1, 2))  # cents
        index = D(int(rng.integers(-200, 1000))) / 100 if n % 3 == 0 else None
        inputs.append(
            _inputs(
                contract_number=f"C{n:05}",
                # cost-based price = 2 x actual / 0.85: actual = cost x 0.85 / 2 (cents to euros)
                actual_labour=D(cost) * D("0.00425"),
                contract_value=D(indexed) / 100,
                indexation_pct=index,
            )
        )
    result = frame.from_inputs(inputs, AS_OF, Thresholds(), RULES)
    expected = [e.action for e in _check(result, RULES)]
    assert {advice.RENEW, advice.REPRICE, advice.TERMINATE} <= set(expected)


def test_no_suggested_price_is_below_the_indexed_value_on_the_demo(demo_engine) -> None:
    """Issue 20: "re-price" meant a cut. On the demo at every as-of date and with an indexation
    setting: the suggested price is never below the indexed value; re-price and terminate? are
    raises (the cost-based price above the indexed value by more than the tolerance); a renew
    row's price is the indexed value unless the cost asks for up to the tolerance more."""
    engine = demo_engine(contracts=300, today=DEMO_TODAY)  # read only
    tolerance = advice.ReviewRules().price_tolerance
    assert tolerance is not None
    seen: set[str] = set()
    with transaction(engine) as session:
        for as_of in AS_OF_DATES:
            for thresholds in (Thresholds(), Thresholds(yearly_indexation=D("0.031"))):
                for f in frame.load(session, as_of, thresholds).figures():
                    p, s = f.price, f.suggestion
                    if p.indexed_value is None:
                        continue
                    assert p.suggested_value >= p.indexed_value, (as_of, f.contract_number)
                    if p.cost_price is None or s.action == advice.TERMINATED:
                        continue
                    raise_ = p.cost_price / p.indexed_value - 1 if p.indexed_value else None
                    if s.action in (advice.TERMINATE, advice.REPRICE):
                        assert raise_ is not None and raise_ > tolerance, (as_of, f.contract_number)
                    elif raise_ is not None:
                        assert raise_ <= tolerance, (as_of, f.contract_number, s.action)
                    seen.add(s.action)
    assert {advice.REPRICE, advice.TERMINATE, advice.RENEW} <= seen
