"""Portfolio figures from SQL against a hand computation, and SQL sums against plain Python sums."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal

import handcalc
import pytest
from conftest import ENGINES, PG_URL, pg_schema_url
from sqlalchemy import Engine, create_engine, select, text

from budgetcore.exchange.importing import import_paths
from budgetcore.figures import frame, metrics, portfolio
from budgetcore.figures.metrics import Thresholds
from budgetcore.figures.portfolio import Filters
from budgetcore.store import as_of_reads
from budgetcore.store.database import make_engine, transaction
from budgetcore.store.models import (
    BudgetLine,
    Contract,
    ContractMonth,
    ContractTotal,
    HourLine,
    MaterialLine,
    WorkOrder,
)
from budgetcore.store.schema import prepared

D = Decimal
AS_OF = handcalc.AS_OF


@pytest.fixture(scope="module", params=ENGINES)
def hand(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An engine with the hand-built portfolio of handcalc.py imported, on each engine in turn.

    Module-scoped (the tests here only read), so the portfolio is imported once
    per engine rather than once per test; a fresh database as conftest makes them.
    """
    folder = tmp_path_factory.mktemp("hand")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'hand.db'}"
    else:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = pg_schema_url(schema)
    engine = prepared(make_engine(url))
    try:
        result = import_paths(engine, handcalc.write(folder / "csv"))
        assert result.ok, result.errors
        yield engine
    finally:
        engine.dispose()
        if request.param != "sqlite":
            with admin.connect() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


def _figures(engine: Engine, as_of: dt.date, **kwargs) -> dict[str, metrics.ContractFigures]:
    with transaction(engine) as session:
        return {f.contract_number: f for f in portfolio.portfolio(session, as_of, **kwargs)}


def _shown(row: dict[str, object]) -> dict[str, str]:
    return {
        k: "" if v is None else (v.isoformat() if isinstance(v, dt.date) else str(v)) for k, v in row.items()
    }


def test_summary_matches_the_hand_computation(hand: Engine) -> None:
    figures = _figures(hand, AS_OF)
    assert [_shown(f.summary) for f in figures.values()] == handcalc.summary_rows()


def test_import_counts_and_the_work_order_without_contract(tmp_path, engine: Engine) -> None:
    result = import_paths(engine, handcalc.write(tmp_path / "csv"))
    assert result.ok and result.written
    assert result.counts == handcalc.ROWS
    assert ("work_orders.csv", 14, "contract_number", "work order not under a contract") in [
        (p.file, p.row, p.column, p.message) for p in result.findings
    ]


def test_lines_outside_the_term_are_reported_not_counted(hand: Engine) -> None:
    figures = _figures(hand, dt.date(2027, 12, 31))
    outside = {n: (f.inputs.outside_term_lines, f.inputs.outside_term_cost) for n, f in figures.items()}
    # K-001: 1 h x 50.00 on 2025-12-31, before the term; K-003: 1 x 40.00 on 2026-07-05, after it
    assert outside == {n: (0, D(0)) for n in figures} | {"K-001": (1, D(50)), "K-003": (1, D(40))}
    # neither is in the actuals, even with as_of after every end date
    assert figures["K-001"].actual_total == D("718.185")
    assert figures["K-003"].actual_total == D("362.00")


def test_work_order_without_contract_counts_nowhere(hand: Engine) -> None:
    figures = _figures(hand, dt.date(2027, 12, 31))
    # every in-term line of the file except WB-999 (2 h x 40.00 = 80.00):
    # K-001 718.185 + K-002 2355 + K-003 362 + K-004 600 + K-005 30 + K-006 480
    # + K-007 850 + K-009 1000 = 6395.185
    assert sum((f.actual_total for f in figures.values()), D(0)) == D("6395.185")


