"""The one write path: every write of the product (imports, settings, the demo, archive, restore,
delete, decisions, roles, the alert log) goes through write() or writing_as().

Each write holds the database's write lock from its first statement (locks.py), checks the
acting user's role as stored at that moment (access.require), lets the change record itself
in the audit trail under that user, bumps the data version by SQL arithmetic in the same
transaction, and commits, or changes nothing. A fault of the database (read-only, disk full,
connection lost) raises database.ServerFaultError, whose message is one line without SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from budgetcore.store import access
from budgetcore.store.access import Actor
from budgetcore.store.database import bump_data_version, writing

T = TypeVar("T")


@contextmanager
def writing_as(engine: Engine, actor: Actor, action: str | None, *, data: bool = True) -> Iterator[Session]:
    """A writing transaction for actor: the write lock, the role check for action (an
    access.ACTIONS key; None for the operator's own bookkeeping, e.g. the alert log), and at
    the end one bump of the data version. data=False: a write no figure reads, which leaves
    the data version and so every cache alone. access.RefusedError when the role does not
    allow it. (A sign-out, kept so that a browser's other tabs end, is no write of the data: it
    takes database.writing alone, app/auth.sign_out.)"""
    with writing(engine) as session:
        if action is not None:
            access.require(session, actor, action)
        elif not actor.operator:
            raise access.RefusedError(f"{actor.who} may not write this: only the operator may")
        yield session
        if data and session.in_transaction():  # not when the change rolled itself back (an import's errors)
            bump_data_version(session)


def write(
    engine: Engine, actor: Actor, action: str | None, change: Callable[[Session], T], *, data: bool = True
) -> T:
    """Run change(session) as one write of actor (writing_as); what it returns."""
    with writing_as(engine, actor, action, data=data) as session:
        return change(session)
