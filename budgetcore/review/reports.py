"""The renewal review pack: what goes into it, and the rows and labels both of its forms show.

A pack is plain data (ReviewPack) gathered once by collect();
report_xlsx.workbook() turns it into an .xlsx workbook and report_html.html()
into a self-contained HTML page, so both always show the same figures. Labels
are English text keys for i18n.t(). Each table cell is a (value, kind) pair:
money is Decimal (the settings' currency, EUR by default), fractions such as
consumed are Decimal 0..1, and each form formats them its own way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sqlalchemy.orm import Session

from budgetcore import clock, i18n
from budgetcore.figures import (
    advice,
    codes,
    contract_detail,
    last_term,
    metrics,
    portfolio,
    pricing,
    summary,
    variance,
)
from budgetcore.figures.contract_detail import (
    CategoryRow,
    ExtraMonth,
    Finding,
    HoursRow,
    MaterialRow,
    WorkOrderRow,
)
from budgetcore.figures.metrics import ContractFigures, ContractInputs
from budgetcore.figures.pricing import PriceSuggestion
from budgetcore.figures.settings import Settings
from budgetcore.figures.summary import MonthActual
from budgetcore.i18n import N_, t
from budgetcore.review import term_rows
from budgetcore.store import contract_reads
from budgetcore.store import decisions as stored_decisions
from budgetcore.store.decisions import Decision

ZERO = Decimal(0)


@dataclass(frozen=True)
class ContractReview:
    """Everything the pack shows about one contract, from contract_detail, summary and review."""

    figures: ContractFigures
    suggestion: advice.Suggestion
    price: PriceSuggestion
    months: Sequence[MonthActual] = ()
    work_orders: Sequence[WorkOrderRow] = ()
    hours: Sequence[HoursRow] = ()
    materials: Sequence[MaterialRow] = ()
    findings: Sequence[Finding] = ()
    currency: str = "EUR"  # the settings' ISO code the reason and the findings write amounts in
    time_zone: str = "Europe/Amsterdam"  # the settings' zone the decisions' times are shown in
    decisions: Sequence[Decision] = ()  # renewal decisions, the current (latest) first
    last_term: last_term.Comparison | None = None  # against the contract it renews, when known
    periods: Sequence[variance.PeriodVariance] = ()  # budget against actual per quarter of the term
    extra_months: Sequence[ExtraMonth] = ()  # the work billed on top, per month (Scope)
    decision: str = ""  # the current renewal decision's action, '' without one (the summary's column)

    @property
    def contract_number(self) -> str:
        return self.figures.contract_number


DETAILED = 100  # a pack's pages: the first this many contracts of its list, soonest deadline first


@dataclass(frozen=True)
class ReviewPack:
    """The contracts of one review (a renewals list or one contract) at as_of: every one in
    the summary and the roll-ups (listed), the first DETAILED with a page each (contracts)."""

    as_of: dt.date
    settings: Settings
    contracts: Sequence[ContractReview]  # with every detail: a page or a sheet each
    window_days: int | None = None  # None: a single contract, not a renewals list
    generated: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    listed: Sequence[ContractReview] | None = None  # every contract, figures only; None: contracts

    @property
    def every(self) -> Sequence[ContractReview]:
        """Every contract of the review, for its summary and roll-ups."""
        return self.contracts if self.listed is None else self.listed

    @property
    def partial(self) -> bool:
        """Whether some contracts of the list have no page of their own."""
        return len(self.contracts) < len(self.every)


def collect(
    session: Session,
    as_of: dt.date,
    settings: Settings,
    *,
    contract_number: str | None = None,
    within_days: int | None = None,
    filters: portfolio.Filters = portfolio.Filters(),
    progress: Callable[[int, int], None] | None = None,
) -> ReviewPack:
    """One contract (contract_number), or the renewals list within the window (default:
    the settings' window) narrowed by filters, soonest deadline first, with the details of
    its first DETAILED contracts (each reads its work orders, hours, materials and more); statuses
    use the settings' thresholds. progress(done, total) is called before the first contract's
    details and after each, for a progress bar."""
    thresholds = settings.thresholds()
    window: int | None
    if contract_number is not None:
        found = contract_detail.figures(session, contract_number, as_of, thresholds)
        chosen, window = ([found] if found else []), None
    else:
        window = thresholds.renewal_window_days if within_days is None else within_days
        chosen = portfolio.renewals(session, as_of, thresholds, window, filters)
    current = stored_decisions.current(session, [f.contract_number for f in chosen])
    listed = [
        replace(summary_review(f, settings), decision=current[f.contract_number].action)
        if f.contract_number in current
        else summary_review(f, settings)
        for f in chosen
    ]
    detailed = contract_reviews(session, listed[:DETAILED], settings, progress)
    return ReviewPack(
        as_of=as_of,
        settings=settings,
        contracts=detailed,
        window_days=window,
        listed=listed,
    )


def summary_review(f: ContractFigures, settings: Settings) -> ContractReview:
    """What the summary and the roll-ups show of a contract: its figures, advice and price."""
    return ContractReview(
        figures=f,
        suggestion=advice.suggest(f),
        price=pricing.for_contract(f, settings.target_margin),
        currency=settings.currency,
        time_zone=settings.time_zone,
    )


def last_terms(
    session: Session, chosen: Sequence[ContractFigures], settings: Settings
) -> dict[str, last_term.Comparison]:
    """last_term.compare for many contracts at once: the contracts they renew read in one
    portfolio read rather than one each (each read calibrates the auto forecast again)."""
    previous = contract_reads.previous_numbers(session, [f.contract_number for f in chosen])
    wanted = sorted({p for n, p in previous.items() if p != n})
    if not wanted:
        return {}
    as_of = chosen[0].as_of
    found = {
        b.contract_number: b
        for b in portfolio.portfolio(
            session, as_of, settings.thresholds(), portfolio.Filters(contract_numbers=tuple(wanted))
        )
    }
    return {
        f.contract_number: last_term.comparison(f, found[p], settings.target_margin)
        for f in chosen
        if (p := previous.get(f.contract_number)) in found and p != f.contract_number
    }


def contract_reviews(
    session: Session,
    listed: Sequence[ContractReview],
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
) -> list[ContractReview]:
    """listed (summary_review) with the details of each contract's page: its page tables
    (contract_detail.page_tables, as on the contract page), months, quarters, decision history
    and last term, each kind read for all of them in one go. progress(done, total) as collect's."""
    if progress is not None:
        progress(0, len(listed))
    if not listed:
        return []
    chosen = [r.figures for r in listed]
    numbers = [f.contract_number for f in chosen]
    as_of = chosen[0].as_of
    tables = contract_detail.page_tables(session, numbers, as_of)
    months = summary.monthly_actuals_by_contract(session, as_of, numbers)
    quarters = variance.variances(session, chosen, "quarter")
    decided = stored_decisions.histories(session, numbers)
    before = last_terms(session, chosen, settings)
    detailed = []
    for n, r in enumerate(listed, start=1):
        f, page = r.figures, tables[r.contract_number]
        detailed.append(
            replace(
                r,
                months=every_month(
                    months[f.contract_number], f.inputs.start_date, min(as_of, f.inputs.end_date)
                ),
                work_orders=page.work_orders,
                hours=page.hours,
                materials=page.materials,
                findings=page.findings,
                decisions=decided.get(f.contract_number, []),
                last_term=before.get(f.contract_number),
                periods=quarters[f.contract_number],
                extra_months=page.extra_months,
            )
        )
        if progress is not None:
            progress(n, len(listed))
    return detailed


def every_month(months: Sequence[MonthActual], first: dt.date, last: dt.date) -> list[MonthActual]:
    """months with the months between first and last that had no cost added as zeros,
    so a chart's time axis has no silent gaps."""
    known = {m.month: m for m in months}
    day = first.replace(day=1)
    result = []
    while day <= last:
        result.append(known.pop(day, MonthActual(day, ZERO, ZERO)))
        day = clock.next_month(day)
    return sorted([*result, *known.values()], key=lambda m: m.month)


# ---------------------------------------------------------------- shared labels


def title(pack: ReviewPack, lang: str) -> str:
    if pack.window_days is None and len(pack.contracts) == 1:
        return t("Contract review {number}", lang, number=pack.contracts[0].contract_number)
    return t("Renewal review", lang)


def detail_note(pack: ReviewPack, lang: str) -> str | None:
    """What a pack that details only part of its list says about the rest; None when whole."""
    if not pack.partial:
        return None
    return t(
        "Pages for the first {n} of {total} contracts, soonest deadline first; the summary lists "
        "them all. Narrow the window or the filters for the pages of the others.",
        lang,
        n=i18n.number(len(pack.contracts), lang, 0),
        total=i18n.number(len(pack.every), lang, 0),
    )


def subtitle(pack: ReviewPack, lang: str) -> str:
    s = pack.settings
    parts = [t("As of {date}", lang, date=i18n.date(pack.as_of, lang))]
    if pack.window_days is not None:
        parts.append(t("renewal or notice deadline within {days} days", lang, days=pack.window_days))
    parts.append(
        t(
            "at risk above {margin} over budget, watch from {level} consumed, target margin {target}",
            lang,
            margin=i18n.percent(s.at_risk_margin, lang),
            level=i18n.percent(s.watch_level, lang),
            target=i18n.percent(s.target_margin, lang),
        )
    )
    return " · ".join(parts)


def yes_no(value: bool, lang: str) -> str:
    return t("yes", lang) if value else t("no", lang)


def term_text(f: ContractFigures, lang: str) -> str:
    return f"{i18n.date(f.inputs.start_date, lang)} – {i18n.date(f.inputs.end_date, lang)}"


def findings(r: ContractReview, lang: str) -> list[str]:
    """The contract's data-quality remarks in lang: '5 × what (€ 1.234,56)'."""
    shown = []
    for finding in r.findings:
        text = t(finding.message, lang)
        if finding.count:
            text = f"{finding.count} × {text}"
        if finding.amount is not None:
            text += f" ({i18n.money(finding.amount, lang, r.currency)})"
        shown.append(text)
    return shown


# A value in a table row, with the kind of number it is, so Excel and HTML both
# know how to show it: 'money', 'pct' (fraction), 'num' (2 decimals), 'int',
# 'date', 'month', 'text', 'longtext' (a sentence), 'status' (an English status key).
Value = tuple[object, str]


SUMMARY_COLUMNS = (
    "Contract",
    "Customer",
    "Status",
    "End date",
    "Notice deadline",
    "Budget",
    "Actual",
    "Billed on top",
    "Consumed",
    "Elapsed",
    "Forecast",
    "Margin to date",
    "Forecast margin",
    "Suggested action",
    "Reason",
    "Contract value",
    "Suggested value",
    "Change",
    "Indexation",
    "Decision",
)


def summary_columns(lang: str) -> list[str]:
    """The headers of the summary, in lang; summary_table() gives the columns in this order."""
    return [t(c, lang) for c in SUMMARY_COLUMNS]


def summary_table(listed: Sequence[ContractReview], lang: str) -> list[tuple[list[object], str]]:
    """The packs' summary table of these contracts a column at a time: per column of
    summary_columns its values, one per contract, and their kind."""
    f = [r.figures for r in listed]
    inputs = [x.inputs for x in f]
    said = [r.suggestion.text(lang, r.currency) for r in listed]
    prices = [r.price for r in listed]
    return [
        ([x.contract_number for x in f], "text"),
        ([i.customer for i in inputs], "text"),
        ([x.status for x in f], "status"),  # the English status: HTML colours it, both translate it
        ([i.end_date for i in inputs], "date"),
        ([x.notice_deadline for x in f], "date"),
        ([x.budget_total for x in f], "money"),
        ([x.actual_total for x in f], "money"),
        ([i.extra_cost for i in inputs], "money"),
        ([x.consumed for x in f], "pct"),
        ([x.elapsed for x in f], "pct"),
        ([x.forecast.total for x in f], "money"),
        ([x.margin for x in f], "money"),
        ([x.forecast_margin for x in f], "money"),
        ([action for action, _ in said], "text"),
        ([reason for _, reason in said], "longtext"),
        ([i.contract_value for i in inputs], "money"),
        ([p.suggested_value for p in prices], "money"),
        ([p.change for p in prices], "pct"),
        ([p.indexation for p in prices], "pct"),
        ([t(r.decision, lang) if r.decision else "" for r in listed], "text"),
    ]


def facts(r: ContractReview, lang: str) -> list[tuple[str, Value]]:
    f, i, p = r.figures, r.figures.inputs, r.price
    action, reason = r.suggestion.text(lang, r.currency)
    visits = visits_text(i)
    price_note = t(p.note, lang) if p.note else ""
    return [
        (t("Customer", lang), (i.customer, "text")),
        (t("Contract name", lang), (i.name or "", "text")),
        # 'yearly_orders' is a code; people write 'yearly orders' (jaarorders)
        (t("Type", lang), (codes.contract_type(i.type, lang), "text")),
        (t("Account manager", lang), (i.account_manager or "", "text")),
        (t("Term", lang), (term_text(f, lang), "text")),
        (t("Notice period (days)", lang), (i.notice_period_days, "int")),
        (t("Notice deadline", lang), (f.notice_deadline, "date")),
        (t("Days to notice deadline", lang), (f.days_to_notice, "int")),
        (t("Days to end", lang), (f.days_to_end, "int")),
        (t("Auto-renew", lang), (yes_no(i.auto_renew, lang), "text")),
        (t("Terminated on", lang), (i.terminated_on, "date")),
        (t("Visits done / planned", lang), (visits, "text")),
        (t("Corrective work orders / expected for its type", lang), (calls_text(f, lang), "text")),
        (t("Status", lang), (t(f.status, lang), "text")),
        (t("Consumed", lang), (f.consumed, "pct")),
        (t("Elapsed", lang), (f.elapsed, "pct")),
        (t("Burn index", lang), (metrics.fraction(f.burn_index, 2), "num")),
        (t("Forecast at end of term", lang), (f.forecast.total, "money")),
        (t("Forecast method", lang), (t(metrics.FORECAST_METHODS[f.forecast.method], lang), "text")),
        (t("Contract value", lang), (i.contract_value, "money")),
        (t("Margin to date", lang), (f.margin, "money")),
        (t("Forecast margin", lang), (f.forecast_margin, "money")),
        # work billed on top (Scope): beside the figures above, which count covered work only
        (t("Billed on top: cost / revenue / margin", lang), (extra_text(f, lang, r.currency), "text")),
        (t("Out of scope", lang), (scope_text(f, lang, r.currency), "text")),
        (t("Suggested action", lang), (action, "text")),
        (t("Reason", lang), (reason, "text")),
        (t("Target margin", lang), (p.target_margin, "pct")),
        (
            t("Suggested value", lang),
            (p.suggested_value, "money") if p.suggested_value else (price_note, "text"),
        ),
        (t("Change against contract value", lang), (p.change, "pct")),
        (t("Indexation", lang), (p.indexation, "pct")),
        (t("Indexed value", lang), (p.indexed_value, "money")),
        (t("Cost-based price", lang), (p.cost_price, "money")),
    ]


def budget_rows(r: ContractReview, lang: str) -> tuple[list[str], list[list[Value]]]:
    """Budget vs actual per category (EUR), then hours; 'other' has no cost lines. Variance is
    actual - budget, over budget above 0, as in variance per period (term_rows.OVER)."""
    i = r.figures.inputs
    header = [t(c, lang) for c in ("Category", "Budget", "Actual", N_("Variance"), "Consumed")]
    rows: list[list[Value]] = []
    total = CategoryRow("total", r.figures.budget_total or ZERO, r.figures.actual_total)
    for c in (*contract_detail.by_category(r.figures), total):
        rows.append(
            [
                (codes.category(c.category, lang), "text"),
                (c.budget if i.budget_lines else None, "money"),
                (c.actual, "money"),
                (c.actual - c.budget if i.budget_lines else None, term_rows.OVER + "money"),
                (c.consumed, "pct"),
            ]
        )
    rows.append(
        [
            (t("Hours", lang), "text"),
            (i.budget_hours if i.budget_hours else None, "num"),
            (i.actual_hours, "num"),
            (i.actual_hours - i.budget_hours if i.budget_hours else None, term_rows.OVER + "num"),
            (r.figures.hours_used, "pct"),
        ]
    )
    return header, rows


def month_rows(r: ContractReview, lang: str) -> tuple[list[str], list[list[Value]]]:
    header = [t(c, lang) for c in ("Month", "Labour", "Material", N_("Total"))]
    return header, [
        [(m.month, N_("month")), (m.labour, "money"), (m.material, "money"), (m.labour + m.material, "money")]
        for m in r.months
    ]


def work_order_rows(r: ContractReview, lang: str) -> tuple[list[str], list[list[Value]]]:
    header = [
        t(c, lang)
        for c in (
            "Work order",
            "Date",
            "Type",
            "Status",
            "Description",
            "Hours",
            "Labour",
            "Material",
            "Total",
            "Scope",
            "Revenue",
        )
    ]
    return header, [
        [
            (w.work_order_number, "text"),
            (w.date, "date"),
            (codes.work_order_type(w.type, lang), "text"),
            (codes.work_order_status(w.status, lang), "text"),
            (w.description or "", "text"),
            (w.hours, "num"),
            (w.labour, "money"),
            (w.material, "money"),
            (w.cost, "money"),
            (t("billed on top", lang) if w.billed else t("covered", lang), "text"),
            (w.revenue if w.billed else None, "money"),
        ]
        for w in r.work_orders
    ]


def extra_text(f: ContractFigures, lang: str, currency: str = "EUR") -> str:
    """'€1,200 / €950 / -€250 (64.9% of all cost)': the work billed on top in one line."""
    i = f.inputs
    money = [i18n.money(v, lang, currency) for v in (i.extra_cost, i.extra_revenue, f.extra_margin)]
    share = (
        ""
        if f.extra_share is None
        else " " + t("({share} of all cost)", lang, share=i18n.percent(f.extra_share, lang, 1))
    )
    return " / ".join(money) + share


def scope_text(f: ContractFigures, lang: str, currency: str = "EUR") -> str:
    """'no', or why the contract is out of scope with its figures (advice.scope_reason)."""
    reason = advice.scope_reason(f)
    return yes_no(False, lang) if reason is None else reason.text(lang, currency)[1]


def extra_rows(r: ContractReview, lang: str) -> tuple[list[str], list[list[Value]]]:
    """What the work billed on top was: per month, its work orders, cost, revenue and margin."""
    header = [t(c, lang) for c in ("Month", "Work orders", "Cost", "Revenue", "Margin")]
    return header, [
        [
            (m.month, "month"),
            (m.work_orders, "int"),
            (m.cost, "money"),
            (m.revenue, "money"),
            (m.margin, "money"),
        ]
        for m in r.extra_months
    ]


def hour_rows(r: ContractReview, lang: str) -> tuple[list[str], list[list[Value]]]:
    header = [t(c, lang) for c in ("Employee", "Hour type", "Hours", "Cost")]
    return header, [
        [
            (h.employee or "", "text"),
            (codes.hour_type(h.hour_type, lang), "text"),
            (h.hours, "num"),
            (h.cost, "money"),
        ]
        for h in r.hours
    ]


def material_rows(r: ContractReview, lang: str) -> tuple[list[str], list[list[Value]]]:
    header = [t(c, lang) for c in ("Article", "Description", "Quantity", "Cost")]
    return header, [
        [
            (m.article_code or "", "text"),
            (m.description or "", "text"),
            (m.quantity, "num"),
            (m.cost, "money"),
        ]
        for m in r.materials
    ]


def visits_text(i: ContractInputs) -> str:
    """'3 / 4': periodic visits done and planned ('—' when none are planned); the pack and the
    contract page alike."""
    return f"{i.visits_done} / {i.planned_visits or '—'}"


def calls_text(f: ContractFigures, lang: str) -> str:
    """'10 / 4.0': corrective work orders so far and those its type leads one to expect to date
    ('—' when its type has no day done yet); the pack and the contract page alike."""
    expected = "—" if f.expected_calls is None else i18n.number(f.expected_calls, lang, 1)
    return f"{f.inputs.calls_done} / {expected}"