@pytest.mark.parametrize(
    ("number", "as_of", "actual_total", "planned", "visits", "forecast", "method"),
    [
        # K-001, unphased 3650 + 1825 = 15.00 a day over 365 days, planned_visits 4
        # mid-month, the line of 06-20 not yet: 373.50 + 124.685 = 498.185; 166 d x 15 = 2490
        ("K-001", dt.date(2026, 6, 15), "498.185", "2490", 2, "996.37", "visits"),
        ("K-001", dt.date(2026, 6, 19), "498.185", "2550", 2, "996.37", "visits"),
        # the day of the line counts: + 2 h x 60.00 + 1 x 100.00 = 718.185
        ("K-001", dt.date(2026, 6, 20), "718.185", "2565", 2, "1436.37", "visits"),
        # month end: 181 d x 15 = 2715; 718.185 + 2 visits x 359.0925 = 1436.37
        ("K-001", dt.date(2026, 6, 30), "718.185", "2715", 2, "1436.37", "visits"),
        # one visit done (02-10): 157.50 + 24.685 = 182.185; + 3 x 182.185 = 728.74
        ("K-001", dt.date(2026, 2, 28), "182.185", "885", 1, "728.74", "visits"),
        # K-002 phased: labour 1810 over 181 d (10/d) then 920 over 184 d (5/d), material 2/d
        # month end 05-31: 151 d: 1510 + 0 + 302 = 1812; only 20 h x 55 = 1100 so far
        # forecast 3460 x 1100/1812 = 2100.44
        ("K-002", dt.date(2026, 5, 31), "1100", "1812", 1, "2100.44", "burn"),
        # first of the month, the day of the 1255.00 material line: 152 d: 1520 + 304;
        # forecast 3460 x 2355/1824 = 4467.27
        ("K-002", dt.date(2026, 6, 1), "2355", "1824", 2, "4467.27", "burn"),
        # second half started: 1810 + 10 d x 5 + 191 d x 2 = 1810 + 50 + 382 = 2242;
        # forecast 3460 x 2355/2242 = 3634.39
        ("K-002", dt.date(2026, 7, 10), "2355", "2242", 2, "3634.39", "burn"),
        # K-007 front-loaded: 900 over 2026-01-01..03-31 fully planned at its last day
        ("K-007", dt.date(2026, 3, 31), "850", "900", 1, "944.44", "burn"),
        # K-004 (2026-03-01..2027-02-28, 365 d): 107 d x 500/365 = 146.5753424.. truncated at 1e-6
        ("K-004", dt.date(2026, 6, 15), "600", "146.575342", 0, "2046.73", "burn"),
    ],
)
def test_figures_at_as_of(
    hand: Engine,
    number: str,
    as_of: dt.date,
    actual_total: str,
    planned: str,
    visits: int,
    forecast: str,
    method: str,
) -> None:
    f = _figures(hand, as_of)[number]
    assert f.actual_total == D(actual_total)
    assert f.inputs.planned_to_date == D(planned)
    assert f.inputs.visits_done == visits
    assert (metrics.money(f.forecast.total), f.forecast.method) == (D(forecast), method)


def test_as_of_before_every_start(hand: Engine) -> None:
    figures = _figures(hand, dt.date(2024, 12, 31))
    assert {f.actual_total for f in figures.values()} == {D(0)}
    assert {f.elapsed for f in figures.values()} == {D(0)}
    # planned to date is 0 everywhere, so burn is undefined everywhere
    assert {f.burn_index for f in figures.values()} == {None}
    # not started: the forecast is the budget total; without a budget there is none
    assert {n: (f.forecast.total, f.forecast.method, f.status) for n, f in figures.items()} == {
        "K-001": (D("5475"), "not started", "on track"),
        "K-002": (D("3460"), "not started", "on track"),
        "K-003": (None, "none", "no budget"),
        "K-004": (D("500"), "not started", "on track"),
        "K-005": (D("0"), "not started", "on track"),
        "K-006": (D("1000"), "not started", "on track"),
        "K-007": (D("1000"), "not started", "on track"),
        "K-008": (D("2000"), "not started", "on track"),
        "K-009": (D("1200"), "not started", "on track"),
    }


