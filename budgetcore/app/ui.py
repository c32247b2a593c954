"""The Streamlit glue; with auth.py (sign-in), the only budgetcore modules that import streamlit.

It owns: one engine per process (st.cache_resource), query results cached
with st.cache_data keyed by the database URL and database.data_version (every
import bumps it, so new data shows at once), the shared sidebar whose filters
live in session state and are mirrored in the URL query parameters (so a link
reproduces a view), the language, the status thresholds, and table rendering.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import os
import threading
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from budgetcore import clock, i18n
from budgetcore.app import auth, charts, compat, tables, text
from budgetcore.app.tables import Columns, status_colours, type_label
from budgetcore.figures import calibration, contract_detail, frame, months, summary
from budgetcore.figures import settings as stored_settings
from budgetcore.figures.contract_detail import Detail
from budgetcore.figures.frame import PortfolioFrame
from budgetcore.figures.metrics import AUTO, FORECAST_METHODS, STATUSES, Forecast, Thresholds
from budgetcore.figures.portfolio import Filters
from budgetcore.i18n import t
from budgetcore.store import access, columns, database, lifecycle, schema, writes
from budgetcore.store.access import Actor
from budgetcore.store.models import Contract

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler
    from streamlit.delta_generator import DeltaGenerator

T = TypeVar("T")

NO_DEMO_ENV = "BUDGETCORE_NO_DEMO"  # "1": never load the demo portfolio into an empty database
FILTER_PARAMS = {"customer": "f_customer", "type": "f_type", "status": "f_status", "manager": "f_manager"}
AS_OF_KEY, WITHIN_KEY, SCOPE_KEY = "f_as_of", "f_within", "f_scope"
SCOPES = {"running": "Running contracts", "all": "All contracts"}  # ?contracts=all; running by default
LOCAL = Actor("local", "page", operator=True)  # a View made without a sidebar run (tests)
log = logging.getLogger(__name__)


# --- engine and cached queries ------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    """The app's start: open the engine, create or upgrade the schema, and (unless
    BUDGETCORE_NO_DEMO=1) load the demo into an empty database; each step logged."""
    engine = database.make_engine(url)
    schema.prepare(engine)
    if os.environ.get(NO_DEMO_ENV) != "1":
        from budgetcore.exchange import demo  # with the importer: loaded only for an empty database

        demo.load_if_empty(engine)
    return engine


def engine() -> Engine:
    """The process's engine for the configured database; fills an empty one with the demo."""
    return _engine(database.default_url())


def _state() -> tuple[str, int]:
    """(database URL, data version): the version is read on every run, it keys every cached query."""
    url = database.default_url()
    with database.transaction(engine()) as session:
        return url, database.data_version(session)


@st.cache_resource(show_spinner=False, max_entries=4)
def _demo(url: str, version: int) -> bool:
    """Whether the database holds the demo: once per version (it scans the work orders when not)."""
    with database.transaction(_engine(url)) as session:
        return database.is_demo(session)


# The backtest on the completed contracts: per data version, as_of and minimum sample.
@st.cache_resource(show_spinner=False, max_entries=4)
def _calibration(url: str, version: int, as_of: dt.date, minimum: int) -> calibration.Calibration:
    with database.transaction(_engine(url)) as session:
        return calibration.calibrate(session, as_of, minimum)


def backtest(v: View) -> calibration.Calibration:
    """The backtest and auto's picks at the view's as_of (the forecast accuracy page)."""
    return _calibration(v.url, v.version, v.as_of, v.thresholds.min_completed)


# The portfolio column-wise: one read of every contract per data version, as_of and
# thresholds; a filter change narrows it in memory (frame.select) without the database.
@st.cache_resource(show_spinner=False, max_entries=8)
def _picks(url: str, version: int, as_of: dt.date, minimum: int) -> calibration.Calibration:
    with database.transaction(_engine(url)) as session:
        return calibration.calibrate(session, as_of, minimum, table=False)


def picks(url: str, version: int, as_of: dt.date, thresholds: Thresholds) -> calibration.Calibration | None:
    """auto's picks at as_of (the backtest of the completed contracts), once per data version and
    as_of, for every read of figures there (the portfolio, each contract's page); None for
    another forecast setting."""
    if thresholds.forecast_method != AUTO:
        return None
    return _picks(url, version, as_of, thresholds.min_completed)


@st.cache_resource(show_spinner=False, max_entries=4)
def _frame(url: str, version: int, as_of: dt.date, key: str, _thresholds: Thresholds) -> PortfolioFrame:
    found = picks(url, version, as_of, _thresholds)
    with database.transaction(_engine(url)) as session:
        return frame.load(session, as_of, _thresholds, picks=found)


@st.cache_resource(show_spinner=False, max_entries=16)
def _selection(
    url: str, version: int, as_of: dt.date, key: str, _filters: Filters, _thresholds: Thresholds
) -> tuple[PortfolioFrame, summary.Headline]:
    chosen = frame.select(_frame(url, version, as_of, repr(_thresholds), _thresholds), _filters)
    return chosen, frame.headline(chosen)


@st.cache_resource(show_spinner=False, max_entries=16)
def _order(
    url: str, version: int, as_of: dt.date, key: str, by: str, descending: bool, _chosen: PortfolioFrame
) -> np.ndarray:
    return frame.order(_chosen, by, descending)


@st.cache_resource(show_spinner=False, max_entries=16)
def _renewal_selection(
    url: str, version: int, as_of: dt.date, key: str, _filters: Filters, _thresholds: Thresholds
) -> tuple[PortfolioFrame, dict[str, int]]:
    chosen = frame.select(_frame(url, version, as_of, repr(_thresholds), _thresholds), _filters)
    return chosen, frame.action_counts(chosen)


def forget_results() -> None:
    """Drop every cached result (not the engine): after an import they belong to an old data version."""
    st.cache_data.clear()
    for cached in (_frame, _selection, _order, _renewal_selection, _month_of, _monthly_of):
        cached.clear()
    with _months_lock:
        _months_cache.clear()


