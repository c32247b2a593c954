"""The review pack as one self-contained HTML page that prints to A4, one contract per page.

No scripts, fonts, images or styles are fetched: the charts are inline SVG, the
CSS is inline, and a Content-Security-Policy forbids any request, so the file
opens the same offline, in a mail client or from a file share.

The page is rendered from the Jinja2 templates in templates/ (pack.html, a
contract's contract.html, the pieces in macros.html, the style sheet pack.css)
with autoescape on: every value this module hands them is plain text, escaped
there, so a customer named `<script>` stays text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import jinja2
import markupsafe
from markupsafe import Markup

from budgetcore import i18n
from budgetcore.figures.metrics import NO_BUDGET, STATUS_COLOURS
from budgetcore.figures.summary import MonthActual
from budgetcore.i18n import t
from budgetcore.review import decision_rows, term_rows
from budgetcore.review.reports import (
    SUMMARY_COLUMNS,
    ContractReview,
    ReviewPack,
    Value,
    budget_rows,
    detail_note,
    extra_rows,
    facts,
    findings,
    hour_rows,
    material_rows,
    month_rows,
    subtitle,
    summary_columns,
    summary_table,
    term_text,
    title,
    work_order_rows,
)

LABOUR_COLOUR = "#3b6ea8"
MATERIAL_COLOUR = "#e0a030"


@functools.cache
def _money(lang: str, currency: str, cents: bool = True) -> Callable[[Decimal | None], str]:
    return i18n.money_formatter(lang, currency, cents)


# a pack repeats its dates (terms, deadlines, months), hours and percentages many times: each
# value is formatted once
_date = functools.lru_cache(maxsize=4096)(i18n.date)
_month = functools.lru_cache(maxsize=1024)(i18n.month)
_number = functools.lru_cache(maxsize=8192)(i18n.number)
_percent = functools.lru_cache(maxsize=8192)(i18n.percent)


def _cell(value: object, kind: str, lang: str, currency: str) -> str:
    return term_rows.cell_text(value, kind, lang, currency)


def _table(
    header: Sequence[str], rows: Sequence[Sequence[Value]], lang: str, currency: str, cls: str = ""
) -> dict:
    """A table for macros.table: headers with whether their column holds numbers, and its rows
    as markup (_body); a number 'n' and a date 'd' are never broken across lines."""
    numeric = [term_rows.is_numeric(kind) for _, kind in rows[0]] if rows else []
    head = [(h, n < len(numeric) and numeric[n]) for n, h in enumerate(header)]
    return {"cls": cls, "head": head, "body": _body(rows, lang, currency)}


def _body(rows: Sequence[Sequence[Value]], lang: str, currency: str) -> Markup:
    """A table's rows as HTML: per cell its text (escaped), in a cell with its CSS class, or a
    status badge. Every text of the table is escaped by one markupsafe.escape of them all,
    joined by NULs (a list of 37,225 contracts has 560,000 cells; escaping each, and a template
    loop over each, took most of the page's time); a table holding a NUL is escaped cell by cell."""
    texts: list[str] = []
    shapes: list[str] = []  # per cell its markup around the text: '<td class="n">{}</td>'
    for row in rows:
        for value, kind in row:
            if kind == "status":
                badge = _status(str(value), lang)
                shapes.append(_badge(badge["colour"]))
                texts.append(badge["text"])
            else:
                shapes.append(_SHAPES.get(kind, "<td>{}</td>"))
                texts.append(_cell(value, kind, lang, currency))
    joined = "\x00".join(texts)
    if joined.count("\x00") == len(texts) - 1:
        escaped = str(markupsafe.escape(joined)).split("\x00")
    else:
        escaped = [str(markupsafe.escape(text)) for text in texts]
    cells = iter([shape.format(text) for shape, text in zip(shapes, escaped, strict=True)])
    return Markup("".join("<tr>" + "".join(next(cells) for _ in row) + "</tr>" for row in rows))


@functools.cache
def _badge(colour: str) -> str:
    """A status badge's cell around its text (macros.status)."""
    return '<td><span class="status" style="background:' + str(markupsafe.escape(colour)) + '">{}</span></td>'


# a cell's CSS class by its kind: numbers 'n', dates 'd' (neither broken across lines), sentences 'long'
_CLASSES = {
    **{kind: "n" for base in term_rows.NUMERIC for kind in (base, term_rows.OVER + base)},
    "date": "d",
    "month": "d",
    "longtext": "long",
}


# a cell's markup around its (escaped) text, by the cell's kind
_SHAPES = {kind: f'<td class="{cls}">{{}}</td>' for kind, cls in _CLASSES.items() if cls}


def _status(status: str, lang: str) -> dict[str, str]:
    """A status badge: its text in lang on the status's colour."""
    return {"text": t(status, lang), "colour": STATUS_COLOURS.get(status, STATUS_COLOURS[NO_BUDGET])}


def _nice_step(top: float) -> float:
    """A round gridline step (1, 2, 2.5 or 5 x 10^n) giving about four lines up to top."""
    if top <= 0:
        return 1.0
    raw = top / 4
    power = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def month_chart(months: Sequence[MonthActual], lang: str, currency: str) -> dict[str, Any]:
    """Stacked labour and material columns per month, for macros.month_chart: the geometry of an
    SVG of 720 x 240 user units (coordinates as text with one decimal)."""
    width, height, left, bottom, top_pad = 720, 240, 70, 40, 14
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max((float(m.labour + m.material) for m in months), default=0.0)
    step = _nice_step(top)
    ceiling = step * max(1, -(-top // step))
    slot = plot_w / max(len(months), 1)
    bar = max(min(slot * 0.7, 40), 2)
    grid = []
    y = 0.0
    while y <= ceiling + 1e-9:
        py = top_pad + plot_h - y / ceiling * plot_h
        label = _money(lang, currency, cents=False)(Decimal(int(y)))
        grid.append({"y": f"{py:.1f}", "text_y": f"{py + 4:.1f}", "label": label})
        y += step
    label_every = max(1, -(-len(months) // 9))  # at most nine month labels
    base = top_pad + plot_h
    bars = []
    for n, m in enumerate(months):
        x = left + n * slot + (slot - bar) / 2
        h_lab = float(m.labour) / ceiling * plot_h
        h_mat = float(m.material) / ceiling * plot_h
        money = _money(lang, currency)
        tip = f"{_month(m.month, lang)}: {t('Labour', lang)} {money(m.labour)}, {t('Material', lang)} {money(m.material)}"
        bars.append({
            "tip": tip, "x": f"{x:.1f}", "width": f"{bar:.1f}",
            "labour_y": f"{base - h_lab:.1f}", "labour_h": f"{h_lab:.1f}",
            "material_y": f"{base - h_lab - h_mat:.1f}", "material_h": f"{h_mat:.1f}",
            "label": _month(m.month, lang) if n % label_every == 0 else "", "label_x": f"{x + bar / 2:.1f}",
        })  # fmt: skip
    legend = [
        {"x": left + i * 130, "name": name, "colour": colour}
        for i, (name, colour) in enumerate(
            ((t("Labour", lang), LABOUR_COLOUR), (t("Material", lang), MATERIAL_COLOUR))
        )
    ]
    return {
        "width": width, "height": height, "left": left, "right": width - 10, "label_y": base + 16,
        "label": t("Actual cost per month", lang), "grid": grid, "bars": bars, "legend": legend,
        "legend_y": height - 6, "labour_colour": LABOUR_COLOUR, "material_colour": MATERIAL_COLOUR,
    }  # fmt: skip


def _contract(review: ContractReview, lang: str, currency: str) -> dict[str, Any]:
    """What contract.html shows of one contract, as text and tables."""
    f = review.figures
    items = facts(review, lang)
    half = (len(items) + 1) // 2
    decided = decision_rows.current(review, lang)
    undecided = "" if decided else t("No decision yet: to fill in at the review.", lang)
    c = review.last_term
    return {
        "number": f.contract_number,
        "customer": f.inputs.customer,
        "status": _status(f.status, lang),
        "name": f.inputs.name or "",
        "term": term_text(f, lang),
        "facts": [
            [(label, _cell(v, k, lang, currency)) for label, (v, k) in chunk]
            for chunk in (items[:half], items[half:])
        ],
        "undecided": undecided,
        "decision": [
            (label, _cell(v, k, lang, currency), k == "blank")
            for label, (v, k) in (decided or decision_rows.to_fill_in(review, lang))
        ],
        "history": _table(*decision_rows.history(review, lang), lang, currency) if review.decisions else None,
        "budget": _table(*budget_rows(review, lang), lang, currency),
        "periods": _table(*term_rows.variance_rows(review.periods, lang), lang, currency, cls="periods"),
        "running": term_rows.running_note(review.periods, review.figures.as_of, lang, currency),
        "last_term": None if c is None else _table(*term_rows.last_term_rows(c, lang), lang, currency),
        "verdict": "" if c is None else term_rows.verdict(c, lang, currency),
        "chart": month_chart(review.months, lang, currency) if review.months else None,
        "months": _table(*month_rows(review, lang), lang, currency),
        # what the work billed on top was (Scope), when there is any
        "extra": _table(*extra_rows(review, lang), lang, currency) if review.extra_months else None,
        "details": [
            (caption, _table(header, rows, lang, currency) if rows else None, empty)
            for caption, (header, rows), empty in (
                (t("Work orders", lang), work_order_rows(review, lang), t("No work orders.", lang)),
                (t("Hours by employee", lang), hour_rows(review, lang), t("No hour lines.", lang)),
                (t("Materials by article", lang), material_rows(review, lang), t("No material lines.", lang)),
            )
        ],
        "findings": findings(review, lang),
    }


def _words(lang: str) -> dict[str, str]:
    """The captions every contract's section shares, in lang."""
    return {
        "decision": t("Renewal decision", lang),
        "history": t("Decision history", lang),
        "budget": t("Budget vs actual", lang),
        "periods": t("Budget vs actual per quarter of the term", lang),
        "last_term": t("This term against the previous one", lang),
        "months": t("Actuals per month", lang),
        "no_months": t("No cost lines yet.", lang),
        "extra": t("Billed on top (meerwerk)", lang),
        "findings": t("Data quality", lang),
    }


@functools.cache
def _templates() -> jinja2.Environment:
    """The pack's templates, from this package (so an installed budgetcore has them too)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("budgetcore.review", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def html(pack: ReviewPack, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The whole pack as one HTML document (str), summary first, then a page per contract.

    A single contract (window_days None) needs no list: its heading and its
    section then share one portrait page.
    """
    currency = pack.settings.currency
    listed = len(pack.every)
    single = pack.window_days is None and listed == 1
    summary = None
    if listed and not single:
        # A4 landscape holds fifteen columns legibly: the workbook has the other three (the work
        # billed on top is on each contract's page here)
        keep = [
            n
            for n, c in enumerate(SUMMARY_COLUMNS)
            if c not in ("Elapsed", "Margin to date", "Billed on top")
        ]
        header = [summary_columns(lang)[n] for n in keep]
        table = summary_table(pack.every, lang)
        kept = [[(value, kind) for value in values] for values, kind in (table[n] for n in keep)]
        summary = _table(header, list(zip(*kept, strict=True)), lang, currency, cls="summary")
    return (
        _templates()
        .get_template("pack.html")
        .render(
            lang=lang,
            heading=title(pack, lang),
            subtitle=subtitle(pack, lang),
            single=single,
            note=detail_note(pack, lang) or "",  # a long list: pages for its first contracts only
            summary=summary,
            empty="" if listed else t("No contracts in this selection.", lang),
            generated=t("Generated {when}", lang, when=i18n.date(pack.generated.date(), lang)),
            currency_note=t("Figures in {currency}, costs at cost price.", lang, currency=currency),
            words=_words(lang),
            contracts=[_contract(r, lang, currency) for r in pack.contracts],
        )
    )
