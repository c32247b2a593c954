"""The figures the command line printed before the one engine (tests/fixtures/before), on both engines.

The fixtures were written by the row-wise Decimal path that the engine
replaced: `summary` and `renewals --format csv` of the demo portfolio at eight
as-of dates, and every contract's status, forecast, suggested action, reason
(English and Dutch) and renewal price under two threshold sets. The engine
prints them byte for byte, except where the old path was not exact (CORRECTED).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from budgetcore import cli
from budgetcore.figures import frame, settings
from budgetcore.figures.metrics import Filters, Thresholds, money
from budgetcore.store.database import make_engine, transaction

BEFORE = Path(__file__).parent / "fixtures" / "before"
DATES = (
    "2024-06-30",
    "2025-01-01",
    "2025-12-31",
    "2026-03-15",
    "2026-06-30",
    "2026-11-27",
    "2027-12-31",
    "1900-01-01",
)
THRESHOLDS = {
    "default": Thresholds(forecast_method="chain"),
    "tight": Thresholds(Decimal("0.05"), Decimal("0.5"), Decimal("0.6"), 30, forecast_method="chain"),
}
# The old path computed the visits forecast as actual + (planned - done) x (actual / done), with
# actual / done rounded to 28 digits first. For CT-2023-00062 on 2025-01-01 that is
# 48,232.6125 x 36 / 18 = 96,465.225 exactly, a half cent, which rounds up; the old path saw
# 96,465.22499999999999999999999 and printed .22.
CORRECTED = {
    ("summary", "2025-01-01", "CT-2023-00062", "forecast_total"): ("96465.22", "96465.23"),
}


@pytest.fixture(scope="module", params=("sqlite", "postgresql"))
def demo_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo as `demo` loads it on 2026-11-27, once per engine for this module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('before') / 'demo.db'}"
    else:
        url = request.getfixturevalue("pg_module_url")
    with pytest.MonkeyPatch.context() as patched:
        patched.setenv("BUDGETCORE_TODAY", "2026-11-27")
        assert cli.main(["demo", "--db", url], out=io.StringIO()) == 0
    # the fixtures are the chain's figures: before issue 15 there was no other forecast method
    with transaction(make_engine(url)) as session:
        settings.save(session, settings.Settings(forecast_method="chain"))
    return url


def _printed(url: str, *args: str) -> str:
    out = io.StringIO()
    assert cli.main([*args, "--db", url, "--format", "csv"], out=out) == 0
    return out.getvalue()


def _corrected(command: str, as_of: str, text: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for (cmd, date, number, column), (old, new) in CORRECTED.items():
        if (cmd, date) == (command, as_of):
            row = next(r for r in rows if r[0] == number)
            assert row[header.index(column)] == old
            row[header.index(column)] = new
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("as_of", DATES)
def test_summary_and_renewals_print_what_they_printed_before(demo_url: str, as_of: str) -> None:
    for command in ("summary", "renewals"):
        before = (BEFORE / f"demo_{command}_{as_of}.csv").read_text(encoding="utf-8")
        assert _printed(demo_url, command, "--as-of", as_of) == _corrected(command, as_of, before)


def test_the_corrected_figure_is_the_exact_one(demo_url: str) -> None:
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        (f,) = frame.load(
            session, dt.date(2025, 1, 1), filters=Filters(contract_numbers=("CT-2023-00062",))
        ).figures()
    engine.dispose()
    actual = f.inputs.actual_labour + f.inputs.actual_material
    assert (actual, f.inputs.planned_visits, f.inputs.visits_done) == (Decimal("48232.6125"), 36, 18)
    assert Fraction(actual) * 36 / 18 == Fraction("96465.225")  # a half cent: rounds up
    assert actual + 18 * (actual / 18) < Decimal("96465.225")  # the old path's 28 digits fell short
    assert f.summary["forecast_total"] == Decimal("96465.23")


def test_advice_and_prices_are_what_they_were_before(demo_url: str) -> None:
    rows = list(csv.DictReader((BEFORE / "demo_review.csv").open(encoding="utf-8")))
    engine = make_engine(demo_url)
    got = []
    with transaction(engine) as session:
        for as_of in DATES:
            for name, thresholds in THRESHOLDS.items():
                for f in frame.load(session, dt.date.fromisoformat(as_of), thresholds).figures():
                    _, reason_en = f.suggestion.text("en")
                    _, reason_nl = f.suggestion.text("nl")
                    got.append(
                        {
                            "as_of": as_of,
                            "thresholds": name,
                            "contract_number": f.contract_number,
                            "status": f.status,
                            "forecast_total": str(money(f.forecast.total))
                            if f.forecast.total is not None
                            else "",
                            "action": f.suggestion.action,
                            "reason_en": reason_en,
                            "reason_nl": reason_nl,
                            "suggested_value": ""
                            if f.price.suggested_value is None
                            else str(f.price.suggested_value),
                            "change": "" if f.price.change is None else str(f.price.change),
                            "approaching": str(f.approaching_renewal),
                        }
                    )
    engine.dispose()
    for row in rows:  # the same correction as in the summary, wherever the forecast is quoted
        if (row["as_of"], row["contract_number"]) == ("2025-01-01", "CT-2023-00062"):
            row["forecast_total"] = row["forecast_total"].replace("96465.22", "96465.23")
    assert got == rows
