"""The dashboard's charts as Vega-Lite specs; Decimals become floats here and nowhere earlier.

Each function returns a plain Vega-Lite spec (a dict, its data in named datasets of pandas
frames) for st.vega_lite_chart. Vega-Lite, not Plotly: the browser loads about 1 MB of chart
code instead of 4.7 MB, which was most of a first visit (docs/performance.md). Every text a
reader sees is formatted here, by i18n, in the view's language; the axes format their own
ticks with the language's marks (i18n.chart_locale). Imported text is data, never markup:
Vega's tooltips escape it, and no imported string is put into an expression.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from budgetcore import i18n
from budgetcore.app import text
from budgetcore.app.tables import STATUS_COLOURS
from budgetcore.figures import metrics
from budgetcore.figures.calibration import Accuracy
from budgetcore.figures.contract_detail import BurnUpPoint
from budgetcore.figures.frame import PressureGrid
from budgetcore.figures.metrics import ContractFigures
from budgetcore.figures.summary import MonthActual

Spec = dict[str, object]

LABOUR_COLOUR, MATERIAL_COLOUR = "#1f77b4", "#9ecae1"
ACTUAL_COLOUR, PLANNED_COLOUR, BUDGET_COLOUR, FORECAST_COLOUR = "#1f77b4", "#7f7f7f", "#2ca02c", "#d62728"
CALENDAR_COLOUR, NOTE_COLOUR = "#555555", "#444444"
PARTIAL_OPACITY = 0.45  # the month of as_of, which holds only its days up to as_of
PICK = "pick"  # the pressure map's selection: a click on a bubble opens its contract


def _spec(
    layers: list[Spec], datasets: dict[str, pd.DataFrame], lang: str, currency: str, height: int
) -> Spec:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",  # a name, never fetched
        "height": height,
        "datasets": datasets,
        "layer": layers,
        "config": {"locale": i18n.chart_locale(lang, currency), "legend": {"orient": "top", "title": None}},
    }


def _tooltip(*fields: tuple[str, str]) -> list[Spec]:
    """Tooltip rows of text fields (already formatted in the language), each under its title."""
    return [{"field": field, "type": "nominal", "title": title} for field, title in fields]


def _calendar_line() -> Spec:
    """The pressure maps' diagonal: consumed in step with the calendar."""
    return {
        "data": {"values": [{"x": 0.0, "y": 0.0}, {"x": 1.0, "y": 1.0}]},
        "mark": {
            "type": "line",
            "strokeDash": [4, 4],
            "color": CALENDAR_COLOUR,
            "strokeWidth": 1,
            "clip": True,
        },
        "encoding": {
            "x": {"field": "x", "type": "quantitative"},
            "y": {"field": "y", "type": "quantitative"},
        },
    }


def _share_axis(title: str, domain: list[float]) -> Spec:
    return {"title": title, "scale": {"domain": domain, "nice": False}, "axis": {"format": ".0%"}}


