"""Plotly figures of the dashboard; Decimals become floats here and nowhere earlier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import plotly.graph_objects as go

from budgetcore import i18n
from budgetcore.app import text
from budgetcore.app.tables import STATUS_COLOURS
from budgetcore.figures import metrics
from budgetcore.figures.calibration import Accuracy
from budgetcore.figures.contract_detail import BurnUpPoint
from budgetcore.figures.frame import PressureGrid
from budgetcore.figures.metrics import ContractFigures
from budgetcore.figures.summary import MonthActual

LABOUR_COLOUR, MATERIAL_COLOUR = "#1f77b4", "#9ecae1"
ACTUAL_COLOUR, PLANNED_COLOUR, BUDGET_COLOUR, FORECAST_COLOUR = "#1f77b4", "#7f7f7f", "#2ca02c", "#d62728"


def _layout(fig: go.Figure, lang: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        separators=",." if lang == "nl" else ".,",
        hoverlabel={"bgcolor": "white"},
    )
    return fig


def _calendar_line(lang: str) -> go.Scatter:
    """The pressure maps' diagonal: consumed in step with the calendar."""
    return go.Scatter(
        x=[0, 1],
        y=[0, 1],
        mode="lines",
        line={"dash": "dash", "color": "#555", "width": 1},
        name=i18n.t("on the calendar", lang),
        hoverinfo="skip",
    )


def pressure_map(figures: Sequence[ContractFigures], lang: str, currency: str) -> go.Figure:
    """Elapsed (x) against consumed (y) per budgeted contract, size by budget (hover in currency), colour by status."""
    fig = go.Figure()
    budgeted = [f for f in figures if f.consumed is not None and f.budget_total]
    biggest = max((float(f.budget_total or 0) for f in budgeted), default=1.0) or 1.0
    # hover texts for tens of thousands of points: CLDR marks on plain rounding, not Babel per value
    whole, prefix = i18n.number_formatter(lang, 0), i18n.money_prefix(currency, lang)
    scatter = go.Scattergl if len(budgeted) > 5000 else go.Scatter  # WebGL past a few thousand
    for status in metrics.STATUSES:
        chosen = [f for f in budgeted if f.status == status]
        if not chosen:
            continue
        fig.add_trace(
            scatter(
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
                        whole((f.consumed or 0) * 100) + "%",
                        whole(f.elapsed * 100) + "%",
                        f.contract_number,  # not shown: the contract a click on the bubble opens
                    ]
                    for f in chosen
                ],
                cliponaxis=False,  # a bubble at 0 % or 100 % is drawn whole
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>"
                    + i18n.t("Budget", lang)
                    + ": %{customdata[2]}<br>"
                    + i18n.t("Consumed", lang)
                    + ": %{customdata[3]}<br>"
                    + i18n.t("Elapsed", lang)
                    + ": %{customdata[4]}<extra></extra>"
                ),
            )
        )
    top = max([1.2, *(float(f.consumed or 0) * 1.05 for f in budgeted)])
    fig.add_trace(_calendar_line(lang))
    fig.update_xaxes(title=i18n.t("Elapsed", lang), tickformat=".0%", range=[-0.05, 1.05])
    fig.update_yaxes(title=i18n.t("Consumed", lang), tickformat=".0%", range=[-0.05, min(top, 3.0)])
    return _layout(fig, lang, 420)


