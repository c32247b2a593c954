"""The dashboard's Plotly figures; Decimals become floats here and nowhere earlier.

Every text a reader sees is formatted here by i18n, in the view's language: numbers with the
language's marks (layout.separators from Babel's CLDR data), months named by Babel on the axes
that show dates (Plotly itself writes English month names only), money with the currency's
prefix. Imported text is data, never markup: Plotly reads pseudo-HTML (<a href>, <b>, <br>) in
labels and hover texts, so every imported string passes text.chart, which shows it as written.
The figures use nothing outside the host: Streamlit serves plotly.js from its own static files,
and no figure asks for MathJax, map tiles or web fonts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import plotly.graph_objects as go
from babel import Locale

from budgetcore import clock, i18n
from budgetcore.app import text
from budgetcore.app.tables import STATUS_COLOURS
from budgetcore.figures import metrics
from budgetcore.figures.calibration import Accuracy
from budgetcore.figures.contract_detail import BurnUpPoint
from budgetcore.figures.frame import PressureGrid
from budgetcore.figures.metrics import ContractFigures
from budgetcore.figures.summary import MonthActual
from budgetcore.i18n import N_

LABOUR_COLOUR, MATERIAL_COLOUR = "#1f77b4", "#9ecae1"
ACTUAL_COLOUR, PLANNED_COLOUR, BUDGET_COLOUR, FORECAST_COLOUR = "#1f77b4", "#7f7f7f", "#2ca02c", "#d62728"
CALENDAR_COLOUR, NOTE_COLOUR = "#555555", "#444444"
PARTIAL_OPACITY = 0.45  # the month of as_of, which holds only its days up to as_of
CONTRACT = 5  # the pressure map's customdata: the contract number a click on a bubble opens
MAX_TICKS = 8  # month ticks on a date axis
# st.plotly_chart(config=CONFIG): no Plotly logo link; text between $ signs (an imported name can
# hold them) stays text, never a formula handed to a MathJax the app does not load
CONFIG: dict[str, object] = {"displaylogo": False, "typesetMath": False}


def separators(lang: str) -> str:
    """Plotly's layout.separators for lang: its decimal mark, then its grouping mark (CLDR)."""
    symbols = Locale.parse(i18n.LOCALES[lang]).number_symbols["latn"]
    return symbols["decimal"] + symbols["group"]


def _layout(fig: go.Figure, lang: str, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None},
        separators=separators(lang),
        hoverlabel={"bgcolor": "white"},
    )
    return fig


def _calendar_line(lang: str) -> go.Scatter:
    """The pressure maps' diagonal: consumed in step with the calendar."""
    return go.Scatter(
        x=[0, 1],
        y=[0, 1],
        mode="lines",
        line={"dash": "dash", "color": CALENDAR_COLOUR, "width": 1},
        name=i18n.t("on the calendar", lang),
        hoverinfo="skip",
    )


def _hover(title: str, rows: Sequence[tuple[str, int]]) -> str:
    """A hover template: title (a template field) in bold, then 'label: %{customdata[i]}' lines.
    The labels are the app's own words; the fields hold text already passed through text.chart."""
    lines = [f"<b>{title}</b>", *(f"{text.chart(label)}: %{{customdata[{i}]}}" for label, i in rows)]
    return "<br>".join(lines) + "<extra></extra>"


