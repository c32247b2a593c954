"""Roll-ups: the portfolio's contracts grouped by customer, account manager or contract type.

Each group's totals are the sums of its contracts' figures as printed (to the
cent, ContractFigures.summary), so a group's budget, actual, forecast and
margin equal the sums of its rows in `summary` to the cent (issue 20: adding the
exact quotients and rounding after differed from the rows by a cent or two). The
budget adds the contracts that have one, the forecast those where it is
defined, the margin those with a contract value; a group without any contract
value has no margin (None, shown as "—"), not 0. Consumed is the actual total of the
budgeted contracts over their budget total (None without a budget or at 0).
The worst status is the first of metrics.STATUSES that any contract has
(over budget before at risk before watch before on track; `no budget` only
when no contract has a budget).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from budgetcore.figures import metrics
from budgetcore.figures.metrics import STATUSES, ZERO, ContractFigures

GROUP_BY = ("customer", "manager", "type")
COLUMNS = (
    "group", "contracts", "budget_total", "actual_total", "consumed_pct", "forecast_total", "margin",
    "worst_status", "extra_cost", "extra_revenue", "extra_share",
)  # fmt: skip


@dataclass(frozen=True)
class Group:
    """One group's totals (EUR) over its contracts; key None: contracts without a manager or type."""

    by: str
    key: str | None
    contracts: int
    budget_total: Decimal
    budgeted_actual: Decimal  # the actual total of the contracts that have a budget
    actual_total: Decimal
    forecast_total: Decimal
    margin: Decimal | None  # None: no contract of the group has a value
    worst_status: str
    statuses: dict[str, int] = field(default_factory=dict)
    contract_numbers: tuple[str, ...] = ()
    # work billed on top (docs/metrics.md, Scope), beside the actuals: cost and revenue (EUR)
    extra_cost: Decimal = ZERO
    extra_revenue: Decimal = ZERO
    out_of_scope: int = 0  # contracts flagged out of scope

    @property
    def extra_margin(self) -> Decimal:
        return self.extra_revenue - self.extra_cost

    @property
    def extra_share(self) -> Decimal | None:
        """Cost billed on top / all cost (covered + billed); None without cost."""
        return metrics.ratio(self.extra_cost, self.actual_total + self.extra_cost)

    @property
    def consumed(self) -> Decimal | None:
        """budgeted actual / budget total (fraction); None without a budget or at 0."""
        budgeted = self.contracts - self.statuses.get(metrics.NO_BUDGET, 0)
        return metrics.ratio(self.budgeted_actual, self.budget_total) if budgeted else None


def key_of(f: ContractFigures, by: str) -> str | None:
    """The group a contract belongs to."""
    if by == "customer":
        return f.inputs.customer
    if by == "manager":
        return f.inputs.account_manager
    if by == "type":
        return f.inputs.type
    raise ValueError(f"group by one of {', '.join(GROUP_BY)}, not {by!r}")


def group(figures: Sequence[ContractFigures], by: str) -> list[Group]:
    """The contracts grouped by `by` (GROUP_BY), most pressing worst status first, then by key."""
    members: dict[str | None, list[ContractFigures]] = {}
    for f in figures:
        members.setdefault(key_of(f, by), []).append(f)
    groups = [_group(by, key, found) for key, found in members.items()]
    return sorted(groups, key=lambda g: (STATUSES.index(g.worst_status), g.key is None, g.key or ""))


def _group(by: str, key: str | None, figures: list[ContractFigures]) -> Group:
    budgeted = [f for f in figures if f.budget_total is not None]
    counts = {s: 0 for s in STATUSES}
    for f in figures:
        counts[f.status] += 1
    margins = [f.summary["margin"] for f in figures if f.summary["margin"] is not None]
    return Group(
        by=by,
        key=key,
        contracts=len(figures),
        budget_total=_printed(budgeted, "budget_total"),
        budgeted_actual=sum((f.actual_total for f in budgeted), ZERO),
        actual_total=_printed(figures, "actual_total"),
        forecast_total=_printed(figures, "forecast_total"),
        margin=sum(margins, ZERO) if margins else None,  # type: ignore[arg-type]
        worst_status=next(s for s in STATUSES if counts[s]),
        statuses=counts,
        contract_numbers=tuple(sorted(f.contract_number for f in figures)),
        extra_cost=sum((f.inputs.extra_cost for f in figures), ZERO),
        extra_revenue=sum((f.inputs.extra_revenue for f in figures), ZERO),
        out_of_scope=sum(f.out_of_scope for f in figures),
    )


def _printed(figures: Sequence[ContractFigures], column: str) -> Decimal:
    """The sum of the contracts' column as `summary` prints it (cents), where defined."""
    return sum((f.summary[column] for f in figures if f.summary[column] is not None), ZERO)  # type: ignore[misc]


def row(g: Group) -> dict[str, object]:
    """A group as the command line's row (COLUMNS): money to the cent, consumed to 4 places."""
    return {
        "group": g.key or "",
        "contracts": g.contracts,
        "budget_total": metrics.money(g.budget_total),
        "actual_total": metrics.money(g.actual_total),
        "consumed_pct": metrics.fraction(g.consumed),
        "forecast_total": metrics.money(g.forecast_total),
        "margin": metrics.money(g.margin),
        "worst_status": g.worst_status,
        "extra_cost": metrics.money(g.extra_cost),
        "extra_revenue": metrics.money(g.extra_revenue),
        "extra_share": metrics.fraction(g.extra_share),
    }
