"""One contract in depth (contract_detail) and the portfolio views of summary, on both engines."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from asof import DEMO_TODAY
from sqlalchemy import Engine, event

from budgetcore.exchange import demo
from budgetcore.exchange.formats import open_csv
from budgetcore.exchange.importing import import_tables
from budgetcore.figures import contract_detail, frame, metrics, portfolio, settings, summary, variance
from budgetcore.review import reports
from budgetcore.store import decisions
from budgetcore.store.database import transaction

D = Decimal
AS_OF = dt.date(2026, 3, 15)


def load(engine: Engine, **entities: list[list[str]]) -> None:
    """Import rows (exchange-format columns in demo.HEADERS order) through the real importer."""
    tables = []
    for entity, rows in entities.items():
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(demo.HEADERS[entity])
        writer.writerows(rows)
        raw = io.BufferedReader(io.BytesIO(text.getvalue().encode()))  # type: ignore[arg-type]
        tables.append(open_csv(f"{entity}.csv", raw))
    result = import_tables(engine, tables, source="test")
    assert result.ok, [str(e) for e in result.errors]


@pytest.fixture
def contract(shared_engine) -> Engine:
    """C-1: 2026, budget labour 7,300 (73 h) + material 3,650 over the term; four work orders.

    WB1 2026-01-10: 2 h x 50 work + 1 h x 50 travel (Daan), 2 x 10 filter    -> 150 + 20
    WB2 2026-02-20: 4 h x 50 work (Sem), 1 x 100 pump                       -> 200 + 100
    WB3 2026-03-10: 1 h x 0 work (Daan, zero rate), nothing else              -> 0
    WB4 2026-03-20: after AS_OF, 2 h x 50 (Sem)                               -> not counted at AS_OF
    WB5 2025-12-20: before the term, 1 h x 50 (Daan)                          -> a finding
    WB6 2026-02-01: no lines at all                                           -> a finding

    Built once per session on each engine (shared_engine); the tests only read it.
    """
    return shared_engine("contract_detail C-1", _contract)


def _contract(engine: Engine) -> None:
    load(
        engine,
        contracts=[["C-1", "Klant A", "", "Utrecht", "Onderhoud", "preventive", "2026-01-01", "2026-12-31",
                    "90", "true", "12", "20000", "4", "Anouk", ""],
                   ["C-2", "Klant B", "", "", "", "corrective", "2026-01-01", "2026-12-31",
                    "0", "false", "", "", "", "Bram", ""]],
        budgets=[["C-1", "labour", "7300", "73", "", ""], ["C-1", "material", "3650", "", "", ""]],
        work_orders=[["WB1", "C-1", "2026-01-10", "periodic", "gereed", "Visit 1"],
                     ["WB2", "C-1", "2026-02-20", "corrective", "gereed", "Storing"],
                     ["WB3", "C-1", "2026-03-10", "corrective", "gereed", "Zero rate"],
                     ["WB4", "C-1", "2026-03-20", "periodic", "gereed", "Visit 2"],
                     ["WB5", "C-1", "2025-12-20", "corrective", "gereed", "Before"],
                     ["WB6", "C-1", "2026-02-01", "corrective", "open", "Empty"],
                     ["WB7", "C-2", "2026-03-01", "corrective", "gereed", "Other contract"]],
        hours=[["WB1", "2026-01-10", "Daan", "work", "2", "50", ""],
               ["WB1", "2026-01-10", "Daan", "travel", "1", "50", ""],
               ["WB2", "2026-02-20", "Sem", "work", "4", "50", ""],
               ["WB3", "2026-03-10", "Daan", "work", "1", "0", ""],
               ["WB4", "2026-03-20", "Sem", "work", "2", "50", ""],
               ["WB5", "2025-12-20", "Daan", "work", "1", "50", ""],
               ["WB7", "2026-03-01", "Lars", "work", "10", "50", ""]],
        materials=[["WB1", "2026-01-10", "FLT", "Filter", "2", "10", ""],
                   ["WB2", "2026-02-20", "PMP", "Pomp", "1", "100", ""]],
    )  # fmt: skip


def test_figures_match_the_portfolio(contract: Engine) -> None:
    with transaction(contract) as session:
        f = contract_detail.figures(session, "C-1", AS_OF)
        assert contract_detail.figures(session, "NOPE", AS_OF) is None
        assert contract_detail.figures(session, "", AS_OF) is None
        whole = {x.contract_number: x for x in portfolio.portfolio(session, AS_OF)}
    assert f == whole["C-1"]
    assert (f.inputs.actual_labour, f.inputs.actual_material) == (D(350), D(120))


def test_burn_up_is_cumulative_per_month_and_ends_on_the_actual(contract: Engine) -> None:
    with transaction(contract) as session:
        points = contract_detail.burn_up(session, "C-1", AS_OF)
    by_day = {p.day: p for p in points}
    assert points[0] == contract_detail.BurnUpPoint(dt.date(2025, 12, 31), D(0), D(0))
    assert by_day[dt.date(2026, 1, 31)].actual == D(170)
    assert by_day[dt.date(2026, 2, 28)].actual == D(470)
    assert by_day[AS_OF].actual == D(470)  # WB3 costs nothing, WB4 lies after AS_OF
    assert by_day[dt.date(2026, 3, 31)].actual is None
    assert by_day[dt.date(2026, 12, 31)].planned == D(10950)
    assert by_day[dt.date(2026, 1, 31)].planned == D(10950) * 31 / 365
    assert [p.day for p in points] == sorted(by_day)


def test_burn_up_after_the_term_covers_every_month(contract: Engine) -> None:
    with transaction(contract) as session:
        points = contract_detail.burn_up(session, "C-1", dt.date(2027, 6, 1))
        unknown = contract_detail.burn_up(session, "NOPE", AS_OF)
    assert len(points) == 13  # the day before the start and 12 month ends
    assert points[-1].actual == D(570)  # WB4 now counts; WB5 never does
    assert unknown == []


def test_work_orders_with_their_cost(contract: Engine) -> None:
    with transaction(contract) as session:
        rows = contract_detail.page_tables(session, ["C-1"], AS_OF)["C-1"].work_orders
    assert [r.work_order_number for r in rows] == ["WB3", "WB2", "WB6", "WB1", "WB5"]
    wb1 = rows[3]
    assert (wb1.hours, wb1.labour, wb1.material, wb1.cost, wb1.in_term) == (D(3), D(150), D(20), D(170), True)
    assert rows[-1].in_term is False
    assert rows[2].cost == D(0)


def test_hours_by_employee_and_type_in_the_window(contract: Engine) -> None:
    with transaction(contract) as session:
        rows = contract_detail.page_tables(session, ["C-1"], AS_OF)["C-1"].hours
    assert [(r.employee, r.hour_type, r.hours, r.cost) for r in rows] == [
        ("Sem", "work", D(4), D(200)),
        ("Daan", "work", D(3), D(100)),  # WB1 2 h + WB3 1 h at 0; WB5 outside the term
        ("Daan", "travel", D(1), D(50)),
    ]


def test_materials_by_article(contract: Engine) -> None:
    with transaction(contract) as session:
        rows = contract_detail.page_tables(session, ["C-1"], AS_OF)["C-1"].materials
    assert [(r.article_code, r.description, r.quantity, r.cost) for r in rows] == [
        ("PMP", "Pomp", D(1), D(100)),
        ("FLT", "Filter", D(2), D(20)),
    ]


def test_findings(contract: Engine) -> None:
    with transaction(contract) as session:
        tables = contract_detail.page_tables(session, ["C-1", "C-2"], AS_OF)
        found = {f.message: f for f in tables["C-1"].findings}
        assert [f.message for f in tables["C-2"].findings] == [contract_detail.FINDINGS["no_budget"]]
    assert found[contract_detail.FINDINGS["outside"]] == contract_detail.Finding(
        contract_detail.FINDINGS["outside"], 1, D(50)
    )
    assert found[contract_detail.FINDINGS["zero_rate"]].count == 1
    assert found[contract_detail.FINDINGS["empty"]].count == 1
    assert contract_detail.FINDINGS["no_budget"] not in found


def test_categories_and_detail_bundle(contract: Engine) -> None:
    with transaction(contract) as session:
        detail = contract_detail.detail(session, "C-1", AS_OF)
        assert contract_detail.detail(session, "NOPE", AS_OF) is None
    assert detail is not None
    assert [(c.category, c.budget, c.actual) for c in detail.categories] == [
        ("labour", D(7300), D(350)),
        ("material", D(3650), D(120)),
        ("other", D(0), D(0)),
    ]
    assert detail.figures.inputs.budget_hours == D(73)


@pytest.fixture(params=[False, True], ids=["lines-through-as_of", "month-minus-lines-after"])
def side(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both readings of as_of's own month (summary.own_month_after), which must agree."""
    monkeypatch.setattr(summary, "own_month_after", lambda as_of: request.param)
    return request.param


