"""A small import and the command line's start, as whole processes (issue 24).

    python bench/small.py --db sqlite:///bench/out/bench-175000.db [--repeat 5]

A cron job or a user's upload: 1,000 hour lines on 100 new work orders of 50 contracts
(yesterday's work, the contracts spread over the portfolio) imported by
`python -m budgetcore import DIR` into the existing database, as one fresh process
from interpreter start to exit. In the same run, interleaved round by round: the
floor (`python -c pass`) and the import of the package alone. Each round imports its
own new work orders, so every import writes. Prints a table with the medians.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 27)  # bench/run.py's as-of date


def timed(argv: list[str], cwd: Path = ROOT) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak RSS MB) of one whole process; it must succeed. The CPU time
    (user + system) is the steadier figure on a shared machine."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    errors = child.stderr.read().decode()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {errors[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def contract_numbers(url: str) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        numbers = list(conn.execute(text("SELECT contract_number FROM contracts ORDER BY id")).scalars())
    engine.dispose()
    return numbers


def write_files(folder: Path, tag: str, chosen: list[str], rng: random.Random) -> None:
    """100 work orders (two per contract) with ten hour lines each, yesterday."""
    day = (TODAY - dt.timedelta(days=1)).isoformat()
    orders = [(f"WB-SMALL-{tag}-{i:03d}", chosen[i // 2]) for i in range(100)]
    tables = {
        "work_orders": (
            ["work_order_number", "contract_number", "date", "type", "status", "description"],
            [[w, c, day, "corrective", "gereed", ""] for w, c in orders],
        ),
        "hours": (
            ["work_order_number", "date", "employee", "hour_type", "hours", "cost_rate", "sales_rate"],
            [
                [w, day, f"tech {j}", "work", f"{rng.randint(1, 16) / 4:.2f}", "52.50", "85.00"]
                for w, _ in orders
                for j in range(10)
            ],
        ),
    }
    for entity, (header, rows) in tables.items():
        with open(folder / f"{entity}.csv", "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(header)
            out.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="the database URL to import into (it is changed)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--before", type=Path, default=None,
        help="a checkout of an earlier commit: its import of the same kind of file runs beside ours",
    )  # fmt: skip
    args = parser.parse_args()
    py = sys.executable
    numbers = contract_numbers(args.db)
    rng = random.Random(20261224)
    stamp = dt.datetime.now(dt.UTC).strftime("%H%M%S")
    times: dict[str, list[tuple[float, float, float]]] = {}
    print(f"load before: {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.repeat):
            folder = Path(scratch) / f"run{run}"
            folder.mkdir()
            write_files(folder, f"{stamp}-{run}", rng.sample(numbers, 50), rng)
            importing = ["import", str(folder), "--keep-demo", "--db", args.db]
            contenders = {
                "python -c pass": [py, "-c", "pass"],
                "python -c 'import budgetcore.cli'": [py, "-c", "import budgetcore.cli"],
                "import, 1,000 hour lines, 50 contracts": [py, "-m", "budgetcore", *importing],
            }
            for name, argv in contenders.items():
                times.setdefault(name, []).append(timed(argv))
            if args.before:
                earlier = Path(scratch) / f"before{run}"
                earlier.mkdir()
                write_files(earlier, f"{stamp}-before-{run}", rng.sample(numbers, 50), rng)
                argv = [py, "-m", "budgetcore", "import", str(earlier), "--keep-demo", "--db", args.db]
                times.setdefault("the same import, --before checkout", []).append(timed(argv, args.before))
    print(f"load after: {os.getloadavg()[0]:.2f}")
    print("| process | median s | runs s | median CPU s | peak RSS MB |\n| --- | ---: | --- | ---: | ---: |")
    for name, runs in times.items():
        seconds = [s for s, _, _ in runs]
        print(
            f"| {name} | {statistics.median(seconds):.2f} | {', '.join(f'{s:.2f}' for s in seconds)} "
            f"| {statistics.median(c for _, c, _ in runs):.2f} | {max(r for _, _, r in runs):.0f} |"
        )


if __name__ == "__main__":
    main()