def test_as_of_after_every_end(hand: Engine) -> None:
    figures = _figures(hand, dt.date(2027, 12, 31))
    assert {f.elapsed for f in figures.values()} == {D(1)}
    # term over: forecast = actual total; planned = budget total, so burn = consumed
    assert {n: (str(metrics.money(f.forecast.total)), f.forecast.method) for n, f in figures.items()} == {
        "K-001": ("718.19", "actual"),  # 493.50 + 224.685 = 718.185, half up
        "K-002": ("2355.00", "actual"),
        "K-003": ("362.00", "actual"),
        "K-004": ("600.00", "actual"),
        "K-005": ("30.00", "actual"),
        "K-006": ("480.00", "actual"),
        "K-007": ("850.00", "actual"),
        "K-008": ("0.00", "actual"),
        "K-009": ("1000.00", "actual"),
    }
    assert {n: f.status for n, f in figures.items()} == {
        "K-001": "on track",
        "K-002": "on track",
        "K-003": "no budget",
        "K-004": "over budget",
        "K-005": "over budget",
        "K-006": "on track",
        "K-007": "on track",  # consumed 0.85 but elapsed 1 is not < 0.80
        "K-008": "on track",
        "K-009": "on track",
    }
    for f in figures.values():
        assert f.burn_index == f.consumed


def test_budget_per_category_and_hours(hand: Engine) -> None:
    i = _figures(hand, AS_OF)["K-001"].inputs
    assert (i.budget_lines, i.budget_labour, i.budget_material, i.budget_other) == (2, D(3650), D(1825), 0)
    assert i.budget_hours == D(70)
    # 3 h (02-10) + 4.5 h (05-12); the hour before the term is not counted
    assert i.actual_hours == D("7.5")


@pytest.mark.parametrize(
    ("thresholds", "changed"),
    [
        # K-002 forecast 4090.51 is not above 3460 x 1.20 = 4152: watch instead of at risk
        (Thresholds(at_risk_margin=D("0.20")), {"K-002": "watch"}),
        # K-006 forecast 1055.42 is above 1000 x 1.05 = 1050: at risk instead of watch
        (Thresholds(at_risk_margin=D("0.05")), {"K-006": "at risk"}),
        # K-007 consumed 0.85 < 0.90: on track instead of watch
        (Thresholds(watch_level=D("0.90")), {"K-007": "on track"}),
        # K-007 elapsed 0.4548 is not < 0.40: on track
        (Thresholds(watch_elapsed=D("0.40")), {"K-007": "on track"}),
        (Thresholds(), {}),
    ],
)
def test_user_changed_thresholds(hand: Engine, thresholds: Thresholds, changed: dict[str, str]) -> None:
    default = {r["contract_number"]: r["status"] for r in handcalc.summary_rows()}
    figures = _figures(hand, AS_OF, thresholds=thresholds)
    assert {n: f.status for n, f in figures.items()} == default | changed


@pytest.mark.parametrize(
    ("within", "expected"),
    [
        # next deadline: K-003 end 06-30 (notice 0), K-002 notice 07-04, K-004 notice 09-01;
        # K-006 notice 08-03 is in the window but it was terminated
        (90, ["K-003", "K-002", "K-004"]),
        (78, ["K-003", "K-002", "K-004"]),  # 06-15 + 78 d = 09-01: the edge is included
        (77, ["K-003", "K-002"]),
        (15, ["K-003"]),  # 06-15 + 15 d = 06-30
        (14, []),
        # K-001 notice 2026-10-02 = 06-15 + 109 d
        (109, ["K-003", "K-002", "K-004", "K-001"]),
    ],
)
def test_renewals_soonest_deadline_first(hand: Engine, within: int, expected: list[str]) -> None:
    with transaction(hand) as session:
        chosen = portfolio.renewals(session, AS_OF, within_days=within)
    assert [f.contract_number for f in chosen] == expected