def test_monthly_actuals_whole_months_and_the_month_of_as_of(contract: Engine, side: bool) -> None:
    with transaction(contract) as session:
        everything = summary.monthly_actuals(session, AS_OF)
        only_c1 = summary.monthly_actuals(session, AS_OF, ["C-1"])
        nothing = summary.monthly_actuals(session, AS_OF, [])
    assert [(m.month, m.labour, m.material) for m in only_c1] == [
        (dt.date(2026, 1, 1), D(150), D(20)),
        (dt.date(2026, 2, 1), D(200), D(100)),
        (dt.date(2026, 3, 1), D(0), D(0)),
    ]
    assert everything[-1] == summary.MonthActual(dt.date(2026, 3, 1), D(500), D(0))  # C-2's 10 h
    assert nothing == []


def test_monthly_actuals_equal_the_portfolio_totals_on_the_demo(demo_engine, side: bool) -> None:
    today = dt.date(2026, 11, 27)
    engine = demo_engine(contracts=40, today=today)  # read only
    for as_of in (today, dt.date(2026, 6, 30), dt.date(2025, 2, 14)):
        with transaction(engine) as session:
            months = summary.monthly_actuals(session, as_of)
            figures = portfolio.portfolio(session, as_of)
        assert sum(m.labour for m in months) == sum(f.inputs.actual_labour for f in figures)
        assert sum(m.material for m in months) == sum(f.inputs.actual_material for f in figures)
        assert months[-1].month == as_of.replace(day=1)