@st.cache_data(show_spinner=False, max_entries=200)
def _monthly(url: str, version: int, as_of: dt.date) -> list[summary.MonthActual]:
    with database.transaction(_engine(url)) as session:
        return summary.monthly_actuals(session, as_of)


# Every contract's months: read once per data version, by the first filtered overview or,
# sooner, by a thread the unfiltered overview starts once it is drawn (warm_months).
_months_lock = threading.Lock()
_months_cache: dict[tuple[str, int], columns.ContractMonths] = {}


def _contract_months(url: str, version: int, engine_: Engine | None = None) -> columns.ContractMonths:
    with _months_lock:  # a second caller waits for the read under way
        found = _months_cache.get((url, version))
        if found is None:
            with database.transaction(engine_ or _engine(url)) as session:
                found = columns.in_term_months(session)
            _months_cache.clear()  # an older version's months are of no more use
            _months_cache[(url, version)] = found
        return found


def warm_months(v: View) -> None:
    """Start reading every contract's months in the background (a second or more on a large
    portfolio), so that the first filter change finds them read."""
    if (v.url, v.version) not in _months_cache and not _months_lock.locked():
        threading.Thread(target=_warm_months, args=(v.url, v.version, engine()), daemon=True).start()


def _warm_months(url: str, version: int, engine_: Engine) -> None:
    try:
        _contract_months(url, version, engine_)
    except Exception:  # only a head start: the first filter change reads them itself and says a fault
        log.warning("reading the contracts' months in the background failed", exc_info=True)


@st.cache_resource(show_spinner=False, max_entries=8)
def _month_of(url: str, version: int, as_of: dt.date) -> months.MonthOfAsOf:
    with database.transaction(_engine(url)) as session:
        return months.month_of(session, as_of)


@st.cache_resource(show_spinner=False, max_entries=32)
def _monthly_of(
    url: str, version: int, as_of: dt.date, key: str, _chosen: PortfolioFrame
) -> list[summary.MonthActual]:
    # key (the filters and thresholds) stands for _chosen, the contracts they keep
    return months.monthly(
        _contract_months(url, version), _month_of(url, version, as_of), _chosen["contract_id"]
    )


@st.cache_data(show_spinner=False, max_entries=200)
def _detail(
    url: str, version: int, number: str, as_of: dt.date, key: str, _thresholds: Thresholds
) -> Detail | None:
    found = picks(url, version, as_of, _thresholds)
    with database.transaction(_engine(url)) as session:
        return contract_detail.detail(session, number, as_of, _thresholds, found)


@st.cache_data(show_spinner=False, max_entries=20)
def _settings(url: str, version: int) -> stored_settings.Settings:
    with database.transaction(_engine(url)) as session:
        return stored_settings.load(session)


@st.cache_data(show_spinner=False, max_entries=20)
def _choices(url: str, version: int) -> tuple[summary.Choices, int, int]:
    """The filters' choices, how many contracts the database holds, how many are archived."""
    with database.transaction(_engine(url)) as session:
        count = session.scalar(select(func.count()).select_from(Contract)) or 0
        return summary.filter_choices(session), count, lifecycle.archived_count(session)


# --- the view: language, thresholds, sidebar filters -------------------------------------------


@dataclass(frozen=True)
class View:
    """What every page renders: as_of, the sidebar's filters, language, thresholds, data facts.

    currency: the stored ISO code every amount on the pages is shown in (amounts are never converted).
    """

    as_of: dt.date
    filters: Filters
    lang: str
    thresholds: Thresholds
    currency: str
    demo: bool
    contracts_in_db: int
    url: str
    version: int
    archived: int = 0  # contracts archived: out of every portfolio figure
    actor: Actor = LOCAL
    rights: frozenset[str] = frozenset()  # the access.ACTIONS the actor may take

    @property
    def key(self) -> str:
        return repr((self.filters, self.thresholds))

    @property
    def shown_key(self) -> str:
        """Everything a drawn figure of the view depends on besides the data version."""
        return f"{self.key} {self.as_of} {self.lang} {self.currency}"

    def may(self, action: str) -> bool:
        """Whether the page offers this action (access.ACTIONS) to the actor; the core checks again."""
        return action in self.rights


LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def lang() -> str:
    """The language: ?lang= when given, else this session's choice, else the browser's
    language where Streamlit exposes it (st.context.locale), else English."""
    if "lang" in st.query_params:
        st.session_state["lang"] = i18n.language(st.query_params.get("lang"))
    elif "lang" not in st.session_state:
        st.session_state["lang"] = i18n.language(_browser_locale())
    return st.session_state["lang"]


def _browser_locale() -> str | None:
    try:
        return st.context.locale  # navigator.language, e.g. 'nl-NL'; None without a browser
    except (AttributeError, RuntimeError):
        return None


def _choose_language() -> None:
    chosen = st.session_state.get("lang_choice")
    if chosen in i18n.LANGUAGES:
        st.session_state["lang"] = chosen
        st.query_params["lang"] = chosen  # remembered in the URL, so a shared link keeps it


def settings() -> stored_settings.Settings:
    """The settings stored in the database (thresholds, renewal window, target margin, currency)."""
    url, version = _state()
    return _settings(url, version)


def thresholds() -> Thresholds:
    """The status thresholds stored in the database; the Settings page changes them for everyone."""
    return settings().thresholds()


