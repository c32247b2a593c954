"""The dashboard's tables as pandas frames, with what each column holds; no Streamlit here.

Each builder returns (frame, columns): the frame keeps money as Decimal in the
settings' currency (never converted), rounded to whole units, fractions as floats 0..1 (for progress bars), dates as
dates; columns maps each frame column to its English label and kind (money,
fraction, progress, change (a signed fraction), date, number, text), which the UI turns into column
formats (the renewal list's CSV is figures/table.renewals_csv, the command line's own).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from babel.numbers import format_compact_currency

from budgetcore import i18n
from budgetcore.figures import advice, codes, metrics, pricing
from budgetcore.figures.calibration import Accuracy, Pick
from budgetcore.figures.contract_detail import (
    CategoryRow,
    ExtraMonth,
    Finding,
    HoursRow,
    MaterialRow,
    WorkOrderRow,
)
from budgetcore.figures.metrics import ContractFigures
from budgetcore.figures.summary import Headline
from budgetcore.i18n import N_

STATUS_COLOURS = metrics.STATUS_COLOURS


@dataclass(frozen=True)
class Column:
    """A frame column's English label (an i18n key), its kind and an optional help text.

    decimals: for kind 'number', the decimals shown (None: as many as needed, up to 3).
    """

    label: str
    kind: str = "text"
    help: str | None = None
    decimals: int | None = None
    width: str | int | None = None


Columns = dict[str, Column]


def money_compact(value: Decimal | None, lang: str, currency: str) -> str:
    """'€13.4m' (en) or '€ 13,4 mln.' (nl) for EUR: headline amounts that fit a narrow column."""
    if value is None:
        return ""
    locale = i18n.LOCALES.get(lang, i18n.LOCALES[i18n.DEFAULT_LANGUAGE])
    return format_compact_currency(value, currency, locale=locale, fraction_digits=1)


def display_formats(columns: Columns, lang: str) -> dict[str, Callable[[object], str]]:
    """How each money and number column's cells read in lang ('1.234', '24,0' in Dutch), for a
    table that shows text over its numbers (so it still sorts by the numbers)."""
    formats: dict[str, Callable[[object], str]] = {}
    for name, col in columns.items():
        if col.kind == "money":  # whole units, as _money() rounds them
            formats[name] = i18n.number_formatter(lang, 0)
        elif col.kind == "number":
            formats[name] = i18n.number_formatter(lang, col.decimals)
        elif col.kind == "change":
            formats[name] = lambda v: ("+" if v > 0 else "") + i18n.percent(v, lang)  # type: ignore[operator]
    return formats


def days_to_end_text(days: int, lang: str) -> str:
    """Days to a contract's end as a reader says them: "12", or "ended 1 day ago", "ended 40 days ago"."""
    if days >= 0:
        return i18n.number(days, lang, 0)
    if days == -1:
        return i18n.t("ended 1 day ago", lang)
    return i18n.t("ended {n} days ago", lang, n=i18n.number(-days, lang, 0))


def status_label(status: str, lang: str) -> str:
    """The status in lang."""
    return i18n.t(status, lang)


STATUS_BADGES = {  # Streamlit's markdown badge colours per status
    metrics.OVER_BUDGET: "red",
    metrics.AT_RISK: "orange",
    metrics.WATCH: "yellow",
    metrics.ON_TRACK: "green",
    metrics.NO_BUDGET: "gray",
}


def status_badge(status: str, lang: str, suffix: str = "") -> str:
    """Markdown for a coloured badge naming the status (and suffix, e.g. a count)."""
    return f":{STATUS_BADGES.get(status, 'gray')}-badge[{status_label(status, lang)}{suffix}]"


def status_colours(lang: str) -> dict[str, str]:
    """Shown status label -> its colour, for styling the status column."""
    return {status_label(s, lang): c for s, c in STATUS_COLOURS.items()}


