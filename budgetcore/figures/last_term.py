"""Last term: one contract's figures against those of the contract it renews (previous_contract).

Both terms' figures come from portfolio.portfolio at the same as_of, so the
previous term (usually ended) shows its final cost. Compared, in EUR and
fractions 0..1:

- cost: the actual total (this term: to date, and the forecast at its end);
- cost per visit: actual total / periodic visits done (None without a visit);
- labour and material share: actual labour (material) / actual total;
- margin: contract value - actual total (previous term, the whole term);
  this term: margin to date and forecast margin.

The renewal price (pricing.py) prices this term's forecast cost at the target
margin. The previous term backs it when the same rule on the previous term's
cost, scaled to this term's days (cost x this term's days / its days), points
the same way against the current contract value: both prices above it (raise)
or both at or below it (keep or lower). Without a current value, it backs the
suggestion when the two prices differ by at most AGREEMENT (10 %) of the
suggested one. Otherwise the previous term contradicts it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy.orm import Session

from budgetcore.figures import frame, metrics, portfolio, pricing
from budgetcore.figures.metrics import ContractFigures, Thresholds
from budgetcore.figures.pricing import PriceSuggestion
from budgetcore.figures.term import term_days
from budgetcore.i18n import N_
from budgetcore.store import contract_reads

AGREEMENT = Decimal("0.10")
SUPPORTS, CONTRADICTS = "supports", "contradicts"
VERDICTS = {
    SUPPORTS: N_(
        "The previous term supports the suggested price: its cost of {cost} over {days} days, "
        "{scaled} for a term like this one, needs {price} at the target margin."
    ),
    CONTRADICTS: N_(
        "The previous term contradicts the suggested price: its cost of {cost} over {days} days, "
        "{scaled} for a term like this one, needs only {price} at the target margin."
    ),
}
CONTRADICTS_HIGHER = N_(
    "The previous term contradicts the suggested price: its cost of {cost} over {days} days, "
    "{scaled} for a term like this one, needs {price} at the target margin."
)


@dataclass(frozen=True)
class TermFigures:
    """One term's comparable figures (EUR, fractions 0..1; None where undefined)."""

    contract_number: str
    start_date: dt.date
    end_date: dt.date
    contract_value: Decimal | None
    cost: Decimal
    visits: int
    cost_per_visit: Decimal | None
    labour_share: Decimal | None
    material_share: Decimal | None
    margin: Decimal | None
    forecast_cost: Decimal | None = None
    forecast_margin: Decimal | None = None

    @property
    def days(self) -> int:
        return term_days(self.start_date, self.end_date)


@dataclass(frozen=True)
class Comparison:
    """This term against the previous one, and what the previous term says of the renewal price.

    verdict: SUPPORTS, CONTRADICTS or '' (no price suggestion to judge).
    previous_price: the price the previous term's scaled cost needs at the target margin (EUR cents).
    scaled_cost: the previous term's cost x this term's days / its days (EUR, unrounded).
    """

    current: TermFigures
    previous: TermFigures
    price: PriceSuggestion
    scaled_cost: Decimal
    previous_price: Decimal | None
    verdict: str


def term_figures(f: ContractFigures) -> TermFigures:
    """A contract's comparable figures from its portfolio figures."""
    i = f.inputs
    cost = f.actual_total
    return TermFigures(
        contract_number=i.contract_number,
        start_date=i.start_date,
        end_date=i.end_date,
        contract_value=i.contract_value,
        cost=cost,
        visits=i.visits_done,
        cost_per_visit=metrics.ratio(cost, Decimal(i.visits_done)),
        labour_share=metrics.ratio(i.actual_labour, cost),
        material_share=metrics.ratio(i.actual_material, cost),
        margin=f.margin,
        forecast_cost=f.forecast.total,
        forecast_margin=f.forecast_margin,
    )


def previous_number(session: Session, contract_number: str) -> str | None:
    """The previous_contract a contract names, or None (store/contract_reads.previous_numbers)."""
    return contract_reads.previous_numbers(session, [contract_number]).get(contract_number)


def compare(
    session: Session, f: ContractFigures, thresholds: Thresholds, target_margin: Decimal
) -> Comparison | None:
    """This contract against the one it renews, at f.as_of; None when it names none or that one is unknown."""
    number = previous_number(session, f.contract_number)
    if number is None or number == f.contract_number:
        return None
    found = portfolio.portfolio(session, f.as_of, thresholds, portfolio.Filters(contract_numbers=(number,)))
    if not found:
        return None
    return comparison(f, found[0], target_margin)


def comparison(f: ContractFigures, before: ContractFigures, target_margin: Decimal) -> Comparison:
    """The comparison of two contracts' figures (pure; see the module docstring)."""
    current, previous = term_figures(f), term_figures(before)
    price = pricing.for_contract(f, target_margin)
    scaled = previous.cost * Decimal(current.days) / Decimal(previous.days)
    days = Fraction(current.days, previous.days)
    previous_price = frame.renewal_price(previous.cost, days, target_margin) if scaled > 0 else None
    verdict = ""
    if price.suggested_value is not None and previous_price is not None:
        value = f.inputs.contract_value
        if value is not None and value > 0:
            same_side = (price.suggested_value > value) == (previous_price > value)
        else:
            same_side = abs(previous_price - price.suggested_value) <= AGREEMENT * price.suggested_value
        verdict = SUPPORTS if same_side else CONTRADICTS
    return Comparison(current, previous, price, scaled, previous_price, verdict)


def verdict_text(c: Comparison) -> str:
    """The English key for the verdict's sentence ('' without a verdict); values from verdict_values()."""
    if not c.verdict:
        return ""
    if c.verdict == CONTRADICTS and c.previous_price is not None and c.price.suggested_value is not None:
        if c.previous_price > c.price.suggested_value:
            return CONTRADICTS_HIGHER
    return VERDICTS[c.verdict]


def verdict_values(c: Comparison) -> dict[str, object]:
    """The amounts (Decimal EUR, rounded to cents) and days the verdict's sentence quotes."""
    return {
        "cost": metrics.money(c.previous.cost),
        "days": c.previous.days,
        "scaled": c.scaled_cost.quantize(metrics.CENT, rounding=ROUND_HALF_UP),
        "price": c.previous_price,
    }


def change(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    """now / before - 1 as a fraction (0.12 = +12 %); None when either is missing or before is 0."""
    if now is None or before is None or before == 0:
        return None
    return now / before - 1
