"""The app's shared results, one module: the engine per process (st.cache_resource) and
every query result and display frame cached per database URL and data version
(database.data_version: every import bumps it, so new data shows at once). Keyed by plain
values only: reads.py turns a page's View into these keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import streamlit as st
from sqlalchemy import Engine

from budgetcore.figures import calibration, contract_detail, frame, last_term, months, summary, variance
from budgetcore.figures import settings as stored_settings
from budgetcore.figures.contract_detail import Detail
from budgetcore.figures.frame import PortfolioFrame
from budgetcore.figures.metrics import AUTO, ContractFigures, Thresholds
from budgetcore.figures.portfolio import Filters
from budgetcore.store import columns, database, lifecycle, portfolio_reads

log = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def open_engine(url: str) -> Engine:
    """The engine for url, opened once per process and nothing more: the server's start has
    prepared the database (app/start.py), so no page's read walks through the schema step or
    the importer."""
    return database.make_engine(url)


def engine() -> Engine:
    """The process's engine for the configured database."""
    return open_engine(database.default_url())


def data_state() -> tuple[str, int]:
    """(database URL, data version): the version is read on every run, it keys every cached query."""
    url = database.default_url()
    with database.reading(engine()) as session:
        return url, database.data_version(session)


@st.cache_resource(show_spinner=False, max_entries=4)
def holds_demo(url: str, version: int) -> bool:
    """Whether the database holds the demo: once per version (it scans the work orders when not)."""
    with database.reading(open_engine(url)) as session:
        return database.is_demo(session)


# The backtest on the completed contracts: per data version, as_of and minimum sample.
@st.cache_resource(show_spinner=False, max_entries=4)
def calibration_at(url: str, version: int, as_of: dt.date, minimum: int) -> calibration.Calibration:
    with database.reading(open_engine(url)) as session:
        return calibration.calibrate(session, as_of, minimum)


# The portfolio column-wise: one read of every contract per data version, as_of and
# thresholds; a filter change narrows it in memory (frame.select) without the database.
@st.cache_resource(show_spinner=False, max_entries=8)
def picks_at(url: str, version: int, as_of: dt.date, minimum: int) -> calibration.Calibration:
    with database.reading(open_engine(url)) as session:
        return calibration.calibrate(session, as_of, minimum, table=False)


def picks(url: str, version: int, as_of: dt.date, thresholds: Thresholds) -> calibration.Calibration | None:
    """auto's picks at as_of (the backtest of the completed contracts), once per data version and
    as_of, for every read of figures there (the portfolio, each contract's page); None for
    another forecast setting."""
    if thresholds.forecast_method != AUTO:
        return None
    return picks_at(url, version, as_of, thresholds.min_completed)


@st.cache_resource(show_spinner=False, max_entries=4)
def frame_at(url: str, version: int, as_of: dt.date, key: str, _thresholds: Thresholds) -> PortfolioFrame:
    found = picks(url, version, as_of, _thresholds)
    with database.reading(open_engine(url)) as session:
        return frame.load(session, as_of, _thresholds, picks=found)


@st.cache_resource(show_spinner=False, max_entries=16)
def selection_at(
    url: str, version: int, as_of: dt.date, key: str, _filters: Filters, _thresholds: Thresholds
) -> tuple[PortfolioFrame, summary.Headline]:
    chosen = frame.select(frame_at(url, version, as_of, repr(_thresholds), _thresholds), _filters)
    return chosen, frame.headline(chosen)


@st.cache_resource(show_spinner=False, max_entries=16)
def order_at(
    url: str, version: int, as_of: dt.date, key: str, by: str, descending: bool, _chosen: PortfolioFrame
) -> np.ndarray:
    return frame.order(_chosen, by, descending)


@st.cache_resource(show_spinner=False, max_entries=16)
def renewal_selection_at(
    url: str, version: int, as_of: dt.date, key: str, _filters: Filters, _thresholds: Thresholds
) -> tuple[PortfolioFrame, dict[str, int]]:
    chosen = frame.select(frame_at(url, version, as_of, repr(_thresholds), _thresholds), _filters)
    return chosen, frame.action_counts(chosen)


def forget_results() -> None:
    """Drop every cached result (not the engine): after an import they belong to an old data version."""
    st.cache_data.clear()
    for cached in (frame_at, selection_at, order_at, renewal_selection_at, month_of_at, monthly_of_at):
        cached.clear()
    with _months_lock:
        _months_cache.clear()


@st.cache_data(show_spinner=False, max_entries=200)
def portfolio_monthly_at(url: str, version: int, as_of: dt.date) -> list[summary.MonthActual]:
    with database.reading(open_engine(url)) as session:
        return summary.monthly_actuals(session, as_of)


