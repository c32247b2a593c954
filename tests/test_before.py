"""The figures the command line printed before the one engine (tests/fixtures/before), on both engines.

The fixtures were written by the row-wise Decimal path that the engine
replaced: `summary` and `renewals --format csv` of the demo portfolio at eight
as-of dates, and every contract's status, forecast, suggested action, reason
(English and Dutch) and renewal price under two threshold sets. The engine
prints them byte for byte. The demo's generator was made realistic afterwards (issue 14,
item 3: budgets from the expected cost, values that price the budget at a margin), so the
fixtures are now the engine's own output on that demo, regenerated from `summary`,
`renewals --format csv` and frame.load; the engine is proven exact against tests/oracle.py by
tests/test_engine.py. The one figure where the old path was not exact (a half cent, see
test_the_corrected_figure_is_the_exact_one) is now a contract built by hand. Issue 20 regenerated
them once more: the renewal advice and price follow indexation and never cut the price (renewals
prints the advice's columns), and the demo gives two contracts a notice deadline 8 days ahead
(their notice period, so four summary lines per date changed) and some contracts an indexation.
Issue 21 regenerated demo_review.csv: corrective work far past its type is out of scope, so 6
contracts at two dates are now "review scope" with their counts (the summary and renewals
printed the same), and the renewals CSVs (the Renewals page's CSV is now the same writer, and
both carry the advice's reason).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from exchange_fixtures import write_canonical

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


@pytest.mark.parametrize("as_of", DATES)
def test_summary_and_renewals_print_what_they_printed_before(demo_url: str, as_of: str) -> None:
    for command in ("summary", "renewals"):
        before = (BEFORE / f"demo_{command}_{as_of}.csv").read_text(encoding="utf-8")
        assert _printed(demo_url, command, "--as-of", as_of) == before


# The old path computed the visits forecast as actual + (planned - done) x (actual / done), with
# actual / done rounded to 28 digits first. For a contract with 48,232.6125 spent on 18 of 36
# planned visits that is 48,232.6125 x 36 / 18 = 96,465.225 exactly, a half cent, which rounds
# up; the old path saw 96,465.22499999999999999999999 and printed .22. The old demo had such a
# contract (CT-2023-00062 on 2025-01-01); the realistic one does not, so it is built here.
def _tie_rows() -> dict[str, list[list[str]]]:
    number = "CT-2023-09062"
    rows: dict[str, list[list[str]]] = {
        "contracts": [[number, "Scholengroep Eindhoven", "K19062", "Eindhoven", "Onderhoud liften Eindhoven",
                       "preventive", "2023-07-01", "2026-06-30", "90", "true", "36", "110000.00", "36",
                       "Fleur Maas", "", ""]],
        "budgets": [[number, "labour", "50000.00", "", "", ""], [number, "material", "34848.79", "", "", ""]],
        "work_orders": [], "hours": [], "materials": [],
    }  # fmt: skip
    for i in range(18):  # one periodic visit a month, July 2023 to December 2024
        day = dt.date(2023 + (6 + i) // 12, (6 + i) % 12 + 1, 15).isoformat()
        wo = f"WB-TIE-{i + 1:02d}"
        rows["work_orders"].append([wo, number, day, "periodic", "gereed", "Periodiek onderhoud"])
        rows["hours"].append([wo, day, "Daan", "work", "8.00", "55.50", "86.03"])
        if i < 16:
            rows["materials"].append([wo, day, "LIFT-KBL", "Liftkabel", "1", "2500.50", "3375.68"])
    rows["hours"].append(["WB-TIE-01", "2023-07-15", "Sem", "overtime", "3.75", "62.03", "96.15"])
    return rows  # 18 x 444.00 + 232.6125 + 16 x 2,500.50 = 48,232.6125


@pytest.mark.parametrize("engine_name", ("sqlite", "postgresql"))
def test_the_corrected_figure_is_the_exact_one(
    engine_name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'tie.db'}" if engine_name == "sqlite" else request.getfixturevalue("pg_url")
    paths = write_canonical(tmp_path / "tie", _tie_rows())
    assert cli.main(["import", *map(str, paths), "--db", url], out=io.StringIO()) == 0
    engine = make_engine(url)
    with transaction(engine) as session:
        (f,) = frame.load(
            session,
            dt.date(2025, 1, 1),
            THRESHOLDS["default"],
            filters=Filters(contract_numbers=("CT-2023-09062",)),
        ).figures()
    engine.dispose()
    actual = f.inputs.actual_labour + f.inputs.actual_material
    assert (actual, f.inputs.planned_visits, f.inputs.visits_done) == (Decimal("48232.6125"), 36, 18)
    assert Fraction(actual) * 36 / 18 == Fraction("96465.225")  # a half cent: rounds up
    assert actual + 18 * (actual / 18) < Decimal("96465.225")  # the old path's 28 digits fell short
    assert f.forecast.method == "visits"
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
    assert got == rows
