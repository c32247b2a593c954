"""Who may write what, and the audit trail of every write: users and roles, the one guard, the record.

Every core write (an import, a settings save, loading or removing the demo,
archiving, restoring or deleting a contract, a role change) takes an Actor and
passes require() inside its own transaction, then record()s what it did in the
same transaction: refused or rolled back, it leaves no trace and no data.

An Actor's identity comes from the signed-in user (st.user, app/auth.py) or the
operating-system user running the command line; never from a request header.
The operator (the command line, or the app without sign-in: one local user) may
do everything; a signed-in user may do what the role stored for their email allows.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import hashlib
import io
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from budgetcore.store.database import get_meta, set_meta
from budgetcore.store.models import AuditEntry, User

ROLES = ("viewer", "editor", "admin")  # each may do what the ones before it may
# the least role each write needs; reading and downloading packs needs only a role at all
ACTIONS = {
    "import": "editor",
    "demo": "editor",
    "archive": "editor",
    "decide": "editor",  # renewal decisions
    "audit": "editor",  # reading the audit trail
    "settings": "admin",
    "delete": "admin",
    "users": "admin",
}
AUDIT_COLUMNS = ("at", "actor", "source", "action", "subject", "details")


class RefusedError(PermissionError):
    """The actor's role does not allow the action; the message names both."""


@dataclass(frozen=True)
class Actor:
    """Who does something, and from where.

    who: an email (lower case) or an operating-system user name. source: where the
    action came from: 'page:<page>', 'cli', 'app' (the app's own start) or 'config'.
    operator: the person running the process (the command line, or the app without
    sign-in); every action is allowed, as they could open the database anyway.
    """

    who: str
    source: str
    operator: bool = False
    signed_in_at: float = 0.0  # a signed-in user: when their sign-in began (epoch seconds; 0 unknown)

    def on(self, source: str) -> Actor:
        """The same actor acting from another place (e.g. one page)."""
        return Actor(self.who, source, self.operator, self.signed_in_at)


def os_user() -> str:
    """The operating-system user running this process ('unknown' when it cannot be told)."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment or the password database
        return "unknown"


def operator(source: str = "cli") -> Actor:
    """The person running this process, by their operating-system user name."""
    return Actor(os_user(), source, operator=True)


def normal_email(email: str) -> str:
    """An email as stored and compared: trimmed, Unicode-normalised (NFKC) and case-folded, so
    that two ways of writing one address are one. ValueError when it is not an address."""
    cleaned = unicodedata.normalize("NFKC", email.strip()).casefold()
    if "@" not in cleaned or len(cleaned) > 254 or any(c.isspace() for c in cleaned):
        raise ValueError(f"not an email address: {email!r}")
    return cleaned


def lookalike(email: str) -> bool:
    """Whether an address as a provider sent it is written with characters that stand for others:
    compatibility forms that NFKC replaces (KELVIN SIGN for K, fullwidth letters, ligatures) or
    letters whose case folding is not their lower case (ß for ss). Such an address would compare
    equal to another user's; it is refused at sign-in instead."""
    raw = email.strip()
    return unicodedata.normalize("NFKC", raw) != raw or raw.casefold() != raw.lower()


def role_of(session: Session, email: str) -> str | None:
    """The stored role of an email, or None when it has none (or is not an address)."""
    try:
        email = normal_email(email)
    except ValueError:
        return None
    return session.scalar(select(User.role).where(User.email == email))


def allows(role: str | None, action: str) -> bool:
    """Whether a role may take an action (ACTIONS); no role allows nothing."""
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(ACTIONS[action])


def can(session: Session, actor: Actor, action: str) -> bool:
    """Whether actor may take action now (the role is read from the database each time; a user
    who signed out since this actor's sign-in may do nothing)."""
    if action not in ACTIONS:
        raise KeyError(action)
    if actor.operator:
        return True
    return not signed_out_since(session, actor) and allows(role_of(session, actor.who), action)


def require(session: Session, actor: Actor, action: str) -> None:
    """The guard every core write passes: raises RefusedError unless actor may take action."""
    if not can(session, actor, action):
        role = role_of(session, actor.who) or "no role"
        raise RefusedError(f"{actor.who} ({role}) may not {action}: it needs the role {ACTIONS[action]}")


def require_reader(session: Session, actor: Actor) -> None:
    """The guard every download passes when it is built (a deferred download included): the
    actor still has a role, read from the database now, and has not signed out since."""
    if actor.operator:
        return
    if signed_out_since(session, actor) or role_of(session, actor.who) is None:
        raise RefusedError(f"{actor.who} has no role now: nothing to download")


# --- signing out ----------------------------------------------------------------------------------
# Streamlit's sign-in lives in a cookie each browser tab reads once; signing out in one tab is
# kept here, so that the others end at their next action (auth.gate, require, require_reader).


def _signed_out_key(email: str) -> str:
    return "signed_out:" + hashlib.sha256(normal_email(email).encode()).hexdigest()[:32]


def sign_out(session: Session, email: str, at: float) -> None:
    """Record that email signed out at `at` (epoch seconds): sign-ins from before it end."""
    set_meta(session, _signed_out_key(email), repr(float(at)))


def signed_out_at(session: Session, email: str) -> float:
    """When email last signed out (epoch seconds), 0.0 when never."""
    try:
        return float(get_meta(session, _signed_out_key(email), "0") or 0)
    except ValueError:
        return 0.0


