"""The review pack's roll-up: its contracts grouped by customer, account manager and contract type."""

from __future__ import annotations

from budgetcore.figures import rollups
from budgetcore.i18n import N_, t
from budgetcore.review.reports import ReviewPack, Value

CAPTIONS = {
    "customer": N_("By customer"),
    "manager": N_("By account manager"),
    "type": N_("By contract type"),
}
HEADER = (
    "Group", "Contracts", "Budget", "Actual", "Consumed", "Forecast", "Margin", "Worst status", "Billed on top",
    "Billed revenue",
)  # fmt: skip


def group_tables(pack: ReviewPack, lang: str) -> list[tuple[str, list[str], list[list[Value]]]]:
    """(caption, header, rows) per grouping, then a total row; sums exact (rollups.py)."""
    figures = [r.figures for r in pack.every]
    found = []
    for by in rollups.GROUP_BY:
        rows: list[list[Value]] = []
        for g in rollups.group(figures, by):
            name = g.key or t("(none)", lang)
            rows.append([
                (t(name.replace("_", " "), lang) if by == "type" and g.key else name, "text"),
                (g.contracts, "int"), (g.budget_total, "money"), (g.actual_total, "money"), (g.consumed, "pct"),
                (g.forecast_total, "money"), (g.margin, "money"), (t(g.worst_status, lang), "text"),
                (g.extra_cost, "money"), (g.extra_revenue, "money"),
            ])  # fmt: skip
        found.append((t(CAPTIONS[by], lang), [t(h, lang) for h in HEADER], rows))
    return found
