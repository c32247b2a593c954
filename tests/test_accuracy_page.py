"""The forecast accuracy page under AppTest: the backtest of the demo with history, in English and Dutch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from apptest import open_app
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from budgetcore import i18n
from budgetcore.exchange import demo
from budgetcore.figures import calibration
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def history_url(tmp_path_factory: pytest.TempPathFactory, schema_template: Callable[[Engine], None]) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('accuracy') / 'demo.db'}"
    engine = make_engine(url)
    schema_template(engine)  # conftest: the schema prepare() makes, without an Alembic run
    engine = prepared(engine)
    assert demo.load(engine, contracts=120, today=TODAY, history=True).ok
    engine.dispose()
    return url


def run(app_on, url: str, lang: str) -> AppTest:
    app_on(url)  # conftest: the app on this database, on TODAY
    return open_app("app_pages/accuracy.py", lang=lang)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_page_shows_the_backtest_and_what_auto_uses(
    history_url: str, lang: str, app_on, recorded: set[str]
) -> None:
    at = run(app_on, history_url, lang)
    assert at.title[0].value == i18n.t("Forecast accuracy", lang)
    engine = make_engine(history_url)
    with transaction(engine) as session:
        found = calibration.calibrate(session, TODAY)
    engine.dispose()
    picks, table = at.dataframe[0].value, at.dataframe[1].value
    assert len(picks) == len(found.picks) == 9  # three types at three checkpoints
    why = " ".join(picks.iloc[:, 3].astype(str))
    # the sample is small for corrective contracts at 120 contracts: the chain, and says so
    assert i18n.t("lowest median error on {count} completed contracts", lang).split("{")[0] in why
    assert i18n.t("fewer than {minimum} completed contracts ({count})", lang).split("{")[0] in why
    assert len(table) == 18  # every type together: auto, the chain and four methods at three checkpoints
    assert set(table.iloc[:, 1]) == {
        i18n.t(m, lang) for m in ("auto", "chain", "visits", "burn", "run rate", "remaining budget")
    }
    assert len(at.get("plotly_chart")) == 1
    at.selectbox(key="accuracy_type").set_value("preventive").run()
    assert not at.exception
    assert len(at.dataframe[1].value) == 18
    if lang == "nl":
        assert i18n.missing(sorted(recorded)) == []


def test_without_completed_contracts_the_page_says_the_chain_is_used(
    tmp_path: Path, app_on, new_sqlite
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    new_sqlite(tmp_path / "empty.db").dispose()  # conftest: prepared, schema_template's copy
    at = run(app_on, url, "en")
    assert [i.value for i in at.info] == ["No completed contracts yet: every forecast uses the chain."]
    assert not at.dataframe and not at.get("plotly_chart")
