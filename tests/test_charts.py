"""Chart builders (Plotly figures): hover texts say what i18n's formatters say, in the view's
language; numbers, money and months are written in it; imported text stays text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from babel import Locale

from budgetcore import i18n
from budgetcore.app import charts, text
from budgetcore.exchange import demo
from budgetcore.figures import metrics, portfolio
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


def _points(fig) -> list[list[str]]:
    return [list(row) for trace in fig.data if trace.customdata is not None for row in trace.customdata]


@pytest.mark.parametrize(("lang", "currency"), [("en", "EUR"), ("nl", "EUR"), ("nl", "USD"), ("en", "GBP")])
def test_pressure_map_hover_matches_the_formatters(figures, lang: str, currency: str) -> None:
    fig = charts.pressure_map(figures, lang, currency)
    by_number = {f.contract_number: f for f in figures}
    points = _points(fig)
    assert len(points) == sum(1 for f in figures if f.consumed is not None and f.budget_total)
    for number, customer, budget, consumed, elapsed, opened in points:
        f = by_number[opened]  # the contract a click opens
        assert (number, customer) == (text.chart(f.contract_number), text.chart(f.inputs.customer))
        assert budget == i18n.money(f.budget_total, lang, currency, cents=False)
        assert consumed == i18n.percent(f.consumed, lang)
        assert elapsed == i18n.percent(f.elapsed, lang)
    assert {trace.name for trace in fig.data if trace.customdata is not None} <= {
        i18n.t(s, lang) for s in metrics.STATUSES
    }
    symbols = Locale.parse(i18n.LOCALES[lang]).number_symbols["latn"]
    assert fig.layout.separators == symbols["decimal"] + symbols["group"]  # "," then "." in Dutch


def test_a_click_on_a_bubble_names_its_contract_and_edge_bubbles_are_whole(figures) -> None:
    fig = charts.pressure_map(figures, "en", "EUR")
    assert all(trace.cliponaxis is False for trace in fig.data if trace.customdata is not None)
    row = _points(fig)[0]
    event = SimpleNamespace(selection={"points": [{"customdata": row}]})  # what st.plotly_chart returns
    assert charts.clicked_contract(event) == row[charts.CONTRACT]
    assert charts.clicked_contract(SimpleNamespace(selection={"points": []})) is None
    assert charts.clicked_contract(None) is None


def test_imported_text_is_shown_as_written_never_read_as_plotly_markup() -> None:
    """Plotly reads <a href>, <b> and <br> in a hover text: an imported name is escaped, its click
    target kept as it is."""
    hostile = "<a href='https://evil.example'>x</a> <b>b</b> $x$ %{customdata[5]}"
    f = SimpleNamespace(contract_number=hostile, consumed=Decimal("0.5"), budget_total=Decimal(100),
                        elapsed=Decimal("0.25"), status="on track", inputs=SimpleNamespace(customer=hostile))  # fmt: skip
    fig = charts.pressure_map([f], "en", "EUR")
    number, customer, *_, opened = _points(fig)[0]
    assert "<" not in number + customer and number.startswith("&lt;a href=")
    assert opened == hostile
    assert charts.CONFIG["typesetMath"] is False  # "$x$" is text, not a formula


def test_the_month_of_as_of_says_it_is_partial() -> None:
    months = [
        MonthActual(dt.date(2026, 7, 1), Decimal(1000), Decimal(500)),
        MonthActual(dt.date(2026, 8, 1), Decimal(100), Decimal(0)),
    ]
    fig = charts.monthly_actuals(months, "nl", "EUR", dt.date(2026, 8, 6))
    labour = fig.data[0]
    assert labour.name == "Arbeid" and list(labour.x) == ["jul 2026", "aug 2026"]  # Babel's month names
    assert [row[0] for row in labour.customdata] == ["jul 2026", "aug 2026 t/m 06-08-2026"]
    assert [row[1] for row in labour.customdata] == ["€\xa01.000", "€\xa0100"]
    assert list(labour.marker.opacity) == [1.0, charts.PARTIAL_OPACITY]
    assert [a.text for a in fig.layout.annotations] == ["t/m 06-08-2026"]
    assert fig.layout.yaxis.tickprefix == "€\xa0" and fig.layout.separators == ",."
    whole = charts.monthly_actuals(months, "en", "EUR", dt.date(2026, 8, 31))  # the month is complete
    assert [row[0] for row in whole.data[0].customdata] == [
        "Jul 2026",
        "Aug 2026",
    ] and not whole.layout.annotations


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_burn_up_names_its_months_in_the_language(lang: str) -> None:
    ticks, names = charts.month_ticks(dt.date(2026, 1, 15), dt.date(2027, 1, 14), lang)
    assert ticks[0] == "2026-02-01" and len(ticks) <= charts.MAX_TICKS
    assert names == [i18n.month(dt.date.fromisoformat(d), lang) for d in ticks]
    assert ("okt 2026" in names) == (lang == "nl")


def test_the_forecast_errors_write_one_percent_format() -> None:
    rows = [
        SimpleNamespace(method="auto", type="all", checkpoint=q * 25, quarter=q, median_ape=Decimal("0.123"))
        for q in (1, 2, 3)
    ]
    for lang in ("en", "nl"):
        fig = charts.forecast_errors(rows, lang)  # type: ignore[arg-type]
        assert list(fig.data[0].x) == [i18n.percent(Decimal(q) / 4, lang) for q in (1, 2, 3)]
        assert fig.data[0].customdata[0][1] == i18n.percent(Decimal("0.123"), lang, 1)
        assert " %" not in "".join(fig.data[0].x)  # "25%", as Babel writes it in both languages
