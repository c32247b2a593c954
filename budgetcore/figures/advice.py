"""The renewal review: what to do with a contract that comes up for renewal, and why.

The engine (frame._advice) prices the next term and decides the action for
every contract at once (docs/metrics.md "Renewal advice and price"). The
next term is taken to be as long as this one; indexation is the contract's
indexation_pct, else the setting "yearly indexation":

- indexed value = contract value x (1 + indexation);
- cost-based price = forecast at end of term x (1 + indexation) / (1 - target margin);
- suggested price = the larger of the two, half up to cents: never below the
  indexed value, since a price cut is a commercial choice, not a suggestion.

The first rule that holds decides, comparing the two prices as shown (cents):

1. ``terminated``: the contract has been terminated; nothing to renew.
2. ``terminate?``: the raise needed (cost-based price / indexed value - 1)
   exceeds Thresholds.largest_raise (default 30 %). A question, not a verdict.
3. ``re-price``: the cost-based price lies more than
   ``ReviewRules.price_tolerance`` (default 10 %) above the indexed value: a raise;
   or, without a contract value to index, the forecast exceeds the budget.
4. ``review scope``: the periodic visits done so far exceed the visits
   planned to date (planned_visits x elapsed fraction) by at least
   ``ReviewRules.visits_factor`` (default 1.5 x) and by at least
   ``ReviewRules.visits_extra`` (default 2) visits.
5. ``set a budget``: the contract has no budget, so its cost cannot be judged.
6. ``renew as is``: at the indexed value.

A cost-based price more than the tolerance below the indexed value (a margin
far above target) is said in the reason (MARGIN_HIGH), never acted on.

A Suggestion carries English keys and the figures its reason quotes; text()
renders both in a language with i18n's formatters.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from budgetcore import i18n
from budgetcore.figures.metrics import ContractFigures, Suggestion, Thresholds
from budgetcore.i18n import N_

TERMINATED = N_("terminated")
TERMINATE = N_("terminate?")
REPRICE = "re-price"
REVIEW_SCOPE = N_("review scope")
SET_BUDGET = N_("set a budget")
RENEW = N_("renew as is")
ACTIONS = (TERMINATE, REPRICE, REVIEW_SCOPE, SET_BUDGET, RENEW, TERMINATED)

REASONS = {
    TERMINATED: N_("terminated on {terminated_on}"),
    TERMINATE: N_(
        "raise needed {off} exceeds the largest raise {largest}: cost-based price {price}, "
        "indexed value {indexed}"
    ),
    REPRICE: N_("raise: cost-based price {price} is {off} above the indexed value {indexed}"),
    REVIEW_SCOPE: N_("visits far above plan: {done} done, {expected} planned to date"),
    SET_BUDGET: N_("no budget to judge the cost of {actual} against"),
    RENEW: N_("renew at the indexed value {indexed}"),
}
REPRICE_NO_VALUE = N_("no contract value; forecast {forecast} is {over} over the budget {budget}")
RENEW_NO_VALUE = N_("no contract value to index; cost-based price {price}")
RENEW_NOTHING = N_("no contract value and no cost to price from")
MARGIN_HIGH = N_("forecast margin {margin}, target {target}")
FORECAST_OVER_REASON = N_("forecast {forecast} is {over} over the budget {budget}")


# Why a contract needs attention (the overview's and the renewals' "why"), in the words of the
# reasons above; the engine (frame._why) decides which hold, most telling first:
NO_ACTIVITY = "no activity"
LABOUR_OVER = N_("labour over budget")
MATERIAL_OVER = N_("material over budget")
FORECAST_OVER = N_("forecast over budget")
AHEAD = N_("spending ahead of the calendar")
VISITS_BEHIND = N_("visits behind plan")
AWAITING = N_("awaiting renewal")  # an ended contract's (frame.awaiting_mask), said by the overview
WHY = {
    NO_ACTIVITY: N_("no activity: nothing registered at {elapsed} of the term"),
    LABOUR_OVER: N_("labour {actual} over its budget {budget}"),
    MATERIAL_OVER: N_("material {actual} over its budget {budget}"),
    FORECAST_OVER: FORECAST_OVER_REASON,
    AHEAD: N_("spending ahead of the calendar: {actual} spent, {planned} planned to date"),
    VISITS_BEHIND: N_("visits behind plan: {done} done, {expected} planned to date"),
}
# When each holds (the renewals and overview pages explain them; an i18n key, markdown)
WHY_EXPLANATION = N_("""- **no activity** (a flag next to the status): more than {share} of the term has passed and \
no cost, hours or periodic visit is registered. Not a status: the budget may be fine, but nothing \
shows that the work is done.
- **labour / material over**: the actual labour or material exceeds its own budget line.
- **forecast over**: the forecast at the end of the term exceeds the budget.
- **spending ahead of the calendar**: the actual total exceeds the budget planned to date \
(burn index above 1).
- **visits behind plan**: the periodic visits done are at most 1/{factor} of, and at least {extra} \
fewer than, the visits planned to date.

