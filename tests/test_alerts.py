"""Nightly alerts through a real SMTP server (aiosmtpd on 127.0.0.1, with a login): digests per
account manager, addressed right, with the right figures, each alert once; a failed run sends it all again.

The hand-built portfolio (handcalc.py) on 2026-06-17, window 90 days, review mark 14 days:
K-002 (Bram) notice 2026-07-04: 17 days, in the window; K-003 (Anna) ends and has its notice deadline
on 2026-06-30: 13 days, so in the window, past the 14-day mark without a decision, and ending;
K-004 (Bram) notice 2026-09-01: 76 days, in the window; K-006 is terminated; the rest are further.
"""

from __future__ import annotations

import datetime as dt
import email
import io
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import handcalc
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from browser_support import free_port
from sqlalchemy import Engine

from budgetcore import cli
from budgetcore.exchange.importing import import_paths
from budgetcore.figures import settings
from budgetcore.review import alert_mail, alerts
from budgetcore.store import alert_log
from budgetcore.store.database import transaction

AS_OF = dt.date(2026, 6, 17)
# the test server asks for a login over plain SMTP (no certificate to set up); aiosmtpd warns about that
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
USER, PASSWORD = "alerts", "s3cret:/@"


class Inbox:
    """aiosmtpd's handler: every message the server accepted, as (envelope recipients, message)."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.mails.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok)


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_required=True, auth_require_tls=False)  # fmt: skip
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def loaded(engine: Engine, tmp_path: Path) -> Engine:
    assert import_paths(engine, handcalc.write(tmp_path / "csv")).ok
    with transaction(engine) as session:
        stored = settings.load(session)
        settings.save(session, settings.Settings(dashboard_url="https://budgets.example.nl/",
                                                 alert_sender="budgets@example.nl", currency=stored.currency))  # fmt: skip
        alerts.set_manager_emails(session, {"Anna": "anna@example.nl", "Bram": "bram@example.nl"})
    return engine


def run(engine: Engine, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    url = engine.url.render_as_string(hide_password=False)
    code = cli.main(["alerts", "--db", url, "--as-of", AS_OF.isoformat(), *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def body(message: Message) -> str:
    return message.get_payload(decode=True).decode()  # type: ignore[union-attr]


def test_digests_once_each_and_a_worsened_status_alone(
    loaded: Engine, smtp: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    inbox, port = smtp
    inbox.mails.clear()
    code, out, _ = run(loaded)  # without --send: printed, nothing recorded
    assert code == 0 and "5 new alert(s) in 2 digest(s); not sent" in out and "To: anna@example.nl" in out

    monkeypatch.setenv(alert_mail.SMTP_ENV, f"smtp://{USER}:s3cret%3A%2F%40@127.0.0.1:{free_port()}")
    code, _, err = run(loaded, "--send")  # nobody listens on that port
    assert code == 1 and "cannot send the alerts through 127.0.0.1:" in err and "nothing was recorded" in err
    with transaction(loaded) as session:
        assert alert_log.sent_keys(session) == set() and alert_log.last_run(session) is None

    monkeypatch.setenv(alert_mail.SMTP_ENV, f"smtp://{USER}:s3cret%3A%2F%40@127.0.0.1:{port}")
    code, out, err = run(loaded, "--send")
    assert code == 0, err
    assert "sent 5 alert(s) in 2 digest(s)" in out
    mails = {tuple(to): m for to, m in inbox.mails}
    assert set(mails) == {("anna@example.nl",), ("bram@example.nl",)}
    anna, bram = body(mails[("anna@example.nl",)]), body(mails[("bram@example.nl",)])
    assert mails[("anna@example.nl",)]["From"] == "budgets@example.nl"
    assert mails[("anna@example.nl",)]["Subject"] == "Contract budgets: 3 change(s) for Anna, 17 Jun 2026"
    assert (
        "K-003 · Gemeente Gamma: notice deadline 30 Jun 2026 is within the renewal window (13 days left)"
        in anna
    )
    assert (
        "K-003 · Gemeente Gamma: notice deadline 30 Jun 2026 in 13 days and no renewal decision yet" in anna
    )
    assert "K-003 · Gemeente Gamma: the contract ends on 30 Jun 2026 (13 days left)" in anna
    assert "https://budgets.example.nl/contract?contract=K-003" in anna
    assert "K-002" not in anna and "K-004" not in anna
    assert (
        "K-002 · Beta Zorggroep: notice deadline 4 Jul 2026 is within the renewal window (17 days left)"
        in bram
    )
    assert (
        "K-004 · Delta Vastgoed B.V.: notice deadline 1 Sep 2026 is within the renewal window (76 days left)"
        in bram
    )
    assert "K-006" not in bram and bram.count("https://budgets.example.nl/contract?contract=") == 2

    inbox.mails.clear()
    code, out, _ = run(loaded, "--send")  # the same day again: nothing new
    assert code == 0 and "sent 0 alert(s) in 0 digest(s)" in out and inbox.mails == []

    # K-001 (Anna, budget 5,475.00) gets 100 h x 60.00 on 2026-06-16: on track -> over budget
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "work_orders.csv").write_text(
        "work_order_number,contract_number,date,type\nWB-105,K-001,2026-06-16,corrective\n"
    )
    (extra / "hours.csv").write_text("work_order_number,date,hours,cost_rate\nWB-105,2026-06-16,100,60.00\n")
    assert import_paths(loaded, [extra]).ok
    code, out, _ = run(loaded, "--send")
    assert code == 0 and "sent 1 alert(s) in 1 digest(s)" in out
    [(to, message)] = inbox.mails
    text = body(message)
    assert (
        to == ["anna@example.nl"]
        and message["Subject"] == "Contract budgets: 1 change(s) for Anna, 17 Jun 2026"
    )
    # actual 498.185 + 6,000 = 6,498.185; forecast (visits) 6,498.185 + 2 x 3,249.0925 = 12,996.37
    assert ("K-001 · Alpha Installatie B.V.: status worsened from on track to over budget: forecast "
            "€12,996.37 against the budget €5,475.00, 119% consumed") in text  # fmt: skip
    assert text.count("- K-") == 1


def test_a_decision_stops_the_review_alert_and_last_week_lists_changes(loaded: Engine) -> None:
    from budgetcore.store.decisions import record_decision

    with transaction(loaded) as session:
        record_decision(session, "K-003", "terminate", decided_by="Anna")
        run_ = alerts.prepare_run(session, AS_OF)
        week = alerts.since_last_week(session, AS_OF)
    kinds = sorted((a.kind, a.contract_number) for d in run_.digests for a in d.alerts)
    assert kinds == [("ending", "K-003"), ("window", "K-002"), ("window", "K-003"), ("window", "K-004")]
    # 2026-06-10: K-003's notice deadline was 20 days away (in the window already, not yet at 14 days)
    assert sorted((a.kind, a.contract_number) for a in week) == [("ending", "K-003")]


def test_the_overview_reads_the_same_changes_column_wise(tmp_path: Path, new_sqlite) -> None:
    from budgetcore.exchange import demo
    from budgetcore.figures import frame
    from budgetcore.figures.portfolio import Filters

    engine = new_sqlite(tmp_path / "demo.db")  # conftest: prepared, schema_template's copy
    assert demo.load(engine, today=dt.date(2026, 11, 27)).ok
    with transaction(engine) as session:
        stored = settings.load(session)
        for day in (dt.date(2026, 11, 19), dt.date(2026, 10, 22), dt.date(2026, 10, 6)):
            expected = alerts.since_last_week(session, day)
            now = frame.load(session, day, stored.thresholds())
            then = frame.load(session, day - dt.timedelta(days=7), stored.thresholds())
            found = alerts.changes_between(now, then, set(), stored)
            assert expected and found == expected
            some = frame.select(now, Filters(statuses=("over budget", "at risk")))  # a narrowed overview
            kept = set(some["contract_number"].tolist())
            assert alerts.changes_between(some, then, set(), stored) == [
                a for a in expected if a.contract_number in kept
            ]
    engine.dispose()


class Refusing(Inbox):
    """An inbox whose server answers 550 to the addresses in refused (at RCPT TO)."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_address_is_reported_and_retried_without_holding_back_or_repeating_the_others(
    loaded: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = Refusing(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_required=True, auth_require_tls=False)  # fmt: skip
    controller.start()
    try:
        monkeypatch.setenv(alert_mail.SMTP_ENV, f"smtp://{USER}:s3cret%3A%2F%40@127.0.0.1:{port}")
        inbox.refused = {"anna@example.nl"}  # Anna's digest is the first one
        code, out, err = run(loaded, "--send")
        assert code == 1 and "sent 2 alert(s) in 1 digest(s)" in out
        assert "the mail server refused anna@example.nl (account manager Anna): 550" in err
        assert "3 alert(s) kept for the next run" in err
        assert [to for to, _ in inbox.mails] == [["bram@example.nl"]]
        with transaction(loaded) as session:
            assert {k.split(":")[1] for k in alert_log.sent_keys(session)} == {"K-002", "K-004"}

        inbox.mails.clear()
        code, out, err = run(loaded, "--send")  # still refused: Bram's digest is not sent again
        assert code == 1 and "sent 0 alert(s) in 0 digest(s)" in out and inbox.mails == []

        inbox.refused = set()
        code, out, err = run(loaded, "--send")  # accepted now: Anna's digest alone
        assert code == 0 and "sent 3 alert(s) in 1 digest(s)" in out, err
        assert [to for to, _ in inbox.mails] == [["anna@example.nl"]]
    finally:
        controller.stop()


def test_the_managers_addresses_change_is_audited_under_the_acting_user(engine: Engine) -> None:
    from budgetcore.store import access, writes

    admin = access.Actor("admin@example.com", "page:settings")
    op = access.operator()
    writes.write(engine, op, "users", lambda s: access.set_role(s, op, admin.who, "admin"))
    for mapping in ({"Anna": "anna@example.nl"}, {"Anna": "anna@elders.nl", "Bram": "bram@example.nl"}):
        writes.write(engine, admin, "settings", lambda s, m=mapping: alerts.set_manager_emails(s, m, admin))
    with transaction(engine) as session:
        found = [(e.actor, e.action, e.details) for e in access.trail(session, action="manager-emails")]
    assert found == [
        ("admin@example.com", "manager-emails",
         '{"Anna": {"new": "anna@elders.nl", "old": "anna@example.nl"}, "Bram": {"new": "bram@example.nl", "old": null}}'),
        ("admin@example.com", "manager-emails", '{"Anna": {"new": "anna@example.nl", "old": null}}'),
    ]  # fmt: skip
