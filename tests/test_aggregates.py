"""The maintained aggregates (contract_months, contract_totals) always equal a fresh computation from the lines.

Proved, not timed, on both engines: after a first import, after re-imports that
move a work order to another contract, change a contract's term and replace a
work order's lines, for as-of dates inside a month and on both sides of the
portfolio's reading strategy (totals minus what lies after as_of, or the sum of
what lies before it), and for a database made before contract_totals existed.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import older_schemas
import pytest
from sqlalchemy import Engine, select, text

from budgetcore.exchange import demo, writer
from budgetcore.exchange.formats import COLUMNS, ENTITIES
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import frame, portfolio
from budgetcore.figures.metrics import Filters
from budgetcore.store import as_of_reads
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.models import (
    Contract,
    ContractMonth,
    ContractTotal,
    HourLine,
    MaterialLine,
    PortfolioMonth,
    WorkOrder,
    to_units,
)
from budgetcore.store.schema import prepared

TODAY = dt.date(2026, 11, 27)
Rows = dict[str, list[list[str]]]

# inside a month (the first, the middle, the day before its end), month ends, before
# every contract and after all of them: each side of each month boundary
AS_OF_DATES = (
    dt.date(2019, 1, 1),
    dt.date(2023, 2, 14),
    dt.date(2024, 2, 29),
    dt.date(2025, 6, 30),
    dt.date(2025, 7, 1),
    dt.date(2026, 3, 15),
    dt.date(2026, 11, 26),
    TODAY,
    dt.date(2026, 11, 30),
    dt.date(2031, 1, 1),
)


def _rows(contracts: int) -> Rows:
    rows: Rows = {e: [] for e in ENTITIES}
    demo.generate(lambda e, cells: rows[e].append(list(cells)), contracts=contracts, today=TODAY)
    # a booking the day before a term starts, another on its last day: outside and inside
    first = rows["contracts"][0]
    before = (dt.date.fromisoformat(first[6]) - dt.timedelta(days=1)).isoformat()
    rows["work_orders"] += [["WB-EARLY", first[0], before, "periodic", "gereed", ""],
                            ["WB-LAST", first[0], first[7], "corrective", "gereed", ""]]  # fmt: skip
    rows["hours"] += [["WB-EARLY", before, "Daan", "work", "1.50", "52.00", ""],
                      ["WB-LAST", first[7], "Daan", "work", "2.25", "52.00", ""]]  # fmt: skip
    rows["materials"] += [["WB-EARLY", before, "KLEIN-MAT", "", "3", "4.95", ""]]
    return rows


def _write(directory: Path, rows: Rows) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for entity in ENTITIES:
        if not rows.get(entity):
            continue
        with (directory / f"{entity}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.name for c in COLUMNS[entity]])
            writer.writerows(rows[entity])
    return directory


def _import(engine: Engine, directory: Path) -> None:
    result = import_paths(engine, [directory])
    assert result.ok, [str(p) for p in result.errors[:5]]


# -- the fresh computation, in Python, straight from the stored lines -----------


def _lines(engine: Engine) -> dict:
    """Contracts' terms, work orders and every cost line as stored."""
    with engine.connect() as conn:
        terms = {
            i: (s, e) for i, s, e in conn.execute(select(Contract.id, Contract.start_date, Contract.end_date))
        }
        orders = {
            i: (c, d, t, b)
            for i, c, d, t, b in conn.execute(
                select(
                    WorkOrder.id, WorkOrder.contract_id, WorkOrder.date, WorkOrder.type, WorkOrder.billable
                )
            )
        }
        hours = conn.execute(
            select(
                HourLine.work_order_id,
                HourLine.date,
                HourLine.hours,
                HourLine.cost_rate,
                HourLine.cost,
                HourLine.sales_rate,
                HourLine.revenue,
            )
        ).all()
        materials = conn.execute(
            select(
                MaterialLine.work_order_id,
                MaterialLine.date,
                MaterialLine.quantity,
                MaterialLine.unit_cost,
                MaterialLine.cost,
                MaterialLine.unit_price,
                MaterialLine.revenue,
            )
        ).all()
    return {"terms": terms, "orders": orders, "hours": hours, "materials": materials}


def _billed(order: tuple) -> bool:
    """Scope (docs/metrics.md): billed on top when billable says so, else when the type is extra."""
    _contract, _day, wo_type, billable = order
    return billable if billable is not None else wo_type == "extra"