def _from_url(choices: summary.Choices, today: dt.date) -> None:
    """Fill the filter widgets' state from the URL the first time this session sees them."""
    qp = st.query_params
    allowed = {
        "customer": choices.customers,
        "type": choices.types,
        "status": STATUSES,
        "manager": choices.account_managers,
    }
    for param, key in FILTER_PARAMS.items():
        if key not in st.session_state:
            st.session_state[key] = [v for v in qp.get_all(param) if v in allowed[param]]
        else:  # the data may have changed under a remembered choice
            st.session_state[key] = [v for v in st.session_state[key] if v in allowed[param]]
    if AS_OF_KEY not in st.session_state:
        asked = qp.get("as_of")
        st.session_state[AS_OF_KEY] = _parse_date(asked) or today
        if asked and _parse_date(asked) is None:
            st.session_state["_refused_as_of"] = asked  # said on the page (refused_as_of)
    if WITHIN_KEY not in st.session_state:
        st.session_state[WITHIN_KEY] = _parse_int(qp.get("within"))
    if SCOPE_KEY not in st.session_state:
        st.session_state[SCOPE_KEY] = "all" if qp.get("contracts") == "all" else "running"


def _parse_date(text: str | None) -> dt.date | None:
    """A YYYY-MM-DD from the URL inside clock's range; None otherwise."""
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and clock.in_range(day) else None


def refused_as_of(language: str) -> None:
    """Say once that the URL's as_of was not a date in the range, and which range is."""
    asked = st.session_state.pop("_refused_as_of", None)
    if asked:
        st.warning(
            t("The as-of date {date} in the link is not used: dates from {first} to {last} are.", language,
              date=text.markdown(asked, limit=40), first=i18n.date(clock.FIRST_DAY, language),
              last=i18n.date(clock.LAST_DAY, language))
        )  # fmt: skip


def _parse_int(text: str | None) -> int | None:
    try:
        return max(0, min(int(text), clock.MAX_WINDOW_DAYS)) if text else None
    except ValueError:
        return None


def view_params(today: dt.date | None = None) -> dict[str, str | list[str]]:
    """The query parameters that reproduce the current filters (defaults left out, but not the
    as-of date: a shared link shows the figures of the day it was made, not of the day it is opened)."""
    today = today or clock.today()
    params: dict[str, str | list[str]] = {}
    as_of = st.session_state.get(AS_OF_KEY)
    params["as_of"] = (as_of if isinstance(as_of, dt.date) else today).isoformat()
    if st.session_state.get(SCOPE_KEY) == "all":
        params["contracts"] = "all"
    for param, key in FILTER_PARAMS.items():
        if st.session_state.get(key):
            params[param] = list(st.session_state[key])
    if st.session_state.get(WITHIN_KEY) is not None:
        params["within"] = str(st.session_state[WITHIN_KEY])
    chosen = st.session_state.get("lang", i18n.DEFAULT_LANGUAGE)
    if chosen != i18n.DEFAULT_LANGUAGE or chosen != i18n.language(_browser_locale()):
        params["lang"] = chosen
    return params


def _to_url(today: dt.date) -> None:
    """Mirror the filters into the URL, touching only parameters that changed."""
    wanted = view_params(today)
    qp = st.query_params
    for name in ("as_of", "contracts", *FILTER_PARAMS, "within", "lang"):
        value = wanted.get(name)
        values = value if isinstance(value, list) else ([value] if value else [])
        if values and qp.get_all(name) != values:
            qp[name] = value
        elif not values and name in qp:
            del qp[name]


FILTER_KEYS = (AS_OF_KEY, SCOPE_KEY, *FILTER_PARAMS.values(), WITHIN_KEY)


def sidebar(filters: bool = True) -> View:
    """Render the shared sidebar and return the view every page renders; call once per run.
    filters False (pages where they change nothing: import, settings, audit, users): only the
    language and who is signed in; the filters keep their values for the next page."""
    language = lang()
    url, version = _state()
    choices, _, _ = _choices(url, version)
    today = clock.today()
    _from_url(choices, today)
    with st.sidebar:
        st.session_state["lang_choice"] = language
        st.radio(
            t("Language", language),
            list(LANGUAGE_NAMES),
            format_func=LANGUAGE_NAMES.get,
            horizontal=True,
            key="lang_choice",
            on_change=_choose_language,
        )
        if filters:
            _filter_widgets(language, choices)
        else:  # a widget not drawn in a run loses its state: keep it as plain session state
            for key in FILTER_KEYS:
                st.session_state[key] = st.session_state[key]
        auth.identity_box(language, engine())
        # on a phone a page title such as 'Portefeuilleoverzicht' fits one line
        st.html(
            f"<style>@media (max-width: {PHONE_PX - 1}px) {{ h1 {{ font-size: 1.7rem !important; }} }}</style>"
        )
    _to_url(today)
    refused_as_of(language)
    view = _view(
        url,
        version,
        st.session_state[AS_OF_KEY] or today,
        Filters(
            customers=tuple(st.session_state["f_customer"]),
            types=tuple(st.session_state["f_type"]),
            statuses=tuple(st.session_state["f_status"]),
            account_managers=tuple(st.session_state["f_manager"]),
            renewal_within_days=st.session_state[WITHIN_KEY],
            running_only=st.session_state[SCOPE_KEY] == "running",
        ),
        language,
        actor=auth.actor(),
        rights=auth.rights(),
    )
    st.session_state["_view"] = view
    return view


CUSTOMER_OPTIONS = 500  # more customers than this: the filter finds them by name, not a list of all
FOUND_CUSTOMERS = 100  # at most this many found offered at once


def _customer_filter(language: str, customers: tuple[str, ...]) -> None:
    """The customer filter: a list of every customer, or past CUSTOMER_OPTIONS a search box whose
    matches (part of the name, any case) the list offers next to those chosen. Tens of thousands
    of names would be sent to the browser on every run, and nobody scrolls through them."""
    if len(customers) <= CUSTOMER_OPTIONS:
        st.multiselect(t("Customer", language), customers, key="f_customer", placeholder=t("All", language))
        return
    query = (
        st.text_input(
            t("Find a customer", language), key="f_customer_find", placeholder=t("Part of the name", language)
        )
        .strip()
        .casefold()
    )
    chosen = list(st.session_state.get("f_customer") or [])
    matching = [c for c in customers if query in c.casefold()] if query else []
    found = matching[:FOUND_CUSTOMERS]
    options = chosen + [c for c in found if c not in set(chosen)]
    if len(matching) > len(found):
        hint = t("{n} of {all} found: type more to narrow", language, n=len(found),
                 all=i18n.number(len(matching), language, 0))  # fmt: skip
    else:
        hint = t("{n} found: choose here", language, n=len(found)) if query else t("All", language)
    st.multiselect(t("Customer", language), options, key="f_customer", placeholder=hint)


