"""The one write path (store/writes.write), on both engines: every kind of write from several
processes at once, each under the lock, each counted in the data version, each audited under its
actor; aggregates changed by SQL arithmetic (two overlapping deletions leave portfolio_months as a
rebuild makes it); the role read from the database at the moment of the write."""

from __future__ import annotations

from pathlib import Path

import handcalc
import pytest
from forked import ready, start_together
from sqlalchemy import Engine, func, select

from budgetcore.exchange import demo
from budgetcore.exchange.importing import import_paths
from budgetcore.store import access, aggregates, lifecycle, writes
from budgetcore.store.database import data_version, transaction
from budgetcore.store.models import AuditEntry, Contract, PortfolioMonth

ROOT = Path(__file__).resolve().parent.parent

# one process per kind of write, all starting at once (forked.together); an editor acts for
# the page-like writes (a signed-in user), the operator for the rest
SCRIPT = """
import sys
from forked import together
from budgetcore.exchange import demo
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import settings
from budgetcore.review import alert_mail, alerts
from budgetcore.store import access, decisions, lifecycle, writes
from budgetcore.store.database import make_engine, reading
url, kind, folder = sys.argv[1], sys.argv[2], sys.argv[3]
engine = make_engine(url)
editor, op = access.Actor("editor@example.com", "page:test"), access.operator("cli")
admin = access.Actor("admin@example.com", "page:test")
together()
if kind == "import":
    assert import_paths(engine, [folder], source="test", actor=op).ok
elif kind == "settings":
    with reading(engine) as s:
        chosen = settings.load(s)
    writes.write(engine, admin, "settings", lambda s: settings.save(s, chosen, admin))
elif kind == "demo-remove":
    demo.remove(engine, op)
elif kind == "demo-load":
    assert demo.load(engine, op, contracts=3, seed=5, today=alerts.dt.date(2026, 6, 15)).ok
elif kind == "archive":
    writes.write(engine, editor, "archive", lambda s: lifecycle.archive(s, editor, "K-001"))
elif kind == "restore":
    writes.write(engine, editor, "archive", lambda s: lifecycle.restore(s, editor, "K-002"))
elif kind in ("delete-4", "delete-5"):
    number = "K-00" + kind[-1]
    writes.write(engine, admin, "delete", lambda s: lifecycle.delete_contract(s, admin, number))
elif kind == "decide":
    writes.write(engine, editor, "decide", lambda s: decisions.record_decision(
        s, "K-007", "renew", decided_by="editor", actor=editor))
elif kind == "role":
    writes.write(engine, admin, "users", lambda s: access.set_role(s, admin, "new@example.com", "viewer"))
elif kind == "alert-log":
    with reading(engine) as s:  # one snapshot: the other processes commit while it reads
        run = alerts.prepare_run(s, alerts.dt.date(2026, 6, 15))
    alert_mail.finish_run(engine, run, [])
print("ok")
"""
KINDS = (
    "import", "settings", "demo-remove", "demo-load", "archive", "restore", "delete-4", "delete-5", "decide", "role",
    "alert-log",
)  # fmt: skip
AUDITED = {  # kind -> (audit action, actor); the alert log is the operator's bookkeeping, not audited
    "import": ("import", None), "settings": ("settings", "admin@example.com"),
    "demo-remove": ("demo-remove", None), "demo-load": ("demo-load", None), "archive": ("archive", "editor@example.com"),
    "restore": ("restore", "editor@example.com"), "delete-4": ("delete", "admin@example.com"),
    "delete-5": ("delete", "admin@example.com"), "decide": ("decide", "editor@example.com"),
    "role": ("role", "admin@example.com"),
}  # fmt: skip


def portfolio_months(engine: Engine) -> list[tuple]:
    with transaction(engine) as session:
        return [
            (m.month, m.labour, m.material, m.lines)
            for m in session.scalars(select(PortfolioMonth).order_by(PortfolioMonth.month))
        ]


def rebuilt_months(engine: Engine) -> list[tuple]:
    """portfolio_months as a rebuild from contract_months makes it (rolled back after)."""
    with transaction(engine) as session:
        aggregates.rebuild_portfolio_months(session)
        found = [
            (m.month, m.labour, m.material, m.lines)
            for m in session.scalars(select(PortfolioMonth).order_by(PortfolioMonth.month))
        ]
        session.rollback()
    return found


