"""store/loading.py, the statements the importer runs, on both engines: upserts (what an update
sets and what it keeps), work orders' ids and the contracts they leave, line replacement, the
look-ups validation makes, and the indexes and keys deferred on empty tables. exchange/writer.py
and validation.py call these and hold no SQL of their own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, inspect, select

from budgetcore.store import loading, portfolio_reads
from budgetcore.store.database import transaction
from budgetcore.store.models import Customer, HourLine, WorkOrder

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_COLUMNS = [
    "contract_number",
    "customer_id",
    "start_date",
    "end_date",
    "notice_period_days",
    "auto_renew",
]
WORK_ORDER_COLUMNS = ["work_order_number", "contract_id", "date"]
LINE_COLUMNS = ["work_order_id", "date", "hours", "cost_rate", "cost"]


def _contracts(session, *numbers: str) -> dict[str, int]:
    """Contracts numbers of one customer, 2026, by id."""
    loading.upsert(session, "customers", ["name"], [("Gemeente",)], ["name"])
    customer = loading.ids(session, "customers", "name", ["Gemeente"])["Gemeente"]
    rows = [(n, customer, "2026-01-01", "2026-12-31", 0, False) for n in numbers]
    loading.upsert(session, "contracts", CONTRACT_COLUMNS, rows, ["contract_number"], CONTRACT_COLUMNS[1:])
    return loading.ids(session, "contracts", "contract_number", numbers)


def _work_orders(session, contract_of: dict[str, int | None], note_leaving: bool = True):
    numbers = list(contract_of)
    values = [(n, c, "2026-03-01") for n, c in contract_of.items()]
    return loading.upsert_work_orders(session, numbers, WORK_ORDER_COLUMNS, values, note_leaving)


def test_an_upsert_sets_its_update_columns_keeps_its_keep_columns_when_empty_and_else_leaves_the_row(
    engine: Engine,
) -> None:
    columns, key = ["name", "customer_number", "city"], ["name"]
    stored = select(Customer.customer_number, Customer.city).where(Customer.name == "A")
    with transaction(engine) as s:
        loading.upsert(s, "customers", columns, [("A", "N1", "Utrecht")], key)
        loading.upsert(s, "customers", columns, [("A", None, "Delft")], key, keep=["customer_number", "city"])
        assert s.execute(stored).one() == ("N1", "Delft")
        loading.upsert(s, "customers", columns, [("A", "N2", None)], key, update=["city"])
        assert s.execute(stored).one() == ("N1", None)
        loading.upsert(s, "customers", columns, [("A", "N3", "Ede"), ("B", "N4", None)], key)
        assert s.execute(stored).one() == ("N1", None)
        assert loading.ids(s, "customers", "name", ["A", "B", "C"]).keys() == {"A", "B"}


def test_work_orders_upserted_give_their_ids_and_the_contracts_they_leave(engine: Engine) -> None:
    with transaction(engine) as s:
        contract = _contracts(s, "K-1", "K-2")
        assert portfolio_reads.contract_count(s) == 2
        assert loading.is_empty(s, WorkOrder)
        leaving, ids = _work_orders(s, {"W-1": contract["K-1"], "W-2": contract["K-1"], "W-3": None})
        assert leaving == []
        assert not loading.is_empty(s, WorkOrder)
        assert ids == loading.ids(s, "work_orders", "work_order_number", ["W-1", "W-2", "W-3"])
        # W-2 moves to K-2, W-3 gets one, W-4 is new: K-1 is left, and the ids of old and new come back
        leaving, ids = _work_orders(
            s, {"W-2": contract["K-2"], "W-3": contract["K-2"], "W-4": contract["K-1"]}
        )
        assert leaving == [contract["K-1"]]
        assert ids == loading.ids(s, "work_orders", "work_order_number", ["W-2", "W-3", "W-4"])
        assert sorted(loading.contracts_of_work_orders(s, ["W-1", "W-2", "W-3", "W-9"])) == sorted(
            [contract["K-1"], contract["K-2"], contract["K-2"]]
        )
        leaving, _ = _work_orders(s, {"W-1": contract["K-2"]}, note_leaving=False)
        assert leaving == []
        assert list(loading.contracts_of_work_orders(s, ["W-1"])) == [contract["K-2"]]


def test_lines_are_replaced_per_work_order_only_up_to_the_line_id_before_the_import(engine: Engine) -> None:
    def line(work_order: int, hours: int) -> tuple:
        return (work_order, "2026-03-02", hours * 1_000_000, 50_000_000, hours * 50_000_000)

    with transaction(engine) as s:
        contract = _contracts(s, "K-1")["K-1"]
        _, ids = _work_orders(s, {"W-1": contract, "W-2": contract})
        w1, w2 = ids["W-1"], ids["W-2"]
        assert loading.highest_id(s, HourLine) == 0
        loading.replace_lines(s, HourLine, LINE_COLUMNS, [line(w1, 1), line(w2, 2)], [], 0)
        before = loading.highest_id(s, HourLine)
        assert before == 2
        # an import's two batches with lines of W-1: the first's are kept, W-1's old line goes, W-2's stays
        loading.replace_lines(s, HourLine, LINE_COLUMNS, [line(w1, 3)], [w1], before)
        loading.replace_lines(s, HourLine, LINE_COLUMNS, [line(w1, 4)], [w1], before)
        hours = s.execute(select(HourLine.work_order_id, HourLine.hours).order_by(HourLine.id)).all()
        assert [(w, int(h)) for w, h in hours] == [(w2, 2), (w1, 3), (w1, 4)]


def test_validation_looks_up_the_terms_of_contracts_and_the_contracts_of_work_orders(engine: Engine) -> None:
    with transaction(engine) as s:
        contract = _contracts(s, "K-1")
        _work_orders(s, {"W-1": contract["K-1"], "W-2": None})
        term = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        assert dict(loading.contract_terms(s, ["K-1", "K-9"])) == {"K-1": term}
        found = {n: rest for n, *rest in loading.work_order_contracts(s, ["W-1", "W-2", "W-9"])}
        assert found == {"W-1": ["K-1", *term], "W-2": [None, None, None]}


def _checks(connection, table: str) -> tuple[set, set]:
    found = inspect(connection)
    return {i["name"] for i in found.get_indexes(table)}, {k["name"] for k in found.get_foreign_keys(table)}


def test_the_indexes_and_keys_of_an_empty_table_are_dropped_and_built_again_in_the_transaction(
    engine: Engine,
) -> None:
    with transaction(engine) as s:
        indexes, keys = _checks(s.connection(), "hour_lines")
        assert indexes and keys  # the table has some to drop
        deferred = loading.Deferred()
        deferred.drop(s, HourLine)
        left_indexes, left_keys = _checks(s.connection(), "hour_lines")
        assert not left_indexes
        assert left_keys == (set() if engine.dialect.name == "postgresql" else keys)  # SQLite keeps its keys
        deferred.restore(s)
        assert _checks(s.connection(), "hour_lines") == (indexes, keys)
