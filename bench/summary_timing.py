"""Time the portfolio summary alone on an existing database (issue 5, the summary's Python share).

    python bench/summary_timing.py --db sqlite:////tmp/bench-50000.db [--repeat 5] [--root DIR]

Runs portfolio.portfolio, portfolio.contract_inputs and portfolio.renewals at
one as-of date --repeat times each in one process and prints the median and the
fastest wall time and the process CPU time of each. --root picks the checkout
whose budgetcore is timed (default: this one), so the same script measures
another commit's code on the same database (e.g. a `git archive` of it).
The database is built once with bench/run.py's generation, or
budgetcore.exchange.demo.write_csv plus importing.import_paths, and reused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path



def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="database URL with a portfolio imported")
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--as-of", default="2026-11-27", help="ISO date (default: the demo's today)")
    parser.add_argument("--ops", default="summary,inputs,renewals")
    args = parser.parse_args()
    sys.path.insert(0, args.root)
from budgetcore.store.schema import prepared  # noqa: E402

    from budgetcore.figures import portfolio
    from budgetcore.store.database import make_engine, transaction

    as_of = dt.date.fromisoformat(args.as_of)
    engine = prepared(make_engine(args.db))
    actions = {
        "summary": lambda s: portfolio.portfolio(s, as_of),
        "inputs": lambda s: portfolio.contract_inputs(s, as_of),
        "renewals": lambda s: portfolio.renewals(s, as_of),
    }
    print(f"code {args.root}, db {args.db}, as_of {as_of}, load {os.getloadavg()[0]:.2f}")
    with transaction(engine) as session:
        for op in args.ops.split(","):
            walls, cpus, count = [], [], 0
            for _ in range(args.repeat):
                cpu, wall = time.process_time(), time.perf_counter()
                count = len(actions[op](session))
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            print(
                f"{op:9} {count:7d} rows  median {statistics.median(walls):6.3f} s"
                f"  fastest {min(walls):6.3f} s  cpu median {statistics.median(cpus):6.3f} s"
            )
    print(f"load after {os.getloadavg()[0]:.2f}")
    engine.dispose()


if __name__ == "__main__":
    main()
