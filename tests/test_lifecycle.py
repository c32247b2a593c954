"""Your own data, on SQLite and PostgreSQL: the demo's marks, replacing, adding to and removing the
demo (each one transaction), archiving, restoring and deleting a contract; the CLI for each."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from budgetcore import cli
from budgetcore.exchange import demo, importing
from budgetcore.figures import contract_detail, frame, portfolio
from budgetcore.store import access, aggregates, database, import_log, lifecycle
from budgetcore.store.database import transaction
from budgetcore.store.models import AuditEntry, Contract, ContractMonth, Customer, HourLine, WorkOrder

TODAY = dt.date(2026, 11, 27)
ME = access.operator("cli")


def real_files(folder: Path, contracts: int = 4, seed: int = 77) -> Path:
    """Another company's export: generated like the demo, with numbers the demo never uses."""
    folder = folder / "export"
    demo.write_csv(folder, contracts=contracts, seed=seed, today=TODAY)
    for file in folder.iterdir():
        file.write_text(file.read_text().replace("CT-", "RC-").replace("WB", "RW"))
    return folder


def summary(engine: Engine) -> list[dict[str, object]]:
    with transaction(engine) as session:
        return [f.summary for f in portfolio.portfolio(session, TODAY)]


def numbers(engine: Engine, where=None) -> set[str]:
    with transaction(engine) as session:
        stmt = select(Contract.contract_number)
        return set(session.scalars(stmt if where is None else stmt.where(where)))


@pytest.fixture
def demo_loaded(engine: Engine, db_url: str, _shared_databases) -> Engine:
    """engine (db_url's database) holding demo.load(contracts=20, today=TODAY) from empty, for
    tests that write: on SQLite a copy of a file loaded once per run, on PostgreSQL loaded here."""

    def fill(into: Engine) -> None:
        assert demo.load(into, contracts=20, today=TODAY).ok

    if engine.dialect.name == "sqlite":
        engine.dispose()
        shared = _shared_databases("sqlite", "test_lifecycle: demo of 20 contracts", fill)
        shutil.copyfile(shared.split("///", 1)[1], db_url.split("///", 1)[1])
    else:
        fill(engine)
    return engine


def test_the_demo_marks_exactly_its_own_rows(engine: Engine, tmp_path: Path) -> None:
    assert importing.import_paths(engine, [real_files(tmp_path)]).ok  # real data first
    assert demo.load(engine, contracts=20, today=TODAY).ok
    with transaction(engine) as session:
        assert database.is_demo(session)
        loose = session.scalars(select(WorkOrder.work_order_number).where(WorkOrder.demo.is_(True))).all()
    assert numbers(engine, Contract.demo.is_(True)) == {n for n in numbers(engine) if n.startswith("CT-")}
    assert len(numbers(engine, Contract.demo.is_(True))) == 20
    assert loose == ["WB-LOS-0001"]  # the demo's one work order under no contract


def test_an_import_replaces_the_demo_and_leaves_only_its_own_figures(
    demo_loaded: Engine, tmp_path: Path, new_sqlite
) -> None:
    engine = demo_loaded  # the demo's 20 contracts on TODAY, loaded into an empty database
    files = real_files(tmp_path)
    result = importing.import_paths(engine, [files], actor=ME, replace_demo=True)
    assert result.ok and result.written
    fresh = new_sqlite(tmp_path / "fresh.db")
    assert importing.import_paths(fresh, [files]).ok
    assert summary(engine) == summary(fresh)  # as if the demo had never been there
    with transaction(engine) as session:
        assert not database.is_demo(session)
        assert session.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.demo)) == 0
        customers = set(session.scalars(select(Customer.name)))
        actions = [e.action for e in access.trail(session)]
        head = frame.headline(frame.load(session, TODAY))
    with transaction(fresh) as session:
        assert customers == set(session.scalars(select(Customer.name)))  # no demo customer is left
        assert head == frame.headline(frame.load(session, TODAY))
    assert actions == ["import", "demo-remove", "demo-load"]


def test_a_failing_replacement_leaves_the_demo_as_it_was(demo_loaded: Engine, tmp_path: Path) -> None:
    engine = demo_loaded  # the demo's 20 contracts on TODAY, loaded into an empty database
    before = summary(engine)
    files = real_files(tmp_path)
    budgets = files / "budgets.csv"
    budgets.write_text(budgets.read_text() + "RC-9999-00001,labour,100,,,\n")  # an unknown contract
    result = importing.import_paths(engine, [files], actor=ME, replace_demo=True)
    assert not result.ok and not result.written
    assert summary(engine) == before
    with transaction(engine) as session:
        assert [e.action for e in access.trail(session)] == ["demo-load"]


