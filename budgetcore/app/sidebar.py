"""What a page renders for: the View (as_of, filters, language, thresholds, data facts), made by
the shared sidebar whose filters live in session state and are mirrored in the URL query
parameters (a link reproduces a view), and the language choice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from budgetcore import clock, i18n
from budgetcore.app import auth, text
from budgetcore.app.caches import choices_at, data_state, engine, holds_demo, settings_at
from budgetcore.figures import codes, summary
from budgetcore.figures import settings as stored_settings
from budgetcore.figures.metrics import STATUSES, Thresholds
from budgetcore.figures.portfolio import Filters
from budgetcore.i18n import N_, t
from budgetcore.store.access import Actor

FILTER_PARAMS = {"customer": "f_customer", "type": "f_type", "status": "f_status", "manager": "f_manager"}
AS_OF_KEY, WITHIN_KEY, SCOPE_KEY = "f_as_of", "f_within", "f_scope"
SCOPES = {"running": "Running contracts", "all": N_("All contracts")}  # ?contracts=all; running by default
LOCAL = Actor("local", "page", operator=True)  # a View made without a sidebar run (tests)


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


def settings(v: View | None = None) -> stored_settings.Settings:
    """The settings stored in the database (thresholds, renewal window, target margin, currency):
    at v's data version when given (no second read of the version in a run that has its view)."""
    url, version = (v.url, v.version) if v is not None else data_state()
    return settings_at(url, version)


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


def draw(filters: bool = True) -> View:
    """Render the shared sidebar and return the view every page renders; call once per run.
    filters False (pages where they change nothing: import, settings, audit, users): only the
    language and who is signed in; the filters keep their values for the next page."""
    language = lang()
    url, version = data_state()
    choices, _, _ = choices_at(url, version)
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
    _, count, archived = choices_at(url, version)
    stored = settings_at(url, version)
    return View(
        as_of=as_of,
        filters=filters,
        lang=language,
        thresholds=stored.thresholds(),
        currency=stored.currency,
        demo=holds_demo(url, version),
        contracts_in_db=count,
        url=url,
        version=version,
        archived=archived,
        actor=actor,
        rights=rights,
    )


def first_view() -> View:
    """The view a first visit to / renders, read without a session: today, running contracts,
    no other filter (the sidebar's defaults), English, the local actor. What caches.py's results are
    keyed by (url, version, as_of, filters, thresholds) is the sidebar's for that visit
    (tests/test_warm.py holds them equal); app/warm.py fills the caches for it at start."""
    url, version = data_state()
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
        format_func=lambda v: codes.contract_type(v, language),
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


def view() -> View:
    """The view dashboard.py's sidebar produced in this run (a page runs inside dashboard.py's
    st.navigation; the page scripts sit in app_pages/, not pages/, so Streamlit never runs one
    on its own in its old pages-folder mode)."""
    current = st.session_state.get("_view")
    return current if isinstance(current, View) else draw()


def renewal_window(v: View) -> int:
    """The renewal window in days: the sidebar's, else the settings' default."""
    within = v.filters.renewal_within_days
    return v.thresholds.renewal_window_days if within is None else within


def clear_filters() -> None:
    """Every sidebar filter back to its default (all customers, types, statuses, managers, any
    renewal window), the as-of date and the running/all choice kept."""
    for key in FILTER_PARAMS.values():
        st.session_state[key] = []
    st.session_state[WITHIN_KEY] = None


def date_format(language: str) -> str:
    """How a date input shows its date (Streamlit's format string): 27-11-2026 in Dutch, 27/11/2026 in English."""
    return "DD-MM-YYYY" if language == "nl" else "DD/MM/YYYY"