def pressure_map(figures: Sequence[ContractFigures], lang: str, currency: str) -> Spec:
    """Elapsed (x) against consumed (y) per budgeted contract, size by budget (hover in currency),
    colour by status; a click on a bubble selects its contract (clicked_contract)."""
    budgeted = [f for f in figures if f.consumed is not None and f.budget_total]
    # hover texts for thousands of points: CLDR marks on plain rounding, not Babel per value
    whole, prefix = i18n.number_formatter(lang, 0), i18n.money_prefix(currency, lang)
    points = pd.DataFrame(
        {
            "contract": [f.contract_number for f in budgeted],  # the contract a click opens
            "number": [text.clean(f.contract_number, text.LONG) for f in budgeted],
            "customer": [text.clean(f.inputs.customer, text.LONG) for f in budgeted],
            "status": [i18n.t(f.status, lang) for f in budgeted],
            "elapsed": np.array([float(f.elapsed) for f in budgeted], dtype=float),
            "consumed": np.array([float(f.consumed or 0) for f in budgeted], dtype=float),
            "budget": np.array([float(f.budget_total or 0) for f in budgeted], dtype=float),
            "budget_text": [
                prefix + whole(metrics.money(f.budget_total).to_integral_value(ROUND_HALF_UP))
                for f in budgeted
            ],
            "consumed_text": [whole((f.consumed or 0) * 100) + "%" for f in budgeted],
            "elapsed_text": [whole(f.elapsed * 100) + "%" for f in budgeted],
        }
    )
    shown = [s for s in metrics.STATUSES if any(f.status == s for f in budgeted)]
    top = max([1.2, *(points["consumed"] * 1.05)])
    bubbles: Spec = {
        "data": {"name": "points"},
        "params": [{"name": PICK, "select": {"type": "point", "fields": ["contract"], "on": "click"}}],
        "mark": {"type": "circle", "opacity": 0.7, "stroke": "white", "strokeWidth": 0.5, "clip": True},
        "encoding": {
            "x": {
                "field": "elapsed",
                "type": "quantitative",
                **_share_axis(i18n.t("Elapsed", lang), [-0.05, 1.05]),
            },
            "y": {
                "field": "consumed",
                "type": "quantitative",
                **_share_axis(i18n.t("Consumed", lang), [-0.05, min(top, 3.0)]),
            },
            "size": {
                "field": "budget",
                "type": "quantitative",
                "scale": {"range": [30, 1600]},
                "legend": None,
            },
            "color": {
                "field": "status",
                "type": "nominal",
                "scale": {
                    "domain": [i18n.t(s, lang) for s in shown],
                    "range": [STATUS_COLOURS[s] for s in shown],
                },
            },
            "tooltip": _tooltip(
                ("number", i18n.t("Contract", lang)),
                ("customer", i18n.t("Customer", lang)),
                ("budget_text", i18n.t("Budget", lang)),
                ("consumed_text", i18n.t("Consumed", lang)),
                ("elapsed_text", i18n.t("Elapsed", lang)),
            ),
        },
    }
    return _spec([_calendar_line(), bubbles], {"points": points}, lang, currency, 420)


def clicked_contract(event: object) -> str | None:
    """The contract number of the bubble a click on pressure_map() selected, else None."""
    selection = getattr(event, "selection", None)
    picked = (selection.get(PICK) if isinstance(selection, dict) else getattr(selection, PICK, None)) or []
    for point in picked:
        number = point.get("contract") if isinstance(point, dict) else None
        if number:
            return str(number)
    return None


MAX_POINTS = 5000  # a pressure map draws each contract up to this many, then cells of contracts


def pressure_density(grid: PressureGrid, lang: str) -> Spec:
    """The pressure map of a large portfolio: contracts per cell of elapsed (x) against consumed (y)."""
    rows, columns = np.nonzero(grid.counts)  # empty cells stay white
    share, count = i18n.number_formatter(lang, 0), i18n.number_formatter(lang, 0)
    x0, x1, y0, y1 = grid.x[columns], grid.x[columns + 1], grid.y[rows], grid.y[rows + 1]
    cells = pd.DataFrame(
        {
            "x0": x0.astype(float),
            "x1": x1.astype(float),
            "y0": y0.astype(float),
            "y1": y1.astype(float),
            "contracts": grid.counts[rows, columns].astype(float),
            "elapsed_text": [f"{share(a * 100)}–{share(b * 100)}%" for a, b in zip(x0, x1, strict=True)],
            "consumed_text": [f"{share(a * 100)}–{share(b * 100)}%" for a, b in zip(y0, y1, strict=True)],
            "contracts_text": [count(c) for c in grid.counts[rows, columns]],
        }
    )
    heat: Spec = {
        "data": {"name": "cells"},
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": "x0", "type": "quantitative", **_share_axis(i18n.t("Elapsed", lang), [0.0, 1.0])},
            "x2": {"field": "x1"},
            "y": {
                "field": "y0",
                "type": "quantitative",
                **_share_axis(i18n.t("Consumed", lang), [0.0, float(grid.y[-1])]),
            },
            "y2": {"field": "y1"},
            "color": {
                "field": "contracts",
                "type": "quantitative",
                "scale": {"scheme": "reds"},
                "legend": {"title": i18n.t("Contracts", lang), "orient": "right", "format": ",.0f"},
            },
            "tooltip": _tooltip(
                ("elapsed_text", i18n.t("Elapsed", lang)),
                ("consumed_text", i18n.t("Consumed", lang)),
                ("contracts_text", i18n.t("Contracts", lang)),
            ),
        },
    }
    return _spec([heat, _calendar_line()], {"cells": cells}, lang, "EUR", 420)


def _money_axis(title: str | None = None) -> Spec:
    return {"title": title, "axis": {"format": "$,.0f"}}


