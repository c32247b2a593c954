"""The command line: python -m budgetcore demo | import | summary | renewals | attention | backtest | report |
contract | users | audit | decide | decisions | alerts.

Every write acts as the operating-system user running it (access.operator) and is
recorded in the audit trail with source 'cli'.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import traceback
from collections.abc import Sequence
from decimal import Decimal
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from budgetcore import cli_workflow, clock, i18n
from budgetcore.store import access, database, decisions, lifecycle, schema, writes
from budgetcore.store.database import StorageError, default_url, make_engine, reading


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text[:40]!r} (expected YYYY-MM-DD)") from None
    if not clock.in_range(day):
        raise argparse.ArgumentTypeError(
            f"{text} is out of range: dates from {clock.FIRST_DAY} to {clock.LAST_DAY}"
        )
    return day


def _days(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of days: {text[:40]!r}") from None
    if not 0 <= days <= clock.MAX_WINDOW_DAYS:
        raise argparse.ArgumentTypeError(
            f"{text} is out of range: a window from 0 to {clock.MAX_WINDOW_DAYS} days"
        )
    return days


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m budgetcore", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="URL", help="database URL (default: $BUDGETCORE_DB_URL, else data/budgetcore.db)"
    )
    common.add_argument("--debug", action="store_true", help="on an unexpected error, show the traceback")
    sub = parser.add_subparsers(dest="command", required=True)
    dem = sub.add_parser("demo", parents=[common], help="load the demo portfolio (or --remove it)")
    dem.add_argument("--remove", action="store_true", help="delete every row of the demo portfolio")
    dem.add_argument(
        "--history", action="store_true",
        help="also the completed previous terms of many contracts (docs/demo.md), for the backtest",
    )  # fmt: skip
    imp = sub.add_parser("import", parents=[common], help="import exchange-format files")
    imp.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="CSV or XLSX files (one sheet per entity), or folders holding them",
    )
    imp.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    imp.add_argument(
        "--keep-demo",
        action="store_true",
        help="add to the demo portfolio (default: the import replaces the demo, in one transaction)",
    )
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
                type=_days,
                default=None,
                metavar="DAYS",
                help="window in days (default: settings, 90)",
            )
    att = sub.add_parser("attention", parents=[common], help="what needs attention, most urgent first")
    att.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD", help="default: today")
    att.add_argument("--format", choices=("table", "csv", "json"), default="table")
    bac = sub.add_parser(
        "backtest", parents=[common], help="each forecast method replayed on the completed contracts"
    )
    bac.add_argument(
        "--as-of", type=_date, default=None, metavar="YYYY-MM-DD",
        help="contracts whose term ended before this date (default: today)",
    )  # fmt: skip
    bac.add_argument("--format", choices=("table", "csv", "json"), default="table")
    rep = sub.add_parser("report", parents=[common], help="write the renewal review pack (.xlsx or .html)")
    rep.add_argument("--as-of", type=_date, default=None, metavar="YYYY-MM-DD", help="default: today")
    rep.add_argument(
        "--within", type=_days, default=None, metavar="DAYS", help="window in days (default: settings)"
    )
    rep.add_argument("--contract", metavar="NUMBER", help="one contract instead of the renewals list")
    rep.add_argument("--out", required=True, metavar="FILE", help="FILE.xlsx or FILE.html")
    rep.add_argument("--lang", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE)
    con = sub.add_parser("contract", parents=[common], help="archive, restore or delete one contract")
    con.add_argument("verb", choices=("archive", "restore", "delete"))
    con.add_argument("number", metavar="NUMBER", help="the contract number")
    con.add_argument("--yes", action="store_true", help="delete without asking (delete only)")
    usr = sub.add_parser("users", parents=[common], help="who may sign in, with which role")
    usr.add_argument("verb", choices=("add", "list", "remove"))
    usr.add_argument("email", nargs="?", metavar="EMAIL")
    usr.add_argument("--role", choices=access.ROLES, help="for add: viewer, editor or admin")
    aud = sub.add_parser("audit", parents=[common], help="the audit trail, newest first (CSV)")
    aud.add_argument("--actor", help="part of the actor's email or user name")
    aud.add_argument("--action", help="e.g. import, settings, archive, delete, role, demo-load")
    aud.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="from this UTC date")
    aud.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="through this UTC date")
    dbp = sub.add_parser(
        "db", parents=[common], help="the database's schema: upgrade it to this release's revision"
    )
    dbp.add_argument("verb", choices=("upgrade",))
    cli_workflow.add_parsers(sub.add_parser, common, _date)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run one command; its exit status. An unexpected error is one line on err and status 3
    (--debug: the traceback too), never a traceback alone."""
    args = _parser().parse_args(argv)
    try:
        return _run(args, out, err)
    except BrokenPipeError:  # the reader left (e.g. head): the entry point ends quietly
        raise
    except database.ServerFaultError as exc:  # read-only, disk full, connection lost
        if args.debug:
            traceback.print_exc(file=err)
        print(f"error: {args.command}: the database could not save this ({exc}); nothing was changed",
              file=err)  # fmt: skip
        return 3
    except Exception as exc:  # a fault we did not foresee: one line, not a traceback
        if args.debug:
            traceback.print_exc(file=err)
        print(f"error: {args.command} failed: {said(exc)} (--debug shows the traceback)", file=err)
        return 3


