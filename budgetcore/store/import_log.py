"""The import log: one entry per import written (its files with their rows, who, from where)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from budgetcore.store.models import ImportLog


def record(session: Session, files: str, rows: int, user: str | None, source: str) -> None:
    """Add an entry stamped now (UTC) in the caller's transaction; texts cut to their columns."""
    session.add(
        ImportLog(
            imported_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            files=files[:10_000],
            rows=rows,
            user=(user or "")[:100] or None,
            source=source[:20],
        )
    )


def recent(session: Session, limit: int = 20) -> list[ImportLog]:
    """The latest entries of the import log, newest first (imported_at is UTC)."""
    return list(session.scalars(select(ImportLog).order_by(ImportLog.id.desc()).limit(limit)))
