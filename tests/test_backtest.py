"""The backtest (figures/calibration.py, backtest.py) and the auto forecast, on hand-made contracts.

The replay at a checkpoint must be the figures' own forecast at that date: the
same method through the engine (what `summary --as-of` prints) gives the same
amount and method. auto keeps the chain below its minimum of completed
contracts, and a tie between methods goes the same way whatever the rows' order.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from exchange_fixtures import write_canonical
from sqlalchemy import Engine

from budgetcore import cli
from budgetcore.exchange.formats import ENTITIES
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import backtest, calibration, exact, frame, settings, table
from budgetcore.figures.calibration import LOWEST, TOO_FEW
from budgetcore.figures.forecast import CHAIN_CHOICE, METHODS
from budgetcore.figures.metrics import AUTO, CHAIN, CHOOSABLE, Thresholds
from budgetcore.store.database import transaction

AS_OF = dt.date(2026, 11, 27)
d = dt.date


def _contracts() -> dict[str, list[list[str]]]:
    """Four completed contracts (one terminated) and one running, with lines on and around
    their checkpoints. A: 2025 (365 days; checkpoints on days 91, 182, 273), linear budget,
    4 visits; B: two years (730 days: its 50 % checkpoint, day 365, is 2025-02-28 and has a line)
    with a budget phased per year; C: no budget, no visits."""
    rows: dict[str, list[list[str]]] = {e: [] for e in ENTITIES}
    contract = [
        ("CT-A", "preventive", d(2025, 1, 1), d(2025, 12, 31), "4", "", "10000.00"),
        ("CT-B", "corrective", d(2024, 3, 1), d(2026, 2, 28), "", "", None),
        ("CT-C", "yearly_orders", d(2025, 6, 1), d(2026, 5, 31), "", "", "-"),
        ("CT-D", "preventive", d(2025, 1, 1), d(2025, 12, 31), "4", "2025-10-01", "8000.00"),
        ("CT-E", "preventive", d(2026, 1, 1), d(2027, 12, 31), "8", "", "20000.00"),
    ]
    for number, kind, start, end, visits, terminated, budget in contract:
        rows["contracts"].append([
            number, "Klant", "", "Utrecht", "", kind, start.isoformat(), end.isoformat(), "30", "false", "",
            "", visits, "", terminated, "",
        ])  # fmt: skip
        if budget and budget != "-":
            rows["budgets"].append([number, "labour", budget, "", "", ""])
    rows["budgets"] += [
        ["CT-B", "labour", "9000.00", "", "2024-03-01", "2025-02-28"],
        ["CT-B", "material", "12000.00", "", "2025-03-01", "2026-02-28"],
    ]
    work = {  # (number, date, type, hours at 50.00, material cost)
        "CT-A": [
            ("2025-02-15", "periodic", "20", "100.00"),
            ("2025-03-31", "corrective", "7", "0"),
            ("2025-04-01", "corrective", "3", "55.55"),
            ("2025-04-02", "corrective", "11", "0"),
            ("2025-05-15", "periodic", "22", "0"),
            ("2025-07-01", "extra", "5", "10.00"),
            ("2025-07-02", "corrective", "9", "0"),
            ("2025-08-15", "periodic", "19", "80.00"),
            ("2025-10-01", "corrective", "13", "0"),
            ("2025-11-15", "periodic", "21", "0"),
            ("2026-01-05", "corrective", "40", "0"),  # after the term: never counted
        ],
        "CT-B": [
            ("2024-03-01", "corrective", "1", "0"),
            ("2024-08-29", "corrective", "30", "400.00"),
            ("2024-08-30", "corrective", "12", "0"),
            ("2025-02-28", "corrective", "25", "1200.00"),
            ("2025-08-29", "corrective", "18", "3000.00"),
            ("2026-02-28", "corrective", "60", "0"),
        ],
        "CT-C": [
            ("2025-06-15", "periodic", "8", "0"),
            ("2025-09-30", "corrective", "16", "310.10"),
            ("2025-12-01", "corrective", "4", "0"),
            ("2026-03-02", "periodic", "30", "0"),
        ],
        "CT-D": [("2025-02-01", "periodic", "20", "0"), ("2025-06-01", "periodic", "20", "0")],
        "CT-E": [("2026-02-01", "periodic", "20", "0")],
    }
    for number, lines in work.items():
        for i, (date, kind, hours, material) in enumerate(lines):
            wo = f"WB-{number}-{i}"
            rows["work_orders"].append([wo, number, date, kind, "gereed", ""])
            rows["hours"].append([wo, date, "Daan", "work", hours, "50.00", "80.00"])
            if material != "0":
                rows["materials"].append([wo, date, "X", "", "1", material, material])
    return rows


@pytest.fixture
def hand_made(engine: Engine, tmp_path: Path) -> Engine:
    result = import_paths(engine, write_canonical(tmp_path / "files", _contracts()))
    assert result.ok, result.errors
    return engine


def _cents(x: int, y: int, z: int) -> Decimal:
    """x * y / z millionths, half up to cents (as the engine prints a forecast)."""
    value = Fraction(int(x) * int(y), int(z) * 10**6)
    return Decimal(value.numerator / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _checkpoint(start: dt.date, end: dt.date, quarter: int) -> dt.date:
    """Day floor(k x term / 4) of the term, day 1 being the start date (docs/metrics.md)."""
    term = (end - start).days + 1
    return start + dt.timedelta(days=max(term * quarter // 4, 1) - 1)


@pytest.mark.parametrize("method", (CHAIN, *CHOOSABLE))
def test_the_replay_is_the_summary_at_the_checkpoint_date(hand_made: Engine, method: str) -> None:
    with transaction(hand_made) as session:
        history = calibration.completed(session, AS_OF)
        numbers = history.columns["contract_number"].tolist()
        assert numbers == ["CT-A", "CT-B", "CT-C"]  # not the terminated one, nor the running one
        choice = None if method == CHAIN else np.full(len(history), METHODS.index(method))
        thresholds = Thresholds(forecast_method=method)
        for quarter in (1, 2, 3):
            replayed = calibration.replay(history, quarter, choice)
            for i, number in enumerate(numbers):
                start, end = (history.columns[k][i].astype(dt.date) for k in ("start_date", "end_date"))
                day = _checkpoint(start, end, quarter)
                loaded = frame.load(session, day, thresholds)
                (row,) = table.rows(loaded, np.flatnonzero(loaded["contract_number"] == number))
                name = METHODS[replayed.method[i]]
                picked = method != CHAIN and name == method
                assert row["forecast_method"] == (f"{name} (setting)" if picked else name), (number, quarter)
                assert row["forecast_total"] == _cents(replayed.x[i], replayed.y[i], replayed.z[i])
                assert row["actual_total"] == _cents(replayed.actual[i], 1, 1)
                assert bool(replayed.used[i]) == (picked or method == CHAIN)


def test_the_checkpoints_are_read_alike_from_the_snapshot_and_by_sql(hand_made: Engine) -> None:
    from budgetcore.store import aggregates

    with transaction(hand_made) as session:
        saved, by_sql = aggregates.checkpoint_columns(session), aggregates.checkpoints_by_sql(session)
    assert saved.keys() == by_sql.keys()
    for name in saved:
        assert saved[name].tolist() == by_sql[name].tolist(), name


def test_a_line_on_the_checkpoint_day_counts_and_one_a_day_later_does_not(hand_made: Engine) -> None:
    with transaction(hand_made) as session:
        history = calibration.completed(session, AS_OF)
    a = history.columns["contract_number"].tolist().index("CT-A")
    c = history.columns
    # CT-A at 25 % (day 91, 2025-04-01): 20 + 7 + 3 hours x 50 and 100.00 + 55.55 material, 1 visit
    assert (c["labour_1"][a], c["material_1"][a], c["visits_1"][a]) == (1_500_000_000, 155_550_000, 1)
    # the whole term: every covered order; the extra one of 2025-07-01 (5 h) is billed on top
    assert c["labour"][a] == (20 + 7 + 3 + 11 + 22 + 9 + 19 + 13 + 21) * 50 * 10**6


def test_auto_keeps_the_chain_below_the_minimum_of_completed_contracts(hand_made: Engine) -> None:
    with transaction(hand_made) as session:
        one = calibration.calibrate(session, AS_OF, min_completed=1)
        two = calibration.calibrate(session, AS_OF, min_completed=2)
        # each type has one completed contract: with a minimum of 2 every type keeps the chain
        assert {p.method for p in two.picks.values()} == {CHAIN}
        assert {p.reason for p in two.picks.values()} == {TOO_FEW}
        assert {p.reason for p in one.picks.values()} == {LOWEST}
        assert {p.method for p in one.picks.values()} != {CHAIN}
        settings.save(session, settings.Settings(min_completed=2))
    printed = io.StringIO()
    assert cli.main(["backtest", "--db", str(hand_made.url), "--as-of", "2026-11-27"], out=printed) == 0
    text = printed.getvalue()
    assert "preventive at 25%: chain (fewer than 2 completed contracts (1))" in text
    assert "25%         all            run rate" in text and "burn" in text  # the baselines are there
    # the running contract (CT-E, 331 of 730 days: the 50 % checkpoint) under auto with a minimum of 1
    with transaction(hand_made) as session:
        running = frame.load(session, AS_OF, Thresholds(forecast_method=AUTO, min_completed=1))
        i = running["contract_number"].tolist().index("CT-E")
        pick = one.method_for("preventive", calibration.nearest_quarter(
            running["days_done"][i : i + 1], running["term_days"][i : i + 1])[0])  # fmt: skip
        shown = table.rows(running, [i])[0]["forecast_method"]
        assert shown == (f"{pick} (auto)" if pick != CHAIN else METHODS[running["method"][i]])
        fallback = frame.load(session, AS_OF, Thresholds(forecast_method=AUTO, min_completed=2))
        assert not fallback["method_chosen"].any()
        assert "(auto)" not in "".join(
            table.rows(fallback)[i]["forecast_method"] for i in range(len(fallback))
        )


def _tied(order: list[int]) -> calibration.Completed:
    """Four preventive contracts of 400 days without a budget whose visits run exactly with the
    calendar (q of 4 at checkpoint q): visits, run rate and the chain forecast the same."""
    start = np.datetime64("2025-01-01")
    n = 4
    final = np.array([4_000, 5_000, 6_000, 9_000], dtype=np.int64) * 10**6
    columns: dict[str, np.ndarray] = {
        "contract_number": np.array([f"CT-{i}" for i in range(n)], dtype=object),
        "type": np.array(["preventive"] * n, dtype=object),
        "start_date": np.full(n, start),
        "end_date": np.full(n, start + np.timedelta64(399, "D")),
        "planned_visits": np.full(n, 4, dtype=np.int64),
        "has_planned_visits": np.ones(n, dtype=bool),
        "labour": final,
        "material": np.zeros(n, dtype=np.int64),
        **{
            k: np.zeros(n, dtype=np.int64)
            for k in ("budget_lines", "budget_labour", "budget_material", "budget_other")
        },
    }
    for q in (1, 2, 3):
        columns[f"labour_{q}"] = np.array([900, 1_400, 1_500, 2_000], dtype=np.int64) * q * 10**6
        columns[f"material_{q}"] = np.zeros(n, dtype=np.int64)
        columns[f"hours_{q}"] = np.zeros(n, dtype=np.int64)
        columns[f"visits_{q}"] = np.full(n, q, dtype=np.int64)
    columns = {k: v[order] for k, v in columns.items()}
    empty = np.zeros(0, dtype=np.int64)
    periods = {"period_row": empty, "period_amount": empty, "period_first": empty, "period_last": empty}
    return calibration.Completed(columns, periods)


def test_a_tie_goes_to_the_earlier_candidate_whatever_the_order_of_the_contracts() -> None:
    first = calibration.calibrate_history(_tied([0, 1, 2, 3]), AS_OF, min_completed=4)
    again = calibration.calibrate_history(_tied([3, 1, 0, 2]), AS_OF, min_completed=4)
    for quarter in (1, 2, 3):
        rows = {a.method: a.median_ape for a in first.rows if a.type == "preventive" and a.quarter == quarter}
        assert rows[CHAIN] == rows["visits"] == rows["run rate"] is not None  # a three-way tie
        assert first.picks[("preventive", quarter)].method == CHAIN  # CANDIDATES order: the chain first
        assert again.picks == first.picks
    assert backtest.rows(again) == backtest.rows(first)
    # and with fewer contracts than the minimum, the chain without a contest
    alone = calibration.calibrate_history(_tied([0, 1, 2, 3]), AS_OF, min_completed=5)
    assert {p.method for p in alone.picks.values()} == {CHAIN}


def test_median_errors_by_hand() -> None:
    # at 25 %: forecasts 3,600 / 5,600 / 6,000 / 8,000 against 4,000 / 5,000 / 6,000 / 9,000:
    # errors -10 %, +12 %, 0, -11.11 %; median |error| (10 % + 11.11 %) / 2, bias (-10 % + 0) / 2
    result = calibration.calibrate_history(_tied([0, 1, 2, 3]), AS_OF, min_completed=1)
    (row,) = [a for a in result.rows if a.method == "run rate" and a.type == "preventive" and a.quarter == 1]
    assert row.count == 4
    assert row.median_ape == (Decimal("0.1") + Decimal("0.111111")) / 2
    assert row.bias == Decimal("-0.05")
    assert row.status_right is None  # no budget: no status to judge
    shown = json.loads(backtest.json_text(result))
    assert shown["completed"] == 4 and shown["min_completed"] == 1
    assert {"checkpoint": 25, "type": "preventive", "method": "run rate", "contracts": 4,
            "median_ape": "0.1056", "bias": "-0.0500", "status_right": None} in shown["rows"]  # fmt: skip


def test_a_quotient_whose_denominator_overflows_int64_is_still_computed() -> None:
    big = np.array([3 * 10**12], dtype=np.int64)
    value, negative = exact.quotient([(big, big, 7)], (big, big, 2), 1)  # 3.5: half up to 4
    assert value.tolist() == [4] and not negative[0]
    value, negative = exact.quotient([(big, big, -7)], (big, big, 2), 1)
    assert value.tolist() == [-4] and negative[0]


def test_the_choice_of_a_running_contract_is_its_type_at_the_nearest_checkpoint() -> None:
    done, term = np.array([0, 1, 37, 38, 62, 63, 100]), np.full(7, 100)
    # 3/8 of the term and below: 25 %; to 5/8: 50 %; then 75 %
    assert calibration.nearest_quarter(done, term).tolist() == [1, 1, 1, 2, 2, 3, 3]
    result = calibration.calibrate_history(_tied([0, 1, 2, 3]), AS_OF, min_completed=1)
    columns = {
        "contract_number": np.array(["X", "Y"], dtype=object),
        "type": np.array(["preventive", None], dtype=object),
        "start_date": np.full(2, np.datetime64("2026-01-01")),
        "end_date": np.full(2, np.datetime64("2026-12-31")),
    }
    assert result.choices(columns, AS_OF).tolist() == [
        METHODS.index(result.method_for("preventive", 3)) if result.method_for("preventive", 3) != CHAIN
        else CHAIN_CHOICE,
        CHAIN_CHOICE,  # a type without completed contracts keeps the chain
    ]  # fmt: skip


def test_the_demo_history_leaves_the_rest_of_the_demo_as_it_was() -> None:
    from budgetcore.exchange import demo

    def generated(history: bool) -> dict[str, list[list[str]]]:
        rows: dict[str, list[list[str]]] = {e: [] for e in ENTITIES}
        demo.generate(
            lambda e, cells: rows[e].append(list(cells)), contracts=60, today=AS_OF, history=history
        )
        return rows

    plain, full = generated(False), generated(True)
    links = {row[0]: row[15] for row in full["contracts"] if row[15]}
    previous = {row[0]: row for row in full["contracts"] if row[0] in set(links.values())}
    assert 20 <= len(links) == len(previous) <= 50  # about 60 % of 60 contracts have a previous term
    for number, before in links.items():
        current = next(row for row in full["contracts"] if row[0] == number)
        assert dt.date.fromisoformat(previous[before][7]) + dt.timedelta(days=1) == dt.date.fromisoformat(
            current[6]
        )
        assert dt.date.fromisoformat(previous[before][7]) < AS_OF  # completed
    current_rows = [row[:15] for row in full["contracts"] if row[0] not in previous]
    assert current_rows == [row[:15] for row in plain["contracts"]]
    history_orders = {row[0] for row in full["work_orders"] if row[1] in previous}
    for entity in ("work_orders", "hours", "materials"):
        assert [row for row in full[entity] if row[0] not in history_orders] == plain[entity], entity
    assert [row for row in full["budgets"] if row[0] not in previous] == plain["budgets"]


def test_on_the_demo_with_history_auto_beats_the_run_rate_at_every_checkpoint(
    tmp_path: Path, demo_database
) -> None:
    from budgetcore.store.database import make_engine
    from budgetcore.store.schema import prepare

    # the demo the app's first start loads, its completed previous terms with it (built once a session)
    demo_database(AS_OF, tmp_path / "demo.db")
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    prepare(engine)
    with transaction(engine) as session:
        result = calibration.calibrate(session, AS_OF)
    engine.dispose()
    every = {(a.method, a.quarter): a for a in result.rows if a.type == calibration.ALL_TYPES}
    for quarter in (1, 2, 3):
        assert every[(AUTO, quarter)].median_ape < every[("run rate", quarter)].median_ape, quarter
    assert {p.reason for p in result.picks.values()} == {LOWEST}  # every type has 30 and more


def test_a_database_from_before_the_checkpoints_gets_them_at_its_next_start(hand_made: Engine) -> None:
    from sqlalchemy import delete

    from budgetcore.store import aggregates, snapshot
    from budgetcore.store.models import Snapshot
    from budgetcore.store.schema import prepare

    with transaction(hand_made) as session:
        session.execute(delete(Snapshot).where(Snapshot.name.startswith(aggregates.CHECKPOINTS)))
    assert prepare(hand_made) == ["saved the snapshots (one was missing or in an older format)"]
    assert prepare(hand_made) == []  # once
    with transaction(hand_made) as session:
        assert snapshot.load(session, aggregates.CHECKPOINTS) is not None


def test_auto_judges_a_method_as_it_would_use_it_with_the_chain_where_it_does_not_apply() -> None:
    """Remaining budget is exact on the two budgeted contracts (its own median error 0), but auto
    would use the chain, here visits, on the two without a budget, and visits are far off there:
    as used, remaining budget's median error is 25 %, the run rate's 7.14 %. auto takes the run rate."""
    start = np.datetime64("2025-01-01")
    day = start.astype(np.int64)
    n = 4
    columns: dict[str, np.ndarray] = {
        "contract_number": np.array([f"CT-{i}" for i in range(n)], dtype=object),
        "type": np.array(["x"] * n, dtype=object),
        "start_date": np.full(n, start),
        "end_date": np.full(n, start + np.timedelta64(399, "D")),  # 400 days: 25 % is day 100
        "planned_visits": np.array([0, 0, 4, 4], dtype=np.int64),
        "has_planned_visits": np.array([False, False, True, True]),
        "labour": np.array([4_200, 4_200, 4_000, 4_000], dtype=np.int64) * 10**6,  # the final cost
        "material": np.zeros(n, dtype=np.int64),
        "budget_lines": np.array([1, 1, 0, 0], dtype=np.int64),
        "budget_labour": np.array([4_000, 4_000, 0, 0], dtype=np.int64) * 10**6,
        "budget_material": np.zeros(n, dtype=np.int64),
        "budget_other": np.zeros(n, dtype=np.int64),
    }
    for q in (1, 2, 3):  # 1,200 spent by 25 % (planned 1,000), and 1,000 with 2 of 4 visits done
        columns[f"labour_{q}"] = np.array([1_200, 1_200, 1_000, 1_000], dtype=np.int64) * q * 10**6
        columns[f"material_{q}"] = columns[f"hours_{q}"] = np.zeros(n, dtype=np.int64)
        columns[f"visits_{q}"] = np.array([0, 0, 2 * q, 2 * q], dtype=np.int64).clip(0, 3)
    periods = {
        "period_row": np.array([0, 1]),
        "period_amount": np.full(2, 4_000 * 10**6),
        "period_first": np.full(2, day),
        "period_last": np.full(2, day + 399),
    }
    result = calibration.calibrate_history(calibration.Completed(columns, periods), AS_OF, min_completed=2)
    own = {a.method: a.median_ape for a in result.rows if a.type == "x" and a.quarter == 1}
    assert own["remaining budget"] == 0 and own["run rate"] == Decimal("0.0714285")
    assert result.picks[("x", 1)].method == "run rate"
    assert result.picks[("x", 1)].median_ape == Decimal("0.0714285")
    (auto,) = [a for a in result.rows if a.method == AUTO and a.type == "x" and a.quarter == 1]
    assert auto.median_ape == own["run rate"]
