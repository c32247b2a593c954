"""Reference: how fast can the database take the lines at all? Raw bulk ingest, no validation.

    python bench/ingest.py --contracts 175000 [--engines sqlite,postgresql]
    python bench/ingest.py --contracts 175000 --whole [--repeat 2] [--reference DIR ...]

--whole (issue 24): our full import (validation, keys, aggregates, snapshots; the five CSVs
into a fresh database through importing.import_paths) on each engine, against DuckDB loading
the same five CSVs into a fresh file (every column, money as DECIMAL(18,6)), each a whole
process (interpreter start and module imports included), interleaved round by round; each
--reference DIR (a checkout of another commit) runs its own import beside ours. Wall and CPU
seconds (user + system, from wait4), peak RSS, load before and after each process; every
import's stored lines must agree (count and cost sum) or the run stops.

Reads the hour and material lines of the benchmark's CSV export (bench/run.py
generates it under bench/out/data-<contracts>/) with pyarrow and writes them,
as they are (text and numbers, no keys, no checks, no work order look-up), into
a fresh table of a fresh database, three ways, each in a fresh process:
- adbc: ADBC's bulk ingest (adbc-driver-sqlite / adbc-driver-postgresql), Arrow
  columns straight to the driver (PostgreSQL: binary COPY);
- driver: the Python driver with the rows as tuples (sqlite3 executemany,
  psycopg text COPY with write_row), what budgetcore's writer does per batch;
- parse: reading the CSVs into Arrow only.
The import (bench/run.py import:ENGINE) validates every cell, keys the lines to
their work orders, writes the aggregates and snapshots; these are its floor.
Needs requirements-bench.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
PG_DB = "bench_ingest"


def _tables(data: Path):
    import pyarrow.csv as pacsv

    options = pacsv.ConvertOptions(strings_can_be_null=True)
    return {
        name: pacsv.read_csv(data / f"{name}.csv", convert_options=options) for name in ("hours", "materials")
    }


def _pg_url() -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DB}"


def _fresh(engine: str) -> str:
    if engine == "sqlite":
        path = OUT / "ingest.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return str(path)
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return _pg_url()


def run(way: str, engine: str, data: Path) -> dict:
    start = time.perf_counter()
    tables = _tables(data)
    parsed = time.perf_counter() - start
    lines = sum(t.num_rows for t in tables.values())
    if way == "parse":
        return {"seconds": parsed, "lines": lines}
    target = _fresh(engine)
    start = time.perf_counter()
    if way == "adbc":
        if engine == "sqlite":
            import adbc_driver_sqlite.dbapi as adbc

            conn = adbc.connect(target)
        else:
            import adbc_driver_postgresql.dbapi as adbc

            conn = adbc.connect(target)
        with conn, conn.cursor() as cursor:
            for name, table in tables.items():
                cursor.adbc_ingest(f"raw_{name}", table, mode="create")
            conn.commit()
    elif engine == "sqlite":
        import sqlite3

        conn = sqlite3.connect(target)
        for name, table in tables.items():
            columns = ", ".join(f'"{c}"' for c in table.column_names)
            conn.execute(f"CREATE TABLE raw_{name} ({columns})")
            marks = ", ".join("?" * table.num_columns)
            for batch in table.to_batches(20_000):
                rows = list(zip(*(c.to_pylist() for c in batch.columns), strict=True))
                conn.executemany(f"INSERT INTO raw_{name} VALUES ({marks})", rows)
        conn.commit()
        conn.close()
    else:
        import psycopg

        with psycopg.connect(target) as conn, conn.cursor() as cursor:
            for name, table in tables.items():
                types = {"int64": "bigint", "double": "double precision"}
                columns = ", ".join(f'"{f.name}" {types.get(str(f.type), "text")}' for f in table.schema)
                cursor.execute(f"CREATE TABLE raw_{name} ({columns})")
                with cursor.copy(f"COPY raw_{name} FROM STDIN") as copy:
                    for batch in table.to_batches(20_000):
                        for row in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                            copy.write_row(row)
    written = time.perf_counter() - start
    return {"seconds": written, "parse_seconds": parsed, "lines": lines}


IMPORT = """
import json, sys, time
start = time.perf_counter()
from budgetcore.exchange.importing import import_paths
from budgetcore.store.database import make_engine
from budgetcore.store.schema import prepared
from sqlalchemy import text
engine = prepared(make_engine({url!r}))
ready = time.perf_counter()
result = import_paths(engine, [{data!r}], source="bench")
done = time.perf_counter()
if not result.ok:
    sys.exit("import failed: " + "; ".join(map(str, result.errors[:5])))
