"""The renewal review: what to do with a contract that comes up for renewal, and why.

The engine (frame.derive) decides the action for every contract at once; the
first rule that holds decides, in this order:

1. ``terminated``: the contract has been terminated; nothing to renew.
2. ``terminate?``: loss-making. The expected cost at end of term (the
   forecast, else the actual total) exceeds the contract value, so renewing
   on the same terms loses money. A question, not a verdict: the customer may
   be worth keeping at a new price.
3. ``re-price``: the renewal price at the target margin (pricing.py) lies more
   than ``ReviewRules.price_tolerance`` (default 10 %) above or below the
   contract value, so renewing at the same price would contradict it; or the
   forecast at end of term exceeds the budget total by more than
   ``ReviewRules.reprice_margin`` (default 0 %): the work costs more than the
   price was built on.
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

from dataclasses import dataclass
from decimal import Decimal

from budgetcore import i18n
from budgetcore.figures.metrics import ContractFigures, Suggestion

TERMINATED = "terminated"
TERMINATE = "terminate?"
REPRICE = "re-price"
REVIEW_SCOPE = "review scope"
SET_BUDGET = "set a budget"
RENEW = "renew as is"
# the re-price reasons of the price rule (the renewal price against the contract value)
PRICE_ABOVE = "renewal price {price} is {off} above the contract value {value}"
PRICE_BELOW = "renewal price {price} is {off} below the contract value {value}"
ACTIONS = (TERMINATE, REPRICE, REVIEW_SCOPE, SET_BUDGET, RENEW, TERMINATED)

REASONS = {
    TERMINATED: "terminated on {terminated_on}",
    TERMINATE: "loss-making: expected cost {cost} exceeds the contract value {value}",
    REPRICE: "forecast {forecast} is {over} over the budget {budget}",
    REVIEW_SCOPE: "visits far above plan: {done} done, {expected} planned to date",
    SET_BUDGET: "no budget to judge the cost of {actual} against",
    RENEW: "forecast {forecast} within the budget {budget}",
}


# Why a contract needs attention (the overview's and the renewals' "why"), in the words of the
# reasons above; the engine (frame._why) decides which hold, most telling first:
NO_ACTIVITY = "no activity"
LABOUR_OVER = "labour over budget"
MATERIAL_OVER = "material over budget"
FORECAST_OVER = "forecast over budget"
AHEAD = "spending ahead of the calendar"
VISITS_BEHIND = "visits behind plan"
AWAITING = "awaiting renewal"  # an ended contract's (frame.awaiting_mask), said by the overview
WHY = {
    NO_ACTIVITY: "no activity: nothing registered at {elapsed} of the term",
    LABOUR_OVER: "labour {actual} over its budget {budget}",
    MATERIAL_OVER: "material {actual} over its budget {budget}",
    FORECAST_OVER: REASONS[REPRICE],
    AHEAD: "spending ahead of the calendar: {actual} spent, {planned} planned to date",
    VISITS_BEHIND: "visits behind plan: {done} done, {expected} planned to date",
}
# When each holds (the renewals and overview pages explain them; an i18n key, markdown)
WHY_EXPLANATION = """- **no activity** (a flag next to the status): more than {share} of the term has passed and \
no cost, hours or periodic visit is registered. Not a status: the budget may be fine, but nothing \
shows that the work is done.
- **labour / material over**: the actual labour or material exceeds its own budget line.
- **forecast over**: the forecast at the end of the term exceeds the budget.
- **spending ahead of the calendar**: the actual total exceeds the budget planned to date \
(burn index above 1).
- **visits behind plan**: the periodic visits done are at most 1/{factor} of, and at least {extra} \
fewer than, the visits planned to date.

The cost reasons are given for contracts over budget, at risk or on watch; the other two for any."""

# What the renewals page tells its reader about the rules above (markdown, an i18n key).
EXPLANATION = """The first rule that holds decides:

