"""The command line: python -m budgetcore demo | import | summary | renewals | report | decide | decisions | alerts."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from typing import TextIO

from budgetcore import cli_workflow, clock, i18n
from budgetcore.exchange import demo
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import portfolio, settings
from budgetcore.review import files, reports
from budgetcore.store import schema
from budgetcore.store.database import StorageError, default_url, make_engine, transaction


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m budgetcore", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="URL", help="database URL (default: $BUDGETCORE_DB_URL, else data/budgetcore.db)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", parents=[common], help="load the demo portfolio")
    imp = sub.add_parser("import", parents=[common], help="import exchange-format files")
    imp.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="CSV or XLSX files (one sheet per entity), or folders holding them",
    )
    imp.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    for name, text in (("summary", "one row per contract"), ("renewals", "contracts approaching renewal")):
        p = sub.add_parser(name, parents=[common], help=text)
        p.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD", help="default: today")
        p.add_argument("--format", choices=("table", "csv", "json"), default="table")
        if name == "summary":
            p.add_argument("--group-by", choices=("customer", "manager", "type"), default=None,
                           help="one row per customer, account manager or contract type")  # fmt: skip
        if name == "renewals":
            p.add_argument(
                "--within",
                type=int,
                default=None,
                metavar="DAYS",
                help="window in days (default: settings, 90)",
            )
    rep = sub.add_parser("report", parents=[common], help="write the renewal review pack (.xlsx or .html)")
    rep.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD", help="default: today")
    rep.add_argument(
        "--within", type=int, default=None, metavar="DAYS", help="window in days (default: settings)"
    )
    rep.add_argument("--contract", metavar="NUMBER", help="one contract instead of the renewals list")
    rep.add_argument("--out", required=True, metavar="FILE", help="FILE.xlsx or FILE.html")
    rep.add_argument("--lang", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE)
    cli_workflow.add_parsers(sub, common, _date)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    args = _parser().parse_args(argv)
    try:
        engine = make_engine(args.db or default_url())
        schema.prepare(engine)
    except StorageError as exc:
        print(f"error: {exc}", file=err)
        return 2
    if args.command == "demo":
        result = demo.load(engine)
        print(f"demo portfolio loaded: {_counts(result.counts)}", file=out)
        return 0 if result.ok else 1
    if args.command == "import":
        result = import_paths(engine, args.paths, dry_run=args.dry_run, source="cli")
        for finding in result.findings[:50]:
            print(f"note: {finding}", file=err)
        findings = len(result.findings) + result.unlisted_findings
        if findings > 50:
            print(f"note: ... and {findings - 50} more", file=err)
        if not result.ok:
            for problem in result.errors[:100]:
                print(f"error: {problem}", file=err)
            if result.error_count > 100:
                print(f"error: ... and {result.error_count - 100} more", file=err)
            print(f"nothing imported: {result.error_count} error(s)", file=err)
            return 1
        verb = "validated (dry run, nothing written)" if args.dry_run else "imported"
        print(f"{verb}: {_counts(result.counts)}", file=out)
        return 0
    as_of = getattr(args, "as_of", None) or clock.today()
    if args.command == "report":
        return _report(engine, args, as_of, out, err)
    if args.command in cli_workflow.COMMANDS:
        return cli_workflow.run(engine, args, as_of, out, err)
    if args.command == "summary" and args.group_by:
        return cli_workflow.grouped_summary(engine, as_of, args.group_by, args.format, out)
    with transaction(engine) as session:
        thresholds = settings.thresholds(session)
        if args.command == "summary":
            chosen = portfolio.portfolio(session, as_of, thresholds)
        else:
            chosen = portfolio.renewals(session, as_of, thresholds, within_days=args.within)
    rows = [portfolio.summary_row(f) for f in chosen]
    _write(rows, args.format, out)
    return 0


def _report(engine, args: argparse.Namespace, as_of: dt.date, out: TextIO, err: TextIO) -> int:
    if not args.out.lower().endswith((".xlsx", ".html", ".htm")):
        print(f"error: --out must end in .xlsx or .html: {args.out}", file=err)
        return 2
    with transaction(engine) as session:
        pack = reports.collect(
            session, as_of, settings.load(session), contract_number=args.contract, within_days=args.within
        )
    if args.contract is not None and not pack.contracts:
        print(f"error: no contract {args.contract!r}", file=err)
        return 1
    try:
        files.write(pack, args.out, args.lang)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc}", file=err)
        return 1
    print(f"wrote {args.out}: {len(pack.contracts)} contract(s)", file=out)
    return 0


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {entity.replace('_', ' ')}" for entity, n in counts.items()) or "no rows"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write(rows: list[dict[str, object]], fmt: str, out: TextIO) -> None:
    columns = list(portfolio.SUMMARY_COLUMNS)
    if fmt == "json":

        def plain(v: object) -> object:
            if isinstance(v, Decimal):
                return str(v)
            return _cell(v) if isinstance(v, dt.date) else v

        json.dump([{k: plain(v) for k, v in row.items()} for row in rows], out, indent=1)
        out.write("\n")
    elif fmt == "csv":
        # a spreadsheet opening this must not run imported text such as =HYPERLINK(...)
        from budgetcore.app.tables import safe_cell  # pandas: loaded only when CSV is asked for

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[safe_cell(row[c]) for c in columns] for row in rows])
    else:
        shown = [c for c in columns if c not in ("actual_labour", "actual_material", "forecast_method")]
        cells = [[_cell(row[c]) for c in shown] for row in rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(shown)]
        out.write("  ".join(c.ljust(w) for c, w in zip(shown, widths, strict=True)).rstrip() + "\n")
        for r in cells:
            out.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() + "\n")
        out.write(f"{len(rows)} contract(s)\n")
