"""The dashboard's frames and the renewal CSV: column order, rounding, formula-safe cells."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from budgetcore import cells, i18n
from budgetcore.app import tables
from budgetcore.figures import advice, codes, frame, metrics, pricing, table
from budgetcore.figures.contract_detail import WorkOrderRow
from budgetcore.figures.metrics import ContractInputs, Thresholds
from budgetcore.review import reports

NL = i18n.catalogue("nl")  # English -> Dutch, as the .po has it

D = Decimal
AS_OF = dt.date(2026, 11, 27)


def figures(number: str = "C-1", customer: str = "Klant", **changes: object) -> metrics.ContractFigures:
    """A contract ending 2026-12-31 (notice 60 days), budget 10,000, 6,000.40 spent, value 12,000."""
    base: dict[str, object] = {
        "contract_number": number,
        "customer": customer,
        "name": None,
        "type": "yearly_orders",
        "account_manager": None,
        "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2026, 12, 31),
        "notice_period_days": 60,
        "auto_renew": True,
        "contract_value": D(12000),
        "planned_visits": None,
        "terminated_on": None,
        "actual_labour": D("4000.25"),
        "actual_material": D("2000.15"),
        "actual_hours": D(50),
        "visits_done": 0,
        "budget_lines": 1,
        "budget_labour": D(10000),
        "budget_material": D(0),
        "budget_other": D(0),
        "budget_hours": D(0),
        "planned_to_date": D(9000),
    }
    base.update(changes)
    return frame.from_inputs([ContractInputs(**base)], AS_OF, Thresholds()).figures()[0]  # type: ignore[arg-type]


def renewals_csv(rows: list[metrics.ContractFigures], lang: str = "en", currency: str = "EUR") -> str:
    """The Renewals page's CSV (table.renewals_csv, also `renewals --format csv`) of these contracts."""
    chosen = frame.from_inputs([f.inputs for f in rows], AS_OF, Thresholds())
    return table.renewals_csv(chosen, np.arange(len(rows)), {}, lang, currency)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+31 20 123", "'+31 20 123"),
        ("-ish", "'-ish"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Gemeente Utrecht", "Gemeente Utrecht"),
        ("", ""),
        (None, ""),
        (D("-12.50"), "-12.50"),  # our own numbers stay numbers
        (-3, "-3"),
        (dt.date(2026, 3, 31), "2026-03-31"),
    ],
)
def test_csv_cell(value: object, cell: str) -> None:
    assert cells.csv_cell(value) == cell


def test_renewals_csv_escapes_text_and_keeps_numbers() -> None:
    rows = [figures("=1+1", "@evil"), figures("C-2", "Klant", actual_labour=D(20000))]
    parsed = list(csv.DictReader(io.StringIO(renewals_csv(rows))))
    assert list(parsed[0]) == list(table.RENEWAL_COLUMNS)
    assert (parsed[0]["contract_number"], parsed[0]["customer"]) == ("'=1+1", "'@evil")
    assert parsed[0]["actual_total"] == "6000.40"
    assert parsed[1]["margin"] == "-11117.96"  # 12,000 x 331/365 - 22,000.15: a loss stays a number
    assert (parsed[1]["suggested_action"], parsed[1]["reason"]) == advice.suggest(rows[1]).text("en")


def test_overview_frame_rounds_to_whole_euros_in_the_column_order() -> None:
    frame, columns = tables.overview([figures()], "en")
    assert list(frame.columns) == list(columns)
    row = frame.iloc[0]
    assert (row["contract"], row["status"], row["actual"], row["labour"]) == (
        "C-1",
        "on track",
        D(6000),
        D(4000),
    )
    assert row["consumed"] == pytest.approx(0.60004)
    assert row["notice"] == dt.date(2026, 11, 1)


def test_renewals_frame_next_deadline_and_action() -> None:
    frame, _columns = tables.renewals([figures()], "en", "EUR", D("0.15"))
    row = frame.iloc[0]
    # the notice deadline (1 Nov) has passed on 27 Nov, so the end date is next; the burn forecast
    # 10,000 x 6,000.40 / 9,000 = 6,667.11 prices at 7,843.66, far below the value 12,000: no cut,
    # renew at the value, the margin (12,000 - 6,667.11) / 12,000 = 44 % said in the reason
    assert (row["deadline"], row["days"], row["action"]) == (dt.date(2026, 12, 31), 34, "renew as is")
    assert row["reason"] == "renew at the indexed value €12,000; forecast margin 44%, target 15%"


def test_labels_and_compact_money() -> None:
    assert codes.contract_type("yearly_orders", "en") == "yearly orders"
    assert codes.contract_type(None, "en") == ""
    assert tables.money_compact(D("13390870.94"), "en", "EUR") == "€13.4m"
    assert tables.money_compact(D("13390870.94"), "nl", "USD") == "US$\xa013,4\xa0mln."
    assert tables.money_compact(None, "en", "EUR") == ""


def test_work_orders_name_their_type_and_status_in_the_pages_language_as_the_pack_does() -> None:
    """The contract page's work-order table and the review pack's name a code the same way
    (figures/codes.py): English statuses in Dutch, a company's own status as written."""
    rows = [
        WorkOrderRow("WB1", dt.date(2026, 3, 1), "periodic", "in progress", None, D(1), D(1), D(0), True),
        WorkOrderRow("WB2", dt.date(2026, 3, 2), "extra", "wacht op klant", None, D(1), D(1), D(0), True),
    ]
    shown, _ = tables.work_orders(rows, "nl")
    assert shown["type"].tolist() == ["periodiek", "meerwerk"]
    assert shown["status"].tolist() == ["in uitvoering", "wacht op klant"]
    _, pack_rows = reports.work_order_rows(SimpleNamespace(work_orders=rows), "nl")  # type: ignore[arg-type]
    assert [(r[2][0], r[3][0]) for r in pack_rows] == [
        ("periodiek", "in uitvoering"),
        ("meerwerk", "wacht op klant"),
    ]


