"""The review packs (issue 24, "packs in seconds"): the renewals pack as the app builds it at a click,
its workbook by three writers side by side, and the command line, all as whole processes in one run.

    python bench/packs.py --db bench/out/demo.db [--as-of 2026-11-27] [--repeat 3]
    python bench/packs.py --db bench/out/bench-175000.db --repeat 1

(bench/out/demo.db: the demo as the app's first start loads it; bench/out/bench-<n>.db:
`python bench/run.py --contracts <n> --engines sqlite --only import:sqlite`.)

Each contender is one fresh process, run interleaved round by round so a noisy
machine hits all alike; the table gives the median and the peak RSS (wait4).

- `click`: what the app's "Prepare the review packs" does after the click
  (ui._prepared_packs): collect the pack, write the workbook, write the HTML;
  each step timed inside the process (modules imported before, as in the app).
- `click, openpyxl (reference)`: the same pack written by the workbook module
  as it was before XlsxWriter (--reference, a git revision), whole, cell by cell.
- `writer:*`: the same rows (the summary sheet and every contract sheet's
  tables, no merges or chart) written by openpyxl cell by cell, openpyxl's
  write-only mode and XlsxWriter: the writers alone, on equal work.
- `report --out FILE.xlsx` / `.html`: the command line, start to exit.
- `click at BASELINE` (--baseline DIR): the same click with another checkout's budgetcore,
  e.g. main's revision unpacked by
  `git archive main | tar -x -C /tmp/base`: the reference for a change, in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))  # this checkout's budgetcore, also where another is installed
TODAY = dt.date(2026, 11, 27)  # bench/run.py's and the demo's as-of date
REFERENCE = "b1623ad"  # the last revision whose workbook was written by openpyxl cell by cell
WRITERS = ("openpyxl", "write-only", "xlsxwriter")


def _pack(db: str, as_of: dt.date):
    from budgetcore.figures import settings
    from budgetcore.review import reports
    from budgetcore.store.database import make_engine, transaction

    engine = make_engine(f"sqlite:///{db}")
    with transaction(engine) as session:
        pack = reports.collect(session, as_of, settings.load(session))
    engine.dispose()
    return pack


def _old_module(revision: str) -> types.ModuleType:
    """budgetcore/review/report_xlsx.py as it was at revision (the openpyxl writer)."""
    text = subprocess.run(
        ["git", "show", f"{revision}:budgetcore/review/report_xlsx.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType("report_xlsx_reference")
    exec(compile(text, "report_xlsx_reference.py", "exec"), module.__dict__)
    return module


def op_click(args: argparse.Namespace) -> dict:
    """Collect, workbook, HTML, each timed; modules imported first (the app has them)."""
    start = time.perf_counter()
    from budgetcore.review import report_html, report_xlsx

    writer = report_xlsx.workbook if args.reference is None else _old_module(args.reference).workbook
    imported = time.perf_counter()
    cpu = [time.process_time()]
    pack = _pack(args.db, args.as_of)
    collected = time.perf_counter()
    cpu.append(time.process_time())
    book = writer(pack, "en")
    written = time.perf_counter()
    cpu.append(time.process_time())
    page = report_html.html(pack, "en") if args.reference is None else ""
    done = time.perf_counter()
    cpu.append(time.process_time())
    return {
        "imports": imported - start,
        "collect": collected - imported,
        "xlsx": written - collected,
        "html": done - written,
        "collect CPU": cpu[1] - cpu[0],
        "xlsx CPU": cpu[2] - cpu[1],
        "html CPU": cpu[3] - cpu[2],
        "listed": len(pack.every),
        "pages": len(pack.contracts),
        "xlsx_bytes": len(book),
        "html_bytes": len(page.encode()),
    }


def _tables(pack) -> list[tuple[str, list[list[tuple[object, str]]]]]:
    """(sheet, rows of (value, kind)) as the pack's workbook holds them, headers as text rows."""
    from budgetcore.i18n import t
    from budgetcore.review import reports, term_rows

    lang = "en"
    sheets = [
        ("Summary", [[(h, "text") for h in reports.summary_columns(lang)]]
         + [[(t(v, lang), "text") if k == "status" else (v, k) for v, k in reports.summary_cells(r, lang)]
            for r in pack.every])
    ]  # fmt: skip
    for r in pack.contracts:
        rows: list[list[tuple[object, str]]] = [
            [(label, "text"), value] for label, value in reports.facts(r, lang)
        ]
        for header, body in (
            reports.budget_rows(r, lang),
            term_rows.variance_rows(r.periods, lang),
            reports.month_rows(r, lang),
            reports.work_order_rows(r, lang),
            reports.hour_rows(r, lang),
            reports.material_rows(r, lang),
        ):
            rows += [[(h, "text") for h in header], *body, []]
        sheets.append((r.contract_number[:31], rows))
    return sheets


