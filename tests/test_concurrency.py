"""Writers at the same moment, in several processes, on both engines: each waits its turn, none fails."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select

from budgetcore.store.database import transaction
from budgetcore.store.models import Contract, HourLine

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 3
CONTRACTS = 100  # per writer: enough that the imports overlap

# each process: import its own files when the clock reaches START, then save the settings
SCRIPT = """
import sys, time
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import settings
from budgetcore.store.database import make_engine, transaction
url, folder, start = sys.argv[1], sys.argv[2], float(sys.argv[3])
engine = make_engine(url)
while time.time() < start:
    time.sleep(0.005)
result = import_paths(engine, [folder], source="test")
with transaction(engine) as session:
    settings.save(session, settings.load(session))
print("ok" if result.ok else [str(p) for p in result.errors])
sys.exit(0 if result.ok else 1)
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
    start = time.time() + 2.0  # every process started and its modules imported by then
    procs = [
        subprocess.Popen([sys.executable, "-c", SCRIPT, db_url, str(folder), str(start)], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for folder in folders
    ]  # fmt: skip
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * WRITERS, outputs
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Contract)) == WRITERS * CONTRACTS
        assert session.scalar(select(func.count()).select_from(HourLine)) == WRITERS * CONTRACTS * 9