def test_renewals_default_window_is_the_thresholds(hand: Engine) -> None:
    with transaction(hand) as session:
        default = portfolio.renewals(session, AS_OF)
        narrow = portfolio.renewals(session, AS_OF, Thresholds(renewal_window_days=15))
    assert [f.contract_number for f in default] == ["K-003", "K-002", "K-004"]
    assert [f.contract_number for f in narrow] == ["K-003"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(statuses=("watch",)), ["K-006", "K-007"]),
        (Filters(customers=("Hotel Epsilon", "Iota Bouw")), ["K-005", "K-009"]),
        (Filters(types=("yearly_orders",)), ["K-004"]),
        (Filters(account_managers=("Bram",), statuses=("on track",)), ["K-008"]),
        (Filters(contract_numbers=("K-002",)), ["K-002"]),
        (Filters(renewal_within_days=15), ["K-003"]),
    ],
)
def test_filters(hand: Engine, filters: Filters, expected: list[str]) -> None:
    assert list(_figures(hand, AS_OF, filters=filters)) == expected


EDGE_CSV = {
    "contracts.csv": "contract_number,customer,start_date,end_date\n"
    "L-1,Leap B.V.,2028-01-01,2028-12-31\n"  # 366 days
    "O-1,One Day B.V.,2026-05-04,2026-05-04\n",  # a term of one day
    "budgets.csv": "contract_number,category,amount\nL-1,labour,366.00\nO-1,labour,80.00\n",
    "work_orders.csv": "work_order_number,contract_number,date,type\n"
    "WB-L1,L-1,2028-02-29,periodic\nWB-O1,O-1,2026-05-04,corrective\n",
    "hours.csv": "work_order_number,date,hours,cost_rate\nWB-L1,2028-02-29,1,10.00\nWB-O1,2026-05-04,1,95.00\n",
}


@pytest.mark.parametrize(
    ("number", "as_of", "planned", "actual", "elapsed", "forecast", "method", "status"),
    [
        # L-1: 366.00 over 366 days = 1.00 a day; the leap day is a day like any other
        ("L-1", dt.date(2028, 2, 28), "59", "0", "0.1612", "0.00", "burn", "on track"),  # 59/366
        # 60/366 = 0.1639; burn 10/60; forecast 366 x 10/60 = 61.00
        ("L-1", dt.date(2028, 2, 29), "60", "10", "0.1639", "61.00", "burn", "on track"),
        ("L-1", dt.date(2028, 3, 1), "61", "10", "0.1667", "60.00", "burn", "on track"),  # 366 x 10/61
        # O-1: nothing the day before, everything on the day and after
        ("O-1", dt.date(2026, 5, 3), "0", "0", "0.0000", "80.00", "not started", "on track"),
        ("O-1", dt.date(2026, 5, 4), "80", "95", "1.0000", "95.00", "actual", "over budget"),
        ("O-1", dt.date(2026, 5, 5), "80", "95", "1.0000", "95.00", "actual", "over budget"),
    ],
)
def test_leap_day_and_one_day_term_in_sql(
    engine: Engine,
    tmp_path,
    number: str,
    as_of: dt.date,
    planned: str,
    actual: str,
    elapsed: str,
    forecast: str,
    method: str,
    status: str,
) -> None:
    for name, content in EDGE_CSV.items():
        (tmp_path / name).write_text(content)
    assert import_paths(engine, [tmp_path / name for name in EDGE_CSV]).ok
    f = _figures(engine, as_of)[number]
    assert f.inputs.planned_to_date == D(planned)
    assert f.actual_total == D(actual)
    assert metrics.fraction(f.elapsed) == D(elapsed)
    assert (metrics.money(f.forecast.total), f.forecast.method, f.status) == (D(forecast), method, status)


# -- the SQL sums against a straightforward Python sum over the same rows ----------------

DEMO_TODAY = dt.date(2026, 11, 27)
CROSS_CHECK_DATES = (  # the demo's lines run from 2021-08 to 2026-11
    dt.date(2022, 6, 15),
    dt.date(2023, 5, 31),
    dt.date(2024, 2, 29),
    dt.date(2024, 12, 31),
    dt.date(2025, 6, 15),
    dt.date(2025, 12, 31),
    dt.date(2026, 2, 28),
    dt.date(2026, 3, 1),
    dt.date(2026, 8, 17),
    dt.date(2026, 11, 27),
    dt.date(2026, 11, 30),
    dt.date(2027, 6, 30),
)