def test_adding_to_the_demo_then_removing_it_keeps_the_real_contracts(
    demo_loaded: Engine, tmp_path: Path
) -> None:
    engine = demo_loaded  # the demo's 20 contracts on TODAY, loaded into an empty database
    files = real_files(tmp_path)
    demo_number = sorted(numbers(engine))[0]
    contracts = files / "contracts.csv"
    lines = contracts.read_text().splitlines()
    taken = lines[1].replace(lines[1].split(",")[0], demo_number, 1)  # a real contract with a demo number
    contracts.write_text("\n".join([*lines, taken]) + "\n")
    assert importing.import_paths(engine, [files], actor=ME).ok  # added: the demo stays
    assert len(numbers(engine)) == 20 + 4  # the fifth real one took over a demo contract
    assert demo_number not in numbers(engine, Contract.demo.is_(True))  # now real data
    out = io.StringIO()
    assert cli.main(["demo", "--remove", "--db", str(engine.url.render_as_string(False))], out=out) == 0
    assert ", 19 contracts, " in out.getvalue()
    assert numbers(engine) == {n for n in numbers(engine) if n.startswith("RC-")} | {demo_number}
    with transaction(engine) as session:
        assert not database.is_demo(session)
        assert [e.source for e in import_log.recent(session)] == ["cli"]  # the demo's entry went with it
        kept = portfolio.portfolio(session, TODAY)
        aggregates.rebuild(session)  # what the maintained aggregates would be if built afresh
        assert [f.summary for f in kept] == [f.summary for f in portfolio.portfolio(session, TODAY)]


def test_archive_restore_and_delete(demo_loaded: Engine) -> None:
    engine = demo_loaded  # the demo's 20 contracts on TODAY, loaded into an empty database
    before = summary(engine)
    with transaction(engine) as session:
        chosen = max(portfolio.portfolio(session, TODAY), key=lambda f: f.actual_total).inputs.contract_number
        soon = [f.contract_number for f in portfolio.renewals(session, TODAY, within_days=3650)]
    assert chosen in soon
    with transaction(engine) as session:
        assert lifecycle.archive(session, ME, chosen, on=TODAY)
        assert not lifecycle.archive(session, ME, chosen)  # archived already
    with transaction(engine) as session:
        assert chosen not in {f.contract_number for f in portfolio.portfolio(session, TODAY)}
        assert chosen not in {f.contract_number for f in portfolio.renewals(session, TODAY, within_days=3650)}
        shown = frame.load(session, TODAY)
        assert chosen not in set(shown["contract_number"]) and len(shown) == len(before) - 1
        assert frame.headline(shown).contracts == len(before) - 1
        assert contract_detail.detail(session, chosen, TODAY) is not None  # its history stays
        assert lifecycle.archived_on(session, chosen) == TODAY
    with transaction(engine) as session:
        assert lifecycle.restore(session, ME, chosen)
    assert summary(engine) == before
    with transaction(engine) as session:
        (cid,) = session.scalars(select(Contract.id).where(Contract.contract_number == chosen))
        orders = session.scalar(
            select(func.count()).select_from(WorkOrder).where(WorkOrder.contract_id == cid)
        )
        counts = lifecycle.delete_contract(session, ME, chosen)
    assert counts["contracts"] == 1 and counts["work_orders"] == orders > 0 and counts["hour_lines"] > 0
    with transaction(engine) as session:
        assert (
            session.scalar(
                select(func.count()).select_from(ContractMonth).where(ContractMonth.contract_id == cid)
            )
            == 0
        )
        left = session.scalar(
            select(func.count()).select_from(HourLine).join(WorkOrder).where(WorkOrder.contract_id == cid)
        )
        assert left == 0
        shown = frame.load(session, TODAY)
        actions = [(e.action, e.subject) for e in access.trail(session)]
    assert [r for r in before if r["contract_number"] != chosen] == summary(engine)
    assert len(shown) == len(before) - 1
    assert actions[:3] == [("delete", chosen), ("restore", chosen), ("archive", chosen)]
    with transaction(engine) as session, pytest.raises(lifecycle.UnknownContractError):
        lifecycle.archive(session, ME, chosen)


def test_contract_and_users_on_the_command_line(engine: Engine, db_url: str) -> None:
    def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main([*args, "--db", db_url], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    assert demo.load(engine, contracts=5, today=TODAY).ok  # engine: on db_url, its schema laid
    number = sorted(numbers(engine))[0]
    assert run("contract", "archive", number)[:2] == (0, f"{number} archived\n")
    assert run("contract", "restore", number)[:2] == (0, f"{number} restored\n")
    assert run("contract", "delete", number)[0] == 2  # no --yes, no terminal to ask: nothing deleted
    assert number in numbers(engine)
    code, out, _ = run("contract", "delete", number, "--yes")
    assert code == 0 and out.startswith(f"deleted {number}: ") and number not in numbers(engine)
    assert run("contract", "archive", "NOPE")[::2] == (1, "error: no contract 'NOPE'\n")
    assert (
        run("users", "add", "Ann@Example.com", "--role", "editor")[1]
        == "ann@example.com: no role -> editor\n"
    )
    assert run("users", "add", "bob@example.com", "--role", "admin")[0] == 0
    assert run("users", "list")[1] == "ann@example.com  editor\nbob@example.com  admin\n"
    assert run("users", "remove", "ann@example.com")[1] == "removed ann@example.com\n"
    assert run("users", "remove", "ann@example.com")[0] == 1
    assert run("users", "add", "not-an-email", "--role", "viewer")[0] == 1
    code, out, _ = run("audit", "--action", "role")
    rows = out.splitlines()
    assert code == 0 and rows[0] == "at,actor,source,action,subject,details" and len(rows) == 4
    assert all(f",{access.os_user()},cli,role," in r for r in rows[1:])
    with transaction(engine) as session:
        assert (
            session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.source == "cli"))
            == 7
        )
