"""The renewal review: what to do with a contract that comes up for renewal, and why.

suggest() is a pure function of one contract's figures. The first rule that
holds decides, in this order:

1. ``terminated``: the contract has been terminated; nothing to renew.
2. ``terminate?``: loss-making. The expected cost at end of term (the
   forecast, else the actual total) exceeds the contract value, so renewing
   on the same terms loses money. A question, not a verdict: the customer may
   be worth keeping at a new price.
3. ``re-price``: the forecast at end of term exceeds the budget total by more
   than ``ReviewRules.reprice_margin`` (default 0 %): the work costs more
   than the price was built on.
4. ``review scope``: the periodic visits done so far exceed the visits
   planned to date (planned_visits x elapsed fraction) by at least
   ``ReviewRules.visits_factor`` (default 1.5 x) and by at least
   ``ReviewRules.visits_extra`` (default 2) visits: the customer gets more
   than was agreed, even if the budget still holds.
5. ``set a budget``: the contract has no budget, so its cost cannot be
   judged against one.
6. ``renew as is``: none of the above; the forecast stays within budget.

A Suggestion carries English keys and the figures its reason quotes; text()
renders both in a language with i18n's formatters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from budgetcore import i18n
from budgetcore.figures.metrics import ContractFigures

TERMINATED = "terminated"
TERMINATE = "terminate?"
REPRICE = "re-price"
REVIEW_SCOPE = "review scope"
SET_BUDGET = "set a budget"
RENEW = "renew as is"
ACTIONS = (TERMINATE, REPRICE, REVIEW_SCOPE, SET_BUDGET, RENEW, TERMINATED)

REASONS = {
    TERMINATED: "terminated on {terminated_on}",
    TERMINATE: "loss-making: expected cost {cost} exceeds the contract value {value}",
    REPRICE: "forecast {forecast} is {over} over the budget {budget}",
    REVIEW_SCOPE: "visits far above plan: {done} done, {expected} planned to date",
    SET_BUDGET: "no budget to judge the cost of {actual} against",
    RENEW: "forecast {forecast} within the budget {budget}",
}


# What the renewals page tells its reader about the rules above (markdown, an i18n key).
EXPLANATION = """The first rule that holds decides:

1. **terminated**: the contract has been terminated; nothing to renew.
2. **terminate?**: loss-making: the expected cost at the end of the term (the forecast, else \
the actual total) exceeds the contract value. A question, not a verdict: the customer may be \
worth keeping at a new price.
3. **re-price**: the forecast at the end of the term exceeds the budget: the work costs more \
than the price was built on.
4. **review scope**: the periodic visits done so far are at least 1.5 times, and at least 2 \
more than, the visits planned to date: the customer gets more than was agreed.
5. **set a budget**: the contract has no budget, so its cost cannot be judged.
6. **renew as is**: none of the above; the forecast stays within the budget."""


@dataclass(frozen=True)
class ReviewRules:
    """Thresholds of the rules above: fractions, a factor and a visit count."""

    reprice_margin: Decimal = Decimal("0")
    visits_factor: Decimal = Decimal("1.5")
    visits_extra: int = 2


@dataclass(frozen=True)
class Suggestion:
    """An action (one of ACTIONS), its reason template (REASONS) and the values it quotes."""

    action: str
    reason: str
    values: dict[str, object] = field(default_factory=dict)

    def text(self, lang: str = i18n.DEFAULT_LANGUAGE, currency: str = "EUR") -> tuple[str, str]:
        """(action, reason) in lang, money (in currency, an ISO code) and dates formatted for that language."""
        shown = {k: _shown(k, v, lang, currency) for k, v in self.values.items()}
        return i18n.t(self.action, lang), i18n.t(self.reason, lang, **shown)


def _shown(key: str, value: object, lang: str, currency: str) -> str:
    if key == "over":
        return i18n.percent(value, lang)  # type: ignore[arg-type]
    if isinstance(value, Decimal):
        return i18n.money(value, lang, currency, cents=False)
    if hasattr(value, "isoformat"):
        return i18n.date(value, lang)  # type: ignore[arg-type]
    return str(value)


def suggest(f: ContractFigures, rules: ReviewRules = ReviewRules()) -> Suggestion:
    """The suggested renewal action for one contract; see the module docstring for the rules."""
    i = f.inputs
    if i.terminated_on is not None:
        return Suggestion(TERMINATED, REASONS[TERMINATED], {"terminated_on": i.terminated_on})
    expected_cost = f.forecast.total if f.forecast.total is not None else f.actual_total
    if i.contract_value is not None and expected_cost > i.contract_value:
        return Suggestion(TERMINATE, REASONS[TERMINATE], {"cost": expected_cost, "value": i.contract_value})
    budget, fc = f.budget_total, f.forecast.total
    if budget is not None and fc is not None and fc > budget * (1 + rules.reprice_margin):
        over = (fc - budget) / budget if budget else None
        return Suggestion(REPRICE, REASONS[REPRICE], {"forecast": fc, "over": over, "budget": budget})
    if i.planned_visits:
        expected = Decimal(i.planned_visits) * f.elapsed
        if i.visits_done >= expected * rules.visits_factor and i.visits_done - expected >= rules.visits_extra:
            return Suggestion(
                REVIEW_SCOPE,
                REASONS[REVIEW_SCOPE],
                {"done": i.visits_done, "expected": int(expected.to_integral_value())},
            )
    if budget is None:
        return Suggestion(SET_BUDGET, REASONS[SET_BUDGET], {"actual": f.actual_total})
    return Suggestion(
        RENEW, REASONS[RENEW], {"forecast": fc if fc is not None else f.actual_total, "budget": budget}
    )
