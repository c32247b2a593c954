"""The review workflow's commands: decide, decisions, alerts; and summary --group-by.

cli.py parses the common options and hands these commands here, so the
review workflow's command line lives in one module.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
from collections.abc import Callable
from decimal import Decimal
from typing import TextIO

from sqlalchemy import Engine

from budgetcore import i18n
from budgetcore.store import access, decisions, writes
from budgetcore.store.database import reading

# the figures (numpy, the engine) are imported by the commands that read them, not by the parser
COMMANDS = ("decide", "decisions", "alerts")
DECISION_COLUMNS = (
    "contract_number", "action", "state", "proposed_value", "proposed_start", "proposed_end",
    "note", "decided_by", "decided_at",
)  # fmt: skip


def add_parsers(add_parser: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser,
                date: Callable[[str], dt.date]) -> None:  # fmt: skip
    """Add decide, decisions and alerts to the command line's subcommands (add_parser: the
    subparsers' add_parser)."""
    p = add_parser("decide", parents=[common], help="record a renewal decision for a contract")
    p.add_argument("contract", metavar="CONTRACT", help="the contract number")
    p.add_argument("--action", required=True, choices=decisions.ACTIONS)
    p.add_argument(
        "--value",
        metavar="AMOUNT",
        help="proposed contract value for the new term (EUR), e.g. 12500, 12.500,50 or 12500.50",
    )
    p.add_argument("--start", type=date, metavar="YYYY-MM-DD", help="proposed start of the new term")
    p.add_argument("--end", type=date, metavar="YYYY-MM-DD", help="proposed end of the new term")
    p.add_argument("--note", default="", metavar="TEXT")
    p.add_argument("--state", default="proposed", metavar="STATE",
                   help="proposed (default), agreed (with customer), sent or done")  # fmt: skip
    p.add_argument("--by", metavar="NAME", help="who decided (default: $USER)")
    p = add_parser("decisions", parents=[common], help="every contract's current renewal decision")
    p.add_argument("--state", metavar="STATE", help="only this state (proposed, agreed, sent, done)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p = add_parser("alerts", parents=[common], help="what changed since the last run, per account manager")
    p.add_argument("--as-of", type=date, default=None, metavar="YYYY-MM-DD", help="default: today")
    p.add_argument("--send", action="store_true",
                   help="mail the digests over SMTP ($BUDGETCORE_SMTP_URL) instead of printing them")  # fmt: skip
    p.add_argument(
        "--lang", choices=i18n.LANGUAGES, default=i18n.DEFAULT_LANGUAGE, help="the digests' language"
    )


def run(engine: Engine, args: argparse.Namespace, as_of: dt.date, out: TextIO, err: TextIO) -> int:
    """Run one of COMMANDS; the exit code."""
    if args.command == "decide":
        return _decide(engine, args, out, err)
    if args.command == "decisions":
        return _decisions(engine, args, out, err)
    from budgetcore.review import alert_mail  # smtplib and the digests: only for this command

    return alert_mail.command(engine, as_of, send=args.send, out=out, err=err, lang=args.lang)


def _decide(engine: Engine, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from budgetcore.exchange import formats  # the importer's parser reads --value too

    who = args.by or os.environ.get("USER") or getpass.getuser()
    try:
        value = formats.parse_typed(formats.PROPOSED_VALUE, args.value)
    except formats.InvalidValueError as exc:
        print(f"error: --value {args.value!r}: {exc}", file=err)
        return 1
    try:
        actor = access.operator("cli")
        found = writes.write(engine, actor, "decide", lambda session: decisions.record_decision(
                session,
                args.contract,
                args.action,
                decided_by=who,
                proposed_value=value,
                proposed_start=args.start,
                proposed_end=args.end,
                note=args.note,
                state=args.state,
                actor=actor,
            ))  # fmt: skip
    except decisions.DecisionError as exc:
        print(f"error: {exc}", file=err)
        return 1
    at = f" at {found.proposed_value}" if found.proposed_value is not None else ""
    print(f"recorded: {found.contract_number} {found.action}{at} ({found.state}) by {found.decided_by}",
          file=out)  # fmt: skip
    return 0


def _plain(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _decisions(engine: Engine, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        with reading(engine) as session:
            found = decisions.listing(session, args.state)
    except decisions.DecisionError as exc:
        print(f"error: {exc}", file=err)
        return 2
    rows = [{c: getattr(d, c) for c in DECISION_COLUMNS} for d in found]
    write_rows(rows, list(DECISION_COLUMNS), args.format, out, "decision(s)")
    return 0


def write_rows(rows: list[dict[str, object]], columns: list[str], fmt: str, out: TextIO, noun: str) -> None:
    """rows as an aligned table, CSV (text that could run as a formula quoted) or JSON (money as text)."""
    if fmt == "json":
        json.dump([{k: _plain(v) if isinstance(v, Decimal | dt.date) else v for k, v in r.items()}
                   for r in rows], out, indent=1)  # fmt: skip
        out.write("\n")
    elif fmt == "csv":
        from budgetcore import cells

        out.write(cells.csv_text(columns, [[r[c] for c in columns] for r in rows]))
    else:
        aligned([[_plain(r[c]).replace("\n", " ") for c in columns] for r in rows], columns, out)
        out.write(f"{len(rows)} {noun}\n")


def aligned(texts: list[list[str]], headers: list[str], out: TextIO) -> None:
    """A plain-text table: the headers, then a line per row, each column as wide as its widest
    text, two spaces between columns (the command line's text format)."""
    widths = [max([len(c)] + [len(r[i]) for r in texts]) for i, c in enumerate(headers)]
    out.write("  ".join(c.ljust(w) for c, w in zip(headers, widths, strict=True)).rstrip() + "\n")
    for r in texts:
        out.write("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() + "\n")


def grouped_summary(engine: Engine, as_of: dt.date, by: str, fmt: str, out: TextIO) -> int:
    """summary --group-by: one row per customer, account manager or contract type."""
    from budgetcore.figures import portfolio, rollups, settings

    with reading(engine) as session:
        chosen = portfolio.portfolio(session, as_of, settings.thresholds(session))
    groups = rollups.group(chosen, by)
    write_rows([rollups.row(g) for g in groups], list(rollups.COLUMNS), fmt, out, "group(s)")
    return 0


def attention_list(engine: Engine, as_of: dt.date, fmt: str, out: TextIO) -> int:
    """attention: every contract that needs attention, most urgent first (figures/attention.py)."""
    from budgetcore.figures import attention, frame, settings

    with reading(engine) as session:
        stored = settings.load(session)
        chosen = frame.load(session, as_of, stored.thresholds())
        decided = list(decisions.current(session))
    found = attention.attention(chosen, decided, stored.review_days)
    columns = list(attention.COLUMNS)
    write_rows(found.listing(currency=stored.currency), columns, fmt, out, "contract(s) need attention")
    return 0
