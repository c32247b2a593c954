"""Every page in Dutch and English through AppTest: no exception, no text without a Dutch translation,
the language remembered in the URL, and the Settings page changing the statuses on every page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from apptest import open_app
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from budgetcore import i18n
from budgetcore.exchange import demo
from budgetcore.figures import settings
from budgetcore.figures.settings import Settings
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.schema import prepared

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 27)
PAGES = {
    "overview": ("app_pages/overview.py", {}),
    "renewals": ("app_pages/renewals.py", {}),
    "accuracy": ("app_pages/accuracy.py", {}),
    "contract": ("app_pages/contract.py", {}),  # the contract number is filled in per test
    "settings": ("app_pages/settings.py", {}),
    "audit": ("app_pages/audit.py", {}),  # the demo's load is in it
    "users": ("app_pages/admin.py", {}),
}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory, schema_template: Callable[[Engine], None]) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'demo.db'}"
    engine = make_engine(url)
    schema_template(engine)  # conftest: the schema prepare() makes, without an Alembic run
    engine = prepared(engine)
    assert demo.load(engine, contracts=80, today=TODAY).ok
    engine.dispose()
    return url


@pytest.fixture
def app_env(app_on, demo_url: str) -> str:
    return app_on(demo_url)


def first_contract(url: str) -> str:
    from budgetcore.figures import portfolio

    engine = prepared(make_engine(url))
    with transaction(engine) as session:
        chosen = [
            f.contract_number
            for f in portfolio.renewals(session, TODAY, within_days=120)
            if f.status == "over budget" and f.inputs.contract_value  # every chart line and fact shows
        ]
    engine.dispose()
    return chosen[0]


def run_page(name: str, lang: str, **params: str) -> AppTest:
    """The whole app (dashboard.py: navigation and sidebar) opened on one page."""
    return open_app(None if name == "overview" else PAGES[name][0], check=False, lang=lang, **params)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders_and_every_text_is_translated(name, lang, app_env, recorded) -> None:
    params = {"contract": first_contract(app_env)} if name == "contract" else {}
    at = run_page(name, lang, **params)
    assert not at.exception, [e.message for e in at.exception]
    if lang == "nl":
        assert recorded, "the page asked t() for nothing in Dutch"
        assert i18n.missing(sorted(recorded)) == []


def test_language_choice_is_in_the_sidebar_and_the_url(app_env) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Portfolio overview"
    choice = at.sidebar.get("segmented_control") or at.sidebar.get("radio") or at.sidebar.get("selectbox")
    lang_widget = [w for w in choice if getattr(w, "key", None) == "lang_choice"]
    assert lang_widget, "no language choice in the sidebar"
    lang_widget[0].set_value("nl").run()
    assert not at.exception
    assert at.query_params.get("lang") in ("nl", ["nl"])
    assert at.title[0].value == i18n.t("Portfolio overview", "nl")


def statuses_on(name: str, url: str) -> list[str]:
    at = run_page(name, "en")
    assert not at.exception, [e.message for e in at.exception]
    frames = [df.value for df in at.dataframe]
    return [str(v) for frame in frames if "status" in frame.columns for v in frame["status"]]


def test_settings_change_the_statuses_on_every_page(app_env) -> None:
    before = {name: statuses_on(name, app_env) for name in ("overview", "renewals")}
    assert any("at risk" in s.lower() for s in before["overview"])

    at = run_page("settings", "en")
    at.number_input(key="s_at_risk").set_value(500)
    at.number_input(key="s_watch_level").set_value(200)
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    engine = prepared(make_engine(app_env))
    with transaction(engine) as session:
        assert settings.load(session).at_risk_margin == Decimal(5)
    try:
        after = {name: statuses_on(name, app_env) for name in ("overview", "renewals")}
        assert not any("at risk" in s.lower() for s in after["overview"])
        assert after["overview"] != before["overview"]
        assert not any("at risk" in s.lower() for s in after["renewals"])
    finally:
        with transaction(engine) as session:
            settings.save(session, Settings())
        engine.dispose()
