"""Renewal price suggestion: the contract value that would have covered this term's forecast cost.

The target margin is a share of the price (gross margin), not a mark-up on
cost:

    margin = (value - cost) / value    =>    value = forecast cost / (1 - target margin)

So with a forecast cost of EUR 8,500 and a target margin of 15 %, the suggested
value is 8,500 / 0.85 = EUR 10,000, of which EUR 1,500 (15 % of the price) is
margin. (A 15 % mark-up would give only 9,775.) The change is the suggested
value against the current contract value, as a fraction: 10,000 against a
current 9,000 is +0.1111 (+11 %).

The forecast is the engine's (frame.derive) for the current term (its
method is carried along so a reader sees what the price rests on). A renewal
term of another length is not scaled: the suggestion prices a term like this one.
"""

from __future__ import annotations

from decimal import Decimal

from budgetcore.figures.metrics import ContractFigures, PriceSuggestion
from budgetcore.i18n import N_

# why a suggestion is missing, as English text keys for i18n.t()
NO_FORECAST = N_("no forecast of the cost yet")
NO_COST = N_("no cost so far to price from")


def for_contract(figures: ContractFigures, target_margin: Decimal) -> PriceSuggestion:
    """The suggestion for one contract's figures (its forecast for this term), as the engine
    (frame.derive) computed it at the thresholds' target margin."""
    if figures.price.target_margin != target_margin:
        raise ValueError(
            f"figures were computed at target margin {figures.price.target_margin}, not {target_margin}"
        )
    return figures.price