def clicked_contract(event: object) -> str | None:
    """The contract number of the bubble a click on pressure_map() selected, else None."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for point in points:
        data = point.get("customdata") if isinstance(point, dict) else None
        if data and len(data) > 5:
            return str(data[5])
    return None


MAX_POINTS = 5000  # a pressure map draws each contract up to this many, then cells of contracts


def pressure_density(grid: PressureGrid, lang: str) -> go.Figure:
    """The pressure map of a large portfolio: contracts per cell of elapsed (x) against consumed (y)."""
    centre = lambda edges: (edges[:-1] + edges[1:]) / 2  # noqa: E731
    counts = grid.counts.astype(float)
    counts[counts == 0] = float("nan")  # empty cells stay white
    fig = go.Figure(
        go.Heatmap(
            x=centre(grid.x),
            y=centre(grid.y),
            z=counts,
            colorscale="Reds",
            colorbar={"title": {"text": i18n.t("Contracts", lang)}},
            # the counts in the layout's separators (per language, _layout), no text per cell
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


def monthly_actuals(
    months: Sequence[MonthActual], lang: str, currency: str, as_of: dt.date | None = None
) -> go.Figure:
    """Stacked bars of labour and material cost per month, in currency (an ISO code). The month
    of as_of holds only its days up to as_of: its bars are paler and say 'to <date>', so that a
    part of a month does not read as a collapse."""
    x = [m.month for m in months]
    partial = [as_of is not None and (m.year, m.month) == (as_of.year, as_of.month) and as_of.day < _month_days(m)
               for m in x]  # fmt: skip
    labels = [
        i18n.month(d, lang) + (" " + i18n.t("to {date}", lang, date=i18n.date(as_of, lang)) if p else "")
        for d, p in zip(x, partial, strict=True)
    ]
    fig = go.Figure()
    for name, values, colour in (
        ("Labour", [m.labour for m in months], LABOUR_COLOUR),
        ("Material", [m.material for m in months], MATERIAL_COLOUR),
    ):
        fig.add_trace(
            go.Bar(
                x=x,
                y=[float(v) for v in values],
                name=i18n.t(name, lang),
                marker={"color": colour, "opacity": [0.45 if p else 1.0 for p in partial]},
                customdata=[
                    [i18n.money(v, lang, currency, cents=False), label]
                    for v, label in zip(values, labels, strict=True)
                ],
                hovertemplate="%{customdata[1]}: %{customdata[0]}<extra>" + i18n.t(name, lang) + "</extra>",
            )
        )
    if any(partial):
        last = x[partial.index(True)]
        fig.add_annotation(
            x=last, y=float(sum((m.labour + m.material) for m in months if m.month == last)),
            text=i18n.t("to {date}", lang, date=i18n.date(as_of, lang)), showarrow=False, yanchor="bottom",
            font={"size": 11, "color": "#444"},
        )  # fmt: skip
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat="%b %Y")
    fig.update_yaxes(tickprefix=i18n.money_prefix(currency, lang), tickformat=",.0f")
    return _layout(fig, lang, 340)


def _month_days(first: dt.date) -> int:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (following - first).days


def burn_up(points: Sequence[BurnUpPoint], f: ContractFigures, lang: str, currency: str) -> go.Figure:
    """Cumulative actual over the term against planned to date, the budget total, the forecast, as_of;
    amounts in currency (an ISO code)."""
    fig = go.Figure()
    done = [p for p in points if p.actual is not None]

    def trace(name: str, xs: list[dt.date], ys: list[Decimal], colour: str, dash: str = "solid") -> None:
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[float(v) for v in ys],
                mode="lines",
                name=i18n.t(name, lang),
                line={"color": colour, "dash": dash, "width": 3 if name == "Actual" else 2},
                customdata=[
                    [i18n.money(v, lang, currency, cents=False), i18n.date(d, lang)]
                    for v, d in zip(ys, xs, strict=True)
                ],
                hovertemplate="%{customdata[1]}: %{customdata[0]}<extra>" + i18n.t(name, lang) + "</extra>",
            )
        )

    if f.budget_total is not None:
        trace("Planned to date", [p.day for p in points], [p.planned for p in points], PLANNED_COLOUR, "dash")
        trace("Budget", [points[0].day, points[-1].day], [f.budget_total] * 2, BUDGET_COLOUR, "dot")
    if done:
        trace("Actual", [p.day for p in done], [p.actual or metrics.ZERO for p in done], ACTUAL_COLOUR)
    fc = f.forecast.total
    if fc is not None and done and done[-1].day < f.inputs.end_date:
        trace(
            "Forecast",
            [done[-1].day, f.inputs.end_date],
            [done[-1].actual or metrics.ZERO, fc],
            FORECAST_COLOUR,
            "dot",
        )
    if points and points[0].day <= f.as_of <= points[-1].day:
        fig.add_shape(
            type="line",
            x0=f.as_of,
            x1=f.as_of,
            y0=0,
            y1=1,
            yref="paper",
            line={"color": "#444", "width": 1, "dash": "dot"},
        )
        fig.add_annotation(
            x=f.as_of, y=1, yref="paper", text=i18n.t("as of {date}", lang, date=i18n.date(f.as_of, lang)),
            showarrow=False, yanchor="top", xanchor="left", xshift=4, font={"size": 11, "color": "#444"},
        )  # fmt: skip
    fig.update_yaxes(tickprefix=i18n.money_prefix(currency, lang), tickformat=",.0f", rangemode="tozero")
    return _layout(fig, lang, 380)


def forecast_errors(rows: Sequence[Accuracy], lang: str) -> go.Figure:
    """The median absolute percentage error per method (one line each) at 25, 50 and 75 % of the
    term, over every contract type: the backtest's rows of calibration.ALL_TYPES."""
    fig = go.Figure()
    methods = list(dict.fromkeys(a.method for a in rows))
    for method in methods:
        points = sorted(
            (a for a in rows if a.method == method and a.median_ape is not None), key=lambda a: a.quarter
        )
        fig.add_trace(
            go.Scatter(
                x=[f"{a.checkpoint} %" for a in points],
                y=[float(a.median_ape) * 100 for a in points],
                mode="lines+markers",
                name=i18n.t(method, lang),
                line={"width": 4 if method == metrics.AUTO else 2},
                hovertemplate="%{y:.1f} %<extra>" + text.chart(i18n.t(method, lang)) + "</extra>",
            )
        )
    fig.update_xaxes(title=i18n.t("Checkpoint (share of the term)", lang))
    fig.update_yaxes(title=i18n.t("Median absolute error (%)", lang), rangemode="tozero")
    return _layout(fig, lang, height=360)
