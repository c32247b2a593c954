"""The review pack as one self-contained HTML page that prints to A4, one contract per page.

No scripts, fonts, images or styles are fetched: the charts are inline SVG drawn
here, the CSS is inline, and a Content-Security-Policy forbids any request, so
the file opens the same offline, in a mail client or from a file share.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

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
    summary_cells,
    summary_columns,
    term_text,
    title,
    work_order_rows,
)

LABOUR_COLOUR = "#3b6ea8"
MATERIAL_COLOUR = "#e0a030"

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, Helvetica, sans-serif; font-size: 10pt;
       color: #1f2933; margin: 0 auto; max-width: 277mm; padding: 8mm 4mm; }
h1 { font-size: 17pt; margin: 0 0 2mm; }
h2 { font-size: 14pt; margin: 0 0 1mm; }
h3 { font-size: 11pt; margin: 5mm 0 1.5mm; border-bottom: 1px solid #c8d1dc; padding-bottom: 0.5mm; }
.sub { color: #52606d; margin: 0 0 4mm; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { padding: 1mm 1.5mm; border-bottom: 1px solid #e4e7eb; text-align: left; vertical-align: top; }
th { background: #dde4ee; font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.d { white-space: nowrap; }
td.long { min-width: 48mm; }
td.blank { border-bottom: 1px solid #52606d; height: 7mm; }
.decision th { width: 34%; background: none; color: #52606d; font-weight: 400; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
.summary td, .summary th { font-size: 7pt; padding: 0.8mm 0.8mm; }
/* the summary fits the page it is printed on, landscape or portrait: the text columns
   (customer, reason) wrap at their spaces and take what the numbers leave; an amount, a
   percentage, a date, a contract number and a status badge are never broken across lines */
.summary th, .summary th.n { hyphens: manual; white-space: normal; }
.summary td.n, .summary td.d, .summary td:first-child, .summary .status { white-space: nowrap; }
.summary td.long { min-width: 30mm; }
/* upright (portrait): the notice deadline, budget, actual and contract value make way; the
   workbook and each contract's section have them */
@media (max-width: 200mm) {
  .summary td, .summary th { font-size: 6.5pt; padding: 0.5mm 0.6mm; }
  .summary th:nth-child(5), .summary td:nth-child(5), .summary th:nth-child(6), .summary td:nth-child(6),
  .summary th:nth-child(7), .summary td:nth-child(7), .summary th:nth-child(13),
  .summary td:nth-child(13) { display: none; }
}
@media screen { .wide { overflow-x: auto; } }
/* nine columns in a contract's 190 mm: a size smaller, the headers wrap, the figures do not */
.periods td, .periods th { font-size: 7.5pt; padding: 0.8mm 1mm; }
.periods th, .periods th.n { white-space: normal; }
.status { display: inline-block; padding: 0 1.5mm; border-radius: 2mm; color: #fff; font-weight: 600;
          white-space: nowrap; }
.facts { display: grid; grid-template-columns: 1fr 1fr; column-gap: 8mm; }
.facts dl { display: grid; grid-template-columns: 46% 54%; column-gap: 2mm; margin: 0; }
.facts dt { color: #52606d; padding: 0.5mm 0; }
.facts dd { margin: 0; padding: 0.5mm 0; font-weight: 600; }
@media screen and (max-width: 600px) { .facts { grid-template-columns: 1fr; } }
.empty, .note { color: #52606d; font-style: italic; }
.findings li { color: #8a4b08; }
svg text { font-family: inherit; }
section.contract { break-before: page; page-break-before: always; padding-top: 2mm; }
@page { size: A4 portrait; margin: 12mm 12mm 14mm; }
/* the renewals list is wide: its page turns sideways, the contract pages stay upright */
header.cover { page: cover; }
@page cover { size: A4 landscape; }
section.contract { max-width: 190mm; margin: 0 auto; }
header.single { max-width: 190mm; margin: 0 auto; }
header.single + section.contract { break-before: auto; page-break-before: auto; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def _cell(value: object, kind: str, lang: str, currency: str) -> str:
    return term_rows.cell_text(value, kind, lang, currency)


def _table(
    header: Sequence[str], rows: Sequence[Sequence[Value]], lang: str, currency: str, cls: str = ""
) -> str:
    numeric = [term_rows.is_numeric(kind) for _, kind in rows[0]] if rows else []
    head = "".join(
        f'<th class="n">{escape(h)}</th>' if i < len(numeric) and numeric[i] else f"<th>{escape(h)}</th>"
        for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(_cell(v, k, lang, currency))}</td>'
            if term_rows.is_numeric(k)
            else f"<td>{_status(str(v), lang)}</td>"
            if k == "status"
            else f'<td class="d">{escape(_cell(v, k, lang, currency))}</td>'
            if k in ("date", "month")
            else f'<td class="long">{escape(_cell(v, k, lang, currency))}</td>'
            if k == "longtext"
            else f"<td>{escape(_cell(v, k, lang, currency))}</td>"
            for v, k in row
        )
        + "</tr>"
        for row in rows
    )
    # in a div that a narrow screen scrolls sideways: the figures keep their lines (CSS .wide)
    return f'<div class="wide"><table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _status(status: str, lang: str) -> str:
    colour = STATUS_COLOURS.get(status, STATUS_COLOURS[NO_BUDGET])
    return f'<span class="status" style="background:{colour}">{escape(t(status, lang))}</span>'


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


def month_chart(months: Sequence[MonthActual], lang: str, currency: str) -> str:
    """Stacked labour and material columns per month as inline SVG (720 x 240 user units)."""
    width, height, left, bottom, top_pad = 720, 240, 70, 40, 14
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max((float(m.labour + m.material) for m in months), default=0.0)
    step = _nice_step(top)
    ceiling = step * max(1, -(-top // step))
    slot = plot_w / max(len(months), 1)
    bar = max(min(slot * 0.7, 40), 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(t("Actual cost per month", lang))}">'
    ]
    y = 0.0
    while y <= ceiling + 1e-9:
        py = top_pad + plot_h - y / ceiling * plot_h
        label = i18n.money(Decimal(int(y)), lang, currency, cents=False)
        parts.append(f'<line x1="{left}" y1="{py:.1f}" x2="{width - 10}" y2="{py:.1f}" stroke="#e4e7eb"/>')
        parts.append(
            f'<text x="{left - 6}" y="{py + 4:.1f}" font-size="11" text-anchor="end" fill="#52606d">'
            f"{escape(label)}</text>"
        )
        y += step
    label_every = max(1, -(-len(months) // 9))  # at most nine month labels
    for n, m in enumerate(months):
        x = left + n * slot + (slot - bar) / 2
        h_lab = float(m.labour) / ceiling * plot_h
        h_mat = float(m.material) / ceiling * plot_h
        base = top_pad + plot_h
        tip = f"{i18n.month(m.month, lang)}: {t('Labour', lang)} {i18n.money(m.labour, lang, currency)}, "
        tip += f"{t('Material', lang)} {i18n.money(m.material, lang, currency)}"
        parts.append(
            f"<g><title>{escape(tip)}</title>"
            f'<rect x="{x:.1f}" y="{base - h_lab:.1f}" width="{bar:.1f}" height="{h_lab:.1f}" fill="{LABOUR_COLOUR}"/>'
            f'<rect x="{x:.1f}" y="{base - h_lab - h_mat:.1f}" width="{bar:.1f}" height="{h_mat:.1f}" '
            f'fill="{MATERIAL_COLOUR}"/></g>'
        )
        if n % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{base + 16}" font-size="11" text-anchor="middle" '
                f'fill="#52606d">{escape(i18n.month(m.month, lang))}</text>'
            )
    legend_y = height - 6
    for i, (name, colour) in enumerate(
        ((t("Labour", lang), LABOUR_COLOUR), (t("Material", lang), MATERIAL_COLOUR))
    ):
        lx = left + i * 130
        parts.append(f'<rect x="{lx}" y="{legend_y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 17}" y="{legend_y}" font-size="12">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _facts(review: ContractReview, lang: str, currency: str) -> str:
    items = facts(review, lang)
    half = (len(items) + 1) // 2
    columns = []
    for chunk in (items[:half], items[half:]):
        rows = "".join(
            f"<dt>{escape(label)}</dt><dd>{escape(_cell(v, k, lang, currency)) or '–'}</dd>"
            for label, (v, k) in chunk
        )
        columns.append(f"<dl>{rows}</dl>")
    return f'<div class="facts">{"".join(columns)}</div>'


def _section(review: ContractReview, lang: str, currency: str) -> str:
    f = review.figures
    out = [
        f'<section class="contract" id="contract-{escape(f.contract_number, quote=True)}" '
        f'data-contract="{escape(f.contract_number, quote=True)}">',
        f"<h2>{escape(f.contract_number)} · {escape(f.inputs.customer)}</h2>",
        f'<p class="sub">{_status(f.status, lang)} {escape(f.inputs.name or "")} · {escape(term_text(f, lang))}</p>',
        _facts(review, lang, currency),
        *_decision(review, lang, currency),
        f"<h3>{escape(t('Budget vs actual', lang))}</h3>",
        _table(*budget_rows(review, lang), lang, currency),
        *_terms(review, lang, currency),
        f"<h3>{escape(t('Actuals per month', lang))}</h3>",
    ]
    if review.months:
        out.append(month_chart(review.months, lang, currency))
        out.append(_table(*month_rows(review, lang), lang, currency))
    else:
        out.append(f'<p class="empty">{escape(t("No cost lines yet.", lang))}</p>')
    if review.extra_months:  # what the work billed on top was (Scope), when there is any
        out.append(f"<h3>{escape(t('Billed on top (meerwerk)', lang))}</h3>")
        out.append(_table(*extra_rows(review, lang), lang, currency))
    for caption, (header, rows), empty in (
        (t("Work orders", lang), work_order_rows(review, lang), t("No work orders.", lang)),
        (t("Hours by employee", lang), hour_rows(review, lang), t("No hour lines.", lang)),
        (t("Materials by article", lang), material_rows(review, lang), t("No material lines.", lang)),
    ):
        out.append(f"<h3>{escape(caption)}</h3>")
        out.append(_table(header, rows, lang, currency) if rows else f'<p class="empty">{escape(empty)}</p>')
    found = findings(review, lang)
    if found:
        out.append(f"<h3>{escape(t('Data quality', lang))}</h3>")
        out.append('<ul class="findings">' + "".join(f"<li>{escape(x)}</li>" for x in found) + "</ul>")
    out.append("</section>")
    return "\n".join(out)


def _terms(review: ContractReview, lang: str, currency: str) -> list[str]:
    """Variance per quarter of the term, then this term against the previous one (when known)."""
    out = [f"<h3>{escape(t('Budget vs actual per quarter of the term', lang))}</h3>"]
    out.append(_table(*term_rows.variance_rows(review.periods, lang), lang, currency, cls="periods"))
    running = term_rows.running_note(review.periods, review.figures.as_of, lang, currency)
    if running:
        out.append(f'<p class="note">{escape(running)}</p>')
    c = review.last_term
    if c is not None:
        out.append(f"<h3>{escape(t('This term against the previous one', lang))}</h3>")
        out.append(_table(*term_rows.last_term_rows(c, lang), lang, currency))
        said = term_rows.verdict(c, lang, currency)
        if said:
            out.append(f'<p class="note">{escape(said)}</p>')
    return out


def _decision(review: ContractReview, lang: str, currency: str) -> list[str]:
    """The renewal decision: the current one and its history, or the fields to fill in."""
    out = [f"<h3>{escape(t('Renewal decision', lang))}</h3>"]
    items = decision_rows.current(review, lang)
    if not items:
        out.append(f'<p class="note">{escape(t("No decision yet: to fill in at the review.", lang))}</p>')
        items = decision_rows.to_fill_in(review, lang)
    rows = "".join(
        f'<tr><th>{escape(label)}</th><td class="{"blank" if k == "blank" else ""}">'
        f"{escape(_cell(v, k, lang, currency))}</td></tr>"
        for label, (v, k) in items
    )
    out.append(f'<table class="decision">{rows}</table>')
    if review.decisions:
        out.append(f"<h3>{escape(t('Decision history', lang))}</h3>")
        out.append(_table(*decision_rows.history(review, lang), lang, currency))
    return out


def html(pack: ReviewPack, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
    """The whole pack as one HTML document (str), summary first, then a page per contract.

    A single contract (window_days None) needs no list: its heading and its
    section then share one portrait page.
    """
    currency = pack.settings.currency
    heading = title(pack, lang)
    rows = [summary_cells(r, lang) for r in pack.every]
    single = pack.window_days is None and len(rows) == 1
    if single:
        summary = ""
    elif rows:
        # A4 landscape holds fifteen columns legibly: the workbook has the other three (the work
        # billed on top is on each contract's page here)
        keep = [
            n
            for n, c in enumerate(SUMMARY_COLUMNS)
            if c not in ("Elapsed", "Margin to date", "Billed on top")
        ]
        header = [summary_columns(lang)[n] for n in keep]
        summary = _table(header, [[row[n] for n in keep] for row in rows], lang, currency, cls="summary")
    else:
        summary = f'<p class="empty">{escape(t("No contracts in this selection.", lang))}</p>'
    note = detail_note(pack, lang)  # a long list: pages for its first contracts only
    if note:
        summary = f'<p class="sub">{escape(note)}</p>\n{summary}'
    sections = "\n".join(_section(r, lang, currency) for r in pack.contracts)
    generated = t("Generated {when}", lang, when=i18n.date(pack.generated.date(), lang))
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(heading)}</title>
<style>{CSS}</style>
</head>
<body>
<header class="{"single" if single else "cover"}">
<h1>{escape(heading)}</h1>
<p class="sub">{escape(subtitle(pack, lang))}</p>
{summary}
<p class="note">{escape(generated)} · {escape(t("Figures in {currency}, costs at cost price.", lang, currency=currency))}</p>
</header>
{sections}
</body>
</html>
"""
