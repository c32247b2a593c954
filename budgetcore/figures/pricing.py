"""Renewal price suggestion: the contract value that would have covered this term's forecast cost.

The target margin is a share of the price (gross margin), not a mark-up on
cost:

    margin = (value - cost) / value    =>    value = forecast cost / (1 - target margin)

So with a forecast cost of EUR 8,500 and a target margin of 15 %, the suggested
value is 8,500 / 0.85 = EUR 10,000, of which EUR 1,500 (15 % of the price) is
margin. (A 15 % mark-up would give only 9,775.) The change is the suggested
value against the current contract value, as a fraction: 10,000 against a
current 9,000 is +0.1111 (+11 %).

The forecast is the one metrics.forecast() gives for the current term (its
method is carried along so a reader sees what the price rests on). A renewal
term of another length is not scaled: the suggestion prices a term like this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from budgetcore.figures.metrics import ContractFigures

ONE = Decimal(1)
CENT = Decimal("0.01")

# why a suggestion is missing, as English text keys for i18n.t()
NO_FORECAST = "no forecast of the cost yet"
NO_COST = "no cost so far to price from"


@dataclass(frozen=True)
class PriceSuggestion:
    """A renewal price for one contract.

    forecast_cost: forecast actual total at end of this term (EUR), or None.
    target_margin: share of the price kept as margin (fraction 0..1, 1 excluded).
    current_value: the contract value now (EUR), or None when unknown.
    suggested_value: forecast_cost / (1 - target_margin) in whole cents, or None.
    change: suggested_value / current_value - 1 (fraction; 0.12 = +12 %), or None.
    forecast_method: the metrics forecast method the cost comes from.
    note: why there is no suggestion (an English text key), else ''.
    """

    forecast_cost: Decimal | None
    target_margin: Decimal
    current_value: Decimal | None
    suggested_value: Decimal | None
    change: Decimal | None
    forecast_method: str = ""
    note: str = ""


def suggested_value(forecast_cost: Decimal, target_margin: Decimal) -> Decimal:
    """forecast_cost / (1 - target_margin), rounded half up to whole cents (EUR)."""
    if not Decimal(0) <= target_margin < ONE:
        raise ValueError(f"target margin must be in [0, 1): {target_margin}")
    return (forecast_cost / (ONE - target_margin)).quantize(CENT, rounding=ROUND_HALF_UP)


def price_change(suggested: Decimal, current: Decimal | None) -> Decimal | None:
    """suggested / current - 1 as a fraction to 4 places; None when current is unknown or 0."""
    if current is None or current <= 0:
        return None
    return (suggested / current - ONE).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def suggest(
    forecast_cost: Decimal | None,
    current_value: Decimal | None,
    target_margin: Decimal,
    forecast_method: str = "",
) -> PriceSuggestion:
    """The suggestion for a forecast cost and current value; see the module docstring."""
    if forecast_cost is None:
        note = NO_FORECAST
    elif forecast_cost <= 0:
        # a price of zero is no advice: nothing has been spent to learn from
        note = NO_COST
    else:
        value = suggested_value(forecast_cost, target_margin)
        return PriceSuggestion(
            forecast_cost=forecast_cost,
            target_margin=target_margin,
            current_value=current_value,
            suggested_value=value,
            change=price_change(value, current_value),
            forecast_method=forecast_method,
        )
    return PriceSuggestion(forecast_cost, target_margin, current_value, None, None, forecast_method, note)


def for_contract(figures: ContractFigures, target_margin: Decimal) -> PriceSuggestion:
    """The suggestion for one contract's figures (its forecast for this term)."""
    return suggest(
        figures.forecast.total,
        figures.inputs.contract_value,
        target_margin,
        figures.forecast.method,
    )
