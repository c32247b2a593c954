"""Last term and variance per period, against figures computed by hand (to the cent), on both engines.

P-1 (2025, 365 days, value 3,000.00, 4 visits planned) is the term P-2 renews.
  hours 10 h x 50.00 + 10 h x 50.00 + 12 h x 50.00 + 8 h x 55.50 = 2,044.00 labour;
  material 2 x 100.25 + 1 x 355.50 = 556.00; cost 2,600.00; 4 visits: 650.00 per visit;
  labour share 2,044 / 2,600 = 0.7862, material 0.2138; margin 3,000 - 2,600 = 400.00.
P-2 (2026, 365 days, value 3,000.00, 4 visits planned, previous_contract P-1), as of 2026-06-15:
  labour 12 h x 50.00 (02-10) + 10 h x 52.25 (05-12) + 3 h x 60.00 (03-20) + 2 h x 45.125 (06-10)
  = 600 + 522.50 + 180 + 90.25 = 1,392.75; material 3 x 41.10 (02-10) + 1 x 250.00 (03-20) = 373.30;
  99.99 on 06-25 is after as_of. Cost 1,766.05; 2 periodic visits: 883.025 per visit (883.03);
  labour share 0.7886, material 0.2114; margin to date: value earned 3,000 x 166/365 = 1,364.38
  - 1,766.05 = -401.67.
  forecast (visits): 1,766.05 + 2 x 883.025 = 3,532.10; forecast margin -532.10;
  change of cost 3,532.10 / 2,600 - 1 = 0.3585; per visit 883.025 / 650 - 1 = 0.3585.
  Renewal price at 15 %: 3,532.10 / 0.85 = 4,155.41; the previous term's 2,600.00 (same 365 days)
  needs 2,600 / 0.85 = 3,058.82, also above 3,000.00: supports. At 10 %: 3,924.56 against
  2,888.89, below 3,000.00: contradicts.
  Budget: labour 3,620.00 over Jan-Jun (181 days: 20.00 a day), 1,840.00 over Jul-Dec (184 days:
  10.00 a day), material 3,650.00 over the year (10.00 a day).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import older_schemas
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, inspect, select, text

from budgetcore.exchange.importing import import_paths
from budgetcore.exchange.workbook import template
from budgetcore.figures import contract_detail, last_term, metrics, settings, variance
from budgetcore.review import report_html, report_xlsx, reports
from budgetcore.store.database import transaction
from budgetcore.store.models import Contract
from budgetcore.store.schema import prepare

AS_OF = dt.date(2026, 6, 15)
CSV = {
    "contracts.csv": """\
contract_number,customer,type,start_date,end_date,notice_period_days,contract_value,planned_visits,account_manager,previous_contract
P-1,Alpha B.V.,preventive,2025-01-01,2025-12-31,90,3000.00,4,Anna,
P-2,Alpha B.V.,preventive,2026-01-01,2026-12-31,90,3000.00,4,Anna,P-1
""",
    "budgets.csv": """\
contract_number,category,amount,period_start,period_end
P-1,labour,6000.00,,
P-2,labour,3620.00,2026-01-01,2026-06-30
P-2,labour,1840.00,2026-07-01,2026-12-31
P-2,material,3650.00,,
""",
    "work_orders.csv": """\
work_order_number,contract_number,date,type
W-11,P-1,2025-02-01,periodic
W-12,P-1,2025-05-01,periodic
W-13,P-1,2025-08-01,periodic
W-14,P-1,2025-11-01,periodic
W-21,P-2,2026-02-10,periodic
W-22,P-2,2026-05-12,periodic
W-23,P-2,2026-03-20,corrective
W-24,P-2,2026-06-10,corrective
W-25,P-2,2026-06-25,corrective
""",
    "hours.csv": """\
work_order_number,date,hours,cost_rate
W-11,2025-02-01,10,50.00
W-12,2025-05-01,10,50.00
W-13,2025-08-01,12,50.00
W-14,2025-11-01,8,55.50
W-21,2026-02-10,12,50.00
W-22,2026-05-12,10,52.25
W-23,2026-03-20,3,60.00
W-24,2026-06-10,2,45.125
""",
    "materials.csv": """\