def _view(
    url: str,
    version: int,
    as_of: dt.date,
    filters: Filters,
    language: str,
    actor: Actor = LOCAL,
    rights: frozenset[str] = frozenset(),
) -> View:
    """The view of these choices on this database version, with its stored settings and facts."""
    _, count, archived = _choices(url, version)
    stored = _settings(url, version)
    return View(
        as_of=as_of,
        filters=filters,
        lang=language,
        thresholds=stored.thresholds(),
        currency=stored.currency,
        demo=_demo(url, version),
        contracts_in_db=count,
        url=url,
        version=version,
        archived=archived,
        actor=actor,
        rights=rights,
    )


def first_view() -> View:
    """The view a first visit to / renders, read without a session: today, running contracts,
    no other filter (the sidebar's defaults), English, the local actor. What ui's caches are
    keyed by (url, version, as_of, filters, thresholds) is the sidebar's for that visit
    (tests/test_warm.py holds them equal); app/warm.py fills the caches for it at start."""
    url, version = _state()
    return _view(url, version, clock.today(), Filters(running_only=True), i18n.DEFAULT_LANGUAGE)


def _filter_widgets(language: str, choices: summary.Choices) -> None:
    """The sidebar's filters, each bound to its session state key (mirrored in the URL)."""
    st.radio(
        t("Contracts", language),
        list(SCOPES),
        format_func=lambda v: t(SCOPES[v], language),
        horizontal=True,
        key=SCOPE_KEY,
        help=t("Running: the term holds the as-of date. Ended contracts that are still open are listed "
               "below the overview's table.", language),
    )  # fmt: skip
    st.date_input(
        t("As of", language),
        key=AS_OF_KEY,
        min_value=clock.FIRST_DAY,
        max_value=clock.LAST_DAY,
        format=date_format(language),
    )
    _customer_filter(language, choices.customers)
    st.multiselect(
        t("Contract type", language),
        choices.types,
        key="f_type",
        format_func=lambda v: type_label(v, language),
        placeholder=t("All", language),
    )
    st.multiselect(
        t("Status", language),
        STATUSES,
        key="f_status",
        format_func=lambda v: t(v, language),
        placeholder=t("All", language),
    )
    st.multiselect(
        t("Account manager", language),
        choices.account_managers,
        key="f_manager",
        placeholder=t("All", language),
    )
    st.number_input(
        t("Approaching renewal within (days)", language),
        min_value=0,
        max_value=clock.MAX_WINDOW_DAYS,
        value=None,
        step=30,
        key=WITHIN_KEY,
        placeholder=t("any time", language),
    )


def page_config() -> None:
    # an emoji icon is drawn in the page (a data: URL); a :material/...: one makes the browser
    # fetch it from fonts.gstatic.com, which an offline machine cannot reach
    st.set_page_config(page_title="Contract budgets", page_icon="📊", layout="wide")


def view() -> View:
    """The view dashboard.py's sidebar produced in this run (a page runs inside dashboard.py's
    st.navigation; the page scripts sit in app_pages/, not pages/, so Streamlit never runs one
    on its own in its old pages-folder mode)."""
    current = st.session_state.get("_view")
    return current if isinstance(current, View) else sidebar()


def offered(v: View, action: str) -> None:
    """Stop a page whose action (access.ACTIONS) the actor's role does not allow: the menu does
    not offer it, and a link to it shows this instead of the page."""
    if not v.may(action):
        st.warning(t("Your role does not allow this page. Ask an admin for access.", v.lang))
        st.stop()


def guarded(run: Callable[[], object], language: str) -> None:
    """Run a page; an unexpected error shows a short message with a reference id, never a
    traceback, SQL or schema, and the log gets the traceback under the same id.
    st.stop() and st.rerun() pass through (they are not Exceptions)."""
    try:
        run()
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("page failed: reference %s", reference)
        st.error(
            t("Something went wrong on the server. Please try again; if it keeps happening, give the "
              "administrator this reference: {reference}", language, reference=reference)
        )  # fmt: skip


def write(change: Callable[[Session], object], language: str, actor: Actor, right: str) -> bool:
    """Run change as one write of actor (store/writes.write: the lock, the role as stored now for
    right, the data version); True when it committed. A fault of the database is said as one
    (nothing changed, try again), a refusal as one, never as a traceback."""
    try:
        writes.write(engine(), actor, right, change)
    except database.ServerFaultError as exc:
        server_fault(str(exc), language)
        return False
    except access.RefusedError:
        st.error(t("Your role does not allow this page. Ask an admin for access.", language))
        return False
    return True


def server_fault(reason: str, language: str) -> None:
    st.error(
        t("Server fault: the database could not save this ({reason}). Nothing was changed. Please try "
          "again later; if it keeps happening, tell the administrator.", language,
          reason=text.markdown(reason, limit=text.LONG))
    )  # fmt: skip


def forecast_help(forecast: Forecast, lang: str) -> str:
    """The forecast's method in words, and why that method (the forecast method setting, auto)."""
    said = t(FORECAST_METHODS[forecast.method], lang)
    if forecast.basis == AUTO:
        return (
            said
            + ". "
            + t(
                "Picked by auto: the method with the lowest median error for this contract type on the completed contracts (Forecast accuracy).",
                lang,
            )
        )
    if forecast.basis:
        return said + ". " + t("The forecast method setting names this method.", lang)
    return said


def demo_banner(v: View) -> None:
    if v.demo:
        st.caption(
            ":material/science: "
            + t(
                "Demo data: a generated portfolio of fictitious contracts, loaded because the database was empty.",
                v.lang,
            )
        )


