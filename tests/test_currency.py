"""The stored currency on every page: saved on the Settings page, shown by the overview, the contract
page and the renewals page (headlines, table headers, charts, reasons), with no euro sign left."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from apptest import open_app
from google.protobuf import text_format
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from budgetcore import i18n
from budgetcore.app import charts
from budgetcore.exchange import demo
from budgetcore.figures import portfolio, settings
from budgetcore.figures.settings import Settings
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def app_env(app_on, tmp_path: Path, schema_template: Callable[[Engine], None]) -> str:
    url = f"sqlite:///{tmp_path / 'currency.db'}"
    engine = make_engine(url)
    schema_template(engine)  # conftest: the schema prepare() makes, without an Alembic run
    engine = prepared(engine)
    assert demo.load(engine, contracts=40, today=TODAY).ok
    engine.dispose()
    return app_on(url)


def open_page(page: str | None, lang: str = "en", **params: str) -> AppTest:
    return open_app(page, lang=lang, **params)


def shown(at: AppTest) -> str:
    """Everything the page sends to the browser except the table cells: texts, metric values and
    helps, column headers, chart specs (axis prefixes, hover texts), as readable text."""
    parts, stack = [], [at.main, at.sidebar]
    while stack:
        node = stack.pop()
        stack.extend(getattr(node, "children", {}).values())
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
    return "\n".join(parts)


def renewal_contract(url: str) -> str:
    engine = prepared(make_engine(url))
    with transaction(engine) as session:
        chosen = [f for f in portfolio.renewals(session, TODAY, within_days=120) if f.inputs.contract_value]
    engine.dispose()
    return chosen[0].contract_number


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_pages_show_the_saved_currency(app_env: str, lang: str) -> None:
    at = open_page("app_pages/settings.py", lang)
    at.selectbox(key="s_currency").set_value("USD")
    next(b for b in at.button if b.label == i18n.t("Save", lang)).click().run()
    assert not at.exception
    engine = prepared(make_engine(app_env))
    with transaction(engine) as session:
        assert settings.load(session).currency == "USD"
    try:
        number = renewal_contract(app_env)
        for page, params in (
            (None, {}),
            ("app_pages/contract.py", {"contract": number}),
            ("app_pages/renewals.py", {}),
        ):
            at = open_page(page, lang, **params)
            text = shown(at)
            assert "US$" in text, page
            assert "€" not in text, page
            if page is None:  # the headline amounts, and the table's money headers (i18n.currency_symbol)
                assert all("US$" in m.value for m in at.metric[1:5])
                assert (
                    "(US$)" in at.dataframe[0].proto.columns and "(USD)" not in at.dataframe[0].proto.columns
                )
            if page and page.endswith("renewals.py"):  # the reasons quote amounts
                reasons = " ".join(at.dataframe[0].value["reason"])
                assert "US$" in reasons and "€" not in reasons
    finally:
        with transaction(engine) as session:
            settings.save(session, Settings())
        engine.dispose()


def test_chart_axes_and_hover_use_the_currency() -> None:
    months = [
        charts.MonthActual(month=dt.date(2026, m, 1), labour=Decimal(1000 * m), material=Decimal(10))
        for m in (1, 2)
    ]
    fig = charts.monthly_actuals(months, "nl", "CHF")
    assert fig.layout.yaxis.tickprefix == "CHF\xa0" and fig.layout.separators == ",."  # the axis
    assert fig.data[0].customdata[0][1] == "CHF\xa01.000"  # the hover
    assert charts.monthly_actuals(months, "en", "GBP").layout.yaxis.tickprefix == "£"
