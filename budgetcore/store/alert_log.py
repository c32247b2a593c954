"""What the nightly alerts job has sent: one row per alert, and the as-of date of its last run.

The statuses the last run saw are kept too, so that the next run can tell a
status that worsened. An alert's key names what it is about (e.g. 'status:CT-1:at risk'), so an
alert is sent once: the job skips every key it finds here. Rows are written
only after the mail server accepted the digest that carried them, so a run
that could not send leaves nothing behind and the next run sends it all again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Date, DateTime, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from budgetcore.store.database import get_meta, set_meta
from budgetcore.store.models import Base

LAST_RUN_KEY = "alerts.last_as_of"


class SentAlert(Base):
    """One alert that reached the mail server (or was marked sent), by its key."""

    __tablename__ = "sent_alerts"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    contract_number: Mapped[str] = mapped_column(String(50), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    recipient: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[dt.date] = mapped_column(Date)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AlertStatus(Base):
    """Each contract's status as the last run that sent its digests saw it: the next run's baseline."""

    __tablename__ = "alert_statuses"
    contract_number: Mapped[str] = mapped_column(String(50), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))


def baseline(session: Session) -> dict[str, str]:
    """contract number -> status at the last completed run (empty before the first)."""
    return dict(session.execute(select(AlertStatus.contract_number, AlertStatus.status)).all())


def set_baseline(session: Session, statuses: dict[str, str]) -> None:
    """Replace the stored statuses by these (the caller commits)."""
    session.execute(delete(AlertStatus))
    session.add_all(AlertStatus(contract_number=n, status=s) for n, s in statuses.items())


def update_baseline(session: Session, statuses: dict[str, str]) -> None:
    """Store these contracts' statuses, leaving the others' (a digest recorded on its own)."""
    if not statuses:
        return
    session.execute(delete(AlertStatus).where(AlertStatus.contract_number.in_(list(statuses))))
    session.add_all(AlertStatus(contract_number=n, status=s) for n, s in statuses.items())


def sent_keys(session: Session, keys: Iterable[str] | None = None) -> set[str]:
    """The keys already sent (of those given, or all)."""
    stmt = select(SentAlert.key)
    if keys is not None:
        stmt = stmt.where(SentAlert.key.in_(list(keys)))
    return set(session.scalars(stmt))


def mark_sent(
    session: Session, alerts: Iterable[tuple[str, str, str, str]], as_of: dt.date, when: dt.datetime
) -> None:
    """Store (key, contract_number, kind, recipient) of alerts that went out (the caller commits)."""
    known = sent_keys(session)
    for key, number, kind, recipient in alerts:
        if key not in known:
            session.add(SentAlert(key=key, contract_number=number, kind=kind, recipient=recipient,
                                  as_of=as_of, sent_at=when))  # fmt: skip
            known.add(key)


def last_run(session: Session) -> dt.date | None:
    """The as-of date of the last run that completed, or None before the first."""
    text = get_meta(session, LAST_RUN_KEY)
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def set_last_run(session: Session, as_of: dt.date) -> None:
    set_meta(session, LAST_RUN_KEY, as_of.isoformat())