def monthly_actuals(
    months: Sequence[MonthActual], lang: str, currency: str, as_of: dt.date | None = None
) -> Spec:
    """Stacked bars of labour and material cost per month, in currency (an ISO code). The month
    of as_of holds only its days up to as_of: its bars are paler and say 'to <date>', so that a
    part of a month does not read as a collapse."""
    x = [m.month for m in months]
    partial = [
        as_of is not None and (m.year, m.month) == (as_of.year, as_of.month) and as_of.day < _month_days(m)
        for m in x
    ]
    names = [i18n.month(d, lang) for d in x]
    to_date = i18n.t("to {date}", lang, date=i18n.date(as_of, lang)) if any(partial) else ""
    labels = [name + (" " + to_date if p else "") for name, p in zip(names, partial, strict=True)]
    kinds = [(i18n.t("Labour", lang), LABOUR_COLOUR), (i18n.t("Material", lang), MATERIAL_COLOUR)]
    bars = pd.DataFrame(
        {
            "month": names * 2,
            "kind": [kinds[0][0]] * len(x) + [kinds[1][0]] * len(x),
            "order": [0] * len(x) + [1] * len(x),
            "amount": [float(m.labour) for m in months] + [float(m.material) for m in months],
            "amount_text": [
                i18n.money(v, lang, currency, cents=False)
                for v in [m.labour for m in months] + [m.material for m in months]
            ],
            "label": labels * 2,
            "opacity": [PARTIAL_OPACITY if p else 1.0 for p in partial] * 2,
        }
    )
    stacked: Spec = {
        "data": {"name": "bars"},
        "mark": {"type": "bar"},
        "encoding": {
            "x": {
                "field": "month",
                "type": "ordinal",
                "sort": names,
                "title": None,
                "axis": {"labelAngle": -45},
            },
            "y": {"field": "amount", "type": "quantitative", "stack": "zero", **_money_axis()},
            "color": {
                "field": "kind",
                "type": "nominal",
                "scale": {"domain": [k for k, _ in kinds], "range": [c for _, c in kinds]},
            },
            "order": {"field": "order", "type": "quantitative"},
            "opacity": {"field": "opacity", "type": "quantitative", "scale": None, "legend": None},
            "tooltip": _tooltip(
                ("label", i18n.t("Month", lang)),
                ("kind", i18n.t("Cost", lang)),
                ("amount_text", i18n.t("Amount", lang)),
            ),
        },
    }
    layers, datasets = [stacked], {"bars": bars}
    if any(partial):
        last = partial.index(True)
        layers.append(
            {
                "data": {"name": "note"},
                "mark": {  # upwards from the top of the month's bar, in the empty column above it
                    "type": "text",
                    "angle": -90,
                    "align": "left",
                    "baseline": "middle",
                    "dx": 6,
                    "fontSize": 11,
                    "color": NOTE_COLOUR,
                },
                "encoding": {
                    "x": {"field": "month", "type": "ordinal", "sort": names},
                    "y": {"field": "total", "type": "quantitative"},
                    "text": {"field": "note", "type": "nominal"},
                },
            }
        )
        total = float(months[last].labour + months[last].material)
        datasets["note"] = pd.DataFrame({"month": [names[last]], "total": [total], "note": [to_date]})
    return _spec(layers, datasets, lang, currency, 340)


def _month_days(first: dt.date) -> int:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (following - first).days


BURN_UP_SERIES = (  # name, colour, dash, width
    ("Planned to date", PLANNED_COLOUR, [6, 4], 2),
    ("Budget", BUDGET_COLOUR, [2, 3], 2),
    ("Actual", ACTUAL_COLOUR, [1, 0], 3),
    ("Forecast", FORECAST_COLOUR, [2, 3], 2),
)


