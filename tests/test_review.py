"""The renewal review rule: each action, its edges and its reason, table-driven."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import oracle
import pytest

from budgetcore.figures import advice, frame, metrics
from budgetcore.figures.metrics import ContractInputs, Thresholds

D = Decimal
START, END = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
HALF = dt.date(2026, 7, 2)  # day 183 of 365: elapsed 0.5014


def figures(
    rules: advice.ReviewRules = advice.ReviewRules(), as_of: dt.date = HALF, **changes: object
) -> metrics.ContractFigures:
    """A one-year contract budgeted at 10,000 (linear), worth 12,000, 12 visits planned; changes override."""
    base: dict[str, object] = {
        "contract_number": "C-1",
        "customer": "Klant",
        "name": None,
        "type": "preventive",
        "account_manager": None,
        "start_date": START,
        "end_date": END,
        "notice_period_days": 30,
        "auto_renew": True,
        "contract_value": D(12000),
        "planned_visits": 12,
        "terminated_on": None,
        "actual_labour": D(3000),
        "actual_material": D(1000),
        "actual_hours": D(50),
        "visits_done": 6,
        "budget_lines": 2,
        "budget_labour": D(7000),
        "budget_material": D(3000),
        "budget_other": D(0),
        "budget_hours": D(120),
        "planned_to_date": None,
    }
    base.update(changes)
    if base["planned_to_date"] is None:
        total = base["budget_labour"] + base["budget_material"] + base["budget_other"]  # type: ignore[operator]
        base["planned_to_date"] = oracle.planned_to_date([(total, START, END)], as_of)
    return frame.from_inputs([ContractInputs(**base)], as_of, Thresholds(), rules).figures()[0]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "action"),
    [
        # healthy: 4,000 spent at half term of 10,000, 6 of 12 visits: forecast 8,000, priced 9,411.76
        ({}, advice.RENEW),
        # terminated beats everything else
        ({"terminated_on": dt.date(2026, 6, 1), "actual_labour": D(20000)}, advice.TERMINATED),
        # forecast 14,000 prices at 16,470.59: a raise of 37 % on 12,000, beyond the largest (30 %)
        ({"actual_labour": D(6000)}, advice.TERMINATE),
        # forecast 12,000 prices at 14,117.65: a raise of 17.6 %, beyond the tolerance (10 %)
        ({"actual_labour": D(5000)}, advice.REPRICE),
        # forecast 11,200 prices at 13,176.47: 9.8 % above the value, within the tolerance
        ({"actual_labour": D(4600)}, advice.RENEW),
        # forecast 11,000 over the budget 10,000 is no reason to re-price a contract worth 12,000
        ({"actual_labour": D(4500)}, advice.RENEW),
        # no contract value: a forecast over the budget asks for a new price
        ({"actual_labour": D(9000), "contract_value": None}, advice.REPRICE),
        ({"contract_value": None}, advice.RENEW),
        # visits: 10 done where 6 were due -> review scope (cost per visit keeps the forecast in budget)
        ({"visits_done": 10, "actual_labour": D(5000), "actual_material": D(1000)}, advice.REVIEW_SCOPE),
        # 8 done where 6 were due: 1.33x, below the 1.5x factor
        ({"visits_done": 8, "actual_labour": D(4300), "actual_material": D(1000)}, advice.RENEW),
        # no budget lines, a price within reach: set a budget
        (
            {"budget_lines": 0, "budget_labour": D(0), "budget_material": D(0), "planned_to_date": D(0)},
            advice.SET_BUDGET,
        ),
        # no budget, but the run rate prices at more than twice the value
        (
            {
                "budget_lines": 0,
                "budget_labour": D(0),
                "budget_material": D(0),
                "planned_to_date": D(0),
                "actual_labour": D(11000),
            },
            advice.TERMINATE,
        ),
    ],
)
def test_suggested_action(changes: dict[str, object], action: str) -> None:
    assert advice.suggest(figures(**changes)).action == action


def test_visits_need_an_absolute_excess_too() -> None:
    # early in the term 2 visits done where 0.5 were due is 4x, but only 1.5 extra
    early = figures(
        advice.ReviewRules(price_tolerance=None),
        as_of=dt.date(2026, 1, 15),
        visits_done=2,
        actual_labour=D(300),
        actual_material=D(0),
    )
    assert advice.suggest(early).action == advice.RENEW
    early_scope = figures(
        advice.ReviewRules(visits_extra=1, price_tolerance=None),
        as_of=dt.date(2026, 1, 15),
        visits_done=2,
        actual_labour=D(300),
        actual_material=D(0),
    )
    assert advice.suggest(early_scope).action == advice.REVIEW_SCOPE


def test_largest_raise_is_a_setting() -> None:
    # forecast 14,000 prices at 16,470.59: a raise of 37.3 % on 12,000
    f = figures(actual_labour=D(6000))
    assert f.suggestion.action == advice.TERMINATE
    looser = frame.from_inputs(
        [f.inputs], HALF, Thresholds(largest_raise=D("0.40")), advice.ReviewRules()
    ).figures()[0]
    assert looser.suggestion.action == advice.REPRICE


def test_term_over_uses_the_final_actual() -> None:
    ended = figures(
        as_of=dt.date(2027, 1, 15), actual_labour=D(9000), actual_material=D(2500), visits_done=12
    )
    suggestion = advice.suggest(ended)
    assert suggestion.action == advice.REPRICE  # 11,500 / 0.85 = 13,529.41, 12.7 % above 12,000
    assert suggestion.values["price"] == D("13529.41")


@pytest.mark.parametrize(
    ("changes", "action", "reason"),
    [
        ({"actual_labour": D(6000)}, "terminate?",
         "raise needed 37.3% exceeds the largest raise 30%: cost-based price €16,471, indexed value €12,000"),
        ({"actual_labour": D(5000)}, "re-price",
         "raise: cost-based price €14,118 is 17.7% above the indexed value €12,000"),
        # the forecast margin (12,000 - 8,000) / 12,000 is far above target: said, not acted on
        ({}, "renew as is", "renew at the indexed value €12,000; forecast margin 33%, target 15%"),
        ({"indexation_pct": D("2.5")}, "renew as is",
         "renew at the indexed value €12,300; forecast margin 33%, target 15%"),
        ({"actual_labour": D(4600)}, "renew as is", "renew at the indexed value €12,000"),
        ({"contract_value": None}, "renew as is", "no contract value to index; cost-based price €9,412"),
        ({"actual_labour": D(9000), "contract_value": None}, "re-price",
         "no contract value; forecast €20,000 is 100.0% over the budget €10,000"),
        ({"terminated_on": dt.date(2026, 6, 1)}, "terminated", "terminated on 1 Jun 2026"),
    ],
)  # fmt: skip
def test_reason_text(changes: dict[str, object], action: str, reason: str) -> None:
    assert advice.suggest(figures(**changes)).text("en") == (action, reason)


def test_reason_in_dutch_formats_dates_the_dutch_way() -> None:
    _action, reason = advice.suggest(figures(terminated_on=dt.date(2026, 6, 1))).text("nl")
    assert "01-06-2026" in reason


def test_every_action_has_a_reason() -> None:
    assert set(advice.REASONS) == set(advice.ACTIONS)


def test_a_share_over_a_threshold_never_reads_as_the_threshold() -> None:
    # 10,001 on 10,000 (forecast 2 x 5,000.50 at half term) is 0.01 % over: "0.1%", not "0%"
    slightly = advice.suggest(figures(actual_labour=D("4000.50"), contract_value=None))
    assert slightly.text("en")[1] == "no contract value; forecast €10,001 is 0.1% over the budget €10,000"
    assert slightly.text("nl")[1] == (
        "geen contractwaarde; prognose €\xa010.001 ligt 0,1% boven het budget €\xa010.000"
    )


def test_the_demo_renewals_are_priced_as_a_manager_would(demo_database, tmp_path) -> None:
    """Issue 20: on the demo, 34 of 57 renewals said "re-price", mostly a cut of the price. Now no
    suggested price lies below the contract value (no indexation) nor below the indexed value (with
    one); every re-price and terminate? is a raise; most contracts on track renew."""
    from budgetcore.store.database import make_engine, transaction

    today = dt.date(2026, 11, 27)
    demo_database(today, tmp_path / "demo.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    with transaction(engine) as session:
        window = [f for f in frame.load(session, today).figures() if f.approaching_renewal]
    engine.dispose()
    priced = [f for f in window if f.price.change is not None]
    assert priced and all(f.price.suggested_value >= f.price.indexed_value for f in priced)
    raises = [f for f in priced if f.suggestion.action in (advice.REPRICE, advice.TERMINATE)]
    assert raises and all(f.price.change > 0 for f in raises)
    on_track = [f.suggestion.action for f in priced if f.status == metrics.ON_TRACK]
    assert on_track.count(advice.RENEW) * 2 > len(on_track)
