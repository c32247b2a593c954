"""Reference: how fast can the database take the lines at all? Raw bulk ingest, no validation.

    python bench/ingest.py --contracts 175000 [--engines sqlite,postgresql]

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
import subprocess
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=175_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--op", help=argparse.SUPPRESS)
    args = parser.parse_args()
    data = OUT / f"data-{args.contracts}"
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