def burn_up(points: Sequence[BurnUpPoint], f: ContractFigures, lang: str, currency: str) -> Spec:
    """Cumulative actual over the term against planned to date, the budget total, the forecast, as_of;
    amounts in currency (an ISO code)."""
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
    drawn = [s for s in BURN_UP_SERIES if any(name == s[0] for name, _, _ in lines)]
    widths = {s[0]: s[3] for s in BURN_UP_SERIES}
    rows = [
        (
            i18n.t(name, lang),
            widths[name],
            day.isoformat(),
            float(value),
            i18n.money(value, lang, currency, cents=False),
            i18n.date(day, lang),
        )
        for name, days, values in lines
        for day, value in zip(days, values, strict=True)
    ]
    series = pd.DataFrame(rows, columns=["series", "width", "day", "amount", "amount_text", "day_text"])

    def by_series(values: list[object]) -> Spec:  # colour and dash share the field: one legend
        scale = {"domain": [i18n.t(s[0], lang) for s in drawn], "range": values}
        return {"field": "series", "type": "nominal", "scale": scale, "legend": {"symbolType": "stroke"}}

    x_axis = {
        "field": "day",
        "type": "temporal",
        "title": None,
        "scale": {"type": "utc"},  # ISO dates are midnight UTC: every reader sees the same day
        "axis": {"format": "%b %Y"},
    }
    layers: list[Spec] = [
        {
            "data": {"name": "series"},
            "mark": {"type": "line", "point": {"size": 25}},
            "encoding": {
                "x": x_axis,
                "y": {"field": "amount", "type": "quantitative", "scale": {"zero": True}, **_money_axis()},
                "color": by_series([s[1] for s in drawn]),
                "strokeDash": by_series([s[2] for s in drawn]),
                "strokeWidth": {"field": "width", "type": "quantitative", "scale": None, "legend": None},
                "tooltip": _tooltip(
                    ("series", i18n.t("Series", lang)),
                    ("day_text", i18n.t("Date", lang)),
                    ("amount_text", i18n.t("Amount", lang)),
                ),
            },
        }
    ]
    datasets = {"series": series}
    if points and points[0].day <= f.as_of <= points[-1].day:
        note = i18n.t("as of {date}", lang, date=i18n.date(f.as_of, lang))
        datasets["as_of"] = pd.DataFrame({"day": [f.as_of.isoformat()], "note": [note]})
        layers.append(
            {
                "data": {"name": "as_of"},
                "mark": {"type": "rule", "strokeDash": [2, 2], "color": NOTE_COLOUR},
                "encoding": {"x": x_axis},
            }
        )
        layers.append(
            {
                "data": {"name": "as_of"},
                "mark": {
                    "type": "text",
                    "align": "right",  # the as_of line is mostly near the end: its note to its left
                    "baseline": "top",
                    "dx": -4,
                    "y": 4,
                    "fontSize": 11,
                    "color": NOTE_COLOUR,
                },
                "encoding": {"x": x_axis, "text": {"field": "note", "type": "nominal"}},
            }
        )
    return _spec(layers, datasets, lang, currency, 380)


def forecast_errors(rows: Sequence[Accuracy], lang: str) -> Spec:
    """The median absolute percentage error per method (one line each) at 25, 50 and 75 % of the
    term, over every contract type: the backtest's rows of calibration.ALL_TYPES."""
    methods = list(dict.fromkeys(a.method for a in rows))
    one = i18n.number_formatter(lang, 1)
    points = pd.DataFrame(
        [
            (
                i18n.t(a.method, lang),
                f"{a.checkpoint} %",
                a.quarter,
                4 if method == metrics.AUTO else 2,
                float(a.median_ape) * 100,
                one(float(a.median_ape) * 100) + " %",
            )
            for method in methods
            for a in sorted(
                (a for a in rows if a.method == method and a.median_ape is not None), key=lambda a: a.quarter
            )
        ],
        columns=["method", "checkpoint", "quarter", "width", "error", "error_text"],
    )
    names = [i18n.t(m, lang) for m in methods]
    line: Spec = {
        "data": {"name": "errors"},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {
                "field": "checkpoint",
                "type": "ordinal",
                "sort": {"field": "quarter"},
                "title": i18n.t("Checkpoint (share of the term)", lang),
                "axis": {"labelAngle": 0},
            },
            "y": {
                "field": "error",
                "type": "quantitative",
                "title": i18n.t("Median absolute error (%)", lang),
                "scale": {"zero": True},
            },
            "color": {"field": "method", "type": "nominal", "scale": {"domain": names}},
            "strokeWidth": {"field": "width", "type": "quantitative", "scale": None, "legend": None},
            "tooltip": _tooltip(
                ("method", i18n.t("Method", lang)),
                ("checkpoint", i18n.t("Checkpoint", lang)),
                ("error_text", i18n.t("Median absolute error", lang)),
            ),
        },
    }
    return _spec([line], {"errors": points}, lang, "EUR", 360)