def pressure_map(figures: Sequence[ContractFigures], lang: str, currency: str) -> go.Figure:
    """Elapsed (x) against consumed (y) per budgeted contract, size by budget (hover in currency),
    colour by status; a click on a bubble selects its contract (clicked_contract)."""
    fig = go.Figure()
    budgeted = [f for f in figures if f.consumed is not None and f.budget_total]
    biggest = max((float(f.budget_total or 0) for f in budgeted), default=1.0) or 1.0
    # hover texts for thousands of points: CLDR marks on plain rounding, not Babel per value
    whole, prefix = i18n.number_formatter(lang, 0), i18n.money_prefix(currency, lang)
    share = i18n.percent_formatter(lang)
    hover = _hover(
        "%{customdata[0]}",
        [
            (i18n.t(label, lang), i)
            for i, label in enumerate(("Customer", "Budget", "Consumed", "Elapsed"), 1)
        ],
    )
    for status in metrics.STATUSES:
        chosen = [f for f in budgeted if f.status == status]
        if not chosen:
            continue
        fig.add_trace(
            go.Scatter(
                x=[float(f.elapsed) for f in chosen],
                y=[float(f.consumed or 0) for f in chosen],
                mode="markers",
                name=i18n.t(status, lang),
                marker={
                    "size": [float(f.budget_total or 0) for f in chosen],
                    "sizemode": "area",
                    "sizeref": 2.0 * biggest / (40.0**2),
                    "sizemin": 4,
                    "color": STATUS_COLOURS[status],
                    "opacity": 0.7,
                    "line": {"width": 0.5, "color": "white"},
                },
                customdata=[
                    [
                        text.chart(f.contract_number),  # imported text: Plotly reads <a>, <b> in it
                        text.chart(f.inputs.customer),
                        prefix + whole(metrics.money(f.budget_total).to_integral_value(ROUND_HALF_UP)),
                        share(f.consumed or 0),
                        share(f.elapsed),
                        f.contract_number,  # not shown: the contract a click on the bubble opens
                    ]
                    for f in chosen
                ],
                cliponaxis=False,  # a bubble at 0 % or 100 % is drawn whole
                hovertemplate=hover,
            )
        )
    top = max([1.2, *(float(f.consumed or 0) * 1.05 for f in budgeted)])
    fig.add_trace(_calendar_line(lang))
    fig.update_xaxes(title=i18n.t("Elapsed", lang), tickformat=".0%", range=[-0.05, 1.05])
    fig.update_yaxes(title=i18n.t("Consumed", lang), tickformat=".0%", range=[-0.05, min(top, 3.0)])
    fig.update_layout(clickmode="event+select", dragmode=False)  # a click selects one bubble
    return _layout(fig, lang, 420)


def clicked_contract(event: object) -> str | None:
    """The contract number of the bubble a click on pressure_map() selected, else None."""
    selection = getattr(event, "selection", None)
    points = (
        selection.get("points") if isinstance(selection, dict) else getattr(selection, "points", None)
    ) or []
    for point in points:
        data = point.get("customdata") if isinstance(point, dict) else None
        if data and len(data) > CONTRACT:
            return str(data[CONTRACT])
    return None


MAX_POINTS = 5000  # a pressure map draws each contract up to this many, then cells of contracts


def pressure_density(grid: PressureGrid, lang: str) -> go.Figure:
    """The pressure map of a large portfolio: contracts per cell of elapsed (x) against consumed (y)."""
    centre = lambda edges: (edges[:-1] + edges[1:]) / 2  # noqa: E731
    counts = grid.counts.astype(float)
    counts[counts == 0] = float("nan")  # empty cells stay white
    # the counts and shares in the layout's separators (per language, _layout), no text per cell
    fig = go.Figure(
        go.Heatmap(
            x=centre(grid.x),
            y=centre(grid.y),
            z=counts,
            colorscale="Reds",
            colorbar={"title": {"text": i18n.t("Contracts", lang)}, "tickformat": ",.0f"},
            hovertemplate="<br>".join(
                f"{i18n.t(label, lang)}: {value}"
                for label, value in (
                    ("Elapsed", "%{x:.0%}"),
                    ("Consumed", "%{y:.0%}"),
                    ("Contracts", "%{z:,.0f}"),
                )
            )
            + "<extra></extra>",
            hoverongaps=False,
        )
    )
    fig.add_trace(_calendar_line(lang))
    fig.update_xaxes(title=i18n.t("Elapsed", lang), tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title=i18n.t("Consumed", lang), tickformat=".0%", range=[0, float(grid.y[-1])])
    return _layout(fig, lang, 420)


