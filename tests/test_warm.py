"""Warming at start (budgetcore/app/warm.py): `streamlit run dashboard.py` serves dashboard.py
through its st.App, whose lifespan fills the caches the first overview reads; these tests hold
that it fills the very ones that visit uses. (The browser tests run the server this way.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import open_app
from streamlit.web.server.app_discovery import discover_asgi_app

from budgetcore import i18n
from budgetcore.app import sidebar, warm

pytestmark = pytest.mark.usefixtures("fresh_app")  # conftest: the demo's copy, today fixed, fresh caches
DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def test_streamlit_run_serves_the_dashboard_through_its_app() -> None:
    found = discover_asgi_app(DASHBOARD)
    assert found.is_asgi_app and found.import_string == "dashboard:app"


def test_the_first_view_is_the_one_a_first_visit_renders() -> None:
    at = open_app()
    seen, first = at.session_state["_view"], sidebar.first_view()
    assert (seen.url, seen.version, seen.as_of, seen.key) == (
        first.url,
        first.version,
        first.as_of,
        first.key,
    )
    assert (seen.filters, seen.thresholds, seen.archived) == (first.filters, first.thresholds, first.archived)


def test_after_warming_the_first_overview_reads_no_portfolio(monkeypatch: pytest.MonkeyPatch) -> None:
    i18n.translations.cache_clear()  # the Dutch catalogue compiled by the warming, not by a visit
    warm.warm()

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("read again after warming")

    # every whole-portfolio read of the overview's first run goes through these two
    monkeypatch.setattr("budgetcore.figures.frame.load", refused)
    monkeypatch.setattr("budgetcore.figures.summary.monthly_actuals", refused)
    # nor the display frames: the table's first page, the ended ones, the changes since last week
    monkeypatch.setattr("budgetcore.app.tables.overview", refused)
    monkeypatch.setattr("budgetcore.review.alerts.changes_between", refused)
    monkeypatch.setattr("budgetcore.i18n.compiled", refused)
    assert i18n.t("Overview", "nl") == "Overzicht"
    at = open_app()
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Portfolio overview"
