"""The figures' names and types: statuses, thresholds, forecast methods, one contract's inputs and figures.

The rules themselves live once, column-wise, in frame.py (the engine); this
module only names what they produce. Conventions: dates are calendar dates and
every period includes both its first and its last day; money is Decimal EUR;
fractions are Decimal 0..1 (or above 1 for consumed and burn index); None
means "undefined" and is shown empty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, ROUND_UP, Decimal

from budgetcore import i18n
from budgetcore.i18n import N_

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")

AUTO, CHAIN = N_("auto"), N_("chain")  # the forecast method settings besides one method (FORECAST_SETTINGS)
NO_BUDGET = N_("no budget")
OVER_BUDGET = N_("over budget")
AT_RISK = N_("at risk")
WATCH = N_("watch")
ON_TRACK = N_("on track")
STATUSES = (OVER_BUDGET, AT_RISK, WATCH, ON_TRACK, NO_BUDGET)  # most pressing first
STATUS_COLOURS = {  # how each status is shown: pages, charts and the review pack alike
    OVER_BUDGET: "#d62728",
    AT_RISK: "#e8710a",
    WATCH: "#b58900",
    ON_TRACK: "#2ca02c",
    NO_BUDGET: "#8c8c8c",
}


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The rules' user-changeable parameters: status thresholds (fractions), the renewal
    window (days) and the target margin of the renewal price (a share of the price, 0..1)."""

    at_risk_margin: Decimal = Decimal("0.10")
    watch_level: Decimal = Decimal("0.80")
    watch_elapsed: Decimal = Decimal("0.80")
    renewal_window_days: int = 90
    target_margin: Decimal = Decimal("0.15")
    # "no activity": past this share of the term with no cost, hours or visit registered
    no_activity_elapsed: Decimal = Decimal("0.25")
    forecast_method: str = AUTO  # one of FORECAST_SETTINGS
    min_completed: int = 30  # auto picks a method only with this many completed contracts of the type
    # the renewal price (docs/metrics.md "Renewal advice and price"): the yearly indexation of a
    # contract without its own indexation_pct, and the largest raise before "terminate?" (fractions)
    yearly_indexation: Decimal = Decimal("0")
    largest_raise: Decimal = Decimal("0.30")
    # scope (docs/metrics.md, Scope): out of scope when the share of the cost billed on top is
    # above scope_share with that cost at least scope_minimum (money), or when the covered
    # corrective work orders so far reach calls_factor times what the contract's type leads one
    # to expect to date and at least calls_extra more. Chosen on the demo (docs/metrics.md).
    scope_share: Decimal = Decimal("0.30")
    scope_minimum: Decimal = Decimal("1000")
    calls_factor: Decimal = Decimal("2")
    calls_extra: int = 3


@dataclass(frozen=True)
class Filters:
    """What the sidebar narrows the portfolio to; empty tuples mean "all"."""

    customers: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    account_managers: tuple[str, ...] = ()
    contract_numbers: tuple[str, ...] = ()
    renewal_within_days: int | None = None
    running_only: bool = False  # only contracts whose term holds as_of (frame.running_mask)


