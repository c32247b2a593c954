"""The renewal price suggestion: value = forecast cost / (1 - target margin)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from budgetcore.figures import metrics, pricing
from budgetcore.figures.metrics import ContractInputs, Thresholds

D = Decimal


@pytest.mark.parametrize(
    ("forecast", "margin", "expected"),
    [
        (D("8500"), D("0.15"), D("10000.00")),  # 15 % of 10,000 is margin, not 15 % on cost
        (D("1000"), D("0"), D("1000.00")),  # no margin: the cost itself
        (D("100"), D("0.5"), D("200.00")),
        (D("1000"), D("0.3"), D("1428.57")),  # rounded half up to cents
        (D("0.01"), D("0.99"), D("1.00")),
    ],
)
def test_suggested_value_is_cost_over_one_minus_margin(forecast, margin, expected) -> None:
    assert pricing.suggested_value(forecast, margin) == expected


@pytest.mark.parametrize("margin", [D("1"), D("1.5"), D("-0.01")])
def test_target_margin_must_be_a_share_below_one(margin) -> None:
    with pytest.raises(ValueError):
        pricing.suggested_value(D("100"), margin)


@pytest.mark.parametrize(
    ("suggested", "current", "expected"),
    [
        (D("10000"), D("9000"), D("0.1111")),
        (D("9000"), D("10000"), D("-0.1000")),
        (D("10000"), D("10000"), D("0.0000")),
        (D("10000"), None, None),  # no contract value: no change to show
        (D("10000"), D("0"), None),
    ],
)
def test_price_change_against_current_value(suggested, current, expected) -> None:
    assert pricing.price_change(suggested, current) == expected


@pytest.mark.parametrize(
    ("forecast", "note"),
    [(None, pricing.NO_FORECAST), (D("0"), pricing.NO_COST), (D("-5"), pricing.NO_COST)],
)
def test_no_suggestion_without_a_cost_to_price_from(forecast, note) -> None:
    s = pricing.suggest(forecast, D("1000"), D("0.15"))
    assert s.suggested_value is None and s.change is None and s.note == note


def test_for_contract_uses_this_terms_forecast() -> None:
    inputs = ContractInputs(
        contract_number="C-1", customer="Gemeente Utrecht", name=None, type="preventive",
        account_manager=None, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31),
        notice_period_days=90, auto_renew=True, contract_value=D("12000"), planned_visits=None,
        terminated_on=None, actual_labour=D("6000"), actual_material=D("2500"), actual_hours=D("100"),
        visits_done=0, budget_lines=1, budget_labour=D("10000"), budget_material=D("0"),
        budget_other=D("0"), budget_hours=D("0"), planned_to_date=D("5000"),
    )  # fmt: skip
    figures = metrics.figures(inputs, dt.date(2027, 1, 15), Thresholds())  # term over: forecast = actual
    s = pricing.for_contract(figures, D("0.15"))
    assert s.forecast_cost == D("8500") and s.forecast_method == "actual"
    assert s.suggested_value == D("10000.00")
    assert s.change == D("-0.1667")