def _fresh_months(data: dict) -> dict[tuple, tuple]:
    """(contract id, first of month, in term) -> covered (labour, material, hours, lines, visits),
    then billed on top (cost, revenue, lines, lines without a sales price)."""
    months: dict[tuple, list] = defaultdict(
        lambda: [Decimal(0), Decimal(0), Decimal(0), 0, 0, Decimal(0), Decimal(0), 0, 0]
    )
    terms, orders = data["terms"], data["orders"]

    def key(contract_id: int, day: dt.date) -> tuple:
        start, end = terms[contract_id]
        return contract_id, day.replace(day=1), start <= day <= end

    for kind in ("hours", "materials"):
        for work_order_id, day, quantity, price, cost, sales, revenue in data[kind]:
            assert cost == Decimal(to_units(quantity * price)).scaleb(-6)  # cost as the writer computed it
            assert revenue == (None if sales is None else Decimal(to_units(quantity * sales)).scaleb(-6))
            contract_id = orders[work_order_id][0]
            if contract_id is None:
                continue
            row = months[key(contract_id, day)]
            if _billed(orders[work_order_id]):
                row[5] += cost
                row[6] += revenue or 0
                row[7] += 1
                row[8] += revenue is None
                continue
            row[0 if kind == "hours" else 1] += cost
            row[2] += quantity if kind == "hours" else 0
            row[3] += 1
    for order in orders.values():
        contract_id, day, wo_type, _ = order
        if contract_id is not None and wo_type == "periodic" and not _billed(order):
            months[key(contract_id, day)][4] += 1
    return {k: tuple(v) for k, v in months.items()}


def _fresh_actuals(data: dict, as_of: dt.date) -> dict[int, tuple]:
    """The actuals (docs/metrics.md): lines of covered work orders dated from start_date through
    min(as_of, end_date); then the billed ones' cost, revenue and lines without a sales price."""
    actuals: dict[int, list] = defaultdict(
        lambda: [Decimal(0), Decimal(0), Decimal(0), 0, Decimal(0), Decimal(0), 0]
    )
    terms, orders = data["terms"], data["orders"]

    def counts(contract_id: int | None, day: dt.date) -> bool:
        if contract_id is None:
            return False
        start, end = terms[contract_id]
        return start <= day <= min(as_of, end)

    for kind in ("hours", "materials"):
        for work_order_id, day, quantity, _price, cost, _sales, revenue in data[kind]:
            contract_id = orders[work_order_id][0]
            if counts(contract_id, day):
                row = actuals[contract_id]
                if _billed(orders[work_order_id]):
                    row[4] += cost
                    row[5] += revenue or 0
                    row[6] += revenue is None
                    continue
                row[0 if kind == "hours" else 1] += cost
                row[2] += quantity if kind == "hours" else 0
    for order in orders.values():
        contract_id, day, wo_type, _ = order
        if wo_type == "periodic" and not _billed(order) and counts(contract_id, day):
            actuals[contract_id][3] += 1
    return {c: tuple(v) for c, v in actuals.items() if any(v)}


def _stored_months(engine: Engine) -> dict[tuple, tuple]:
    m = ContractMonth
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                m.contract_id,
                m.month,
                m.in_term,
                m.labour,
                m.material,
                m.hours,
                m.lines,
                m.visits,
                m.extra_cost,
                m.extra_revenue,
                m.extra_lines,
                m.extra_unpriced,
            )
        ).all()
    return {(c, month, bool(t)): tuple(rest) for c, month, t, *rest in rows}


def _stored_totals(engine: Engine) -> dict[int, tuple]:
    t = ContractTotal
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                t.contract_id,
                t.labour,
                t.material,
                t.hours,
                t.visits,
                t.outside_lines,
                t.outside_cost,
                t.extra_cost,
                t.extra_revenue,
                t.extra_lines,
                t.extra_unpriced,
            )
        ).all()
    return {c: tuple(rest) for c, *rest in rows if any(rest)}


def _totals_of(months: dict[tuple, tuple]) -> dict[int, tuple]:
    totals: dict[int, list] = defaultdict(
        lambda: [Decimal(0), Decimal(0), Decimal(0), 0, 0, Decimal(0), Decimal(0), Decimal(0), 0, 0]
    )
    for (contract_id, _month, in_term), (labour, material, hours, lines, visits, *extra) in months.items():
        row = totals[contract_id]
        if in_term:
            row[0] += labour
            row[1] += material
            row[2] += hours
            row[3] += visits
            row[6:] = [a + b for a, b in zip(row[6:], extra, strict=True)]
        else:
            row[4] += lines + extra[2]
            row[5] += labour + material + extra[0]
    return {c: tuple(v) for c, v in totals.items() if any(v)}