# --- data for the pages -------------------------------------------------------------------------


def renewal_window(v: View) -> int:
    """The renewal window in days: the sidebar's, else the settings' default."""
    within = v.filters.renewal_within_days
    return v.thresholds.renewal_window_days if within is None else within


def renewals_frame(v: View) -> tuple[PortfolioFrame, dict[str, int]]:
    """The contracts approaching renewal within renewal_window(v) that pass the sidebar's
    other filters, column-wise (in contract number order; frame.order(chosen, "deadline") is
    the renewals list's order), and how many get each suggested action (review.ACTIONS)."""
    filters = replace(v.filters, renewal_within_days=renewal_window(v))
    key = repr((filters, v.thresholds))
    return _renewal_selection(v.url, v.version, v.as_of, key, filters, v.thresholds)


def portfolio_frame(v: View) -> tuple[PortfolioFrame, summary.Headline]:
    """The filtered portfolio at the view's as_of, column-wise, and its headline figures."""
    return _selection(v.url, v.version, v.as_of, v.key, v.filters, v.thresholds)


def monthly(v: View, chosen: PortfolioFrame) -> list[summary.MonthActual]:
    """Actuals per month of the shown contracts: every contract's from the maintained
    portfolio months; a filtered set's summed in memory from every contract's months."""
    if v.filters == Filters() and not v.archived:  # portfolio_months holds every contract's months
        return _monthly(v.url, v.version, v.as_of)
    return _monthly_of(v.url, v.version, v.as_of, v.key, chosen)


def detail(v: View, number: str) -> Detail | None:
    return _detail(v.url, v.version, number, v.as_of, v.key, v.thresholds)


def no_contracts(v: View) -> None:
    """The message for an empty result: no contracts at all, or none that pass the filters."""
    if v.contracts_in_db == 0:
        st.info(
            t(
                "No contracts yet. Import your contracts, budgets, work orders, hours and materials to begin.",
                v.lang,
            )
        )
    else:
        st.info(t("No contracts match the filters in the sidebar.", v.lang))
        st.button(t("Clear the filters", v.lang), key="clear_filters", on_click=clear_filters,
                  icon=":material/filter_alt_off:")  # fmt: skip


def clear_filters() -> None:
    """Every sidebar filter back to its default (all customers, types, statuses, managers, any
    renewal window), the as-of date and the running/all choice kept."""
    for key in FILTER_PARAMS.values():
        st.session_state[key] = []
    st.session_state[WITHIN_KEY] = None


# --- rendering ----------------------------------------------------------------------------------


def column_config(columns: Columns, lang: str, currency: str, styled: bool = False) -> dict[str, object]:
    """Streamlit column formats for tables.py's column kinds; money headers name the currency's symbol.

    styled: a Styler supplies the money and number cells' text in lang (tables.display_formats);
    without one they follow the browser's locale, which may not be lang.
    """
    cc = st.column_config
    symbol = i18n.currency_symbol(currency, lang)
    date_format = "DD-MM-YYYY" if lang == "nl" else "D MMM YYYY"
    config: dict[str, object] = {}
    for name, col in columns.items():
        label, help_text = t(col.label, lang), (t(col.help, lang) if col.help else None)
        width = col.width
        number_format = None if styled else "localized"  # a format here would override the Styler's text
        if col.kind == "money":  # whole units; the symbol sits in the header
            config[name] = cc.NumberColumn(
                f"{label} ({symbol})", help=help_text, format=number_format, width=width
            )
        elif col.kind == "progress":  # whole percentages; table() scales the fractions by 100
            config[name] = cc.ProgressColumn(
                label, help=help_text, format="%.0f%%", min_value=0, max_value=100, width=110
            )
        elif col.kind == "number":
            config[name] = cc.NumberColumn(label, help=help_text, format=number_format, width=width)
        elif col.kind == "change":  # a fraction: +11 %
            config[name] = cc.NumberColumn(
                label, help=help_text, format=None if styled else "percent", width=width
            )
        elif col.kind == "date":
            config[name] = cc.DateColumn(label, help=help_text, format=date_format, width=width)
        elif col.kind == "check":
            config[name] = cc.CheckboxColumn(label, help=help_text, width=width)
        else:
            config[name] = cc.TextColumn(
                label, help=help_text, width=width, pinned=True if name == "contract" else None
            )
    return config


def table(frame: pd.DataFrame, columns: Columns, v: View, *, colour_status: bool = False, **kwargs: object):
    """st.dataframe with the columns' labels and formats in the view's language and currency,
    index hidden, status coloured; without rows, a line that says so in lang.

    Streamlit writes numbers in the browser's locale, not the chosen language, so a Styler
    gives the money and number cells their text in lang; the cells keep their numbers, and
    sorting by a column sorts by them."""
    lang = v.lang
    if frame.empty:  # Streamlit draws an empty grid with the English word "empty" in it
        st.caption(t("Nothing to show here.", lang))
        return None
    # a Styler renders every cell to HTML and refuses more than styler.render.max_elements
    # (262,144) of them: large portfolios get the plain, still sortable table
    styled = frame.size <= pd.get_option("styler.render.max_elements")
    return st.dataframe(
        styler(frame, columns, lang, colour_status) if styled else _in_percent(frame, columns),
        column_config=column_config(columns, lang, v.currency, styled),
        hide_index=True,
        width="stretch",
        placeholder=MISSING,  # a missing figure, which Streamlit would write as "None"
        **kwargs,
    )


def _in_percent(frame: pd.DataFrame, columns: Columns) -> pd.DataFrame:
    """A copy of frame with its progress columns in whole percentages, as column_config draws them."""
    shown = frame.copy()
    for name, col in columns.items():
        if col.kind == "progress":
            shown[name] = shown[name] * 100
    return shown


# Streamlit marshals a Styler on every run by having pandas translate every cell to its text:
# most of what drawing a table costs. A display frame (displayed()) is drawn again on every run
# and by every session: its Styler is made once, translated once where pandas allows
# (compat.translated_once), and kept as long as the frame lives.
_stylers: dict[tuple[int, str, bool], tuple[weakref.ref[pd.DataFrame], Columns, Styler]] = {}