def money(value: Decimal | None) -> Decimal | None:
    """Round to whole cents, half up (away from zero), as an invoice would: for display."""
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def fraction(value: Decimal | None, places: int = 4) -> Decimal | None:
    """Round a fraction to places decimals, half up: for display."""
    return None if value is None else value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def ratio(numerator: Decimal, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator, undefined (None) when the denominator is missing or 0."""
    if denominator is None or denominator == 0:
        return None
    return numerator / denominator


@dataclass(frozen=True, slots=True)
class Forecast:
    """Estimated actual total at end of term (EUR) and the method that produced it; basis says
    why that method: '' (the chain), AUTO (lowest backtest error for the type) or 'setting'."""

    total: Decimal | None
    method: str
    basis: str = ""


# The forecast methods, tried in this order; frame.derive applies them.
FORECAST_METHODS = {
    "actual": N_("term over: the actual total is final"),
    "not started": N_("term not started: the budget total"),
    "visits": N_("actual + visits still planned x cost per visit so far"),
    "burn": N_("budget total x burn index"),
    "run rate": N_("actual total / elapsed fraction (no budget to compare)"),
    "remaining budget": N_("actual total + the budget still planned after as_of"),
    "none": N_("no basis for a forecast"),
}
# What the `forecast method` setting may name: `auto` (per contract type, the method with the
# lowest median error on the completed contracts, figures/calibration.py), `chain` (the order
# above), or one method, used wherever it applies (elsewhere the chain).
CHOOSABLE = (
    N_("visits"),
    N_("burn"),
    N_("run rate"),
    N_("remaining budget"),
)  # methods a setting or auto may pick
FORECAST_SETTINGS = (AUTO, CHAIN, *CHOOSABLE)


@dataclass(frozen=True, slots=True)
class ContractInputs:
    """The handful of facts and SQL sums per contract that every figure derives from."""

    contract_number: str
    customer: str
    name: str | None
    type: str | None
    account_manager: str | None
    start_date: dt.date
    end_date: dt.date
    notice_period_days: int
    auto_renew: bool
    contract_value: Decimal | None
    planned_visits: int | None
    terminated_on: dt.date | None
    actual_labour: Decimal
    actual_material: Decimal
    actual_hours: Decimal
    visits_done: int
    budget_lines: int
    budget_labour: Decimal
    budget_material: Decimal
    budget_other: Decimal
    budget_hours: Decimal
    planned_to_date: Decimal
    outside_term_lines: int = 0
    outside_term_cost: Decimal = ZERO
    # work billed on top of the contract through as_of (docs/metrics.md, Scope): not in the actuals
    extra_cost: Decimal = ZERO
    extra_revenue: Decimal = ZERO
    extra_unpriced: int = 0  # its lines without a sales price (a data-quality finding)
    renewed_by: str | None = None  # the contract that names this one as its previous_contract
    indexation_pct: Decimal | None = None  # yearly indexation in percent (2.5 = 2.5 %); None: the setting
    calls_done: int = 0  # covered corrective work orders in the term through as_of (docs/metrics.md, Scope)


@dataclass(frozen=True)
class Suggestion:
    """An action (one of ACTIONS), its reason template (REASONS) and the values it quotes."""

    action: str
    reason: str
    values: dict[str, object] = field(default_factory=dict)
    note: str = ""  # a second template said after the reason ("forecast margin 72 %, target 15 %")

    def text(self, lang: str = i18n.DEFAULT_LANGUAGE, currency: str = "EUR") -> tuple[str, str]:
        """(action, reason) in lang, money (in currency, an ISO code) and dates formatted for that language."""
        shown = {k: _shown(k, v, lang, currency) for k, v in self.values.items()}
        reason = i18n.t(self.reason, lang, **shown)
        if self.note:
            reason += "; " + i18n.t(self.note, lang, **shown)
        return i18n.t(self.action, lang), reason


def _shown(key: str, value: object, lang: str, currency: str) -> str:
    if key in ("over", "off") and value is not None:
        # to a tenth of a percent, rounded away from zero, so that a share above a threshold
        # never reads as the threshold itself (10.04 % over is "10.1%", not "10%")
        return i18n.percent(Decimal(value).quantize(Decimal("0.001"), ROUND_UP), lang, 1)  # type: ignore[arg-type]
    if key in ("share", "limit") and value is not None:  # a share of the cost (scope), to 0.1 %
        return i18n.percent(value, lang, 1)  # type: ignore[arg-type]
    if key == "expected_calls" and value is not None:  # work orders expected to date, to a tenth
        return i18n.number(value, lang, 1)  # type: ignore[arg-type]
    if key in ("margin", "target", "largest") and value is not None:  # whole percentages
        return i18n.percent(value, lang)  # type: ignore[arg-type]
    if key == "elapsed":  # a share of the term, as a whole percentage
        return i18n.percent(value, lang)  # type: ignore[arg-type]
    if isinstance(value, Decimal):
        return i18n.money(value, lang, currency, cents=False)
    if hasattr(value, "isoformat"):
        return i18n.date(value, lang)  # type: ignore[arg-type]
    return str(value)


@dataclass(frozen=True)
class PriceSuggestion:
    """A renewal price for one contract.

    forecast_cost: forecast actual total at end of this term (EUR), or None.
    target_margin: share of the price kept as margin (fraction 0..1, 1 excluded).
    current_value: the contract value now (EUR), or None when unknown.
    suggested_value: max(indexed value, cost-based price) in whole cents (either alone when the
        other is undefined), or None: never below the indexed value.
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
    indexation: Decimal = ZERO  # the yearly indexation applied (fraction; 0.025 = 2.5 %)
    indexed_value: Decimal | None = None  # contract value x (1 + indexation), in cents
    cost_price: Decimal | None = None  # forecast x (1 + indexation) / (1 - target margin), in cents


@dataclass(frozen=True, slots=True)
class ContractFigures:
    """Every figure of one contract at as_of, as the engine (frame.py) computed it.

    Ratios and the forecast are exact quotients to 28 significant digits (round
    only to show); `summary` holds the row exactly as the command line and the
    exports print it (money in cents, fractions to 4 places); `suggestion` is the
    suggested renewal action and `price` the renewal price at the thresholds'
    target margin; `why` says why the contract needs attention, in the renewal
    reasons' words (advice.WHY).
    """

    inputs: ContractInputs
    as_of: dt.date
    budget_total: Decimal | None
    actual_total: Decimal
    elapsed: Decimal
    consumed: Decimal | None
    burn_index: Decimal | None
    forecast: Forecast
    margin: Decimal | None
    forecast_margin: Decimal | None
    notice_deadline: dt.date
    next_deadline: dt.date
    days_to_end: int
    days_to_notice: int
    status: str
    approaching_renewal: bool
    suggestion: Suggestion
    price: PriceSuggestion
    summary: dict[str, object] = field(default_factory=dict)
    # why the contract needs attention (advice.WHY keys with the figures they quote), most
    # telling first; no_activity: the flag shown next to the status (not a status)
    why: tuple[Suggestion, ...] = ()
    no_activity: bool = False
    # work billed on top (docs/metrics.md, Scope): cost billed on top / all cost (None when
    # there is no cost), whether the contract is out of scope (Thresholds' scope rules) and
    # why, with the figures (advice.OUT_OF_SCOPE; None when it is not)
    extra_share: Decimal | None = None
    out_of_scope: bool = False
    scope: Suggestion | None = None
    # covered corrective work orders its type leads one to expect to date, to a tenth (None: the
    # type has no day done); compare inputs.calls_done
    expected_calls: Decimal | None = None

    @property
    def hours_used(self) -> Decimal | None:
        """Actual hours / budgeted hours (fraction; None without budgeted hours): the contract
        page's hours line and the packs' budget table."""
        return ratio(self.inputs.actual_hours, self.inputs.budget_hours)

    @property
    def extra_margin(self) -> Decimal:
        """Revenue minus cost of the work billed on top (EUR)."""
        return self.inputs.extra_revenue - self.inputs.extra_cost

    @property
    def contract_number(self) -> str:
        return self.inputs.contract_number