def _stored_portfolio_months(engine: Engine) -> dict[dt.date, tuple]:
    p = PortfolioMonth
    with engine.connect() as conn:
        rows = conn.execute(select(p.month, p.labour, p.material, p.lines)).all()
    return {month: tuple(rest) for month, *rest in rows}


def _portfolio_months_of(months: dict[tuple, tuple]) -> dict[dt.date, tuple]:
    sums: dict[dt.date, tuple] = {}
    for (_contract_id, month, in_term), (labour, material, _hours, lines, _visits, *_extra) in months.items():
        if in_term:
            before = sums.get(month, (Decimal(0), Decimal(0), 0))
            sums[month] = (before[0] + labour, before[1] + material, before[2] + lines)
    return sums


def _sql_actuals(engine: Engine, as_of: dt.date) -> dict[int, tuple]:
    """The portfolio's actuals at as_of as frame.load reads them; its figures equal what
    portfolio.portfolio reads from the maintained budget tables (one load serves both)."""
    with transaction(engine) as session:
        ids = dict(session.execute(select(Contract.contract_number, Contract.id)).all())
        loaded = frame.load(session, as_of)
        assert loaded.figures() == portfolio.portfolio(session, as_of), as_of
        inputs = loaded.inputs()
    found = {
        ids[i.contract_number]: (
            i.actual_labour,
            i.actual_material,
            i.actual_hours,
            i.visits_done,
            i.extra_cost,
            i.extra_revenue,
            i.extra_unpriced,
        )
        for i in inputs
    }
    return {c: v for c, v in found.items() if any(v)}


def assert_aggregates_fresh(engine: Engine, as_of_dates=AS_OF_DATES) -> None:
    """The maintained tables and the portfolio's actuals equal the Python computation from the lines."""
    data = _lines(engine)
    months = _fresh_months(data)
    assert _stored_months(engine) == months
    assert _stored_totals(engine) == _totals_of(months)
    assert _stored_portfolio_months(engine) == _portfolio_months_of(months)
    for as_of in as_of_dates:
        # also: the column-wise portfolio reads the maintained budget tables, the same figures
        assert _sql_actuals(engine, as_of) == _fresh_actuals(data, as_of), as_of


# -- the tests -----------------------------------------------------------------


FIRST = "test_aggregates: _rows(80) imported"  # the key of the shared databases that hold it


def _fill_first(tmp_path_factory: pytest.TempPathFactory, rows: Rows) -> Callable[[Engine], None]:
    def fill(engine: Engine) -> None:
        _import(engine, _write(tmp_path_factory.mktemp("first"), rows))

    return fill


@pytest.fixture
def loaded(
    db_url: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, _shared_databases, schema_template
) -> Iterator[tuple[Engine, Rows]]:
    """_rows(80) imported into db_url's empty database, for tests that write: on SQLite a copy of
    the file read_only's tests share (imported once per run), on PostgreSQL imported here."""
    rows = _rows(80)
    if db_url.startswith("sqlite"):
        shared = _shared_databases("sqlite", FIRST, _fill_first(tmp_path_factory, rows))
        shutil.copyfile(shared.split("///", 1)[1], db_url.split("///", 1)[1])
        engine = make_engine(db_url)
    else:
        engine = make_engine(db_url)
        schema_template(engine)
        _import(prepared(engine), _write(tmp_path / "first", rows))
    yield engine, rows
    engine.dispose()


@pytest.fixture
def read_only(shared_engine, tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Rows]:
    """What `loaded` holds, for the tests that only read it: imported once per engine per run."""
    rows = _rows(80)
    return shared_engine(FIRST, _fill_first(tmp_path_factory, rows)), rows


def test_a_first_import_maintains_aggregates_equal_to_the_lines(read_only) -> None:
    engine, _ = read_only
    data = _lines(engine)
    assert len(data["hours"]) > 1000 and len(data["materials"]) > 300  # something to check
    assert any(not in_term for _c, _m, in_term in _fresh_months(data))  # lines outside the term exist
    assert_aggregates_fresh(engine)


@pytest.mark.parametrize("after", [True, False], ids=["totals_minus_after", "sum_before"])
def test_both_reading_strategies_give_the_same_actuals(read_only, monkeypatch, after: bool) -> None:
    engine, _ = read_only
    monkeypatch.setattr(as_of_reads, "totals_minus_after", lambda session, as_of: after)
    assert_aggregates_fresh(engine)


def test_the_strategy_follows_as_of(read_only) -> None:
    engine, _ = read_only
    with transaction(engine) as session:
        assert as_of_reads.totals_minus_after(session, TODAY)
        assert not as_of_reads.totals_minus_after(session, dt.date(2019, 1, 1))