def test_monthly_actuals_in_chunks_equal_one_query(demo_engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # a filtered portfolio of 100,000 contracts must not become one IN list of 100,000
    # parameters (SQLite allows 32,766); chunks of 7 over 40 contracts must add up the same
    # (the chunks do not depend on how as_of's own month is read: one reading suffices)
    today = dt.date(2026, 11, 27)
    engine = demo_engine(contracts=40, today=today)  # read only
    with transaction(engine) as session:
        numbers = [f.contract_number for f in portfolio.portfolio(session, today)][:33]
        whole = summary.monthly_actuals(session, today, numbers)
        # 70,000 unknown numbers: past SQLite's 32,766 and PostgreSQL's 65,535 parameters
        padded = summary.monthly_actuals(session, today, numbers + [f"NONE-{i}" for i in range(70_000)])
        monkeypatch.setattr(summary, "CHUNK", 7)
        chunked = summary.monthly_actuals(session, today, numbers)
    assert len(whole) > 12
    assert chunked == whole
    assert padded == whole


def test_headline_and_choices(contract: Engine) -> None:
    with transaction(contract) as session:
        chosen = frame.load(session, AS_OF)
        choices = summary.filter_choices(session)
    head = frame.headline(chosen)
    assert (head.contracts, head.budget_total, head.actual_total) == (2, D(10950), D(970))
    assert head.statuses["no budget"] == 1 and sum(head.statuses.values()) == 2
    # margin to date: the value earned by 15 March (20,000 x 74/365 = 4,054.79) - 470
    assert head.with_value == 1 and metrics.money(head.margin) == D("3584.79")
    assert [chosen["contract_number"][i] for i in frame.order(chosen)] == ["C-1", "C-2"]  # no budget last
    assert choices == summary.Choices(("Klant A", "Klant B"), ("corrective", "preventive"), ("Anouk", "Bram"))


@pytest.mark.parametrize("number", ["\x00", "CT\x00-1", "x" * 51])
def test_a_number_no_contract_can_have_is_no_contract(contract: Engine, number: str) -> None:
    # PostgreSQL refuses a NUL in a text parameter (psycopg.DataError, with the SQL): no query
    with transaction(contract) as session:
        assert contract_detail.detail(session, number, dt.date(2026, 6, 30)) is None


def test_a_packs_pages_are_each_contracts_own_page_read_in_a_fixed_number_of_statements(
    engine: Engine,
) -> None:
    """A review pack reads each kind of row once for all its pages (grouped by contract), and
    each page is what the contract's page and a pack of that contract alone show."""
    assert demo.load(engine, contracts=40, today=DEMO_TODAY, history=True).ok
    with transaction(engine) as session:
        stored = settings.load(session)
        chosen = portfolio.renewals(session, DEMO_TODAY, stored.thresholds(), 365)
        listed = [reports.summary_review(f, stored) for f in chosen]
        assert len(listed) > 10
        for n, (r, action) in enumerate(
            ((listed[1], "re-price"), (listed[1], "renew"), (listed[5], "terminate"))
        ):
            decisions.record_decision(session, r.contract_number, action, decided_by="Anna",
                                      decided_at=dt.datetime(2026, 11, 1 + n, 9))  # fmt: skip
        session.flush()
        statements: list[str] = []

        def count(conn, cursor, statement, *args) -> None:
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            three = reports.contract_reviews(session, listed[:3], stored)
            few = len(three), len(statements)
            del statements[:]
            pages = reports.contract_reviews(session, listed, stored)
            many = len(pages), len(statements)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert few[0] == 3 and many[0] == len(listed) and any(p.last_term for p in three)
        assert many[1] == few[1]  # as many statements for every page as for three
        assert [len(p.decisions) for p in pages][:6] == [0, 2, 0, 0, 0, 1]
        assert any(p.work_orders for p in pages)
        assert any(p.last_term for p in pages) and any(p.extra_months for p in pages)
        for page in pages:
            number = page.contract_number
            (alone,) = reports.contract_reviews(session, [summary_of(listed, number)], stored)
            assert alone == page, number
            detail = contract_detail.detail(session, number, DEMO_TODAY, stored.thresholds())
            assert detail is not None
            shown = (detail.work_orders, detail.hours, detail.materials, detail.findings, detail.extra_months)
            assert shown == (page.work_orders, page.hours, page.materials, page.findings, page.extra_months)
            assert variance.variance(session, page.figures, "quarter") == page.periods


def summary_of(listed: list, number: str):
    return next(r for r in listed if r.contract_number == number)
