"""Delivering the alerts: `python -m budgetcore alerts [--send]` mails each account manager's digest
(alerts.py finds and builds them) and records each one on its own.

A digest the mail server accepts is recorded at once, in its own write (store/writes.write):
its alerts are never sent again, whatever happens to the digests after it. A digest the server
refuses (a 550 for its address) is reported by manager and address and kept: the next run
sends it again, while the others go out and are recorded as usual. A connection that cannot
be made, or breaks, sends nothing more and records nothing more; what was sent stays recorded.

SMTP: BUDGETCORE_SMTP_URL, e.g. ``smtp://user:pass@mail.example.nl:587?starttls=1``
(``smtps://`` for TLS from the start); the From address is the setting alert_sender
(BUDGETCORE_ALERT_FROM overrides it).
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TextIO
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from budgetcore.figures import settings
from budgetcore.figures.settings import Settings
from budgetcore.review.alerts import Digest, Run, prepare_run
from budgetcore.store import access, alert_log, writes
from budgetcore.store.database import reading, writing

SMTP_ENV, FROM_ENV = "BUDGETCORE_SMTP_URL", "BUDGETCORE_ALERT_FROM"


class AlertError(Exception):
    """The digests cannot be sent; the message says where and why."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool
    tls: bool


def smtp_config(url: str | None) -> SmtpConfig:
    """BUDGETCORE_SMTP_URL parsed; AlertError saying what is wrong with it."""
    if not url:
        raise AlertError(f"{SMTP_ENV} is not set: e.g. smtp://user:pass@mail.example.nl:587?starttls=1")
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise AlertError(
            f"{SMTP_ENV} must look like smtp://user:pass@host:587?starttls=1, not {parts.scheme}://…"
        )
    query = parse_qs(parts.query)
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise AlertError(f"{SMTP_ENV} has a port that is not a number") from None
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"),
        tls=parts.scheme == "smtps",
    )


@dataclass(frozen=True)
class Refusal:
    """A digest the mail server would not take: for whom, and the server's reply."""

    digest: Digest
    reason: str


def mail(
    digests_: Sequence[Digest],
    as_of: dt.date,
    stored: Settings,
    config: SmtpConfig,
    lang: str,
    accepted: Callable[[Digest], None],
) -> list[Refusal]:
    """Mail every digest that has an address over one SMTP connection, calling accepted(digest)
    as soon as the server took each one; the digests it refused. AlertError when the connection
    cannot be made or breaks (the digests accepted before it were passed to accepted)."""
    sender = os.environ.get(FROM_ENV) or stored.alert_sender
    where = f"{config.host}:{config.port}"
    refused: list[Refusal] = []
    try:
        server: smtplib.SMTP
        if config.tls:
            server = smtplib.SMTP_SSL(
                config.host, config.port, timeout=30, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(config.host, config.port, timeout=30)
        with server:
            if config.starttls:
                server.starttls(context=ssl.create_default_context())
            if config.user:
                server.login(config.user, config.password or "")
            for d in digests_:
                if not d.address:
                    continue
                message = EmailMessage()
                message["From"], message["To"] = sender, d.address
                message["Subject"] = d.subject(as_of, lang)
                message.set_content(d.body(as_of, stored, lang))
                try:
                    server.send_message(message)
                except smtplib.SMTPRecipientsRefused as exc:  # this address only: the others go on
                    code, reply = next(iter(exc.recipients.values()), (0, b""))
                    refused.append(Refusal(d, f"{code} {_said(reply)}".strip()))
                    server.rset()
                    continue
                except smtplib.SMTPDataError as exc:  # this message refused after its data
                    refused.append(Refusal(d, f"{exc.smtp_code} {_said(exc.smtp_error)}".strip()))
                    server.rset()
                    continue
                accepted(d)
    except (OSError, smtplib.SMTPException) as exc:
        raise AlertError(f"cannot send the alerts through {where}: {exc}") from exc
    return refused


def _said(reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:200]


def _sent_rows(d: Digest) -> list[tuple[str, str, str, str]]:
    return [(a.key, a.contract_number, a.kind, d.address) for a in d.alerts]


def record_sent(engine: Engine, run: Run, d: Digest, when: dt.datetime) -> None:
    """One accepted digest, recorded in its own write: its alerts as sent, the statuses it reported."""
    reported = {a.contract_number: run.statuses[a.contract_number] for a in d.alerts if a.kind == "status"}

    def record(session: Session) -> None:
        alert_log.mark_sent(session, _sent_rows(d), run.as_of, when)
        alert_log.update_baseline(session, reported)

    writes.write(engine, access.operator("cli"), None, record)


def finish_run(engine: Engine, run: Run, kept: Sequence[Digest]) -> None:
    """The run's end: every contract's status as the baseline, except those whose worsened status
    is in a digest kept for the next run (no address, refused), and the run's date."""
    statuses = dict(run.statuses)
    for d in kept:
        statuses.update({a.contract_number: str(a.values["before"]) for a in d.alerts if a.kind == "status"})

    def record(session: Session) -> None:
        alert_log.set_baseline(session, statuses)
        alert_log.set_last_run(session, run.as_of)

    writes.write(engine, access.operator("cli"), None, record)


def command(engine: Engine, as_of: dt.date, *, send: bool, out: TextIO, err: TextIO, lang: str = "en") -> int:
    """`python -m budgetcore alerts [--as-of D] [--send]`: print the digests, or mail them and record
    each one sent; 1 when any digest was refused or could not be sent (they go again next run)."""
    with reading(engine) as session:
        run = prepare_run(session, as_of)
        stored = settings.load(session)
    unaddressed = [d for d in run.digests if not d.address]
    if not send:
        for d in run.digests:
            print(f"To: {d.address or '(no address for this manager)'}", file=out)
            print(f"Subject: {d.subject(as_of, lang)}", file=out)
            print("", file=out)
            print(d.body(as_of, stored, lang), file=out)
        print(f"{sum(len(d.alerts) for d in run.digests)} new alert(s) in {len(run.digests)} digest(s); "
              "not sent (add --send to mail them)", file=out)  # fmt: skip
        return 0
    with writing(engine):  # a database that cannot record what is sent: say so before sending anything
        pass
    sendable = [d for d in run.digests if d.address]
    sent: list[Digest] = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)

    def accepted(d: Digest) -> None:
        record_sent(engine, run, d, now)
        sent.append(d)

    try:
        config = smtp_config(os.environ.get(SMTP_ENV))
        refused = mail(sendable, as_of, stored, config, lang, accepted) if sendable else []
    except AlertError as exc:
        kept = len(sendable) - len(sent)
        done = f"{len(sent)} digest(s) sent and recorded; " if sent else "nothing was recorded, "
        print(f"error: {exc}; {done}the next run sends the other {kept} digest(s) again", file=err)
        return 1
    finish_run(engine, run, [*unaddressed, *(r.digest for r in refused)])
    for d in unaddressed:
        print(f"warning: no email address for account manager {d.manager or '(none)'}: "
              f"{len(d.alerts)} alert(s) kept for the next run", file=err)  # fmt: skip
    for r in refused:
        print(f"error: the mail server refused {r.digest.address} (account manager "
              f"{r.digest.manager or '(none)'}): {r.reason}; {len(r.digest.alerts)} alert(s) kept for "
              "the next run", file=err)  # fmt: skip
    print(f"sent {sum(len(d.alerts) for d in sent)} alert(s) in {len(sent)} digest(s)", file=out)
    return 1 if refused else 0
