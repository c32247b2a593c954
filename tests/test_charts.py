"""Chart builders: the pressure map's fast hover texts say what i18n's formatters say."""

from __future__ import annotations

import datetime as dt
import json
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


def _rows(spec: dict, name: str) -> list[dict]:
    return spec["datasets"][name].to_dict("records")


@pytest.mark.parametrize(("lang", "currency"), [("en", "EUR"), ("nl", "EUR"), ("nl", "USD"), ("en", "GBP")])
def test_pressure_map_hover_matches_the_formatters(figures, lang: str, currency: str) -> None:
    spec = charts.pressure_map(figures, lang, currency)
    by_number = {f.contract_number: f for f in figures}
    points = _rows(spec, "points")
    assert len(points) == sum(1 for f in figures if f.consumed is not None and f.budget_total)
    for point in points:
        f = by_number[point["contract"]]  # the contract a click opens
        assert point["number"] == f.contract_number and point["status"] == i18n.t(f.status, lang)
        assert point["budget_text"] == i18n.money(f.budget_total, lang, currency, cents=False)
        assert point["consumed_text"] == i18n.percent(f.consumed, lang)
        assert point["elapsed_text"] == i18n.percent(f.elapsed, lang)
        assert (point["elapsed"], point["consumed"]) == (float(f.elapsed), float(f.consumed))
    assert spec["config"]["locale"] == i18n.chart_locale(lang, currency)


def test_a_click_on_a_bubble_names_its_contract(figures) -> None:
    spec = charts.pressure_map(figures, "en", "EUR")
    bubbles = next(layer for layer in spec["layer"] if "params" in layer)
    pick = bubbles["params"][0]
    assert pick["name"] == charts.PICK and pick["select"]["fields"] == ["contract"]
    number = _rows(spec, "points")[0]["contract"]
    assert charts.clicked_contract(SimpleNamespace(selection={charts.PICK: [{"contract": number}]})) == number
    assert charts.clicked_contract(SimpleNamespace(selection={charts.PICK: []})) is None
    assert charts.clicked_contract(None) is None


def test_imported_text_is_data_never_part_of_the_spec() -> None:
    """Names from a file go into the datasets only: never into a title, an expression or a format,
    where Vega would read them as code or markup."""
    hostile = "<b>x</b> ' + alert(1) + ' {{datum}} %d"
    f = SimpleNamespace(contract_number=hostile, consumed=Decimal("0.5"), budget_total=Decimal(100),
                        elapsed=Decimal("0.25"), status="on track", inputs=SimpleNamespace(customer=hostile))  # fmt: skip
    spec = charts.pressure_map([f], "en", "EUR")
    outside = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    assert "alert" not in outside and "<b>" not in outside
    assert _rows(spec, "points")[0]["customer"] == hostile  # shown as written (Vega's tooltips escape it)


def test_the_month_of_as_of_says_it_is_partial() -> None:
    months = [
        MonthActual(dt.date(2026, 7, 1), Decimal(1000), Decimal(500)),
        MonthActual(dt.date(2026, 8, 1), Decimal(100), Decimal(0)),
    ]
    spec = charts.monthly_actuals(months, "nl", "EUR", dt.date(2026, 8, 6))
    labour = [row for row in _rows(spec, "bars") if row["kind"] == "Arbeid"]
    assert [row["label"] for row in labour] == ["jul 2026", "aug 2026 t/m 06-08-2026"]
    assert [row["opacity"] for row in labour] == [1.0, charts.PARTIAL_OPACITY]
    assert [row["note"] for row in _rows(spec, "note")] == ["t/m 06-08-2026"]
    assert [row["amount_text"] for row in labour] == ["€\xa01.000", "€\xa0100"]
    whole = charts.monthly_actuals(months, "en", "EUR", dt.date(2026, 8, 31))  # the month is complete
    assert [row["label"] for row in _rows(whole, "bars")][:2] == ["Jul 2026", "Aug 2026"]
    assert "note" not in whole["datasets"]