def _money_axis(fig: go.Figure, lang: str, currency: str) -> None:
    fig.update_yaxes(tickprefix=i18n.money_prefix(currency, lang), tickformat=",.0f", rangemode="tozero")


def monthly_actuals(
    months: Sequence[MonthActual], lang: str, currency: str, as_of: dt.date | None = None
) -> go.Figure:
    """Stacked bars of labour and material cost per month, in currency (an ISO code). The month
    of as_of holds only its days up to as_of: its bars are paler and say 'to <date>', so that a
    part of a month does not read as a collapse. The months are named by Babel in lang."""
    x = [m.month for m in months]
    partial = [
        as_of is not None and (m.year, m.month) == (as_of.year, as_of.month) and as_of.day < _month_days(m)
        for m in x
    ]
    names = [i18n.month(d, lang) for d in x]
    to_date = i18n.t("to {date}", lang, date=i18n.date(as_of, lang)) if any(partial) else ""
    labels = [name + (" " + to_date if p else "") for name, p in zip(names, partial, strict=True)]
    fig = go.Figure()
    for name, values, colour in (
        ("Labour", [m.labour for m in months], LABOUR_COLOUR),
        ("Material", [m.material for m in months], MATERIAL_COLOUR),
    ):
        fig.add_trace(
            go.Bar(
                x=names,
                y=[float(v) for v in values],
                name=i18n.t(name, lang),
                marker={"color": colour, "opacity": [PARTIAL_OPACITY if p else 1.0 for p in partial]},
                customdata=[
                    [label, i18n.money(v, lang, currency, cents=False)]
                    for v, label in zip(values, labels, strict=True)
                ],
                hovertemplate=_hover(
                    i18n.t(name, lang), [(i18n.t("Month", lang), 0), (i18n.t("Amount", lang), 1)]
                ),
            )
        )
    if any(partial):
        last = partial.index(True)
        fig.add_annotation(
            x=names[last], y=float(months[last].labour + months[last].material), text=to_date,
            showarrow=False, yanchor="bottom", textangle=-90, font={"size": 11, "color": NOTE_COLOUR},
        )  # fmt: skip
    fig.update_layout(barmode="stack", legend_traceorder="normal")  # labour first, as the bars stack
    fig.update_xaxes(type="category", tickangle=-45)
    _money_axis(fig, lang, currency)
    return _layout(fig, lang, 340)


def _month_days(first: dt.date) -> int:
    return (clock.next_month(first) - first).days


