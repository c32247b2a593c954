"""The figures a page draws for its View, from caches.py's shared results: the portfolio,
renewals, actuals per month, a contract's detail, the backtest, the charts' figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

import numpy as np
import plotly.graph_objects as go

from budgetcore.app import charts
from budgetcore.app.caches import (
    calibration_at,
    detail_at,
    displayed_at,
    displayed_large_at,
    last_term_at,
    monthly_of_at,
    order_at,
    portfolio_monthly_at,
    read_months_ahead,
    renewal_selection_at,
    selection_at,
    variance_at,
)
from budgetcore.app.sidebar import View, renewal_window
from budgetcore.figures import calibration, frame, last_term, summary, variance
from budgetcore.figures.contract_detail import Detail
from budgetcore.figures.frame import PortfolioFrame
from budgetcore.figures.metrics import ContractFigures
from budgetcore.figures.portfolio import Filters

T = TypeVar("T")


def backtest(v: View) -> calibration.Calibration:
    """The backtest and auto's picks at the view's as_of (the forecast accuracy page)."""
    return calibration_at(v.url, v.version, v.as_of, v.thresholds.min_completed)


def warm_months(v: View) -> None:
    """Every contract's months read in the background for v's data (caches.read_months_ahead)."""
    read_months_ahead(v.url, v.version)


def renewals_frame(v: View) -> tuple[PortfolioFrame, dict[str, int]]:
    """The contracts approaching renewal within renewal_window(v) that pass the sidebar's
    other filters, column-wise (in contract number order; frame.order(chosen, "deadline") is
    the renewals list's order), and how many get each suggested action (review.ACTIONS)."""
    filters = replace(v.filters, renewal_within_days=renewal_window(v))
    key = repr((filters, v.thresholds))
    return renewal_selection_at(v.url, v.version, v.as_of, key, filters, v.thresholds)


def portfolio_frame(v: View) -> tuple[PortfolioFrame, summary.Headline]:
    """The filtered portfolio at the view's as_of, column-wise, and its headline figures."""
    return selection_at(v.url, v.version, v.as_of, v.key, v.filters, v.thresholds)


def monthly(v: View, chosen: PortfolioFrame) -> list[summary.MonthActual]:
    """Actuals per month of the shown contracts: every contract's from the maintained
    portfolio months; a filtered set's summed in memory from every contract's months."""
    if v.filters == Filters() and not v.archived:  # portfolio_months holds every contract's months
        return portfolio_monthly_at(v.url, v.version, v.as_of)
    return monthly_of_at(v.url, v.version, v.as_of, v.key, chosen)


def detail(v: View, number: str) -> Detail | None:
    return detail_at(v.url, v.version, number, v.as_of, v.key, v.thresholds)


def last_term_of(
    v: View, f: ContractFigures, target_margin: Decimal
) -> tuple[str | None, last_term.Comparison | None]:
    """The previous contract f names (None: none), and f against it at the target margin (None
    when that one is not in the database): last_term.compare, once per data version and view."""
    return last_term_at(v.url, v.version, f.contract_number, v.as_of, v.key, target_margin, f, v.thresholds)


def variance_of(v: View, f: ContractFigures, grain: str) -> list[variance.PeriodVariance]:
    """f's contract budget against actual per period of grain (variance.variance), once per data
    version and view."""
    return variance_at(v.url, v.version, f.contract_number, v.as_of, v.key, grain, f)


def displayed(v: View, key: str, build: Callable[[], T], large: bool = False) -> T:
    """build(), once per data version and key (which must name everything else it depends on).
    large: a value that holds columns of many contracts, of which fewer are kept."""
    return (displayed_large_at if large else displayed_at)(v.url, v.version, key, build)  # type: ignore[return-value]


def chart(v: View, name: str, build: Callable[[], T]) -> T:
    """A chart's figure for the view (its filters, as_of, language and currency), built once per
    data version and shared: its texts are formatted per point, which takes longer than sending it."""
    return displayed(v, f"chart {name} {v.shown_key}", build)


def monthly_chart(v: View, chosen: PortfolioFrame) -> go.Figure:
    """The overview's actuals per month of chosen (the view's contracts)."""
    return chart(
        v, "monthly", lambda: charts.monthly_actuals(monthly(v, chosen), v.lang, v.currency, v.as_of)
    )


@dataclass(frozen=True)
class Pressure:
    """The overview's pressure map of the view's contracts."""

    figure: go.Figure
    bubbles: bool  # a bubble per budgeted contract, a click opens it; else contracts per cell
    unplaced: int  # contracts without a budget (or one of 0): no consumed share to place them by


def pressure_chart(v: View, chosen: PortfolioFrame) -> Pressure:
    """chosen's pressure map: a bubble per budgeted contract up to charts.MAX_POINTS of them,
    past that the contracts per cell."""
    budgeted = np.flatnonzero(frame.budgeted(chosen))
    unplaced = len(chosen) - len(budgeted)
    if len(budgeted) <= charts.MAX_POINTS:
        build = lambda: charts.pressure_map(chosen.figures(budgeted), v.lang, v.currency)  # noqa: E731
        return Pressure(chart(v, "pressure", build), True, unplaced)
    build = lambda: charts.pressure_density(frame.pressure_grid(chosen), v.lang)  # noqa: E731
    return Pressure(chart(v, "density", build), False, unplaced)


def table_order(chosen: PortfolioFrame, v: View, key: str, by: str, descending: bool = False) -> np.ndarray:
    """Positions of chosen's rows in the table key's order by (a frame.order name), cached per
    table and view (the view's filters stand for chosen in the cache)."""
    return order_at(v.url, v.version, v.as_of, f"{key} {v.key}", by, descending, chosen)