def op_writer(args: argparse.Namespace) -> dict:
    """The same rows through one writer; the time of the writing alone (rows made before)."""
    import decimal

    from budgetcore.review.report_xlsx import number_formats

    pack = _pack(args.db, args.as_of)
    sheets = _tables(pack)
    formats = number_formats(pack.settings, "en")
    cells = sum(len(row) for _, rows in sheets for row in rows)
    start = time.perf_counter()
    out = io.BytesIO()

    def plain(value: object, kind: str) -> object:
        if isinstance(value, decimal.Decimal):
            return int(value) if kind == "int" else float(value)
        return value

    if args.writer == "xlsxwriter":
        import xlsxwriter

        book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
        made = {k: book.add_format({"num_format": f}) for k, f in formats.items()}
        for name, rows in sheets:
            ws = book.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, (value, kind) in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, str):
                        ws.write_string(r, c, value)
                    elif isinstance(value, dt.date):
                        ws.write_datetime(r, c, value, made[kind])
                    else:
                        ws.write_number(r, c, plain(value, kind), made.get(kind))  # type: ignore[arg-type]
        book.close()
    else:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        write_only = args.writer == "write-only"
        book = Workbook(write_only=write_only)
        if not write_only:
            book.remove(book.active)
        for name, rows in sheets:
            ws = book.create_sheet(name)
            for r, row in enumerate(rows, start=1):
                if write_only:
                    line = []
                    for value, kind in row:
                        cell = WriteOnlyCell(ws, value=plain(value, kind))
                        if kind in formats and value is not None:
                            cell.number_format = formats[kind]
                        line.append(cell)
                    ws.append(line)
                    continue
                for c, (value, kind) in enumerate(row, start=1):
                    cell = ws.cell(row=r, column=c, value=plain(value, kind))
                    if kind in formats and value is not None:
                        cell.number_format = formats[kind]
        book.save(out)
    return {"write": time.perf_counter() - start, "cells": cells, "bytes": len(out.getvalue())}


def _spawn(argv: list[str]) -> tuple[float, float, str, float]:
    """Run argv to its exit, with the child's own peak RSS and CPU seconds (wait4)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(argv, cwd=ROOT, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(argv[:6])} failed: {err.read()[-2000:]}")
        return seconds, usage.ru_maxrss / 1024, out.read(), usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", required=True, help="a SQLite database file")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=TODAY)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference", default=REFERENCE, help="git revision of the openpyxl workbook writer")
    parser.add_argument("--skip", default="", help="comma-separated contenders to leave out")
    parser.add_argument("--baseline", help="another checkout whose click runs beside this one's")
    parser.add_argument("--op", help=argparse.SUPPRESS)
    parser.add_argument("--writer", help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)  # the checkout whose budgetcore an op imports
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))
    if args.op:
        if args.op == "click-reference":
            result = op_click(args)
        elif args.op == "click":
            args.reference = None
            result = op_click(args)
        else:
            result = op_writer(args)
        print(json.dumps(result))
        return

    py = [sys.executable, str(Path(__file__).resolve())]
    common = ["--db", args.db, "--as-of", args.as_of.isoformat(), "--reference", args.reference]
    scratch = Path(tempfile.mkdtemp())
    cli = [sys.executable, "-m", "budgetcore", "report", "--db", f"sqlite:///{Path(args.db).resolve()}"]
    cli += ["--as-of", args.as_of.isoformat()]
    contenders = {
        "click": [*py, "--op", "click", *common],
        "click, openpyxl (reference)": [*py, "--op", "click-reference", *common],
        **{f"writer:{w}": [*py, "--op", "writer", "--writer", w, *common] for w in WRITERS},
        "report --out FILE.xlsx": [*cli, "--out", str(scratch / "p.xlsx")],
        "report --out FILE.html": [*cli, "--out", str(scratch / "p.html")],
    }
    if args.baseline:  # right after this checkout's click, so that both meet the same minutes
        base = Path(args.baseline).resolve()
        baseline = [*py, "--op", "click", "--code", str(base), *common]
        contenders = {
            "click": contenders.pop("click"),
            f"click at {base.name} (baseline)": baseline,
            **contenders,
        }
    if not args.reference:  # --reference '': no openpyxl reference (b1623ad's module needs
        contenders.pop("click, openpyxl (reference)")  # a reports.summary_row that is gone)
    for name in filter(None, args.skip.split(",")):
        contenders.pop(name)
    load_before = os.getloadavg()
    runs: dict[str, list[tuple[float, float, dict, float]]] = {name: [] for name in contenders}
    for round_ in range(args.repeat):
        for name, argv in contenders.items():
            seconds, rss, text, cpu = _spawn(argv)
            inner = json.loads(text) if text.strip().startswith("{") else {}
            runs[name].append((seconds, rss, inner, cpu))
            print(
                f"round {round_ + 1} {name}: {seconds:.2f} s, CPU {cpu:.2f} s, {rss:.0f} MB {inner}",
                flush=True,
            )
    load_after = os.getloadavg()
    lines = [
        f"`python bench/packs.py --db {args.db} --repeat {args.repeat}` at "
        f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}, {os.cpu_count()} cores, "
        f"load {load_before[0]:.2f} before and {load_after[0]:.2f} after; median of {args.repeat}",
        "",
        "| process | whole s | CPU s | peak RSS MB | inside the process (median s) |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for name, found in runs.items():
        inner = {
            k: statistics.median(r[2][k] for r in found)
            for k in found[0][2]
            if isinstance(found[0][2][k], float)
        }
        counts = {k: v for k, v in found[0][2].items() if isinstance(v, int)}
        said = ", ".join(f"{k} {v:.2f}" for k, v in inner.items())
        if counts:
            said += " (" + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + ")"
        whole = statistics.median(r[0] for r in found)
        rss = max(r[1] for r in found)
        cpu = statistics.median(r[3] for r in found)
        lines.append(f"| {name} | {whole:.2f} | {cpu:.2f} | {rss:.0f} | {said} |")
    text = "\n".join(lines)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"packs-{Path(args.db).stem}.md").write_text(text + "\n")
    print()
    print(text)


if __name__ == "__main__":
    main()