def _billed(kind: str | None, billable: bool | None) -> bool:
    """Scope (docs/metrics.md): billed on top when billable says so, else when the type is extra."""
    return billable if billable is not None else kind == "extra"


def _line_revenue(quantity: Decimal, price: Decimal | None) -> Decimal:
    """quantity x sales price rounded half to even to millionths (0 without a price)."""
    return D(0) if price is None else (quantity * price).quantize(D("0.000001"), ROUND_HALF_EVEN)


def _python_actuals(rows: dict, as_of: dt.date) -> dict[str, tuple]:
    """Per contract, of the lines dated start..min(as_of, end): covered labour, material, hours
    and periodic visits, then the cost and revenue of the work billed on top."""
    contracts, work_orders, hours, materials = rows["c"], rows["wo"], rows["h"], rows["m"]
    sums = {number: [D(0), D(0), D(0), 0, D(0), D(0)] for number, _, _ in contracts.values()}

    def window(contract_id: int | None, day: dt.date) -> str | None:
        if contract_id is None:
            return None
        number, start, end = contracts[contract_id]
        return number if start <= day <= min(as_of, end) else None

    for kind, lines in ((0, hours), (1, materials)):
        for work_order_id, day, quantity, rate, price in lines:
            contract_id, _, type_, billable = work_orders[work_order_id]
            number = window(contract_id, day)
            if not number:
                continue
            if _billed(type_, billable):
                sums[number][4] += quantity * rate
                sums[number][5] += _line_revenue(quantity, price)
            else:
                sums[number][kind] += quantity * rate
                if kind == 0:
                    sums[number][2] += quantity
    for contract_id, day, kind, billable in work_orders.values():
        number = window(contract_id, day)
        if number and kind == "periodic" and not _billed(kind, billable):
            sums[number][3] += 1
    return {n: tuple(v) for n, v in sums.items()}


def _python_planned(rows: dict, as_of: dt.date) -> dict[str, Decimal]:
    """Per contract with budget lines: sum of amount x (period days up to as_of) / period days."""
    planned: dict[str, Decimal] = {}
    for contract_id, amount, period_start, period_end in rows["b"]:
        number, start, end = rows["c"][contract_id]
        first, last = period_start or start, period_end or end
        days = (last - first).days + 1
        done = min(max((as_of - first).days + 1, 0), days)
        planned[number] = planned.get(number, D(0)) + amount * done / days
    return planned


def _read_rows(engine: Engine) -> dict:
    with engine.connect() as conn:
        return {
            "c": {i: (n, s, e) for i, n, s, e in conn.execute(
                select(Contract.id, Contract.contract_number, Contract.start_date, Contract.end_date))},
            "wo": {i: (c, d, t, b) for i, c, d, t, b in conn.execute(
                select(WorkOrder.id, WorkOrder.contract_id, WorkOrder.date, WorkOrder.type, WorkOrder.billable))},
            "h": conn.execute(select(HourLine.work_order_id, HourLine.date, HourLine.hours, HourLine.cost_rate,
                                     HourLine.sales_rate)).all(),
            "m": conn.execute(select(MaterialLine.work_order_id, MaterialLine.date,
                                     MaterialLine.quantity, MaterialLine.unit_cost, MaterialLine.unit_price)).all(),
            "b": conn.execute(select(BudgetLine.contract_id, BudgetLine.amount,
                                     BudgetLine.period_start, BudgetLine.period_end)).all(),
        }  # fmt: skip


