"""The scale benchmark of issue 5: our import and reads against naive pandas and DuckDB on one data set.

    python bench/run.py --contracts 175000 [--engines sqlite,postgresql]

Generates the demo portfolio (budgetcore.exchange.demo.write_csv, today fixed) as the
canonical CSV export under bench/out/, then runs every operation once per
fresh subprocess, so each peak RSS (ru_maxrss) belongs to that operation
alone: the import into each engine (import_paths, validation on), the
portfolio summary, the per-contract actuals behind it, the renewals list, one
contract's detail and the overview with a filter, and the same per-contract
actuals by naive pandas and by DuckDB from the CSVs. Read operations run
--repeat times in their process; the table shows the median (and the first,
cold, run). Results go to bench/out/results-<contracts>.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from the repository: budgetcore is importable
OUT = ROOT / "bench" / "out"
TODAY = dt.date(2026, 11, 27)  # the generator's "today" and the as-of date of every read
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DB = os.environ.get("BENCH_PG_DB", "bench")  # the database the run drops and creates
OUR_READS = ("summary", "figures", "actuals", "renewals", "detail", "filtered", "months")

# (operation, target as text, check on the measured row and the reference rows)
TARGETS: list[tuple[str, str, Callable[[dict, dict], bool | None]]] = []


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# -- the operations, each run in its own process ------------------------------


def _engine(name: str, contracts: int):
    from budgetcore.store.database import make_engine
    from budgetcore.store.schema import prepared

    return prepared(make_engine(_db_url(name, contracts)))


def _db_url(name: str, contracts: int) -> str:
    if name == "sqlite":
        return f"sqlite:///{OUT / f'bench-{contracts}.db'}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{PG_DB}"


def _fresh_database(name: str, contracts: int) -> None:
    if name == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{OUT / f'bench-{contracts}.db'}{suffix}").unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {PG_DB}"))
    admin.dispose()


def op_import(engine_name: str, data: Path, contracts: int, repeat: int, dry_run: bool = False) -> dict:
    """Import the CSVs into a fresh database; dry_run: read and validate only (the parsing share)."""
    from budgetcore.exchange.importing import import_paths

    if dry_run:  # an empty scratch database: the benchmark's own databases stay as they are
        from budgetcore.store.database import make_engine
        from budgetcore.store.schema import prepared

        scratch = OUT / "validate.db"
        scratch.unlink(missing_ok=True)
        engine = prepared(make_engine(f"sqlite:///{scratch}"))
    else:
        _fresh_database(engine_name, contracts)
        engine = _engine(engine_name, contracts)
    start = time.perf_counter()
    result = import_paths(engine, [data], source="bench", dry_run=dry_run)
    seconds = time.perf_counter() - start
    if not result.ok:
        raise SystemExit(f"import failed: {[str(p) for p in result.errors[:5]]}")
    if engine_name == "postgresql" and not dry_run:
        from sqlalchemy import text

        with engine.connect() as conn:  # fresh planner statistics, as a DBA would after a bulk load
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    lines = result.counts.get("hours", 0) + result.counts.get("materials", 0)
    rows = sum(result.counts.values())
    return {
        "seconds": [seconds],
        "lines": lines,
        "rows": rows,
        "lines_per_s": lines / seconds,
        "rows_per_s": rows / seconds,
    }


def op_increment(engine_name: str, contracts: int, repeat: int) -> dict:
    """A morning's import into the loaded database, `repeat` times: yesterday's 100 work orders
    on 50 contracts spread over the portfolio, with 1,000 hour lines. Timed as import_paths
    (validation, writing, aggregates and snapshots, commit). Then exact: every contract's
    figures from the snapshots equal those read by SQL alone."""
    import csv
    import random
    import tempfile

    from sqlalchemy import select

    from budgetcore.exchange.formats import COLUMNS
    from budgetcore.exchange.importing import import_paths
    from budgetcore.figures import frame
    from budgetcore.store import snapshot
    from budgetcore.store.database import transaction
    from budgetcore.store.models import Contract

    engine = _engine(engine_name, contracts)  # prepare() brings older snapshots up to date first
    with engine.connect() as conn:
        numbers = conn.execute(select(Contract.contract_number).order_by(Contract.id)).scalars().all()
    rng = random.Random(20261205)
    times = []
    for run in range(repeat):
        chosen = rng.sample(numbers, 50)
        day = TODAY - dt.timedelta(days=1)
        orders = [(f"WB-BENCH-{run}-{i:03d}", chosen[i // 2]) for i in range(100)]
        with tempfile.TemporaryDirectory() as folder:
            for entity, rows in (
                ("work_orders", [[w, c, day.isoformat(), "corrective", "gereed", ""] for w, c in orders]),
                (
                    "hours",
                    [
                        [
                            w,
                            day.isoformat(),
                            f"tech {j}",
                            "work",
                            f"{rng.randint(1, 16) / 4:.2f}",
                            "52.50",
                            "85.00",
                        ]
                        for w, _ in orders
                        for j in range(10)
                    ],
                ),
            ):
                with open(f"{folder}/{entity}.csv", "w", newline="", encoding="utf-8") as handle:
                    out = csv.writer(handle)
                    out.writerow([c.name for c in COLUMNS[entity]])
                    out.writerows(rows)
            start = time.perf_counter()
            result = import_paths(engine, [folder], source="bench")
            times.append(time.perf_counter() - start)
        if not result.ok or result.counts.get("hours") != 1000:
            raise SystemExit(f"import failed: {[str(p) for p in result.errors[:5]]} {result.counts}")
    with transaction(engine) as session:
        saved = frame.read(session, TODAY)
        snapshot.drop(session)  # rolled back below: the SQL path, as if there were no snapshots
        by_sql = frame.read(session, TODAY)
        session.rollback()
    exact = all(saved[k].tolist() == by_sql[k].tolist() for k in by_sql)  # NaT, None: equal here
    if not exact:
        raise SystemExit("the snapshots differ from SQL after the imports")
    return {"seconds": times, "lines": 1000, "contracts_touched": 50, "exact": exact}


def _timed(repeat: int, action: Callable[[], object]) -> tuple[list[float], object]:
    times, value = [], None
    for _ in range(repeat):
        value = None  # the previous run's result is no part of this run's memory
        start = time.perf_counter()
        value = action()
        times.append(time.perf_counter() - start)
    return times, value


def op_read(kind: str, engine_name: str, contracts: int, repeat: int) -> dict:
    from sqlalchemy import func, select

    from budgetcore.figures import frame, months, portfolio
    from budgetcore.store import columns
    from budgetcore.store.database import transaction
    from budgetcore.store.models import Contract, WorkOrder

    engine = _engine(engine_name, contracts)
    extra: dict[str, object] = {}
    with transaction(engine) as session:
        if kind == "summary":
            # every contract's status, forecast and figures, column-wise, with the headline:
            # what the overview and its filters work from
            action = lambda: _summary(frame, session)  # noqa: E731
        elif kind == "figures":
            # every contract's figures as one object per contract: what the packs read
            action = lambda: portfolio.portfolio(session, TODAY)  # noqa: E731
        elif kind == "months":
            action = lambda: columns.in_term_months(session)  # noqa: E731
        elif kind == "actuals":
            action = lambda: frame.read(session, TODAY)  # noqa: E731  (the engine's inputs)
        elif kind == "renewals":
            action = lambda: portfolio.renewals(session, TODAY)  # noqa: E731
        elif kind == "filtered":
            # what the overview computes after a user picks a contract type and two statuses,
            # from what it holds (the portfolio frame, every contract's months): the selection,
            # its headline, the first page of its table in exact figures, its months
            filters = portfolio.Filters(types=("preventive",), statuses=("at risk", "over budget"))
            held = (
                frame.load(session, TODAY),
                columns.in_term_months(session),
                months.month_of(session, TODAY),
            )
            action = lambda: _filtered(frame, months, held, filters)  # noqa: E731
        elif kind == "detail":
            # the contract with the most work orders: the heaviest detail page
            number = session.execute(
                select(Contract.contract_number)
                .join(WorkOrder, WorkOrder.contract_id == Contract.id)
                .group_by(Contract.contract_number)
                .order_by(func.count().desc(), Contract.contract_number)
                .limit(1)
            ).scalar_one()
            extra["contract"] = number
            try:
                from budgetcore.figures import contract_detail

                action = lambda: contract_detail.detail(session, number, TODAY)  # noqa: E731
                extra["what"] = (
                    "contract_detail.detail: figures, burn-up, work orders, hours, materials, findings"
                )
            except ImportError:  # pragma: no cover - the module came later
                filters = portfolio.Filters(contract_numbers=(number,))
                action = lambda: portfolio.portfolio(session, TODAY, filters=filters)  # noqa: E731
                extra["what"] = "portfolio figures of one contract (contract_detail missing)"
        else:
            raise SystemExit(f"unknown read {kind}")
        times, value = _timed(repeat, action)
    if kind in ("figures", "renewals"):
        extra["contracts"] = len(value)  # type: ignore[arg-type]
    if kind == "figures":
        extra["actual_total"] = str(sum((f.actual_total for f in value), Decimal(0)))  # type: ignore[union-attr]
    if kind in ("summary", "filtered"):
        extra["contracts"] = value[1].contracts  # type: ignore[index]
        extra["actual_total"] = str(value[1].actual_total)  # type: ignore[index]
    if kind == "months":
        extra["rows"] = len(value)  # type: ignore[arg-type]
    if kind == "actuals":
        extra["contracts"] = len(value)  # type: ignore[arg-type]
        extra["actual_total"] = str(
            sum((i.actual_labour + i.actual_material for i in value), Decimal(0))  # type: ignore[union-attr]
        )
    if kind == "detail" and value is not None:
        extra["work_orders"] = len(value.work_orders)  # type: ignore[union-attr]
    return {"seconds": times, **extra}


def _summary(frame, session):
    chosen = frame.load(session, TODAY)
    return chosen, frame.headline(chosen)


def _filtered(frame, months, held, filters):
    everything, contract_months, current = held
    chosen = frame.select(everything, filters)
    page = chosen.figures(frame.order(chosen)[:500])
    return page, frame.headline(chosen), months.monthly(contract_months, current, chosen["contract_id"])


def op_pandas(data: Path, repeat: int, as_of_day: dt.date = TODAY) -> dict:
    """Naive pandas, as an analyst would: read every CSV, merge, filter on the term, group."""
    import pandas as pd

    as_of = pd.Timestamp(as_of_day)

    def actuals():
        contracts = pd.read_csv(data / "contracts.csv", parse_dates=["start_date", "end_date"])
        work_orders = pd.read_csv(data / "work_orders.csv", parse_dates=["date"])
        hours = pd.read_csv(data / "hours.csv", parse_dates=["date"])
        materials = pd.read_csv(data / "materials.csv", parse_dates=["date"])
        hours["labour"] = hours["hours"] * hours["cost_rate"]
        materials["material"] = materials["quantity"] * materials["unit_cost"]
        lines = pd.concat([hours[["work_order_number", "date", "labour"]],
                           materials[["work_order_number", "date", "material"]]])  # fmt: skip
        lines = lines.merge(work_orders[["work_order_number", "contract_number"]], on="work_order_number")
        lines = lines.merge(contracts[["contract_number", "start_date", "end_date"]], on="contract_number")
        in_window = (lines["date"] >= lines["start_date"]) & (
            lines["date"] <= lines["end_date"].clip(upper=as_of)
        )
        sums = lines[in_window].groupby("contract_number")[["labour", "material"]].sum()
        return contracts[["contract_number"]].merge(sums, on="contract_number", how="left").fillna(0)

    times, result = _timed(repeat, actuals)
    total = float(result["labour"].sum() + result["material"].sum())  # type: ignore[index]
    return {"seconds": times, "contracts": len(result), "actual_total": f"{total:.2f}"}  # type: ignore[arg-type]


def op_duckdb(data: Path, repeat: int) -> dict:
    """DuckDB aggregating the raw CSV lines (parsing included: it is what a user would run)."""
    import duckdb

    query = f"""
        WITH c AS (SELECT contract_number, start_date, end_date FROM read_csv('{data}/contracts.csv')),
        w AS (SELECT work_order_number, contract_number FROM read_csv('{data}/work_orders.csv')),
        l AS (
            SELECT work_order_number, date, hours * cost_rate AS labour, 0 AS material
            FROM read_csv('{data}/hours.csv', types={{'hours': 'DECIMAL(18,6)', 'cost_rate': 'DECIMAL(18,6)'}})
            UNION ALL
            SELECT work_order_number, date, 0, quantity * unit_cost
            FROM read_csv('{data}/materials.csv', types={{'quantity': 'DECIMAL(18,6)', 'unit_cost': 'DECIMAL(18,6)'}})
        ),
        a AS (
            SELECT w.contract_number, sum(labour) AS labour, sum(material) AS material
            FROM l JOIN w USING (work_order_number) JOIN c USING (contract_number)
            WHERE l.date BETWEEN c.start_date AND least(c.end_date, DATE '{TODAY}')
            GROUP BY 1
        )
        SELECT c.contract_number, coalesce(labour, 0), coalesce(material, 0) FROM c LEFT JOIN a USING (contract_number)
    """

    def actuals():
        with duckdb.connect() as con:
            return con.execute(query).fetchall()

    times, rows = _timed(repeat, actuals)
    total = sum((Decimal(str(lab)) + Decimal(str(mat)) for _, lab, mat in rows), Decimal(0))  # type: ignore[union-attr]
    return {"seconds": times, "contracts": len(rows), "actual_total": str(total)}  # type: ignore[arg-type]


def run_op(args: argparse.Namespace) -> None:
    data = OUT / f"data-{args.contracts}"
    name, _, engine_name = args.op.partition(":")
    if name == "import":
        result = op_import(engine_name, data, args.contracts, args.repeat)
    elif name == "increment":  # not in the default run: --only increment:sqlite (after an import)
        result = op_increment(engine_name, args.contracts, args.repeat)
    elif name == "validate":  # not in the default run: --only validate:sqlite
        result = op_import(engine_name, data, args.contracts, args.repeat, dry_run=True)
    elif name in OUR_READS:
        result = op_read(name, engine_name, args.contracts, args.repeat)
    elif name == "pandas":
        result = op_pandas(data, args.repeat, args.as_of)
    elif name == "duckdb":
        result = op_duckdb(data, args.repeat)
    else:
        raise SystemExit(f"unknown operation {args.op}")
    result["rss_mb"] = _rss_mb()
    print(json.dumps(result))


# -- the driver ---------------------------------------------------------------


def generate(contracts: int) -> dict[str, int]:
    from budgetcore.exchange import demo

    data = OUT / f"data-{contracts}"
    marker = data / "counts.json"
    key = {"contracts": contracts, "today": TODAY.isoformat(), "seed": demo.SEED}
    if marker.exists():
        saved = json.loads(marker.read_text())
        if saved.get("key") == key:
            print(f"reusing {data} ({saved['counts']})", flush=True)
            return saved["counts"]
    start = time.perf_counter()
    counts = demo.write_csv(data, contracts=contracts, today=TODAY)
    print(f"generated {counts} in {time.perf_counter() - start:.0f} s", flush=True)
    marker.write_text(json.dumps({"key": key, "counts": counts}))
    return counts


def machine() -> dict[str, object]:
    import psutil

    model = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for module in ("sqlalchemy", "duckdb", "pandas", "psycopg"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            versions[module] = "missing"
    try:
        from sqlalchemy import create_engine, text

        with create_engine(PG_ADMIN_URL).connect() as conn:
            versions["postgresql"] = conn.execute(text("SHOW server_version")).scalar_one()
    except Exception:
        versions["postgresql"] = "unreachable"
    import sqlite3

    versions["sqlite"] = sqlite3.sqlite_version
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        **versions,
    }


def spawn(op: str, args: argparse.Namespace, repeat: int) -> dict:
    command = [
        sys.executable,
        __file__,
        "--op",
        op,
        "--contracts",
        str(args.contracts),
        "--repeat",
        str(repeat),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    print(f"  {op} ...", end="", flush=True)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(" FAILED")
        print(done.stderr[-3000:], file=sys.stderr)
        return {"error": done.stderr[-500:]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_after"] = round(os.getloadavg()[0], 1)  # other work on the machine skews timings
    print(f" {statistics.median(result['seconds']):.3f} s, {result['rss_mb']:.0f} MB", flush=True)
    return result


def table(results: dict[str, dict], engines: list[str]) -> str:
    def median(op: str) -> float | None:
        r = results.get(op, {})
        return statistics.median(r["seconds"]) if r.get("seconds") else None

    duck, pandas = median("duckdb"), median("pandas")
    lines = [
        "| operation | engine | median s | first s | peak RSS MB | x faster than DuckDB | x faster than pandas | notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    order = [f"{k}:{e}" for k in ("import", "validate", "increment", *OUR_READS) for e in engines]
    for op in [*order, "duckdb", "pandas"]:
        r = results.get(op)
        if not r or "seconds" not in r:
            if r:
                lines.append(f"| {op} | | failed | | | | | {r.get('error', '')[:80]!r} |")
            continue
        name, _, engine = op.partition(":")
        m = statistics.median(r["seconds"])
        notes = ""
        if name in ("import", "validate"):
            notes = f"{r['lines_per_s']:,.0f} lines/s ({r['lines']:,} lines), {r['rows_per_s']:,.0f} rows/s"
        elif "contracts" in r:
            notes = f"{r['contracts']:,} contracts"
        if name == "increment":
            notes = "1,000 hour lines, 50 contracts; " + ", ".join(f"{t:.2f}" for t in r["seconds"]) + " s"
        if name == "detail":
            notes = f"{r.get('contract')}, {r.get('work_orders')} work orders"
        vs_duck = f"{duck / m:.1f}" if duck and name in ("summary", "figures", "actuals") else ""
        vs_pandas = f"{pandas / m:.1f}" if pandas and name in ("summary", "figures", "actuals") else ""
        lines.append(
            f"| {name} | {engine or '-'} | {m:.3f} | {r['seconds'][0]:.3f} | {r['rss_mb']:.0f} | "
            f"{vs_duck} | {vs_pandas} | {notes} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=175_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each read in its process")
    parser.add_argument("--skip-import", action="store_true", help="reuse the databases of an earlier run")
    parser.add_argument("--only", default="", help="comma-separated operations, e.g. summary:sqlite,duckdb")
    parser.add_argument("--op", help=argparse.SUPPRESS)  # internal: run one operation, print JSON
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=TODAY, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.op:
        run_op(args)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    engines = [e for e in args.engines.split(",") if e]
    command = " ".join(["python", "bench/run.py", *sys.argv[1:]])
    print(f"$ {command}", flush=True)
    counts = generate(args.contracts)
    ops = [] if args.skip_import else [f"import:{e}" for e in engines]
    ops += [f"{k}:{e}" for k in OUR_READS for e in engines] + ["duckdb", "pandas"]
    if args.only:
        wanted = args.only.split(",")
        ops = [op for op in ops if op in wanted] + [
            op for op in wanted if op.startswith(("validate:", "increment:"))
        ]
    path = OUT / f"results-{args.contracts}.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    results: dict[str, dict] = saved.get("results", {})
    for op in ops:
        results[op] = spawn(op, args, 1 if op.startswith("import") else args.repeat)
    report = {
        "command": command,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "counts": counts,
        "results": results,
    }
    path.write_text(json.dumps(report, indent=2))
    text = table(results, engines)
    (OUT / f"results-{args.contracts}.md").write_text(text + "\n")
    print()
    print(text)
    print(f"\nmachine: {report['machine']}\nresults: {path}")


if __name__ == "__main__":
    main()