def month_ticks(first: dt.date, last: dt.date, lang: str) -> tuple[list[str], list[str]]:
    """Ticks on a date axis from first to last: the first days of at most MAX_TICKS months, evenly
    spaced, as ISO dates, and their names in lang (Babel)."""
    starts, day = [], first.replace(day=1)
    if day < first:
        day = clock.next_month(day)
    while day <= last:
        starts.append(day)
        day = clock.next_month(day)
    step = max(1, -(-len(starts) // MAX_TICKS))
    chosen = starts[::step]
    return [d.isoformat() for d in chosen], [i18n.month(d, lang) for d in chosen]


BURN_UP_SERIES = (  # name, colour, dash, width
    (N_("Planned to date"), PLANNED_COLOUR, "dash", 2),
    ("Budget", BUDGET_COLOUR, "dot", 2),
    ("Actual", ACTUAL_COLOUR, "solid", 3),
    ("Forecast", FORECAST_COLOUR, "dot", 2),
)


def burn_up(points: Sequence[BurnUpPoint], f: ContractFigures, lang: str, currency: str) -> go.Figure:
    """Cumulative actual over the term against planned to date, the budget total, the forecast, as_of;
    amounts in currency (an ISO code), months named by Babel in lang."""
    fig = go.Figure()
    done = [p for p in points if p.actual is not None]
    lines: list[tuple[str, list[dt.date], list[Decimal]]] = []
    if f.budget_total is not None:
        lines.append(("Planned to date", [p.day for p in points], [p.planned for p in points]))
        lines.append(("Budget", [points[0].day, points[-1].day], [f.budget_total] * 2))
    if done:
        lines.append(("Actual", [p.day for p in done], [p.actual or metrics.ZERO for p in done]))
    fc = f.forecast.total
    if fc is not None and done and done[-1].day < f.inputs.end_date:
        lines.append(("Forecast", [done[-1].day, f.inputs.end_date], [done[-1].actual or metrics.ZERO, fc]))
    style = {s[0]: s[1:] for s in BURN_UP_SERIES}
    for name, days, values in lines:
        colour, dash, width = style[name]
        fig.add_trace(
            go.Scatter(
                x=[d.isoformat() for d in days],
                y=[float(v) for v in values],
                mode="lines",
                name=i18n.t(name, lang),
                line={"color": colour, "dash": dash, "width": width},
                customdata=[
                    [i18n.date(d, lang), i18n.money(v, lang, currency, cents=False)]
                    for d, v in zip(days, values, strict=True)
                ],
                hovertemplate=_hover(
                    i18n.t(name, lang), [(i18n.t("Date", lang), 0), (i18n.t("Amount", lang), 1)]
                ),
            )
        )
    if points:
        ticks, names = month_ticks(points[0].day, points[-1].day, lang)
        fig.update_xaxes(type="date", tickvals=ticks, ticktext=names)
    if points and points[0].day <= f.as_of <= points[-1].day:
        fig.add_shape(
            type="line", x0=f.as_of.isoformat(), x1=f.as_of.isoformat(), y0=0, y1=1, yref="paper",
            line={"color": NOTE_COLOUR, "width": 1, "dash": "dot"},
        )  # fmt: skip
        fig.add_annotation(  # the as_of line is mostly near the end: its note to its left
            x=f.as_of.isoformat(), y=1, yref="paper", text=i18n.t("as of {date}", lang, date=i18n.date(f.as_of, lang)),
            showarrow=False, yanchor="top", xanchor="right", xshift=-4, font={"size": 11, "color": NOTE_COLOUR},
        )  # fmt: skip
    _money_axis(fig, lang, currency)
    return _layout(fig, lang, 380)


def forecast_errors(rows: Sequence[Accuracy], lang: str) -> go.Figure:
    """The median absolute percentage error per method (one line each) at 25, 50 and 75 % of the
    term, over every contract type: the backtest's rows of calibration.ALL_TYPES."""
    fig = go.Figure()
    share = i18n.percent_formatter(lang, 1)
    for method in dict.fromkeys(a.method for a in rows):
        points = sorted(
            (a for a in rows if a.method == method and a.median_ape is not None), key=lambda a: a.quarter
        )
        fig.add_trace(
            go.Scatter(
                x=[i18n.percent(Decimal(a.checkpoint) / 100, lang) for a in points],
                y=[float(a.median_ape) for a in points],
                mode="lines+markers",
                name=i18n.t(method, lang),
                line={"width": 4 if method == metrics.AUTO else 2},
                customdata=[
                    [i18n.percent(Decimal(a.checkpoint) / 100, lang), share(a.median_ape)] for a in points
                ],
                hovertemplate=_hover(
                    i18n.t(method, lang),
                    [(i18n.t("Checkpoint", lang), 0), (i18n.t("Median absolute error", lang), 1)],
                ),
            )
        )
    fig.update_xaxes(title=i18n.t("Checkpoint (share of the term)", lang), type="category")
    fig.update_yaxes(title=i18n.t("Median absolute error", lang), tickformat=".0%", rangemode="tozero")
    return _layout(fig, lang, 360)