def _fraction(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _money(value: Decimal | None) -> Decimal | None:
    """Whole currency units: tables show budgets and costs without cents (exact figures are in the CSV)."""
    return None if value is None else value.quantize(Decimal(1), ROUND_HALF_UP)


STATUS_WIDTH = 150  # pixels: the longest status, 'budget overschreden', whole

# At 1440 px the table is about 975 px wide: the key columns come first and fit without a sideways
# scroll (contract, customer, status, then budget, actual, forecast and margin to date, their
# headers whole in both languages; tests/test_layout_browser.py measures them); the flag, why,
# the dates and the other figures follow.
OVERVIEW_KEY = ("contract", "customer", "status", "budget", "actual", "forecast", "margin")
OVERVIEW_COLUMNS: Columns = {
    "contract": Column(N_("Contract"), width=110),
    "customer": Column(N_("Customer"), width=130),
    "status": Column(N_("Status"), width=STATUS_WIDTH),
    "budget": Column(N_("Budget"), "money", width=105),
    "actual": Column(N_("Actual"), "money", N_("Labour + material to date"), width=105),
    "forecast": Column(N_("Forecast"), "money", N_("Expected actual total at end of term"), width=110),
    "margin": Column(N_("Margin to date"), "money", N_("Value earned to date (contract value x elapsed) - actual to date"),
                     width=160),
    "flag": Column(N_("Flag"), help=N_("No activity: nothing registered past the share of the term set on Settings. "
                   "Out of scope: much of the cost is work billed on top, or corrective work far past "
                   "its type"), width=95),
    "why": Column(N_("Why"), help=N_("Why the contract needs attention; the contract page quotes the figures"),
                  width=230),
    "deadline": Column(
        N_("Next deadline"), "date", N_("The notice deadline until it passes, then the end date"), width=105
    ),
    "end": Column(N_("End date"), "date", width=100),
    "consumed": Column(N_("Consumed"), "progress", N_("Actual / budget")),
    "elapsed": Column(N_("Elapsed"), "progress", N_("Share of the term passed")),
    "burn": Column(
        N_("Burn index"), "number", N_("Actual / planned to date; above 1 spends ahead of the calendar"), 2
    ),
    "forecast_margin": Column(N_("Forecast margin"), "money", N_("Contract value - forecast")),
    "labour": Column(N_("Labour"), "money"),
    "material": Column(N_("Material"), "money"),
    "notice": Column(N_("Notice deadline"), "date"),
    "extra": Column(N_("Billed on top"), "money", N_("Cost of work billed on top of the contract (meerwerk), not in Actual")),
}  # fmt: skip


# What a long table can be sorted by on the server (frame.order's names) -> its English label;
# the first is the table's own order, the one it shows when it fits one page.
OVERVIEW_SORTS = {"pressure": N_("Most pressing")} | {
    name: c.label for name, c in OVERVIEW_COLUMNS.items() if name not in ("flag", "why")
}


def overview(
    figures: Sequence[ContractFigures], lang: str, currency: str = "EUR", awaiting: Collection[str] = ()
) -> tuple[pd.DataFrame, Columns]:
    """One row per contract, in the given order; awaiting: the contract numbers whose why
    starts with 'awaiting renewal' (frame.awaiting_mask)."""
    rows = [
        {
            "contract": f.contract_number,
            "customer": f.inputs.customer,
            "status": status_label(f.status, lang),
            "flag": flag(f, lang),
            "why": why(f, lang, f.contract_number in awaiting),
            "deadline": f.next_deadline,
            "budget": _money(f.budget_total),
            "actual": _money(f.actual_total),
            "labour": _money(f.inputs.actual_labour),
            "material": _money(f.inputs.actual_material),
            "consumed": _fraction(f.consumed),
            "elapsed": _fraction(f.elapsed),
            "burn": _fraction(metrics.fraction(f.burn_index, 2)),
            "forecast": _money(f.forecast.total),
            "margin": _money(f.margin),
            "forecast_margin": _money(f.forecast_margin),
            "end": f.inputs.end_date,
            "notice": f.notice_deadline,
            "extra": _money(f.inputs.extra_cost),
        }
        for f in figures
    ]
    return pd.DataFrame(rows, columns=list(OVERVIEW_COLUMNS)), OVERVIEW_COLUMNS


def extra_line(head: Headline, lang: str, currency: str = "EUR") -> str:
    """The portfolio's work billed on top beside the headline's actuals, one line."""
    return (
        extra_text(head.extra_cost, head.extra_revenue, head.extra_share, lang, currency)
        + " "
        + i18n.t("Out of scope: {n} contracts.", lang, n=i18n.number(head.out_of_scope, lang, 0))
    )


def extra_text(
    cost: Decimal, revenue: Decimal, share: Decimal | None, lang: str, currency: str = "EUR"
) -> str:
    """Work billed on top (docs/metrics.md, Scope) in one sentence: its cost, revenue, margin
    and share of all cost; the budget figures beside it count covered work only."""
    return i18n.t(
        "Billed on top (meerwerk), not in the actuals: cost {cost}, revenue {revenue}, margin {margin}; "
        "{share} of all cost.",
        lang,
        cost=i18n.money(cost, lang, currency, cents=False),
        revenue=i18n.money(revenue, lang, currency, cents=False),
        margin=i18n.money(revenue - cost, lang, currency, cents=False),
        share="–" if share is None else i18n.percent(share, lang, 1),
    )


def flag(f: ContractFigures, lang: str) -> str:
    """The flags shown next to the status: 'no activity', 'out of scope' (Thresholds' scope rules),
    both, or ''."""
    found = [
        name
        for name, holds in ((advice.NO_ACTIVITY, f.no_activity), (advice.OUT_OF_SCOPE, f.out_of_scope))
        if holds
    ]
    return ", ".join(i18n.t(name, lang) for name in found)


def why(f: ContractFigures, lang: str, awaiting: bool = False) -> str:
    """Why the contract needs attention, its reasons' names (advice.why_short); 'awaiting
    renewal' first when it is (frame.awaiting_mask)."""
    text = advice.why_short(f, lang)
    if awaiting:
        first = i18n.t(advice.AWAITING, lang)
        text = f"{first}, {text}" if text else first
    return text


# Widths in pixels for a page 1440 px wide, where the table is about 975 px: the contract, its
# status and decision, what to do, why, and at what price (its header whole) are in view without
# scrolling, their text wrapping onto a second line (the renewals page asks for wrapping rows);
# the next deadline follows (the list is ordered by it).
RENEWAL_KEY = (
    "contract",
    "customer",
    "status",
    "decision",
    "action",
    "reason",
    "price",
)  # decision: review_ui
RENEWAL_COLUMNS: Columns = {
    "contract": Column(N_("Contract"), width=110),
    "customer": Column(N_("Customer"), width=115),
    "status": Column(N_("Status"), width=100),
    "action": Column(N_("Suggested action"), width=130),
    "reason": Column(N_("Reason"), width=195),
    "price": Column(  # "Verlengingsprijs (€)" and its help icon whole
        N_("Renewal price"),
        "money",
        N_(
            "Suggested price = the larger of the indexed value and forecast cost x (1 + indexation) / (1 - target margin)."
        ),
        width=165,
    ),
    "change": Column(N_("Change"), "change", N_("Change against contract value"), width=65),
    "deadline": Column(
        N_("Next deadline"), "date", N_("The notice deadline until it passes, then the end date"), width=105
    ),
    "days": Column(N_("Days left"), "number", decimals=0),
    "consumed": Column(N_("Consumed"), "progress", N_("Actual / budget")),
    "forecast": Column(N_("Forecast"), "money", N_("Expected actual total at end of term")),
    "margin": Column(
        N_("Margin to date"), "money", N_("Value earned to date (contract value x elapsed) - actual to date")
    ),
    "forecast_margin": Column(N_("Forecast margin"), "money", N_("Contract value - forecast")),
    "end": Column(N_("End date"), "date"),
    "notice": Column(N_("Notice deadline"), "date"),
    "auto_renew": Column(N_("Auto-renew"), "check"),
}


RENEWAL_SORTS = {
    name: RENEWAL_COLUMNS[name].label
    for name in (
        "deadline",
        "contract",
        "customer",
        "status",
        "consumed",
        "forecast",
        "margin",
        N_("end"),
        "notice",
    )
}


def renewals(
    figures: Sequence[ContractFigures], lang: str, currency: str, target_margin: Decimal
) -> tuple[pd.DataFrame, Columns]:
    """The renewal list in the given order (soonest deadline first), with the suggested action
    (its reason quotes amounts in currency) and the renewal price at target_margin (pricing.py):
    the suggested value and its change against the contract value (fraction; None when unknown)."""
    rows = []
    for f in figures:
        deadline = f.next_deadline
        action, reason = advice.suggest(f).text(lang, currency)
        price = pricing.for_contract(f, target_margin)
        rows.append(
            {
                "contract": f.contract_number,
                "customer": f.inputs.customer,
                "deadline": deadline,
                "days": (deadline - f.as_of).days,
                "end": f.inputs.end_date,
                "notice": f.notice_deadline,
                "auto_renew": f.inputs.auto_renew,
                "status": status_label(f.status, lang),
                "consumed": _fraction(f.consumed),
                "forecast": _money(f.forecast.total),
                "margin": _money(f.margin),
                "forecast_margin": _money(f.forecast_margin),
                "action": action,
                "reason": reason,
                "price": _money(price.suggested_value),
                "change": _fraction(price.change),
            }
        )
    return pd.DataFrame(rows, columns=list(RENEWAL_COLUMNS)), RENEWAL_COLUMNS


CATEGORY_COLUMNS: Columns = {
    "category": Column(N_("Category")),
    "budget": Column(N_("Budget"), "money"),
    "actual": Column(N_("Actual"), "money"),
    "consumed": Column(N_("Consumed"), "progress"),
}


def categories(rows: Sequence[CategoryRow], lang: str) -> tuple[pd.DataFrame, Columns]:
    data = [
        {
            "category": codes.category(r.category, lang),
            "budget": _money(r.budget),
            "actual": _money(r.actual),
            "consumed": _fraction(r.consumed),
        }
        for r in rows
        if r.budget or r.actual
    ]
    return pd.DataFrame(data, columns=list(CATEGORY_COLUMNS)), CATEGORY_COLUMNS


WORK_ORDER_COLUMNS: Columns = {
    "number": Column(N_("Work order")),
    "date": Column(N_("Date"), "date"),
    "type": Column(N_("Type")),
    "status": Column(N_("Status")),
    "description": Column(N_("Description"), width="medium"),
    "hours": Column(N_("Hours"), "number", decimals=1),
    "labour": Column(N_("Labour"), "money"),
    "material": Column(N_("Material"), "money"),
    "cost": Column(N_("Cost"), "money"),
    "in_term": Column(N_("In term"), "check", N_("Lines outside the term are not counted")),
    "scope": Column(
        N_("Scope"), help=N_("Covered by the contract, or billed on top (meerwerk: not in the actuals)")
    ),
    "revenue": Column(
        N_("Revenue"), "money", N_("Hours x sales rate + quantity x unit price; billed work only")
    ),
}


def work_orders(rows: Sequence[WorkOrderRow], lang: str) -> tuple[pd.DataFrame, Columns]:
    data = [
        {
            "number": r.work_order_number,
            "date": r.date,
            "type": codes.work_order_type(r.type, lang),
            "status": codes.work_order_status(r.status, lang),
            "description": r.description or "",
            "hours": float(r.hours),
            "labour": _money(r.labour),
            "material": _money(r.material),
            "cost": _money(r.cost),
            "in_term": r.in_term,
            "scope": i18n.t(BILLED if r.billed else COVERED, lang),
            "revenue": _money(r.revenue) if r.billed else None,
        }
        for r in rows
    ]
    return pd.DataFrame(data, columns=list(WORK_ORDER_COLUMNS)), WORK_ORDER_COLUMNS


COVERED, BILLED = N_("covered"), N_("billed on top")
EXTRA_MONTH_COLUMNS: Columns = {
    "month": Column(N_("Month")),
    "work_orders": Column(N_("Work orders"), "number", decimals=0),
    "cost": Column(N_("Cost"), "money"),
    "revenue": Column(N_("Revenue"), "money"),
    "margin": Column(N_("Margin"), "money"),
}


def extra_months(rows: Sequence[ExtraMonth], lang: str) -> tuple[pd.DataFrame, Columns]:
    """The work billed on top month by month (contract_detail.PageTables.extra_months)."""
    data = [
        {
            "month": i18n.month(r.month, lang),
            "work_orders": r.work_orders,
            "cost": _money(r.cost),
            "revenue": _money(r.revenue),
            "margin": _money(r.margin),
        }
        for r in rows
    ]
    return pd.DataFrame(data, columns=list(EXTRA_MONTH_COLUMNS)), EXTRA_MONTH_COLUMNS


HOURS_COLUMNS: Columns = {
    "employee": Column(N_("Employee")),
    "hour_type": Column(N_("Hour type")),
    "hours": Column(N_("Hours"), "number", decimals=1),
    "cost": Column(N_("Cost"), "money"),
}


def hours(rows: Sequence[HoursRow], lang: str) -> tuple[pd.DataFrame, Columns]:
    data = [
        {
            "employee": r.employee or "",
            "hour_type": codes.hour_type(r.hour_type, lang),
            "hours": float(r.hours),
            "cost": _money(r.cost),
        }
        for r in rows
    ]
    return pd.DataFrame(data, columns=list(HOURS_COLUMNS)), HOURS_COLUMNS


MATERIAL_COLUMNS: Columns = {
    "article": Column(N_("Article")),
    "description": Column(N_("Description"), width="medium"),
    "quantity": Column(N_("Quantity"), "number"),
    "cost": Column(N_("Cost"), "money"),
}


def materials(rows: Sequence[MaterialRow], lang: str) -> tuple[pd.DataFrame, Columns]:
    data = [
        {
            "article": r.article_code or "",
            "description": r.description or "",
            "quantity": float(r.quantity),
            "cost": _money(r.cost),
        }
        for r in rows
    ]
    return pd.DataFrame(data, columns=list(MATERIAL_COLUMNS)), MATERIAL_COLUMNS


def finding_text(finding: Finding, lang: str, currency: str) -> str:
    """'5 × cost lines dated outside the contract term (not counted): €1,234'."""
    text = i18n.t(finding.message, lang)
    if finding.count:
        text = f"{finding.count} × {text}"
    if finding.amount is not None:
        text += f": {i18n.money(finding.amount, lang, currency)}"
    return text


def backtest(rows: Sequence[Accuracy], lang: str) -> tuple[pd.DataFrame, dict[str, Column]]:
    """The backtest's rows of one contract type (backtest.ordered): per checkpoint and method the
    contracts, median absolute and signed error, and the share whose status was right."""
    columns = {
        "checkpoint": Column(N_("Checkpoint"), "text"),
        "method": Column(
            N_("Method"), "text", help=N_("auto: the method picked per contract type; the rest as named")
        ),
        "contracts": Column(N_("Contracts"), "number", decimals=0),
        "ape": Column(
            N_("Median absolute error"),
            "text",
            help=N_("Half of the contracts were forecast closer than this."),
        ),
        "bias": Column(
            N_("Bias"), "text", help=N_("The median signed error: above 0 the forecasts were too high.")
        ),
        "right": Column(
            N_("Status right"), "text", help=N_("Of the budgeted ones: over budget or not, as it turned out.")
        ),
    }

    def pct(value: Decimal | None, signed: bool = False) -> str:
        shown = i18n.percent(value, lang, 1)
        return "+" + shown if signed and value is not None and value > 0 else shown

    data = [
        {
            "checkpoint": i18n.percent(Decimal(a.checkpoint) / 100, lang),
            "method": i18n.t(a.method, lang),
            "contracts": a.count,
            "ape": pct(a.median_ape),
            "bias": pct(a.bias, signed=True),
            "right": pct(a.status_right),
        }
        for a in rows
    ]
    return pd.DataFrame(data, columns=list(columns)), columns


def auto_picks(picks: Sequence[Pick], minimum: int, lang: str) -> tuple[pd.DataFrame, dict[str, Column]]:
    """What auto uses per contract type at each checkpoint, and why."""
    columns = {
        "type": Column(N_("Type"), "text"),
        "checkpoint": Column(N_("Checkpoint"), "text"),
        "method": Column(N_("Method"), "text"),
        "why": Column(N_("Why"), "text"),
    }
    data = [
        {
            "type": codes.contract_type(p.type, lang) or i18n.t("(none)", lang),
            "checkpoint": i18n.percent(Decimal(p.quarter) / 4, lang),
            "method": i18n.t(p.method, lang),
            "why": i18n.t(p.reason, lang, count=p.completed, minimum=minimum),
        }
        for p in sorted(picks, key=lambda p: (p.type, p.quarter))
    ]
    return pd.DataFrame(data, columns=list(columns)), columns