def test_reimport_moving_a_work_order_changing_a_term_and_replacing_lines(loaded, tmp_path: Path) -> None:
    """A partial re-import (few contracts: the per-contract rebuild) keeps every aggregate exact."""
    engine, rows = loaded
    order_lines = defaultdict(list)
    for r in rows["hours"]:
        order_lines[r[0]].append(r)
    # a work order with hour lines, moved to another contract that runs at its date
    moved = next(w for w in rows["work_orders"] if w[1] and order_lines[w[0]] and w[3] != "periodic")
    target = next(
        c for c in rows["contracts"] if c[0] != moved[1] and c[6] <= moved[2] <= c[7] and c[0] != moved[1]
    )
    moved_row = [moved[0], target[0], *moved[2:]]
    # a contract whose term shrinks to end mid-month, so part of its lines fall outside it
    changed = next(c for c in rows["contracts"] if c[0] not in (moved[1], target[0]) and c[6] < "2025-01-01")
    changed_row = list(changed)
    changed_row[7] = "2025-01-15"
    if changed_row[6] > changed_row[7]:
        changed_row[6] = "2024-01-01"
    # and the moved work order's hour lines replaced by one other line (mid-month date)
    replacement = [moved[0], moved[2], "Daan", "work", "3.75", "61.33", "95.06"]
    change = {
        "contracts": [changed_row],
        "work_orders": [moved_row],
        "hours": [replacement],
    }
    _import(engine, _write(tmp_path / "second", change))
    with transaction(engine) as session:
        lines = session.execute(
            select(HourLine.hours).join(WorkOrder).where(WorkOrder.work_order_number == moved[0])
        ).all()
        assert lines == [(Decimal("3.75"),)]
        old = session.scalar(select(Contract.id).where(Contract.contract_number == moved[1]))
        new = session.scalar(select(Contract.id).where(Contract.contract_number == target[0]))
        assert (
            session.scalar(select(WorkOrder.contract_id).where(WorkOrder.work_order_number == moved[0]))
            == new
        )
        assert old != new
    assert_aggregates_fresh(engine)
    # the re-import of everything (the bulk path: one rebuild of all contracts) agrees too
    _import(engine, _write(tmp_path / "third", rows))
    assert_aggregates_fresh(engine)


def test_a_database_from_before_contract_totals_is_rebuilt_on_open(loaded, db_url: str) -> None:
    engine, _ = loaded
    with engine.begin() as conn:
        older_schemas.before_alembic(conn)  # as every database from before Alembic
        conn.execute(text("DROP TABLE contract_totals"))
        conn.execute(text("DELETE FROM contract_months"))
    engine.dispose()
    reopened = prepared(make_engine(db_url))
    try:
        assert_aggregates_fresh(reopened, (TODAY, dt.date(2025, 6, 30)))
    finally:
        reopened.dispose()


def test_a_database_from_before_portfolio_months_sums_them_on_open(loaded, db_url: str) -> None:
    engine, _ = loaded
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE portfolio_months"))
        older_schemas.before_alembic(conn)  # as every database from before Alembic
    engine.dispose()
    reopened = prepared(make_engine(db_url))
    try:
        assert_aggregates_fresh(reopened, (TODAY,))
    finally:
        reopened.dispose()


def test_one_contract_reads_the_same_figures_as_the_whole_portfolio(read_only) -> None:
    engine, rows = read_only
    numbers = [r[0] for r in rows["contracts"][:5]]
    with transaction(engine) as session:
        for as_of in (dt.date(2026, 3, 15), TODAY):
            everything = {i.contract_number: i for i in frame.load(session, as_of).inputs()}
            for number in numbers:
                (one,) = frame.load(session, as_of, filters=Filters(contract_numbers=(number,))).inputs()
                assert one == everything[number]


def test_a_reimport_in_small_batches_replaces_every_work_orders_lines_exactly_once(
    loaded, tmp_path: Path, monkeypatch
) -> None:
    """Lines of one work order split over several write batches: none lost, none doubled."""
    engine, rows = loaded
    monkeypatch.setattr(writer.Writer, "batch", 7)
    _import(engine, _write(tmp_path / "again", rows))
    only_hours = {"hours": [r for r in rows["hours"] if r[0] in {h[0] for h in rows["hours"][:40]}]}
    _import(engine, _write(tmp_path / "hours", only_hours))
    data = _lines(engine)
    assert len(data["hours"]) == len(rows["hours"])
    assert len(data["materials"]) == len(rows["materials"])
    assert_aggregates_fresh(engine, (TODAY, dt.date(2026, 3, 15)))
