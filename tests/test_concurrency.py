"""Writers at the same moment, in several processes, on both engines: each waits its turn, none fails."""

from __future__ import annotations

from pathlib import Path

from forked import ready, start_together
from sqlalchemy import Engine, func, select

from budgetcore.store.database import transaction
from budgetcore.store.models import Contract, HourLine

WRITERS = 3
CONTRACTS = 100  # per writer: enough that the imports overlap

# each process (forked from one that imported budgetcore once, tests/forked.py): import its own
# files once every process has got to together(), then save the settings
SCRIPT = """
import sys
from forked import together
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import settings
from budgetcore.store.database import make_engine, transaction
url, folder = sys.argv[1], sys.argv[2]
engine = make_engine(url)
together()
result = import_paths(engine, [folder], source="test")
with transaction(engine) as session:
    settings.save(session, settings.load(session))
assert result.ok, [str(p) for p in result.errors]
print("ok")
"""


def write_portfolio(folder: Path, prefix: str) -> None:
    folder.mkdir()
    numbers = [f"{prefix}-{i:04d}" for i in range(CONTRACTS)]
    files = {
        "contracts": ["contract_number,customer,start_date,end_date"]
        + [f"{n},Klant {prefix},2026-01-01,2026-12-31" for n in numbers],
        "budgets": ["contract_number,category,amount,period_start,period_end"]
        + [
            f"{n},labour,{q * 100},2026-{q * 3 - 2:02d}-01,2026-{q * 3:02d}-28"
            for n in numbers
            for q in (1, 2, 3, 4)
        ],
        "work_orders": ["work_order_number,contract_number,date"]
        + [f"W{n}-{k},{n},2026-0{k}-10" for n in numbers for k in (1, 2, 3)],
        "hours": ["work_order_number,date,hours,cost_rate"]
        + [f"W{n}-{k},2026-0{k}-10,{k},50" for n in numbers for k in (1, 2, 3) for _ in range(3)],
    }
    for entity, lines in files.items():
        (folder / f"{entity}.csv").write_text("\n".join(lines) + "\n")


def test_concurrent_imports_and_settings_saves_all_succeed(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    folders = []
    for i in range(WRITERS):
        folders.append(tmp_path / f"p{i}")
        write_portfolio(folders[-1], f"P{i}")
    ready()
    procs = start_together(
        SCRIPT, {folder.name: ([db_url, str(folder)], tmp_path / f"{folder.name}.out") for folder in folders}
    )
    done = [p.wait(timeout=120) for p in procs.values()]
    assert [code for code, _ in done] == [0] * WRITERS, done
    assert [out.strip() for _, out in done] == ["ok"] * WRITERS, done
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Contract)) == WRITERS * CONTRACTS
        assert session.scalar(select(func.count()).select_from(HourLine)) == WRITERS * CONTRACTS * 9
