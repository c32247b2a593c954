"""The renewal price: cost-based price = forecast cost x (1 + indexation) / (1 - target margin); the
suggested price is the larger of it and the indexed value, as the engine computes it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from budgetcore.figures import frame, pricing
from budgetcore.figures.metrics import ContractFigures, ContractInputs, Thresholds

D = Decimal
ENDED = dt.date(2027, 1, 15)  # the term is over: the forecast is the actual total
BASE = ContractInputs(
    contract_number="C-1", customer="Gemeente Utrecht", name=None, type="preventive",
    account_manager=None, start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31),
    notice_period_days=90, auto_renew=True, contract_value=D("12000"), planned_visits=None,
    terminated_on=None, actual_labour=D("6000"), actual_material=D("2500"), actual_hours=D("100"),
    visits_done=0, budget_lines=1, budget_labour=D("10000"), budget_material=D("0"),
    budget_other=D("0"), budget_hours=D("0"), planned_to_date=D("5000"),
)  # fmt: skip


def _priced(cost: Decimal, margin: Decimal, value: Decimal | None = D("12000")) -> ContractFigures:
    inputs = dataclasses.replace(BASE, actual_labour=cost, actual_material=D(0), contract_value=value)
    return frame.from_inputs([inputs], ENDED, Thresholds(target_margin=margin)).figures()[0]


@pytest.mark.parametrize(
    ("forecast", "margin", "expected"),
    [
        (D("8500"), D("0.15"), D("10000.00")),  # 15 % of 10,000 is margin, not 15 % on cost
        (D("1000"), D("0"), D("1000.00")),  # no margin: the cost itself
        (D("100"), D("0.5"), D("200.00")),
        (D("1000"), D("0.3"), D("1428.57")),  # rounded half up to cents
        (D("0.01"), D("0.99"), D("1.00")),
        (D("0.005"), D("0"), D("0.01")),  # a half cent rounds up
    ],
)
def test_cost_price_is_cost_over_one_minus_margin(forecast, margin, expected) -> None:
    price = _priced(forecast, margin).price
    assert price.cost_price == expected
    assert price.suggested_value == max(expected, D("12000.00"))  # never below the (indexed) value


@pytest.mark.parametrize("margin", [D("1"), D("1.5"), D("-0.01")])
def test_target_margin_must_be_a_share_below_one(margin) -> None:
    with pytest.raises(ValueError):
        _priced(D("100"), margin)


@pytest.mark.parametrize(
    ("cost", "current", "expected"),
    [
        (D("8500"), D("9444.444444"), D("0.0588")),  # 10,000 on 9,444.44
        (D("7650"), D("10000"), D("0.0000")),  # 9,000 priced: the value 10,000 stays the price
        (D("8500"), D("10000"), D("0.0000")),
        (D("8500"), None, None),  # no contract value: no change to show
        (D("8500"), D("0"), None),
    ],
)
def test_price_change_against_current_value(cost, current, expected) -> None:
    assert _priced(cost, D("0.15"), current).price.change == expected


@pytest.mark.parametrize(
    ("changes", "note"),
    [
        (
            {"budget_lines": 0, "start_date": dt.date(2027, 6, 1), "end_date": dt.date(2027, 12, 31)},
            pricing.NO_FORECAST,
        ),
        ({"actual_labour": D("0"), "actual_material": D("0")}, pricing.NO_COST),
        ({"actual_labour": D("-5"), "actual_material": D("0")}, pricing.NO_COST),
    ],
)
def test_no_suggestion_without_a_cost_to_price_from(changes, note) -> None:
    f = frame.from_inputs([dataclasses.replace(BASE, **changes)], ENDED, Thresholds()).figures()[0]
    s = pricing.for_contract(f, D("0.15"))
    assert s.cost_price is None and s.note == note
    assert s.suggested_value == s.indexed_value == D("12000.00") and s.change == D("0.0000")


def test_for_contract_uses_this_terms_forecast() -> None:
    figures = frame.from_inputs([BASE], ENDED, Thresholds()).figures()[0]
    s = pricing.for_contract(figures, D("0.15"))
    assert s.forecast_cost == D("8500") and s.forecast_method == "actual"
    assert s.cost_price == D("10000.00") and s.suggested_value == D("12000.00")
    assert s.change == D("0.0000")
    with pytest.raises(ValueError):  # the figures carry the price at their own target margin
        pricing.for_contract(figures, D("0.2"))


@pytest.mark.parametrize(
    ("indexation_pct", "setting", "indexed", "cost"),
    [
        (D("3"), D("0"), D("12360.00"), D("10300.00")),  # the contract's own
        (None, D("0.025"), D("12300.00"), D("10250.00")),  # else the setting
        (D("0"), D("0.025"), D("12000.00"), D("10000.00")),  # its own 0 % wins
        (D("-1.5"), D("0"), D("11820.00"), D("9850.00")),
    ],
)
def test_indexation_raises_value_and_cost_alike(indexation_pct, setting, indexed, cost) -> None:
    inputs = dataclasses.replace(BASE, indexation_pct=indexation_pct)
    f = frame.from_inputs([inputs], ENDED, Thresholds(yearly_indexation=setting)).figures()[0]
    assert (f.price.indexed_value, f.price.cost_price, f.price.suggested_value) == (indexed, cost, indexed)
