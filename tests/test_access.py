"""Roles and the one guard: every core write refuses a role that may not take it, and the audit
trail records each one that happens, with who, what and from where (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from test_lifecycle import real_files

from budgetcore.exchange import demo, importing
from budgetcore.figures import settings
from budgetcore.figures.settings import Settings
from budgetcore.store import access, lifecycle
from budgetcore.store.access import Actor, RefusedError
from budgetcore.store.database import transaction
from budgetcore.store.models import AuditEntry, Contract

TODAY = dt.date(2026, 11, 27)
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (None, set()),
        ("viewer", set()),
        ("editor", {"import", "demo", "archive", "decide", "audit"}),
        ("admin", set(access.ACTIONS)),
        ("owner", set()),  # not a role
    ],
)
def test_what_each_role_may_do(role: str | None, allowed: set[str]) -> None:
    assert {a for a in access.ACTIONS if access.allows(role, a)} == allowed


@pytest.fixture
def people(engine: Engine, tmp_path: Path) -> dict[str, Actor]:
    """The demo (10 contracts), real contracts (RC-...) and a viewer, an editor and an admin."""
    assert demo.load(engine, contracts=10, today=TODAY).ok
    assert importing.import_paths(engine, [real_files(tmp_path, contracts=3)]).ok
    found = {}
    with transaction(engine) as session:
        for role in access.ROLES:
            access.set_role(session, access.operator(), f"{role}@example.com", role)
            found[role] = Actor(f"{role}@example.com", "page:test")
    return found


def writes(engine: Engine, actor: Actor, number: str) -> dict[str, bool]:
    """Each core write attempted as actor: whether it went through (each in its own transaction)."""
    attempts = {
        "settings": lambda s: settings.save(s, Settings(renewal_window_days=45), actor),
        "archive": lambda s: lifecycle.archive(s, actor, number),
        "restore": lambda s: lifecycle.restore(s, actor, number),
        "users": lambda s: access.set_role(s, actor, "new@example.com", "viewer"),
        "delete": lambda s: lifecycle.delete_contract(s, actor, number),
        "demo": lambda s: lifecycle.remove_demo(s, actor),
    }
    done = {}
    for name, attempt in attempts.items():
        try:
            with transaction(engine) as session:
                attempt(session)
            done[name] = True
        except RefusedError:
            done[name] = False
    result = importing.import_tables(engine, demo.tables(contracts=2, seed=3, today=TODAY), actor=actor)
    done["import"] = result.written
    if not result.written:
        assert "not allowed" in str(result.errors[0]) and actor.who in str(result.errors[0])
    return done


def test_the_guard_refuses_what_a_role_may_not_do(engine: Engine, people: dict[str, Actor]) -> None:
    with transaction(engine) as session:
        number = session.scalar(
            select(Contract.contract_number).where(Contract.contract_number.startswith("RC-"))
        )
        entries = session.scalar(select(func.count()).select_from(AuditEntry))
    stranger = Actor("stranger@example.com", "page:test")
    nothing = dict.fromkeys(("settings", "archive", "restore", "users", "delete", "demo", "import"), False)
    assert writes(engine, stranger, number) == nothing
    assert writes(engine, people["viewer"], number) == nothing
    with transaction(engine) as session:  # refused writes leave no trace
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == entries
        assert settings.load(session).renewal_window_days == 90
    editor = writes(engine, people["editor"], number)
    assert editor == {**nothing, "archive": True, "restore": True, "demo": True, "import": True}
    assert writes(engine, people["admin"], number) == dict.fromkeys(nothing, True)
    with transaction(engine) as session:
        trail = [(e.actor, e.source, e.action) for e in reversed(access.trail(session))][entries:]
    assert trail == [
        ("editor@example.com", "page:test", "archive"),
        ("editor@example.com", "page:test", "restore"),
        ("editor@example.com", "page:test", "demo-remove"),
        ("editor@example.com", "page:test", "import"),
        ("admin@example.com", "page:test", "settings"),
        ("admin@example.com", "page:test", "archive"),
        ("admin@example.com", "page:test", "restore"),
        ("admin@example.com", "page:test", "role"),
        ("admin@example.com", "page:test", "delete"),
        ("admin@example.com", "page:test", "demo-remove"),
        ("admin@example.com", "page:test", "import"),
    ]


def test_role_changes_keep_an_admin_and_are_recorded(engine: Engine) -> None:
    with transaction(engine) as session:
        assert access.grant_configured_admins(session, ["Boss@Example.com", "not an email"]) == [
            "boss@example.com"
        ]
        assert access.grant_configured_admins(session, ["boss@example.com"]) == []  # known: left alone
        boss = Actor("boss@example.com", "page:users")
        with pytest.raises(RefusedError, match="last admin"):
            access.set_role(session, boss, "boss@example.com", "viewer")
        with pytest.raises(RefusedError, match="last admin"):
            access.remove_user(session, boss, "boss@example.com")
        assert access.set_role(session, boss, "ann@example.com", "admin") is None
        assert access.set_role(session, boss, "boss@example.com", "editor") == "admin"
        assert access.role_of(session, "BOSS@example.com") == "editor"
        with pytest.raises(ValueError, match="unknown role"):
            access.set_role(session, Actor("ann@example.com", "page:users"), "x@example.com", "owner")
        entries = [(e.actor, e.action, e.subject, json.loads(e.details)) for e in access.trail(session)]
    assert entries == [
        ("boss@example.com", "role", "boss@example.com", {"old": "admin", "new": "editor"}),
        ("boss@example.com", "role", "ann@example.com", {"old": None, "new": "admin"}),
        ("configuration", "role", "boss@example.com", {"old": None, "new": "admin"}),
    ]


def test_the_trail_filters_and_exports_without_formulas(engine: Engine) -> None:
    with transaction(engine) as session:
        access.record(session, Actor("=cmd|'/c calc'!A1", "cli"), "import", "", rows=3)
        access.record(
            session, Actor("ann@example.com", "page:settings"), "settings", "", x={"old": 1, "new": 2}
        )
    with transaction(engine) as session:
        assert [e.action for e in access.trail(session, actor="ANN@")] == ["settings"]
        assert [e.actor for e in access.trail(session, action="import")] == ["=cmd|'/c calc'!A1"]
        assert len(access.trail(session, since=dt.date.today() + dt.timedelta(days=1))) == 0
        assert len(access.trail(session, until=dt.date.today())) == 2
        assert access.trail_actions(session) == ["import", "settings"]
        rows = list(csv.reader(io.StringIO(access.trail_csv(access.trail(session)).decode("utf-8-sig"))))
    assert rows[0] == list(access.AUDIT_COLUMNS)
    assert rows[2][1] == "'=cmd|'/c calc'!A1"  # shown as text, never run by a spreadsheet
    assert json.loads(rows[1][5]) == {"x": {"new": 2, "old": 1}}


def test_no_page_trusts_a_client_header() -> None:
    for page in (ROOT / "app_pages").glob("*.py"):
        text = page.read_text()
        assert "X-Forwarded-User" not in text and "st.context.headers" not in text, page.name


@pytest.mark.parametrize(
    ("raw", "normal", "lookalike"),
    [
        ("Kees@Example.com", "kees@example.com", False),
        ("\u212aees@example.com", "kees@example.com", True),  # KELVIN SIGN
        ("\uff4bees@example.com", "kees@example.com", True),  # FULLWIDTH k
        ("strasse@example.com", "strasse@example.com", False),
        ("Stra\u00dfe@example.com", "strasse@example.com", True),  # ß folds to ss
        ("jos\u00e9@example.com", "jos\u00e9@example.com", False),  # a real accent is no lookalike
    ],
)
def test_addresses_compare_after_nfkc_and_case_folding(raw: str, normal: str, lookalike: bool) -> None:
    assert access.normal_email(raw) == normal
    assert access.lookalike(raw) is lookalike


def test_a_configured_admin_is_granted_once_and_a_removal_sticks(engine: Engine) -> None:
    op = access.operator()
    with transaction(engine) as session:
        assert access.grant_configured_admins(session, ["boss@example.com"]) == ["boss@example.com"]
        access.set_role(session, op, "ann@example.com", "admin")
        access.remove_user(session, op, "boss@example.com")
    with transaction(engine) as session:
        assert access.ungranted_admins(session, ["boss@example.com", "new@example.com"]) == [
            "new@example.com"
        ]
        assert access.grant_configured_admins(session, ["boss@example.com"]) == []
        assert access.role_of(session, "boss@example.com") is None
        removal = access.trail(session, action="role", actor=op.who)
        assert (removal[0].subject, json.loads(removal[0].details)) == (
            "boss@example.com",
            {"new": None, "old": "admin"},
        )


def test_a_database_from_before_the_grant_record_knows_its_grants_from_the_trail(engine: Engine) -> None:
    from budgetcore.store.models import Meta

    op = access.operator()
    with transaction(engine) as session:
        access.grant_configured_admins(session, ["boss@example.com"])
        access.remove_user(session, op, "boss@example.com")
        session.delete(session.get(Meta, access.GRANTED_KEY))  # as main before this change kept it
    with transaction(engine) as session:
        assert access.grant_configured_admins(session, ["boss@example.com"]) == []


def test_signing_out_ends_earlier_sign_ins_for_writes_and_downloads(engine: Engine) -> None:
    op = access.operator()
    with transaction(engine) as session:
        access.set_role(session, op, "kees@example.com", "editor")
    tab = Actor("kees@example.com", "page:test", signed_in_at=1_000.0)
    later = Actor("kees@example.com", "page:test", signed_in_at=3_000.0)
    with transaction(engine) as session:
        access.require_reader(session, tab)
        access.require(session, tab, "archive")
        access.sign_out(session, "Kees@example.com", 2_000.0)
    with transaction(engine) as session:
        with pytest.raises(RefusedError):
            access.require_reader(session, tab)
        assert not access.can(session, tab, "archive")
        access.require_reader(session, later)  # signed in again after it
        assert access.can(session, later, "archive")
        access.remove_user(session, op, "kees@example.com")
        with pytest.raises(RefusedError):  # no role now: no download either
            access.require_reader(session, later)
