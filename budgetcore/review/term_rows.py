"""Rows for this term against the last one and for variance per period, shared by the pages and the packs.

Cells are reports.py's (value, kind) pairs: money Decimal EUR, fractions 0..1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from budgetcore import i18n
from budgetcore.figures import last_term, variance
from budgetcore.figures.last_term import Comparison
from budgetcore.figures.term import term_days
from budgetcore.figures.variance import CLOSED, RUNNING, PeriodVariance
from budgetcore.i18n import N_, t

Value = tuple[object, str]
PACK_GRAIN = N_("quarter")  # the packs show quarters: a page per contract stays readable for a long term
STATES = {CLOSED: N_("closed"), RUNNING: N_("running"), "not started": N_("not started")}
OVER = "over:"
"""A cell kind's prefix for a variance (actual - budget): above 0 is over budget, shown as
'€1,234.56 over' and below 0 as '€500.00 under' on every page and in both packs. 'over:money',
'over:pct' and 'over:num' are variances in EUR, as a fraction of the budget, and in hours."""
NUMERIC = ("money", "pct", "num", "int")


def base_kind(kind: str) -> str:
    """The kind a cell's number is written in: 'money' for 'over:money'."""
    return kind.removeprefix(OVER)


def is_numeric(kind: str) -> bool:
    """Whether a cell of this kind is a number (right-aligned, never broken across lines)."""
    return base_kind(kind) in NUMERIC


def over_text(value: Decimal, shown: Callable[[Decimal], str], lang: str) -> str:
    """A variance in words: '{amount} over' above 0, '{amount} under' below (amount the size,
    written by shown), the bare amount at 0."""
    if value > 0:
        return t("{amount} over", lang, amount=shown(value))
    if value < 0:
        return t("{amount} under", lang, amount=shown(-value))
    return shown(value)


def cell_text(value: object, kind: str, lang: str, currency: str, pct_decimals: int = 0) -> str:
    """A (value, kind) cell as text in lang: the packs (percentages whole) and the contract page
    (pct_decimals=1) write cells by this one rule; '' for an empty cell."""
    if value is None or value == "":
        return ""
    if kind.startswith(OVER):
        base = base_kind(kind)
        return over_text(value, lambda x: cell_text(x, base, lang, currency, pct_decimals), lang)  # type: ignore[arg-type]
    if kind == "money":
        return i18n.money(value, lang, currency)  # type: ignore[arg-type]
    if kind == "pct":
        return i18n.percent(value, lang, pct_decimals)  # type: ignore[arg-type]
    if kind == "num":
        return i18n.number(value, lang)  # type: ignore[arg-type]
    if kind == "date":
        return i18n.date(value, lang)  # type: ignore[arg-type]
    if kind == "month":
        return i18n.month(value, lang)  # type: ignore[arg-type]
    if kind == "status":
        return t(str(value), lang)
    return str(value)


def last_term_rows(c: Comparison, lang: str) -> tuple[list[str], list[list[Value]]]:
    """(header, rows): each figure for the previous term, this term to date, this term's forecast, and
    the change of this term (forecast where there is one) against the previous."""
    p, n = c.previous, c.current
    header = [
        t("Figure", lang),
        t("Previous term {number}", lang, number=p.contract_number),
        t("This term to date", lang),
        t("This term, forecast", lang),
        t("Change", lang),
    ]
    change = last_term.change
    rows: list[list[Value]] = [
        [(t("Term", lang), "text"), (_term(p, lang), "text"), (_term(n, lang), "text"), ("", "text"), (None, "pct")],
        [(t("Contract value", lang), "text"), (p.contract_value, "money"), (n.contract_value, "money"),
         (n.contract_value, "money"), (change(n.contract_value, p.contract_value), "pct")],
        [(t("Cost", lang), "text"), (p.cost, "money"), (n.cost, "money"), (n.forecast_cost, "money"),
         (change(n.forecast_cost, p.cost), "pct")],
        [(t("Visits", lang), "text"), (p.visits, "int"), (n.visits, "int"), (None, "int"), (None, "pct")],
        [(t("Cost per visit", lang), "text"), (p.cost_per_visit, "money"), (n.cost_per_visit, "money"),
         (None, "money"), (change(n.cost_per_visit, p.cost_per_visit), "pct")],
        [(t("Labour share", lang), "text"), (p.labour_share, "pct"), (n.labour_share, "pct"), (None, "pct"),
         (None, "pct")],
        [(t("Material share", lang), "text"), (p.material_share, "pct"), (n.material_share, "pct"),
         (None, "pct"), (None, "pct")],
        [(t("Margin", lang), "text"), (p.margin, "money"), (n.margin, "money"), (n.forecast_margin, "money"),
         (change(n.forecast_margin, p.margin), "pct")],
    ]  # fmt: skip
    return header, rows


def _term(term: last_term.TermFigures, lang: str) -> str:
    return f"{i18n.date(term.start_date, lang)} – {i18n.date(term.end_date, lang)}"


def verdict(c: Comparison, lang: str, currency: str) -> str:
    """What the previous term says of the suggested renewal price, in lang; '' without a verdict."""
    key = last_term.verdict_text(c)
    if not key:
        return ""
    values = last_term.verdict_values(c)
    shown = {k: (i18n.money(v, lang, currency) if k != "days" else str(v)) for k, v in values.items()}
    return t(key, lang, **shown)


def variance_rows(periods: Sequence[PeriodVariance], lang: str) -> tuple[list[str], list[list[Value]]]:
    """(header, rows): one row per period, then the total to date (closed and running periods).

    Budget is each period's whole budget; planned to date the part of it due by as_of (all of a
    closed period's, a running period's up to as_of, none of one not started), which actual and
    variance are compared with: a week into a quarter, a week's worth of its budget.
    """
    header = [
        t(c, lang)
        for c in (
            N_("Period"),
            "From",
            N_("To"),
            "State",
            "Budget",
            "Planned to date",
            "Actual",
            "Variance",
            N_("Variance %"),
        )
    ]
    rows: list[list[Value]] = [
        [(str(p.number), "text"), (p.first, "date"), (p.last, "date"), (t(STATES[p.state], lang), "text"),
         (p.period_budget, "money"), (p.budget if p.actual is not None else None, "money"), (p.actual, "money"),
         (p.variance, OVER + "money"), (p.variance_pct, OVER + "pct")]
        for p in periods
    ]  # fmt: skip
    total = variance.to_date(periods)
    if total is not None:
        rows.append([(t("Total to date", lang), "text"), (total.first, "date"), (total.last, "date"),
                     ("", "text"), (total.period_budget, "money"), (total.budget, "money"),
                     (total.actual, "money"), (total.variance, OVER + "money"),
                     (total.variance_pct, OVER + "pct")])  # fmt: skip
    return header, rows


def running_note(periods: Sequence[PeriodVariance], as_of: dt.date, lang: str, currency: str) -> str:
    """What the running period is compared with, in lang (plain text); '' without a running period."""
    running = next((p for p in periods if p.state == RUNNING), None)
    if running is None:
        return ""
    return t(
        "The running period ({first} – {last}) is compared with its budget planned to date: {planned} of "
        "its {budget} by {as_of} ({days} of {total} days), not with its whole budget.",
        lang,
        first=i18n.date(running.first, lang),
        last=i18n.date(running.last, lang),
        planned=i18n.money(running.budget, lang, currency),
        budget=i18n.money(running.period_budget, lang, currency),
        as_of=i18n.date(as_of, lang),
        days=str(term_days(running.first, as_of)),
        total=str(term_days(running.first, running.last)),
    )