1. **terminated**: the contract has been terminated; nothing to renew.
2. **terminate?**: loss-making: the expected cost at the end of the term (the forecast, else \
the actual total) exceeds the contract value. A question, not a verdict: the customer may be \
worth keeping at a new price.
3. **re-price**: the renewal price (the forecast cost at the target margin) lies more than \
{tolerance} above or below the contract value; or the forecast at the end of the term exceeds \
the budget by more than {margin}: the work costs more than the price was built on.
4. **review scope**: the periodic visits done so far are at least {factor} times, and at least \
{extra} more than, the visits planned to date: the customer gets more than was agreed.
5. **set a budget**: the contract has no budget, so its cost cannot be judged.
6. **renew as is**: none of the above; the forecast stays within the budget and the renewal price \
within {tolerance} of the contract value."""


@dataclass(frozen=True)
class ReviewRules:
    """Thresholds of the rules above: fractions, a factor and a visit count."""

    reprice_margin: Decimal = Decimal("0")
    visits_factor: Decimal = Decimal("1.5")
    visits_extra: int = 2
    price_tolerance: Decimal | None = Decimal("0.10")  # None: the price rule is off


def explanation(lang: str = i18n.DEFAULT_LANGUAGE, rules: ReviewRules | None = None) -> str:
    """EXPLANATION in lang, quoting the rules' own thresholds (markdown)."""
    rules = rules or ReviewRules()
    return i18n.t(
        EXPLANATION,
        lang,
        margin=i18n.percent(rules.reprice_margin, lang),
        tolerance=i18n.percent(rules.price_tolerance, lang),
        factor=i18n.number(rules.visits_factor, lang, decimals=1),
        extra=str(rules.visits_extra),
    )


def why_text(f: ContractFigures, lang: str = i18n.DEFAULT_LANGUAGE, currency: str = "EUR") -> str:
    """The contract's why (f.why) in lang with the figures each reason quotes, joined by '; ';
    '' when none holds."""
    return "; ".join(w.text(lang, currency)[1] for w in f.why)


def why_short(f: ContractFigures, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The contract's why as its reasons' names ('labour over budget, spending ahead of the
    calendar'), for a table cell; '' when none holds."""
    return ", ".join(i18n.t(w.action, lang) for w in f.why)


def why_explanation(lang: str, no_activity_elapsed: Decimal, rules: ReviewRules | None = None) -> str:
    """WHY_EXPLANATION in lang with the thresholds the engine uses (markdown)."""
    rules = rules or ReviewRules()
    return i18n.t(
        WHY_EXPLANATION,
        lang,
        share=i18n.percent(no_activity_elapsed, lang),
        factor=i18n.number(rules.visits_factor, lang, decimals=1),
        extra=str(rules.visits_extra),
    )


def suggest(f: ContractFigures) -> Suggestion:
    """The suggested renewal action for one contract, as the engine (frame.py) decided it."""
    return f.suggestion


# --- scope (issue 21): work billed on top of the contract (docs/metrics.md, Scope) -------------
# The engine (frame._scope) flags a contract "out of scope" when the share of its cost billed
# on top (meerwerk) runs past ScopeRules.extra_share and is at least ScopeRules.extra_minimum:
# the customer keeps asking for work the contract does not cover, so its scope (and price) no
# longer matches what is done. frame.derive's column out_of_scope holds the flag; the reason
# below quotes its figures (for the attention list and the renewal advice).
OUT_OF_SCOPE = "out of scope"
SCOPE_REASON = "out of scope: {share} of the cost billed on top ({extra} of {total}), more than {limit}"
SCOPE_EXPLANATION = """- **out of scope**: more than {limit} of the contract's cost (covered and billed \
on top together) is work billed on top (meerwerk), and at least {minimum}: the customer keeps \
asking for work the contract does not cover."""


@dataclass(frozen=True)
class ScopeRules:
    """When a contract is out of scope: its share of cost billed on top (a fraction 0..1) above
    extra_share, and that cost at least extra_minimum (EUR). Chosen on the demo portfolio
    (docs/metrics.md, Scope): nine contracts in ten bill at most 17 % of their cost on top;
    30 % is well past what any type leads one to expect, and below EUR 1,000 one call can make a
    small contract's share look large."""

    extra_share: Decimal = Decimal("0.30")
    extra_minimum: Decimal = Decimal("1000")


def scope_reason(f: ContractFigures, rules: ScopeRules | None = None) -> Suggestion | None:
    """Why f is out of scope, with its figures (SCOPE_REASON); None when it is not."""
    rules = rules or ScopeRules()
    if not f.out_of_scope:
        return None
    i = f.inputs
    return Suggestion(
        OUT_OF_SCOPE,
        SCOPE_REASON,
        {
            "share": f.extra_share,
            "extra": i.extra_cost,
            "total": f.actual_total + i.extra_cost,
            "limit": rules.extra_share,
        },
    )


def scope_explanation(
    lang: str = i18n.DEFAULT_LANGUAGE, currency: str = "EUR", rules: ScopeRules | None = None
) -> str:
    """SCOPE_EXPLANATION in lang with the thresholds the engine uses, money in currency (markdown)."""
    rules = rules or ScopeRules()
    return i18n.t(
        SCOPE_EXPLANATION,
        lang,
        limit=i18n.percent(rules.extra_share, lang),
        minimum=i18n.money(rules.extra_minimum, lang, currency, cents=False),
    )