work_order_number,date,quantity,unit_cost
W-11,2025-02-01,2,100.25
W-13,2025-08-01,1,355.50
W-21,2026-02-10,3,41.10
W-23,2026-03-20,1,250.00
W-25,2026-06-25,1,99.99
""",
}


@pytest.fixture
def loaded(engine: Engine, tmp_path: Path) -> Engine:
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, body in CSV.items():
        (folder / name).write_text(body, encoding="utf-8")
    result = import_paths(engine, [folder])
    assert result.ok, result.errors
    return engine


def money(value: Decimal | None) -> str:
    return str(metrics.money(value))


def test_this_term_against_the_last_one_to_the_cent(loaded: Engine) -> None:
    with transaction(loaded) as session:
        f = contract_detail.figures(session, "P-2", AS_OF)
        assert f is not None
        c = last_term.compare(session, f, metrics.Thresholds(), Decimal("0.15"))
        none = last_term.compare(session, contract_detail.figures(session, "P-1", AS_OF), metrics.Thresholds(),
                                 Decimal("0.15"))  # fmt: skip
    assert none is None  # P-1 names no previous contract
    assert c is not None
    p, n = c.previous, c.current
    assert (money(p.cost), p.visits, money(p.cost_per_visit), money(p.margin)) == (
        "2600.00",
        4,
        "650.00",
        "400.00",
    )
    assert (metrics.fraction(p.labour_share), metrics.fraction(p.material_share)) == (Decimal("0.7862"), Decimal("0.2138"))  # fmt: skip
    assert (money(n.cost), n.visits, money(n.cost_per_visit), money(n.margin)) == (
        "1766.05",
        2,
        "883.03",
        "-401.67",
    )
    assert n.cost_per_visit == Decimal("883.025")
    assert (metrics.fraction(n.labour_share), metrics.fraction(n.material_share)) == (Decimal("0.7886"), Decimal("0.2114"))  # fmt: skip
    assert (money(n.forecast_cost), money(n.forecast_margin)) == ("3532.10", "-532.10")
    assert metrics.fraction(last_term.change(n.forecast_cost, p.cost)) == Decimal("0.3585")
    assert metrics.fraction(last_term.change(n.cost_per_visit, p.cost_per_visit)) == Decimal("0.3585")
    assert c.price.suggested_value == Decimal("4155.41")
    assert (c.scaled_cost, c.previous_price, c.verdict) == (
        Decimal("2600"),
        Decimal("3058.82"),
        last_term.SUPPORTS,
    )
    with transaction(loaded) as session:  # the figures carry their price at the thresholds' margin
        f10 = contract_detail.figures(
            session, "P-2", AS_OF, metrics.Thresholds(target_margin=Decimal("0.10"))
        )
    lower = last_term.comparison(f10, contract_detail_previous(loaded), Decimal("0.10"))
    assert (lower.price.suggested_value, lower.previous_price) == (Decimal("3924.56"), Decimal("2888.89"))
    assert lower.verdict == last_term.CONTRADICTS
    assert "needs only €2,888.89" in reports_verdict(lower)


def contract_detail_previous(engine: Engine):
    with transaction(engine) as session:
        return contract_detail.figures(session, "P-1", AS_OF)


def reports_verdict(c: last_term.Comparison) -> str:
    from budgetcore.review import term_rows

    return term_rows.verdict(c, "en", "EUR")


MONTHS = [  # (first, last, state, budget, actual, variance)
    ("2026-01-01", "2026-01-31", "closed", "930.00", "0.00", "-930.00"),
    ("2026-02-01", "2026-02-28", "closed", "840.00", "723.30", "-116.70"),
    ("2026-03-01", "2026-03-31", "closed", "930.00", "430.00", "-500.00"),
    ("2026-04-01", "2026-04-30", "closed", "900.00", "0.00", "-900.00"),
    ("2026-05-01", "2026-05-31", "closed", "930.00", "522.50", "-407.50"),
    ("2026-06-01", "2026-06-30", "running", "450.00", "90.25", "-359.75"),  # 15 days of 30.00
    ("2026-07-01", "2026-07-31", "not started", "620.00", None, None),
    ("2026-08-01", "2026-08-31", "not started", "620.00", None, None),
    ("2026-09-01", "2026-09-30", "not started", "600.00", None, None),
    ("2026-10-01", "2026-10-31", "not started", "620.00", None, None),
    ("2026-11-01", "2026-11-30", "not started", "600.00", None, None),
    ("2026-12-01", "2026-12-31", "not started", "620.00", None, None),
]
QUARTERS = [
    ("2026-01-01", "2026-03-31", "closed", "2700.00", "1153.30", "-1546.70"),
    ("2026-04-01", "2026-06-30", "running", "2280.00", "612.75", "-1667.25"),
    ("2026-07-01", "2026-09-30", "not started", "1840.00", None, None),
    ("2026-10-01", "2026-12-31", "not started", "1840.00", None, None),
]
YEARS = [("2026-01-01", "2026-12-31", "running", "4980.00", "1766.05", "-3213.95")]


@pytest.mark.parametrize(("grain", "expected"), [("month", MONTHS), ("quarter", QUARTERS), ("year", YEARS)])
def test_variance_per_period_to_the_cent(loaded: Engine, grain: str, expected: list) -> None:
    with transaction(loaded) as session:
        f = contract_detail.figures(session, "P-2", AS_OF)
        found = variance.variance(session, f, grain)
    shown = [
        (p.first.isoformat(), p.last.isoformat(), p.state, money(p.budget),
         None if p.actual is None else money(p.actual), None if p.variance is None else money(p.variance))
        for p in found
    ]  # fmt: skip
    assert shown == expected
    done = [p for p in found if p.actual is not None]
    assert sum(p.budget for p in done) == f.inputs.planned_to_date  # the rule of planned to date, exactly
    assert sum(p.actual for p in done) == f.actual_total
    assert sum(p.period_budget for p in found) == f.budget_total
    if grain == "month":
        assert metrics.fraction(found[1].variance_pct) == Decimal("-0.1389")  # -116.70 / 840
        assert found[0].variance_pct == Decimal(-1)


def test_periods_of_a_term_starting_mid_month() -> None:
    d = dt.date
    assert variance.periods_of(d(2026, 1, 15), d(2027, 1, 14), "quarter") == [
        (d(2026, 1, 15), d(2026, 3, 31)), (d(2026, 4, 1), d(2026, 6, 30)), (d(2026, 7, 1), d(2026, 9, 30)),
        (d(2026, 10, 1), d(2026, 12, 31)), (d(2027, 1, 1), d(2027, 1, 14)),
    ]  # fmt: skip
    assert variance.periods_of(d(2026, 1, 15), d(2026, 1, 20), "year") == [(d(2026, 1, 15), d(2026, 1, 20))]


def test_both_packs_show_variance_and_last_term(loaded: Engine) -> None:
    with transaction(loaded) as session:
        pack = reports.collect(session, AS_OF, settings.load(session), contract_number="P-2")
    page = report_html.html(pack, "en")
    assert "Budget vs actual per quarter of the term" in page and "This term against the previous one" in page
    assert "€2,280.00" in page and "€612.75" in page and "running" in page and "€1,667.25 under" in page
    assert "Previous term P-1" in page and "€650.00" in page and "€883.03" in page
    assert "The previous term supports the suggested price" in page
    book = load_workbook(io.BytesIO(report_xlsx.workbook(pack, "nl")))
    cells = [c for row in book["P-2"].iter_rows(values_only=True) for c in row if c is not None]
    assert 2280 in cells and 612.75 in cells and -1667.25 in cells and 883.025 in cells
    assert "Vorige looptijd P-1" in cells


def test_previous_contract_from_a_dutch_workbook_and_the_template(engine: Engine, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "contracten"
    sheet.append(["contractnummer", "klant", "startdatum", "einddatum", "vorig contract"])
    sheet.append(["C-1", "Klant A", dt.date(2025, 1, 1), dt.date(2025, 12, 31), None])
    sheet.append(["C-2", "Klant A", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "C-1"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    assert import_paths(engine, [path]).ok
    with transaction(engine) as session:
        stored = dict(session.execute(select(Contract.contract_number, Contract.previous_contract)).all())
    assert stored == {"C-1": None, "C-2": "C-1"}
    for lang, header in (("nl", "vorig contract"), ("en", "previous_contract")):
        first = load_workbook(io.BytesIO(template(lang))).worksheets[0]
        assert header in [c.value for c in first[1]]


def test_an_older_database_gets_the_column(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE contracts DROP COLUMN previous_contract"))
        older_schemas.before_alembic(conn)  # as every database from before Alembic
    assert "added column contracts.previous_contract" in prepare(engine)
    assert "previous_contract" in {c["name"] for c in inspect(engine).get_columns("contracts")}
    assert prepare(engine) == []
