"""Whole processes, as a user runs them: our command line against DuckDB and naive pandas (issue 10).

    python bench/run.py --contracts 175000 --only import:sqlite,import:postgresql   # once: data + databases
    python bench/whole.py --contracts 175000 [--repeat 5]

Each measurement is one fresh process from interpreter start to exit, so start-up
and imports count; its peak RSS is the child's own (wait4's ru_maxrss). Measured
in one run, interleaved round by round so that a noisy machine hits every
contender alike:

- `python -m budgetcore summary --format csv` on SQLite and on PostgreSQL;
- DuckDB computing every contract's actual labour and material (lines in the term,
  up to as-of) over the same lines already loaded into a DuckDB database file;
- DuckDB and naive pandas doing the same from the CSVs;
- `renewals --within 90 --format csv` and `report --within 90 --out FILE.xlsx`;
- `python -c pass`, the floor any process pays.

--past-share 0.05 measures a portfolio whose lines run past the as-of date, as an export that
holds planned work does: the as-of date becomes the day before which 95 % of the lines fall
(found by DuckDB over its file, not measured), and every contender computes at it.

The actual total of our summary (the sum of its actual_total column) is checked
against DuckDB's to the cent. Results: bench/out/whole-<contracts>.json and .md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
TODAY = dt.date(2026, 11, 27)  # bench/run.py's as-of date
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")

ACTUALS = """
    WITH a AS (
        SELECT w.contract_number, sum(l.labour) AS labour, sum(l.material) AS material
        FROM {lines} AS l JOIN {work_orders} AS w USING (work_order_number) JOIN {contracts} AS c USING (contract_number)
        WHERE l.date BETWEEN c.start_date AND least(c.end_date, DATE '{today}')
        GROUP BY 1
    )
    SELECT c.contract_number, coalesce(labour, 0), coalesce(material, 0)
    FROM {contracts} AS c LEFT JOIN a USING (contract_number)
"""
DUCKDB_FILE = """
import duckdb
con = duckdb.connect({path!r}, read_only=True)
con.execute('SET enable_progress_bar = false')
rows = con.execute('''{query}''').fetchall()
print(len(rows), sum(lab + mat for _, lab, mat in rows))
"""
DUCKDB_CSV = """
import duckdb
con = duckdb.connect()
con.execute('SET enable_progress_bar = false')
rows = con.execute('''{query}''').fetchall()
print(len(rows), sum(lab + mat for _, lab, mat in rows))
"""
CHECK = """
import duckdb
from decimal import ROUND_HALF_UP, Decimal
con = duckdb.connect({path!r}, read_only=True)
con.execute('SET enable_progress_bar = false')
for number, lab, mat in con.execute('''{query}''').fetchall():
    print(f"{{number}},{{Decimal(lab + mat).quantize(Decimal('0.01'), ROUND_HALF_UP)}}")
"""
LOAD = """
import duckdb
con = duckdb.connect({path!r})
con.execute('SET enable_progress_bar = false')
d = {data!r}
con.execute(f"CREATE TABLE contracts AS SELECT contract_number, start_date, end_date FROM read_csv('{{d}}/contracts.csv')")
con.execute(f"CREATE TABLE work_orders AS SELECT work_order_number, contract_number FROM read_csv('{{d}}/work_orders.csv')")
con.execute(f'''CREATE TABLE lines AS
    SELECT work_order_number, date, CAST(hours * cost_rate AS DECIMAL(18,6)) AS labour, 0::DECIMAL(18,6) AS material
    FROM read_csv('{{d}}/hours.csv', types={{{{'hours': 'DECIMAL(18,6)', 'cost_rate': 'DECIMAL(18,6)'}}}})
    UNION ALL
    SELECT work_order_number, date, 0, CAST(quantity * unit_cost AS DECIMAL(18,6))
    FROM read_csv('{{d}}/materials.csv', types={{{{'quantity': 'DECIMAL(18,6)', 'unit_cost': 'DECIMAL(18,6)'}}}})''')