The cost reasons are given for contracts over budget, at risk or on watch; the other two for any.""")

# What the renewals page tells its reader about the rules above (markdown, an i18n key).
EXPLANATION = N_("""The renewal price of a next term as long as this one, with the yearly indexation \
(the contract's own, else {indexation}): the **indexed value** is the contract value plus indexation; \
the **cost-based price** is the forecast cost plus indexation at the target margin; the **suggested \
price** is the larger of the two, never below the indexed value. The first rule that holds decides:

1. **terminated**: the contract has been terminated; nothing to renew.
2. **terminate?**: the raise needed (cost-based price over the indexed value) exceeds {largest}. \
A question, not a verdict: the customer may be worth keeping at a new price.
3. **re-price**: the cost-based price lies more than {tolerance} above the indexed value: a raise; \
or, without a contract value, the forecast exceeds the budget.
4. **review scope**: the periodic visits done so far are at least {factor} times, and at least \
{extra} more than, the visits planned to date: the customer gets more than was agreed.
5. **set a budget**: the contract has no budget, so its cost cannot be judged.
6. **renew as is**: at the indexed value.

A margin far above target (a cost-based price more than {tolerance} below the indexed value) is said \
in the reason, not acted on: a price cut is a commercial choice.""")


@dataclass(frozen=True)
class ReviewRules:
    """Thresholds of the rules above: fractions, a factor and a visit count."""

    visits_factor: Decimal = Decimal("1.5")
    visits_extra: int = 2
    price_tolerance: Decimal | None = Decimal("0.10")  # None: the price rule is off


def explanation(
    lang: str = i18n.DEFAULT_LANGUAGE,
    rules: ReviewRules | None = None,
    yearly_indexation: Decimal = Decimal(0),
    largest_raise: Decimal = Decimal("0.30"),
) -> str:
    """EXPLANATION in lang, quoting the rules' own thresholds (markdown)."""
    rules = rules or ReviewRules()
    return i18n.t(
        EXPLANATION,
        lang,
        indexation=i18n.percent(yearly_indexation, lang, 1),
        largest=i18n.percent(largest_raise, lang),
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


# --- scope (issue 21): work outside what the contract covers (docs/metrics.md, Scope) ----------
# The engine (frame._scope) flags a contract "out of scope" when the share of its cost billed
# on top (meerwerk) runs past Thresholds.scope_share and is at least Thresholds.scope_minimum,
# or when its covered corrective work orders (call-outs) so far reach Thresholds.calls_factor
# times what its contract type leads one to expect to date (the portfolio's contracts of that
# type: their corrective work orders per day of term so far, times this contract's days) and at
# least Thresholds.calls_extra more. Either way the work done no longer matches what the
# contract's scope and price assume. The engine puts the reason, with its figures, in
# ContractFigures.scope (SCOPE_REASON, else CALLS_REASON; both: CALLS_REASON as its note).
OUT_OF_SCOPE = N_("out of scope")
SCOPE_REASON = N_("out of scope: {share} of the cost billed on top ({extra} of {total}), more than {limit}")
CALLS_REASON = N_(
    "out of scope: {calls} corrective work orders so far, {expected_calls} expected to date for its type"
)
CALLS_NOTE = N_("{calls} corrective work orders so far, {expected_calls} expected to date for its type")
SCOPE_EXPLANATION = N_("""- **out of scope**: more than {limit} of the contract's cost (covered and billed \
on top together) is work billed on top (meerwerk), and at least {minimum}: the customer keeps \
asking for work the contract does not cover; or its corrective work orders so far are at least \
{factor} times what its contract type leads one to expect to date (the portfolio's contracts of \
that type, per day of term), and at least {extra} more: the installation needs more than the \
contract was priced for.""")


def scope_reason(f: ContractFigures) -> Suggestion | None:
    """Why f is out of scope, with its figures (SCOPE_REASON or CALLS_REASON); None when it is not."""
    return f.scope


def scope_values(
    share: Decimal | None, extra_cost: Decimal, actual_total: Decimal, thresholds: Thresholds
) -> dict[str, object]:
    """The figures SCOPE_REASON quotes: the share billed on top, its cost, all cost (covered
    actual + billed on top) and the rule's share; for the flag's reason and the review-scope advice."""
    return {
        "share": share,
        "extra": extra_cost,
        "total": actual_total + extra_cost,
        "limit": thresholds.scope_share,
    }


def scope_explanation(
    lang: str = i18n.DEFAULT_LANGUAGE, currency: str = "EUR", thresholds: Thresholds | None = None
) -> str:
    """SCOPE_EXPLANATION in lang with the thresholds the engine uses, money in currency (markdown)."""
    thresholds = thresholds or Thresholds()
    return i18n.t(
        SCOPE_EXPLANATION,
        lang,
        limit=i18n.percent(thresholds.scope_share, lang),
        minimum=i18n.money(thresholds.scope_minimum, lang, currency, cents=False),
        factor=i18n.number(thresholds.calls_factor, lang, 1),
        extra=thresholds.calls_extra,
    )
