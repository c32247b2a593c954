"""Incremental maintenance equals a full rebuild, after random sequences of imports and re-imports.

An import that touches a few contracts updates the aggregates of those
contracts only, changes portfolio_months by their difference and saves their
snapshot rows as changes (snapshot.save_changes). After every step of a random
sequence (new contracts, changed terms and budgets, work orders moved between
contracts, lines added and replaced, contracts deleted), on both engines, with
the changes kept beside the base and with them folded in at once, every
maintained table and every snapshot must equal what a full rebuild computes
from the lines, and the portfolio's figures at several as-of dates must equal
those read by SQL alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select

from budgetcore.exchange import demo
from budgetcore.exchange.formats import COLUMNS, ENTITIES
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import frame
from budgetcore.figures.metrics import CHAIN, Thresholds
from budgetcore.store import aggregates, columns, lifecycle, snapshot
from budgetcore.store.access import Actor
from budgetcore.store.database import transaction
from budgetcore.store.models import (
    BudgetPeriod,
    Contract,
    ContractBudget,
    ContractMonth,
    ContractTotal,
    PortfolioMonth,
    Snapshot,
)

TODAY = dt.date(2026, 11, 27)
AS_OF = (dt.date(2025, 9, 14), TODAY)  # one on each side of the actuals' reading strategy
ME = Actor("tester", "cli", operator=True)
POOL, FIRST = 36, 24  # contracts generated; imported at the start (the rest come in later steps)
STEPS = 7
Rows = dict[str, list[list[str]]]
HEADERS = {e: [c.name for c in COLUMNS[e]] for e in ENTITIES}
CHAINED = Thresholds(forecast_method=CHAIN)
FIGURES = (
    "contract_number", "actual_total", "planned_to_date", "status", "action", "extra_cost", "extra_revenue",
    "extra_unpriced", "out_of_scope",
)  # fmt: skip
TABLES = (ContractMonth, ContractTotal, ContractBudget, BudgetPeriod, PortfolioMonth)


def _pool() -> Rows:
    rows: Rows = {e: [] for e in ENTITIES}
    demo.generate(lambda e, cells: rows[e].append([str(c) for c in cells]), contracts=POOL, today=TODAY)
    return rows


def _import(engine: Engine, directory: Path, rows: Rows) -> None:
    directory.mkdir(parents=True)
    for entity, found in rows.items():
        if found:
            with (directory / f"{entity}.csv").open("w", newline="", encoding="utf-8") as handle:
                out = csv.writer(handle)
                out.writerow(HEADERS[entity])
                out.writerows(found)
    result = import_paths(engine, [directory])
    assert result.ok, [str(p) for p in result.errors[:5]]


def _of(rows: Rows, numbers: set[str]) -> Rows:
    """These contracts' rows, with their work orders' lines."""
    orders = {w[0] for w in rows["work_orders"] if w[1] in numbers}
    return {
        "contracts": [c for c in rows["contracts"] if c[0] in numbers],
        "budgets": [b for b in rows["budgets"] if b[0] in numbers],
        "work_orders": [w for w in rows["work_orders"] if w[0] in orders],
        "hours": [h for h in rows["hours"] if h[0] in orders],
        "materials": [m for m in rows["materials"] if m[0] in orders],
    }


def _shifted(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


def _step(
    rng: random.Random, pool: Rows, live: list[str], waiting: list[str], kind: str | None = None
) -> tuple[str, Rows | str]:
    """One random change (or one of this kind): (what, the rows to import) or ("delete", a
    contract number)."""
    kind = kind or rng.choice(["new", "term", "budget", "move", "lines", "lines", "delete", "scope"])
    if kind == "new" and waiting:
        number = waiting.pop()
        live.append(number)
        return kind, _of(pool, {number})
    if kind == "delete" and len(live) > FIRST // 2:
        number = live.pop(rng.randrange(len(live)))
        return kind, number
    chosen = rng.sample(live, 2)
    orders = [w for w in pool["work_orders"] if w[1] in chosen] or [
        w for w in pool["work_orders"] if w[1] in live
    ]
    if kind == "term":  # a longer or shorter term: lines move in or out of it, budget periods follow
        rows = [list(c) for c in pool["contracts"] if c[0] in chosen]
        for c in rows:
            c[6] = _shifted(c[6], rng.randint(-120, 120))
            c[7] = max(_shifted(c[7], rng.randint(-240, 120)), _shifted(c[6], 30))
        return kind, {"contracts": rows}
    if kind == "budget":
        rows = [list(b) for b in pool["budgets"] if b[0] in chosen]
        for b in rows:
            b[2] = f"{rng.randint(500, 40_000)}.{rng.randint(0, 99):02d}"
        start = next(c[6] for c in pool["contracts"] if c[0] == chosen[0])
        rows.append([chosen[0], "other", "750.00", "", _shifted(start, 40), _shifted(start, 400)])
        return kind, {"budgets": rows}
    if kind == "scope":  # work orders change type or billable: their cost moves across (issue 21)
        rows = [list(rng.choice(orders)) for _ in range(3)]
        for order in rows:
            order += [""] * (len(HEADERS["work_orders"]) - len(order))
            order[3] = rng.choice(["periodic", "corrective", "extra", order[3]])
            order[6] = rng.choice(["", "ja", "nee"])
        return kind, {"work_orders": list({order[0]: order for order in rows}.values())}
    if kind == "move":  # a work order goes to another contract: both change
        order = list(rng.choice(orders))
        order[1] = rng.choice([n for n in live if n != order[1]])
        return kind, {"work_orders": [order]}
    # lines: a work order's hours replaced by others, some outside its contract's term
    order = rng.choice(orders)
    day = order[2]
    hours = [
        [
            order[0],
            _shifted(day, rng.randint(-400, 400)),
            "Daan",
            "work",
            f"{rng.randint(1, 9)}.25",
            "52.00",
            "",
        ]
        for _ in range(rng.randint(1, 4))
    ]
    materials = [[order[0], _shifted(day, rng.randint(-30, 30)), "KLEIN-MAT", "", "3", "4.95", ""]]
    return kind, {"hours": hours, "materials": materials}


def _maintained(session) -> dict[str, object]:
    """Every maintained table's rows and every snapshot's columns, in a comparable form."""
    state: dict[str, object] = {}
    for table in TABLES:
        state[table.__tablename__] = sorted(
            tuple(r) for r in session.execute(select(*table.__table__.c)).all()
        )
    found = columns.portfolio_columns(session)
    periods = sorted(
        zip(
            found["contract_id"][found["period_row"]].tolist(),
            *(found[name].tolist() for name in columns.PERIOD_COLUMNS[1:]),
            strict=True,
        )
    )
    state["contracts"] = {
        name: values.tolist() for name, values in found.items() if name not in columns.PERIOD_COLUMNS
    }
    state["periods"] = periods
    months = columns.in_term_months(session)
    state["months"] = sorted(
        zip(
            months.contract_id.tolist(),
            months.month.astype(str).tolist(),
            months.labour.tolist(),
            months.material.tolist(),
            months.lines.tolist(),
            strict=True,
        )
    )
    for name in ("extra_cost", "extra_revenue", "extra_unpriced"):  # the snapshot carries the split
        assert name in found
    points = aggregates.checkpoint_columns(session)
    order = np.argsort(points["contract_id"])
    state["checkpoints"] = {name: values[order].tolist() for name, values in points.items()}
    return state


def _figures(session) -> list:
    result = []
    for as_of in AS_OF:
        f = frame.load(session, as_of, CHAINED)  # auto's inputs, the checkpoints, are compared above
        result.append([f[name].tolist() for name in FIGURES])
    return result


@pytest.fixture(scope="module")
def pool() -> Rows:
    return _pool()


@pytest.mark.parametrize(("fold", "seed"), [("changes kept", 1), ("changes kept", 2), ("folded at once", 3)])
def test_incremental_maintenance_equals_a_full_rebuild(
    engine: Engine, pool: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, fold: str
) -> None:
    monkeypatch.setattr(snapshot, "FOLD", 1 if fold == "changes kept" else 10**9)
    rng = random.Random(seed)
    numbers = [c[0] for c in pool["contracts"]]
    live, waiting = numbers[:FIRST], numbers[FIRST:]
    _import(engine, tmp_path / "first", _of(pool, set(live)))
    kinds, changes_seen = [], False
    for i in range(STEPS):
        kind, change = _step(rng, pool, live, waiting, "scope" if i == 1 else None)
        kinds.append(kind)
        if kind == "delete":
            with transaction(engine) as session:
                lifecycle.delete_contract(session, ME, change)  # type: ignore[arg-type]
        else:
            _import(engine, tmp_path / f"step{i}", change)  # type: ignore[arg-type]
        with transaction(engine) as session:
            changes_seen |= bool(
                session.scalar(
                    select(Snapshot.name).where(Snapshot.name.like(f"%{snapshot.CHANGES}")).limit(1)
                )
            )
            incremental, figures = _maintained(session), _figures(session)
            aggregates.rebuild(session)  # everything, from the lines: whole tables and snapshots
            assert not session.scalar(
                select(Snapshot.name).where(Snapshot.name.like(f"%{snapshot.CHANGES}")).limit(1)
            )
            rebuilt = _maintained(session)
            for name, value in rebuilt.items():
                assert incremental[name] == value, (kinds, name)
            snapshot.drop(session)  # figures by SQL alone
            assert _figures(session) == figures, kinds
            session.rollback()
    with transaction(engine) as session:
        assert session.scalar(select(Contract.id).limit(1)) is not None
    assert changes_seen == (fold == "changes kept"), kinds