def said(exc: BaseException) -> str:
    """An unforeseen error in one line without SQL, parameters or file paths: a database error by
    its driver's first line (database.fault_reason), paths replaced by their file names."""
    reason = database.fault_reason(exc) if isinstance(exc, SQLAlchemyError) else str(exc)
    reason = re.sub(r"(?:[A-Za-z]:)?(?:/[^\s/'\"]+)+/([^\s/'\"]+)", r"…/\1", " ".join(reason.split()))
    return reason[:300] or type(exc).__name__


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        engine = make_engine(args.db or default_url())
        steps = schema.prepare(engine)
    except StorageError as exc:
        if args.debug:
            print(f"error: {exc}", file=err)
        else:
            print(f"error: cannot open the database: {said(exc.__cause__ or exc)} (--debug says more)",
                  file=err)  # fmt: skip
        return 2
    if args.command == "db":  # every command upgrades first; this one only says what it did
        for step in steps:
            print(f"schema: {step}", file=out)
        head = schema.head()
        print(f"the database is at revision {head}" + ("" if steps else ": nothing to do"), file=out)
        return 0
    actor = access.operator("cli")
    # each command imports what it uses: summary and renewals need neither the importer nor openpyxl
    if args.command == "demo":
        from budgetcore.exchange import demo

        if args.remove:
            removed = demo.remove(engine, actor)  # ServerFaultError: main() says it in one line
            done = {k: v for k, v in removed.items() if v}
            print(f"demo portfolio removed: {_counts(done)}" if done else "no demo rows to remove", file=out)
            return 0
        result = demo.load(engine, actor, history=args.history)
        if not result.ok:
            for problem in result.errors[:10]:
                print(f"error: {problem}", file=err)
            print("the demo portfolio was not loaded: nothing was written", file=err)
            return 1
        print(f"demo portfolio loaded: {_counts(result.counts)}", file=out)
        return 0
    if args.command in ("contract", "users", "audit"):
        return _manage(engine, args, actor, out, err)
    if args.command == "import":
        from budgetcore.exchange.importing import import_paths

        with reading(engine) as session:
            replace = database.is_demo(session) and not args.keep_demo
        result = import_paths(
            engine, args.paths, dry_run=args.dry_run, source="cli", actor=actor, replace_demo=replace
        )
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
        if replace and not args.dry_run:
            print("the demo portfolio was replaced by this import (--keep-demo adds to it instead)", file=out)
        return 0
    as_of = getattr(args, "as_of", None) or clock.today()
    # the figures (numpy and the engine) only for the commands that read them
    from budgetcore.figures import frame, settings, table
    from budgetcore.figures.metrics import Filters

    if args.command == "report":
        return _report(engine, args, as_of, out, err)
    if args.command == "backtest":
        from budgetcore.figures import backtest, calibration

        with reading(engine) as session:
            found = calibration.calibrate(session, as_of, settings.load(session).min_completed)
        write = {"table": backtest.table_text, "csv": backtest.csv_text, "json": backtest.json_text}
        out.write(write[args.format](found))
        return 0
    if args.command == "attention":
        return cli_workflow.attention_list(engine, as_of, args.format, out)
    if args.command in cli_workflow.COMMANDS:
        return cli_workflow.run(engine, args, as_of, out, err)
    if args.command == "summary" and args.group_by:
        return cli_workflow.grouped_summary(engine, as_of, args.group_by, args.format, out)
    with reading(engine) as session:
        thresholds = settings.thresholds(session)
        if args.command == "summary":
            chosen = frame.load(session, as_of, thresholds)
            positions = None
        else:
            window = thresholds.renewal_window_days if args.within is None else args.within
            chosen = frame.load(session, as_of, thresholds, Filters(renewal_within_days=window))
            positions = frame.order(chosen, "deadline")
            numbers = [str(n) for n in chosen["contract_number"]]
            decided = {n: d.action for n, d in decisions.current(session, numbers).items()}
    if args.command == "renewals" and args.format == "csv":
        out.write(table.renewals_csv(chosen, positions, decided))
    elif args.command == "renewals" and args.format == "json":
        _write(table.renewal_rows(chosen, positions, decided), args.format, out)
    elif args.format == "csv":
        out.write(table.csv_text(chosen, positions))
    else:
        _write(table.rows(chosen, positions), args.format, out)
    return 0


