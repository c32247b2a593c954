"""Chart builders: the pressure map's fast hover texts say what i18n's formatters say."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from budgetcore import i18n
from budgetcore.app import charts
from budgetcore.exchange import demo
from budgetcore.figures import portfolio
from budgetcore.figures.summary import MonthActual
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory):
    engine = prepared(make_engine(f"sqlite:///{tmp_path_factory.mktemp('charts') / 'demo.db'}"))
    demo.load(engine, today=TODAY)
    with transaction(engine) as session:
        yield portfolio.portfolio(session, TODAY)
    engine.dispose()


@pytest.mark.parametrize(("lang", "currency"), [("en", "EUR"), ("nl", "EUR"), ("nl", "USD"), ("en", "GBP")])
def test_pressure_map_hover_matches_the_formatters(figures, lang: str, currency: str) -> None:
    fig = charts.pressure_map(figures, lang, currency)
    by_number = {f.contract_number: f for f in figures}
    points = [row for trace in fig.data if trace.customdata is not None for row in trace.customdata]
    assert len(points) == sum(1 for f in figures if f.consumed is not None and f.budget_total)
    for number, _customer, budget, consumed, elapsed, opened in points:
        assert opened == number  # the contract a click opens (the shown one is escaped text)
        f = by_number[number]
        assert budget == i18n.money(f.budget_total, lang, currency, cents=False)
        assert consumed == i18n.percent(f.consumed, lang)
        assert elapsed == i18n.percent(f.elapsed, lang)


def test_a_click_on_a_bubble_names_its_contract_and_edge_bubbles_are_whole(figures) -> None:
    fig = charts.pressure_map(figures, "en", "EUR")
    assert all(trace.cliponaxis is False for trace in fig.data if trace.customdata is not None)
    row = next(trace for trace in fig.data if trace.customdata is not None).customdata[0]
    event = SimpleNamespace(selection=SimpleNamespace(points=[{"customdata": list(row)}]))
    assert charts.clicked_contract(event) == row[5]
    assert charts.clicked_contract(SimpleNamespace(selection=SimpleNamespace(points=[]))) is None


def test_the_month_of_as_of_says_it_is_partial() -> None:
    months = [
        MonthActual(dt.date(2026, 7, 1), Decimal(1000), Decimal(500)),
        MonthActual(dt.date(2026, 8, 1), Decimal(100), Decimal(0)),
    ]
    fig = charts.monthly_actuals(months, "nl", "EUR", dt.date(2026, 8, 6))
    labour = fig.data[0]
    assert [row[1] for row in labour.customdata] == ["jul 2026", "aug 2026 t/m 06-08-2026"]
    assert list(labour.marker.opacity) == [1.0, 0.45]
    assert [a.text for a in fig.layout.annotations] == ["t/m 06-08-2026"]
    whole = charts.monthly_actuals(months, "en", "EUR", dt.date(2026, 8, 31))  # the month is complete
    assert [row[1] for row in whole.data[0].customdata] == ["Jul 2026", "Aug 2026"] and not whole.layout.annotations