con.close()
"""


CPU: dict[str, list[float]] = {}  # each contender's CPU seconds (user + system), run by run


def run(argv: list[str], stdout_path: Path | None = None, cwd: Path = ROOT) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of one whole process; its CPU seconds go to CPU under
    the folder and argv's text (steadier than the wall clock on a shared machine; DuckDB uses both cores)."""
    out = open(stdout_path, "w") if stdout_path else subprocess.PIPE
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    CPU.setdefault(f"{cwd}: {' '.join(argv)}", []).append(usage.ru_utime + usage.ru_stime)
    child.returncode = os.waitstatus_to_exitcode(status)
    text = ""
    if stdout_path:
        out.close()
    else:
        text = child.stdout.read()  # type: ignore[union-attr]
    errors = child.stderr.read()  # type: ignore[union-attr]
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])}... failed ({child.returncode}): {errors[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def past_as_of(duck: Path, share: float) -> str:
    """The as-of date (ISO) with about this share of the lines dated after it."""
    probe = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        f"print(con.execute('SELECT quantile_disc(date, {1 - share}) FROM lines').fetchone()[0])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(duck)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=175_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--skip", default="", help="comma-separated processes to leave out, e.g. report")
    parser.add_argument(
        "--past-share", type=float, default=0.0,
        help="the share of lines dated after the as-of date (default 0: as-of is the data's today)",
    )  # fmt: skip
    parser.add_argument(
        "--before", type=Path, default=None,
        help="a checkout of an earlier commit: its summary runs beside ours (summary:before)",
    )  # fmt: skip
    args = parser.parse_args()
    py = sys.executable
    data = OUT / f"data-{args.contracts}"
    sqlite_url = f"sqlite:///{OUT / f'bench-{args.contracts}.db'}"
    duck = OUT / f"bench-{args.contracts}.duckdb"
    if not duck.exists():
        seconds, _, _ = run([py, "-c", LOAD.format(path=str(duck), data=str(data))])
        print(f"loaded the lines into {duck.name} in {seconds:.1f} s (not measured)", flush=True)
    today = TODAY.isoformat() if not args.past_share else past_as_of(duck, args.past_share)
    if args.past_share:
        print(f"as-of {today}: {args.past_share:.0%} of the lines are dated after it", flush=True)
    query_file = ACTUALS.format(lines="lines", work_orders="work_orders", contracts="contracts", today=today)
    query_csv = ACTUALS.format(
        lines=f"""(SELECT work_order_number, date, hours * cost_rate AS labour, 0 AS material
            FROM read_csv('{data}/hours.csv', types={{'hours': 'DECIMAL(18,6)', 'cost_rate': 'DECIMAL(18,6)'}})
            UNION ALL SELECT work_order_number, date, 0, quantity * unit_cost
            FROM read_csv('{data}/materials.csv', types={{'quantity': 'DECIMAL(18,6)', 'unit_cost': 'DECIMAL(18,6)'}}))""",
        work_orders=f"(SELECT work_order_number, contract_number FROM read_csv('{data}/work_orders.csv'))",
        contracts=f"(SELECT contract_number, start_date, end_date FROM read_csv('{data}/contracts.csv'))",
        today=today,
    )
    scratch = Path(tempfile.mkdtemp())
    ours = [py, "-m", "budgetcore"]
    contenders: dict[str, tuple[list[str], bool]] = {}
    engines = [e for e in args.engines.split(",") if e]
    urls = {"sqlite": sqlite_url, "postgresql": PG_URL}
    for engine in engines:
        contenders[f"summary:{engine}"] = (
            [*ours, "summary", "--as-of", today, "--format", "csv", "--db", urls[engine]],
            True,
        )
    if args.before:
        contenders["summary:before"] = (
            [*ours, "summary", "--as-of", today, "--format", "csv", "--db", sqlite_url],
            True,
        )
    contenders["python -c pass"] = ([py, "-c", "pass"], False)
    contenders["duckdb file"] = ([py, "-c", DUCKDB_FILE.format(path=str(duck), query=query_file)], False)
    contenders["duckdb csv"] = ([py, "-c", DUCKDB_CSV.format(query=query_csv)], False)
    contenders["pandas csv"] = (
        [
            py,
            str(ROOT / "bench" / "run.py"),
            "--op",
            "pandas",
            "--contracts",
            str(args.contracts),
            "--repeat",
            "1",
            "--as-of",
            today,
        ],
        False,
    )
    for engine in engines:
        contenders[f"renewals:{engine}"] = (
            [*ours, "renewals", "--as-of", today, "--within", "90", "--format", "csv", "--db", urls[engine]],
            True,
        )
        contenders[f"report:{engine}"] = (
            [
                *ours,
                "report",
                "--as-of",
                today,
                "--within",
                "90",
                "--out",
                str(scratch / f"pack-{engine}.xlsx"),
                "--db",
                urls[engine],
            ],
            False,
        )
    skipped = [k for k in args.skip.split(",") if k]
    contenders = {k: v for k, v in contenders.items() if not any(k.startswith(x) for x in skipped)}
    load_before = os.getloadavg()
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
    outputs: dict[str, str] = {}
    for round_ in range(args.repeat):
        for name, (argv, to_file) in contenders.items():
            target = scratch / f"{name.replace(':', '-').replace(' ', '-')}.out" if to_file else None
            seconds, rss, text = run(argv, target, args.before if name == "summary:before" else ROOT)
            runs[name].append((seconds, rss))
            outputs[name] = target.read_text() if target else text
        print(
            f"round {round_ + 1}: " + ", ".join(f"{n} {r[-1][0]:.2f}s" for n, r in runs.items()), flush=True
        )
    load_after = os.getloadavg()

    def total(csv_text: str) -> Decimal:
        return sum((Decimal(r["actual_total"]) for r in csv.DictReader(io.StringIO(csv_text))), Decimal(0))

    duck_rows, duck_total = outputs["duckdb file"].split()[-2:]
    checks = {
        "duckdb contracts": int(duck_rows),
        "duckdb actual total": str(Decimal(duck_total).quantize(Decimal("0.01"))),
    }
    if args.before:
        checks["summary:before equals summary:sqlite"] = outputs["summary:before"] == outputs.get(
            "summary:sqlite"
        )
    for engine in engines:
        checks[f"summary:{engine} actual total"] = str(total(outputs[f"summary:{engine}"]))
        checks[f"summary:{engine} rows"] = outputs[f"summary:{engine}"].count("\n") - 1
    median = {n: statistics.median(s for s, _ in r) for n, r in runs.items()}
    cwd = {n: args.before if n == "summary:before" else ROOT for n in contenders}
    cpu = {n: statistics.median(CPU[f"{cwd[n]}: {' '.join(argv)}"]) for n, (argv, _) in contenders.items()}
    peak = {n: max(m for _, m in r) for n, r in runs.items()}
    counts = json.loads((data / "counts.json").read_text()) if (data / "counts.json").exists() else {}
    report = {
        "command": " ".join(["python", "bench/whole.py", *sys.argv[1:]]),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_before": load_before,
        "load_after": load_after,
        "cores": os.cpu_count(),
        "counts": counts,
        "median_s": median,
        "peak_rss_mb": peak,
        "median_cpu_s": cpu,
        "runs": runs,
        "checks": checks,
    }
    suffix = f"-past{args.past_share:g}" if args.past_share else ""
    (OUT / f"whole-{args.contracts}{suffix}.json").write_text(json.dumps(report, indent=2))
    lines = [
        f"`{report['command']}` on {report['when']}, {os.cpu_count()} cores, load {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after; median of {args.repeat} whole processes, interleaved; as-of {today}.",
        "",
        "| process | median s | median CPU s | peak RSS MB | vs DuckDB file | vs pandas |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in contenders:
        vs_duck = median["duckdb file"] / median[name]
        vs_pandas = median["pandas csv"] / median[name]
        lines.append(
            f"| {name} | {median[name]:.2f} | {cpu[name]:.2f} | {peak[name]:.0f} | {vs_duck:.2f}x "
            f"| {vs_pandas:.1f}x |"
        )
    lines += ["", "checks: " + json.dumps(checks)]
    text = "\n".join(lines)
    (OUT / f"whole-{args.contracts}{suffix}.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