def test_sql_sums_equal_python_sums_over_the_demo(demo_engine) -> None:
    engine = demo_engine(today=DEMO_TODAY)  # read only
    rows = _read_rows(engine)
    # the check has something to check: many lines, phased budgets
    assert len(rows["h"]) > 1000 and len(rows["m"]) > 500
    assert any(period_start is not None for _, _, period_start, _ in rows["b"])
    with transaction(engine) as session:
        # the dates take both roads to the actuals: summing months before as_of, and
        # subtracting the months after it from contract_totals
        assert {as_of_reads.totals_minus_after(session, as_of) for as_of in CROSS_CHECK_DATES} == {
            True,
            False,
        }
    for as_of in CROSS_CHECK_DATES:
        with transaction(engine) as session:
            inputs = frame.load(session, as_of).inputs()
        sql = {i.contract_number: (i.actual_labour, i.actual_material, i.actual_hours, i.visits_done,
                                   i.extra_cost, i.extra_revenue) for i in inputs}  # fmt: skip
        assert sql == _python_actuals(rows, as_of), as_of
        planned = {i.contract_number: (i.planned_to_date, i.budget_lines) for i in inputs}
        for number, exact in _python_planned(rows, as_of).items():
            sql_planned, lines = planned[number]
            # SQL truncates each line's share to whole millionths of a euro
            assert 0 <= exact - sql_planned < lines * D("0.000001"), (number, as_of)

    # contract_months, the aggregate the SQL reads, equals a fresh aggregation of the lines:
    # covered labour, material, hours, lines and visits; billed cost, revenue, lines, unpriced lines;
    # covered corrective work orders (calls)
    contracts, work_orders = rows["c"], rows["wo"]
    fresh: dict[tuple, list] = defaultdict(lambda: [D(0), D(0), D(0), 0, 0, D(0), D(0), 0, 0, 0])

    def key(work_order_id: int, day: dt.date) -> tuple | None:
        contract_id = work_orders[work_order_id][0]
        if contract_id is None:
            return None
        _, start, end = contracts[contract_id]
        return contract_id, day.replace(day=1), start <= day <= end

    for kind, lines in ((0, rows["h"]), (1, rows["m"])):
        for work_order_id, day, quantity, rate, price in lines:
            if k := key(work_order_id, day):
                _, _, type_, billable = work_orders[work_order_id]
                if _billed(type_, billable):
                    fresh[k][5] += quantity * rate
                    fresh[k][6] += _line_revenue(quantity, price)
                    fresh[k][7] += 1
                    fresh[k][8] += price is None
                else:
                    fresh[k][kind] += quantity * rate
                    fresh[k][2] += quantity if kind == 0 else 0
                    fresh[k][3] += 1
    for work_order_id, (_, day, kind, billable) in work_orders.items():
        if (
            kind in ("periodic", "corrective")
            and not _billed(kind, billable)
            and (k := key(work_order_id, day))
        ):
            fresh[k][4 if kind == "periodic" else 9] += 1
    with engine.connect() as conn:
        stored = {(c, m, bool(t)): list(v) for c, m, t, *v in conn.execute(select(ContractMonth.__table__))}
    assert stored == dict(fresh)
    assert any(v[5] for v in fresh.values()) and any(v[8] == 0 and v[7] for v in fresh.values())
    assert any(v[9] for v in fresh.values())  # corrective work orders counted

    # contract_totals: per contract, the in-term months summed, and the lines outside the term
    totals: dict[int, list] = defaultdict(lambda: [D(0), D(0), D(0), 0, 0, D(0), D(0), D(0), 0, 0, 0])
    for (contract_id, _, in_term), (labour, material, hours, lines, visits, *extra, calls) in fresh.items():
        t = totals[contract_id]
        if in_term:
            t[0], t[1], t[2], t[3] = t[0] + labour, t[1] + material, t[2] + hours, t[3] + visits
            t[6:10] = [a + b for a, b in zip(t[6:10], extra, strict=True)]
            t[10] += calls
        else:
            t[4], t[5] = t[4] + lines + extra[2], t[5] + labour + material + extra[0]
    with engine.connect() as conn:
        stored_totals = {c: list(v) for c, *v in conn.execute(select(ContractTotal.__table__))}
    assert {c: v for c, v in stored_totals.items() if any(v)} == dict(totals)