@pytest.fixture
def handcalc_db(engine: Engine, tmp_path: Path) -> Engine:
    """The hand-built portfolio, K-002 archived, the demo (10 contracts) beside it, an editor and an admin."""
    assert import_paths(engine, handcalc.write(tmp_path / "csv")).ok
    assert demo.load(engine, contracts=10, today=handcalc.AS_OF).ok
    op = access.operator()
    with transaction(engine) as session:
        lifecycle.archive(session, op, "K-002")
        access.set_role(session, op, "editor@example.com", "editor")
        access.set_role(session, op, "admin@example.com", "admin")
    return engine


def test_every_kind_of_write_from_several_processes_at_once(
    handcalc_db: Engine, db_url: str, tmp_path: Path
) -> None:
    engine = handcalc_db
    other = tmp_path / "other"
    other.mkdir()
    (other / "contracts.csv").write_text(
        "contract_number,customer,start_date,end_date\nX-1,Klant X,2026-01-01,2026-12-31\n"
    )
    (other / "work_orders.csv").write_text("work_order_number,contract_number,date\nWX-1,X-1,2026-03-10\n")
    (other / "hours.csv").write_text("work_order_number,date,hours,cost_rate\nWX-1,2026-03-10,2,60\n")
    with transaction(engine) as session:
        before = data_version(session)
        audited = session.scalar(select(func.max(AuditEntry.id)))
    ready()  # tests/forked.py: the modules imported once, each process forked from there
    procs = start_together(
        SCRIPT, {kind: ([db_url, kind, str(other)], tmp_path / f"{kind}.out") for kind in KINDS}
    )
    done = {kind: p.wait(timeout=300) for kind, p in procs.items()}
    failed = {kind: output[-3000:] for kind, (code, output) in done.items() if code != 0}
    assert not failed, failed  # each failed process's own last words, whole
    assert set(done) == set(KINDS)
    assert all(out.strip() == "ok" for _, out in done.values()), done
    with transaction(engine) as session:
        assert data_version(session) == before + len(KINDS)  # each write counted, none lost
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.id > audited)))
        numbers = set(session.scalars(select(Contract.contract_number)))
        assert lifecycle.archived_on(session, "K-001") is not None
        assert lifecycle.archived_on(session, "K-002") is None
    assert {"X-1", "K-001", "K-002"} <= numbers and not {"K-004", "K-005"} & numbers
    found = {(e.action, e.actor) for e in entries}
    for kind, (action, actor) in AUDITED.items():
        assert (action, actor or access.os_user()) in found, kind
    assert portfolio_months(engine) == rebuilt_months(engine)


def test_overlapping_deletions_change_portfolio_months_by_sql_arithmetic(
    handcalc_db: Engine, db_url: str, tmp_path: Path
) -> None:
    engine = handcalc_db
    ready()
    procs = start_together(SCRIPT, {kind: ([db_url, kind, str(tmp_path)], tmp_path / f"{kind}.out")
                                     for kind in ("delete-4", "delete-5")})  # fmt: skip
    done = [p.wait(timeout=120) for p in procs.values()]
    assert [code for code, _ in done] == [0, 0], done
    assert portfolio_months(engine) == rebuilt_months(engine)


def test_two_writes_one_after_the_other_make_two_versions(handcalc_db: Engine) -> None:
    """Each write bumps the version in the database (UPDATE ... + 1), not from what its session read."""
    engine = handcalc_db
    op = access.operator()
    with transaction(engine) as session:
        before = data_version(session)
    writes.write(engine, op, "archive", lambda s: lifecycle.archive(s, op, "K-003"))
    writes.write(engine, op, "archive", lambda s: lifecycle.archive(s, op, "K-007"))
    with transaction(engine) as session:
        assert data_version(session) == before + 2


def test_the_role_is_the_one_stored_at_the_moment_of_the_write(handcalc_db: Engine) -> None:
    engine = handcalc_db
    editor = access.Actor("editor@example.com", "page:test")
    op = access.operator()
    writes.write(engine, op, "users", lambda s: access.remove_user(s, op, "editor@example.com"))
    with pytest.raises(access.RefusedError):
        writes.write(engine, editor, "archive", lambda s: lifecycle.archive(s, editor, "K-003"))
    with transaction(engine) as session:
        assert lifecycle.archived_on(session, "K-003") is None