@pytest.mark.parametrize(
    ("column", "value", "lang", "text"),
    [
        (tables.Column("Hours", "number", decimals=1), 24.0, "nl", "24,0"),
        (tables.Column("Hours", "number", decimals=1), 1234.5, "en", "1,234.5"),
        (tables.Column("Burn index", "number", decimals=2), 1.05, "nl", "1,05"),
        (tables.Column("Days left", "number", decimals=0), -3, "nl", "-3"),
        (tables.Column("Quantity", "number"), 2.5, "nl", "2,5"),
        (tables.Column("Quantity", "number"), 12.0, "nl", "12"),
        (tables.Column("Budget", "money"), D(1234567), "nl", "1.234.567"),
        (tables.Column("Budget", "money"), D(-1234), "en", "-1,234"),
    ],
)
def test_display_formats_write_numbers_per_language(column, value, lang, text) -> None:
    assert tables.display_formats({"c": column}, lang)["c"](value) == text


def test_display_formats_leave_text_and_dates_alone() -> None:
    formats = tables.display_formats(tables.RENEWAL_COLUMNS, "nl")
    assert formats.keys() == {"days", "forecast", "margin", "forecast_margin", "price", "change"}
    assert (formats["change"](0.1111), formats["change"](-0.05), formats["change"](0.0)) == (
        "+11%",
        "-5%",
        "0%",
    )


def test_renewals_carry_the_price_suggestion_at_the_target_margin() -> None:
    # one with a contract value, one without, one with nothing spent
    rows = [
        figures(),
        figures("C-2", contract_value=None),
        figures("C-3", actual_labour=D(0), actual_material=D(0)),
    ]
    frame, columns = tables.renewals(rows, "en", "EUR", D("0.15"))
    expected = [pricing.for_contract(f, D("0.15")) for f in rows]
    assert expected[0].suggested_value and expected[0].change is not None
    assert frame.loc[0, "price"] == expected[0].suggested_value.quantize(D(1))
    assert frame.loc[0, "change"] == pytest.approx(float(expected[0].change))
    assert pd.isna(frame.loc[1, "change"]) and frame.loc[1, "price"] == expected[1].suggested_value.quantize(
        D(1)
    )
    # nothing spent: no cost-based price; the price is the (indexed) value, unchanged
    assert (
        expected[2].cost_price is None and frame.loc[2, "price"] == D(12000) and frame.loc[2, "change"] == 0
    )
    assert (columns["price"].kind, columns["change"].kind) == ("money", "change")

    parsed = list(csv.DictReader(io.StringIO(renewals_csv(rows))))
    assert parsed[0]["suggested_price"] == str(expected[0].suggested_value)  # cents, a plain decimal
    assert parsed[0]["price_change"] == str(expected[0].change)
    assert (parsed[1]["price_change"], parsed[2]["suggested_price"]) == ("", "12000.00")


def test_renewals_csv_defuses_formulas_next_to_the_price_columns() -> None:
    text = renewals_csv([figures("-1", "=cmd|' /C calc'!A0")], "nl", "USD")
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["contract_number"], row["customer"]) == ("'-1", "'=cmd|' /C calc'!A0")
    assert row["suggested_price"][0].isdigit() and "US$" in row["reason"]


@pytest.mark.parametrize(
    ("sorts", "own_order"), [(tables.OVERVIEW_SORTS, "pressure"), (tables.RENEWAL_SORTS, "deadline")]
)
def test_server_sorts_are_frame_orders_with_translated_labels(sorts: dict[str, str], own_order: str) -> None:
    assert next(iter(sorts)) == own_order, "the table's own order comes first"
    assert set(sorts) <= {"pressure", *frame.SORT_KEYS}
    assert all(label in NL for label in sorts.values())


def test_every_csv_guards_imported_text_with_one_rule() -> None:
    from budgetcore.exchange.importing import problems_csv
    from budgetcore.exchange.validation import Problem

    hostile = ["=1+1", '=HYPERLINK("http://evil.example","x")', "-2+3", "@SUM(A1)", "+31", "\t=1"]
    problems = [Problem.of(v, 2, v, v, "not a number") for v in hostile]
    for lang in ("en", "nl"):
        delimiter = ";" if lang == "nl" else ","
        rows = list(
            csv.reader(io.StringIO(problems_csv(problems, lang).decode("utf-8-sig")), delimiter=delimiter)
        )
        for row, value in zip(rows[1:], hostile, strict=True):
            assert row[:4] == ["'" + value, "2", "'" + value, "'" + value]
    assert list(csv.reader(io.StringIO(cells.csv_text(["a", "b"], [["\r=1\rx", 1]])))) == [
        ["a", "b"],
        ["'\n=1\nx", "1"],
    ]
    chosen = frame.from_inputs([figures("=1+1", "@evil").inputs], AS_OF, Thresholds())
    summary = list(csv.reader(io.StringIO(table.csv_text(chosen))))  # the overview's CSV, as `summary`
    assert summary[1][:2] == ["'=1+1", "'@evil"]
    assert summary[1][8] == "0.9068", "the elapsed fraction rounded as shown, to 4 places"


def test_the_tables_own_csv_export_is_off() -> None:
    config = (Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text()
    assert "disableDataExport = true" in config
    assert 'showErrorDetails = "none"' in config