def signed_out_since(session: Session, actor: Actor) -> bool:
    """Whether a signed-in actor signed out (in any tab) after their sign-in began."""
    return bool(actor.signed_in_at) and signed_out_at(session, actor.who) > actor.signed_in_at


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def record(session: Session, actor: Actor, action: str, subject: str = "", **details: object) -> None:
    """Add one entry to the audit trail in the caller's transaction (it commits with the write)."""
    session.add(
        AuditEntry(
            at=_now(),
            actor=actor.who[:254],
            source=actor.source[:40],
            action=action[:30],
            subject=subject[:254],
            details=json.dumps(details, default=str, ensure_ascii=False, sort_keys=True),
        )
    )


# --- users and roles ------------------------------------------------------------------------------


def users(session: Session) -> list[User]:
    """Every user with a role, by email."""
    return list(session.scalars(select(User).order_by(User.email)))


def _admins(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.role == "admin")) or 0


def set_role(session: Session, actor: Actor, email: str, role: str) -> str | None:
    """Give email the role (adding the user when new); the role it had before, or None.

    RefusedError unless actor may manage users; a signed-in admin cannot take the last
    admin's role away (nobody could then manage users from the app).
    """
    require(session, actor, "users")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    email = normal_email(email)
    user = session.get(User, email)
    old = user.role if user is not None else None
    if old == role:
        return old
    if old == "admin" and not actor.operator and _admins(session) <= 1:
        raise RefusedError(f"{email} is the last admin: make another user admin first")
    if user is None:
        session.add(User(email=email, role=role, added_at=_now(), added_by=actor.who[:254]))
    else:
        user.role = role
    record(session, actor, "role", email, old=old, new=role)
    return old


def remove_user(session: Session, actor: Actor, email: str) -> str | None:
    """Take every role from email; the role it had, or None when it had none."""
    require(session, actor, "users")
    email = normal_email(email)
    old = role_of(session, email)
    if old is None:
        return None
    if old == "admin" and not actor.operator and _admins(session) <= 1:
        raise RefusedError(f"{email} is the last admin: make another user admin first")
    session.execute(delete(User).where(User.email == email))
    record(session, actor, "role", email, old=old, new=None)
    return old


GRANTED_KEY = "auth.admins_granted"  # meta: the configured admins made admin once (JSON list)


def granted_admins(session: Session) -> set[str]:
    """The configured admins granted so far; before this was kept (an older database), those
    the audit trail shows the configuration granting."""
    stored = get_meta(session, GRANTED_KEY)
    if stored is None:
        return set(
            session.scalars(
                select(AuditEntry.subject).where(
                    AuditEntry.actor == "configuration", AuditEntry.action == "role"
                )
            )
        )
    try:
        return {str(e) for e in json.loads(stored)}
    except ValueError:
        return set()


def ungranted_admins(session: Session, emails: Sequence[str]) -> list[str]:
    """Those of the configured admins never granted yet (a read: the gate writes only for these)."""
    granted = granted_admins(session)
    found = []
    for email in emails:
        try:
            if normal_email(email) not in granted:
                found.append(email)
        except ValueError:
            continue
    return found


def grant_configured_admins(session: Session, emails: Sequence[str]) -> list[str]:
    """Make the [auth] configuration's admins admin, once each; those added.

    An address is granted the first time only: a configured admin whom an admin later
    gives another role, or removes (users remove, the Users page), stays so; the list
    names the first admins, it does not override the database. Each grant is audited.
    """
    granted = granted_admins(session)
    added = []
    for email in emails:
        try:
            email = normal_email(email)
        except ValueError:
            continue
        if email in granted:
            continue
        granted.add(email)
        if session.get(User, email) is None:
            session.add(User(email=email, role="admin", added_at=_now(), added_by="configuration"))
            record(
                session, Actor("configuration", "config", operator=True), "role", email, old=None, new="admin"
            )
            added.append(email)
    set_meta(session, GRANTED_KEY, json.dumps(sorted(granted), ensure_ascii=False))
    return added


# --- the audit trail ------------------------------------------------------------------------------


def trail(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int | None = 10_000,
) -> list[AuditEntry]:
    """Audit entries, newest first, narrowed by actor (part of the name, any case), action and
    the UTC dates from since through until (both included)."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor:
        stmt = stmt.where(func.lower(AuditEntry.actor).contains(actor.strip().lower(), autoescape=True))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= dt.datetime.combine(since, dt.time()))
    if until is not None:
        stmt = stmt.where(AuditEntry.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def trail_actions(session: Session) -> list[str]:
    """The actions the trail holds, for a filter's choices."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def trail_rows(entries: Sequence[AuditEntry]) -> list[dict[str, object]]:
    """Entries as plain rows (AUDIT_COLUMNS); at in UTC, ISO text to the second."""
    return [
        {
            "at": e.at.replace(microsecond=0).isoformat(sep=" "),
            "actor": e.actor,
            "source": e.source,
            "action": e.action,
            "subject": e.subject,
            "details": e.details,
        }
        for e in entries
    ]


def trail_csv(entries: Sequence[AuditEntry]) -> bytes:
    """The entries as CSV (UTF-8 with BOM, so a spreadsheet reads it); a cell that a
    spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(AUDIT_COLUMNS)
    for row in trail_rows(entries):
        writer.writerow([_inert(str(row[c])) for c in AUDIT_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def _inert(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