def styler(frame: pd.DataFrame, columns: Columns, lang: str, colour_status: bool = False) -> Styler:
    """The Styler table() draws frame with: the money and number cells' text in lang
    (tables.display_formats; MISSING for a missing one), progress in whole percentages, and
    with colour_status the status in its colour; made once per frame, lang and colouring.
    Callers must not change frame or the Styler."""
    key = (id(frame), lang, colour_status)
    found = _stylers.get(key)
    if found is not None and found[0]() is frame and found[1] is columns:
        return found[2]
    shown = _in_percent(frame, columns)
    made = shown.style.format(tables.display_formats(columns, lang), na_rep=MISSING)
    if colour_status:
        colours = status_colours(lang)
        made = made.map(lambda s: f"color: {colours.get(s, 'inherit')}", subset=["status"])
    made = compat.translated_once(made)
    _stylers[key] = (weakref.ref(frame), columns, made)
    weakref.finalize(frame, _stylers.pop, key, None)  # a frame's id may be another's once it is gone
    return made


MISSING = "—"
ROW_PX, HEADER_PX = 35, 38  # st.dataframe's row and header heights
WRAPPING_ROW_PX = 66  # st.dataframe wraps text only in rows taller than 4rem (64 px): two lines


def selectable_table(
    frame: pd.DataFrame,
    columns: Columns,
    v: View,
    key: str,
    max_height: int = 420,
    wrap: bool = False,
    origin: str = "overview",
) -> None:
    """A table whose selected row opens that contract (the frame needs a 'contract' column);
    as tall as its rows up to max_height pixels, so a short list leaves no empty grid.
    wrap: rows two lines tall whose text wraps, so long texts fit a narrow column.
    origin: the page the contract's back link returns to (ORIGINS)."""
    row_px = WRAPPING_ROW_PX if wrap else ROW_PX
    nonce = st.session_state.setdefault(f"{key}_nonce", 0)
    event = table(
        frame,
        columns,
        v,
        colour_status=True,
        key=f"{key}_{nonce}",
        on_select="rerun",
        selection_mode="single-row",
        height=min(max_height, HEADER_PX + row_px * len(frame)),
        row_height=row_px,
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        st.session_state[f"{key}_nonce"] = nonce + 1  # come back to a table without a selection
        open_contract(str(frame.iloc[rows[0]]["contract"]), origin)


PAGE_ROWS = 500  # a table longer than this is sorted and paged on the server, with
PAGE_SIZE = 100  # this many rows a page: each row sent is formatted and styled on every run


def _page_size() -> int:
    return min(PAGE_ROWS, PAGE_SIZE)  # never more than a table shown whole


# Display frames: what a page draws from the figures (a page of a table, the changes since last
# week), built once per data version and key and shared by every session: a second visitor, or
# one coming back, gets it without recomputing a contract's figures. Callers must not change it.
@st.cache_resource(show_spinner=False, max_entries=256)
def _displayed(url: str, version: int, key: str, _build: Callable[[], object]) -> object:
    return _build()


@st.cache_resource(show_spinner=False, max_entries=16)
def _displayed_large(url: str, version: int, key: str, _build: Callable[[], object]) -> object:
    return _build()


def displayed(v: View, key: str, build: Callable[[], T], large: bool = False) -> T:
    """build(), once per data version and key (which must name everything else it depends on).
    large: a value that holds columns of many contracts, of which fewer are kept."""
    return (_displayed_large if large else _displayed)(v.url, v.version, key, build)  # type: ignore[return-value]


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


def digest(*parts: object) -> str:
    """A short fingerprint of parts (texts, numbers, numpy arrays) for a cache key."""
    h = hashlib.sha1()
    for part in parts:
        h.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def page_of(
    chosen: PortfolioFrame, v: View, key: str, sorts: dict[str, str] = tables.OVERVIEW_SORTS
) -> np.ndarray:
    """Positions of the rows a table shows: all of them in the table's own order (the first
    of sorts: a frame.order name -> its English label) when they fit one page; else the
    controls to sort every row on the server by any of sorts and to page through them, PAGE_SIZE
    rows a page."""
    if len(chosen) <= PAGE_ROWS:
        return first_rows(chosen, v, key, sorts)
    lang = v.lang
    labels = {name: t(label, lang) for name, label in sorts.items()}
    sort_col, order_col, page_col, info_col = st.columns([2, 1, 1, 2], vertical_alignment="bottom")
    by = sort_col.selectbox(t("Sort by", lang), list(labels), format_func=labels.get, key=f"{key}_sort")
    descending = order_col.toggle(t("Descending", lang), key=f"{key}_desc")
    size = _page_size()
    pages = math.ceil(len(chosen) / size)
    seen = (v.key, v.as_of, v.version, by, descending)
    if st.session_state.get(f"{key}_seen") != seen:  # another selection or order starts on page 1
        st.session_state[f"{key}_seen"] = seen
        st.session_state[f"{key}_page"] = 1
    st.session_state[f"{key}_page"] = min(st.session_state.get(f"{key}_page", 1), pages)
    page = page_col.number_input(t("Page", lang), min_value=1, max_value=pages, step=1, key=f"{key}_page")
    first = (page - 1) * size
    last = min(first + size, len(chosen))
    info_col.caption(
        t(
            "Rows {first}–{last} of {rows}",
            lang,
            first=i18n.number(first + 1, lang, 0),
            last=i18n.number(last, lang, 0),
            rows=i18n.number(len(chosen), lang, 0),
        )
    )
    st.caption(
        t("Sorted over all rows by the choice above; a column header sorts this page only. "
          "Select a row to open the contract.", lang)
    )  # fmt: skip
    return table_order(chosen, v, key, by, descending)[first:last]


def first_rows(
    chosen: PortfolioFrame, v: View, key: str, sorts: dict[str, str] = tables.OVERVIEW_SORTS
) -> np.ndarray:
    """The rows page_of(chosen, v, key, sorts) shows before any choice: all, or page 1, in the
    table's own order (page_of's for a short table; the warm-up's, which has no session)."""
    order = table_order(chosen, v, key, next(iter(sorts)))
    return order if len(order) <= PAGE_ROWS else order[: _page_size()]


def overview_table(v: View, chosen: PortfolioFrame, shown: np.ndarray) -> tuple[pd.DataFrame, Columns]:
    """The overview's table of chosen's rows at these positions (tables.overview), shared."""
    return displayed(
        v,
        f"overview {v.shown_key} {digest(shown)}",
        lambda: tables.overview(chosen.figures(shown), v.lang, v.currency),
    )


def table_order(chosen: PortfolioFrame, v: View, key: str, by: str, descending: bool = False) -> np.ndarray:
    """Positions of chosen's rows in the table key's order by (a frame.order name), cached per
    table and view (the view's filters stand for chosen in the cache)."""
    return _order(v.url, v.version, v.as_of, f"{key} {v.key}", by, descending, chosen)


def uploader_in(language: str, key: str) -> None:
    """Streamlit writes its file uploader's own texts (the button, the size limit) in English
    only: in another language, the uploader in the container `key` shows them in that one."""
    if language == i18n.DEFAULT_LANGUAGE:
        return
    upload = t("Upload", language).replace('"', "")
    limit = t("{mb} MB per file", language, mb=st.get_option("server.maxUploadSize")).replace('"', "")
    zone = f".st-key-{key} [data-testid='stFileUploaderDropzone']"
    st.html(
        f"<style>{zone} button [data-testid='stMarkdownContainer'] p {{ font-size: 0; }}"
        f'{zone} button [data-testid="stMarkdownContainer"] p::after {{ content: "{upload}"; font-size: 0.875rem; }}'
        f"{zone} [data-testid='stFileUploaderDropzoneInstructions'] span {{ font-size: 0; }}"
        f'{zone} [data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: "{limit} • CSV, TXT, '
        f'TSV, XLSX, XLSM"; font-size: 0.875rem; }}</style>'
    )


def date_format(language: str) -> str:
    """How a date input shows its date (Streamlit's format string): 27-11-2026 in Dutch, 27/11/2026 in English."""
    return "DD-MM-YYYY" if language == "nl" else "DD/MM/YYYY"


def csv_download(lang: str, data: object, stem: str, key: str) -> None:
    """The page's "Download as CSV" button: data (text, or a function that builds it when
    clicked, after checking that this run's actor still has a role) saved as stem.csv; a click
    does not rerun the page."""
    if callable(data):
        data = checked(data)
    st.download_button(t("Download as CSV", lang), data, file_name=f"{stem}.csv", mime="text/csv",
                       icon=":material/download:", key=key, on_click="ignore")  # fmt: skip


def checked(build: Callable[[], T]) -> Callable[[], T]:
    """build, run in Streamlit's download thread only while this run's actor still has a role
    (access.require_reader, read from the database when the button is clicked)."""
    engine_, reader = engine(), auth.actor()

    def run() -> T:
        with database.transaction(engine_) as session:
            access.require_reader(session, reader)
        return build()

    return run


PHONE_PX = 640  # narrower than this, a page shows its phone list instead of its wide table
PHONE_ROWS = 20  # cards a phone list shows


def device() -> str | None:
    """The browser's kind, "phone" or "wide", by its User-Agent ("Mobi" marks a mobile browser, as MDN
    advises); None without one (a test's run, an unusual client)."""
    agent = st.context.headers.get("User-Agent")
    if not agent:
        return None
    return "phone" if "Mobi" in agent else "wide"


def wide_or_phone(key: str, wide: Callable[[], None], phone: Callable[[], None]) -> None:
    """Draw the wide table (wide()) for a desktop browser and the phone list (phone()) for a
    phone's; for an unknown one both, of which the browser shows one: the wide table's from
    PHONE_PX on, the phone list's below it, switched by a CSS media query. (Drawing the hidden
    list too cost a desktop's first visit about 0.3 s on the demo: docs/performance.md.)"""
    kind = device()
    if kind is not None:
        (wide if kind == "wide" else phone)()
        return
    st.html(
        f"<style>@media (max-width: {PHONE_PX - 1}px) {{ .st-key-wide_{key} {{ display: none; }} }}"
        f"@media (min-width: {PHONE_PX}px) {{ .st-key-phone_{key} {{ display: none; }} }}</style>"
    )
    with st.container(key=f"wide_{key}"):
        wide()
    with st.container(key=f"phone_{key}"):
        phone()


def phone_list(
    rows: pd.DataFrame,
    v: View,
    key: str,
    why: str = "why",
    action: str | None = None,
    origin: str = "overview",
) -> None:
    """The table's rows as short cards for a phone: the contract (a button that opens it, drawn as
    a button: no link is made from imported text), its customer, status and flag, the recorded
    renewal decision (or "no decision yet" / "overdue for review") where the table has one, the
    suggested action, why, and the next deadline; the first PHONE_ROWS rows."""
    lang = v.lang
    colours = {tables.status_label(s, lang): s for s in STATUSES}
    for n, (_, row) in enumerate(rows.head(PHONE_ROWS).iterrows()):
        number = str(row["contract"])
        with st.container(border=True):
            if st.button(text.markdown(number), key=f"{key}_open_{n}", icon=":material/open_in_new:"):
                open_contract(number, origin)
            head = [tables.status_badge(colours.get(row["status"], ""), lang)]
            if row.get("flag"):
                head.append(f":violet-badge[{text.markdown(row['flag'])}]")
            if action and row.get(action):
                head.append(f"**{text.markdown(row[action])}**")
            lines = [f"**{text.markdown(row['customer'], limit=text.LONG)}**"] if row.get("customer") else []
            lines.append(" ".join(head))
            if row.get("decision"):
                lines.append(t("Decision: {decision}", lang, decision=text.markdown(row["decision"])))
            if row.get(why):
                lines.append(text.markdown(row[why], limit=text.LONG))
            lines.append(t("Next deadline: {date}", lang, date=i18n.date(row["deadline"], lang)))
            st.markdown("  \n".join(lines))
    if len(rows) > PHONE_ROWS:
        st.caption(t("The first {n} of {rows}; a wider screen shows them all.", lang, n=PHONE_ROWS,
                     rows=i18n.number(len(rows), lang, 0)))  # fmt: skip


ORIGINS = {
    "overview": ("app_pages/overview.py", "Overview"),
    "renewals": ("app_pages/renewals.py", "Renewals"),
}


def open_contract(number: str, origin: str = "overview") -> None:
    """Go to the contract page, keeping the sidebar's filters in the URL and, for its back
    link, the page it was opened from (?from=renewals; the overview by default)."""
    params = {**view_params(), "contract": number}
    if origin != "overview":
        params["from"] = origin
    st.switch_page("app_pages/contract.py", query_params=params)


def back_link(language: str) -> None:
    """The contract page's link back to the page it was opened from (?from=), with the filters."""
    path, label = ORIGINS.get(st.query_params.get("from", ""), ORIGINS["overview"])
    st.page_link(path, label=t(label, language), icon=":material/arrow_back:", query_params=view_params())


PACKS_PREFIX = "packs_ready:"  # session state: the prepared renewals packs, per view; a decision clears them


def _prepared_packs(v: View, pack: Callable[..., object], stem: str, row: DeltaGenerator) -> None:
    """The renewals list's packs: a button builds both under a status that names each step and
    a bar over the contracts' pages (a list can take many seconds), then two downloads."""
    from budgetcore.review import report_html, report_xlsx  # openpyxl: only on the pages with a pack

    lang = v.lang
    key = PACKS_PREFIX + digest(v.as_of, v.filters, v.lang, _state())
    ready = st.session_state.get(key)
    if ready is None:
        if not row.button(
            t("Prepare the review packs", lang), key="packs_prepare", icon=":material/description:"
        ):
            return
        with st.status(t("Preparing the review packs…", lang), expanded=True) as status:
            st.write(t("Reading the renewals list…", lang))
            bar = st.progress(0.0)

            def step(done: int, total: int) -> None:
                bar.progress(done / total if total else 1.0,
                             text=t("Contract pages: {done} of {total}", lang, done=done, total=total))  # fmt: skip

            built = pack(progress=step)
            st.write(t("Writing the workbook…", lang))
            workbook = report_xlsx.workbook(built, lang)
            st.write(t("Writing the printable page…", lang))
            page = report_html.html(built, lang)
            status.update(label=t("The review packs are ready.", lang), state="complete", expanded=False)
        for old in [k for k in st.session_state if str(k).startswith(PACKS_PREFIX)]:
            del st.session_state[old]  # one prepared pair per session: the latest view's
        ready = st.session_state[key] = (workbook, page)
    workbook, page = ready

    def gated(data: bytes) -> Callable[[], bytes]:
        """The prepared pack, served only while the role that prepared it holds (checked at the
        click, in Streamlit's download thread: a removed role or a sign-out gets no pack)."""

        def serve() -> bytes:
            with database.transaction(engine()) as session:
                access.require_reader(session, v.actor)
            return data

        return serve

    row.download_button(t("Review pack (Excel)", lang), gated(workbook), file_name=f"{stem}.xlsx",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key="pack_xlsx_renewals", on_click="ignore", icon=":material/table_view:")  # fmt: skip
    row.download_button(t("Review pack (printable HTML)", lang), gated(page), file_name=f"{stem}.html",
                        mime="text/html", key="pack_html_renewals", on_click="ignore", icon=":material/print:")  # fmt: skip


def forget_prepared_packs() -> None:
    """Drop the prepared renewals packs (a decision was recorded: they would show the old one)."""
    for key in [k for k in st.session_state if str(k).startswith(PACKS_PREFIX)]:
        del st.session_state[key]


def review_pack_downloads(v: View, contract_number: str | None = None) -> None:
    """Download buttons for the review pack of one contract, or of the renewals list as
    filtered in the sidebar: an Excel workbook and a printable HTML report. Each is
    built only when its button is clicked (in Streamlit's download thread)."""
    from budgetcore.review import report_html, report_xlsx, reports  # openpyxl: only on the pages with a pack

    engine_, as_of, language = engine(), v.as_of, v.lang
    others = replace(v.filters, renewal_within_days=None)
    within = v.filters.renewal_within_days

    reader = v.actor

    def pack(progress: Callable[[int, int], None] | None = None) -> reports.ReviewPack:
        with database.transaction(engine_) as session:
            # built later, in Streamlit's download thread: the role is checked now, not at the page's run
            access.require_reader(session, reader)
            chosen = stored_settings.load(session)
            return reports.collect(
                session, as_of, chosen, contract_number=contract_number, within_days=within, filters=others,
                progress=progress,
            )  # fmt: skip

    stem = f"{t('review', language)}-{contract_number or t('renewals', language)}-{as_of.isoformat()}"
    row = st.container(horizontal=True)
    which = contract_number or "renewals"
    if contract_number is None:  # a list of up to reports.DETAILED pages: built here, step by step
        _prepared_packs(v, pack, stem, row)
        return
    for label, build, suffix, mime, icon in (
        ("Review pack (Excel)", report_xlsx.workbook, "xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ":material/table_view:"),
        ("Review pack (printable HTML)", report_html.html, "html", "text/html", ":material/print:"),
    ):  # fmt: skip
        row.download_button(
            t(label, language),
            lambda build=build: build(pack(), language),  # built only when clicked
            file_name=f"{stem}.{suffix}",
            mime=mime,
            key=f"pack_{suffix}_{which}",
            on_click="ignore",
            icon=icon,
        )