with engine.connect() as conn:
    check = [[int(v) for v in conn.execute(text(f"SELECT count(*), sum(cost) FROM {{t}}")).one()] for t in ("hour_lines", "material_lines")]
    months = [int(v) for v in conn.execute(text("SELECT count(*), sum(labour + material) FROM contract_months")).one()]
print(json.dumps({{"import_s": done - ready, "start_s": ready - start, "counts": result.counts,
                  "check": [*check, months]}}, default=str))
"""
DUCKDB_LOAD = """
import duckdb, json, time
start = time.perf_counter()
con = duckdb.connect({path!r})
con.execute("SET enable_progress_bar = false")
money = {{"contracts": ["contract_value"], "budgets": ["amount", "hours"],
          "hours": ["hours", "cost_rate", "sales_rate"], "materials": ["quantity", "unit_cost", "unit_price"]}}
for name in ("contracts", "budgets", "work_orders", "hours", "materials"):
    types = ", ".join(f"'{{c}}': 'DECIMAL(18,6)'" for c in money.get(name, []))
    con.execute(f"CREATE TABLE {{name}} AS SELECT * FROM read_csv('{data}/{{name}}.csv', types={{{{{{types}}}}}})")
lines = sum(con.execute(f"SELECT count(*) FROM {{t}}").fetchone()[0] for t in ("hours", "materials"))
con.close()
print(json.dumps({{"import_s": time.perf_counter() - start, "lines": lines}}))
"""


def _whole_process(argv: list[str], cwd: Path) -> dict:
    """One whole process: wall and CPU seconds, peak RSS (MB), load before and after, its JSON line."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=errors, text=True)
        _, status, usage = os.wait4(child.pid, 0)  # the child's own CPU and peak RSS
        wall = time.perf_counter() - start
        out.seek(0), errors.seek(0)
        printed, err = out.read(), errors.read()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{cwd}: {' '.join(argv)[:80]}... failed: {err[-2000:]}")
    return {
        **json.loads(printed.strip().splitlines()[-1]),
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "load": [round(load, 1), round(os.getloadavg()[0], 1)],
    }