def _report(engine, args: argparse.Namespace, as_of: dt.date, out: TextIO, err: TextIO) -> int:
    from budgetcore.figures import settings
    from budgetcore.review import files, reports

    if not args.out.lower().endswith((".xlsx", ".html", ".htm")):
        print(f"error: --out must end in .xlsx or .html: {args.out}", file=err)
        return 2
    with reading(engine) as session:
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
    pages = f", pages for the first {len(pack.contracts)}" if pack.partial else ""
    print(f"wrote {args.out}: {len(pack.every)} contract(s){pages}", file=out)
    return 0


def _manage(engine, args: argparse.Namespace, actor: access.Actor, out: TextIO, err: TextIO) -> int:
    """contract archive|restore|delete, users add|list|remove and audit: each one transaction."""
    try:
        if args.command == "audit":
            with reading(engine) as session:
                entries = access.trail(
                    session, actor=args.actor, action=args.action, since=args.since, until=args.until,
                    limit=None,
                )  # fmt: skip
            out.write(access.trail_csv(entries).decode("utf-8-sig"))
            return 0
        if args.command == "contract":
            return _contract(engine, args, actor, out, err)
        if args.verb == "list":
            with reading(engine) as session:
                for user in access.users(session):
                    print(f"{user.email}  {user.role}", file=out)
            return 0
        if not args.email or (args.verb == "add" and not args.role):
            print("error: users add EMAIL --role ROLE, users remove EMAIL", file=err)
            return 2
        email = access.normal_email(args.email)
        if args.verb == "add":  # said once it is committed
            old = writes.write(engine, actor, "users", lambda s: access.set_role(s, actor, email, args.role))
            print(f"{email}: {old or 'no role'} -> {args.role}", file=out)
        elif writes.write(engine, actor, "users", lambda s: access.remove_user(s, actor, email)) is None:
            print(f"error: {email} has no role", file=err)
            return 1
        else:
            print(f"removed {email}", file=out)
        return 0
    except (ValueError, access.RefusedError, lifecycle.UnknownContractError) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=err)
        return 1


def _contract(engine, args: argparse.Namespace, actor: access.Actor, out: TextIO, err: TextIO) -> int:
    number = args.number
    if args.verb == "delete":
        with reading(engine) as session:
            lifecycle.archived_on(session, number)  # UnknownContractError before any question
        if not args.yes:
            if not sys.stdin.isatty():
                print(f"error: deleting {number} needs --yes (it removes all its lines)", file=err)
                return 2
            answer = input(f"Delete contract {number} with all its budget, work order, hour and "
                           "material lines? Type its number to confirm: ")  # fmt: skip
            if answer.strip() != number:
                print("not deleted", file=err)
                return 1
        removed = writes.write(engine, actor, "delete", lambda s: lifecycle.delete_contract(s, actor, number))
        print(f"deleted {number}: {_counts({k: v for k, v in removed.items() if v})}", file=out)
        return 0
    verb = lifecycle.archive if args.verb == "archive" else lifecycle.restore
    changed = writes.write(engine, actor, "archive", lambda s: verb(s, actor, number))
    state = "archived" if args.verb == "archive" else "restored"
    print(f"{number} {state}" if changed else f"{number} was {state} already", file=out)
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
    from budgetcore.figures.frame import SUMMARY_COLUMNS

    columns = list(SUMMARY_COLUMNS)
    if fmt == "json":

        def plain(v: object) -> object:
            if isinstance(v, Decimal):
                return str(v)
            return _cell(v) if isinstance(v, dt.date) else v

        json.dump([{k: plain(v) for k, v in row.items()} for row in rows], out, indent=1)
        out.write("\n")
    else:
        shown = [c for c in columns if c not in ("actual_labour", "actual_material", "forecast_method")]
        cli_workflow.aligned([[_cell(row[c]) for c in shown] for row in rows], shown, out)
        out.write(f"{len(rows)} contract(s)\n")