# Every contract's months: read once per data version, by the first filtered overview or,
# sooner, by a thread the unfiltered overview starts once it is drawn (warm_months).
_months_lock = threading.Lock()
_months_cache: dict[tuple[str, int], columns.ContractMonths] = {}


def contract_months(url: str, version: int, engine_: Engine | None = None) -> columns.ContractMonths:
    with _months_lock:  # a second caller waits for the read under way
        found = _months_cache.get((url, version))
        if found is None:
            with database.reading(engine_ or open_engine(url)) as session:
                found = columns.in_term_months(session)
            _months_cache.clear()  # an older version's months are of no more use
            _months_cache[(url, version)] = found
        return found


def read_months_ahead(url: str, version: int) -> None:
    """Start reading every contract's months in the background (a second or more on a large
    portfolio), so that the first filter change finds them read."""
    if (url, version) not in _months_cache and not _months_lock.locked():
        threading.Thread(target=_warm_months, args=(url, version, engine()), daemon=True).start()


def _warm_months(url: str, version: int, engine_: Engine) -> None:
    try:
        contract_months(url, version, engine_)
    except Exception:  # only a head start: the first filter change reads them itself and says a fault
        log.warning("reading the contracts' months in the background failed", exc_info=True)


@st.cache_resource(show_spinner=False, max_entries=8)
def month_of_at(url: str, version: int, as_of: dt.date) -> months.MonthOfAsOf:
    with database.reading(open_engine(url)) as session:
        return months.month_of(session, as_of)


@st.cache_resource(show_spinner=False, max_entries=32)
def monthly_of_at(
    url: str, version: int, as_of: dt.date, key: str, _chosen: PortfolioFrame
) -> list[summary.MonthActual]:
    # key (the filters and thresholds) stands for _chosen, the contracts they keep
    return months.monthly(
        contract_months(url, version), month_of_at(url, version, as_of), _chosen["contract_id"]
    )


@st.cache_data(show_spinner=False, max_entries=200)
def detail_at(
    url: str, version: int, number: str, as_of: dt.date, key: str, _thresholds: Thresholds
) -> Detail | None:
    found = picks(url, version, as_of, _thresholds)
    # the scope rule compares with the portfolio's corrective work per type: from the portfolio
    # frame the overview holds (warmed at start), not read again for each contract
    rates = frame.rates_of(frame_at(url, version, as_of, repr(_thresholds), _thresholds))
    with database.reading(open_engine(url)) as session:
        return contract_detail.detail(session, number, as_of, _thresholds, found, rates)


@st.cache_data(show_spinner=False, max_entries=200)
def last_term_at(
    url: str,
    version: int,
    number: str,
    as_of: dt.date,
    key: str,
    target_margin: Decimal,
    _f: ContractFigures,
    _thresholds: Thresholds,
) -> tuple[str | None, last_term.Comparison | None]:
    # key (the view's filters and thresholds), number and as_of stand for _f, the contract's figures there
    with database.reading(open_engine(url)) as session:
        previous = last_term.previous_number(session, number)
        return previous, (last_term.compare(session, _f, _thresholds, target_margin) if previous else None)


@st.cache_data(show_spinner=False, max_entries=200)
def variance_at(
    url: str, version: int, number: str, as_of: dt.date, key: str, grain: str, _f: ContractFigures
) -> list[variance.PeriodVariance]:
    # key (the view's filters and thresholds), number and as_of stand for _f, the contract's figures there
    with database.reading(open_engine(url)) as session:
        return variance.variance(session, _f, grain)


@st.cache_data(show_spinner=False, max_entries=20)
def settings_at(url: str, version: int) -> stored_settings.Settings:
    with database.reading(open_engine(url)) as session:
        return stored_settings.load(session)


@st.cache_data(show_spinner=False, max_entries=20)
def choices_at(url: str, version: int) -> tuple[summary.Choices, int, int]:
    """The filters' choices, how many contracts the database holds, how many are archived."""
    with database.reading(open_engine(url)) as session:
        count = portfolio_reads.contract_count(session)
        return summary.filter_choices(session), count, lifecycle.archived_count(session)


# Display frames: what a page draws from the figures (a page of a table, the changes since last
# week), built once per data version and key and shared by every session: a second visitor, or
# one coming back, gets it without recomputing a contract's figures. Callers must not change it.
@st.cache_resource(show_spinner=False, max_entries=256)
def displayed_at(url: str, version: int, key: str, _build: Callable[[], object]) -> object:
    return _build()


@st.cache_resource(show_spinner=False, max_entries=16)
def displayed_large_at(url: str, version: int, key: str, _build: Callable[[], object]) -> object:
    return _build()


def digest(*parts: object) -> str:
    """A short fingerprint of parts (texts, numbers, numpy arrays) for a cache key."""
    h = hashlib.sha1()
    for part in parts:
        h.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]