def whole(args: argparse.Namespace, data: Path) -> None:
    """Our import on each engine (and each reference checkout's) against DuckDB loading the same
    CSVs into a file, whole processes, interleaved round by round."""
    engines = [e for e in args.engines.split(",") if e]
    checkouts = {"ours": ROOT, **{f"ref{i}": Path(r).resolve() for i, r in enumerate(args.reference)}}
    contenders = [(name, engine) for engine in engines for name in checkouts] + [("duckdb", "file")]
    print(f"$ python bench/ingest.py {' '.join(sys.argv[1:])}   (uptime: {_uptime()})", flush=True)
    for name, root in checkouts.items():
        print(f"  {name}: {root} ({_commit(root)})")
    results: dict[str, list[dict]] = {}
    for run in range(args.repeat):
        for name, engine in contenders:
            if name == "duckdb":
                path = OUT / "ingest.duckdb"
                path.unlink(missing_ok=True)
                code = DUCKDB_LOAD.format(path=str(path), data=str(data))
                r = _whole_process([sys.executable, "-c", code], ROOT)
            else:
                if engine == "sqlite":
                    target = OUT / "ingest-import.db"
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{target}{suffix}").unlink(missing_ok=True)
                    url = f"sqlite:///{target}"
                else:
                    url = _fresh("postgresql").replace("postgresql://", "postgresql+psycopg://")
                code = IMPORT.format(url=url, data=str(data))
                r = _whole_process([sys.executable, "-c", code], checkouts[name])
                r["lines"] = r["counts"].get("hours", 0) + r["counts"].get("materials", 0)
                first = next((v[0] for k, v in results.items() if k.startswith(("ours", "ref"))), None)
                if first is not None and first["check"] != r["check"]:
                    raise SystemExit(f"{name}:{engine} stored other lines: {r['check']} != {first['check']}")
            results.setdefault(f"{name}:{engine}", []).append(r)
            print(
                f"  round {run + 1} {name}:{engine}: {r['wall_s']:.1f} s wall ({r['import_s']:.1f} s import), "
                f"{r['cpu_s']:.1f} s CPU, {r['rss_mb']:.0f} MB, load {r['load']}",
                flush=True,
            )
    duck = statistics.median(r["wall_s"] for r in results["duckdb:file"])
    rows = [
        "| what | engine | lines | wall s (median) | import s | CPU s | lines/s (whole process) | x DuckDB's wall | peak RSS MB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, runs in results.items():
        name, _, engine = key.partition(":")
        wall = statistics.median(r["wall_s"] for r in runs)
        lines = runs[0]["lines"]
        rows.append(
            f"| {name} | {engine} | {lines:,} | {wall:.1f} | {statistics.median(r['import_s'] for r in runs):.1f} | "
            f"{statistics.median(r['cpu_s'] for r in runs):.1f} | {lines / wall:,.0f} | {wall / duck:.1f} | "
            f"{max(r['rss_mb'] for r in runs):,.0f} |"
        )
    print("\n".join(rows))
    print(f"(uptime after: {_uptime()})")
    (OUT / f"ingest-whole-{args.contracts}.json").write_text(json.dumps(results, indent=2, default=str))
    (OUT / f"ingest-whole-{args.contracts}.md").write_text("\n".join(rows) + "\n")


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _commit(root: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "log", "-1", "--format=%h %s"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()[:70] or "not a git checkout"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=175_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--op", help=argparse.SUPPRESS)
    parser.add_argument(
        "--whole", action="store_true", help="our import against DuckDB's load, whole processes"
    )
    parser.add_argument("--repeat", type=int, default=1, help="--whole: rounds")
    parser.add_argument("--reference", action="append", default=[], help="--whole: another checkout to run")
    parser.add_argument("--data", type=Path, help="the CSV folder (default bench/out/data-CONTRACTS)")
    args = parser.parse_args()
    data = (args.data or OUT / f"data-{args.contracts}").resolve()
    if args.whole:
        OUT.mkdir(parents=True, exist_ok=True)
        whole(args, data)
        return
    if args.op:
        way, _, engine = args.op.partition(":")
        result = run(way, engine, data)
        result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    if not (data / "hours.csv").exists():
        raise SystemExit(f"no export at {data}: run bench/run.py --contracts {args.contracts} first")
    print(f"$ python bench/ingest.py {' '.join(sys.argv[1:])}   (load {os.getloadavg()[0]:.1f})")
    rows = [
        "| way | engine | lines | seconds | lines/s | peak RSS MB |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    ops = ["parse:-"] + [f"{w}:{e}" for e in args.engines.split(",") for w in ("adbc", "driver")]
    for op in ops:
        done = subprocess.run(
            [sys.executable, __file__, "--op", op, "--contracts", str(args.contracts)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode:
            print(f"{op}: failed\n{done.stderr[-2000:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        way, _, engine = op.partition(":")
        rows.append(
            f"| {way} | {engine} | {r['lines']:,} | {r['seconds']:.1f} | {r['lines'] / r['seconds']:,.0f} | {r['rss_mb']:.0f} |"
        )
        print(rows[-1], flush=True)
    print(f"(load after {os.getloadavg()[0]:.1f})")
    (OUT / f"ingest-{args.contracts}.md").write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
