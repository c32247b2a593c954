"""Chart builders: the pressure map's fast hover texts say what i18n's formatters say."""

from __future__ import annotations

import datetime as dt

import pytest

from budgetcore import i18n
from budgetcore.app import charts
from budgetcore.exchange import demo
from budgetcore.figures import portfolio
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
    for number, _customer, budget, consumed, elapsed in points:
        f = by_number[number]
        assert budget == i18n.money(f.budget_total, lang, currency, cents=False)
        assert consumed == i18n.percent(f.consumed, lang)
        assert elapsed == i18n.percent(f.elapsed, lang)
